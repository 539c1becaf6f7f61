#include "litert_library.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <utility>

#include "errors.h"

namespace mobilevsr::litert {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string Dirname(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

template <typename Fn>
void Resolve(void* handle, const std::string& library, const char* symbol, Fn* out) {
  dlerror();
  void* address = dlsym(handle, symbol);
  if (address == nullptr) {
    throw RuntimeError("LiteRT library " + library + " lacks the symbol " + symbol +
                       " (mobilevsr needs a LiteRT with the C API of ai-edge-litert >= 2.0)");
  }
  *out = reinterpret_cast<Fn>(address);
}

// Resolves an optional symbol: false (and *out null) when it is missing.
template <typename Fn>
bool ResolveOptional(void* handle, const char* symbol, Fn* out) {
  dlerror();
  *out = reinterpret_cast<Fn>(dlsym(handle, symbol));
  return *out != nullptr;
}

}  // namespace

std::shared_ptr<const Library> Library::Load(const std::string& requested) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Library>> cache;
  std::lock_guard<std::mutex> lock(mutex);

  const std::string path = IsDirectory(requested) ? requested + "/libLiteRt.so" : requested;
  if (auto it = cache.find(path); it != cache.end()) return it->second;

  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw RuntimeError("cannot load the LiteRT library " + path + ": " + (why ? why : "unknown dlopen error"));
  }
  std::shared_ptr<Library> library(new Library());
  library->path_ = path;
  library->directory_ = Dirname(path);
  Api& a = library->api_;
#define MOBILEVSR_RESOLVE(field, symbol) Resolve(handle, path, symbol, &a.field)
  MOBILEVSR_RESOLVE(CreateEnvironment, "LiteRtCreateEnvironment");
  MOBILEVSR_RESOLVE(DestroyEnvironment, "LiteRtDestroyEnvironment");
  MOBILEVSR_RESOLVE(GetNumAccelerators, "LiteRtGetNumAccelerators");
  MOBILEVSR_RESOLVE(GetAccelerator, "LiteRtGetAccelerator");
  MOBILEVSR_RESOLVE(GetAcceleratorName, "LiteRtGetAcceleratorName");
  MOBILEVSR_RESOLVE(GetAcceleratorHardwareSupport, "LiteRtGetAcceleratorHardwareSupport");
  MOBILEVSR_RESOLVE(CreateModelFromBuffer, "LiteRtCreateModelFromBuffer");
  MOBILEVSR_RESOLVE(DestroyModel, "LiteRtDestroyModel");
  MOBILEVSR_RESOLVE(GetModelMetadata, "LiteRtGetModelMetadata");
  MOBILEVSR_RESOLVE(GetNumModelSignatures, "LiteRtGetNumModelSignatures");
  MOBILEVSR_RESOLVE(GetModelSignature, "LiteRtGetModelSignature");
  MOBILEVSR_RESOLVE(GetNumSignatureInputs, "LiteRtGetNumSignatureInputs");
  MOBILEVSR_RESOLVE(GetNumSignatureOutputs, "LiteRtGetNumSignatureOutputs");
  MOBILEVSR_RESOLVE(GetSignatureInputTensorByIndex, "LiteRtGetSignatureInputTensorByIndex");
  MOBILEVSR_RESOLVE(GetSignatureOutputTensorByIndex, "LiteRtGetSignatureOutputTensorByIndex");
  MOBILEVSR_RESOLVE(GetTensorName, "LiteRtGetTensorName");
  MOBILEVSR_RESOLVE(GetTensorTypeId, "LiteRtGetTensorTypeId");
  MOBILEVSR_RESOLVE(GetRankedTensorType, "LiteRtGetRankedTensorType");
  MOBILEVSR_RESOLVE(GetQuantizationTypeId, "LiteRtGetQuantizationTypeId");
  MOBILEVSR_RESOLVE(GetPerTensorQuantization, "LiteRtGetPerTensorQuantization");
  MOBILEVSR_RESOLVE(CreateOptions, "LiteRtCreateOptions");
  MOBILEVSR_RESOLVE(DestroyOptions, "LiteRtDestroyOptions");
  MOBILEVSR_RESOLVE(SetOptionsHardwareAccelerators, "LiteRtSetOptionsHardwareAccelerators");
  MOBILEVSR_RESOLVE(AddOpaqueOptions, "LiteRtAddOpaqueOptions");
  MOBILEVSR_RESOLVE(CreateOpaqueOptions, "LiteRtCreateOpaqueOptions");
  MOBILEVSR_RESOLVE(DestroyOpaqueOptions, "LiteRtDestroyOpaqueOptions");
  MOBILEVSR_RESOLVE(CreateCompiledModel, "LiteRtCreateCompiledModel");
  MOBILEVSR_RESOLVE(DestroyCompiledModel, "LiteRtDestroyCompiledModel");
  MOBILEVSR_RESOLVE(CompiledModelIsFullyAccelerated, "LiteRtCompiledModelIsFullyAccelerated");
  MOBILEVSR_RESOLVE(CompiledModelResizeInputTensor, "LiteRtCompiledModelResizeInputTensorNonStrict");
  MOBILEVSR_RESOLVE(GetCompiledModelInputBufferRequirements, "LiteRtGetCompiledModelInputBufferRequirements");
  MOBILEVSR_RESOLVE(GetCompiledModelOutputBufferRequirements, "LiteRtGetCompiledModelOutputBufferRequirements");
  MOBILEVSR_RESOLVE(GetCompiledModelInputTensorLayout, "LiteRtGetCompiledModelInputTensorLayout");
  MOBILEVSR_RESOLVE(GetCompiledModelOutputTensorLayouts, "LiteRtGetCompiledModelOutputTensorLayouts");
  MOBILEVSR_RESOLVE(RunCompiledModel, "LiteRtRunCompiledModel");
  MOBILEVSR_RESOLVE(CompiledModelGetErrorMessages, "LiteRtCompiledModelGetErrorMessages");
  MOBILEVSR_RESOLVE(CompiledModelClearErrors, "LiteRtCompiledModelClearErrors");
  MOBILEVSR_RESOLVE(CreateManagedTensorBufferFromRequirements, "LiteRtCreateManagedTensorBufferFromRequirements");
  MOBILEVSR_RESOLVE(CreateTensorBufferFromHostMemory, "LiteRtCreateTensorBufferFromHostMemory");
  MOBILEVSR_RESOLVE(DestroyTensorBuffer, "LiteRtDestroyTensorBuffer");
  MOBILEVSR_RESOLVE(LockTensorBuffer, "LiteRtLockTensorBuffer");
  MOBILEVSR_RESOLVE(UnlockTensorBuffer, "LiteRtUnlockTensorBuffer");
  MOBILEVSR_RESOLVE(GetTensorBufferPackedSize, "LiteRtGetTensorBufferPackedSize");
#undef MOBILEVSR_RESOLVE
  // The profiler is optional: a library without it still runs models, only profiling fails (with this name).
  const std::pair<const char*, bool> profiler_symbols[] = {
      {"LiteRtCompiledModelGetProfiler", ResolveOptional(handle, "LiteRtCompiledModelGetProfiler",
                                                         &a.CompiledModelGetProfiler)},
      {"LiteRtStartProfiler", ResolveOptional(handle, "LiteRtStartProfiler", &a.StartProfiler)},
      {"LiteRtGetNumProfilerEvents", ResolveOptional(handle, "LiteRtGetNumProfilerEvents", &a.GetNumProfilerEvents)},
      {"LiteRtGetProfilerEvents", ResolveOptional(handle, "LiteRtGetProfilerEvents", &a.GetProfilerEvents)},
  };
  for (const auto& [symbol, found] : profiler_symbols) {
    if (!found && library->profiler_missing_.empty()) library->profiler_missing_ = symbol;
  }
  if (!library->profiler_missing_.empty()) {
    a.CompiledModelGetProfiler = nullptr;
    a.StartProfiler = nullptr;
    a.GetNumProfilerEvents = nullptr;
    a.GetProfilerEvents = nullptr;
  }
  // Model inspection is optional too: without it the receptive field is "not computable" and tiles overlap by the
  // default.
  const std::pair<const char*, bool> inspection_symbols[] = {
      {"LiteRtGetNumSubgraphOps", ResolveOptional(handle, "LiteRtGetNumSubgraphOps", &a.GetNumSubgraphOps)},
      {"LiteRtGetSubgraphOp", ResolveOptional(handle, "LiteRtGetSubgraphOp", &a.GetSubgraphOp)},
      {"LiteRtGetOpCode", ResolveOptional(handle, "LiteRtGetOpCode", &a.GetOpCode)},
      {"LiteRtGetNumOpInputs", ResolveOptional(handle, "LiteRtGetNumOpInputs", &a.GetNumOpInputs)},
      {"LiteRtGetOpInput", ResolveOptional(handle, "LiteRtGetOpInput", &a.GetOpInput)},
      {"LiteRtGetNumOpOutputs", ResolveOptional(handle, "LiteRtGetNumOpOutputs", &a.GetNumOpOutputs)},
      {"LiteRtGetOpOutput", ResolveOptional(handle, "LiteRtGetOpOutput", &a.GetOpOutput)},
  };
  for (const auto& [symbol, found] : inspection_symbols) {
    if (!found && library->inspection_missing_.empty()) library->inspection_missing_ = symbol;
  }
  const bool has_subgraph = ResolveOptional(handle, "LiteRtGetSignatureSubgraph", &a.GetSignatureSubgraph) |
                            ResolveOptional(handle, "LiteRtGetModelSubgraph", &a.GetModelSubgraph);
  if (!has_subgraph && library->inspection_missing_.empty())
    library->inspection_missing_ = "LiteRtGetSignatureSubgraph";
  if (!library->inspection_missing_.empty()) {
    a.GetSignatureSubgraph = nullptr;
    a.GetModelSubgraph = nullptr;
    a.GetNumSubgraphOps = nullptr;
    a.GetSubgraphOp = nullptr;
    a.GetOpCode = nullptr;
    a.GetNumOpInputs = nullptr;
    a.GetOpInput = nullptr;
    a.GetNumOpOutputs = nullptr;
    a.GetOpOutput = nullptr;
  }
  // Each of these may be missing on its own: the walk then treats the ops that need it as not understood.
  ResolveOptional(handle, "LiteRtGetTensorWeights", &a.GetTensorWeights);
  ResolveOptional(handle, "LiteRtGetWeightsBytes", &a.GetWeightsBytes);
  ResolveOptional(handle, "LiteRtGetCustomCode", &a.GetCustomCode);
#define MOBILEVSR_OPTION(field, symbol) ResolveOptional(handle, symbol, &a.field)
  MOBILEVSR_OPTION(GetConv2dStrideH, "LiteRtGetConv2dStrideHOption");
  MOBILEVSR_OPTION(GetConv2dStrideW, "LiteRtGetConv2dStrideWOption");
  MOBILEVSR_OPTION(GetConv2dDilationH, "LiteRtGetConv2dDilationHOption");
  MOBILEVSR_OPTION(GetConv2dDilationW, "LiteRtGetConv2dDilationWOption");
  MOBILEVSR_OPTION(GetDepthwiseConv2dStrideH, "LiteRtGetDepthwiseConv2dStrideHOption");
  MOBILEVSR_OPTION(GetDepthwiseConv2dStrideW, "LiteRtGetDepthwiseConv2dStrideWOption");
  MOBILEVSR_OPTION(GetDepthwiseConv2dDilationH, "LiteRtGetDepthwiseConv2dDilationHOption");
  MOBILEVSR_OPTION(GetDepthwiseConv2dDilationW, "LiteRtGetDepthwiseConv2dDilationWOption");
  MOBILEVSR_OPTION(GetTransposeConvStrideH, "LiteRtGetTransposeConvStrideHOption");
  MOBILEVSR_OPTION(GetTransposeConvStrideW, "LiteRtGetTransposeConvStrideWOption");
  MOBILEVSR_OPTION(GetAveragePool2dStrideH, "LiteRtGetAveragePool2dStrideHOption");
  MOBILEVSR_OPTION(GetAveragePool2dStrideW, "LiteRtGetAveragePool2dStrideWOption");
  MOBILEVSR_OPTION(GetAveragePool2dFilterH, "LiteRtGetAveragePool2dFilterHeightOption");
  MOBILEVSR_OPTION(GetAveragePool2dFilterW, "LiteRtGetAveragePool2dFilterWidthOption");
  MOBILEVSR_OPTION(GetMaxPool2dStrideH, "LiteRtGetMaxPool2dStrideHOption");
  MOBILEVSR_OPTION(GetMaxPool2dStrideW, "LiteRtGetMaxPool2dStrideWOption");
  MOBILEVSR_OPTION(GetMaxPool2dFilterH, "LiteRtGetMaxPool2dFilterHeightOption");
  MOBILEVSR_OPTION(GetMaxPool2dFilterW, "LiteRtGetMaxPool2dFilterWidthOption");
  MOBILEVSR_OPTION(GetL2Pool2dStrideH, "LiteRtGetL2Pool2dStrideHOption");
  MOBILEVSR_OPTION(GetL2Pool2dStrideW, "LiteRtGetL2Pool2dStrideWOption");
  MOBILEVSR_OPTION(GetL2Pool2dFilterH, "LiteRtGetL2Pool2dFilterHeightOption");
  MOBILEVSR_OPTION(GetL2Pool2dFilterW, "LiteRtGetL2Pool2dFilterWidthOption");
  MOBILEVSR_OPTION(GetDepthToSpaceBlockSize, "LiteRtGetDepthToSpaceBlockSizeOption");
  MOBILEVSR_OPTION(GetSpaceToDepthBlockSize, "LiteRtGetSpaceToDepthBlockSizeOption");
  MOBILEVSR_OPTION(GetConcatenationAxis, "LiteRtGetConcatenationAxisOption");
  MOBILEVSR_OPTION(GetGatherAxis, "LiteRtGetGatherAxisOption");
  MOBILEVSR_OPTION(GetResizeNearestNeighborAlignCorners, "LiteRtGetResizeNearestNeighborAlignCornersOption");
#undef MOBILEVSR_OPTION
  cache.emplace(path, library);
  return library;
}

std::string StatusToString(LiteRtStatus status) {
  switch (status) {
    case 0: return "ok";
    case 1: return "invalid argument";
    case 2: return "memory allocation failure";
    case 3: return "runtime failure";
    case 4: return "missing input tensor";
    case 5: return "unsupported";
    case 6: return "not found";
    case 7: return "timeout expired";
    case 8: return "wrong version";
    case 9: return "unknown error";
    case 10: return "already exists";
    case 100: return "cancelled";
    case 500: return "file I/O error";
    case 501: return "invalid flatbuffer";
    case 502: return "dynamic loading error";
    case 503: return "serialization error";
    case 504: return "compilation error";
    case 1000: return "index out of bounds";
    case 1001: return "invalid IR type";
    case 1002: return "invalid graph invariant";
    case 1003: return "graph modification error";
    case 4000: return "unsupported runtime version";
    case 4001: return "unsupported compiler version";
    case 4002: return "incompatible byte code version";
    case 5000: return "unsupported op shape inferer";
    case 5001: return "shape inference failed";
    default: return "LiteRT status " + std::to_string(status);
  }
}

}  // namespace mobilevsr::litert
