// How a contract maps onto a session's tensors: which tensor (and channels) holds each frame offset, the pixel
// converters of the frame tensors, how each recurrent state goes from output back to input, and the lookahead.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "contract.h"
#include "pixel_convert.h"
#include "session.h"

namespace mobilevsr {

struct FrameSlot {  // where one frame offset lives in the model's tensors
  size_t tensor = 0;
  int channel_offset = 0;
};

struct StateLink {
  size_t input = 0;
  size_t output = 0;
  enum class Mode { kSwap, kCopy, kRequantize } mode = Mode::kSwap;
  std::optional<StateRequantizer> requantizer;
};

struct ModelBinding {
  std::vector<FrameSlot> input_slots, output_slots;                 // one per input / output offset
  std::vector<std::optional<InputConverter>> input_converters;      // per model input tensor (frame tensors only)
  std::vector<std::optional<OutputConverter>> output_converters;    // per model output tensor (frame tensors only)
  std::vector<StateLink> states;
  int min_offset = 0;                         // the earliest input offset (negative: frames in the past)
  int lookahead = 0;                          // frames of delay at clip start
  int native_height = 0, native_width = 0;    // the model's own frame input size

  // The batch size the frame inputs currently have.
  int batch(const Session& session) const { return session.inputs()[input_slots[0].tensor].shape[0]; }
};

// Binds `contract` to the session's tensors; throws InvalidArgument when the model does not fit the contract.
ModelBinding BindContract(const Session& session, const Contract& contract);

// Chooses how each state pair is handed over (buffer swap, copy or requantization) for the session's current
// buffers: after a resize, buffers that could swap may no longer.
void PlanStateLinks(const Session& session, std::vector<StateLink>* states);

// Resizes every input to `batch` x height x width (frames and state share the frame's height and width) and checks
// that each frame output became `scale` times that. Throws InvalidArgument when the graph cannot take it.
void ResizeInputs(Session& session, const ModelBinding& binding, int scale, int batch, int height, int width);

const char* TransferName(StateLink::Mode mode);

}  // namespace mobilevsr
