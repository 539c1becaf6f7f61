#include "tile_runner.h"

#include <algorithm>
#include <cstring>
#include <thread>
#include <utility>

namespace mobilevsr {

static_assert(PixelPool::kAlignment % Session::kHostAlignment == 0, "LiteRT writes HR frames in place");

TileRunner::TileRunner(Session& session, const ModelBinding& binding, const Contract& contract)
    : session_(session),
      binding_(binding),
      contract_(contract),
      // Room for one run's frames plus one a caller still holds; 256 MiB at most (a few 4K frames).
      pixel_pool_(PixelPool::Create(binding.output_slots.size() + 1, size_t{256} << 20)) {}

void TileRunner::StartClip(TilePlan plan, bool batched) {
  plan_ = std::move(plan);
  batched_ = batched;
  tile_states_.clear();
  if (plan_.tiles.size() > 1 && !batched_) {
    tile_states_.resize(plan_.tiles.size());
    for (auto& per_tile : tile_states_)
      for (const auto& link : binding_.states) per_tile.emplace_back(session_.inputs()[link.input].byte_count());
  }
  ZeroStates();
}

void TileRunner::ZeroStates() {
  // Real zero: 0.0f, or the zero point of a quantized state.
  for (size_t l = 0; l < binding_.states.size(); ++l) {
    const TensorInfo& in = session_.inputs()[binding_.states[l].input];
    const auto zero_byte = static_cast<uint8_t>(in.quantized ? (in.quantization.zero_point & 0xFF) : 0);
    auto lock = session_.LockInput(binding_.states[l].input, kLiteRtTensorBufferLockModeWrite);
    const size_t bytes = in.byte_count();
    std::memset(lock.data(), in.dtype == DType::kFloat32 ? 0 : zero_byte, bytes);
    for (auto& per_tile : tile_states_) std::memset(per_tile[l].data(), in.dtype == DType::kFloat32 ? 0 : zero_byte, bytes);
  }
}

void TileRunner::WriteTileInputs(const FrameHistory& history, long anchor, const Tile& tile, size_t batch_index) {
  const auto& inputs = session_.inputs();
  const auto& offsets = contract_.frame_inputs.offsets;
  const int th = plan_.tile_height, tw = plan_.tile_width, fh = plan_.frame_height, fw = plan_.frame_width;
  const size_t pixels = static_cast<size_t>(th) * tw;
  const int batch = binding_.batch(session_);
  for (size_t t = 0; t < inputs.size(); ++t) {
    if (!binding_.input_converters[t]) continue;
    auto lock = session_.LockInput(t, kLiteRtTensorBufferLockModeWrite);  // every offset stored in it, one lock
    uint8_t* item = static_cast<uint8_t*>(lock.data()) + batch_index * (inputs[t].byte_count() / batch);
    // The frame of each 3-channel group of this tensor: BindContract made every frame tensor exactly 3 channels per
    // offset stored in it, offset k at channels [3k, 3k+3).
    std::vector<const uint8_t*> groups(static_cast<size_t>(inputs[t].channels() / 3), nullptr);
    for (size_t k = 0; k < binding_.input_slots.size(); ++k) {
      if (binding_.input_slots[k].tensor != t) continue;
      const uint8_t* frame = history.Frame(anchor + offsets[k]);
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
      groups[static_cast<size_t>(binding_.input_slots[k].channel_offset / 3)] = frame;
    }
    binding_.input_converters[t]->WriteStacked(groups, pixels, item);
  }
}

void TileRunner::ReadTileOutputs(const Tile& tile, size_t batch_index, std::vector<HrFrame>* produced) {
  const auto& outputs = session_.outputs();
  const int s = contract_.scale;
  const int out_w = s * plan_.frame_width;
  const int batch = binding_.batch(session_);
  for (size_t t = 0; t < outputs.size(); ++t) {  // every frame a tensor holds, in one pass over it
    std::vector<OutputConverter::Target> targets;
    for (size_t p = 0; p < produced->size(); ++p)
      if (binding_.output_slots[p].tensor == t)
        targets.push_back({binding_.output_slots[p].channel_offset, (*produced)[p].pixels.get()});
    if (targets.empty()) continue;
    auto lock = session_.LockOutput(t);
    const auto* item = static_cast<const uint8_t*>(lock.data()) + batch_index * (outputs[t].byte_count() / batch);
    if (!helper_ && std::thread::hardware_concurrency() > 1) helper_ = std::make_unique<HelperThread>();
    binding_.output_converters[t]->ReadRegion(item, s * plan_.tile_width, outputs[t].channels(), targets,
                                              s * (tile.keep_y0 - tile.y0), s * (tile.keep_y1 - tile.y0),
                                              s * (tile.keep_x0 - tile.x0), s * (tile.keep_x1 - tile.x0),
                                              contract_.bgr, out_w, s * tile.keep_y0, s * tile.keep_x0, helper_.get());
  }
}

void TileRunner::LoadTileStates(size_t tile_index) {
  for (size_t l = 0; l < binding_.states.size(); ++l) {
    auto lock = session_.LockInput(binding_.states[l].input, kLiteRtTensorBufferLockModeWrite);
    std::memcpy(lock.data(), tile_states_[tile_index][l].data(), tile_states_[tile_index][l].size());
  }
}

void TileRunner::StoreTileStates(size_t tile_index) {
  for (size_t l = 0; l < binding_.states.size(); ++l) {
    const StateLink& link = binding_.states[l];
    auto from = session_.LockOutput(link.output);
    auto& to = tile_states_[tile_index][l];
    if (link.mode == StateLink::Mode::kRequantize) link.requantizer->Apply(from.data(), to.data(), to.size());
    else std::memcpy(to.data(), from.data(), to.size());
  }
}

void TileRunner::TransferStates() {
  const auto& inputs = session_.inputs();
  for (const auto& link : binding_.states) {
    if (link.mode == StateLink::Mode::kSwap) {
      session_.SwapStateBuffers(link.input, link.output);
      continue;
    }
    auto from = session_.LockOutput(link.output);
    auto to = session_.LockInput(link.input, kLiteRtTensorBufferLockModeWrite);
    const TensorInfo& in = inputs[link.input];
    if (link.mode == StateLink::Mode::kCopy) {
      std::memcpy(to.data(), from.data(), in.byte_count());
    } else {
      link.requantizer->Apply(from.data(), to.data(), in.element_count());
    }
  }
}

bool TileRunner::HrWrittenInPlace() const {
  if (binding_.output_slots.size() != 1 || batched_ || !plan_.whole_frame() || plan_.transpose || contract_.bgr ||
      session_.accelerator() != "cpu" || !tile_states_.empty())
    return false;
  const FrameSlot& slot = binding_.output_slots[0];
  const TensorInfo& out = session_.outputs()[slot.tensor];
  const size_t hr_bytes = static_cast<size_t>(contract_.scale * plan_.frame_height) * contract_.scale *
                          plan_.frame_width * 3;
  return slot.channel_offset == 0 && out.channels() == 3 &&
         binding_.output_converters[slot.tensor]->converts_in_place() && out.byte_count() == hr_bytes;
}

std::vector<HrFrame> TileRunner::Run(const FrameHistory& history) {
  const long anchor = history.next_anchor();
  const int s = contract_.scale;
  const int out_h = s * plan_.frame_height, out_w = s * plan_.frame_width;
  // HR frames this run produces (a chunked model's last run may reach past the clip's end: those are dropped).
  std::vector<HrFrame> produced;
  for (size_t p = 0; p < binding_.output_slots.size() && anchor + static_cast<long>(p) < history.received(); ++p) {
    HrFrame frame;
    frame.height = out_h;
    frame.width = out_w;
    frame.pixels = pixel_pool_->Take(static_cast<size_t>(out_h) * out_w * 3);
    produced.push_back(std::move(frame));
  }
  const bool per_tile_state = !tile_states_.empty();
  if (produced.size() == 1 && HrWrittenInPlace()) {  // LiteRT writes the HR frame itself (uint8 as is, int8 XOR 0x80)
    const size_t out = binding_.output_slots[0].tensor;
    WriteTileInputs(history, anchor, plan_.tiles[0], 0);
    session_.RunWithOutputIn(out, produced[0].pixels.get());
    binding_.output_converters[out]->ConvertInPlace(produced[0].pixels.get(), session_.outputs()[out].byte_count());
  } else if (batched_) {  // one run; each tile's state is its slice of the batched state tensors
    for (size_t ti = 0; ti < plan_.tiles.size(); ++ti) WriteTileInputs(history, anchor, plan_.tiles[ti], ti);
    session_.Run();
    for (size_t ti = 0; ti < plan_.tiles.size(); ++ti) ReadTileOutputs(plan_.tiles[ti], ti, &produced);
  } else {
    for (size_t ti = 0; ti < plan_.tiles.size(); ++ti) {
      WriteTileInputs(history, anchor, plan_.tiles[ti], 0);
      if (per_tile_state) LoadTileStates(ti);
      session_.Run();
      ReadTileOutputs(plan_.tiles[ti], 0, &produced);
      if (per_tile_state) StoreTileStates(ti);
    }
  }
  if (!per_tile_state) TransferStates();
  if (plan_.transpose) {
    for (auto& frame : produced) {  // back to the caller's orientation
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
  }
  return produced;
}

}  // namespace mobilevsr
