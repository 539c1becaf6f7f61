// A clip's LR frames (compact RGB, in the orientation the model sees them) for as long as a future window can read
// them, and the anchor of the next model run: the clip index of the first HR frame it produces.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "pixel_convert.h"

namespace mobilevsr {

class FrameHistory {
 public:
  // Appends the clip's next frame, swapping R and B when `bgr`.
  void Push(const FrameView& frame, bool bgr);
  // Clip frame `index`: before the clip's first frame or past its last, that frame (edges are replicated).
  const uint8_t* Frame(long index) const {
    index = std::clamp(index, 0L, received_ - 1);
    return frames_[static_cast<size_t>(index - base_)].data();
  }
  long received() const { return received_; }  // frames fed in this clip
  long next_anchor() const { return next_anchor_; }
  // The run at next_anchor() produced `outputs` HR frames: moves the anchor on and drops the frames no later window
  // reaches (a window starts min(min_offset, 0) frames before its anchor).
  void AdvanceAnchor(int outputs, int min_offset);
  // Ends the clip; one frame's memory is kept for the next clip's first frame.
  void Clear();

 private:
  long received_ = 0;
  long next_anchor_ = 0;
  long base_ = 0;  // clip index of frames_.front()
  std::deque<std::vector<uint8_t>> frames_;
  std::vector<uint8_t> spare_;  // a dropped frame's memory, reused for the next frame
};

}  // namespace mobilevsr
