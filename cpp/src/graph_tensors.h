// What the receptive-field reader needs of a model tensor, through LiteRT's model-inspection C API: its static shape
// and, for a constant, its integer values (axes, permutations, strides).
#pragma once

#include <cstdint>
#include <vector>

#include "litert_api.h"

namespace mobilevsr {

// The dimensions of a ranked tensor; empty when the type cannot be read or is unranked.
std::vector<int> TensorShape(const litert::Api& api, LiteRtTensor tensor);

// The values of a constant int32/int64 tensor; false (values empty or partial) when it is not one.
bool ConstantInts(const litert::Api& api, LiteRtTensor tensor, std::vector<int64_t>* values);

}  // namespace mobilevsr
