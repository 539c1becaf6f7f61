#include "profile.h"

#include <algorithm>
#include <cctype>

namespace mobilevsr {
namespace {

// Events LiteRT opened but never closed carry garbage times (its telemetry "Invoke" reports 2^32): an hour is more
// than any op takes.
constexpr uint64_t kMaxPlausibleUs = 3600ull * 1000 * 1000;

// A TFLite node whose kernel is a delegate ("TfLiteXNNPackDelegate", "TfLiteGpuDelegateV2", "DELEGATE", ...).
bool IsDelegateKernel(const std::string& tag) {
  std::string lower(tag);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("delegate") != std::string::npos;
}

Json Int(double v) { return Json::Number(v, true); }
Json Real(double v) { return Json::Number(v, false); }

double Share(uint64_t part, uint64_t whole) { return whole == 0 ? 0.0 : 100.0 * part / whole; }

}  // namespace

void ProfileAccumulator::Stat::Add(uint64_t us) {
  ++count;
  total_us += us;
  min_us = std::min(min_us, us);
  max_us = std::max(max_us, us);
}

void ProfileAccumulator::Clear() {
  ops_.clear();
  partitions_.clear();
  stages_.clear();
  runs_ = 0;
}

void ProfileAccumulator::AddRun(const std::vector<ProfileEvent>& events) {
  struct Leaf {
    OpKey key;
    uint64_t us;
  };
  std::vector<Leaf> leaves;
  std::map<std::string, uint64_t> partition_us;  // this run
  std::vector<std::string> partition_order;
  auto touch_partition = [&](const std::string& name, const std::string& kind, int64_t after_node) {
    if (partition_us.emplace(name, 0).second) partition_order.push_back(name);
    Partition& p = partitions_[name];
    if (p.stat.count == 0 && p.kind.empty()) {
      p.kind = kind;
      p.after_node = after_node;
      p.order = static_cast<int>(partitions_.size());
    }
  };
  const std::string kTfliteKernels = "TFLite kernels";

  int anonymous_partitions = 0;      // delegate partitions seen only through their ops, this run
  std::string open_partition;        // the partition the next delegate op belongs to ("" = start a new one)
  bool open_is_node = false;         // open_partition is a recorded delegate node
  size_t open_node_leaf = SIZE_MAX;  // that node's leaf entry (dropped once its ops show up)
  int64_t last_node = -1;            // the last TFLite node recorded

  for (const ProfileEvent& e : events) {
    if (e.elapsed_us > kMaxPlausibleUs) continue;
    switch (e.kind) {
      case ProfileEvent::Kind::kStage:
        stages_[e.tag].Add(e.elapsed_us);
        break;
      case ProfileEvent::Kind::kOperator:
        if (!open_partition.empty()) {
          Partition& previous = partitions_[open_partition];
          if (previous.stat.count == 0) previous.before_node = e.node_index;  // the first run fixes it
        }
        if (IsDelegateKernel(e.tag)) {
          open_partition = e.tag + " (node " + std::to_string(e.node_index) + ")";
          open_is_node = true;
          touch_partition(open_partition, "delegate", last_node);
          partition_us[open_partition] += e.elapsed_us;
          open_node_leaf = leaves.size();
          leaves.push_back({OpKey{open_partition, e.node_index, e.tag, "delegate_node"}, e.elapsed_us});
        } else {
          open_partition.clear();
          open_is_node = false;
          touch_partition(kTfliteKernels, "tflite_kernels", -1);
          partition_us[kTfliteKernels] += e.elapsed_us;
          leaves.push_back({OpKey{"", e.node_index, e.tag, "tflite"}, e.elapsed_us});
        }
        last_node = e.node_index;
        break;
      case ProfileEvent::Kind::kDelegateOperator:
        if (open_partition.empty()) {
          open_partition = delegate_name_ + " #" + std::to_string(++anonymous_partitions);
          open_is_node = false;
          touch_partition(open_partition, "delegate", last_node);
        }
        if (open_is_node && open_node_leaf != SIZE_MAX) {
          // The node's own time becomes its partition's; its ops are the leaves (the rest is delegate overhead).
          leaves.erase(leaves.begin() + static_cast<long>(open_node_leaf));
          open_node_leaf = SIZE_MAX;
        }
        if (!open_is_node) partition_us[open_partition] += e.elapsed_us;
        leaves.push_back({OpKey{open_partition, e.node_index, e.tag, "delegate"}, e.elapsed_us});
        break;
      case ProfileEvent::Kind::kOther:
        break;
    }
  }
  for (const Leaf& leaf : leaves) ops_[leaf.key].Add(leaf.us);
  for (const auto& name : partition_order) partitions_[name].stat.Add(partition_us[name]);
  ++runs_;
}

Json ProfileAccumulator::Report() const {
  uint64_t ops_total = 0;
  for (const auto& [key, stat] : ops_) ops_total += stat.total_us;

  std::vector<std::pair<OpKey, Stat>> sorted(ops_.begin(), ops_.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second.total_us > b.second.total_us; });
  Json::Array ops;
  for (const auto& [key, stat] : sorted) {
    const auto& [partition, node, name, kind] = key;
    ops.push_back(Json::MakeObject({
        {"name", Json::String(name)},
        {"kind", Json::String(kind)},
        {"node", Int(static_cast<double>(node))},
        {"partition", partition.empty() ? Json() : Json::String(partition)},
        {"count", Int(static_cast<double>(stat.count))},
        {"total_us", Int(static_cast<double>(stat.total_us))},
        {"mean_us", Real(stat.count ? static_cast<double>(stat.total_us) / stat.count : 0.0)},
        {"min_us", Int(static_cast<double>(stat.count ? stat.min_us : 0))},
        {"max_us", Int(static_cast<double>(stat.max_us))},
        {"share_pct", Real(Share(stat.total_us, ops_total))},
    }));
  }

  std::vector<std::pair<std::string, const Partition*>> parts;
  for (const auto& [name, p] : partitions_) parts.emplace_back(name, &p);
  std::stable_sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return a.second->order < b.second->order;
  });
  Json::Array partitions;
  for (const auto& [name, p] : parts) {
    long op_count = 0;
    for (const auto& [key, stat] : ops_)
      if (std::get<0>(key) == (p->kind == "tflite_kernels" ? std::string() : name)) ++op_count;
    partitions.push_back(Json::MakeObject({
        {"name", Json::String(name)},
        {"kind", Json::String(p->kind)},
        {"after_node", p->kind == "delegate" ? Int(static_cast<double>(p->after_node)) : Json()},
        {"before_node", p->kind == "delegate" ? Int(static_cast<double>(p->before_node)) : Json()},
        {"ops", Int(static_cast<double>(op_count))},
        {"total_us", Int(static_cast<double>(p->stat.total_us))},
        {"mean_us", Real(runs_ ? static_cast<double>(p->stat.total_us) / runs_ : 0.0)},
        {"share_pct", Real(Share(p->stat.total_us, ops_total))},
    }));
  }

  Json::Array stages;
  uint64_t invoke_total = 0;
  for (const auto& [name, stat] : stages_) {
    if (name == "Invoke") invoke_total = stat.total_us;
    stages.push_back(Json::MakeObject({
        {"name", Json::String(name)},
        {"count", Int(static_cast<double>(stat.count))},
        {"total_us", Int(static_cast<double>(stat.total_us))},
        {"mean_us", Real(stat.count ? static_cast<double>(stat.total_us) / stat.count : 0.0)},
    }));
  }

  Json note;
  if (runs_ == 0) note = Json::String("no model run was profiled yet");
  else if (ops_.empty())
    note = Json::String("LiteRT recorded no per-op events on this accelerator (only the stages below)");
  return Json::MakeObject({
      {"runs", Int(static_cast<double>(runs_))},
      {"ops_total_us", Int(static_cast<double>(ops_total))},
      {"invoke_total_us", Int(static_cast<double>(invoke_total))},
      {"ops", Json::MakeArray(std::move(ops))},
      {"partitions", Json::MakeArray(std::move(partitions))},
      {"stages", Json::MakeArray(std::move(stages))},
      {"note", note},
  });
}

}  // namespace mobilevsr
