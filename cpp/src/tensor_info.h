// What the core knows about one model input or output tensor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mobilevsr {

enum class DType { kFloat32, kUInt8, kInt8, kOther };

struct Quantization {
  float scale = 0.0f;
  int64_t zero_point = 0;
  bool operator==(const Quantization& o) const { return scale == o.scale && zero_point == o.zero_point; }
};

struct TensorInfo {
  std::string name;
  std::vector<int> shape;  // NHWC for every frame or state tensor
  DType dtype = DType::kOther;
  std::string dtype_name;  // "float32", "uint8", ... as numpy spells it
  bool quantized = false;  // per-tensor affine quantization
  Quantization quantization;

  int height() const { return shape.size() == 4 ? shape[1] : 0; }
  int width() const { return shape.size() == 4 ? shape[2] : 0; }
  int channels() const { return shape.size() == 4 ? shape[3] : 0; }
  size_t element_count() const {
    size_t n = 1;
    for (int d : shape) n *= static_cast<size_t>(d);
    return n;
  }
  // Bytes of the tensor's data (frame and state tensors are float32, uint8 or int8).
  size_t byte_count() const { return element_count() * (dtype == DType::kFloat32 ? 4 : 1); }
};

}  // namespace mobilevsr
