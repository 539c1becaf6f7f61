// One compiled LiteRT model with its environment and tensor buffers, on the GPU or the CPU (owned by RAII handles).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "litert_library.h"
#include "model_graph.h"
#include "profile.h"
#include "tensor_info.h"

namespace mobilevsr {

enum class Accelerator { kAuto, kGpu, kCpu };

// The CPUs this process may run on (its affinity mask, as os.sched_getaffinity reports it): the default thread
// count of every face (Python, CLI, Java), since XNNPACK's own default is one thread.
int CoresThisProcessMayUse();
Accelerator ParseAccelerator(const std::string& name);  // "auto" | "gpu" | "cpu"

struct SessionOptions {
  std::string litert_library;  // path of libLiteRt.so or the folder holding it (with its GPU plugin)
  Accelerator accelerator = Accelerator::kAuto;
  int num_threads = 0;  // CPU threads; 0: the cores this process may use (CoresThisProcessMayUse)
  bool verbose = false;  // LiteRT's INFO logging
  // Compile with LiteRT's profiler on and record every Run()'s events (last_run_profile(), profile()). Throws
  // RuntimeError when the LiteRT library has no profiler C API.
  bool profile = false;
  // Compile and run the model once in a forked child first, so a file that crashes LiteRT is reported instead of
  // taking the caller down (crash_probe.h). Off only where a trusted model's extra run costs too much (emulation).
  bool probe_in_child = true;
};

template <typename T>
using Handle = std::unique_ptr<std::remove_pointer_t<T>, std::function<void(T)>>;

class Session {
 public:
  // Reads and compiles the model. Throws FileNotFound, InvalidArgument (not a usable model) or RuntimeError.
  Session(const SessionOptions& options, const std::string& model_path);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  const std::vector<TensorInfo>& inputs() const { return inputs_; }
  const std::vector<TensorInfo>& outputs() const { return outputs_; }
  // The bytes of a metadata entry, if the model has it.
  std::optional<std::string> Metadata(const std::string& key) const;
  // The model's graph as read (once, before compiling) for its receptive field; `unavailable` says why not.
  const ModelGraph& graph() const { return graph_; }

  const std::string& accelerator() const { return accelerator_; }  // "gpu" or "cpu"
  bool fully_accelerated() const { return fully_accelerated_; }
  const std::string& fallback_reason() const { return fallback_reason_; }
  // Whether the GPU accelerator compiled the model at opening (fully or not; false when it was not tried).
  bool gpu_compiled() const { return gpu_compiled_; }
  int num_threads() const { return options_.num_threads; }  // CPU threads in use (the default resolved)
  // What LiteRT and the GPU stack printed to stderr while the session opened (captured unless verbose).
  const std::string& native_log() const { return native_log_; }

  // Changes the input shapes (one per input, in order). Throws InvalidArgument when the graph cannot take them; the
  // session then still works at its previous shapes.
  void Resize(const std::vector<std::vector<int>>& input_shapes);

  // Host access to a tensor buffer for the lifetime of the returned lock (for GPU buffers locking maps/copies).
  class BufferLock {
   public:
    BufferLock(const litert::Api* api, LiteRtTensorBuffer buffer, LiteRtTensorBufferLockMode mode);
    ~BufferLock();
    BufferLock(const BufferLock&) = delete;
    BufferLock& operator=(const BufferLock&) = delete;
    void* data() const { return data_; }

   private:
    const litert::Api* api_;
    LiteRtTensorBuffer buffer_;
    void* data_ = nullptr;
  };
  BufferLock LockInput(size_t i, LiteRtTensorBufferLockMode mode) const { return {api_, input_raw_[i], mode}; }
  BufferLock LockOutput(size_t o) const { return {api_, output_raw_[o], kLiteRtTensorBufferLockModeRead}; }
  // Whether input i and output o can trade buffers (same type, shape and requirements).
  bool CanSwap(size_t input_index, size_t output_index) const;
  void Run();
  // Every Run() so far: how many and their wall time in seconds (LiteRtRunCompiledModel alone).
  long runs() const { return runs_; }
  double run_seconds() const { return run_seconds_; }
  // Run() with output `o` written by the model straight into `memory` (host memory aligned to kHostAlignment, at
  // least the output's byte count, owned by the caller) instead of its own buffer: no copy of a large output.
  // CPU sessions only; output `o` reads from its own buffer again afterwards.
  static constexpr size_t kHostAlignment = 64;
  void RunWithOutputIn(size_t o, void* memory);
  // Makes output `o`'s buffer the buffer of input `i` and vice versa: recurrent state without a copy.
  void SwapStateBuffers(size_t input_index, size_t output_index);

  // Profiling (SessionOptions::profile; empty otherwise). The events of the last Run(), in the order LiteRT
  // recorded them, and every recorded run folded together.
  bool profiling() const { return options_.profile; }
  // Why this session records no events although profiling was asked for (empty when it does).
  const std::string& profile_unavailable() const { return profile_unavailable_; }
  const std::vector<ProfileEvent>& last_run_profile() const { return last_run_profile_; }
  const ProfileAccumulator& profile() const { return profile_; }
  void ClearProfile() { profile_.Clear(); }
  // While false, runs are still profiled (last_run_profile()) but not folded into profile(): e.g. calibration runs.
  void set_profile_recording(bool on) { profile_recording_ = on; }

 private:
  void Compile(bool gpu);  // CompileQuietly with the native stderr output captured
  void CompileQuietly(bool gpu);
  void CreateBuffers();
  void ReadTensorInfos();
  [[noreturn]] void Fail(const std::string& what, LiteRtStatus status) const;
  std::string TakeErrorMessages() const;  // LiteRT's collected error lines, cleared
  void StartProfiler();
  void CollectProfile();

  std::shared_ptr<const litert::Library> library_;
  const litert::Api* api_ = nullptr;
  std::string model_path_;
  std::vector<char> model_bytes_;  // LiteRT reads the model in place: must outlive model_
  Handle<LiteRtEnvironment> environment_;
  Handle<LiteRtModel> model_;
  Handle<LiteRtCompiledModel> compiled_;
  std::vector<LiteRtTensor> input_tensors_, output_tensors_;
  std::vector<TensorInfo> inputs_, outputs_;
  ModelGraph graph_;
  std::vector<Handle<LiteRtTensorBuffer>> input_buffers_, output_buffers_;
  std::vector<LiteRtTensorBuffer> input_raw_, output_raw_;  // what LiteRtRunCompiledModel takes
  std::vector<LiteRtRankedTensorType> output_types_;  // for wrapping caller memory (RunWithOutputIn)
  SessionOptions options_;
  std::string accelerator_;
  bool fully_accelerated_ = false;
  bool gpu_compiled_ = false;
  std::string fallback_reason_;
  std::string native_log_;
  std::string last_compile_log_;
  LiteRtProfiler profiler_ = nullptr;  // borrowed: owned (and destroyed) by compiled_
  std::string profile_unavailable_;    // non-empty: compile without the profiler, this is why
  std::vector<LiteRtProfiledEventData> raw_events_;
  std::vector<ProfileEvent> last_run_profile_;
  ProfileAccumulator profile_;
  bool profile_recording_ = true;
  long runs_ = 0;
  double run_seconds_ = 0.0;
};

}  // namespace mobilevsr
