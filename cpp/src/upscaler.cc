#include "upscaler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>

#include "errors.h"

namespace mobilevsr {
namespace {

// A batch holds every input and output once per tile (an fp32 720x1280x3 output is 11 MB): keep it modest.
constexpr size_t kMaxBatchBytes = size_t{256} << 20;

// Converter names like "serving_default_frames:0" for a Keras input "frames": accept either spelling.
std::string StripSignatureDecoration(const std::string& name) {
  std::string s = name;
  const std::string prefix = "serving_default_";
  if (s.rfind(prefix, 0) == 0) s = s.substr(prefix.size());
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ":0") == 0) s = s.substr(0, s.size() - 2);
  return s;
}

Json ShapeJson(const std::vector<int>& shape) {
  Json::Array a;
  for (int d : shape) a.push_back(Json::Number(d, true));
  return Json::MakeArray(a);
}

Json TensorJson(const TensorInfo& t) {
  Json quantization;
  if (t.quantized)
    quantization = Json::MakeObject({{"scale", Json::Number(t.quantization.scale, false)},
                                     {"zero_point", Json::Number(static_cast<double>(t.quantization.zero_point), true)}});
  return Json::MakeObject({{"name", Json::String(t.name)},
                           {"shape", ShapeJson(t.shape)},
                           {"dtype", Json::String(t.dtype_name)},
                           {"quantization", quantization}});
}

}  // namespace

static_assert(PixelPool::kAlignment % Session::kHostAlignment == 0, "LiteRT writes HR frames in place");

Upscaler::Upscaler(const std::string& model_path, const UpscalerOptions& options)
    : session_(std::make_unique<Session>(Validated(options), model_path)) {
  if (!options.contract_json.empty()) {
    contract_ = ParseContract(options.contract_json);
  } else if (auto embedded = session_->Metadata(ContractMetadataKey())) {
    try {
      contract_ = ParseContract(*embedded);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(std::string("the contract embedded in ") + model_path + " is invalid: " + e.what());
    }
  } else {
    contract_ = DetectPublicLayout(session_->inputs(), session_->outputs());
  }
  if (options.pixel_range) contract_.pixel_range = *options.pixel_range;
  allow_transpose_ = options.allow_transpose;
  fit_ = options.fit;
  tile_batch_ = options.tile_batch;
  BindContract();
  ChooseTileOverlap(options.tile_overlap);
  // Room for one run's frames plus one a caller still holds; 256 MiB at most (a few 4K frames).
  pixel_pool_ = PixelPool::Create(output_slots_.size() + 1, size_t{256} << 20);
  timing_.runs_at_clear = session_->runs();  // runs made while opening are not process() time
  timing_.run_seconds_at_clear = session_->run_seconds();
}

void Upscaler::ChooseTileOverlap(const std::optional<int>& requested) {
  const ModelGraph& graph = session_->graph();
  if (!graph.unavailable.empty()) {
    receptive_field_ = ReceptiveField();
    receptive_field_.reason = graph.unavailable;
  } else {
    // Every input is a source: frames at the LR resolution, state (radius 0, see receptive_field.h) at its own.
    const auto& inputs = session_->inputs();
    std::vector<bool> is_frame(inputs.size(), false);
    for (const auto& slot : input_slots_) is_frame[slot.tensor] = true;
    std::vector<RfSource> sources;
    for (size_t i = 0; i < inputs.size() && i < graph.input_ids.size(); ++i) {
      RfSource source;
      source.tensor = graph.input_ids[i];
      if (!is_frame[i] && inputs[i].height() > 0 && inputs[i].width() > 0) {
        source.factor_h = static_cast<double>(inputs[i].height()) / native_height_;
        source.factor_w = static_cast<double>(inputs[i].width()) / native_width_;
      }
      sources.push_back(source);
    }
    std::vector<int> targets;
    for (const auto& slot : output_slots_)
      if (slot.tensor < graph.output_ids.size() &&
          std::find(targets.begin(), targets.end(), graph.output_ids[slot.tensor]) == targets.end())
        targets.push_back(graph.output_ids[slot.tensor]);
    receptive_field_ = ComputeReceptiveField(graph.graph, sources, targets);
  }
  if (requested) {
    tile_overlap_ = *requested;
    overlap_source_ = "set";
  } else if (receptive_field_.computable) {
    tile_overlap_ = AutoTileOverlap(receptive_field_);
    overlap_source_ = "receptive field";
  } else {
    tile_overlap_ = kDefaultTileOverlap;
    overlap_source_ = "default (not computable: " + receptive_field_.reason + ")";
  }
}

size_t Upscaler::ResolveRef(const TensorRef& ref, bool is_input) const {
  const auto& tensors = is_input ? session_->inputs() : session_->outputs();
  const char* kind = is_input ? "input" : "output";
  if (ref.index >= 0) {
    if (static_cast<size_t>(ref.index) >= tensors.size())
      throw InvalidArgument("the contract names " + std::string(kind) + " #" + std::to_string(ref.index) +
                            " but the model has " + std::to_string(tensors.size()) + " " + kind + "s");
    return static_cast<size_t>(ref.index);
  }
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == ref.name) return i;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (StripSignatureDecoration(tensors[i].name) == StripSignatureDecoration(ref.name)) return i;
  throw InvalidArgument("the contract names " + std::string(kind) + " \"" + ref.name + "\", which the model lacks");
}

void Upscaler::BindContract() {
  const auto& inputs = session_->inputs();
  const auto& outputs = session_->outputs();
  std::vector<bool> input_used(inputs.size(), false), output_used(outputs.size(), false);

  auto bind_group = [&](const FrameGroup& group, bool is_input, std::vector<FrameSlot>* slots) {
    const auto& tensors = is_input ? inputs : outputs;
    auto& used = is_input ? input_used : output_used;
    for (size_t k = 0; k < group.offsets.size(); ++k) {
      const size_t t = ResolveRef(group.stacked ? group.tensors[0] : group.tensors[k], is_input);
      const int expected_channels = group.stacked ? 3 * static_cast<int>(group.offsets.size()) : 3;
      if (tensors[t].shape.size() != 4 || tensors[t].shape[0] != 1 || tensors[t].channels() != expected_channels)
        throw InvalidArgument("frame tensor " + tensors[t].name + " must be [1,H,W," + std::to_string(expected_channels) +
                              "] for this contract");
      used[t] = true;
      slots->push_back({t, group.stacked ? 3 * static_cast<int>(k) : 0});
    }
  };
  bind_group(contract_.frame_inputs, true, &input_slots_);
  bind_group(contract_.frame_outputs, false, &output_slots_);

  const TensorInfo& first_in = inputs[input_slots_[0].tensor];
  native_height_ = first_in.height();
  native_width_ = first_in.width();
  for (const auto& slot : input_slots_)
    if (inputs[slot.tensor].height() != first_in.height() || inputs[slot.tensor].width() != first_in.width())
      throw InvalidArgument("all frame inputs must have the same height and width");
  for (const auto& slot : output_slots_) {
    const TensorInfo& out = outputs[slot.tensor];
    if (out.height() != contract_.scale * first_in.height() || out.width() != contract_.scale * first_in.width())
      throw InvalidArgument("output " + out.name + " is not " + std::to_string(contract_.scale) +
                            "x the frame input size; check the contract's scale");
  }
  for (const auto& pair : contract_.state) {
    StateLink link;
    link.input = ResolveRef(pair.input, true);
    link.output = ResolveRef(pair.output, false);
    if (inputs[link.input].shape != outputs[link.output].shape)
      throw InvalidArgument("state " + inputs[link.input].name + " and " + outputs[link.output].name +
                            " have different shapes");
    if (input_used[link.input] || output_used[link.output])
      throw InvalidArgument("a state tensor is also used as a frame tensor or in another state pair");
    input_used[link.input] = output_used[link.output] = true;
    states_.push_back(std::move(link));
  }
  for (size_t i = 0; i < inputs.size(); ++i)
    if (!input_used[i]) throw InvalidArgument("model input " + inputs[i].name + " is neither a frame nor a state input");

  input_converters_.resize(inputs.size());
  output_converters_.resize(outputs.size());
  for (const auto& slot : input_slots_)
    if (!input_converters_[slot.tensor]) input_converters_[slot.tensor].emplace(inputs[slot.tensor], contract_.pixel_range);
  for (const auto& slot : output_slots_)
    if (!output_converters_[slot.tensor])
      output_converters_[slot.tensor].emplace(outputs[slot.tensor], contract_.pixel_range);
  PlanStateLinks();

  const auto& in_offsets = contract_.frame_inputs.offsets;
  min_offset_ = *std::min_element(in_offsets.begin(), in_offsets.end());
  const int max_offset = *std::max_element(in_offsets.begin(), in_offsets.end());
  lookahead_ = std::max({max_offset, static_cast<int>(contract_.frame_outputs.offsets.size()) - 1, 0});
}

void Upscaler::PlanStateLinks() {
  for (auto& link : states_) {
    const TensorInfo& in = session_->inputs()[link.input];
    const TensorInfo& out = session_->outputs()[link.output];
    link.requantizer.reset();
    if (session_->CanSwap(link.input, link.output)) {
      link.mode = StateLink::Mode::kSwap;
    } else if (in.dtype == out.dtype && in.quantized == out.quantized &&
               (!in.quantized || in.quantization == out.quantization)) {
      link.mode = StateLink::Mode::kCopy;
    } else {
      link.mode = StateLink::Mode::kRequantize;
      link.requantizer.emplace(out, in);
    }
  }
}

void Upscaler::CheckFrame(const FrameView& frame) const {
  if (frame.channels != 3 && frame.channels != 4)
    throw InvalidArgument("frames must have 3 (RGB) or 4 (RGBA) channels, got " + std::to_string(frame.channels));
  if (frame.height <= 0 || frame.width <= 0) throw InvalidArgument("empty frame");
  if (clip_height_ != 0 && (frame.height != clip_height_ || frame.width != clip_width_))
    throw InvalidArgument("frame size changed mid-clip from " + std::to_string(clip_height_) + "x" +
                          std::to_string(clip_width_) + " to " + std::to_string(frame.height) + "x" +
                          std::to_string(frame.width) + "; call reset() or flush() to start a new clip");
}

int Upscaler::batch() const { return session_->inputs()[input_slots_[0].tensor].shape[0]; }

void Upscaler::ResizeInputs(int batch_size, int height, int width) {
  const auto& inputs = session_->inputs();
  const TensorInfo& frame_tensor = inputs[input_slots_[0].tensor];
  std::vector<std::vector<int>> shapes;
  for (const auto& t : inputs) {
    if (t.height() != frame_tensor.height() || t.width() != frame_tensor.width())
      throw InvalidArgument("input " + t.name + " does not share the frame's height and width");
    shapes.push_back({batch_size, height, width, t.channels()});
  }
  session_->Resize(shapes);
  for (const auto& slot : output_slots_) {
    const TensorInfo& out = session_->outputs()[slot.tensor];
    if (out.shape[0] != batch_size || out.height() != contract_.scale * height ||
        out.width() != contract_.scale * width)
      throw InvalidArgument("after resizing, output " + out.name + " is " + std::to_string(out.shape[0]) + "x" +
                            std::to_string(out.height()) + "x" + std::to_string(out.width()) + ", not " +
                            std::to_string(batch_size) + " x" + std::to_string(contract_.scale) + " upscales");
  }
}

TilePlan Upscaler::ChoosePlan(int height, int width) {
  const auto frame_tensor = [&]() -> const TensorInfo& { return session_->inputs()[input_slots_[0].tensor]; };
  if (batch() != 1) ResizeInputs(1, frame_tensor().height(), frame_tensor().width());  // a batch from the last clip
  resize_error_.clear();
  if (frame_tensor().height() == height && frame_tensor().width() == width) {
    TilePlan plan = PlanTiles(height, width, height, width, 0, false);
    if (height != native_height_ || width != native_width_) plan.strategy = "resize";
    return plan;
  }
  // Resize when the graph really allows it: try it, don't guess.
  if (fit_ != Fit::kTile) {
    try {
      ResizeInputs(1, height, width);
      TilePlan plan = PlanTiles(height, width, height, width, 0, false);
      plan.strategy = height == native_height_ && width == native_width_ ? "native" : "resize";
      return plan;
    } catch (const InvalidArgument& e) {
      resize_error_ = e.what();
      if (fit_ == Fit::kResize)
        throw InvalidArgument("the model takes " + std::to_string(native_height_) + "x" +
                              std::to_string(native_width_) + " frames and cannot be resized to " +
                              std::to_string(height) + "x" + std::to_string(width) + " (fit=\"resize\"): " +
                              resize_error_);
    }
  }
  if (frame_tensor().height() != native_height_ || frame_tensor().width() != native_width_)
    ResizeInputs(1, native_height_, native_width_);
  // Pad or tile at the model's own size, in whichever orientation needs fewer model runs (then less padding).
  TilePlan best = PlanTiles(height, width, native_height_, native_width_, tile_overlap_, false);
  if (allow_transpose_ && height != width) {
    TilePlan flipped = PlanTiles(width, height, native_height_, native_width_, tile_overlap_, true);
    if (flipped.tiles.size() < best.tiles.size()) best = flipped;
  }
  return best;
}

double Upscaler::MedianRunMs(int runs) {
  // Calibration runs are not the caller's: kept out of the profile, even when a run throws.
  struct PauseProfile {
    Session* session;
    explicit PauseProfile(Session* s) : session(s) { session->set_profile_recording(false); }
    ~PauseProfile() { session->set_profile_recording(true); }
  } pause(session_.get());
  for (size_t t = 0; t < session_->inputs().size(); ++t) {  // defined inputs: garbage could hold slow denormals
    auto lock = session_->LockInput(t, kLiteRtTensorBufferLockModeWrite);
    std::memset(lock.data(), 0, session_->inputs()[t].byte_count());
  }
  session_->Run();  // warm-up: first runs after a resize allocate
  std::vector<double> ms;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    session_->Run();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

void Upscaler::ChooseBatching() {
  batched_ = false;
  const size_t n = plan_.tiles.size();
  if (tile_batch_ == TileBatch::kOff) {
    batch_choice_ = "sequence (tile_batch=\"off\")";
    return;
  }
  if (session_->accelerator() == "gpu") {
    // LiteRT's GPU accelerator returned all-zero outputs for MobileRRN resized to a batch of 2 tiles (SwiftShader).
    batch_choice_ = "sequence: tiles are not batched on the GPU accelerator";
    return;
  }
  size_t bytes = 0;
  for (const auto& t : session_->inputs()) bytes += t.byte_count() * n;
  for (const auto& t : session_->outputs()) bytes += t.byte_count() * n;
  if (bytes > kMaxBatchBytes) {
    batch_choice_ = "sequence: a batch of " + std::to_string(n) + " tiles would need " + std::to_string(bytes >> 20) +
                    " MiB of tensors (limit " + std::to_string(kMaxBatchBytes >> 20) + " MiB)";
    return;
  }
  const std::vector<int> key = {plan_.rows, plan_.cols, plan_.tile_height, plan_.tile_width};
  if (auto known = batch_decisions_.find(key); known != batch_decisions_.end()) {
    if (known->second.batched) ResizeInputs(static_cast<int>(n), plan_.tile_height, plan_.tile_width);
    batched_ = known->second.batched;
    batch_choice_ = known->second.why;
    return;
  }
  BatchDecision decision;
  try {
    ResizeInputs(static_cast<int>(n), plan_.tile_height, plan_.tile_width);
  } catch (const InvalidArgument& e) {
    decision.why = std::string("sequence: the model cannot run the tiles as one batch (") + e.what() + ")";
    batch_decisions_[key] = decision;
    batch_choice_ = decision.why;
    return;
  }
  if (tile_batch_ == TileBatch::kOn) {
    decision = {true, "batch (tile_batch=\"on\")"};
  } else {
    // Measured here, on this device, accelerator and thread count: neither way wins everywhere.
    const double batch_ms = MedianRunMs(2);
    ResizeInputs(1, plan_.tile_height, plan_.tile_width);
    const double sequence_ms = MedianRunMs(2) * static_cast<double>(n);
    decision.batched = batch_ms < sequence_ms;
    char why[200];
    std::snprintf(why, sizeof why, "%s: measured one batch of %zu tiles %.1f ms vs %zu runs in sequence %.1f ms",
                  decision.batched ? "batch" : "sequence", n, batch_ms, n, sequence_ms);
    decision.why = why;
    if (decision.batched) ResizeInputs(static_cast<int>(n), plan_.tile_height, plan_.tile_width);
  }
  batch_decisions_[key] = decision;
  batched_ = decision.batched;
  batch_choice_ = decision.why;
}

void Upscaler::StartClip(int height, int width) {
  plan_ = ChoosePlan(height, width);
  batched_ = false;
  batch_choice_.clear();
  if (plan_.tiles.size() > 1) ChooseBatching();
  PlanStateLinks();
  tile_states_.clear();
  if (plan_.tiles.size() > 1 && !batched_) {
    tile_states_.resize(plan_.tiles.size());
    for (auto& per_tile : tile_states_)
      for (const auto& link : states_) {
        const TensorInfo& in = session_->inputs()[link.input];
        per_tile.emplace_back(in.byte_count());
      }
  }
  clip_height_ = height;
  clip_width_ = width;
  ZeroStates();
}

void Upscaler::ZeroStates() {
  // Real zero: 0.0f, or the zero point of a quantized state.
  for (size_t l = 0; l < states_.size(); ++l) {
    const TensorInfo& in = session_->inputs()[states_[l].input];
    const auto zero_byte = static_cast<uint8_t>(in.quantized ? (in.quantization.zero_point & 0xFF) : 0);
    auto lock = session_->LockInput(states_[l].input, kLiteRtTensorBufferLockModeWrite);
    const size_t bytes = in.byte_count();
    std::memset(lock.data(), in.dtype == DType::kFloat32 ? 0 : zero_byte, bytes);
    for (auto& per_tile : tile_states_) std::memset(per_tile[l].data(), in.dtype == DType::kFloat32 ? 0 : zero_byte, bytes);
  }
}

const std::vector<uint8_t>& Upscaler::HistoryFrame(long index) const {
  index = std::clamp(index, 0L, received_ - 1);
  return history_[static_cast<size_t>(index - history_base_)];
}

void Upscaler::WriteTileInputs(long anchor, const Tile& tile, size_t batch_index) {
  const auto& inputs = session_->inputs();
  const auto& offsets = contract_.frame_inputs.offsets;
  const int th = plan_.tile_height, tw = plan_.tile_width, fh = plan_.frame_height, fw = plan_.frame_width;
  const size_t pixels = static_cast<size_t>(th) * tw;
  for (size_t t = 0; t < inputs.size(); ++t) {
    if (!input_converters_[t]) continue;
    auto lock = session_->LockInput(t, kLiteRtTensorBufferLockModeWrite);  // every offset stored in it, one lock
    uint8_t* item = static_cast<uint8_t*>(lock.data()) + batch_index * (inputs[t].byte_count() / batch());
    // The frame of each 3-channel group of this tensor: BindContract made every frame tensor exactly 3 channels per
    // offset stored in it, offset k at channels [3k, 3k+3).
    std::vector<const uint8_t*> groups(static_cast<size_t>(inputs[t].channels() / 3), nullptr);
    for (size_t k = 0; k < input_slots_.size(); ++k) {
      if (input_slots_[k].tensor != t) continue;
      const uint8_t* frame = HistoryFrame(anchor + offsets[k]).data();
      if (!plan_.whole_frame()) {
        // Crop the tile; past the frame's edge, repeat the edge pixels.
        if (tile_scratch_.size() <= k) tile_scratch_.resize(k + 1);
        std::vector<uint8_t>& crop = tile_scratch_[k];
        crop.resize(pixels * 3);
        for (int y = 0; y < th; ++y) {
          const uint8_t* src_row = frame + static_cast<size_t>(std::min(tile.y0 + y, fh - 1)) * fw * 3;
          uint8_t* dst = crop.data() + static_cast<size_t>(y) * tw * 3;
          const int inside = std::max(0, std::min(tw, fw - tile.x0));
          std::memcpy(dst, src_row + static_cast<size_t>(tile.x0) * 3, static_cast<size_t>(inside) * 3);
          for (int x = inside; x < tw; ++x) std::memcpy(dst + x * 3, src_row + (fw - 1) * 3, 3);
        }
        frame = crop.data();
      }
      groups[static_cast<size_t>(input_slots_[k].channel_offset / 3)] = frame;
    }
    input_converters_[t]->WriteStacked(groups, pixels, item);
  }
}

void Upscaler::LoadTileStates(size_t tile_index) {
  for (size_t l = 0; l < states_.size(); ++l) {
    auto lock = session_->LockInput(states_[l].input, kLiteRtTensorBufferLockModeWrite);
    std::memcpy(lock.data(), tile_states_[tile_index][l].data(), tile_states_[tile_index][l].size());
  }
}

void Upscaler::StoreTileStates(size_t tile_index) {
  for (size_t l = 0; l < states_.size(); ++l) {
    const StateLink& link = states_[l];
    auto from = session_->LockOutput(link.output);
    auto& to = tile_states_[tile_index][l];
    if (link.mode == StateLink::Mode::kRequantize) link.requantizer->Apply(from.data(), to.data(), to.size());
    else std::memcpy(to.data(), from.data(), to.size());
  }
}

void Upscaler::TransferStates() {
  const auto& inputs = session_->inputs();
  for (const auto& link : states_) {
    if (link.mode == StateLink::Mode::kSwap) {
      session_->SwapStateBuffers(link.input, link.output);
      continue;
    }
    auto from = session_->LockOutput(link.output);
    auto to = session_->LockInput(link.input, kLiteRtTensorBufferLockModeWrite);
    const TensorInfo& in = inputs[link.input];
    if (link.mode == StateLink::Mode::kCopy) {
      std::memcpy(to.data(), from.data(), in.byte_count());
    } else {
      link.requantizer->Apply(from.data(), to.data(), in.element_count());
    }
  }
}

bool Upscaler::HrWrittenInPlace() const {
  if (output_slots_.size() != 1 || batched_ || !plan_.whole_frame() || plan_.transpose ||
      contract_.bgr || session_->accelerator() != "cpu" || !tile_states_.empty())
    return false;
  const FrameSlot& slot = output_slots_[0];
  const TensorInfo& out = session_->outputs()[slot.tensor];
  const size_t hr_bytes = static_cast<size_t>(contract_.scale * plan_.frame_height) * contract_.scale *
                          plan_.frame_width * 3;
  return slot.channel_offset == 0 && out.channels() == 3 && output_converters_[slot.tensor]->converts_in_place() &&
         out.byte_count() == hr_bytes;
}

void Upscaler::RunAnchor(long anchor) {
  const auto& outputs = session_->outputs();
  const int s = contract_.scale;
  const int out_h = s * plan_.frame_height, out_w = s * plan_.frame_width;
  // HR frames this run produces (a chunked model's last run may reach past the clip's end: those are dropped).
  std::vector<HrFrame> produced;
  for (size_t p = 0; p < output_slots_.size() && anchor + static_cast<long>(p) < received_; ++p) {
    HrFrame frame;
    frame.height = out_h;
    frame.width = out_w;
    frame.pixels = pixel_pool_->Take(static_cast<size_t>(out_h) * out_w * 3);
    produced.push_back(std::move(frame));
  }
  auto read_outputs = [&](const Tile& tile, size_t batch_index) {
    for (size_t t = 0; t < outputs.size(); ++t) {  // every frame a tensor holds, in one pass over it
      std::vector<OutputConverter::Target> targets;
      for (size_t p = 0; p < produced.size(); ++p)
        if (output_slots_[p].tensor == t)
          targets.push_back({output_slots_[p].channel_offset, produced[p].pixels.get()});
      if (targets.empty()) continue;
      auto lock = session_->LockOutput(t);
      const auto* item = static_cast<const uint8_t*>(lock.data()) + batch_index * (outputs[t].byte_count() / batch());
      if (!helper_ && std::thread::hardware_concurrency() > 1) helper_ = std::make_unique<HelperThread>();
      output_converters_[t]->ReadRegion(item, s * plan_.tile_width, outputs[t].channels(), targets,
                                        s * (tile.keep_y0 - tile.y0), s * (tile.keep_y1 - tile.y0),
                                        s * (tile.keep_x0 - tile.x0), s * (tile.keep_x1 - tile.x0), contract_.bgr,
                                        out_w, s * tile.keep_y0, s * tile.keep_x0, helper_.get());
    }
  };
  const bool per_tile_state = !tile_states_.empty();
  if (produced.size() == 1 && HrWrittenInPlace()) {  // LiteRT writes the HR frame itself (uint8 as is, int8 XOR 0x80)
    WriteTileInputs(anchor, plan_.tiles[0], 0);
    session_->RunWithOutputIn(output_slots_[0].tensor, produced[0].pixels.get());
    output_converters_[output_slots_[0].tensor]->ConvertInPlace(produced[0].pixels.get(),
                                                                outputs[output_slots_[0].tensor].byte_count());
  } else if (batched_) {  // one run; each tile's state is its slice of the batched state tensors
    for (size_t ti = 0; ti < plan_.tiles.size(); ++ti) WriteTileInputs(anchor, plan_.tiles[ti], ti);
    session_->Run();
    for (size_t ti = 0; ti < plan_.tiles.size(); ++ti) read_outputs(plan_.tiles[ti], ti);
  } else {
    for (size_t ti = 0; ti < plan_.tiles.size(); ++ti) {
      WriteTileInputs(anchor, plan_.tiles[ti], 0);
      if (per_tile_state) LoadTileStates(ti);
      session_->Run();
      read_outputs(plan_.tiles[ti], 0);
      if (per_tile_state) StoreTileStates(ti);
    }
  }
  if (!per_tile_state) TransferStates();
  for (auto& frame : produced) {
    if (plan_.transpose) {
      // Back to the caller's orientation.
      HrFrame upright;
      upright.height = frame.width;
      upright.width = frame.height;
      upright.pixels = pixel_pool_->Take(static_cast<size_t>(frame.height) * frame.width * 3);
      for (int y = 0; y < upright.height; ++y)
        for (int x = 0; x < upright.width; ++x)
          std::memcpy(upright.pixels.get() + (static_cast<size_t>(y) * upright.width + x) * 3,
                      frame.pixels.get() + (static_cast<size_t>(x) * frame.width + y) * 3, 3);
      frame = std::move(upright);
    }
    ready_.push_back(std::move(frame));
  }
  // Frames no future window can reach are dropped.
  next_anchor_ = anchor + static_cast<long>(output_slots_.size());
  const long keep_from = std::max(0L, next_anchor_ + std::min(min_offset_, 0));
  while (history_base_ < keep_from && history_.size() > 1) {
    spare_frame_ = std::move(history_.front());
    history_.pop_front();
    ++history_base_;
  }
}

std::optional<HrFrame> Upscaler::Process(const FrameView& frame) {
  const auto start = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  CheckFrame(frame);
  if (clip_height_ == 0) StartClip(frame.height, frame.width);
  FrameView oriented = frame;
  if (plan_.transpose) {
    std::swap(oriented.height, oriented.width);
    std::swap(oriented.row_stride, oriented.pixel_stride);
  }
  std::vector<uint8_t> compact = std::move(spare_frame_);
  compact.resize(static_cast<size_t>(frame.height) * frame.width * 3);  // no work when the size is unchanged
  CopyToCompactRgb(oriented, contract_.bgr, compact.data());
  history_.push_back(std::move(compact));
  ++received_;
  while (next_anchor_ + lookahead_ < received_) RunAnchor(next_anchor_);
  if (ready_.empty()) {
    CountCall(start, 0);
    return std::nullopt;
  }
  HrFrame out = std::move(ready_.front());
  ready_.pop_front();
  CountCall(start, 1);
  return out;
}

void Upscaler::CountCall(std::chrono::steady_clock::time_point start, size_t frames) {
  timing_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++timing_.calls;
  timing_.frames += static_cast<long>(frames);
}

void Upscaler::RunModelOnly(bool swap_states) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (received_ == 0) throw InvalidArgument("RunModelOnly needs a clip in progress: process a frame first");
  const long runs = session_->runs();
  const double seconds = session_->run_seconds();
  session_->Run();
  if (swap_states)
    for (const auto& link : states_)
      if (link.mode == StateLink::Mode::kSwap) session_->SwapStateBuffers(link.input, link.output);
  timing_.runs_at_clear += session_->runs() - runs;  // not process() time
  timing_.run_seconds_at_clear += session_->run_seconds() - seconds;
}

Json Upscaler::Timing(bool clear) {
  std::lock_guard<std::mutex> lock(mutex_);
  const double model_ms = (session_->run_seconds() - timing_.run_seconds_at_clear) * 1000.0;
  const double total_ms = timing_.seconds * 1000.0;
  Json report = Json::MakeObject({
      {"calls", Json::Number(static_cast<double>(timing_.calls), true)},
      {"frames", Json::Number(static_cast<double>(timing_.frames), true)},
      {"model_runs", Json::Number(static_cast<double>(session_->runs() - timing_.runs_at_clear), true)},
      {"total_ms", Json::Number(total_ms, false)},
      {"model_ms", Json::Number(model_ms, false)},
      {"runtime_ms", Json::Number(total_ms - model_ms, false)},
  });
  if (clear) timing_ = {0, 0, session_->runs(), 0.0, session_->run_seconds()};
  return report;
}

std::vector<HrFrame> Upscaler::Flush() {
  const auto start = std::chrono::steady_clock::now();
  std::lock_guard<std::mutex> lock(mutex_);
  while (next_anchor_ < received_) RunAnchor(next_anchor_);
  std::vector<HrFrame> out;
  while (!ready_.empty()) {
    out.push_back(std::move(ready_.front()));
    ready_.pop_front();
  }
  clip_height_ = clip_width_ = 0;
  received_ = next_anchor_ = history_base_ = 0;
  history_.clear();
  CountCall(start, out.size());
  return out;
}

void Upscaler::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  clip_height_ = clip_width_ = 0;
  received_ = next_anchor_ = history_base_ = 0;
  history_.clear();
  ready_.clear();
}

Json Upscaler::ProfileReport(bool clear) {
  std::lock_guard<std::mutex> lock(mutex_);
  RequireProfiling();
  Json::Object report = session_->profile().Report().as_object();
  report["accelerator"] = Json::String(session_->accelerator());
  if (!session_->profile_unavailable().empty()) report["note"] = Json::String(session_->profile_unavailable());
  if (clear) session_->ClearProfile();
  return Json::MakeObject(std::move(report));
}

void Upscaler::ClearProfile() {
  std::lock_guard<std::mutex> lock(mutex_);
  RequireProfiling();
  session_->ClearProfile();
}

void Upscaler::RequireProfiling() const {
  if (!session_->profiling())
    throw RuntimeError("profiling is off for this Upscaler: open it with profiling on (Python: Upscaler(..., "
                       "profile=True); CLI: mobilevsr-rt bench MODEL --profile)");
}

Json Upscaler::Info() const {
  std::lock_guard<std::mutex> lock(mutex_);
  Json::Array inputs, outputs, in_offsets, out_offsets, pairs;
  for (const auto& t : session_->inputs()) inputs.push_back(TensorJson(t));
  for (const auto& t : session_->outputs()) outputs.push_back(TensorJson(t));
  for (int o : contract_.frame_inputs.offsets) in_offsets.push_back(Json::Number(o, true));
  for (int o : contract_.frame_outputs.offsets) out_offsets.push_back(Json::Number(o, true));
  for (const auto& link : states_) {
    const char* mode = link.mode == StateLink::Mode::kSwap ? "swap" : link.mode == StateLink::Mode::kCopy ? "copy" : "requantize";
    pairs.push_back(Json::MakeObject({{"input", Json::String(session_->inputs()[link.input].name)},
                                      {"output", Json::String(session_->outputs()[link.output].name)},
                                      {"transfer", Json::String(mode)}}));
  }
  const double r = receptive_field_.radius;
  const Json radius = receptive_field_.computable ? Json::Number(r, r == std::floor(r)) : Json();
  return Json::MakeObject({
      {"accelerator", Json::String(session_->accelerator())},
      {"fully_accelerated", Json::Bool(session_->fully_accelerated())},
      {"fallback_reason", session_->fallback_reason().empty() ? Json() : Json::String(session_->fallback_reason())},
      {"num_threads", Json::Number(session_->num_threads(), true)},
      // What LiteRT and the GPU stack printed while the model opened (captured so a fallback start stays quiet).
      {"native_log", Json::String(session_->native_log())},
      {"inputs", Json::MakeArray(inputs)},
      {"outputs", Json::MakeArray(outputs)},
      {"scale", Json::Number(contract_.scale, true)},
      {"input_offsets", Json::MakeArray(in_offsets)},
      {"output_offsets", Json::MakeArray(out_offsets)},
      {"state_pairs", Json::MakeArray(pairs)},
      {"pixel_range", Json::Number(contract_.pixel_range, false)},
      {"channel_order", Json::String(contract_.bgr ? "BGR" : "RGB")},
      {"layout", Json::String(contract_.origin)},
      {"lookahead", Json::Number(lookahead_, true)},
      {"model_frame_size", ShapeJson({native_height_, native_width_})},
      // Tiling (used when a frame is cut into tiles): per-frame receptive-field radius in LR pixels (null when not
      // computable), the overlap tiles get, and where it comes from. Properties of the model, so reported here only
      // (not again under "strategy", which describes the current clip's plan).
      {"receptive_field_radius", radius},
      {"tile_overlap", Json::Number(tile_overlap_, true)},
      {"overlap_source", Json::String(overlap_source_)},
      {"strategy", plan_.tiles.empty() ? Json() : Json::MakeObject({  // the current or last clip's
           {"name", Json::String(plan_.strategy)},
           {"transpose", Json::Bool(plan_.transpose)},
           {"tiles", Json::Number(static_cast<double>(plan_.tiles.size()), true)},
           {"grid", ShapeJson({plan_.rows, plan_.cols})},
           {"tile_size", ShapeJson({plan_.tile_height, plan_.tile_width})},
           {"overlap", Json::Number(plan_.overlap, true)},
           {"batched", Json::Bool(batched_)},
           // "in_place": LiteRT writes the HR frame you get (no copy; int8 then XOR 0x80); "converted": read out of it
           {"hr_output", Json::String(HrWrittenInPlace() ? "in_place" : "converted")},
           {"batch_choice", batch_choice_.empty() ? Json() : Json::String(batch_choice_)},
           {"frame_size", plan_.transpose ? ShapeJson({plan_.frame_width, plan_.frame_height})
                                           : ShapeJson({plan_.frame_height, plan_.frame_width})},
           {"resize_error", resize_error_.empty() ? Json() : Json::String(resize_error_)}})},
      {"contract", contract_.ToJson()},
  });
}

}  // namespace mobilevsr
