#include "model_binding.h"

#include <algorithm>
#include <string>

#include "errors.h"

namespace mobilevsr {
namespace {

// Converter names like "serving_default_frames:0" for a Keras input "frames": accept either spelling.
std::string StripSignatureDecoration(const std::string& name) {
  std::string s = name;
  const std::string prefix = "serving_default_";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ":0") == 0) s = s.substr(0, s.size() - 2);
  return s;
}

size_t ResolveRef(const Session& session, const TensorRef& ref, bool is_input) {
  const auto& tensors = is_input ? session.inputs() : session.outputs();
  const char* kind = is_input ? "input" : "output";
  if (ref.index >= 0) {
    if (static_cast<size_t>(ref.index) >= tensors.size())
      throw InvalidArgument("the contract names " + std::string(kind) + " #" + std::to_string(ref.index) +
                            " but the model has " + std::to_string(tensors.size()) + " " + kind + "s");
    return static_cast<size_t>(ref.index);
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == ref.name) return i;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (StripSignatureDecoration(tensors[i].name) == StripSignatureDecoration(ref.name)) return i;
  throw InvalidArgument("the contract names " + std::string(kind) + " \"" + ref.name + "\", which the model lacks");
}

}  // namespace

ModelBinding BindContract(const Session& session, const Contract& contract) {
  ModelBinding binding;
  const auto& inputs = session.inputs();
  const auto& outputs = session.outputs();
  std::vector<bool> input_used(inputs.size(), false), output_used(outputs.size(), false);

  auto bind_group = [&](const FrameGroup& group, bool is_input, std::vector<FrameSlot>* slots) {
    const auto& tensors = is_input ? inputs : outputs;
    auto& used = is_input ? input_used : output_used;
    for (size_t k = 0; k < group.offsets.size(); ++k) {
      const size_t t = ResolveRef(session, group.stacked ? group.tensors[0] : group.tensors[k], is_input);
      const int expected_channels = group.stacked ? 3 * static_cast<int>(group.offsets.size()) : 3;
      if (tensors[t].shape.size() != 4 || tensors[t].shape[0] != 1 || tensors[t].channels() != expected_channels)
        throw InvalidArgument("frame tensor " + tensors[t].name + " must be [1,H,W," + std::to_string(expected_channels) +
                              "] for this contract");
      used[t] = true;
      slots->push_back({t, group.stacked ? 3 * static_cast<int>(k) : 0});
    }
  };
  bind_group(contract.frame_inputs, true, &binding.input_slots);
  bind_group(contract.frame_outputs, false, &binding.output_slots);

  const TensorInfo& first_in = inputs[binding.input_slots[0].tensor];
  binding.native_height = first_in.height();
  binding.native_width = first_in.width();
  for (const auto& slot : binding.input_slots)
    if (inputs[slot.tensor].height() != first_in.height() || inputs[slot.tensor].width() != first_in.width())
      throw InvalidArgument("all frame inputs must have the same height and width");
  for (const auto& slot : binding.output_slots) {
    const TensorInfo& out = outputs[slot.tensor];
    if (out.height() != contract.scale * first_in.height() || out.width() != contract.scale * first_in.width())
      throw InvalidArgument("output " + out.name + " is not " + std::to_string(contract.scale) +
                            "x the frame input size; check the contract's scale");
  }
  for (const auto& pair : contract.state) {
    StateLink link;
    link.input = ResolveRef(session, pair.input, true);
    link.output = ResolveRef(session, pair.output, false);
    if (inputs[link.input].shape != outputs[link.output].shape)
      throw InvalidArgument("state " + inputs[link.input].name + " and " + outputs[link.output].name +
                            " have different shapes");
    if (input_used[link.input] || output_used[link.output])
      throw InvalidArgument("a state tensor is also used as a frame tensor or in another state pair");
    input_used[link.input] = output_used[link.output] = true;
    binding.states.push_back(std::move(link));
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!input_used[i]) throw InvalidArgument("model input " + inputs[i].name + " is neither a frame nor a state input");

  binding.input_converters.resize(inputs.size());
  binding.output_converters.resize(outputs.size());
  for (const auto& slot : binding.input_slots)
    if (!binding.input_converters[slot.tensor])
      binding.input_converters[slot.tensor].emplace(inputs[slot.tensor], contract.pixel_range);
  for (const auto& slot : binding.output_slots)
    if (!binding.output_converters[slot.tensor])
      binding.output_converters[slot.tensor].emplace(outputs[slot.tensor], contract.pixel_range);
  PlanStateLinks(session, &binding.states);

  const auto& in_offsets = contract.frame_inputs.offsets;
  binding.min_offset = *std::min_element(in_offsets.begin(), in_offsets.end());
  const int max_offset = *std::max_element(in_offsets.begin(), in_offsets.end());
  binding.lookahead = std::max({max_offset, static_cast<int>(contract.frame_outputs.offsets.size()) - 1, 0});
  return binding;
}

void PlanStateLinks(const Session& session, std::vector<StateLink>* states) {
  for (auto& link : *states) {
    const TensorInfo& in = session.inputs()[link.input];
    const TensorInfo& out = session.outputs()[link.output];
    link.requantizer.reset();
    if (session.CanSwap(link.input, link.output)) {
      link.mode = StateLink::Mode::kSwap;
    } else if (in.dtype == out.dtype && in.quantized == out.quantized &&
               (!in.quantized || in.quantization == out.quantization)) {
      link.mode = StateLink::Mode::kCopy;
    } else {
      link.mode = StateLink::Mode::kRequantize;
      link.requantizer.emplace(out, in);
    }
  }
}

void ResizeInputs(Session& session, const ModelBinding& binding, int scale, int batch, int height, int width) {
  const auto& inputs = session.inputs();
  const TensorInfo& frame_tensor = inputs[binding.input_slots[0].tensor];
  std::vector<std::vector<int>> shapes;
  for (const auto& t : inputs) {
    if (t.height() != frame_tensor.height() || t.width() != frame_tensor.width())
      throw InvalidArgument("input " + t.name + " does not share the frame's height and width");
    shapes.push_back({batch, height, width, t.channels()});
  }
  session.Resize(shapes);
  for (const auto& slot : binding.output_slots) {
    const TensorInfo& out = session.outputs()[slot.tensor];
    if (out.shape[0] != batch || out.height() != scale * height || out.width() != scale * width)
      throw InvalidArgument("after resizing, output " + out.name + " is " + std::to_string(out.shape[0]) + "x" +
                            std::to_string(out.height()) + "x" + std::to_string(out.width()) + ", not " +
                            std::to_string(batch) + " x" + std::to_string(scale) + " upscales");
  }
}

const char* TransferName(StateLink::Mode mode) {
  switch (mode) {
    case StateLink::Mode::kSwap: return "swap";
    case StateLink::Mode::kCopy: return "copy";
    case StateLink::Mode::kRequantize: return "requantize";
  }
  return "?";
}

}  // namespace mobilevsr
