// Per-op profiling from LiteRT's own profiler: the events of one model run as plain structs, and an accumulator that
// folds many runs into a per-op report (which op, which node, which delegate partition, how long, what share).
//
// What LiteRT 2.x records per run, in order (verified against ai-edge-litert 2.3's libLiteRt.so on the CPU):
//   stage events ("LiteRT::Run[buffer registration]", "AllocateTensors" after a (re)allocation, "Invoke",
//   "LiteRT::Run[Buffer sync]"); one operator event per TFLite node that runs on TFLite's own kernels (tag = the op,
//   e.g. "QUANTIZE", node index, subgraph); XNNPACK partitions are not recorded as nodes: XNNPACK reports each of its
//   own operators instead (tag e.g. "Convolution (NHWC, QC8) IGEMM", index = the operator inside the partition, no
//   start time), in execution order between the surrounding nodes; telemetry events (ignored).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "json.h"

namespace mobilevsr {

// One LiteRT profiler event, copied out of the profiler (the strings are ours).
struct ProfileEvent {
  enum class Kind {
    kStage,             // a LiteRT/interpreter stage: "Invoke", "AllocateTensors", "LiteRT::Run[Buffer sync]"...
    kOperator,          // one TFLite node: an op on TFLite's kernels, or a whole delegate partition
    kDelegateOperator,  // one op inside a delegate partition (XNNPACK reports its own operators)
    kOther,             // runtime instrumentation, telemetry
  };
  enum class Source { kLiteRt, kInterpreter, kDelegate };  // as LiteRT labels it (not reliable: see Kind)
  std::string tag;      // op name ("QUANTIZE", "Convolution (NHWC, QC8) IGEMM", "TfLiteGpuDelegate") or stage name
  Kind kind = Kind::kOther;
  int event_type = 0;   // LiteRT's event type bit, as reported
  Source source = Source::kLiteRt;
  uint64_t start_us = 0;  // 0 for delegate operators
  uint64_t elapsed_us = 0;
  int64_t node_index = -1;      // kOperator: the TFLite node; kDelegateOperator: the op's index inside its partition
  int64_t subgraph_index = -1;  // kOperator: the node's subgraph
};

// Folds the events of many runs into per-op totals.
class ProfileAccumulator {
 public:
  // Name given to delegate partitions that are recorded only through their ops (LiteRT's CPU path: "XNNPACK").
  explicit ProfileAccumulator(std::string delegate_name = "delegate") : delegate_name_(std::move(delegate_name)) {}
  void set_delegate_name(std::string name) { delegate_name_ = std::move(name); }

  void AddRun(const std::vector<ProfileEvent>& events);
  void Clear();
  long runs() const { return runs_; }

  // The report (times in microseconds, summed over runs()):
  //   runs, ops_total_us, invoke_total_us (LiteRT's "Invoke" stage), note (null, or why ops are missing)
  //   ops: leaves, most expensive first: name, kind ("tflite": a node on TFLite's kernels, node = its TFLite node
  //     index; "delegate": an op inside a delegate partition, node = its index in the partition; "delegate_node": a
  //     delegate partition with no per-op events, node = its TFLite node index), partition (null for "tflite"),
  //     count (calls), total_us, mean_us (per call), min_us, max_us, share_pct (of ops_total_us; they sum to 100)
  //   partitions: in execution order: name, kind ("delegate" | "tflite_kernels"), after_node / before_node (the
  //     TFLite-kernel nodes that ran just before / after it, -1 at the start / end; delegate partitions only; the
  //     partitioner may group nodes that are not contiguous, so this places it in the run, not in the node list),
  //     ops, total_us, mean_us (per run), share_pct
  //   stages: name, count, total_us, mean_us
  Json Report() const;

 private:
  struct Stat {
    long count = 0;
    uint64_t total_us = 0, min_us = UINT64_MAX, max_us = 0;
    void Add(uint64_t us);
  };
  struct Partition {
    std::string kind;
    int64_t after_node = -1;
    int64_t before_node = -1;
    int order = 0;  // position in the execution order of the first run that saw it
    Stat stat;      // one sample per run
  };
  // (partition name, "" for TFLite kernels; node; name; kind)
  using OpKey = std::tuple<std::string, int64_t, std::string, std::string>;
  std::string delegate_name_;
  std::map<OpKey, Stat> ops_;
  std::map<std::string, Partition> partitions_;
  std::map<std::string, Stat> stages_;
  long runs_ = 0;
};

}  // namespace mobilevsr
