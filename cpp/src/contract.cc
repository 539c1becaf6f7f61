#include "contract.h"

#include <algorithm>
#include <set>

#include "contract_schema.h"  // generated: kContractSchemaJson
#include "errors.h"
#include "schema_validator.h"

namespace mobilevsr {
namespace {

const Json& SchemaJson() {
  static const Json schema = ParseJson(ContractSchemaText());
  return schema;
}

// The schema's "default" of an optional top-level field: its one definition.
const Json& SchemaDefault(const std::string& field) {
  const Json* properties = SchemaJson().find("properties");
  const Json* property = properties ? properties->find(field) : nullptr;
  const Json* fallback = property ? property->find("default") : nullptr;
  if (fallback == nullptr) throw RuntimeError("contract schema has no default for \"" + field + "\"");
  return *fallback;
}

const Json& FieldOrDefault(const Json& doc, const std::string& field) {
  const Json* value = doc.find(field);
  return value ? *value : SchemaDefault(field);
}

TensorRef ParseRef(const Json& j) {
  TensorRef ref;
  if (j.type() == Json::Type::kString) {
    ref.name = j.as_string();
  } else {
    // The schema's "integer" is any integral value (1e300 too): only positions an int holds are meaningful.
    if (j.as_number() < 0 || j.as_number() > 1e6)
      throw InvalidArgument("invalid model contract: tensor positions must be between 0 and 1000000");
    ref.index = static_cast<int>(j.as_number());
  }
  return ref;
}

Json RefToJson(const TensorRef& ref) {
  return ref.name.empty() ? Json::Number(ref.index, true) : Json::String(ref.name);
}

FrameGroup ParseGroup(const Json& j, const std::string& what) {
  FrameGroup group;
  for (const auto& t : j.find("tensors")->as_array()) group.tensors.push_back(ParseRef(t));
  group.stacked = j.find("layout")->as_string() == "stacked";
  for (const auto& o : j.find("offsets")->as_array()) group.offsets.push_back(static_cast<int>(o.as_number()));
  if (group.stacked && group.tensors.size() != 1)
    throw InvalidArgument("invalid model contract: " + what + " is \"stacked\" and must name exactly one tensor");
  if (!group.stacked && group.tensors.size() != group.offsets.size())
    throw InvalidArgument("invalid model contract: " + what + " is \"separate\" and needs one tensor per offset");
  if (std::set<int>(group.offsets.begin(), group.offsets.end()).size() != group.offsets.size())
    throw InvalidArgument("invalid model contract: " + what + " has repeated offsets");
  return group;
}

Json GroupToJson(const FrameGroup& g) {
  Json::Array tensors, offsets;
  for (const auto& t : g.tensors) tensors.push_back(RefToJson(t));
  for (int o : g.offsets) offsets.push_back(Json::Number(o, true));
  return Json::MakeObject({{"tensors", Json::MakeArray(tensors)},
                           {"layout", Json::String(g.stacked ? "stacked" : "separate")},
                           {"offsets", Json::MakeArray(offsets)}});
}

[[noreturn]] void NoLayout(const std::vector<TensorInfo>& inputs, const std::vector<TensorInfo>& outputs,
                           const std::string& why) {
  auto describe = [](const std::vector<TensorInfo>& tensors) {
    std::string s;
    for (const auto& t : tensors) {
      s += (s.empty() ? "" : ", ") + t.name + " [";
      for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? "," : "") + std::to_string(t.shape[i]);
      s += "] " + t.dtype_name;
    }
    return s;
  };
  throw InvalidArgument("the model's tensors match no known VSR layout (" + why + "); inputs: " + describe(inputs) +
                        "; outputs: " + describe(outputs) +
                        ". Pass a model contract (see docs/model-contract.md) to describe how to drive it.");
}

double RangeFromQuantization(const TensorInfo& frames, double float_default) {
  if (!frames.quantized) return float_default;
  return frames.quantization.scale * 255.0 < 16.0 ? 1.0 : 255.0;
}

bool IsImageTensor(const TensorInfo& t) { return t.shape.size() == 4 && t.shape[0] == 1 && t.dtype != DType::kOther; }

}  // namespace

const std::string& ContractSchemaText() {
  static const std::string text(kContractSchemaJson);
  return text;
}

const std::string& ContractMetadataKey() {
  static const std::string key = SchemaJson().find("x-metadata-key")->as_string();
  return key;
}

Json Contract::ToJson() const {
  Json::Array pairs;
  for (const auto& p : state)
    pairs.push_back(Json::MakeObject({{"input", RefToJson(p.input)}, {"output", RefToJson(p.output)}}));
  Json::Object o{{"contract_version", Json::Number(version, true)},
                 {"scale", Json::Number(scale, true)},
                 {"frame_inputs", GroupToJson(frame_inputs)},
                 {"frame_outputs", GroupToJson(frame_outputs)},
                 {"state", Json::MakeArray(pairs)},
                 {"pixel_range", Json::Number(pixel_range, false)},
                 {"channel_order", Json::String(bgr ? "BGR" : "RGB")}};
  if (!name.empty()) o["name"] = Json::String(name);
  return Json::MakeObject(std::move(o));
}

Contract ParseContract(std::string_view json_text) {
  const Json doc = ParseJson(json_text);
  ValidateAgainstSchema(doc, SchemaJson());
  Contract c;
  c.version = static_cast<int>(doc.find("contract_version")->as_number());
  if (const Json* n = doc.find("name")) c.name = n->as_string();
  c.scale = static_cast<int>(doc.find("scale")->as_number());
  c.frame_inputs = ParseGroup(*doc.find("frame_inputs"), "frame_inputs");
  c.frame_outputs = ParseGroup(*doc.find("frame_outputs"), "frame_outputs");
  for (size_t i = 0; i < c.frame_outputs.offsets.size(); ++i)
    if (c.frame_outputs.offsets[i] != static_cast<int>(i))
      throw InvalidArgument("invalid model contract: frame_outputs offsets must be 0, 1, 2, ... in order");
  for (const auto& p : FieldOrDefault(doc, "state").as_array())
    c.state.push_back({ParseRef(*p.find("input")), ParseRef(*p.find("output"))});
  c.pixel_range = FieldOrDefault(doc, "pixel_range").as_number();
  c.bgr = FieldOrDefault(doc, "channel_order").as_string() == "BGR";
  c.origin = "contract";
  return c;
}

Contract DetectPublicLayout(const std::vector<TensorInfo>& inputs, const std::vector<TensorInfo>& outputs) {
  for (const auto& t : inputs)
    if (!IsImageTensor(t)) NoLayout(inputs, outputs, "input " + t.name + " is not a [1,H,W,C] image tensor");
  for (const auto& t : outputs)
    if (!IsImageTensor(t)) NoLayout(inputs, outputs, "output " + t.name + " is not a [1,H,W,C] image tensor");
  if (inputs.size() != outputs.size() || inputs.empty())
    NoLayout(inputs, outputs, "expected as many outputs as inputs");

  // State pairs: an input whose exact shape and type an output repeats (HR outputs are larger than any input).
  Contract c;
  c.bgr = SchemaDefault("channel_order").as_string() == "BGR";  // public layouts use the default order
  std::vector<bool> input_is_state(inputs.size(), false), output_used(outputs.size(), false);
  for (size_t i = 0; i < inputs.size(); ++i) {
    for (size_t o = 0; o < outputs.size(); ++o) {
      if (!output_used[o] && outputs[o].shape == inputs[i].shape && outputs[o].dtype == inputs[i].dtype) {
        input_is_state[i] = output_used[o] = true;
        c.state.push_back({TensorRef{inputs[i].name, static_cast<int>(i)}, TensorRef{outputs[o].name, static_cast<int>(o)}});
        break;
      }
    }
  }
  std::vector<size_t> frame_in, frame_out;
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!input_is_state[i]) frame_in.push_back(i);
  for (size_t o = 0; o < outputs.size(); ++o)
    if (!output_used[o]) frame_out.push_back(o);
  if (frame_in.size() != 1 || frame_out.size() != 1)
    NoLayout(inputs, outputs, "expected one frame input and one frame output besides the state pairs");
  const TensorInfo& in = inputs[frame_in[0]];
  const TensorInfo& out = outputs[frame_out[0]];
  if (in.channels() % 3 != 0 || out.channels() % 3 != 0)
    NoLayout(inputs, outputs, "frame tensors must have 3 channels per frame");
  if (out.height() % in.height() != 0 || out.width() % in.width() != 0 ||
      out.height() / in.height() != out.width() / in.width())
    NoLayout(inputs, outputs, "the output is not an integer upscale of the input");
  for (const auto& pair : c.state)
    if (inputs[pair.input.index].height() != in.height() || inputs[pair.input.index].width() != in.width())
      NoLayout(inputs, outputs, "state tensors must have the frame's height and width");

  c.scale = out.height() / in.height();
  const int frames_in = in.channels() / 3, frames_out = out.channels() / 3;
  c.frame_inputs.tensors = {TensorRef{in.name, static_cast<int>(frame_in[0])}};
  c.frame_outputs.tensors = {TensorRef{out.name, static_cast<int>(frame_out[0])}};
  c.frame_outputs.offsets = {0};
  if (c.state.empty()) {
    if (frames_in != frames_out) NoLayout(inputs, outputs, "frames in and frames out differ and there is no state");
    for (int k = 0; k < frames_in; ++k) c.frame_inputs.offsets.push_back(k);
    c.frame_outputs.offsets = c.frame_inputs.offsets;
    c.origin = frames_in == 1 ? "single_frame" : "stacked_chunk";
    c.pixel_range = RangeFromQuantization(in, 1.0);
  } else {
    if (frames_out != 1) NoLayout(inputs, outputs, "a recurrent model must output one frame");
    if (frames_in == 2) {
      c.frame_inputs.offsets = {-1, 0};
      c.origin = "recurrent";
    } else if (frames_in == 3) {
      c.frame_inputs.offsets = {-1, 0, 1};
      c.origin = "sliding_recurrent";
    } else if (frames_in == 1) {
      c.frame_inputs.offsets = {0};
      c.origin = "recurrent";
    } else {
      NoLayout(inputs, outputs, "a recurrent model must read 1, 2 ([t-1,t]) or 3 ([t-1,t,t+1]) stacked frames");
    }
    c.pixel_range = RangeFromQuantization(in, 255.0);
  }
  return c;
}

}  // namespace mobilevsr
