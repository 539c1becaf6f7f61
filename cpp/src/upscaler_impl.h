// The Upscaler's insides (upscaler.h keeps to the API): the session, the contract bound to it, how frames are fitted
// and tiles batched, the clip's frame history and the runner of its model runs. Shared by upscaler.cc (the stream)
// and upscaler_info.cc (info()).
#pragma once

#include <deque>
#include <mutex>
#include <string>

#include "call_timing.h"
#include "frame_fit.h"
#include "frame_history.h"
#include "model_binding.h"
#include "session.h"
#include "tile_batch_choice.h"
#include "tile_overlap.h"
#include "tile_runner.h"
#include "upscaler.h"

namespace mobilevsr {

struct Upscaler::Impl {
  Impl(const std::string& model_path, const UpscalerOptions& options);

  void CheckFrame(const FrameView& frame) const;
  void StartClip(int height, int width);
  void RunNextAnchor();  // one model run; its HR frames join ready
  void EndClip();
  void RequireProfiling() const;

  mutable std::mutex mutex;  // every public method holds it
  Session session;
  Contract contract;
  ModelBinding binding;
  TileOverlap overlap;
  FrameFit fit;
  TileBatchChoice batch_choice;
  TileRunner runner;
  CallTiming timing;

  // The current (or last) clip.
  int clip_height = 0, clip_width = 0;  // 0 until the clip's first frame
  std::string resize_error;             // why the inputs could not be resized, when the plan pads or tiles
  std::string batch_why;                // why the tiles run batched or not (empty: one tile)
  FrameHistory history;
  std::deque<HrFrame> ready;
};

}  // namespace mobilevsr
