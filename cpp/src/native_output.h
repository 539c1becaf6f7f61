// Captures what native code below the core (LiteRT, TFLite, Dawn, the Vulkan loader) prints while the core probes
// the GPU and compiles: a healthy CPU-only start prints nothing, and stdout stays clean for the caller's own output
// (LiteRT's GPU plugin reports its OpenCL search on stdout). The text is kept for the caller: info's fallback reason
// and native log.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace mobilevsr {

// While alive (and enabled), file descriptors 1 and 2 point at one temporary file. Process-wide: what another
// thread prints meanwhile is captured too, so captures are kept short (opening a model). Captures nest.
class NativeOutputCapture {
 public:
  explicit NativeOutputCapture(bool enabled = true);
  ~NativeOutputCapture();  // restores stdout and stderr
  NativeOutputCapture(const NativeOutputCapture&) = delete;
  NativeOutputCapture& operator=(const NativeOutputCapture&) = delete;

  // The text printed since the capture began or the last Take() (bytes >= 0x80 as '?'). Empty when disabled.
  std::string Take();

 private:
  void Restore();
  std::unique_lock<std::recursive_mutex> lock_;
  std::FILE* file_ = nullptr;
  int saved_stdout_ = -1;
  int saved_stderr_ = -1;
  long read_offset_ = 0;
};

// The informative lines of a native log, joined with "; ": drops blank lines, source-location traces, INFO lines
// and repeats, and glog/LiteRT prefixes ("E0000 00:00:... file.cc:12] ", "ERROR: [file.cc:12] ").
std::string CondenseNativeLog(const std::string& text);

}  // namespace mobilevsr
