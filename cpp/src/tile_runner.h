// One model run per anchor over a clip's tile plan: writes each tile's input window from the frame history (cropped,
// edges replicated), runs the tiles as one batch or one after another (each with its own recurrent state), reads
// the HR frames out (or lets LiteRT write the HR frame itself) and hands the state on to the next run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "contract.h"
#include "frame_history.h"
#include "helper_thread.h"
#include "hr_frame.h"
#include "model_binding.h"
#include "pixel_pool.h"
#include "session.h"
#include "tile_plan.h"

namespace mobilevsr {

class TileRunner {
 public:
  // Keeps references: the three must outlive the runner.
  TileRunner(Session& session, const ModelBinding& binding, const Contract& contract);

  // Starts a clip on `plan`, the session's inputs already sized for it (the whole batch when `batched`); state starts
  // at zero.
  void StartClip(TilePlan plan, bool batched);
  // The HR frames of the run at history.next_anchor(), in clip order: one per model output, less those past the
  // frames received (a chunked model's last run at the clip's end).
  std::vector<HrFrame> Run(const FrameHistory& history);

  const TilePlan& plan() const { return plan_; }  // the current or last clip's (no tiles before the first)
  bool batched() const { return batched_; }
  // Whether the model's output buffer is the HR frame itself (a byte-wise map, one whole frame, CPU).
  bool HrWrittenInPlace() const;

 private:
  void WriteTileInputs(const FrameHistory& history, long anchor, const Tile& tile, size_t batch_index);
  void ReadTileOutputs(const Tile& tile, size_t batch_index, std::vector<HrFrame>* produced);
  void ZeroStates();
  void LoadTileStates(size_t tile_index);
  void StoreTileStates(size_t tile_index);
  void TransferStates();

  Session& session_;
  const ModelBinding& binding_;
  const Contract& contract_;
  TilePlan plan_;
  bool batched_ = false;  // the plan's tiles run as one batch
  std::vector<std::vector<std::vector<uint8_t>>> tile_states_;  // [tile][state link]: each tile's own recurrence
  std::vector<std::vector<uint8_t>> tile_scratch_;  // one tile crop per input offset
  std::shared_ptr<PixelPool> pixel_pool_;  // HR frame memory, recycled when callers drop frames
  std::unique_ptr<HelperThread> helper_;   // second thread for HR conversion, started at the first run
};

}  // namespace mobilevsr
