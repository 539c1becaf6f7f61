#include "graph_tensors.h"

#include <cstring>

namespace mobilevsr {
namespace {

// Appends a constant buffer of T integers (false when its size is not a whole number of them).
template <typename T>
bool AppendIntegers(const void* data, size_t size, std::vector<int64_t>* values) {
  if (size % sizeof(T) != 0) return false;
  for (size_t i = 0; i < size / sizeof(T); ++i) {
    T v;
    std::memcpy(&v, static_cast<const char*>(data) + sizeof(T) * i, sizeof(T));
    values->push_back(static_cast<int64_t>(v));
  }
  return true;
}

}  // namespace

std::vector<int> TensorShape(const litert::Api& api, LiteRtTensor tensor) {
  LiteRtTensorTypeId type_id{};
  LiteRtRankedTensorType ranked{};
  if (api.GetTensorTypeId(tensor, &type_id) != 0 || type_id != kLiteRtRankedTensorType ||
      api.GetRankedTensorType(tensor, &ranked) != 0)
    return {};
  return std::vector<int>(ranked.layout.dimensions, ranked.layout.dimensions + ranked.layout.rank);
}

bool ConstantInts(const litert::Api& api, LiteRtTensor tensor, std::vector<int64_t>* values) {
  values->clear();
  if (tensor == nullptr || api.GetTensorWeights == nullptr || api.GetWeightsBytes == nullptr) return false;
  LiteRtWeights weights = nullptr;
  const void* data = nullptr;
  size_t size = 0;
  LiteRtRankedTensorType ranked{};
  if (api.GetTensorWeights(tensor, &weights) != 0 || weights == nullptr ||
      api.GetWeightsBytes(weights, &data, &size) != 0 || data == nullptr || size == 0 ||
      api.GetRankedTensorType(tensor, &ranked) != 0)
    return false;
  if (ranked.element_type == kLiteRtElementTypeInt32) return AppendIntegers<int32_t>(data, size, values);
  if (ranked.element_type == kLiteRtElementTypeInt64) return AppendIntegers<int64_t>(data, size, values);
  return false;
}

}  // namespace mobilevsr
