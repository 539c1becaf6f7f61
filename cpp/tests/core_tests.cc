// Unit tests of the core's pure parts (no LiteRT needed): JSON, schema validation, contracts, layout detection,
// pixel conversion, tile planning, the receptive-field walk, the profile report, the native output capture and the
// options' checks. Built by cpp/CMakeLists.txt (MOBILEVSR_BUILD_TESTS) and run by ctest and by
// tests/core/test_cpp_unit.py. Prints "N passed, M failed".
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "contract.h"
#include "errors.h"
#include "helper_thread.h"
#include "json.h"
#include "native_output.h"
#include "options.h"
#include "pixel_convert.h"
#include "pixel_pool.h"
#include "profile.h"
#include "receptive_field.h"
#include "tile_plan.h"

namespace {

int g_passed = 0, g_failed = 0;

void Check(bool ok, const std::string& what) {
  if (ok) {
    ++g_passed;
  } else {
    ++g_failed;
    std::printf("FAILED: %s\n", what.c_str());
  }
}

template <typename E>
void CheckThrows(const std::function<void()>& fn, const std::string& what, const std::string& needle = "") {
  try {
    fn();
    Check(false, what + " (no exception)");
  } catch (const E& e) {
    Check(needle.empty() || std::string(e.what()).find(needle) != std::string::npos,
          what + " (message: " + e.what() + ")");
  } catch (const std::exception& e) {
    Check(false, what + " (wrong exception: " + e.what() + ")");
  }
}

const char* kValidContract = R"({"contract_version": 1, "scale": 4,
  "frame_inputs": {"tensors": ["in"], "layout": "stacked", "offsets": [-1, 0, 1]},
  "frame_outputs": {"tensors": ["out"], "layout": "stacked", "offsets": [0]},
  "state": [{"input": "s", "output": 1}], "pixel_range": 255, "channel_order": "BGR"})";

void TestJson() {
  using mobilevsr::Json;
  const Json j = mobilevsr::ParseJson(R"({"a": [1, 2.5, -3e2, true, null, "x\u00e9\n"], "b": {}})");
  Check(j.find("a")->as_array().size() == 6, "json array size");
  Check(j.find("a")->as_array()[0].is_integer() && !j.find("a")->as_array()[1].is_integer(), "json integer flag");
  Check(j.find("a")->as_array()[2].as_number() == -300.0, "json exponent");
  Check(j.find("a")->as_array()[5].as_string() == "x\xc3\xa9\n", "json unicode escape to UTF-8");
  Check(mobilevsr::ParseJson(j.Dump()) == j, "json dump round trip");
  for (const char* bad : {"", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "01x", "\"unterminated", "{\"a\":1}{",
                          "{\"a\":1,\"a\":2}", "\"\\q\"", "nul"}) {
    CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseJson(bad); }, std::string("json rejects ") + bad);
  }
  CheckThrows<mobilevsr::InvalidArgument>([] { mobilevsr::ParseJson("\"\xff\""); }, "json rejects invalid UTF-8",
                                          "UTF-8");
  // Strict where a lenient reader would guess: leading zeros, lone surrogates, overlong and surrogate UTF-8.
  for (const char* bad : {"01", "-01", "[00]", R"("\ud800")", R"("\udc00")", R"("\ud800x")", R"("\ud800\u0041")",
                          "\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\""}) {
    CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseJson(bad); }, std::string("json rejects ") + bad);
  }
  Check(mobilevsr::ParseJson(R"("\ud83d\ude00")").as_string() == "\xf0\x9f\x98\x80", "json surrogate pair");
  Check(mobilevsr::ParseJson("0").is_integer() && mobilevsr::ParseJson("-0.0e0").is_integer(), "json zero forms");
  Check(mobilevsr::ParseJson("4.0").is_integer() && mobilevsr::ParseJson("4e2").is_integer() &&
            !mobilevsr::ParseJson("4.5").is_integer(), "json integer means integral value (JSON Schema 2020-12)");
  Check(mobilevsr::ParseJson("4.0").Dump() == "4.0", "json keeps how a number was written");
  std::string deep(200, '[');
  CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseJson(deep); }, "json depth limit", "deep");
}

void TestContract() {
  const mobilevsr::Contract c = mobilevsr::ParseContract(kValidContract);
  Check(c.frame_inputs.offsets == std::vector<int>({-1, 0, 1}) && c.frame_inputs.stacked, "contract offsets");
  Check(c.state.size() == 1 && c.state[0].input.name == "s" && c.state[0].output.index == 1, "contract state refs");
  Check(c.pixel_range == 255.0 && c.bgr && c.scale == 4, "contract fields");
  Check(mobilevsr::ParseContract(c.ToJson().Dump()).ToJson() == c.ToJson(), "contract JSON round trip");
  Check(mobilevsr::ContractMetadataKey() == "mobilevsr.contract", "metadata key from the schema");

  auto with = [](const std::string& from, const std::string& to) {
    std::string text = kValidContract;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  Check(mobilevsr::ParseContract(with("\"scale\": 4", "\"scale\": 4.0")).scale == 4, "contract: 4.0 is an integer");
  {  // optional fields left out take the schema's "default", read from the schema (their one definition)
    const mobilevsr::Json properties = *mobilevsr::ParseJson(mobilevsr::ContractSchemaText()).find("properties");
    auto default_of = [&](const char* field) { return *properties.find(field)->find("default"); };
    const auto bare = mobilevsr::ParseContract(
        with(R"("state": [{"input": "s", "output": 1}], "pixel_range": 255, "channel_order": "BGR")", R"("name": "b")"));
    Check(bare.pixel_range == default_of("pixel_range").as_number() &&
              bare.state.size() == default_of("state").as_array().size() &&
              bare.bgr == (default_of("channel_order").as_string() == "BGR"),
          "contract defaults come from the schema");
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {with("\"contract_version\": 1", "\"contract_version\": 2"), "contract_version"},
      {with("\"scale\": 4", "\"scale\": 0"), "minimum"},
      {with("\"stacked\"", "\"interleaved\""), "layout"},
      {with("\"pixel_range\": 255", "\"pixel_range\": 2"), "pixel_range"},
      {with("\"channel_order\": \"BGR\"", "\"channel_order\": \"BGR\", \"extra\": 1"), "unknown field"},
      {with("\"offsets\": [0]", "\"offsets\": [1]"), "0, 1, 2"},
      {with("\"offsets\": [-1, 0, 1]", "\"offsets\": [0, 0]"), "repeated"},
      {with("\"tensors\": [\"in\"]", "\"tensors\": [\"a\", \"b\"]"), "exactly one tensor"},
      {with("\"layout\": \"stacked\", \"offsets\": [-1", "\"layout\": \"separate\", \"offsets\": [-1"), "one tensor per"},
      {with("\"input\": \"s\"", "\"input\": 1.5"), "expected one of"},
      {with("\"scale\": 4,", ""), "missing required field \"scale\""},
      {with("\"scale\": 4", "\"scale\": 4.5"), "expected integer, got number"},
      {with("\"output\": 1", "\"output\": 1e300"), "tensor positions"},
  };
  for (const auto& [text, needle] : bad)
    CheckThrows<mobilevsr::InvalidArgument>([&] { mobilevsr::ParseContract(text); }, "contract rejects: " + needle,
                                            needle);
}

mobilevsr::TensorInfo Tensor(const std::string& name, std::vector<int> shape, mobilevsr::DType dtype = mobilevsr::DType::kFloat32) {
  mobilevsr::TensorInfo t;
  t.name = name;
  t.shape = std::move(shape);
  t.dtype = dtype;
  t.dtype_name = dtype == mobilevsr::DType::kFloat32 ? "float32" : "uint8";
  return t;
}

void TestLayoutDetection() {
  using mobilevsr::DetectPublicLayout;
  auto c = DetectPublicLayout({Tensor("x", {1, 180, 320, 3})}, {Tensor("y", {1, 720, 1280, 3})});
  Check(c.origin == "single_frame" && c.scale == 4 && c.pixel_range == 1.0, "single frame layout");
  c = DetectPublicLayout({Tensor("x", {1, 180, 320, 30})}, {Tensor("y", {1, 720, 1280, 30})});
  Check(c.origin == "stacked_chunk" && c.frame_outputs.offsets.size() == 10, "stacked chunk layout");
  c = DetectPublicLayout({Tensor("x", {1, 320, 180, 6}), Tensor("h", {1, 320, 180, 16})},
                         {Tensor("y", {1, 1280, 720, 3}), Tensor("h2", {1, 320, 180, 16})});
  Check(c.origin == "recurrent" && c.frame_inputs.offsets == std::vector<int>({-1, 0}) && c.pixel_range == 255.0,
        "recurrent layout");
  c = DetectPublicLayout({Tensor("h", {1, 320, 180, 32}), Tensor("x", {1, 320, 180, 9})},
                         {Tensor("h2", {1, 320, 180, 32}), Tensor("y", {1, 1280, 720, 3})});
  Check(c.origin == "sliding_recurrent" && c.state[0].input.name == "h" && c.state[0].output.name == "h2",
        "sliding recurrent layout, any tensor order");
  auto q = Tensor("x", {1, 8, 8, 3}, mobilevsr::DType::kUInt8);
  q.quantized = true;
  q.quantization = {1.0f / 255.0f, 0};
  c = DetectPublicLayout({q}, {Tensor("y", {1, 32, 32, 3}, mobilevsr::DType::kUInt8)});
  Check(c.pixel_range == 1.0, "quantized input scale 1/255 means range 0..1");
  CheckThrows<mobilevsr::InvalidArgument>(
      [] { DetectPublicLayout({Tensor("x", {1, 8, 8, 4})}, {Tensor("y", {1, 32, 32, 4})}); }, "4-channel frames",
      "no known VSR layout");
  CheckThrows<mobilevsr::InvalidArgument>(
      [] { DetectPublicLayout({Tensor("x", {1, 8, 8, 3})}, {Tensor("y", {1, 30, 32, 3})}); }, "non-integer scale",
      "integer upscale");
}

double RoundHalfAway(double x) { return x < 0 ? -std::floor(-x + 0.5) : std::floor(x + 0.5); }

// --sampled (for runs under emulation, where the dense sweep takes minutes): below 1.0 every 4096th float is checked.
bool g_sampled_sweep = false;

void TestPixelConversion() {
  // Exhaustive over every float whose product lands in [0, 255]: the byte equals exact round-half-away-from-zero.
  int mismatches = 0;
  for (float x = 0.0f; x <= 255.0f; x = std::nextafter(x, 256.0f)) {
    if (mobilevsr::RoundClampedToByte(x) != static_cast<int>(RoundHalfAway(x))) ++mismatches;
    if (x > 1.0f) x = std::nextafter(x + 0.001f, 256.0f);  // dense near the tricky small values, sampled above
    else if (g_sampled_sweep) x = std::nextafter(x + 4095 * (std::nextafter(x, 2.0f) - x), 2.0f);
  }
  Check(mismatches == 0, "RoundClampedToByte is exact round half away from zero");
  Check(mobilevsr::RoundClampedToByte(0.49999997f) == 0 && mobilevsr::RoundClampedToByte(0.5f) == 1 &&
            mobilevsr::RoundClampedToByte(254.5f) == 255,
        "rounding edge cases (the x+0.5 trap)");

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

void TestPixelPool() {
  auto pool = mobilevsr::PixelPool::Create(2, size_t{1} << 20);
  uint8_t* first = nullptr;
  {
    auto a = pool->Take(1000);
    first = a.get();
    Check(reinterpret_cast<uintptr_t>(first) % 64 == 0, "pooled pixels are 64-byte aligned");
  }
  Check(pool->free_buffers() == 1, "a dropped frame goes back to the pool");
  {
    auto again = pool->Take(1000);
    Check(again.get() == first && pool->free_buffers() == 0, "the next frame of that size reuses it");
  }
  {
    auto b = pool->Take(1000), c = pool->Take(1000), d = pool->Take(1000);
  }
  Check(pool->free_buffers() == 2, "at most max_buffers are kept");  // (c and d back; b beyond the limit)
  { auto big = pool->Take(600000); }
  Check(pool->free_buffers() == 1, "a new size drops the old buffers");
  { auto a = pool->Take(600000), b = pool->Take(600000); }
  Check(pool->free_buffers() == 1, "at most max_bytes are kept");
  std::weak_ptr<mobilevsr::PixelPool> alive = pool;
  {
    auto outliving = pool->Take(600000);
    pool.reset();
    Check(!alive.expired(), "a frame keeps its pool alive");
  }
  Check(alive.expired(), "the pool goes with its last frame");
}

void TestHelperThread() {
  mobilevsr::HelperThread helper;
  std::vector<int> halves(2, 0);
  for (int round = 1; round <= 50; ++round)
    helper.RunAlongside([&] { halves[1] += round; }, [&] { halves[0] += round; });
  Check(halves[0] == 1275 && halves[1] == 1275, "helper thread runs its half every time, done on return");
  bool caught = false;
  try {
    helper.RunAlongside([] { throw std::runtime_error("helper failed"); }, [] {});
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "helper failed";
  }
  Check(caught, "an exception on the helper reaches the caller");
  int after = 0;
  helper.RunAlongside([&] { after = 1; }, [] {});
  Check(after == 1, "the helper keeps working after an exception");
}

void TestTilePlan() {
  const auto split = mobilevsr::SplitAxis(540, 180, 16);
  Check(split.starts.front() == 0 && split.starts.back() == 360, "tiles reach both edges");
  bool covers = split.keep_begin.front() == 0 && split.keep_end.back() == 540;
  for (size_t i = 1; i < split.starts.size(); ++i) {
    covers = covers && split.keep_begin[i] == split.keep_end[i - 1];
    covers = covers && split.starts[i] < split.starts[i - 1] + 180 - 16 + 1;           // overlap >= 16
    covers = covers && split.keep_begin[i] - split.starts[i] >= 8;                     // margin inside tile i
    covers = covers && split.starts[i - 1] + 180 - split.keep_end[i - 1] >= 8;          // margin inside tile i-1
  }
  Check(covers, "kept regions partition the axis with margins of half the overlap");
  Check(mobilevsr::SplitAxis(100, 180, 16).starts.size() == 1, "short axis: one padded tile");
  const auto plan = mobilevsr::PlanTiles(1080, 1920, 320, 180, 16, false);
  Check(plan.strategy == "tile" && plan.tiles.size() == static_cast<size_t>(plan.rows * plan.cols), "tile plan grid");
  Check(mobilevsr::PlanTiles(180, 320, 180, 320, 16, false).strategy == "native", "exact fit is native");
  Check(mobilevsr::PlanTiles(100, 90, 180, 320, 16, false).strategy == "pad", "smaller frame is padded");
}

// A graph under construction for the receptive-field walk: tensors with shapes, ops in order.
struct GraphBuilder {
  using Kind = mobilevsr::RfGraph::Kind;
  mobilevsr::RfGraph graph;
  int Tensor(std::vector<int> shape) {
    graph.shapes.push_back(std::move(shape));
    return static_cast<int>(graph.shapes.size()) - 1;
  }
  mobilevsr::RfGraph::Op& Op(Kind kind, std::vector<int> inputs, std::vector<int> outputs) {
    mobilevsr::RfGraph::Op op;
    op.name = "op" + std::to_string(graph.ops.size());
    op.kind = kind;
    op.inputs = std::move(inputs);
    op.outputs = std::move(outputs);
    graph.ops.push_back(op);
    return graph.ops.back();
  }
  int Conv(int in, std::vector<int> out_shape, int kernel, int stride = 1, int dilation = 1) {
    const int out = Tensor(std::move(out_shape));
    auto& op = Op(Kind::kWindow, {in}, {out});
    op.kernel_h = op.kernel_w = kernel;
    op.stride_h = op.stride_w = stride;
    op.dilation_h = op.dilation_w = dilation;
    return out;
  }
  int Unary(Kind kind, int in, std::vector<int> out_shape, int block = 1) {
    const int out = Tensor(std::move(out_shape));
    Op(kind, {in}, {out}).block = block;
    return out;
  }
  mobilevsr::ReceptiveField Radius(std::vector<int> frames, std::vector<int> targets,
                                   std::vector<mobilevsr::RfSource> states = {}) const {
    std::vector<mobilevsr::RfSource> sources = std::move(states);
    for (int f : frames) sources.push_back({f, 1.0, 1.0});
    return mobilevsr::ComputeReceptiveField(graph, sources, targets);
  }
};

bool Near(double a, double b) { return std::fabs(a - b) < 1e-9; }

void TestReceptiveField() {
  using Kind = mobilevsr::RfGraph::Kind;
  {  // the fixtures' shape: 1x1 conv, two 3x3 convs, pixel shuffle, residual upsampling of the input
    GraphBuilder g;
    const int x = g.Tensor({1, 12, 16, 3});
    const int c1 = g.Conv(x, {1, 12, 16, 8}, 1);
    const int c2 = g.Conv(c1, {1, 12, 16, 8}, 3);
    const int c3 = g.Conv(c2, {1, 12, 16, 48}, 3);
    const int up = g.Tensor({1, 12, 16, 48});
    g.Op(Kind::kChannelwise, {x, x, x}, {up});
    const int sum = g.Tensor({1, 12, 16, 48});
    g.Op(Kind::kElementwise, {up, c3}, {sum});
    const int hr = g.Unary(Kind::kDepthToSpace, sum, {1, 48, 64, 3}, 4);
    const auto rf = g.Radius({x}, {hr});
    Check(rf.computable && Near(rf.radius, 2.0), "rf: two 3x3 convs, pixel shuffle: radius 2");
    Check(mobilevsr::AutoTileOverlap(rf) == 4, "rf: auto overlap 2 x radius");
  }
  {  // dilation, stride (the cell grows), convs at half resolution, back up
    GraphBuilder g;
    const int x = g.Tensor({1, 16, 16, 3});
    const int d = g.Conv(x, {1, 16, 16, 8}, 3, 1, 2);                          // +2
    const int s = g.Conv(d, {1, 8, 8, 8}, 3, 2);                               // +1 + (2 - 1)
    const int h = g.Conv(s, {1, 8, 8, 16}, 3);                                 // +1 at half resolution: +2
    const int hr = g.Unary(Kind::kDepthToSpace, h, {1, 16, 16, 4}, 2);
    const auto rf = g.Radius({x}, {hr});
    Check(rf.computable && Near(rf.radius, 6.0), "rf: dilation, stride and half resolution: radius 6");
    GraphBuilder p;
    const int px = p.Tensor({1, 16, 16, 3});
    const int s2d = p.Unary(Kind::kSpaceToDepth, px, {1, 8, 8, 12}, 2);  // the cell grows by 1
    const int pc = p.Conv(s2d, {1, 8, 8, 12}, 3);                        // +2
    const int pool = p.Tensor({1, 8, 8, 12});
    auto& pool_op = p.Op(Kind::kWindow, {pc}, {pool});
    pool_op.kernel_h = pool_op.kernel_w = 5;                                  // +4
    const auto prf = p.Radius({px}, {p.Unary(Kind::kDepthToSpace, pool, {1, 16, 16, 3}, 2)});
    Check(prf.computable && Near(prf.radius, 7.0), "rf: space-to-depth, conv and pool at half resolution: 7");
  }
  {  // bilinear x4 of the frame (1 LR pixel), then a 3x3 conv at HR (a quarter LR pixel): overlap rounds up
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int up = g.Unary(Kind::kResize, x, {1, 32, 32, 3});
    g.graph.ops.back().support = 1.0;
    const int hr = g.Conv(up, {1, 32, 32, 3}, 3);
    const auto rf = g.Radius({x}, {hr});
    Check(rf.computable && Near(rf.radius, 1.25), "rf: bilinear upsampling then an HR conv: 1.25");
    Check(mobilevsr::AutoTileOverlap(rf) == 4, "rf: fractional radius rounds up");
    GraphBuilder t;  // a 4x4 stride-2 transpose conv reads 1 input pixel around its own
    const int tx = t.Tensor({1, 8, 8, 3});
    const int ty = t.Tensor({1, 16, 16, 3});
    auto& tc = t.Op(Kind::kTransposedWindow, {tx}, {ty});
    tc.kernel_h = tc.kernel_w = 4;
    tc.stride_h = tc.stride_w = 2;
    const auto trf = t.Radius({tx}, {t.Conv(ty, {1, 16, 16, 3}, 3)});
    Check(trf.computable && Near(trf.radius, 1.5), "rf: transpose conv then a conv at 2x: 1.5");
  }
  {  // branches: the wider one wins; state starts at radius 0 at its own resolution
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int state = g.Tensor({1, 4, 4, 8});
    const int a = g.Conv(x, {1, 8, 8, 8}, 5);
    const int b = g.Conv(g.Conv(x, {1, 8, 8, 8}, 3), {1, 8, 8, 8}, 1);
    const int s = g.Unary(Kind::kDepthToSpace, g.Conv(state, {1, 4, 4, 32}, 5), {1, 8, 8, 8}, 2);  // 2 px at 1/2
    const int sum = g.Tensor({1, 8, 8, 8});
    g.Op(Kind::kElementwise, {a, b, s}, {sum});
    const int hr = g.Unary(Kind::kDepthToSpace, g.Conv(sum, {1, 8, 8, 48}, 1), {1, 32, 32, 3}, 4);
    const auto rf = g.Radius({x}, {hr}, {{state, 0.5, 0.5}});
    Check(rf.computable && Near(rf.radius, 4.0), "rf: max over branches; state at its own resolution");
    // An op the walk does not understand on the state output alone leaves the HR radius computable.
    const int next_state = g.Tensor({1, 4, 4, 8});
    g.Op(Kind::kOpaque, {s}, {next_state}).why = "is a mystery";
    const auto still = g.Radius({x}, {hr}, {{state, 0.5, 0.5}});
    Check(still.computable && Near(still.radius, 4.0), "rf: an opaque op off the HR path does not matter");
    const auto state_rf = g.Radius({x}, {next_state}, {{state, 0.5, 0.5}});
    Check(!state_rf.computable && state_rf.reason == "op" + std::to_string(g.graph.ops.size() - 1) + " is a mystery",
          "rf: an opaque op on the path: not computable, with its name and why (" + state_rf.reason + ")");
  }
  {  // constants (weights, parameters) and ops on constants are ignored
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int weights = g.Tensor({8, 3, 3, 3});
    const int dequantized = g.Unary(Kind::kElementwise, weights, {8, 3, 3, 3});
    const int y = g.Tensor({1, 8, 8, 8});
    auto& conv = g.Op(Kind::kWindow, {x, dequantized}, {y});
    conv.kernel_h = conv.kernel_w = 3;
    const int mystery = g.Tensor({8});
    g.Op(Kind::kOpaque, {weights}, {mystery});
    const int z = g.Tensor({1, 8, 8, 8});
    g.Op(Kind::kElementwise, {y, mystery}, {z});
    const auto rf = g.Radius({x}, {z});
    Check(rf.computable && Near(rf.radius, 1.0), "rf: constants and ops on constants ignored");
  }
  {  // ops that mix positions
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int channel_mean = g.Unary(Kind::kReduce, x, {1, 8, 8, 1});
    g.graph.ops.back().axes = {-1};
    Check(g.Radius({x}, {channel_mean}).computable, "rf: a reduction over channels keeps positions");
    const int global = g.Unary(Kind::kReduce, x, {1, 1, 1, 3});
    g.graph.ops.back().axes = {1, 2};
    const auto rf = g.Radius({x}, {global});
    Check(!rf.computable && rf.reason.find("reduces over H or W") != std::string::npos, "rf: global mean: " + rf.reason);
    Check(mobilevsr::AutoTileOverlap(rf) == mobilevsr::kDefaultTileOverlap, "rf: not computable: default overlap");
    const int folded = g.Unary(Kind::kReshape, x, {1, 64, 3});
    Check(!g.Radius({x}, {folded}).computable, "rf: a reshape folding H and W");
    const int tall = g.Tensor({1, 16, 8, 3});
    g.Op(Kind::kChannelwise, {x, x}, {tall});
    Check(!g.Radius({x}, {tall}).computable, "rf: a concatenation along H");
    const int flipped = g.Unary(Kind::kChannelwise, x, {1, 8, 8, 3});
    g.graph.ops.back().axes = {1};
    Check(!g.Radius({x}, {flipped}).computable, "rf: a gather or reversal along H");
  }
  {  // frames folded into the batch (MAI 2021 style): reshape + transpose, convs, and back
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 12, 30});
    const int r = g.Unary(Kind::kReshape, x, {8, 12, 10, 3});
    const int t = g.Unary(Kind::kTranspose, r, {10, 8, 12, 3});
    g.graph.ops.back().perm = {2, 0, 1, 3};
    const int c = g.Conv(t, {10, 8, 12, 3}, 3);
    const int b = g.Unary(Kind::kTranspose, c, {8, 12, 10, 3});
    g.graph.ops.back().perm = {1, 2, 0, 3};
    const int y = g.Unary(Kind::kReshape, b, {1, 8, 12, 30});
    const auto rf = g.Radius({x}, {g.Conv(y, {1, 8, 12, 30}, 3)});
    Check(rf.computable && Near(rf.radius, 2.0), "rf: frames moved into the batch and back: " + rf.reason);
    const int wrong = g.Conv(r, {8, 12, 10, 3}, 3);  // a conv over (W, frames): not the frame's H and W
    Check(!g.Radius({x}, {wrong}).computable, "rf: a conv over axes that are not H and W");
  }
  Check(mobilevsr::AutoTileOverlap({true, 0.0, 0.0, 0.0, ""}) == 2, "rf: overlap at least 2");
  Check(mobilevsr::AutoTileOverlap({true, 12.0, 12.0, 12.0, ""}) == 24, "rf: radius 12: overlap 24");
  Check(!mobilevsr::ComputeReceptiveField({}, {}, {}).computable, "rf: no outputs: not computable");
}

mobilevsr::ProfileEvent Event(mobilevsr::ProfileEvent::Kind kind, const std::string& tag, uint64_t us,
                               int64_t node = -1) {
  mobilevsr::ProfileEvent e;
  e.kind = kind;
  e.tag = tag;
  e.elapsed_us = us;
  e.node_index = node;
  return e;
}

const mobilevsr::Json& Field(const mobilevsr::Json& object, const std::string& key) {
  static const mobilevsr::Json kNull;
  const mobilevsr::Json* found = object.find(key);
  return found ? *found : kNull;
}

void TestProfileReport() {
  using K = mobilevsr::ProfileEvent::Kind;
  // LiteRT's CPU path, as recorded: a TFLite op, an XNNPACK partition seen through its operators, a TFLite op,
  // a second partition; stage and telemetry events around them (the telemetry one with LiteRT's garbage time).
  const std::vector<mobilevsr::ProfileEvent> run = {
      Event(K::kStage, "Invoke", 1000),
      Event(K::kOperator, "QUANTIZE", 100, 0),
      Event(K::kDelegateOperator, "Convolution (NHWC, QC8) IGEMM", 300, 0),
      Event(K::kDelegateOperator, "Add (ND)", 50, 1),
      Event(K::kOperator, "RELU", 400, 3),
      Event(K::kDelegateOperator, "Convolution (NHWC, QC8) IGEMM", 150, 0),
      Event(K::kOther, "Invoke", 4294967296ull),
  };
  mobilevsr::ProfileAccumulator profile("XNNPACK");
  profile.AddRun(run);
  profile.AddRun(run);
  const mobilevsr::Json report = profile.Report();
  const auto& ops = Field(report, "ops").as_array();
  Check(Field(report, "runs").as_number() == 2 && ops.size() == 5, "profile: 5 ops over 2 runs");
  Check(Field(ops[0], "name").as_string() == "RELU" && Field(ops[0], "total_us").as_number() == 800 &&
            Field(ops[0], "count").as_number() == 2 && Field(ops[0], "node").as_number() == 3 &&
            Field(ops[0], "partition").type() == mobilevsr::Json::Type::kNull,
        "profile: most expensive op first, summed over runs, with its TFLite node");
  Check(Field(ops[1], "partition").as_string() == "XNNPACK #1" && Field(ops[1], "kind").as_string() == "delegate",
        "profile: XNNPACK operators belong to numbered partitions");
  double shares = 0;
  for (const auto& op : ops) shares += Field(op, "share_pct").as_number();
  Check(std::fabs(shares - 100.0) < 1e-9 && Field(report, "ops_total_us").as_number() == 2000,
        "profile: shares sum to 100 %");
  Check(Field(report, "invoke_total_us").as_number() == 2000, "profile: unfinished (garbage) events are dropped");
  const auto& parts = Field(report, "partitions").as_array();
  Check(parts.size() == 3 && Field(parts[1], "name").as_string() == "XNNPACK #1" &&
            Field(parts[1], "after_node").as_number() == 0 && Field(parts[1], "before_node").as_number() == 3 &&
            Field(parts[1], "total_us").as_number() == 700 && Field(parts[2], "before_node").as_number() == -1,
        "profile: partitions with the TFLite nodes around them");

  // A delegate recorded as a node: its ops replace it as leaves; alone (a GPU delegate) it is one leaf.
  mobilevsr::ProfileAccumulator nested;
  nested.AddRun({Event(K::kOperator, "TfLiteGpuDelegateV2", 900, 7), Event(K::kDelegateOperator, "conv", 600, 0),
                 Event(K::kDelegateOperator, "add", 200, 1)});
  const auto nested_ops = Field(nested.Report(), "ops").as_array();
  Check(nested_ops.size() == 2 && Field(nested_ops[0], "partition").as_string() == "TfLiteGpuDelegateV2 (node 7)",
        "profile: ops nested in a delegate node");
  mobilevsr::ProfileAccumulator opaque;
  opaque.AddRun({Event(K::kOperator, "TfLiteGpuDelegateV2", 900, 7)});
  const auto opaque_ops = Field(opaque.Report(), "ops").as_array();
  Check(opaque_ops.size() == 1 && Field(opaque_ops[0], "kind").as_string() == "delegate_node",
        "profile: a delegate without per-op events is one op");
  mobilevsr::ProfileAccumulator empty;
  empty.AddRun({Event(K::kStage, "Invoke", 10)});
  Check(Field(empty.Report(), "note").type() == mobilevsr::Json::Type::kString, "profile: no ops is explained");
  profile.Clear();
  Check(Field(profile.Report(), "runs").as_number() == 0, "profile: clear");
}

}  // namespace

void TestNativeOutput() {
  using mobilevsr::NativeOutputCapture;
  std::string outer_text, inner_text, disabled_text;
  bool wrote = false;
  {
    NativeOutputCapture outer;
    std::fprintf(stderr, "outer stderr\n");
    {
      NativeOutputCapture inner;
      std::printf("inner stdout\n");  // buffered stdio: Take() flushes it into the capture
      const char raw[] = "inner raw fd 2\n";
      wrote = write(STDERR_FILENO, raw, sizeof raw - 1) == static_cast<ssize_t>(sizeof raw - 1);
      inner_text = inner.Take();
    }
    std::fprintf(stderr, "outer again\n");
    outer_text = outer.Take();
    NativeOutputCapture disabled(false);
    disabled_text = disabled.Take();
  }
  Check(wrote, "write to fd 2");  // Check() prints: only once nothing is captured
  // Both, in the order they reached the descriptors (stdio's buffered line arrives when Take() flushes it).
  Check(inner_text.size() == std::strlen("inner stdout\ninner raw fd 2\n") &&
            inner_text.find("inner stdout\n") != std::string::npos &&
            inner_text.find("inner raw fd 2\n") != std::string::npos,
        "inner capture holds stdout and stderr: " + inner_text);
  Check(outer_text == "outer stderr\nouter again\n", "outer capture skips the nested one: " + outer_text);
  Check(disabled_text.empty(), "a disabled capture takes nothing");

  // What LiteRT's WebGPU accelerator, Dawn and the Vulkan loader print on a machine without a Vulkan driver.
  const std::string log =
      "Warning: vkCreateInstance: Found no drivers!\n"
      "    at CheckVkSuccessImpl (third_party/dawn/src/dawn/native/vulkan/VulkanError.cpp:106)\n\n"
      "ERROR: [delegate_webgpu.cc:359] Failed to initialize WebGPU environment: INTERNAL: No adapters found\n"
      "WARNING: Logging before InitGoogle() is written to STDERR\n"
      "E0000 00:00:1796102324.450803   12157 delegate_webgpu.cc:736] Failed to get or create delegate\n"
      "=== Source Location Trace: ===\n"
      "third_party/odml/litert/ml_drift/delegate/delegate_webgpu.cc:432\n"
      "I0000 00:00:1796102331.759954   12203 environment.cc:532] Selected adapter: SwiftShader\n"
      "ERROR: [delegate_webgpu.cc:359] Failed to initialize WebGPU environment: INTERNAL: No adapters found\n"
      "INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n";
  const std::string condensed = mobilevsr::CondenseNativeLog(log);
  Check(condensed == "Warning: vkCreateInstance: Found no drivers!; Failed to initialize WebGPU environment: INTERNAL: "
                     "No adapters found; Failed to get or create delegate",
        "condensed native log: " + condensed);
  Check(mobilevsr::CondenseNativeLog("INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\n").empty(),
        "an INFO-only log condenses to nothing");
}

template <typename Mode>
void CheckModeNames(const std::string& option) {
  for (Mode mode : mobilevsr::AllModes<Mode>())
    Check(mobilevsr::ParseMode<Mode>(mobilevsr::NameOf(mode)) == mode, option + " name round trip");
  CheckThrows<mobilevsr::InvalidArgument>([] { mobilevsr::ParseMode<Mode>("AUTO"); }, option + ": names are lower case",
              option + " must be \"auto\", ");
}

void TestOptions() {
  CheckModeNames<mobilevsr::Accelerator>("accelerator");
  CheckModeNames<mobilevsr::Fit>("fit");
  CheckModeNames<mobilevsr::TileBatch>("tile_batch");
  Check(mobilevsr::AllModes<mobilevsr::Fit>().size() == 3, "three fit modes");
  CheckThrows<mobilevsr::InvalidArgument>([] { mobilevsr::ParseMode<mobilevsr::Fit>("stretch"); }, "unknown fit",
              "fit must be \"auto\", \"resize\" or \"tile\", not \"stretch\"");

  mobilevsr::UpscalerOptions options;
  options.Validate();  // the defaults are valid
  Check(!options.num_threads && !options.tile_overlap && !options.pixel_range && options.allow_transpose &&
            options.fit == mobilevsr::Fit::kAuto && options.tile_batch == mobilevsr::TileBatch::kAuto,
        "option defaults");
  options.num_threads = 1;
  options.tile_overlap = 0;
  options.pixel_range = 255.0;
  options.Validate();  // the smallest allowed values
  auto with = [](auto change) {
    mobilevsr::UpscalerOptions bad;
    change(bad);
    return [bad] { bad.Validate(); };
  };
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.num_threads = 0; }), "num_threads 0",
              "num_threads must be at least 1 (unset: the cores this process may use), got 0");
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.tile_overlap = -1; }), "tile_overlap -1", "tile_overlap must be at least 0");
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.pixel_range = 2.0; }), "pixel_range 2", "pixel_range must be 1.0 or 255.0");
  CheckThrows<mobilevsr::InvalidArgument>(with([](auto& o) { o.fit = static_cast<mobilevsr::Fit>(7); }), "a fit out of range", "fit");
  // The session part is checked by both structs' Validate().
  mobilevsr::SessionOptions session;
  session.num_threads = -2;
  CheckThrows<mobilevsr::InvalidArgument>([&] { session.Validate(); }, "session num_threads -2", "got -2");
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--sampled") == 0) {
      g_sampled_sweep = true;
    } else {
      std::printf("usage: %s [--sampled]\n", argv[0]);
      return 2;
    }
  }
  std::printf("pixel conversion path: %s\n", mobilevsr::PixelConversionIsa());
  TestJson();
  TestOptions();
  TestContract();
  TestLayoutDetection();
  TestPixelConversion();
  TestPixelPool();
  TestHelperThread();
  TestTilePlan();
  TestReceptiveField();
  TestProfileReport();
  TestNativeOutput();
  std::printf("%d passed, %d failed\n", g_passed, g_failed);
  return g_failed == 0 ? 0 : 1;
}
