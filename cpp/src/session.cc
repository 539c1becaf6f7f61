#include "session.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sched.h>
#include <sys/stat.h>
#include <thread>

#include "crash_probe.h"
#include "errors.h"
#include "native_output.h"

namespace mobilevsr {
namespace {

std::string DTypeName(LiteRtElementType t) {
  switch (t) {
    case kLiteRtElementTypeFloat32: return "float32";
    case kLiteRtElementTypeUInt8: return "uint8";
    case kLiteRtElementTypeInt8: return "int8";
    case kLiteRtElementTypeInt16: return "int16";
    case kLiteRtElementTypeInt32: return "int32";
    case kLiteRtElementTypeInt64: return "int64";
    case kLiteRtElementTypeFloat16: return "float16";
    case kLiteRtElementTypeBool: return "bool";
    default: return "type " + std::to_string(static_cast<int>(t));
  }
}

DType ToDType(LiteRtElementType t) {
  switch (t) {
    case kLiteRtElementTypeFloat32: return DType::kFloat32;
    case kLiteRtElementTypeUInt8: return DType::kUInt8;
    case kLiteRtElementTypeInt8: return DType::kInt8;
    default: return DType::kOther;
  }
}

std::vector<char> ReadModelFile(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw FileNotFound("model file not found: " + path);
  if (S_ISDIR(st.st_mode)) throw InvalidArgument("model path is a folder, not a .tflite file: " + path);
  std::ifstream file(path, std::ios::binary);
  if (!file) throw RuntimeError("cannot open the model file " + path);
  std::vector<char> bytes(static_cast<size_t>(st.st_size));
  if (!bytes.empty() && !file.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw RuntimeError("cannot read the model file " + path);
  // A TFLite flatbuffer starts with a 4-byte root offset, then the file identifier "TFL3".
  if (bytes.size() < 8 || std::memcmp(bytes.data() + 4, "TFL3", 4) != 0)
    throw InvalidArgument("not a TFLite model (no TFL3 identifier): " + path);
  return bytes;
}

// A GPU failure's message plus what the native layers printed about it (Vulkan loader, Dawn, LiteRT).
std::string WithNativeLog(const std::string& message, const std::string& log) {
  const std::string condensed = CondenseNativeLog(log);
  return condensed.empty() ? message : message + "; native log: " + condensed;
}

}  // namespace

int CoresThisProcessMayUse() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  const unsigned cores = std::thread::hardware_concurrency();  // more CPUs than a cpu_set_t holds, or no affinity
  return cores > 0 ? static_cast<int>(cores) : 1;
}

Session::BufferLock::BufferLock(const litert::Api* api, LiteRtTensorBuffer buffer, LiteRtTensorBufferLockMode mode)
    : api_(api), buffer_(buffer) {
  const LiteRtStatus status = api_->LockTensorBuffer(buffer_, &data_, mode);
  if (status != 0) throw RuntimeError("cannot lock a LiteRT tensor buffer: " + litert::StatusToString(status));
}

Session::BufferLock::~BufferLock() { api_->UnlockTensorBuffer(buffer_); }

Session::Session(const SessionOptions& options, const std::string& model_path)
    : library_(litert::Library::Load(Validated(options).litert_library)),
      api_(&library_->api()),
      model_path_(model_path),
      model_bytes_(ReadModelFile(model_path)),
      options_(options),
      num_threads_(options.num_threads.value_or(CoresThisProcessMayUse())) {
  if (options.profile && !library_->profiler_missing().empty())
    throw RuntimeError("profiling needs LiteRT's profiler C API, and the LiteRT library " + library_->path() +
                       " lacks " + library_->profiler_missing() + " (ai-edge-litert 2.3 has it)");
  const std::string library_dir = library_->directory();
  LiteRtEnvOption env_options[2];
  env_options[0].tag = kLiteRtEnvOptionTagRuntimeLibraryDir;
  env_options[0].value.type = kLiteRtAnyTypeString;
  env_options[0].value.str_value = library_dir.c_str();
  env_options[1].tag = kLiteRtEnvOptionTagMinLoggerSeverity;
  env_options[1].value.type = kLiteRtAnyTypeInt;
  env_options[1].value.int_value = options.verbose ? kLiteRtLogSeverityInfo : kLiteRtLogSeverityError;
  // Accelerator plugins report what they could not load, GPU buffers look for OpenCL: a quiet start keeps it all.
  NativeOutputCapture capture(!options.verbose);
  LiteRtEnvironment env = nullptr;
  LiteRtStatus status = api_->CreateEnvironment(2, env_options, &env);
  if (status != 0) Fail("cannot create the LiteRT environment", status);
  environment_ = Handle<LiteRtEnvironment>(env, api_->DestroyEnvironment);

  LiteRtModel model = nullptr;
  status = api_->CreateModelFromBuffer(env, model_bytes_.data(), model_bytes_.size(), &model);
  if (status != 0)
    throw InvalidArgument("cannot load the model " + model_path + ": " + litert::StatusToString(status) +
                          " (corrupted or not a TFLite model)");
  model_ = Handle<LiteRtModel>(model, api_->DestroyModel);
  ReadTensorInfos();
  if (options.probe_in_child) ProbeModelInChildProcess(*library_, model_bytes_, model_path);
  // Read after the probe (a model that crashes LiteRT never gets here) and before compiling.
  LiteRtSignature signature = nullptr;
  if (api_->GetModelSignature(model_.get(), 0, &signature) != 0) signature = nullptr;
  graph_ = ReadModelGraph(*library_, model_.get(), signature, input_tensors_, output_tensors_);

  const bool try_gpu = options.accelerator != Accelerator::kCpu;
  if (try_gpu) {
    try {
      Compile(/*gpu=*/true);
      gpu_compiled_ = true;
      if (!fully_accelerated_) {
        const std::string why = WithNativeLog("the GPU accelerator does not run every op of this model",
                                              last_compile_log_);
        if (options.accelerator == Accelerator::kGpu) throw RuntimeError("accelerator=\"gpu\": " + why);
        fallback_reason_ = why;
      }
    } catch (const RuntimeError& e) {
      if (options.accelerator == Accelerator::kGpu) throw;
      if (fallback_reason_.empty()) fallback_reason_ = e.what();
    }
  }
  if (accelerator_ != "gpu" || !fully_accelerated_) Compile(/*gpu=*/false);
  CreateBuffers();
  if (options.profile && accelerator_ == "gpu") {
    // LiteRT's WebGPU accelerator fails every run once a profiler is attached ("UNIMPLEMENTED: Profile is not
    // implemented"): find out now, with one run, and run unprofiled on the GPU rather than not at all.
    try {
      for (size_t i = 0; i < inputs_.size(); ++i) {
        auto lock = LockInput(i, kLiteRtTensorBufferLockModeWrite);
        std::memset(lock.data(), 0, inputs_[i].byte_count());
      }
      Run();
    } catch (const RuntimeError& e) {
      profile_unavailable_ = std::string("LiteRT's GPU accelerator cannot run with its profiler attached (") +
                             e.what() + "); the model runs unprofiled on the GPU: profile on the CPU "
                             "(accelerator \"cpu\") for per-op times";
      Compile(/*gpu=*/true);
      CreateBuffers();
    }
    profile_.Clear();
  }
  native_log_ += capture.Take();
}

Session::~Session() {
  // Buffers and the compiled model go before the model and the environment they were made from.
  input_buffers_.clear();
  output_buffers_.clear();
  compiled_.reset();
  model_.reset();
  environment_.reset();
}

std::string Session::TakeErrorMessages() const {
  std::string detail;
  char* messages = nullptr;
  if (compiled_ && api_->CompiledModelGetErrorMessages(compiled_.get(), &messages) == 0 && messages) {
    detail = messages;
    std::free(messages);
    api_->CompiledModelClearErrors(compiled_.get());
  }
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == ' ')) detail.pop_back();
  return detail;
}

void Session::Fail(const std::string& what, LiteRtStatus status) const {
  throw RuntimeError(what + ": " + litert::StatusToString(status));
}

void Session::ReadTensorInfos() {
  LiteRtParamIndex num_signatures = 0;
  if (api_->GetNumModelSignatures(model_.get(), &num_signatures) != 0 || num_signatures == 0)
    throw InvalidArgument("the model " + model_path_ + " has no runnable signature");
  LiteRtSignature signature = nullptr;
  if (api_->GetModelSignature(model_.get(), 0, &signature) != 0)
    throw InvalidArgument("cannot read the signature of " + model_path_);
  auto read = [&](bool is_input, std::vector<LiteRtTensor>* tensors, std::vector<TensorInfo>* infos) {
    LiteRtParamIndex count = 0;
    const auto count_fn = is_input ? api_->GetNumSignatureInputs : api_->GetNumSignatureOutputs;
    const auto tensor_fn = is_input ? api_->GetSignatureInputTensorByIndex : api_->GetSignatureOutputTensorByIndex;
    if (count_fn(signature, &count) != 0) throw InvalidArgument("cannot read the tensors of " + model_path_);
    for (LiteRtParamIndex i = 0; i < count; ++i) {
      LiteRtTensor tensor = nullptr;
      const char* name = nullptr;
      LiteRtTensorTypeId type_id{};
      LiteRtRankedTensorType ranked{};
      if (tensor_fn(signature, i, &tensor) != 0 || api_->GetTensorName(tensor, &name) != 0 ||
          api_->GetTensorTypeId(tensor, &type_id) != 0)
        throw InvalidArgument("cannot read tensor " + std::to_string(i) + " of " + model_path_);
      TensorInfo info;
      info.name = name ? name : "";
      if (type_id != kLiteRtRankedTensorType || api_->GetRankedTensorType(tensor, &ranked) != 0)
        throw InvalidArgument("tensor " + info.name + " of " + model_path_ + " has no static rank");
      for (unsigned d = 0; d < ranked.layout.rank; ++d) {
        if (ranked.layout.dimensions[d] <= 0)
          throw InvalidArgument("tensor " + info.name + " has a dynamic dimension; export with fixed shapes");
        info.shape.push_back(ranked.layout.dimensions[d]);
      }
      info.dtype = ToDType(ranked.element_type);
      info.dtype_name = DTypeName(ranked.element_type);
      LiteRtQuantizationTypeId q_type{};
      if (api_->GetQuantizationTypeId(tensor, &q_type) == 0 && q_type == kLiteRtQuantizationPerTensor) {
        LiteRtQuantizationPerTensor q{};
        if (api_->GetPerTensorQuantization(tensor, &q) == 0) {
          info.quantized = true;
          info.quantization = {q.scale, q.zero_point};
        }
      }
      tensors->push_back(tensor);
      infos->push_back(std::move(info));
    }
  };
  read(true, &input_tensors_, &inputs_);
  read(false, &output_tensors_, &outputs_);
}

void Session::Compile(bool gpu) {
  // What LiteRT, TFLite and the GPU stack print while compiling (Vulkan/WebGPU failures, TFLite's XNNPACK notice)
  // goes to native_log_; a GPU failure's message carries its informative lines.
  NativeOutputCapture capture(!options_.verbose);
  try {
    CompileQuietly(gpu);
  } catch (const RuntimeError& e) {
    last_compile_log_ = capture.Take();
    native_log_ += last_compile_log_;
    if (gpu) throw RuntimeError(WithNativeLog(e.what(), last_compile_log_));
    throw;
  }
  last_compile_log_ = capture.Take();
  native_log_ += last_compile_log_;
}

void Session::CompileQuietly(bool gpu) {
  const int num_threads = num_threads_;
  profiler_ = nullptr;
  compiled_.reset();
  accelerator_.clear();
  fully_accelerated_ = false;
  if (gpu) {
    // A missing plugin makes LiteRT quietly compile for the CPU; say so instead.
    LiteRtParamIndex count = 0;
    bool has_gpu = false;
    api_->GetNumAccelerators(environment_.get(), &count);
    for (LiteRtParamIndex i = 0; i < count; ++i) {
      LiteRtAccelerator accelerator = nullptr;
      LiteRtHwAcceleratorSet hw = 0;
      if (api_->GetAccelerator(environment_.get(), i, &accelerator) == 0 &&
          api_->GetAcceleratorHardwareSupport(accelerator, &hw) == 0 && (hw & kLiteRtHwAcceleratorGpu))
        has_gpu = true;
    }
    if (!has_gpu)
      throw RuntimeError("no GPU accelerator plugin was found next to " + library_->path() +
                         " (libLiteRtWebGpuAccelerator.so)");
  }
  LiteRtOptions raw_options = nullptr;
  LiteRtStatus status = api_->CreateOptions(&raw_options);
  if (status != 0) Fail("cannot create LiteRT options", status);
  Handle<LiteRtOptions> options(raw_options, api_->DestroyOptions);
  status = api_->SetOptionsHardwareAccelerators(
      raw_options, gpu ? (kLiteRtHwAcceleratorGpu | kLiteRtHwAcceleratorCpu) : kLiteRtHwAcceleratorCpu);
  if (status != 0) Fail("cannot select the accelerator", status);
  // Accelerator and runtime options travel as TOML text in opaque options, keyed by an identifier.
  auto add_toml_options = [&](const char* identifier, const std::string& toml) {
    char* payload = new char[toml.size() + 1];
    std::memcpy(payload, toml.c_str(), toml.size() + 1);
    LiteRtOpaqueOptions opaque = nullptr;
    LiteRtStatus s = api_->CreateOpaqueOptions(identifier, payload, [](void* p) { delete[] static_cast<char*>(p); },
                                               &opaque);
    if (s != 0) {
      delete[] payload;
      Fail(std::string("cannot create the ") + identifier + " options", s);
    }
    s = api_->AddOpaqueOptions(raw_options, opaque);  // options take ownership
    if (s != 0) {
      api_->DestroyOpaqueOptions(opaque);
      Fail(std::string("cannot set the ") + identifier + " options", s);
    }
  };
  add_toml_options("xnnpack", "num_threads = " + std::to_string(num_threads) + "\n");
  // Kernel errors (e.g. a graph that cannot be reshaped) are collected for our exceptions instead of printed, and
  // LiteRT creates its profiler (one per compiled model, registered with the interpreter before delegates apply).
  std::string runtime_toml;
  if (!options_.verbose) runtime_toml += "error_reporter_mode = 2\n";
  const bool with_profiler = options_.profile && profile_unavailable_.empty();
  if (with_profiler) runtime_toml += "enable_profiling = true\n";
  if (!runtime_toml.empty()) add_toml_options("runtime_options_string", runtime_toml);
  LiteRtCompiledModel compiled = nullptr;
  status = api_->CreateCompiledModel(environment_.get(), model_.get(), raw_options, &compiled);
  if (status != 0) {
    if (gpu) throw RuntimeError("the GPU accelerator could not compile the model (no usable GPU adapter or an "
                                "unsupported op): " + litert::StatusToString(status));
    throw InvalidArgument("LiteRT cannot compile the model " + model_path_ + " for the CPU: " +
                          litert::StatusToString(status));
  }
  compiled_ = Handle<LiteRtCompiledModel>(compiled, api_->DestroyCompiledModel);
  bool fully = false;
  api_->CompiledModelIsFullyAccelerated(compiled, &fully);
  accelerator_ = gpu ? "gpu" : "cpu";
  fully_accelerated_ = gpu ? fully : true;
  if (with_profiler) {
    // On the CPU, LiteRT's delegate is XNNPACK; its partitions show only through their ops.
    profile_.set_delegate_name(gpu ? "GPU" : "XNNPACK");
    StartProfiler();
  }
}

void Session::StartProfiler() {
  LiteRtProfiler profiler = nullptr;
  LiteRtStatus status = api_->CompiledModelGetProfiler(compiled_.get(), &profiler);
  if (status != 0 || profiler == nullptr)
    throw RuntimeError("LiteRT compiled the model without a profiler although enable_profiling was set (" +
                       (status != 0 ? litert::StatusToString(status) : std::string("no profiler")) + ")");
  status = api_->StartProfiler(profiler);
  if (status != 0) Fail("cannot start LiteRT's profiler", status);
  profiler_ = profiler;
}

void Session::CollectProfile() {
  if (profiler_ == nullptr) return;
  std::vector<ProfileEvent> events;
  int count = 0;
  LiteRtStatus status = api_->GetNumProfilerEvents(profiler_, &count);
  if (status != 0) Fail("cannot count LiteRT's profiler events", status);
  if (count > 0) {
    raw_events_.resize(static_cast<size_t>(count));
    status = api_->GetProfilerEvents(profiler_, count, raw_events_.data());
    if (status != 0) Fail("cannot read LiteRT's profiler events", status);
    events.reserve(raw_events_.size());
    for (const LiteRtProfiledEventData& raw : raw_events_) {
      // A layout that does not match the library's would show here first: types are single bits, sources 0..2.
      const int type = raw.event_type;
      const int source = raw.event_source;
      if (type <= 0 || type > kLiteRtProfilerEventTelemetryDelegateReportSettings || (type & (type - 1)) != 0 ||
          source < 0 || source > 2 || raw.tag == nullptr)
        throw RuntimeError("LiteRT's profiler returned an event mobilevsr cannot read (type " + std::to_string(type) +
                           ", source " + std::to_string(source) + "): this LiteRT's ProfiledEventData layout differs "
                           "from the one mobilevsr was written for");
      ProfileEvent event;
      event.tag = raw.tag;
      event.event_type = type;
      event.source = static_cast<ProfileEvent::Source>(source);
      event.start_us = raw.start_timestamp_us;
      event.elapsed_us = raw.elapsed_time_us;
      switch (type) {
        case kLiteRtProfilerEventDefault: event.kind = ProfileEvent::Kind::kStage; break;
        case kLiteRtProfilerEventOperatorInvoke:
          event.kind = ProfileEvent::Kind::kOperator;
          event.node_index = static_cast<int64_t>(raw.event_metadata1);
          event.subgraph_index = static_cast<int64_t>(raw.event_metadata2);
          break;
        case kLiteRtProfilerEventDelegateOperatorInvoke:
        case kLiteRtProfilerEventDelegateProfiledOperatorInvoke:
          event.kind = ProfileEvent::Kind::kDelegateOperator;
          event.node_index = static_cast<int64_t>(raw.event_metadata1);
          break;
        default: event.kind = ProfileEvent::Kind::kOther; break;
      }
      events.push_back(std::move(event));
    }
  }
  // Each run starts from an empty buffer: bounded memory, and no event is counted twice. (LiteRtResetProfiler
  // would also stop the recording: its buffer's reset disables it. Starting again empties and re-enables it.)
  status = api_->StartProfiler(profiler_);
  if (status != 0) Fail("cannot restart LiteRT's profiler", status);
  if (profile_recording_) profile_.AddRun(events);
}

void Session::CreateBuffers() {
  input_buffers_.clear();
  output_buffers_.clear();
  input_raw_.clear();
  output_raw_.clear();
  output_types_.clear();
  auto make = [&](bool is_input, size_t i, const TensorInfo& info, LiteRtTensor tensor) {
    LiteRtTensorBufferRequirements requirements = nullptr;
    LiteRtStatus status = is_input
        ? api_->GetCompiledModelInputBufferRequirements(compiled_.get(), 0, i, &requirements)
        : api_->GetCompiledModelOutputBufferRequirements(compiled_.get(), 0, i, &requirements);
    if (status != 0) Fail("cannot get the buffer requirements of " + info.name, status);
    LiteRtRankedTensorType type{};
    api_->GetRankedTensorType(tensor, &type);
    type.layout.rank = static_cast<unsigned>(info.shape.size());
    type.layout.has_strides = 0;
    for (size_t d = 0; d < info.shape.size(); ++d) type.layout.dimensions[d] = info.shape[d];
    if (!is_input) output_types_.push_back(type);
    LiteRtTensorBuffer buffer = nullptr;
    status = api_->CreateManagedTensorBufferFromRequirements(environment_.get(), &type, requirements, &buffer);
    if (status != 0) Fail("cannot allocate the tensor buffer of " + info.name, status);
    return Handle<LiteRtTensorBuffer>(buffer, api_->DestroyTensorBuffer);
  };
  for (size_t i = 0; i < inputs_.size(); ++i) {
    input_buffers_.push_back(make(true, i, inputs_[i], input_tensors_[i]));
    input_raw_.push_back(input_buffers_.back().get());
  }
  for (size_t o = 0; o < outputs_.size(); ++o) {
    output_buffers_.push_back(make(false, o, outputs_[o], output_tensors_[o]));
    output_raw_.push_back(output_buffers_.back().get());
  }
}

std::optional<std::string> Session::Metadata(const std::string& key) const {
  const void* data = nullptr;
  size_t size = 0;
  if (api_->GetModelMetadata(model_.get(), key.c_str(), &data, &size) != 0 || data == nullptr) return std::nullopt;
  return std::string(static_cast<const char*>(data), size);
}

void Session::Resize(const std::vector<std::vector<int>>& input_shapes) {
  NativeOutputCapture capture(!options_.verbose);  // new buffers and a recompile may print, as at opening
  struct KeepLog {
    NativeOutputCapture& capture;
    std::string& log;
    ~KeepLog() { log += capture.Take(); }
  } keep_log{capture, native_log_};
  const std::vector<TensorInfo> old_inputs = inputs_, old_outputs = outputs_;
  auto describe = [](const std::vector<int>& s) {
    std::string text;
    for (size_t i = 0; i < s.size(); ++i) text += (i ? "x" : "") + std::to_string(s[i]);
    return text;
  };
  std::string failure;
  for (size_t i = 0; i < input_shapes.size() && failure.empty(); ++i) {
    if (input_shapes[i] == inputs_[i].shape) continue;
    const LiteRtStatus status = api_->CompiledModelResizeInputTensorNonStrict(
        compiled_.get(), 0, i, input_shapes[i].data(), input_shapes[i].size());
    if (status != 0) failure = "resizing " + inputs_[i].name + " to " + describe(input_shapes[i]) + " failed (" +
                               litert::StatusToString(status) + ")";
    else inputs_[i].shape = input_shapes[i];
  }
  if (failure.empty()) {
    std::vector<LiteRtLayout> layouts(outputs_.size());
    const LiteRtStatus status = api_->GetCompiledModelOutputTensorLayouts(compiled_.get(), 0, layouts.size(),
                                                                          layouts.data(), /*update_allocation=*/true);
    if (status != 0) {
      const std::string detail = TakeErrorMessages();
      failure = "the graph cannot be reshaped (" + litert::StatusToString(status) +
                (detail.empty() ? "" : ": " + detail) + ")";
    } else {
      for (size_t o = 0; o < outputs_.size(); ++o) {
        std::vector<int> shape(layouts[o].dimensions, layouts[o].dimensions + layouts[o].rank);
        for (int d : shape)
          if (d <= 0) failure = "output " + outputs_[o].name + " has no static shape after resizing";
        outputs_[o].shape = shape;
      }
    }
  }
  if (failure.empty()) {
    try {
      CreateBuffers();
      return;
    } catch (const std::exception& e) {
      failure = e.what();
    }
  }
  // Recompile at the old shapes so the session keeps working for frames of the model's own size.
  inputs_ = old_inputs;
  outputs_ = old_outputs;
  Compile(accelerator_ == "gpu");
  CreateBuffers();
  throw InvalidArgument("this model cannot run at the requested frame size: " + failure);
}

bool Session::CanSwap(size_t i, size_t o) const {
  const TensorInfo &in = inputs_[i], &out = outputs_[o];
  if (in.shape != out.shape || in.dtype != out.dtype || in.quantized != out.quantized) return false;
  if (in.quantized && !(in.quantization == out.quantization)) return false;
  size_t in_size = 0, out_size = 0;
  return api_->GetTensorBufferPackedSize(input_raw_[i], &in_size) == 0 &&
         api_->GetTensorBufferPackedSize(output_raw_[o], &out_size) == 0 && in_size == out_size;
}

void Session::SwapStateBuffers(size_t i, size_t o) {
  std::swap(input_buffers_[i], output_buffers_[o]);
  std::swap(input_raw_[i], output_raw_[o]);
}

void Session::RunWithOutputIn(size_t o, void* memory) {
  if (accelerator_ != "cpu") throw RuntimeError("RunWithOutputIn is for CPU sessions");
  if (reinterpret_cast<uintptr_t>(memory) % kHostAlignment != 0)
    throw InvalidArgument("output memory must be aligned to " + std::to_string(kHostAlignment) + " bytes");
  LiteRtTensorBuffer wrapped = nullptr;
  const LiteRtStatus status = api_->CreateTensorBufferFromHostMemory(&output_types_[o], memory,
                                                                     outputs_[o].byte_count(), nullptr, &wrapped);
  if (status != 0) Fail("cannot wrap host memory for output " + outputs_[o].name, status);
  const Handle<LiteRtTensorBuffer> owner(wrapped, api_->DestroyTensorBuffer);
  // The wrapped buffer is bound for this run only: LiteRT binds buffers anew on every run.
  struct Restore {
    LiteRtTensorBuffer& slot;
    LiteRtTensorBuffer own;
    ~Restore() { slot = own; }
  } restore{output_raw_[o], output_raw_[o]};
  output_raw_[o] = wrapped;
  Run();
}

void Session::Run() {
  const auto start = std::chrono::steady_clock::now();
  const LiteRtStatus status = api_->RunCompiledModel(compiled_.get(), 0, input_raw_.size(), input_raw_.data(),
                                                     output_raw_.size(), output_raw_.data());
  run_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++runs_;
  if (status != 0) {
    if (profiler_ != nullptr) api_->StartProfiler(profiler_);  // drop the failed run's events
    std::string detail = TakeErrorMessages();
    if (!detail.empty()) detail = " (" + detail + ")";
    throw RuntimeError("LiteRT failed to run the model on the " + accelerator_ + ": " +
                       litert::StatusToString(status) + detail);
  }
  if (options_.profile) CollectProfile();
}

}  // namespace mobilevsr
