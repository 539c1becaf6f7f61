#include "frame_history.h"

namespace mobilevsr {

void FrameHistory::Push(const FrameView& frame, bool bgr) {
  std::vector<uint8_t> compact = std::move(spare_);
  compact.resize(static_cast<size_t>(frame.height) * frame.width * 3);  // no work when the size is unchanged
  CopyToCompactRgb(frame, bgr, compact.data());
  frames_.push_back(std::move(compact));
  ++received_;
}

void FrameHistory::AdvanceAnchor(int outputs, int min_offset) {
  next_anchor_ += outputs;
  const long keep_from = std::max(0L, next_anchor_ + std::min(min_offset, 0));
  while (base_ < keep_from && frames_.size() > 1) {
    spare_ = std::move(frames_.front());
    frames_.pop_front();
    ++base_;
  }
}

void FrameHistory::Clear() {
  received_ = next_anchor_ = base_ = 0;
  frames_.clear();
}

}  // namespace mobilevsr
