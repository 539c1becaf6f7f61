// Pixel conversions (pixel_convert.h): every vector path must give the scalar definition's bytes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "errors.h"
#include "pixel_convert.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

double RoundHalfAway(double x) { return x < 0 ? -std::floor(-x + 0.5) : std::floor(x + 0.5); }

// Below 1.0 the sweep takes every float, or every 4096th under --sampled (emulation, where it takes minutes).
MOBILEVSR_TEST(TestRounding) {
  // Exhaustive over every float whose product lands in [0, 255]: the byte equals exact round-half-away-from-zero.
  int mismatches = 0;
  for (float x = 0.0f; x <= 255.0f; x = std::nextafter(x, 256.0f)) {
    if (mobilevsr::RoundClampedToByte(x) != static_cast<int>(RoundHalfAway(x))) ++mismatches;
    if (x > 1.0f) x = std::nextafter(x + 0.001f, 256.0f);  // dense near the tricky small values, sampled above
    else if (sampled_sweep()) x = std::nextafter(x + 4095 * (std::nextafter(x, 2.0f) - x), 2.0f);
  }
  Check(mismatches == 0, "RoundClampedToByte is exact round half away from zero");
  Check(mobilevsr::RoundClampedToByte(0.49999997f) == 0 && mobilevsr::RoundClampedToByte(0.5f) == 1 &&
            mobilevsr::RoundClampedToByte(254.5f) == 255,
        "rounding edge cases (the x+0.5 trap)");
}

MOBILEVSR_TEST(TestTensorConversions) {
  mobilevsr::TensorInfo f = Tensor("hr", {1, 1, 4, 3});
  mobilevsr::OutputConverter out(f, 1.0);
  const float values[12] = {-1.0f, NAN, 0.5f / 255, 1.5f, 0.25f, 1.0f, 0.0f, 0.999f, 0.002f, 0.5f, 0.7f, 0.1f};
  uint8_t pixels[12];
  out.Read(values, 4, 3, 0, false, pixels);
  const uint8_t expected[12] = {0, 0, 1, 255, 64, 255, 0, 255, 1, 128, 179, 26};
  Check(std::memcmp(pixels, expected, 12) == 0, "float output conversion incl. NaN, negatives, overflow");

  mobilevsr::TensorInfo q = Tensor("in", {1, 1, 1, 3}, mobilevsr::DType::kInt8);
  q.quantized = true;
  q.quantization = {1.0f / 255.0f, -128};
  mobilevsr::InputConverter in(q, 1.0);
  const uint8_t px[3] = {0, 1, 200};
  int8_t quantized[3];
  in.WriteStacked({px}, 1, quantized);
  Check(quantized[0] == -128 && quantized[1] == -127 && quantized[2] == 72, "int8 input quantization");

  // Stacked writes (3 frames on 9 channels, more pixels than one chunk) equal each frame written alone and
  // interleaved by hand, for a float and an int8 tensor.
  const size_t n_px = 2500;
  std::vector<std::vector<uint8_t>> rgb(3, std::vector<uint8_t>(n_px * 3));
  for (size_t k = 0; k < 3; ++k)
    for (size_t i = 0; i < n_px * 3; ++i) rgb[k][i] = static_cast<uint8_t>((i * (k + 3) + k) & 0xFF);
  const std::vector<const uint8_t*> stack = {rgb[0].data(), rgb[1].data(), rgb[2].data()};
  mobilevsr::TensorInfo float9 = Tensor("in9", {1, 50, 50, 9});
  mobilevsr::TensorInfo int9 = q;
  int9.shape = {1, 50, 50, 9};
  for (const auto& tensor : {float9, int9}) {
    mobilevsr::InputConverter writer(tensor, tensor.dtype == mobilevsr::DType::kFloat32 ? 255.0 : 1.0);
    std::vector<uint8_t> fused(tensor.byte_count(), 1), strided(tensor.byte_count(), 2);
    writer.WriteStacked(stack, n_px, fused.data());
    const size_t element = tensor.byte_count() / (n_px * 9);
    std::vector<uint8_t> alone(n_px * 3 * element);
    for (size_t k = 0; k < 3; ++k) {
      writer.WriteStacked({stack[k]}, n_px, alone.data());
      for (size_t p = 0; p < n_px; ++p)
        std::memcpy(strided.data() + (p * 9 + 3 * k) * element, alone.data() + p * 3 * element, 3 * element);
    }
    Check(fused == strided, tensor.dtype == mobilevsr::DType::kFloat32 ? "stacked float write" : "stacked int8 write");
  }

  mobilevsr::TensorInfo s_out = q, s_in = q;
  s_out.quantization = {0.1f, 3};
  s_in.quantization = {0.05f, -2};
  mobilevsr::StateRequantizer requantize(s_out, s_in);
  const int8_t states[4] = {3, 4, 127, -128};
  int8_t moved[4];
  requantize.Apply(states, moved, 4);
  Check(moved[0] == -2 && moved[1] == 0 && moved[2] == 127 && moved[3] == -128, "state requantization table");

  // A long state goes through the vector path (AVX-512 VBMI where the CPU has it) and a scalar tail: every byte
  // value, at every position modulo 64, must map as one byte at a time (the scalar table) maps it.
  std::vector<uint8_t> long_state(64 * 256 + 37), vectored(long_state.size());
  for (size_t i = 0; i < long_state.size(); ++i) long_state[i] = static_cast<uint8_t>((i * 7 + i / 256) & 0xFF);
  requantize.Apply(long_state.data(), vectored.data(), long_state.size());
  bool same = true;
  for (size_t i = 0; i < long_state.size(); ++i) {
    uint8_t one = 0;
    requantize.Apply(&long_state[i], &one, 1);
    same = same && one == vectored[i];
  }
  Check(same, "long state requantization equals the byte-wise table");
}

MOBILEVSR_TEST(TestVectorPaths) {
  // Long float runs take the vector paths (AVX-512 / AVX2 where the CPU has them): every element must equal the
  // scalar definition, for NaN, infinities, negatives, overflow and values just around each .5.
  {
    std::vector<float> values;
    const float specials[] = {std::nanf(""), -std::nanf(""), INFINITY, -INFINITY, -0.0f, 0.0f, -1.0f, 2.0f, 1e30f};
    for (float v : specials) values.push_back(v);
    for (int b = 0; b <= 256; ++b)
      for (const float d : {-1e-4f, 0.0f, 1e-4f}) values.push_back(std::nextafter((b + 0.5f) / 255.0f + d, 1.0f));
    for (int i = 0; i < 100000; ++i) values.push_back(static_cast<float>((i * 7919) % 70001) / 65536.0f - 0.03f);
    values.push_back(0.49999997f / 255.0f);
    std::vector<uint8_t> got(values.size());
    mobilevsr::OutputConverter flat(Tensor("flat", {1, 1, 1, 3}), 1.0);
    flat.ConvertElements(values.data(), values.size(), got.data());
    size_t wrong = 0;
    for (size_t i = 0; i < values.size(); ++i) {
      const float x = values[i] * 255.0f;
      const uint8_t want = mobilevsr::RoundClampedToByte(std::min(255.0f, x > 0.0f ? x : 0.0f));
      wrong += got[i] != want;
    }
    Check(wrong == 0, "vectorised float->byte conversion equals the scalar definition on every element");
    // Unaligned starts and short tails: every split between a vector body and its scalar remainder.
    size_t split_wrong = 0;
    for (size_t start = 0; start < 17; ++start)
      for (const size_t count : {size_t{1}, size_t{15}, size_t{16}, size_t{17}, size_t{33}, size_t{100}}) {
        std::vector<uint8_t> part(count);
        flat.ConvertElements(values.data() + start, count, part.data());
        for (size_t i = 0; i < count; ++i) split_wrong += part[i] != got[start + i];
      }
    Check(split_wrong == 0, "float->byte conversion at every alignment and tail length");
  }

  // uint8 -> model input through the single-frame (vector) path, for every byte at every position modulo 64, from
  // unaligned starts: a float input equals static_cast<float>(byte) * (range / 255) bit for bit, a quantized input
  // equals the per-pixel (scalar) table write.
  {
    std::vector<uint8_t> frame(3 * (64 * 256 / 3 + 40));
    for (size_t i = 0; i < frame.size(); ++i) frame[i] = static_cast<uint8_t>((i * 5 + i / 256) & 0xFF);
    for (const double range : {1.0, 255.0}) {
      const mobilevsr::TensorInfo t = Tensor("in3", {1, 1, 1, 3});
      mobilevsr::InputConverter writer(t, range);
      const float k = static_cast<float>(range / 255.0);
      size_t wrong = 0;
      for (const size_t start : {size_t{0}, size_t{3}, size_t{21}}) {
        const size_t pixels = (frame.size() - start) / 3;
        std::vector<float> got(pixels * 3);
        writer.WriteStacked({frame.data() + start}, pixels, got.data());
        for (size_t i = 0; i < got.size(); ++i) {
          const float want = static_cast<float>(frame[start + i]) * k;
          wrong += std::memcmp(&got[i], &want, sizeof(float)) != 0;
        }
      }
      Check(wrong == 0, "vectorised byte->float input conversion, range " + std::to_string(static_cast<int>(range)));
    }
    for (const auto dtype : {mobilevsr::DType::kInt8, mobilevsr::DType::kUInt8}) {
      mobilevsr::TensorInfo t = Tensor("q3", {1, 1, 1, 3}, dtype);
      t.quantized = true;
      t.quantization = dtype == mobilevsr::DType::kInt8 ? mobilevsr::Quantization{0.9f / 255.0f, -7}
                                                         : mobilevsr::Quantization{1.3f / 255.0f, 20};
      mobilevsr::InputConverter writer(t, 1.0);
      size_t wrong = 0;
      for (const size_t start : {size_t{0}, size_t{3}, size_t{21}}) {
        const size_t pixels = (frame.size() - start) / 3;
        std::vector<uint8_t> vectored(pixels * 3), scalar(pixels * 3);
        writer.WriteStacked({frame.data() + start}, pixels, vectored.data());
        // One pixel at a time: 3 bytes, under any vector width, so the lookup's scalar tail does them all.
        for (size_t p = 0; p < pixels; ++p) writer.WriteStacked({frame.data() + start + 3 * p}, 1, scalar.data() + 3 * p);
        wrong += vectored != scalar;
      }
      Check(wrong == 0, dtype == mobilevsr::DType::kInt8 ? "vectorised int8 input quantization"
                                                          : "vectorised uint8 input quantization");
    }
  }
}

MOBILEVSR_TEST(TestOutputReads) {
  // A 10-frame stacked float output (30 channels) read into 10 frames in one pass, from a region of a wider tensor,
  // also in BGR: every byte equals the element's own rounding.
  const int tw = 37, th = 5, channels = 30;
  std::vector<float> stacked(static_cast<size_t>(tw) * th * channels);
  for (size_t i = 0; i < stacked.size(); ++i) stacked[i] = static_cast<float>((i * 37) % 300) / 255.0f - 0.1f;
  mobilevsr::OutputConverter stacked_read(Tensor("hr10", {1, th, tw, channels}), 1.0);
  for (const bool bgr : {false, true}) {
    const int x0 = 3, x1 = 33, y0 = 1, y1 = 5, fw = 40;
    std::vector<std::vector<uint8_t>> frames(10, std::vector<uint8_t>(static_cast<size_t>(fw) * 8 * 3, 7));
    std::vector<mobilevsr::OutputConverter::Target> targets;
    for (int k = 0; k < 10; ++k) targets.push_back({3 * k, frames[k].data()});
    stacked_read.ReadRegion(stacked.data(), tw, channels, targets, y0, y1, x0, x1, bgr, fw, 2, 4);
    bool exact = true;
    for (int k = 0; k < 10; ++k)
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x)
          for (int c = 0; c < 3; ++c) {
            const float v = stacked[(static_cast<size_t>(y) * tw + x) * channels + 3 * k + c] * 255.0f;
            const uint8_t want = mobilevsr::RoundClampedToByte(std::min(255.0f, std::max(0.0f, v)));
            const int dst_c = bgr ? 2 - c : c;
            exact = exact && frames[k][(static_cast<size_t>(2 + y - y0) * fw + 4 + x - x0) * 3 + dst_c] == want;
          }
    Check(exact, bgr ? "stacked 10-frame region read, BGR" : "stacked 10-frame region read");
  }

  mobilevsr::TensorInfo u8_out = Tensor("hr", {1, 1, 1, 3}, mobilevsr::DType::kUInt8);
  u8_out.quantized = true;
  u8_out.quantization = {2.0f / 255.0f, 10};  // not a pass-through: the read goes through the table
  mobilevsr::OutputConverter table_read(u8_out, 1.0);
  Check(!table_read.passes_bytes_through(), "a scaled uint8 output is not passed through");
  std::vector<uint8_t> hr_bytes(3 * 700), hr_rgb(hr_bytes.size()), hr_pixel(3);
  for (size_t i = 0; i < hr_bytes.size(); ++i) hr_bytes[i] = static_cast<uint8_t>(i * 13);
  table_read.Read(hr_bytes.data(), 700, 3, 0, false, hr_rgb.data());
  bool rows_same = true;
  for (size_t p = 0; p < 700; ++p) {
    table_read.Read(&hr_bytes[p * 3], 1, 3, 0, true, hr_pixel.data());  // the per-pixel (BGR) path, swapped back
    rows_same = rows_same && hr_rgb[p * 3] == hr_pixel[2] && hr_rgb[p * 3 + 1] == hr_pixel[1] &&
                hr_rgb[p * 3 + 2] == hr_pixel[0];
  }
  Check(rows_same, "table read of whole RGB rows equals the per-pixel read");

  // int8 pixels with scale 1/255, zero point -128 (an int8-I/O export): q = p - 128, i.e. the byte p XOR 0x80, both
  // ways, by the vectorised XOR (lengths off every vector width, written in place for the HR frame).
  mobilevsr::TensorInfo s8 = Tensor("hr", {1, 1, 1, 3}, mobilevsr::DType::kInt8);
  s8.quantized = true;
  s8.quantization = {1.0f / 255.0f, -128};
  mobilevsr::OutputConverter flip_read(s8, 1.0);
  Check(flip_read.converts_in_place() && !flip_read.passes_bytes_through(), "an int8 1/255 output is a sign flip");
  Check(table_read.converts_in_place() == false, "a scaled uint8 output is not converted in place");
  std::vector<uint8_t> all_bytes(256 * 41 + 13), flipped(all_bytes.size()), written(all_bytes.size());
  for (size_t i = 0; i < all_bytes.size(); ++i) all_bytes[i] = static_cast<uint8_t>(i * 11 + i / 256);
  flip_read.ConvertElements(all_bytes.data(), all_bytes.size(), flipped.data());
  bool flips = true;
  for (size_t i = 0; i < all_bytes.size(); ++i) {
    const int want = static_cast<int8_t>(all_bytes[i]) + 128;  // (q - z) * s * 255 exactly
    flips = flips && flipped[i] == want;
  }
  Check(flips, "int8 1/255 output -> pixel is q + 128 for every byte");
  std::vector<uint8_t> in_place = all_bytes;
  flip_read.ConvertInPlace(in_place.data(), in_place.size());
  Check(in_place == flipped, "in-place sign flip equals the converted copy");
  std::vector<uint8_t> big(3 * 1000 * 1000 + 5);  // an HR-sized frame
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 7);
  std::vector<uint8_t> big_flipped = big;
  flip_read.ConvertInPlace(big_flipped.data(), big_flipped.size());
  bool big_ok = true;
  for (size_t i = 0; i < big.size(); ++i) big_ok = big_ok && big_flipped[i] == (big[i] ^ 0x80);
  Check(big_ok, "in-place sign flip of an HR-sized frame");
  CheckThrows<mobilevsr::InvalidArgument>([&] { table_read.ConvertInPlace(hr_bytes.data(), 3); },
                                          "a table output refuses the in-place conversion");
  mobilevsr::TensorInfo s8_in = s8;
  s8_in.shape = {1, 10, 10, 9};
  mobilevsr::InputConverter flip_write(s8_in, 1.0);
  std::vector<uint8_t> frame_bytes(100 * 3);
  for (size_t i = 0; i < frame_bytes.size(); ++i) frame_bytes[i] = static_cast<uint8_t>(i * 5);
  std::vector<uint8_t> tensor(s8_in.byte_count());
  flip_write.WriteStacked({frame_bytes.data(), frame_bytes.data(), frame_bytes.data()}, 100, tensor.data());
  bool writes = true;
  for (size_t px = 0; px < 100; ++px)
    for (size_t c = 0; c < 9; ++c)
      writes = writes && static_cast<int8_t>(tensor[px * 9 + c]) == frame_bytes[px * 3 + c % 3] - 128;
  Check(writes, "pixel -> int8 1/255 input is p - 128 (stacked write)");
}

}  // namespace
}  // namespace mobilevsr_test
