// How the receptive-field walk sees each LiteRT op (receptive_field.h's RfGraph::Kind), one handler per op family
// (convolutions, pools, pixel shuffles, resizes, reductions, ...) in a table by op code. An op no family claims, or
// whose options cannot be read, is opaque with the reason.
#pragma once

#include <vector>

#include "litert_api.h"
#include "receptive_field.h"

namespace mobilevsr {

// Fills `op` (name, inputs and outputs already set; inputs = every tensor id, -1 for an absent one) from the op's
// code and options: its kind, parameters, and the inputs that carry image data. `in` are the op's input tensors.
void ClassifyOp(const litert::Api& api, LiteRtOp handle, LiteRtOpCode code, const std::vector<LiteRtTensor>& in,
                RfGraph::Op* op);

}  // namespace mobilevsr
