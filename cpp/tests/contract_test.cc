// Contracts (contract.h): parsing against the schema, defaults, and the public layouts detected without one.
#include <string>
#include <utility>
#include <vector>

#include "contract.h"
#include "errors.h"
#include "json.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

const char* kValidContract = R"({"contract_version": 1, "scale": 4,
  "frame_inputs": {"tensors": ["in"], "layout": "stacked", "offsets": [-1, 0, 1]},
  "frame_outputs": {"tensors": ["out"], "layout": "stacked", "offsets": [0]},
  "state": [{"input": "s", "output": 1}], "pixel_range": 255, "channel_order": "BGR"})";

MOBILEVSR_TEST(TestContract) {
  const mobilevsr::Contract c = mobilevsr::ParseContract(kValidContract);
  Check(c.frame_inputs.offsets == std::vector<int>({-1, 0, 1}) && c.frame_inputs.stacked, "contract offsets");
  Check(c.state.size() == 1 && c.state[0].input.name == "s" && c.state[0].output.index == 1, "contract state refs");
  Check(c.pixel_range == 255.0 && c.bgr && c.scale == 4, "contract fields");
  Check(mobilevsr::ParseContract(c.ToJson().Dump()).ToJson() == c.ToJson(), "contract JSON round trip");
  Check(mobilevsr::ContractMetadataKey() == "mobilevsr.contract", "metadata key from the schema");

  auto with = [](const std::string& from, const std::string& to) {
    std::string text = kValidContract;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  Check(mobilevsr::ParseContract(with("\"scale\": 4", "\"scale\": 4.0")).scale == 4, "contract: 4.0 is an integer");
  {  // optional fields left out take the schema's "default", read from the schema (their one definition)
    const mobilevsr::Json properties = *mobilevsr::ParseJson(mobilevsr::ContractSchemaText()).find("properties");
    auto default_of = [&](const char* field) { return *properties.find(field)->find("default"); };
    const auto bare = mobilevsr::ParseContract(
        with(R"("state": [{"input": "s", "output": 1}], "pixel_range": 255, "channel_order": "BGR")", R"("name": "b")"));
    Check(bare.pixel_range == default_of("pixel_range").as_number() &&
              bare.state.size() == default_of("state").as_array().size() &&
              bare.bgr == (default_of("channel_order").as_string() == "BGR"),
          "contract defaults come from the schema");
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {with("\"contract_version\": 1", "\"contract_version\": 2"), "contract_version"},
      {with("\"scale\": 4", "\"scale\": 0"), "minimum"},
      {with("\"stacked\"", "\"interleaved\""), "layout"},
      {with("\"pixel_range\": 255", "\"pixel_range\": 2"), "pixel_range"},
      {with("\"channel_order\": \"BGR\"", "\"channel_order\": \"BGR\", \"extra\": 1"), "unknown field"},
      {with("\"offsets\": [0]", "\"offsets\": [1]"), "0, 1, 2"},
      {with("\"offsets\": [-1, 0, 1]", "\"offsets\": [0, 0]"), "repeated"},
      {with("\"tensors\": [\"in\"]", "\"tensors\": [\"a\", \"b\"]"), "exactly one tensor"},
      {with("\"layout\": \"stacked\", \"offsets\": [-1", "\"layout\": \"separate\", \"offsets\": [-1"), "one tensor per"},
      {with("\"input\": \"s\"", "\"input\": 1.5"), "expected one of"},
      {with("\"scale\": 4,", ""), "missing required field \"scale\""},
      {with("\"scale\": 4", "\"scale\": 4.5"), "expected integer, got number"},
      {with("\"output\": 1", "\"output\": 1e300"), "tensor positions"},
  };
  for (const auto& [text, needle] : bad)
    CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseContract(text); }, "contract rejects: " + needle,
                                            needle);
}

MOBILEVSR_TEST(TestLayoutDetection) {
  using mobilevsr::DetectPublicLayout;
  auto c = DetectPublicLayout({Tensor("x", {1, 180, 320, 3})}, {Tensor("y", {1, 720, 1280, 3})});
  Check(c.origin == "single_frame" && c.scale == 4 && c.pixel_range == 1.0, "single frame layout");
  c = DetectPublicLayout({Tensor("x", {1, 180, 320, 30})}, {Tensor("y", {1, 720, 1280, 30})});
  Check(c.origin == "stacked_chunk" && c.frame_outputs.offsets.size() == 10, "stacked chunk layout");
  c = DetectPublicLayout({Tensor("x", {1, 320, 180, 6}), Tensor("h", {1, 320, 180, 16})},
                         {Tensor("y", {1, 1280, 720, 3}), Tensor("h2", {1, 320, 180, 16})});
  Check(c.origin == "recurrent" && c.frame_inputs.offsets == std::vector<int>({-1, 0}) && c.pixel_range == 255.0,
        "recurrent layout");
  c = DetectPublicLayout({Tensor("h", {1, 320, 180, 32}), Tensor("x", {1, 320, 180, 9})},
                         {Tensor("h2", {1, 320, 180, 32}), Tensor("y", {1, 1280, 720, 3})});
  Check(c.origin == "sliding_recurrent" && c.state[0].input.name == "h" && c.state[0].output.name == "h2",
        "sliding recurrent layout, any tensor order");
  auto q = Tensor("x", {1, 8, 8, 3}, mobilevsr::DType::kUInt8);
  q.quantized = true;
  q.quantization = {1.0f / 255.0f, 0};
  c = DetectPublicLayout({q}, {Tensor("y", {1, 32, 32, 3}, mobilevsr::DType::kUInt8)});
  Check(c.pixel_range == 1.0, "quantized input scale 1/255 means range 0..1");
  CheckThrows<mobilevsr::InvalidArgument>(
      [] { DetectPublicLayout({Tensor("x", {1, 8, 8, 4})}, {Tensor("y", {1, 32, 32, 4})}); }, "4-channel frames",
      "no known VSR layout");
  CheckThrows<mobilevsr::InvalidArgument>(
      [] { DetectPublicLayout({Tensor("x", {1, 8, 8, 3})}, {Tensor("y", {1, 30, 32, 3})}); }, "non-integer scale",
      "integer upscale");
}

}  // namespace
}  // namespace mobilevsr_test
