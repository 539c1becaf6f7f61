// The per-op profile report (profile.h) from recorded LiteRT events.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "json.h"
#include "profile.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

mobilevsr::ProfileEvent Event(mobilevsr::ProfileEvent::Kind kind, const std::string& tag, uint64_t us,
                               int64_t node = -1) {
  mobilevsr::ProfileEvent e;
  e.kind = kind;
  e.tag = tag;
  e.elapsed_us = us;
  e.node_index = node;
  return e;
}

const mobilevsr::Json& Field(const mobilevsr::Json& object, const std::string& key) {
  static const mobilevsr::Json kNull;
  const mobilevsr::Json* found = object.find(key);
  return found ? *found : kNull;
}

MOBILEVSR_TEST(TestProfileReport) {
  using K = mobilevsr::ProfileEvent::Kind;
  // LiteRT's CPU path, as recorded: a TFLite op, an XNNPACK partition seen through its operators, a TFLite op,
  // a second partition; stage and telemetry events around them (the telemetry one with LiteRT's garbage time).
  const std::vector<mobilevsr::ProfileEvent> run = {
      Event(K::kStage, "Invoke", 1000),
      Event(K::kOperator, "QUANTIZE", 100, 0),
      Event(K::kDelegateOperator, "Convolution (NHWC, QC8) IGEMM", 300, 0),
      Event(K::kDelegateOperator, "Add (ND)", 50, 1),
      Event(K::kOperator, "RELU", 400, 3),
      Event(K::kDelegateOperator, "Convolution (NHWC, QC8) IGEMM", 150, 0),
      Event(K::kOther, "Invoke", 4294967296ull),
  };
  mobilevsr::ProfileAccumulator profile("XNNPACK");
  profile.AddRun(run);
  profile.AddRun(run);
  const mobilevsr::Json report = profile.Report();
  const auto& ops = Field(report, "ops").as_array();
  Check(Field(report, "runs").as_number() == 2 && ops.size() == 5, "profile: 5 ops over 2 runs");
  Check(Field(ops[0], "name").as_string() == "RELU" && Field(ops[0], "total_us").as_number() == 800 &&
            Field(ops[0], "count").as_number() == 2 && Field(ops[0], "node").as_number() == 3 &&
            Field(ops[0], "partition").type() == mobilevsr::Json::Type::kNull,
        "profile: most expensive op first, summed over runs, with its TFLite node");
  Check(Field(ops[1], "partition").as_string() == "XNNPACK #1" && Field(ops[1], "kind").as_string() == "delegate",
        "profile: XNNPACK operators belong to numbered partitions");
  double shares = 0;
  for (const auto& op : ops) shares += Field(op, "share_pct").as_number();
  Check(std::fabs(shares - 100.0) < 1e-9 && Field(report, "ops_total_us").as_number() == 2000,
        "profile: shares sum to 100 %");
  Check(Field(report, "invoke_total_us").as_number() == 2000, "profile: unfinished (garbage) events are dropped");
  const auto& parts = Field(report, "partitions").as_array();
  Check(parts.size() == 3 && Field(parts[1], "name").as_string() == "XNNPACK #1" &&
            Field(parts[1], "after_node").as_number() == 0 && Field(parts[1], "before_node").as_number() == 3 &&
            Field(parts[1], "total_us").as_number() == 700 && Field(parts[2], "before_node").as_number() == -1,
        "profile: partitions with the TFLite nodes around them");

  // A delegate recorded as a node: its ops replace it as leaves; alone (a GPU delegate) it is one leaf.
  mobilevsr::ProfileAccumulator nested;
  nested.AddRun({Event(K::kOperator, "TfLiteGpuDelegateV2", 900, 7), Event(K::kDelegateOperator, "conv", 600, 0),
                 Event(K::kDelegateOperator, "add", 200, 1)});
  const auto nested_ops = Field(nested.Report(), "ops").as_array();
  Check(nested_ops.size() == 2 && Field(nested_ops[0], "partition").as_string() == "TfLiteGpuDelegateV2 (node 7)",
        "profile: ops nested in a delegate node");
  mobilevsr::ProfileAccumulator opaque;
  opaque.AddRun({Event(K::kOperator, "TfLiteGpuDelegateV2", 900, 7)});
  const auto opaque_ops = Field(opaque.Report(), "ops").as_array();
  Check(opaque_ops.size() == 1 && Field(opaque_ops[0], "kind").as_string() == "delegate_node",
        "profile: a delegate without per-op events is one op");
  mobilevsr::ProfileAccumulator empty;
  empty.AddRun({Event(K::kStage, "Invoke", 10)});
  Check(Field(empty.Report(), "note").type() == mobilevsr::Json::Type::kString, "profile: no ops is explained");
  profile.Clear();
  Check(Field(profile.Report(), "runs").as_number() == 0, "profile: clear");
}

}  // namespace
}  // namespace mobilevsr_test
