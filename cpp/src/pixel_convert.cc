#include "pixel_convert.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif
#if defined(__aarch64__)
#include <arm_neon.h>
#endif

#include "errors.h"

namespace mobilevsr {
namespace {

constexpr size_t kParallelPixels = 256 * 1024;

double RoundHalfAwayFromZero(double x) { return x < 0 ? -std::floor(-x + 0.5) : std::floor(x + 0.5); }

int64_t TypeMin(DType t) { return t == DType::kInt8 ? -128 : 0; }
int64_t TypeMax(DType t) { return t == DType::kInt8 ? 127 : 255; }

uint8_t ToStorage(int64_t q, DType t) {
  q = std::clamp(q, TypeMin(t), TypeMax(t));
  return static_cast<uint8_t>(static_cast<int8_t>(q));  // int8 kept as its bit pattern; uint8 unchanged
}

int64_t FromStorage(uint8_t byte, DType t) {
  return t == DType::kInt8 ? static_cast<int64_t>(static_cast<int8_t>(byte)) : static_cast<int64_t>(byte);
}

void RequireSupported(const TensorInfo& t) {
  if (t.dtype == DType::kOther)
    throw InvalidArgument("tensor " + t.name + " has type " + t.dtype_name +
                          "; frame and state tensors must be float32, uint8 or int8");
  if (t.dtype != DType::kFloat32 && !t.quantized)
    throw InvalidArgument("tensor " + t.name + " is " + t.dtype_name + " without per-tensor quantization parameters");
  if (t.quantized && !(t.quantization.scale > 0.0f))
    throw InvalidArgument("tensor " + t.name + " has a non-positive quantization scale");
}

// x86-64 builds target SSE2 only: vector paths are compiled for AVX2 / AVX-512 and picked at run time. The HR
// conversion has hand-written ones (the compiler vectorises its scalar loop only with -fno-trapping-math, set in CMake
// but not by every embedding build; they also stream their stores); simpler loops use compiler clones.
#if defined(__x86_64__) && defined(__GNUC__)
#define MOBILEVSR_X86_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define MOBILEVSR_X86_CLONES
#endif

// One element: clamp v*k to [0, 255] (NaN -> 0), round half up.
inline uint8_t FloatToByte(float v, float k) {
  const float x = v * k;
  return RoundClampedToByte(std::min(255.0f, x > 0.0f ? x : 0.0f));
}

#if defined(__x86_64__) && defined(__GNUC__)
// The widest vector paths allowed: MOBILEVSR_MAX_ISA=scalar|avx2|avx512 caps them (tests run every path on one
// machine; a user can rule out a path suspected of a bug). Default: whatever the CPU has.
int MaxIsa() {
  static const int level = [] {
    const char* cap = std::getenv("MOBILEVSR_MAX_ISA");
    if (cap == nullptr) return 2;
    const std::string name(cap);
    return name == "scalar" ? 0 : name == "avx2" ? 1 : 2;
  }();
  return level;
}

bool HasAvx512() {
  static const bool has = MaxIsa() >= 2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return has;
}

bool HasAvx2() {
  static const bool has = MaxIsa() >= 1 && __builtin_cpu_supports("avx2");
  return has;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 warns inside its own avx512fintrin.h
// maxps returns its second operand when the first is NaN: max(x, 0) maps NaN to 0 as FloatToByte does.
// Streaming (non-temporal) stores: the HR frame is written once and not read back here, so its cache lines need not
// be fetched first; ~15 % less memory traffic for a conversion that is memory-bound.
__attribute__((target("avx512f,avx512bw"))) size_t FloatsToBytesAvx512(const float* src, size_t n, float k,
                                                                       uint8_t* dst) {
  size_t i = 0;
  for (; i < n && reinterpret_cast<uintptr_t>(dst + i) % 16 != 0; ++i) dst[i] = FloatToByte(src[i], k);
  const __m512 scale = _mm512_set1_ps(k), zero = _mm512_setzero_ps(), top = _mm512_set1_ps(255.0f);
  const __m512 half = _mm512_set1_ps(0.5f);
  const __m512i one = _mm512_set1_epi32(1);
  for (; i + 16 <= n; i += 16) {
    const __m512 x = _mm512_min_ps(_mm512_max_ps(_mm512_mul_ps(_mm512_loadu_ps(src + i), scale), zero), top);
    const __m512i whole = _mm512_cvttps_epi32(x);
    const __mmask16 up = _mm512_cmp_ps_mask(_mm512_sub_ps(x, _mm512_cvtepi32_ps(whole)), half, _CMP_GE_OQ);
    const __m512i rounded = _mm512_mask_add_epi32(whole, up, whole, one);
    _mm_stream_si128(reinterpret_cast<__m128i*>(dst + i), _mm512_cvtepi32_epi8(rounded));
  }
  _mm_sfence();  // streamed bytes are visible before the frame is handed out
  return i;
}

__attribute__((target("avx2"))) inline __m256i RoundEightAvx2(const float* p, __m256 scale) {
  const __m256 x = _mm256_min_ps(_mm256_max_ps(_mm256_mul_ps(_mm256_loadu_ps(p), scale), _mm256_setzero_ps()),
                                 _mm256_set1_ps(255.0f));
  const __m256i whole = _mm256_cvttps_epi32(x);
  const __m256 up = _mm256_cmp_ps(_mm256_sub_ps(x, _mm256_cvtepi32_ps(whole)), _mm256_set1_ps(0.5f), _CMP_GE_OQ);
  return _mm256_add_epi32(whole, _mm256_and_si256(_mm256_castps_si256(up), _mm256_set1_epi32(1)));
}

__attribute__((target("avx2"))) size_t FloatsToBytesAvx2(const float* src, size_t n, float k, uint8_t* dst) {
  const __m256 scale = _mm256_set1_ps(k);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {  // 4 x 8 int32 -> 32 bytes (packs work per 128-bit lane: restore the order)
    const __m256i words_a = _mm256_packus_epi32(RoundEightAvx2(src + i, scale), RoundEightAvx2(src + i + 8, scale));
    const __m256i words_b =
        _mm256_packus_epi32(RoundEightAvx2(src + i + 16, scale), RoundEightAvx2(src + i + 24, scale));
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(words_a, words_b), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), bytes);
  }
  return i;
}
#pragma GCC diagnostic pop
#endif

#if defined(__aarch64__)
// NEON is part of every ARMv8-A core (and Android's arm64-v8a ABI): no CPU check, only the MOBILEVSR_MAX_ISA cap.
bool HasNeon() {
  static const bool has = [] {
    const char* cap = std::getenv("MOBILEVSR_MAX_ISA");
    return cap == nullptr || std::string(cap) != "scalar";
  }();
  return has;
}

// 16 floats -> 16 bytes. The clamp is the scalar definition's: x > 0 ? x : 0 (false for NaN, so NaN -> 0), then
// min(x, 255); fcvtau rounds to nearest with ties away from zero, which on [0, 255] is RoundClampedToByte.
size_t FloatsToBytesNeon(const float* src, size_t n, float k, uint8_t* dst) {
  const float32x4_t scale = vdupq_n_f32(k), zero = vdupq_n_f32(0.0f), top = vdupq_n_f32(255.0f);
  auto round_four = [&](const float* p) {
    const float32x4_t x = vmulq_f32(vld1q_f32(p), scale);
    const float32x4_t clamped = vminq_f32(vbslq_f32(vcgtq_f32(x, zero), x, zero), top);
    return vcvtaq_u32_f32(clamped);
  };
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint16x8_t low = vcombine_u16(vmovn_u32(round_four(src + i)), vmovn_u32(round_four(src + i + 4)));
    const uint16x8_t high = vcombine_u16(vmovn_u32(round_four(src + i + 8)), vmovn_u32(round_four(src + i + 12)));
    vst1q_u8(dst + i, vcombine_u8(vmovn_u16(low), vmovn_u16(high)));
  }
  return i;
}

// 16 bytes -> 16 floats, each static_cast<float>(byte) * k (one rounding, as the scalar loop).
size_t BytesToFloatsNeon(const uint8_t* src, size_t n, float k, float* dst) {
  const float32x4_t scale = vdupq_n_f32(k);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint8x16_t bytes = vld1q_u8(src + i);
    const uint16x8_t low = vmovl_u8(vget_low_u8(bytes)), high = vmovl_u8(vget_high_u8(bytes));
    vst1q_f32(dst + i, vmulq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(low))), scale));
    vst1q_f32(dst + i + 4, vmulq_f32(vcvtq_f32_u32(vmovl_u16(vget_high_u16(low))), scale));
    vst1q_f32(dst + i + 8, vmulq_f32(vcvtq_f32_u32(vmovl_u16(vget_low_u16(high))), scale));
    vst1q_f32(dst + i + 12, vmulq_f32(vcvtq_f32_u32(vmovl_u16(vget_high_u16(high))), scale));
  }
  return i;
}

// 256-entry lookup, 16 bytes at a time: tbl answers indices 0..63 from the first quarter (0 elsewhere), and each tbx
// fills the indices its quarter holds (index - 64 q wraps out of range for the others, which tbx leaves alone).
size_t LookupBytesNeon(const uint8_t* table, const uint8_t* src, size_t n, uint8_t* dst) {
  const uint8x16x4_t q0 = vld1q_u8_x4(table), q1 = vld1q_u8_x4(table + 64);
  const uint8x16x4_t q2 = vld1q_u8_x4(table + 128), q3 = vld1q_u8_x4(table + 192);
  const uint8x16_t step = vdupq_n_u8(64);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const uint8x16_t x0 = vld1q_u8(src + i);
    const uint8x16_t x1 = vsubq_u8(x0, step), x2 = vsubq_u8(x1, step), x3 = vsubq_u8(x2, step);
    uint8x16_t out = vqtbl4q_u8(q0, x0);
    out = vqtbx4q_u8(out, q1, x1);
    out = vqtbx4q_u8(out, q2, x2);
    vst1q_u8(dst + i, vqtbx4q_u8(out, q3, x3));
  }
  return i;
}
#endif

void FloatsToBytes(const float* src, size_t n, float k, uint8_t* dst) {
  size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (HasAvx512()) i = FloatsToBytesAvx512(src, n, k, dst);
  else if (HasAvx2()) i = FloatsToBytesAvx2(src, n, k, dst);
#elif defined(__aarch64__)
  if (HasNeon()) i = FloatsToBytesNeon(src, n, k, dst);
#endif
  for (; i < n; ++i) dst[i] = FloatToByte(src[i], k);
}

// 256-entry byte table lookup. With AVX-512 VBMI, 64 bytes take two 128-entry permutes and a blend on the top bit
// (a 180x320x12 state: ~0.2 ms scalar -> a few microseconds); elsewhere the scalar loop.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) size_t LookupBytesVbmi(const uint8_t* table, const uint8_t* src,
                                                                              size_t n, uint8_t* dst) {
  const __m512i t0 = _mm512_loadu_si512(table), t1 = _mm512_loadu_si512(table + 64);
  const __m512i t2 = _mm512_loadu_si512(table + 128), t3 = _mm512_loadu_si512(table + 192);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    const __m512i x = _mm512_loadu_si512(src + i);
    const __m512i low = _mm512_permutex2var_epi8(t0, x, t1);   // entries 0..127 (index bits 0-6)
    const __m512i high = _mm512_permutex2var_epi8(t2, x, t3);  // entries 128..255
    _mm512_storeu_si512(dst + i, _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low, high));
  }
  return i;
}

bool HasVbmi() {
  static const bool has = HasAvx512() && __builtin_cpu_supports("avx512vbmi");
  return has;
}
#endif

void LookupBytes(const std::array<uint8_t, 256>& table, const uint8_t* src, size_t n, uint8_t* dst) {
  size_t i = 0;
#if defined(__x86_64__) && defined(__GNUC__)
  if (HasVbmi()) i = LookupBytesVbmi(table.data(), src, n, dst);
#elif defined(__aarch64__)
  if (HasNeon()) i = LookupBytesNeon(table.data(), src, n, dst);
#endif
  for (; i < n; ++i) dst[i] = table[src[i]];
}

MOBILEVSR_X86_CLONES void BytesToFloats(const uint8_t* __restrict src, size_t n, float k, float* __restrict dst) {
  size_t i = 0;
#if defined(__aarch64__)
  if (HasNeon()) i = BytesToFloatsNeon(src, n, k, dst);
#endif
  for (; i < n; ++i) dst[i] = static_cast<float>(src[i]) * k;
}

}  // namespace

const char* PixelConversionIsa() {
#if defined(__x86_64__) && defined(__GNUC__)
  return HasAvx512() ? "avx512" : HasAvx2() ? "avx2" : "scalar";
#elif defined(__aarch64__)
  return HasNeon() ? "neon" : "scalar";
#else
  return "scalar";
#endif
}

ByteMap ClassifyTable(const std::array<uint8_t, 256>& table) {
  bool identity = true, sign_flip = true;
  for (int byte = 0; byte < 256; ++byte) {
    identity = identity && table[byte] == byte;
    sign_flip = sign_flip && table[byte] == (byte ^ 0x80);
  }
  return identity ? ByteMap::kIdentity : sign_flip ? ByteMap::kSignFlip : ByteMap::kTable;
}

MOBILEVSR_X86_CLONES void FlipSignBits(const uint8_t* src, size_t n, uint8_t* dst) {
  for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(src[i] ^ 0x80u);  // vectorised by the compiler
}

void CopyToCompactRgb(const FrameView& f, bool bgr, uint8_t* dst) {
  if (!bgr && f.channels == 3 && f.pixel_stride == 3 && f.channel_stride == 1) {  // the common case: RGB rows as is
    const size_t row_bytes = static_cast<size_t>(f.width) * 3;
    for (int y = 0; y < f.height; ++y, dst += row_bytes) std::memcpy(dst, f.data + y * f.row_stride, row_bytes);
    return;
  }
  const ptrdiff_t r = bgr ? 2 * f.channel_stride : 0, b = bgr ? 0 : 2 * f.channel_stride, g = f.channel_stride;
  for (int y = 0; y < f.height; ++y) {
    const uint8_t* row = f.data + y * f.row_stride;
    for (int x = 0; x < f.width; ++x, dst += 3) {
      const uint8_t* px = row + x * f.pixel_stride;
      dst[0] = px[r];
      dst[1] = px[g];
      dst[2] = px[b];
    }
  }
}

InputConverter::InputConverter(const TensorInfo& tensor, double pixel_range) : dtype_(tensor.dtype) {
  RequireSupported(tensor);
  if (dtype_ == DType::kFloat32) {
    factor_ = static_cast<float>(pixel_range / 255.0);
    return;
  }
  const double s = tensor.quantization.scale;
  for (int p = 0; p < 256; ++p) {
    const double q = RoundHalfAwayFromZero(p * (pixel_range / 255.0) / s) + static_cast<double>(tensor.quantization.zero_point);
    table_[p] = ToStorage(static_cast<int64_t>(std::clamp(q, -1e9, 1e9)), dtype_);
  }
  map_ = ClassifyTable(table_);
}

void InputConverter::WriteFloatChannels(const uint8_t* frame, size_t pixels, float* tensor, size_t tensor_channels,
                                        size_t channel_offset) const {
  float* dst = tensor + channel_offset;
  const float k = factor_;
  for (size_t i = 0; i < pixels; ++i, dst += tensor_channels, frame += 3) {
    dst[0] = static_cast<float>(frame[0]) * k;
    dst[1] = static_cast<float>(frame[1]) * k;
    dst[2] = static_cast<float>(frame[2]) * k;
  }
}

void InputConverter::WriteStacked(const std::vector<const uint8_t*>& frames, size_t pixels, void* tensor) const {
  const size_t channels = 3 * frames.size();
  auto convert = [&](const uint8_t* bytes, size_t count, size_t first_element) {
    if (dtype_ == DType::kFloat32) BytesToFloats(bytes, count, factor_, static_cast<float*>(tensor) + first_element);
    else if (map_ == ByteMap::kSignFlip) FlipSignBits(bytes, count, static_cast<uint8_t*>(tensor) + first_element);
    else if (map_ == ByteMap::kIdentity) std::memcpy(static_cast<uint8_t*>(tensor) + first_element, bytes, count);
    else LookupBytes(table_, bytes, count, static_cast<uint8_t*>(tensor) + first_element);
  };
  if (frames.size() == 1) {  // already the tensor's layout
    convert(frames[0], pixels * 3, 0);
    return;
  }
  if (dtype_ == DType::kFloat32) {  // strided per-frame writes beat interleave-then-convert for floats (64 vs 105 us
    for (size_t k = 0; k < frames.size(); ++k)  // for 2 frames of 180x320 here); table lookups gain from it
      WriteFloatChannels(frames[k], pixels, static_cast<float*>(tensor), channels, 3 * k);
    return;
  }
  constexpr size_t kChunkPixels = 1024;
  std::vector<uint8_t> bytes(std::min(pixels, kChunkPixels) * channels);
  for (size_t done = 0; done < pixels; done += kChunkPixels) {
    const size_t n = std::min(kChunkPixels, pixels - done);
    for (size_t k = 0; k < frames.size(); ++k) {
      const uint8_t* src = frames[k] + done * 3;
      uint8_t* dst = bytes.data() + 3 * k;
      for (size_t i = 0; i < n; ++i, src += 3, dst += channels) std::memcpy(dst, src, 3);
    }
    convert(bytes.data(), n * channels, done * channels);
  }
}

OutputConverter::OutputConverter(const TensorInfo& tensor, double pixel_range) : dtype_(tensor.dtype) {
  RequireSupported(tensor);
  if (dtype_ == DType::kFloat32) {
    factor_ = static_cast<float>(255.0 / pixel_range);
    return;
  }
  const double s = tensor.quantization.scale;
  for (int byte = 0; byte < 256; ++byte) {
    const double q = static_cast<double>(FromStorage(static_cast<uint8_t>(byte), dtype_) - tensor.quantization.zero_point);
    const double p = std::clamp(RoundHalfAwayFromZero(q * s * (255.0 / pixel_range)), 0.0, 255.0);
    table_[byte] = static_cast<uint8_t>(p);
  }
  map_ = ClassifyTable(table_);
}

void OutputConverter::ConvertElements(const void* tensor, size_t count, uint8_t* bytes) const {
  if (dtype_ == DType::kFloat32) FloatsToBytes(static_cast<const float*>(tensor), count, factor_, bytes);
  else if (map_ == ByteMap::kIdentity) std::memcpy(bytes, tensor, count);
  else if (map_ == ByteMap::kSignFlip) FlipSignBits(static_cast<const uint8_t*>(tensor), count, bytes);
  else LookupBytes(table_, static_cast<const uint8_t*>(tensor), count, bytes);
}

void OutputConverter::ConvertInPlace(uint8_t* bytes, size_t count) const {
  if (!converts_in_place()) throw InvalidArgument("this output cannot be converted in place");
  // One thread: an XOR pass over an HR frame is ~0.1 ms of memory traffic; handing half of it to a helper thread
  // cost more than that on a loaded machine (waiting for the helper to be scheduled).
  if (map_ == ByteMap::kSignFlip) FlipSignBits(bytes, count, bytes);
}

namespace {

// Channels [offset, offset+3) of converted pixels `channels` bytes apart into a compact RGB frame.
void PickChannels(const uint8_t* bytes, size_t pixels, int channels, int offset, bool bgr, uint8_t* frame) {
  const int r = bgr ? 2 : 0, b = bgr ? 0 : 2;
  bytes += offset;
  for (size_t i = 0; i < pixels; ++i, bytes += channels, frame += 3) {
    frame[r] = bytes[0];
    frame[1] = bytes[1];
    frame[b] = bytes[2];
  }
}

}  // namespace

void OutputConverter::Read(const void* tensor, size_t pixels, int tensor_channels, int channel_offset, bool bgr,
                           uint8_t* frame) const {
  if (tensor_channels == 3 && !bgr) {  // the common case: one RGB output tensor, one flat pass
    ConvertElements(tensor, pixels * 3, frame);
    return;
  }
  // Whole pixels are converted in chunks (vectorised, every channel), then this frame's three are picked.
  constexpr size_t kChunkPixels = 1024;
  const size_t element_size = dtype_ == DType::kFloat32 ? 4 : 1;
  std::vector<uint8_t> bytes(std::min(pixels, kChunkPixels) * tensor_channels);
  for (size_t done = 0; done < pixels; done += kChunkPixels) {
    const size_t n = std::min(kChunkPixels, pixels - done);
    ConvertElements(static_cast<const uint8_t*>(tensor) + done * tensor_channels * element_size, n * tensor_channels,
                    bytes.data());
    PickChannels(bytes.data(), n, tensor_channels, channel_offset, bgr, frame + done * 3);
  }
}

void OutputConverter::ReadRegion(const void* tensor, int tensor_width, int tensor_channels,
                                 const std::vector<Target>& targets, int y0, int y1, int x0, int x1, bool bgr,
                                 int frame_width, int dst_y, int dst_x, HelperThread* helper) const {
  const size_t element_size = dtype_ == DType::kFloat32 ? 4 : 1;
  const size_t row_elements = static_cast<size_t>(tensor_width) * tensor_channels;
  const size_t width = static_cast<size_t>(x1 - x0);
  const bool whole_rows = x0 == 0 && x1 == tensor_width && frame_width == tensor_width && dst_x == 0;
  const uint8_t* base = static_cast<const uint8_t*>(tensor);
  auto rows = [&](int from, int to) {
    if (whole_rows && targets.size() == 1) {  // one flat pass over contiguous rows
      Read(base + from * row_elements * element_size, static_cast<size_t>(to - from) * tensor_width, tensor_channels,
           targets[0].channel_offset, bgr, targets[0].frame + static_cast<size_t>(dst_y + from - y0) * frame_width * 3);
      return;
    }
    // Row by row: each row is converted once (every channel, vectorised) and every target picks its channels.
    std::vector<uint8_t> bytes(width * tensor_channels);
    for (int y = from; y < to; ++y) {
      ConvertElements(base + (y * row_elements + x0 * tensor_channels) * element_size, bytes.size(), bytes.data());
      const size_t dst_offset = (static_cast<size_t>(dst_y + y - y0) * frame_width + dst_x) * 3;
      for (const Target& target : targets)
        PickChannels(bytes.data(), width, tensor_channels, target.channel_offset, bgr, target.frame + dst_offset);
    }
  };
  // An HR frame is megabytes: the conversion is memory-bound and a second core shortens it.
  if ((y1 - y0) * width * targets.size() >= kParallelPixels && std::thread::hardware_concurrency() > 1) {
    const int middle = y0 + (y1 - y0) / 2;
    if (helper != nullptr) {
      helper->RunAlongside([&] { rows(middle, y1); }, [&] { rows(y0, middle); });
    } else {
      std::thread second(rows, middle, y1);
      rows(y0, middle);
      second.join();
    }
  } else {
    rows(y0, y1);
  }
}

StateRequantizer::StateRequantizer(const TensorInfo& from, const TensorInfo& to) {
  if (!from.quantized || !to.quantized || from.dtype == DType::kFloat32 || to.dtype == DType::kFloat32)
    throw InvalidArgument("state pair " + from.name + " -> " + to.name +
                          " has different types; only quantized states can be requantized");
  const double s_o = from.quantization.scale, s_i = to.quantization.scale;
  for (int byte = 0; byte < 256; ++byte) {
    const double real = static_cast<double>(FromStorage(static_cast<uint8_t>(byte), from.dtype) - from.quantization.zero_point) * s_o;
    const double q = RoundHalfAwayFromZero(real / s_i) + static_cast<double>(to.quantization.zero_point);
    table_[byte] = ToStorage(static_cast<int64_t>(std::clamp(q, -1e9, 1e9)), to.dtype);
  }
}

void StateRequantizer::Apply(const void* src, void* dst, size_t count) const {
  LookupBytes(table_, static_cast<const uint8_t*>(src), count, static_cast<uint8_t*>(dst));
}

}  // namespace mobilevsr
