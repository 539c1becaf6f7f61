#include "call_timing.h"

namespace mobilevsr {

Json CallTiming::Report(const Session& session, bool clear) {
  const double model_ms = (session.run_seconds() - run_seconds_at_clear_) * 1000.0;
  const double total_ms = seconds_ * 1000.0;
  Json report = Json::MakeObject({
      {"calls", Json::Number(static_cast<double>(calls_), true)},
      {"frames", Json::Number(static_cast<double>(frames_), true)},
      {"model_runs", Json::Number(static_cast<double>(session.runs() - runs_at_clear_), true)},
      {"total_ms", Json::Number(total_ms, false)},
      {"model_ms", Json::Number(model_ms, false)},
      {"runtime_ms", Json::Number(total_ms - model_ms, false)},
  });
  if (clear) Clear(session);
  return report;
}

void CallTiming::Clear(const Session& session) {
  calls_ = frames_ = 0;
  seconds_ = 0.0;
  runs_at_clear_ = session.runs();
  run_seconds_at_clear_ = session.run_seconds();
}

}  // namespace mobilevsr
