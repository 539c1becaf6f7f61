// How a clip's frame size meets the model (UpscalerOptions::fit): the model's own size, the inputs resized (when
// the graph allows it), or padding/tiles at the model's size in whichever orientation needs fewer runs.
#pragma once

#include <string>

#include "model_binding.h"
#include "options.h"
#include "receptive_field.h"
#include "session.h"
#include "tile_plan.h"

namespace mobilevsr {

struct FrameFit {
  int scale = 4;
  Fit fit = Fit::kAuto;
  bool allow_transpose = true;
  int tile_overlap = kDefaultTileOverlap;
};

// Plans a clip of height x width frames and leaves the session's inputs at the plan's tile size, batch 1.
// `resize_error` gets why resizing failed when the plan pads or tiles instead (empty otherwise). Throws
// InvalidArgument when fit is kResize and the graph cannot be resized.
TilePlan PlanClip(Session& session, const ModelBinding& binding, const FrameFit& fit, int height, int width,
                  std::string* resize_error);

}  // namespace mobilevsr
