// Upscaler::Info(): everything a user or a bug report needs, as JSON.
#include <cmath>

#include "upscaler_impl.h"

namespace mobilevsr {
namespace {

// Shapes, sizes and frame offsets: arrays of integers.
Json IntsJson(const std::vector<int>& values) {
  Json::Array a;
  for (int d : values) a.push_back(Json::Number(d, true));
  return Json::MakeArray(a);
}

Json TensorJson(const TensorInfo& t) {
  Json quantization;
  if (t.quantized)
    quantization = Json::MakeObject({{"scale", Json::Number(t.quantization.scale, false)},
                                     {"zero_point", Json::Number(static_cast<double>(t.quantization.zero_point), true)}});
  return Json::MakeObject({{"name", Json::String(t.name)},
                           {"shape", IntsJson(t.shape)},
                           {"dtype", Json::String(t.dtype_name)},
                           {"quantization", quantization}});
}

Json OrNull(const std::string& text) { return text.empty() ? Json() : Json::String(text); }

// The current or last clip's plan (null before the first clip).
Json StrategyJson(const TileRunner& runner, const std::string& batch_why, const std::string& resize_error) {
  const TilePlan& plan = runner.plan();
  if (plan.tiles.empty()) return Json();
  return Json::MakeObject({
      {"name", Json::String(plan.strategy)},
      {"transpose", Json::Bool(plan.transpose)},
      {"tiles", Json::Number(static_cast<double>(plan.tiles.size()), true)},
      {"grid", IntsJson({plan.rows, plan.cols})},
      {"tile_size", IntsJson({plan.tile_height, plan.tile_width})},
      {"overlap", Json::Number(plan.overlap, true)},
      {"batched", Json::Bool(runner.batched())},
      // "in_place": LiteRT writes the HR frame you get (no copy; int8 then XOR 0x80); "converted": read out of it
      {"hr_output", Json::String(runner.HrWrittenInPlace() ? "in_place" : "converted")},
      {"batch_choice", OrNull(batch_why)},
      {"frame_size", plan.transpose ? IntsJson({plan.frame_width, plan.frame_height})
                                    : IntsJson({plan.frame_height, plan.frame_width})},
      {"resize_error", OrNull(resize_error)},
  });
}

}  // namespace

Json Upscaler::Info() const {
  const Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  const Session& session = m.session;
  Json::Array inputs, outputs, pairs;
  for (const auto& t : session.inputs()) inputs.push_back(TensorJson(t));
  for (const auto& t : session.outputs()) outputs.push_back(TensorJson(t));
  for (const auto& link : m.binding.states)
    pairs.push_back(Json::MakeObject({{"input", Json::String(session.inputs()[link.input].name)},
                                      {"output", Json::String(session.outputs()[link.output].name)},
                                      {"transfer", Json::String(TransferName(link.mode))}}));
  const ReceptiveField& rf = m.overlap.receptive_field;
  const Json radius = rf.computable ? Json::Number(rf.radius, rf.radius == std::floor(rf.radius)) : Json();
  return Json::MakeObject({
      {"accelerator", Json::String(session.accelerator())},
      {"fully_accelerated", Json::Bool(session.fully_accelerated())},
      {"fallback_reason", OrNull(session.fallback_reason())},
      {"num_threads", Json::Number(session.num_threads(), true)},
      // What LiteRT and the GPU stack printed while the model opened (captured so a fallback start stays quiet).
      {"native_log", Json::String(session.native_log())},
      {"inputs", Json::MakeArray(inputs)},
      {"outputs", Json::MakeArray(outputs)},
      {"scale", Json::Number(m.contract.scale, true)},
      {"input_offsets", IntsJson(m.contract.frame_inputs.offsets)},
      {"output_offsets", IntsJson(m.contract.frame_outputs.offsets)},
      {"state_pairs", Json::MakeArray(pairs)},
      {"pixel_range", Json::Number(m.contract.pixel_range, false)},
      {"channel_order", Json::String(m.contract.bgr ? "BGR" : "RGB")},
      {"layout", Json::String(m.contract.origin)},
      {"lookahead", Json::Number(m.binding.lookahead, true)},
      {"model_frame_size", IntsJson({m.binding.native_height, m.binding.native_width})},
      // Tiling (used when a frame is cut into tiles): per-frame receptive-field radius in LR pixels (null when not
      // computable), the overlap tiles get, and where it comes from. Properties of the model, so reported here only
      // (not again under "strategy", which describes the current clip's plan).
      {"receptive_field_radius", radius},
      {"tile_overlap", Json::Number(m.overlap.pixels, true)},
      {"overlap_source", Json::String(m.overlap.source)},
      {"strategy", StrategyJson(m.runner, m.batch_why, m.resize_error)},
      {"contract", m.contract.ToJson()},
  });
}

}  // namespace mobilevsr
