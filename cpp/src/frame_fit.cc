#include "frame_fit.h"

#include "errors.h"

namespace mobilevsr {

TilePlan PlanClip(Session& session, const ModelBinding& binding, const FrameFit& fit, int height, int width,
                  std::string* resize_error) {
  const int native_height = binding.native_height, native_width = binding.native_width;
  const auto frame_tensor = [&]() -> const TensorInfo& { return session.inputs()[binding.input_slots[0].tensor]; };
  const auto resize = [&](int batch, int h, int w) { ResizeInputs(session, binding, fit.scale, batch, h, w); };
  if (binding.batch(session) != 1) resize(1, frame_tensor().height(), frame_tensor().width());  // the last clip's batch
  resize_error->clear();
  if (frame_tensor().height() == height && frame_tensor().width() == width) {
    TilePlan plan = PlanTiles(height, width, height, width, 0, false);
    if (height != native_height || width != native_width) plan.strategy = "resize";
    return plan;
  }
  // Resize when the graph really allows it: try it, don't guess.
  if (fit.fit != Fit::kTile) {
    try {
      resize(1, height, width);
      TilePlan plan = PlanTiles(height, width, height, width, 0, false);
      plan.strategy = height == native_height && width == native_width ? "native" : "resize";
      return plan;
    } catch (const InvalidArgument& e) {
      *resize_error = e.what();
      if (fit.fit == Fit::kResize)
        throw InvalidArgument("the model takes " + std::to_string(native_height) + "x" + std::to_string(native_width) +
                              " frames and cannot be resized to " + std::to_string(height) + "x" +
                              std::to_string(width) + " (fit=\"resize\"): " + *resize_error);
    }
  }
  if (frame_tensor().height() != native_height || frame_tensor().width() != native_width)
    resize(1, native_height, native_width);
  // Pad or tile at the model's own size, in whichever orientation needs fewer model runs (then less padding).
  TilePlan best = PlanTiles(height, width, native_height, native_width, fit.tile_overlap, false);
  if (fit.allow_transpose && height != width) {
    TilePlan flipped = PlanTiles(width, height, native_height, native_width, fit.tile_overlap, true);
    if (flipped.tiles.size() < best.tiles.size()) best = flipped;
  }
  return best;
}

}  // namespace mobilevsr
