#include "native_output.h"

#include <unistd.h>

#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

namespace mobilevsr {
namespace {

std::recursive_mutex& CaptureMutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

void FlushAll() {
  std::fflush(stdout);
  std::fflush(stderr);
  std::cout.flush();
  std::cerr.flush();
}

}  // namespace

NativeOutputCapture::NativeOutputCapture(bool enabled) {
  if (!enabled) return;
  lock_ = std::unique_lock<std::recursive_mutex>(CaptureMutex());
  FlushAll();
  file_ = std::tmpfile();
  if (file_ == nullptr) return;  // cannot capture: native output stays visible, nothing breaks
  saved_stdout_ = dup(STDOUT_FILENO);
  saved_stderr_ = dup(STDERR_FILENO);
  if (saved_stdout_ < 0 || saved_stderr_ < 0 || dup2(fileno(file_), STDOUT_FILENO) < 0 ||
      dup2(fileno(file_), STDERR_FILENO) < 0) {
    Restore();
  }
}

NativeOutputCapture::~NativeOutputCapture() { Restore(); }

void NativeOutputCapture::Restore() {
  if (file_ == nullptr) return;
  FlushAll();
  if (saved_stdout_ >= 0) {
    dup2(saved_stdout_, STDOUT_FILENO);
    close(saved_stdout_);
  }
  if (saved_stderr_ >= 0) {
    dup2(saved_stderr_, STDERR_FILENO);
    close(saved_stderr_);
  }
  saved_stdout_ = saved_stderr_ = -1;
  std::fclose(file_);
  file_ = nullptr;
}

std::string NativeOutputCapture::Take() {
  if (file_ == nullptr) return {};
  FlushAll();
  // Writers append through descriptors 1 and 2 (sharing one file offset); pread leaves that offset alone.
  const int fd = fileno(file_);
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = pread(fd, buffer, sizeof buffer, read_offset_);
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
    read_offset_ += n;
  }
  for (char& c : text)  // the faces need valid UTF-8 and the GPU stack speaks ASCII: keep it so
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
  return text;
}

std::string CondenseNativeLog(const std::string& text) {
  // glog ("E0000 00:00:1796102324.450803   12157 file.cc:736] ") and LiteRT ("ERROR: [file.cc:359] ") prefixes.
  static const std::regex glog_prefix(R"(^[IWEF]\d{4} [\d:.]+\s+\d+ [\w./-]+:\d+\] )");
  static const std::regex litert_prefix(R"(^(VERBOSE|INFO|WARNING|ERROR): \[[\w./-]+:\d+\] )");
  static const std::regex noise(
      R"(^(INFO: |I\d{4} |WARNING: Logging before InitGoogle|=== Source Location Trace|at |third_party/))");
  std::istringstream lines(text);
  std::string line, out;
  std::set<std::string> seen;
  while (std::getline(lines, line)) {
    line = Trim(line);
    if (line.empty() || std::regex_search(line, noise)) continue;
    line = std::regex_replace(line, glog_prefix, "");
    line = std::regex_replace(line, litert_prefix, "");
    if (line.empty() || !seen.insert(line).second) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  return out;
}

}  // namespace mobilevsr
