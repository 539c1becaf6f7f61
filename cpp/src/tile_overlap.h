// The LR pixels neighbouring tiles share: as set, or from the model's receptive field when the graph allows it, else
// the default.
#pragma once

#include <optional>
#include <string>

#include "model_binding.h"
#include "receptive_field.h"
#include "session.h"

namespace mobilevsr {

struct TileOverlap {
  ReceptiveField receptive_field;  // per frame, in LR pixels (computable or why not)
  int pixels = kDefaultTileOverlap;
  std::string source;  // "receptive field" | "default (not computable: ...)" | "set"
};

TileOverlap ChooseTileOverlap(const Session& session, const ModelBinding& binding, const std::optional<int>& requested);

}  // namespace mobilevsr
