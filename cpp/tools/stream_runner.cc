// mobilevsr_stream: the core's streaming Upscaler from the command line, with no Python or media library, so an ARM
// build can be run under emulation or on a device shell. Frames are raw files: the input is N frames of H x W x 3
// RGB bytes back to back, the output the N HR frames the same way (4H x 4W x 3 for a x4 model).
//
//   mobilevsr_stream --library PATH/libLiteRt.so --model MODEL.tflite --size HxW IN.rgb OUT.rgb
//                    [--threads N] [--contract CONTRACT.json] [--info INFO.json] [--no-probe]
//
// --no-probe skips the core's crash probe (one compile and run of the model in a forked child at its own input size):
// for trusted models where that extra run costs minutes, as under emulation.
//
// Exit status 0 on success, 1 with a message on stderr for any error (bad arguments, files, models).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "errors.h"
#include "upscaler.h"

namespace {

struct Arguments {
  std::string library, model, contract_file, info_file, input, output;
  int height = 0, width = 0, threads = 0;
  bool probe = true;
};

[[noreturn]] void Usage(const std::string& why) {
  throw mobilevsr::InvalidArgument(why + "\nusage: mobilevsr_stream --library LIBLITERT --model MODEL --size HxW "
                                   "IN.rgb OUT.rgb [--threads N] [--contract FILE.json] [--info FILE.json] [--no-probe]");
}

int ParsePositive(const std::string& text, const std::string& what) {
  size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || value <= 0) Usage(what + " must be a positive integer, got \"" + text + "\"");
  return value;
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
    if (flag == "--no-probe") {
      a.probe = false;
      continue;
    }
    if (i + 1 >= argc) Usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--library") a.library = value;
    else if (flag == "--model") a.model = value;
    else if (flag == "--contract") a.contract_file = value;
    else if (flag == "--info") a.info_file = value;
    else if (flag == "--threads") a.threads = ParsePositive(value, "--threads");
    else if (flag == "--size") {
      const auto x = value.find('x');
      if (x == std::string::npos) Usage("--size must be HxW, got \"" + value + "\"");
      a.height = ParsePositive(value.substr(0, x), "--size height");
      a.width = ParsePositive(value.substr(x + 1), "--size width");
    } else {
      Usage("unknown option " + flag);
    }
  }
  if (positional.size() != 2) Usage("expected IN.rgb and OUT.rgb");
  if (a.library.empty() || a.model.empty() || a.height == 0) Usage("--library, --model and --size are required");
  a.input = positional[0];
  a.output = positional[1];
  return a;
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw mobilevsr::FileNotFound("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

void WriteFrames(std::ofstream& out, const std::vector<mobilevsr::HrFrame>& frames) {
  for (const auto& hr : frames)
    out.write(reinterpret_cast<const char*>(hr.pixels.get()), static_cast<std::streamsize>(hr.height) * hr.width * 3);
}

void Run(const Arguments& a) {
  const std::string frames = ReadFile(a.input);
  const size_t frame_bytes = static_cast<size_t>(a.height) * a.width * 3;
  if (frames.empty() || frames.size() % frame_bytes != 0)
    throw mobilevsr::InvalidArgument(a.input + " holds " + std::to_string(frames.size()) + " bytes, not a whole " +
                                     "number of " + std::to_string(a.height) + "x" + std::to_string(a.width) +
                                     "x3 frames");
  mobilevsr::UpscalerOptions options;
  options.litert_library = a.library;
  options.accelerator = mobilevsr::Accelerator::kCpu;  // the GPU accelerator needs a device: not here
  if (a.threads > 0) options.num_threads = a.threads;  // 0 (no --threads): unset, the cores this process may use
  options.probe_in_child = a.probe;
  if (!a.contract_file.empty()) options.contract_json = ReadFile(a.contract_file);
  mobilevsr::Upscaler upscaler(a.model, options);

  std::ofstream out(a.output, std::ios::binary | std::ios::trunc);
  if (!out) throw mobilevsr::FileNotFound("cannot write " + a.output);
  std::vector<mobilevsr::HrFrame> ready;
  for (size_t offset = 0; offset < frames.size(); offset += frame_bytes) {
    mobilevsr::FrameView view;
    view.data = reinterpret_cast<const uint8_t*>(frames.data() + offset);
    view.height = a.height;
    view.width = a.width;
    view.channels = 3;
    view.row_stride = static_cast<ptrdiff_t>(a.width) * 3;
    view.pixel_stride = 3;
    if (auto hr = upscaler.Process(view)) ready.push_back(std::move(*hr));
    WriteFrames(out, ready);
    ready.clear();
  }
  WriteFrames(out, upscaler.Flush());
  if (!out.flush()) throw mobilevsr::RuntimeError("writing " + a.output + " failed");
  if (!a.info_file.empty()) {
    std::ofstream info(a.info_file, std::ios::trunc);
    info << upscaler.Info().Dump() << "\n";
    if (!info) throw mobilevsr::RuntimeError("writing " + a.info_file + " failed");
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Run(Parse(argc, argv));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mobilevsr_stream: %s\n", e.what());
    return 1;
  }
}
