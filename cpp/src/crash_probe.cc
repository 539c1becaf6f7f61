#include "crash_probe.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "errors.h"

namespace mobilevsr {
namespace {

// Runs in the child: compile for the CPU, run once on zeroed buffers. Returns the exit code.
int CompileAndRunOnce(const litert::Api& api, const std::vector<char>& bytes) {
  LiteRtEnvOption severity{};
  severity.tag = kLiteRtEnvOptionTagMinLoggerSeverity;
  severity.value.type = kLiteRtAnyTypeInt;
  severity.value.int_value = kLiteRtLogSeveritySilent;
  LiteRtEnvironment env = nullptr;
  LiteRtModel model = nullptr;
  LiteRtOptions options = nullptr;
  LiteRtCompiledModel compiled = nullptr;
  if (api.CreateEnvironment(1, &severity, &env) != 0) return 3;
  if (api.CreateModelFromBuffer(env, bytes.data(), bytes.size(), &model) != 0) return 3;
  if (api.CreateOptions(&options) != 0 || api.SetOptionsHardwareAccelerators(options, kLiteRtHwAcceleratorCpu) != 0)
    return 3;
  if (api.CreateCompiledModel(env, model, options, &compiled) != 0) return 3;
  LiteRtSignature signature = nullptr;
  LiteRtParamIndex num_inputs = 0, num_outputs = 0;
  if (api.GetModelSignature(model, 0, &signature) != 0 || api.GetNumSignatureInputs(signature, &num_inputs) != 0 ||
      api.GetNumSignatureOutputs(signature, &num_outputs) != 0)
    return 3;
  std::vector<LiteRtTensorBuffer> inputs, outputs;
  auto make = [&](bool is_input, LiteRtParamIndex i, std::vector<LiteRtTensorBuffer>* out) {
    LiteRtTensor tensor = nullptr;
    LiteRtRankedTensorType type{};
    LiteRtTensorBufferRequirements req = nullptr;
    LiteRtTensorBuffer buffer = nullptr;
    const bool ok = (is_input ? api.GetSignatureInputTensorByIndex(signature, i, &tensor)
                              : api.GetSignatureOutputTensorByIndex(signature, i, &tensor)) == 0 &&
                    api.GetRankedTensorType(tensor, &type) == 0 &&
                    (is_input ? api.GetCompiledModelInputBufferRequirements(compiled, 0, i, &req)
                              : api.GetCompiledModelOutputBufferRequirements(compiled, 0, i, &req)) == 0 &&
                    api.CreateManagedTensorBufferFromRequirements(env, &type, req, &buffer) == 0;
    if (!ok) return false;
    if (is_input) {
      void* data = nullptr;
      size_t size = 0;
      if (api.GetTensorBufferPackedSize(buffer, &size) == 0 &&
          api.LockTensorBuffer(buffer, &data, kLiteRtTensorBufferLockModeWrite) == 0) {
        std::memset(data, 0, size);
        api.UnlockTensorBuffer(buffer);
      }
    }
    out->push_back(buffer);
    return true;
  };
  for (LiteRtParamIndex i = 0; i < num_inputs; ++i)
    if (!make(true, i, &inputs)) return 3;
  for (LiteRtParamIndex o = 0; o < num_outputs; ++o)
    if (!make(false, o, &outputs)) return 3;
  api.RunCompiledModel(compiled, 0, inputs.size(), inputs.data(), outputs.size(), outputs.data());
  return 0;  // a failed run is reported by the parent's own run; only crashes matter here
}

// How long compiling and running once may take in the probe: 120 s, or MOBILEVSR_PROBE_TIMEOUT_S seconds (CPU
// emulation, e.g. an ARM build under qemu-user, is hundreds of times slower).
int ProbeTimeoutSeconds() {
  const char* text = std::getenv("MOBILEVSR_PROBE_TIMEOUT_S");
  if (text != nullptr) {
    char* end = nullptr;
    const long seconds = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && seconds > 0 && seconds <= 86400) return static_cast<int>(seconds);
  }
  return 120;
}

}  // namespace

void ProbeModelInChildProcess(const litert::Library& library, const std::vector<char>& model_bytes,
                              const std::string& model_path) {
  static std::mutex mutex;
  static std::set<size_t> probed;
  const size_t key = std::hash<std::string_view>{}(std::string_view(model_bytes.data(), model_bytes.size()));
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (probed.count(key)) return;
  }
  const pid_t child = fork();
  if (child < 0) return;  // cannot isolate; compile in-process as LiteRT users normally do
  if (child == 0) {
    // Quiet child: LiteRT's error lines for a bad model come again, with context, from the parent.
    if (std::freopen("/dev/null", "w", stderr) == nullptr) _exit(3);
    _exit(CompileAndRunOnce(library.api(), model_bytes));
  }
  int status = 0;
  const int timeout = ProbeTimeoutSeconds();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);
  while (waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      throw RuntimeError("compiling the model " + model_path + " did not finish within " + std::to_string(timeout) +
                         " s in the probe process (MOBILEVSR_PROBE_TIMEOUT_S sets the limit)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFSIGNALED(status)) {
    throw InvalidArgument("the model " + model_path + " crashes LiteRT (signal " + std::to_string(WTERMSIG(status)) +
                          " while compiling or running it in a probe process): the file is corrupted or holds "
                          "values LiteRT's kernels cannot take");
  }
  std::lock_guard<std::mutex> lock(mutex);
  probed.insert(key);
}

}  // namespace mobilevsr
