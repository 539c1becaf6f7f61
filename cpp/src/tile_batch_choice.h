// Whether a clip's tiles run as one batch or one after another (UpscalerOptions::tile_batch): "auto" measures both
// once per tile grid on this device, accelerator and thread count, since neither way wins everywhere.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "model_binding.h"
#include "options.h"
#include "session.h"
#include "tile_plan.h"

namespace mobilevsr {

struct BatchDecision {
  bool batched = false;
  std::string why;  // for info()
};

class TileBatchChoice {
 public:
  explicit TileBatchChoice(TileBatch mode) : mode_(mode) {}

  // Decides for a plan of several tiles whose inputs the session holds at the tile size, batch 1. Leaves the inputs
  // resized to the whole batch when it is batched. Calibration runs are kept out of the session's profile.
  BatchDecision Choose(Session& session, const ModelBinding& binding, int scale, const TilePlan& plan);

 private:
  TileBatch mode_;
  std::map<std::vector<int>, BatchDecision> decisions_;  // per (tile grid, tile size): measured once
};

}  // namespace mobilevsr
