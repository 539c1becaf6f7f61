// Pixel conversions between uint8 frames and model tensors, exactly as docs/model-contract.md specifies.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "helper_thread.h"
#include "tensor_info.h"

namespace mobilevsr {

// A caller's frame: any strides (in bytes), 3 (RGB) or 4 (RGBA, alpha ignored) channels.
struct FrameView {
  const uint8_t* data = nullptr;
  int height = 0;
  int width = 0;
  int channels = 0;
  ptrdiff_t row_stride = 0;
  ptrdiff_t pixel_stride = 0;
  ptrdiff_t channel_stride = 1;
};

// The widest vector path the conversions take here: "avx512" | "avx2" (x86-64, by CPU) | "neon" (aarch64) | "scalar".
// MOBILEVSR_MAX_ISA caps it (x86-64: scalar|avx2|avx512; aarch64: scalar|neon), read once per process.
const char* PixelConversionIsa();

// Copies a frame into a compact HxWx3 buffer, swapping R and B when `bgr`.
void CopyToCompactRgb(const FrameView& frame, bool bgr, uint8_t* dst);

// How a quantized tensor's bytes map to pixel bytes (or back): a 256-entry table in general; two maps get their own
// vectorised loop. kSignFlip is int8 with scale 1/255 of the pixel range and zero point -128: q = p - 128, whose
// bit pattern is p XOR 0x80 (what an int8-I/O export writes and reads; no table, one XOR per byte on any CPU).
enum class ByteMap { kTable, kIdentity, kSignFlip };

// kIdentity / kSignFlip when `table` is that map, kTable otherwise.
ByteMap ClassifyTable(const std::array<uint8_t, 256>& table);

// dst[i] = src[i] XOR 0x80 (src == dst allowed).
void FlipSignBits(const uint8_t* src, size_t n, uint8_t* dst);

// uint8 pixel -> model input element.
class InputConverter {
 public:
  InputConverter(const TensorInfo& tensor, double pixel_range);
  // Writes compact HxWx3 frames stacked on the channels of an NHWC tensor with 3 * frames.size() channels (frame k
  // at channels [3k, 3k+3)). Quantized tensors in one pass (bytes interleaved in chunks, then one vectorised table
  // lookup); float tensors frame by frame, which measured faster.
  void WriteStacked(const std::vector<const uint8_t*>& frames, size_t pixels, void* tensor) const;

 private:
  // A float tensor's channels [channel_offset, channel_offset+3) of `tensor_channels` from one compact frame.
  void WriteFloatChannels(const uint8_t* frame, size_t pixels, float* tensor, size_t tensor_channels,
                          size_t channel_offset) const;

  DType dtype_;
  float factor_ = 1.0f;                // float inputs
  std::array<uint8_t, 256> table_{};   // quantized inputs (int8 stored as its bit pattern)
  ByteMap map_ = ByteMap::kTable;      // quantized inputs: what table_ is
};

// Model output element -> uint8 pixel.
class OutputConverter {
 public:
  OutputConverter(const TensorInfo& tensor, double pixel_range);
  // Reads channels [channel_offset, channel_offset+3) of an NHWC tensor into a compact HxWx3 frame.
  void Read(const void* tensor, size_t pixels, int tensor_channels, int channel_offset, bool bgr, uint8_t* frame) const;
  // One frame read out of a tensor: its channels [channel_offset, channel_offset+3) go to `frame`.
  struct Target {
    int channel_offset;
    uint8_t* frame;
  };
  // Reads rows [y0, y1) x columns [x0, x1) of a tensor `tensor_width` pixels wide into compact frames `frame_width`
  // pixels wide, at (dst_y, dst_x): every target in one pass over the tensor (a 10-frame output is read once, not
  // ten times).
  // Large regions are split over two threads: `helper`'s, or a thread started for the call when it is null.
  void ReadRegion(const void* tensor, int tensor_width, int tensor_channels, const std::vector<Target>& targets,
                  int y0, int y1, int x0, int x1, bool bgr, int frame_width, int dst_y, int dst_x,
                  HelperThread* helper = nullptr) const;
  // `count` tensor elements -> pixel bytes (scale, round half up, clamp; NaN -> 0), vectorised.
  void ConvertElements(const void* tensor, size_t count, uint8_t* bytes) const;
  // The tensor's bytes are already the frame's pixel values (uint8 with scale 1/255 of the pixel range, zero 0).
  bool passes_bytes_through() const { return map_ == ByteMap::kIdentity; }
  // The tensor is one byte per pixel value and maps to it byte by byte (identity or sign flip): the model may write
  // its output straight into the HR frame, which ConvertInPlace then turns into pixels.
  bool converts_in_place() const { return map_ == ByteMap::kIdentity || map_ == ByteMap::kSignFlip; }
  // Tensor bytes -> pixel bytes where they lie (requires converts_in_place()).
  void ConvertInPlace(uint8_t* bytes, size_t count) const;

 private:
  DType dtype_;
  float factor_ = 1.0f;
  std::array<uint8_t, 256> table_{};  // indexed by the element's byte
  ByteMap map_ = ByteMap::kTable;     // quantized outputs: what table_ is
};

// Requantizes a recurrent state from its output quantization to its input quantization (256-entry table).
class StateRequantizer {
 public:
  StateRequantizer(const TensorInfo& from, const TensorInfo& to);
  void Apply(const void* src, void* dst, size_t count) const;

 private:
  std::array<uint8_t, 256> table_{};
};

// Round half away from zero of a value already clamped to [0, 255], exact for every float (no x+0.5 rounding trap).
inline uint8_t RoundClampedToByte(float x) {
  const int whole = static_cast<int>(x);
  return static_cast<uint8_t>(whole + ((x - static_cast<float>(whole)) >= 0.5f ? 1 : 0));
}

}  // namespace mobilevsr
