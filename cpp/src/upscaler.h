// The streaming upscaler: LR frames in, HR frames out, one per input and in order, driven by the model contract
// (sliding windows with edge replication, lookahead, chunked models, recurrent state). The one core every face
// (Python, Java/Android) wraps.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "contract.h"
#include "options.h"
#include "pixel_convert.h"
#include "pixel_pool.h"
#include "receptive_field.h"
#include "session.h"
#include "tile_plan.h"

namespace mobilevsr {

// An HR frame: height x width x 3 bytes, RGB.
struct HrFrame {
  PixelBuffer pixels;
  int height = 0;
  int width = 0;
};

class Upscaler {
 public:
  Upscaler(const std::string& model_path, const UpscalerOptions& options);

  // Feeds one LR frame; returns the next HR frame in order, or nothing while the lookahead window fills.
  std::optional<HrFrame> Process(const FrameView& frame);
  // Ends the clip: returns every HR frame still held back (missing future frames = the last frame).
  std::vector<HrFrame> Flush();
  // Starts a new clip (a new frame size is allowed).
  void Reset();

  const Contract& contract() const { return contract_; }
  // Frames of delay at clip start: process() returns nothing for this many frames.
  int lookahead() const { return lookahead_; }
  // Everything a user or a bug report needs: accelerator, fallback reason, tensors, contract, strategy.
  Json Info() const;
  // Per-op profile (UpscalerOptions::profile; RuntimeError otherwise) of the model runs since the Upscaler
  // opened or the profile was last cleared: ProfileAccumulator::Report() plus "accelerator". The Upscaler's own timing
  // runs (tile_batch="auto") are left out. `clear` starts a new profile after this report.
  Json ProfileReport(bool clear = false);
  // Where process()/flush() time went since the Upscaler opened or timing was last cleared: calls, HR frames
  // returned, model runs, total wall time in the core, the part inside LiteRtRunCompiledModel ("model") and the
  // rest ("runtime": conversions, windows, state hand-off, warm-up bookkeeping). `clear` starts afresh afterwards.
  Json Timing(bool clear = false);
  // Benchmarks' floor: one LiteRtRunCompiledModel on this Upscaler's own compiled model and buffers, with the inputs
  // the last process() wrote (real frames and state), nothing else. Not counted by Timing(). Needs a clip in
  // progress. Without `swap_states` the next process() is unaffected (it rewrites the inputs it needs and its run
  // rewrites every output). With it, state pairs that process() hands over by buffer swap are swapped after the run,
  // as any streaming loop over a recurrent model must (LiteRT then sees new buffers every run, as in process()); the
  // stream's state then moves on by this run.
  void RunModelOnly(bool swap_states = false);
  void ClearProfile();

 private:
  struct FrameSlot {   // where one frame offset lives in the model's tensors
    size_t tensor = 0;
    int channel_offset = 0;
  };
  struct StateLink {
    size_t input = 0;
    size_t output = 0;
    enum class Mode { kSwap, kCopy, kRequantize } mode = Mode::kSwap;
    std::optional<StateRequantizer> requantizer;
  };

  size_t ResolveRef(const TensorRef& ref, bool is_input) const;
  void BindContract();
  void PlanStateLinks();
  void ChooseTileOverlap(const std::optional<int>& requested);
  void StartClip(int height, int width);
  TilePlan ChoosePlan(int height, int width);
  void ResizeInputs(int batch, int height, int width);
  void ChooseBatching();
  double MedianRunMs(int runs);
  void ZeroStates();
  void RunAnchor(long anchor);
  void WriteTileInputs(long anchor, const Tile& tile, size_t batch_index);
  int batch() const;
  // Whether the model's output buffer can be the HR frame itself (a byte-wise map, one whole frame, CPU).
  bool HrWrittenInPlace() const;
  void LoadTileStates(size_t tile_index);
  void StoreTileStates(size_t tile_index);
  void TransferStates();
  const std::vector<uint8_t>& HistoryFrame(long index) const;
  void CheckFrame(const FrameView& frame) const;
  void RequireProfiling() const;

  mutable std::mutex mutex_;
  std::unique_ptr<Session> session_;
  Contract contract_;
  std::vector<FrameSlot> input_slots_, output_slots_;  // one per input / output offset
  std::vector<std::optional<InputConverter>> input_converters_;     // per model input tensor
  std::vector<std::optional<OutputConverter>> output_converters_;   // per model output tensor
  std::vector<StateLink> states_;
  int min_offset_ = 0;
  int lookahead_ = 0;
  int native_height_ = 0, native_width_ = 0;  // the model's own frame input size
  int tile_overlap_ = kDefaultTileOverlap;
  ReceptiveField receptive_field_;
  std::string overlap_source_;  // "receptive field" | "default (not computable: ...)" | "set"
  bool allow_transpose_ = true;
  Fit fit_ = Fit::kAuto;
  TileBatch tile_batch_ = TileBatch::kAuto;
  TilePlan plan_;
  bool batched_ = false;        // the plan's tiles run as one batch
  std::string batch_choice_;    // why (for info)
  struct BatchDecision {
    bool batched = false;
    std::string why;
  };
  std::map<std::vector<int>, BatchDecision> batch_decisions_;  // per (tile grid, tile size): measured once
  std::string resize_error_;  // why the inputs could not be resized, when tiling/padding is used
  std::vector<std::vector<std::vector<uint8_t>>> tile_states_;  // [tile][state link]: each tile's own recurrence
  std::vector<std::vector<uint8_t>> tile_scratch_;  // one tile crop per input offset
  std::shared_ptr<PixelPool> pixel_pool_;  // HR frame memory, recycled when callers drop frames
  std::unique_ptr<HelperThread> helper_;   // second thread for HR conversion, started at the first run
  std::vector<uint8_t> spare_frame_;       // a dropped history frame's memory, reused for the next frame
  // Timing(): totals since the last clear (session runs counted from the session's totals at that point).
  struct TimingTotals {
    long calls = 0, frames = 0, runs_at_clear = 0;
    double seconds = 0.0, run_seconds_at_clear = 0.0;
  } timing_;
  // Adds one process()/flush() call that started at `start` and returned `frames` HR frames.
  void CountCall(std::chrono::steady_clock::time_point start, size_t frames);

  // Clip state.
  int clip_height_ = 0, clip_width_ = 0;  // 0 until the clip's first frame
  long received_ = 0;                     // frames fed in this clip
  long next_anchor_ = 0;
  long history_base_ = 0;                 // clip index of history_.front()
  std::deque<std::vector<uint8_t>> history_;
  std::deque<HrFrame> ready_;
};

}  // namespace mobilevsr
