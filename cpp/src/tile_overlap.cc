#include "tile_overlap.h"

#include <algorithm>
#include <vector>

namespace mobilevsr {
namespace {

ReceptiveField ModelReceptiveField(const Session& session, const ModelBinding& binding) {
  const ModelGraph& graph = session.graph();
  if (!graph.unavailable.empty()) {
    ReceptiveField unknown;
    unknown.reason = graph.unavailable;
    return unknown;
  }
  // Every input is a source: frames at the LR resolution, state (radius 0, see receptive_field.h) at its own.
  const auto& inputs = session.inputs();
  std::vector<bool> is_frame(inputs.size(), false);
  for (const auto& slot : binding.input_slots) is_frame[slot.tensor] = true;
  std::vector<RfSource> sources;
  for (size_t i = 0; i < inputs.size() && i < graph.input_ids.size(); ++i) {
    RfSource source;
    source.tensor = graph.input_ids[i];
    if (!is_frame[i] && inputs[i].height() > 0 && inputs[i].width() > 0) {
      source.factor_h = static_cast<double>(inputs[i].height()) / binding.native_height;
      source.factor_w = static_cast<double>(inputs[i].width()) / binding.native_width;
    }
    sources.push_back(source);
  }
  std::vector<int> targets;
  for (const auto& slot : binding.output_slots)
    if (slot.tensor < graph.output_ids.size() &&
        std::find(targets.begin(), targets.end(), graph.output_ids[slot.tensor]) == targets.end())
      targets.push_back(graph.output_ids[slot.tensor]);
  return ComputeReceptiveField(graph.graph, sources, targets);
}

}  // namespace

TileOverlap ChooseTileOverlap(const Session& session, const ModelBinding& binding, const std::optional<int>& requested) {
  TileOverlap overlap;
  overlap.receptive_field = ModelReceptiveField(session, binding);
  if (requested) {
    overlap.pixels = *requested;
    overlap.source = "set";
  } else if (overlap.receptive_field.computable) {
    overlap.pixels = AutoTileOverlap(overlap.receptive_field);
    overlap.source = "receptive field";
  } else {
    overlap.pixels = kDefaultTileOverlap;
    overlap.source = "default (not computable: " + overlap.receptive_field.reason + ")";
  }
  return overlap;
}

}  // namespace mobilevsr
