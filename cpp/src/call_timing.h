// Where process()/flush() time went (Upscaler::Timing): calls, HR frames returned, model runs and wall time since the
// last clear, the model's share taken from the session's own run totals.
#pragma once

#include <chrono>
#include <cstddef>

#include "json.h"
#include "session.h"

namespace mobilevsr {

class CallTiming {
 public:
  // Starts counting now: the session's runs so far (opening it) are not process() time.
  explicit CallTiming(const Session& session) { Clear(session); }

  // Adds one process()/flush() call that started at `start` and returned `frames` HR frames.
  void Count(std::chrono::steady_clock::time_point start, size_t frames) {
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++calls_;
    frames_ += static_cast<long>(frames);
  }
  // Leaves out session runs made outside process()/flush() (RunModelOnly).
  void Exclude(long runs, double run_seconds) {
    runs_at_clear_ += runs;
    run_seconds_at_clear_ += run_seconds;
  }
  // {calls, frames, model_runs, total_ms, model_ms, runtime_ms}; `clear` starts afresh afterwards.
  Json Report(const Session& session, bool clear);

 private:
  void Clear(const Session& session);

  long calls_ = 0, frames_ = 0, runs_at_clear_ = 0;
  double seconds_ = 0.0, run_seconds_at_clear_ = 0.0;
};

}  // namespace mobilevsr
