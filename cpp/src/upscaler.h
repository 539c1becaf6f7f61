// The streaming upscaler: LR frames in, HR frames out, one per input and in order, driven by the model contract
// (sliding windows with edge replication, lookahead, chunked models, recurrent state). The one core every face
// (Python, Java/Android) wraps.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "contract.h"
#include "hr_frame.h"
#include "json.h"
#include "options.h"
#include "pixel_convert.h"

namespace mobilevsr {

class Upscaler {
 public:
  Upscaler(const std::string& model_path, const UpscalerOptions& options);
  ~Upscaler();
  Upscaler(const Upscaler&) = delete;
  Upscaler& operator=(const Upscaler&) = delete;

  // Feeds one LR frame; returns the next HR frame in order, or nothing while the lookahead window fills.
  std::optional<HrFrame> Process(const FrameView& frame);
  // Ends the clip: returns every HR frame still held back (missing future frames = the last frame).
  std::vector<HrFrame> Flush();
  // Starts a new clip (a new frame size is allowed).
  void Reset();

  const Contract& contract() const;
  // Frames of delay at clip start: process() returns nothing for this many frames.
  int lookahead() const;
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
  struct Impl;  // upscaler_impl.h: the parts (binding, fit, batch choice, frame history, tile runner, timing)
  std::unique_ptr<Impl> impl_;
};

}  // namespace mobilevsr
