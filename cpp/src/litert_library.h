// Loads libLiteRt.so at run time and resolves the C API functions mobilevsr uses.
#pragma once

#include <memory>
#include <string>

#include "litert_api.h"

namespace mobilevsr::litert {

class Library {
 public:
  // Loads the library at `path` (a file, or a folder holding libLiteRt.so). Throws RuntimeError naming the library
  // or the missing symbol. Libraries are cached per path and never unloaded: LiteRT keeps global state.
  static std::shared_ptr<const Library> Load(const std::string& path);

  const Api& api() const { return api_; }
  // Folder holding the library: LiteRT looks for accelerator plugins (the GPU one) there.
  const std::string& directory() const { return directory_; }
  const std::string& path() const { return path_; }
  // Empty when the optional profiler C API (LiteRtCompiledModelGetProfiler, LiteRtStartProfiler, ...) resolved,
  // else the first missing symbol; the profiler pointers in api() are then all null.
  const std::string& profiler_missing() const { return profiler_missing_; }
  // Empty when the optional model-inspection C API (LiteRtGetSubgraphOp, LiteRtGetOpCode, op inputs/outputs, ...)
  // resolved, else the first missing symbol: the receptive field is then not computable.
  const std::string& inspection_missing() const { return inspection_missing_; }

  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

 private:
  Library() = default;
  Api api_{};
  std::string path_;
  std::string directory_;
  std::string profiler_missing_;
  std::string inspection_missing_;
};

// Human-readable name of a LiteRtStatus code.
std::string StatusToString(LiteRtStatus status);

}  // namespace mobilevsr::litert
