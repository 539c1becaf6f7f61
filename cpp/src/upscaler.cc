#include "upscaler.h"

#include <chrono>
#include <utility>

#include "errors.h"
#include "upscaler_impl.h"

namespace mobilevsr {
namespace {

// The contract given in the options, else the one embedded in the model, else a recognised public layout.
Contract LoadContract(const Session& session, const UpscalerOptions& options, const std::string& model_path) {
  Contract contract;
  if (!options.contract_json.empty()) {
    contract = ParseContract(options.contract_json);
  } else if (auto embedded = session.Metadata(ContractMetadataKey())) {
    try {
      contract = ParseContract(*embedded);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(std::string("the contract embedded in ") + model_path + " is invalid: " + e.what());
    }
  } else {
    contract = DetectPublicLayout(session.inputs(), session.outputs());
  }
  if (options.pixel_range) contract.pixel_range = *options.pixel_range;
  return contract;
}

}  // namespace

Upscaler::Impl::Impl(const std::string& model_path, const UpscalerOptions& options)
    : session(Validated(options), model_path),
      contract(LoadContract(session, options, model_path)),
      binding(BindContract(session, contract)),
      overlap(ChooseTileOverlap(session, binding, options.tile_overlap)),
      fit{contract.scale, options.fit, options.allow_transpose, overlap.pixels},
      batch_choice(options.tile_batch),
      runner(session, binding, contract),
      timing(session) {}

void Upscaler::Impl::CheckFrame(const FrameView& frame) const {
  if (frame.channels != 3 && frame.channels != 4)
    throw InvalidArgument("frames must have 3 (RGB) or 4 (RGBA) channels, got " + std::to_string(frame.channels));
  if (frame.height <= 0 || frame.width <= 0) throw InvalidArgument("empty frame");
  if (clip_height != 0 && (frame.height != clip_height || frame.width != clip_width))
    throw InvalidArgument("frame size changed mid-clip from " + std::to_string(clip_height) + "x" +
                          std::to_string(clip_width) + " to " + std::to_string(frame.height) + "x" +
                          std::to_string(frame.width) + "; call reset() or flush() to start a new clip");
}

void Upscaler::Impl::StartClip(int height, int width) {
  TilePlan plan = PlanClip(session, binding, fit, height, width, &resize_error);
  BatchDecision batch;
  if (plan.tiles.size() > 1) batch = batch_choice.Choose(session, binding, contract.scale, plan);
  batch_why = batch.why;
  PlanStateLinks(session, &binding.states);  // the resized buffers may no longer swap
  runner.StartClip(std::move(plan), batch.batched);
  clip_height = height;
  clip_width = width;
}

void Upscaler::Impl::RunNextAnchor() {
  std::vector<HrFrame> produced = runner.Run(history);
  for (auto& frame : produced) ready.push_back(std::move(frame));
  history.AdvanceAnchor(static_cast<int>(binding.output_slots.size()), binding.min_offset);
}

void Upscaler::Impl::EndClip() {
  clip_height = clip_width = 0;
  history.Clear();
}

void Upscaler::Impl::RequireProfiling() const {
  if (!session.profiling())
    throw RuntimeError("profiling is off for this Upscaler: open it with profiling on (Python: Upscaler(..., "
                       "profile=True); CLI: mobilevsr-rt bench MODEL --profile)");
}

Upscaler::Upscaler(const std::string& model_path, const UpscalerOptions& options)
    : impl_(std::make_unique<Impl>(model_path, options)) {}

Upscaler::~Upscaler() = default;

const Contract& Upscaler::contract() const { return impl_->contract; }

int Upscaler::lookahead() const { return impl_->binding.lookahead; }

std::optional<HrFrame> Upscaler::Process(const FrameView& frame) {
  const auto start = std::chrono::steady_clock::now();
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  m.CheckFrame(frame);
  if (m.clip_height == 0) m.StartClip(frame.height, frame.width);
  FrameView oriented = frame;
  if (m.runner.plan().transpose) {
    std::swap(oriented.height, oriented.width);
    std::swap(oriented.row_stride, oriented.pixel_stride);
  }
  m.history.Push(oriented, m.contract.bgr);
  while (m.history.next_anchor() + m.binding.lookahead < m.history.received()) m.RunNextAnchor();
  if (m.ready.empty()) {
    m.timing.Count(start, 0);
    return std::nullopt;
  }
  HrFrame out = std::move(m.ready.front());
  m.ready.pop_front();
  m.timing.Count(start, 1);
  return out;
}

std::vector<HrFrame> Upscaler::Flush() {
  const auto start = std::chrono::steady_clock::now();
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  while (m.history.next_anchor() < m.history.received()) m.RunNextAnchor();
  std::vector<HrFrame> out;
  while (!m.ready.empty()) {
    out.push_back(std::move(m.ready.front()));
    m.ready.pop_front();
  }
  m.EndClip();
  m.timing.Count(start, out.size());
  return out;
}

void Upscaler::Reset() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->EndClip();
  impl_->ready.clear();
}

void Upscaler::RunModelOnly(bool swap_states) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  if (m.history.received() == 0) throw InvalidArgument("RunModelOnly needs a clip in progress: process a frame first");
  const long runs = m.session.runs();
  const double seconds = m.session.run_seconds();
  m.session.Run();
  if (swap_states)
    for (const auto& link : m.binding.states)
      if (link.mode == StateLink::Mode::kSwap) m.session.SwapStateBuffers(link.input, link.output);
  m.timing.Exclude(m.session.runs() - runs, m.session.run_seconds() - seconds);  // not process() time
}

Json Upscaler::Timing(bool clear) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->timing.Report(impl_->session, clear);
}

Json Upscaler::ProfileReport(bool clear) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> lock(m.mutex);
  m.RequireProfiling();
  Json::Object report = m.session.profile().Report().as_object();
  report["accelerator"] = Json::String(m.session.accelerator());
  if (!m.session.profile_unavailable().empty()) report["note"] = Json::String(m.session.profile_unavailable());
  if (clear) m.session.ClearProfile();
  return Json::MakeObject(std::move(report));
}

void Upscaler::ClearProfile() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->RequireProfiling();
  impl_->session.ClearProfile();
}

}  // namespace mobilevsr
