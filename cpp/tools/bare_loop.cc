// mobilevsr_bare_loop: the reference a streamed clip is compared with, run wherever the core runs (an ARM build under
// emulation included). Straight LiteRT C API calls and the arithmetic of docs/model-contract.md, written out as
// plainly as tests/reference_loop.py: every run's window is taken from the whole clip (edge frames replicated),
// state starts at zero and is carried (requantized) from run to run, pixels are converted element by element. It
// shares nothing with the core but the LiteRT symbol loader (litert_library.h).
//
//   mobilevsr_bare_loop --library LIBLITERT --model MODEL --size HxW IN.rgb OUT.rgb --frame-input NAME
//       --frame-output NAME --offsets -1,0,1 --outputs K --pixel-range R [--bgr] [--state IN=OUT ...] [--threads N]
//
// Stacked layouts only (one frame input tensor holding the window's frames on its channels, one frame output tensor
// holding K consecutive HR frames). Frames of another size than the model's: every input is resized to it (the
// model's frame and state inputs share height and width), as LiteRT allows for fully convolutional graphs. Raw files
// as for mobilevsr_stream.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "litert_library.h"

namespace {

using mobilevsr::litert::Api;

struct Arguments {
  std::string library, model, input, output, frame_input, frame_output;
  int height = 0, width = 0, threads = 0, outputs = 1;
  std::vector<int> offsets;
  double pixel_range = 1.0;
  bool bgr = false;
  std::vector<std::pair<std::string, std::string>> states;
};

[[noreturn]] void Fail(const std::string& why) { throw std::runtime_error(why); }

void Check(LiteRtStatus status, const std::string& what) {
  if (status != 0) Fail(what + " failed (LiteRT status " + std::to_string(status) + ")");
}

Arguments Parse(int argc, char** argv) {
  Arguments a;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) {
      positional.push_back(flag);
      continue;
    }
    if (flag == "--bgr") {
      a.bgr = true;
      continue;
    }
    if (i + 1 >= argc) Fail(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--library") a.library = value;
    else if (flag == "--model") a.model = value;
    else if (flag == "--frame-input") a.frame_input = value;
    else if (flag == "--frame-output") a.frame_output = value;
    else if (flag == "--threads") a.threads = std::stoi(value);
    else if (flag == "--outputs") a.outputs = std::stoi(value);
    else if (flag == "--pixel-range") a.pixel_range = std::stod(value);
    else if (flag == "--size") {
      a.height = std::stoi(value);
      a.width = std::stoi(value.substr(value.find('x') + 1));
    } else if (flag == "--offsets") {
      for (size_t at = 0; at <= value.size();) {
        const size_t comma = std::min(value.find(',', at), value.size());
        a.offsets.push_back(std::stoi(value.substr(at, comma - at)));
        at = comma + 1;
      }
    } else if (flag == "--state") {
      const size_t split = value.find('=');  // not ':', which tensor names hold ("serving_default_state_0:0")
      if (split == std::string::npos) Fail("--state must be INPUT=OUTPUT, got " + value);
      a.states.emplace_back(value.substr(0, split), value.substr(split + 1));
    } else {
      Fail("unknown option " + flag);
    }
  }
  if (positional.size() != 2 || a.library.empty() || a.model.empty() || a.height <= 0 || a.width <= 0 ||
      a.frame_input.empty() || a.frame_output.empty() || a.offsets.empty() || a.outputs <= 0)
    Fail("usage: mobilevsr_bare_loop --library L --model M --size HxW IN OUT --frame-input N --frame-output N "
         "--offsets a,b --outputs K --pixel-range R [--bgr] [--state IN=OUT] [--threads N]");
  a.input = positional[0];
  a.output = positional[1];
  return a;
}

// Round half away from zero, exactly (floor(x + 0.5) is wrong just below 0.5).
double RoundHalfAway(double x) {
  const double a = std::fabs(x), f = std::floor(a);
  return std::copysign(f + (a - f >= 0.5 ? 1.0 : 0.0), x);
}

// One tensor of the model's signature with its buffer.
struct Tensor {
  std::string name;
  LiteRtRankedTensorType type{};
  bool quantized = false;
  double scale = 0.0;
  int64_t zero_point = 0;
  LiteRtTensorBuffer buffer = nullptr;
  size_t count() const {
    size_t n = 1;
    for (unsigned d = 0; d < type.layout.rank; ++d) n *= static_cast<size_t>(type.layout.dimensions[d]);
    return n;
  }
  int dim(int d) const { return type.layout.dimensions[d]; }
  int64_t lowest() const { return type.element_type == kLiteRtElementTypeInt8 ? -128 : 0; }
  int64_t highest() const { return type.element_type == kLiteRtElementTypeInt8 ? 127 : 255; }
};

// A tensor element as a number: float32 values, or int8/uint8 quantized integers.
double Get(const Tensor& t, const void* data, size_t i) {
  switch (t.type.element_type) {
    case kLiteRtElementTypeFloat32: return static_cast<const float*>(data)[i];
    case kLiteRtElementTypeInt8: return static_cast<const int8_t*>(data)[i];
    case kLiteRtElementTypeUInt8: return static_cast<const uint8_t*>(data)[i];
    default: Fail("tensor " + t.name + " is not float32, int8 or uint8");
  }
}

void Set(const Tensor& t, void* data, size_t i, double v) {
  switch (t.type.element_type) {
    case kLiteRtElementTypeFloat32: static_cast<float*>(data)[i] = static_cast<float>(v); break;
    case kLiteRtElementTypeInt8: static_cast<int8_t*>(data)[i] = static_cast<int8_t>(v); break;
    case kLiteRtElementTypeUInt8: static_cast<uint8_t*>(data)[i] = static_cast<uint8_t>(v); break;
    default: Fail("tensor " + t.name + " is not float32, int8 or uint8");
  }
}

// uint8 pixel -> input element: float32 p * (range / 255) in float; quantized round(p * range / 255 / s) + z.
double PixelToInput(const Tensor& t, uint8_t p, double range) {
  if (t.type.element_type == kLiteRtElementTypeFloat32)
    return static_cast<float>(p) * static_cast<float>(range / 255.0);
  const double q = RoundHalfAway(p * (range / 255.0) / t.scale) + static_cast<double>(t.zero_point);
  return std::clamp(q, static_cast<double>(t.lowest()), static_cast<double>(t.highest()));
}

// Output element -> uint8 pixel: float32 v * (255 / range) in float, quantized (q - z) * s * 255 / range; rounded
// half away from zero and clamped to [0, 255] (NaN -> 0).
uint8_t OutputToPixel(const Tensor& t, double v, double range) {
  double x;
  if (t.type.element_type == kLiteRtElementTypeFloat32) {
    x = static_cast<float>(v) * static_cast<float>(255.0 / range);
  } else {
    x = (v - static_cast<double>(t.zero_point)) * t.scale * (255.0 / range);
  }
  if (!(x > 0.0)) return 0;
  return static_cast<uint8_t>(std::min(255.0, RoundHalfAway(x)));
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) Fail("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void Run(const Arguments& a) {
  const auto library = mobilevsr::litert::Library::Load(a.library);
  const Api& api = library->api();

  LiteRtEnvOption env_options[2];
  env_options[0].tag = kLiteRtEnvOptionTagRuntimeLibraryDir;
  env_options[0].value.type = kLiteRtAnyTypeString;
  env_options[0].value.str_value = library->directory().c_str();
  env_options[1].tag = kLiteRtEnvOptionTagMinLoggerSeverity;
  env_options[1].value.type = kLiteRtAnyTypeInt;
  env_options[1].value.int_value = kLiteRtLogSeverityError;
  LiteRtEnvironment env = nullptr;
  Check(api.CreateEnvironment(2, env_options, &env), "LiteRtCreateEnvironment");

  const std::string model_bytes = ReadFile(a.model);
  LiteRtModel model = nullptr;
  Check(api.CreateModelFromBuffer(env, model_bytes.data(), model_bytes.size(), &model), "LiteRtCreateModelFromBuffer");
  LiteRtSignature signature = nullptr;
  Check(api.GetModelSignature(model, 0, &signature), "LiteRtGetModelSignature");

  LiteRtOptions options = nullptr;
  Check(api.CreateOptions(&options), "LiteRtCreateOptions");
  Check(api.SetOptionsHardwareAccelerators(options, kLiteRtHwAcceleratorCpu), "LiteRtSetOptionsHardwareAccelerators");
  if (a.threads > 0) {
    const std::string toml = "num_threads = " + std::to_string(a.threads) + "\n";
    char* payload = new char[toml.size() + 1];
    std::memcpy(payload, toml.c_str(), toml.size() + 1);
    LiteRtOpaqueOptions xnnpack = nullptr;
    Check(api.CreateOpaqueOptions("xnnpack", payload, [](void* p) { delete[] static_cast<char*>(p); }, &xnnpack),
          "LiteRtCreateOpaqueOptions");
    Check(api.AddOpaqueOptions(options, xnnpack), "LiteRtAddOpaqueOptions");
  }
  LiteRtCompiledModel compiled = nullptr;
  Check(api.CreateCompiledModel(env, model, options, &compiled), "LiteRtCreateCompiledModel");

  // Every input at the clip's frame size (a no-op at the model's own size), then the outputs' shapes that follow.
  LiteRtParamIndex input_count = 0, output_count = 0;
  Check(api.GetNumSignatureInputs(signature, &input_count), "LiteRtGetNumSignatureInputs");
  Check(api.GetNumSignatureOutputs(signature, &output_count), "LiteRtGetNumSignatureOutputs");
  std::vector<LiteRtRankedTensorType> input_types(input_count);
  for (LiteRtParamIndex i = 0; i < input_count; ++i) {
    LiteRtTensor tensor = nullptr;
    Check(api.GetSignatureInputTensorByIndex(signature, i, &tensor), "LiteRtGetSignatureInputTensorByIndex");
    Check(api.GetRankedTensorType(tensor, &input_types[i]), "LiteRtGetRankedTensorType");
    LiteRtLayout& layout = input_types[i].layout;
    if (layout.rank != 4) Fail("every input must be NHWC");
    if (layout.dimensions[1] == a.height && layout.dimensions[2] == a.width) continue;
    layout.dimensions[1] = a.height;
    layout.dimensions[2] = a.width;
    Check(api.CompiledModelResizeInputTensorNonStrict(compiled, 0, i, layout.dimensions, 4), "resizing an input");
  }
  std::vector<LiteRtLayout> output_layouts(output_count);
  Check(api.GetCompiledModelOutputTensorLayouts(compiled, 0, output_count, output_layouts.data(), true),
        "LiteRtGetCompiledModelOutputTensorLayouts");

  auto tensors = [&](bool inputs) {
    LiteRtParamIndex n = 0;
    Check(inputs ? api.GetNumSignatureInputs(signature, &n) : api.GetNumSignatureOutputs(signature, &n), "count");
    std::vector<Tensor> list(n);
    for (LiteRtParamIndex i = 0; i < n; ++i) {
      LiteRtTensor tensor = nullptr;
      Check(inputs ? api.GetSignatureInputTensorByIndex(signature, i, &tensor)
                   : api.GetSignatureOutputTensorByIndex(signature, i, &tensor), "tensor");
      const char* name = nullptr;
      Check(api.GetTensorName(tensor, &name), "LiteRtGetTensorName");
      Tensor& t = list[i];
      t.name = name;
      Check(api.GetRankedTensorType(tensor, &t.type), "LiteRtGetRankedTensorType");
      if (inputs) t.type = input_types[i];
      else t.type.layout = output_layouts[i];
      t.type.layout.has_strides = 0;
      LiteRtQuantizationTypeId q = kLiteRtQuantizationNone;
      LiteRtQuantizationPerTensor per_tensor{};
      if (api.GetQuantizationTypeId(tensor, &q) == 0 && q == kLiteRtQuantizationPerTensor &&
          api.GetPerTensorQuantization(tensor, &per_tensor) == 0) {
        t.quantized = true;
        t.scale = per_tensor.scale;
        t.zero_point = per_tensor.zero_point;
      }
      LiteRtTensorBufferRequirements requirements = nullptr;
      Check(inputs ? api.GetCompiledModelInputBufferRequirements(compiled, 0, i, &requirements)
                   : api.GetCompiledModelOutputBufferRequirements(compiled, 0, i, &requirements), "requirements");
      Check(api.CreateManagedTensorBufferFromRequirements(env, &t.type, requirements, &t.buffer), "buffer");
    }
    return list;
  };
  std::vector<Tensor> ins = tensors(true), outs = tensors(false);
  auto find = [](std::vector<Tensor>& list, const std::string& name) -> Tensor& {
    for (Tensor& t : list)
      if (t.name == name) return t;
    Fail("the model has no tensor " + name);
  };
  Tensor& frame_in = find(ins, a.frame_input);
  Tensor& frame_out = find(outs, a.frame_output);
  if (frame_in.dim(3) != 3 * static_cast<int>(a.offsets.size())) Fail("the frame input must stack every offset");
  const int out_h = frame_out.dim(1), out_w = frame_out.dim(2);
  if (frame_out.dim(3) != 3 * a.outputs) Fail("the frame output must stack --outputs frames");

  // Clip-start state: 0 (the zero point of a quantized tensor).
  std::vector<std::vector<double>> state;
  for (const auto& [in_name, out_name] : a.states) {
    const Tensor& t = find(ins, in_name);
    find(outs, out_name);
    state.emplace_back(t.count(), t.quantized ? static_cast<double>(t.zero_point) : 0.0);
  }

  const std::string clip = ReadFile(a.input);
  const size_t frame_bytes = static_cast<size_t>(a.height) * a.width * 3;
  if (clip.empty() || clip.size() % frame_bytes != 0) Fail(a.input + " is not a whole number of frames");
  const long n = static_cast<long>(clip.size() / frame_bytes);
  auto pixel = [&](long frame, size_t index) {
    return static_cast<uint8_t>(clip[static_cast<size_t>(frame) * frame_bytes + index]);
  };
  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  if (!out) Fail("cannot write " + a.output);

  std::vector<LiteRtTensorBuffer> in_buffers, out_buffers;
  for (const Tensor& t : ins) in_buffers.push_back(t.buffer);
  for (const Tensor& t : outs) out_buffers.push_back(t.buffer);
  const size_t channels = 3 * a.offsets.size();
  for (long anchor = 0; anchor < n; anchor += a.outputs) {
    void* data = nullptr;
    Check(api.LockTensorBuffer(frame_in.buffer, &data, kLiteRtTensorBufferLockModeWrite), "lock");
    for (size_t k = 0; k < a.offsets.size(); ++k) {
      const long frame = std::clamp(anchor + a.offsets[k], 0L, n - 1);
      for (size_t p = 0; p < static_cast<size_t>(a.height) * a.width; ++p)
        for (size_t c = 0; c < 3; ++c) {
          const uint8_t value = pixel(frame, 3 * p + (a.bgr ? 2 - c : c));
          Set(frame_in, data, p * channels + 3 * k + c, PixelToInput(frame_in, value, a.pixel_range));
        }
    }
    Check(api.UnlockTensorBuffer(frame_in.buffer), "unlock");
    for (size_t s = 0; s < a.states.size(); ++s) {
      const Tensor& t = find(ins, a.states[s].first);
      Check(api.LockTensorBuffer(t.buffer, &data, kLiteRtTensorBufferLockModeWrite), "lock");
      for (size_t i = 0; i < state[s].size(); ++i) Set(t, data, i, state[s][i]);
      Check(api.UnlockTensorBuffer(t.buffer), "unlock");
    }
    Check(api.RunCompiledModel(compiled, 0, in_buffers.size(), in_buffers.data(), out_buffers.size(),
                               out_buffers.data()), "LiteRtRunCompiledModel");

    // The next state: the output's values, requantized when the pair's quantization differs.
    for (size_t s = 0; s < a.states.size(); ++s) {
      const Tensor& to = find(ins, a.states[s].first);
      const Tensor& from = find(outs, a.states[s].second);
      Check(api.LockTensorBuffer(from.buffer, &data, kLiteRtTensorBufferLockModeRead), "lock");
      const bool same = from.type.element_type == to.type.element_type && from.quantized == to.quantized &&
                        from.scale == to.scale && from.zero_point == to.zero_point;
      for (size_t i = 0; i < state[s].size(); ++i) {
        const double v = Get(from, data, i);
        if (same) {
          state[s][i] = v;
        } else {
          if (!from.quantized || !to.quantized) Fail("a state pair mixes float and quantized tensors");
          const double q = RoundHalfAway((v - static_cast<double>(from.zero_point)) * from.scale / to.scale) +
                           static_cast<double>(to.zero_point);
          state[s][i] = std::clamp(q, static_cast<double>(to.lowest()), static_cast<double>(to.highest()));
        }
      }
      Check(api.UnlockTensorBuffer(from.buffer), "unlock");
    }

    Check(api.LockTensorBuffer(frame_out.buffer, &data, kLiteRtTensorBufferLockModeRead), "lock");
    std::vector<uint8_t> hr(static_cast<size_t>(out_h) * out_w * 3);
    for (int k = 0; k < a.outputs && anchor + k < n; ++k) {
      for (size_t p = 0; p < static_cast<size_t>(out_h) * out_w; ++p)
        for (size_t c = 0; c < 3; ++c) {
          const double v = Get(frame_out, data, p * 3 * a.outputs + 3 * k + c);
          hr[3 * p + (a.bgr ? 2 - c : c)] = OutputToPixel(frame_out, v, a.pixel_range);
        }
      out.write(reinterpret_cast<const char*>(hr.data()), static_cast<std::streamsize>(hr.size()));
    }
    Check(api.UnlockTensorBuffer(frame_out.buffer), "unlock");
  }
  if (!out.flush()) Fail("writing " + a.output + " failed");
  for (Tensor& t : ins) api.DestroyTensorBuffer(t.buffer);
  for (Tensor& t : outs) api.DestroyTensorBuffer(t.buffer);
  api.DestroyCompiledModel(compiled);
  api.DestroyOptions(options);
  api.DestroyModel(model);
  api.DestroyEnvironment(env);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Run(Parse(argc, argv));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mobilevsr_bare_loop: %s\n", e.what());
    return 1;
  }
}
