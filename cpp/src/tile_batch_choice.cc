#include "tile_batch_choice.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "errors.h"

namespace mobilevsr {
namespace {

// A batch holds every input and output once per tile (an fp32 720x1280x3 output is 11 MB): keep it modest.
constexpr size_t kMaxBatchBytes = size_t{256} << 20;

double MedianRunMs(Session& session, int runs) {
  // Calibration runs are not the caller's: kept out of the profile, even when a run throws.
  struct PauseProfile {
    Session* session;
    explicit PauseProfile(Session* s) : session(s) { session->set_profile_recording(false); }
    ~PauseProfile() { session->set_profile_recording(true); }
  } pause(&session);
  for (size_t t = 0; t < session.inputs().size(); ++t) {  // defined inputs: garbage could hold slow denormals
    auto lock = session.LockInput(t, kLiteRtTensorBufferLockModeWrite);
    std::memset(lock.data(), 0, session.inputs()[t].byte_count());
  }
  session.Run();  // warm-up: first runs after a resize allocate
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    session.Run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

BatchDecision TileBatchChoice::Choose(Session& session, const ModelBinding& binding, int scale, const TilePlan& plan) {
  const size_t n = plan.tiles.size();
  if (mode_ == TileBatch::kOff) return {false, "sequence (tile_batch=\"off\")"};
  // LiteRT's GPU accelerator returned all-zero outputs for MobileRRN resized to a batch of 2 tiles (SwiftShader).
  if (session.accelerator() == "gpu") return {false, "sequence: tiles are not batched on the GPU accelerator"};
  size_t bytes = 0;
  for (const auto& t : session.inputs()) bytes += t.byte_count() * n;
  for (const auto& t : session.outputs()) bytes += t.byte_count() * n;
  if (bytes > kMaxBatchBytes)
    return {false, "sequence: a batch of " + std::to_string(n) + " tiles would need " + std::to_string(bytes >> 20) +
                       " MiB of tensors (limit " + std::to_string(kMaxBatchBytes >> 20) + " MiB)"};
  const auto resize = [&](int batch) { ResizeInputs(session, binding, scale, batch, plan.tile_height, plan.tile_width); };
  const std::vector<int> key = {plan.rows, plan.cols, plan.tile_height, plan.tile_width};
  if (auto known = decisions_.find(key); known != decisions_.end()) {
    if (known->second.batched) resize(static_cast<int>(n));
    return known->second;
  }
  BatchDecision decision;
  try {
    resize(static_cast<int>(n));
  } catch (const InvalidArgument& e) {
    decision.why = std::string("sequence: the model cannot run the tiles as one batch (") + e.what() + ")";
    return decisions_[key] = decision;
  }
  if (mode_ == TileBatch::kOn) {
    decision = {true, "batch (tile_batch=\"on\")"};
  } else {
    // Measured here, on this device, accelerator and thread count: neither way wins everywhere.
    const double batch_ms = MedianRunMs(session, 2);
    resize(1);
    const double sequence_ms = MedianRunMs(session, 2) * static_cast<double>(n);
    decision.batched = batch_ms < sequence_ms;
    char why[200];
    std::snprintf(why, sizeof why, "%s: measured one batch of %zu tiles %.1f ms vs %zu runs in sequence %.1f ms",
                  decision.batched ? "batch" : "sequence", n, batch_ms, n, sequence_ms);
    decision.why = why;
    if (decision.batched) resize(static_cast<int>(n));
  }
  return decisions_[key] = decision;
}

}  // namespace mobilevsr
