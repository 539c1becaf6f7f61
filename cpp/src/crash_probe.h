// Crash isolation for untrusted models. LiteRT validates a model's flatbuffer but not every value its kernels read
// (a corrupted zero point or tensor index can crash kernel preparation), so before the first compile in this process
// the model is compiled and run once in a forked child. A child killed by a signal means the file would crash the
// caller: we report it as a bad model instead.
#pragma once

#include <string>
#include <vector>

#include "litert_library.h"

namespace mobilevsr {

// Throws InvalidArgument when compiling or running the model crashed the child. Results are cached per model
// content, so each distinct model is probed once per process. No-op where fork() is unavailable.
void ProbeModelInChildProcess(const litert::Library& library, const std::vector<char>& model_bytes,
                              const std::string& model_path);

}  // namespace mobilevsr
