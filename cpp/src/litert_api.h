// Declarations of the subset of the LiteRT C API (libLiteRt.so, symbol version VERS_1.0) that mobilevsr uses, as
// ai-edge-litert 2.3 (the version pyproject.toml pins) ships it. Written from LiteRT's documented C API; the PyPI and
// Maven packages ship the library without headers. Only types and the function list live here: the functions are
// resolved at run time (litert_library.h).
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

// Opaque handles.
typedef struct LiteRtEnvironmentT* LiteRtEnvironment;
typedef struct LiteRtModelT* LiteRtModel;
typedef struct LiteRtSignatureT* LiteRtSignature;
typedef struct LiteRtTensorT* LiteRtTensor;
typedef struct LiteRtOptionsT* LiteRtOptions;
typedef struct LiteRtOpaqueOptionsT* LiteRtOpaqueOptions;
typedef struct LiteRtCompiledModelT* LiteRtCompiledModel;
typedef struct LiteRtTensorBufferT* LiteRtTensorBuffer;
typedef struct LiteRtTensorBufferRequirementsT* LiteRtTensorBufferRequirements;
typedef struct LiteRtAcceleratorT* LiteRtAccelerator;
typedef struct LiteRtProfilerT* LiteRtProfiler;  // owned by its compiled model: never destroyed by us
// Model inspection (litert/c/litert_model.h): all owned by their LiteRtModel, never destroyed by us.
typedef struct LiteRtSubgraphT* LiteRtSubgraph;
typedef struct LiteRtOpT* LiteRtOp;
typedef struct LiteRtWeightsT* LiteRtWeights;

typedef int LiteRtStatus;  // kLiteRtStatusOk == 0; see StatusToString() for the other codes.
typedef size_t LiteRtParamIndex;
typedef int LiteRtHwAcceleratorSet;
typedef int64_t LiteRtAcceleratorId;

enum : int {
  kLiteRtHwAcceleratorNone = 0,
  kLiteRtHwAcceleratorCpu = 1 << 0,
  kLiteRtHwAcceleratorGpu = 1 << 1,
};

enum LiteRtElementType : int {
  kLiteRtElementTypeNone = 0,
  kLiteRtElementTypeFloat32 = 1,
  kLiteRtElementTypeInt32 = 2,
  kLiteRtElementTypeUInt8 = 3,
  kLiteRtElementTypeInt64 = 4,
  kLiteRtElementTypeBool = 6,
  kLiteRtElementTypeInt16 = 7,
  kLiteRtElementTypeInt8 = 9,
  kLiteRtElementTypeFloat16 = 10,
};

enum LiteRtTensorTypeId : int { kLiteRtRankedTensorType = 0, kLiteRtUnrankedTensorType = 1 };

enum LiteRtQuantizationTypeId : int {
  kLiteRtQuantizationNone = 0,
  kLiteRtQuantizationPerTensor = 1,
  kLiteRtQuantizationPerChannel = 2,
  kLiteRtQuantizationBlockWise = 3,
};

enum LiteRtTensorBufferLockMode : int {
  kLiteRtTensorBufferLockModeRead = 0,
  kLiteRtTensorBufferLockModeWrite = 1,
  kLiteRtTensorBufferLockModeReadWrite = 2,
};

constexpr int kLiteRtTensorMaxRank = 8;

struct LiteRtLayout {
  unsigned int rank : 7;
  unsigned int has_strides : 1;
  int32_t dimensions[kLiteRtTensorMaxRank];
  uint32_t strides[kLiteRtTensorMaxRank];
};
static_assert(sizeof(LiteRtLayout) == 68, "LiteRtLayout ABI");

struct LiteRtRankedTensorType {
  LiteRtElementType element_type;
  LiteRtLayout layout;
};
static_assert(sizeof(LiteRtRankedTensorType) == 72, "LiteRtRankedTensorType ABI");

struct LiteRtQuantizationPerTensor {
  float scale;
  int64_t zero_point;
};
static_assert(sizeof(LiteRtQuantizationPerTensor) == 16, "LiteRtQuantizationPerTensor ABI");

enum LiteRtAnyType : int {
  kLiteRtAnyTypeNone = 0,
  kLiteRtAnyTypeBool = 1,
  kLiteRtAnyTypeInt = 2,
  kLiteRtAnyTypeReal = 3,
  kLiteRtAnyTypeString = 8,
  kLiteRtAnyTypeVoidPtr = 9,
};

struct LiteRtAny {
  LiteRtAnyType type;
  union {
    bool bool_value;
    int64_t int_value;
    double real_value;
    const char* str_value;
    const void* ptr_value;
  };
};
static_assert(sizeof(LiteRtAny) == 16, "LiteRtAny ABI");

enum LiteRtEnvOptionTag : int {
  kLiteRtEnvOptionTagRuntimeLibraryDir = 22,
  kLiteRtEnvOptionTagMinLoggerSeverity = 25,
};

// Logger severities (LiteRtLogSeverity).
enum : int { kLiteRtLogSeverityInfo = 1, kLiteRtLogSeverityWarning = 2, kLiteRtLogSeverityError = 3,
             kLiteRtLogSeveritySilent = 4 };

struct LiteRtEnvOption {
  LiteRtEnvOptionTag tag;
  LiteRtAny value;
};
static_assert(sizeof(LiteRtEnvOption) == 24, "LiteRtEnvOption ABI");

// Profiler events (litert/c/litert_profiler_event.h). The event types are TFLite's tflite::Profiler::EventType bits.
enum LiteRtProfilerEventType : int {
  kLiteRtProfilerEventDefault = 1,                     // LiteRT/interpreter stages ("Invoke", "AllocateTensors", ...)
  kLiteRtProfilerEventOperatorInvoke = 1 << 1,         // one TFLite node: metadata1 = node index, metadata2 = subgraph
  kLiteRtProfilerEventDelegateOperatorInvoke = 1 << 2, // one op inside a delegate kernel: metadata1 = delegate's index
  kLiteRtProfilerEventDelegateProfiledOperatorInvoke = 1 << 3,
  kLiteRtProfilerEventGeneralRuntimeInstrumentation = 1 << 4,
  kLiteRtProfilerEventTelemetry = 1 << 5,
  kLiteRtProfilerEventTelemetryReportSettings = 1 << 6,
  kLiteRtProfilerEventTelemetryDelegate = 1 << 7,
  kLiteRtProfilerEventTelemetryDelegateReportSettings = 1 << 8,
};

enum LiteRtProfiledEventSource : int {
  kLiteRtProfiledEventSourceLiteRt = 0,
  kLiteRtProfiledEventSourceTfliteInterpreter = 1,
  kLiteRtProfiledEventSourceTfliteDelegate = 2,
};

struct LiteRtMemoryUsage {
  size_t total_allocated_bytes;
  size_t in_use_allocated_bytes;
  size_t private_footprint_bytes;
};

struct LiteRtProfiledEventData {
  const char* tag;  // owned by the profiler
  LiteRtProfilerEventType event_type;
  uint64_t start_timestamp_us;
  uint64_t elapsed_time_us;
  LiteRtMemoryUsage begin_mem_usage;
  LiteRtMemoryUsage end_mem_usage;
  uint64_t event_metadata1;
  uint64_t event_metadata2;
  LiteRtProfiledEventSource event_source;
};
static_assert(sizeof(LiteRtProfiledEventData) == 104, "ProfiledEventData ABI");
static_assert(offsetof(LiteRtProfiledEventData, elapsed_time_us) == 24, "ProfiledEventData ABI");
static_assert(offsetof(LiteRtProfiledEventData, event_metadata1) == 80, "ProfiledEventData ABI");
static_assert(offsetof(LiteRtProfiledEventData, event_source) == 96, "ProfiledEventData ABI");

// Op codes (litert/c/litert_op_code.h, an int-sized enum): LiteRT numbers TFLite's builtin ops as TFLite's schema
// does (BuiltinOperator). The ones the receptive-field walk (model_graph.cc) tells apart.
typedef int LiteRtOpCode;
enum : int {
  kLiteRtOpAdd = 0, kLiteRtOpAveragePool2d = 1, kLiteRtOpConcatenation = 2, kLiteRtOpConv2d = 3,
  kLiteRtOpDepthwiseConv2d = 4, kLiteRtOpDepthToSpace = 5, kLiteRtOpDequantize = 6, kLiteRtOpFloor = 8,
  kLiteRtOpFullyConnected = 9, kLiteRtOpL2Normalization = 11, kLiteRtOpL2Pool2d = 12,
  kLiteRtOpLocalResponseNormalization = 13, kLiteRtOpLogistic = 14, kLiteRtOpMaxPool2d = 17, kLiteRtOpMul = 18,
  kLiteRtOpRelu = 19, kLiteRtOpReluN1To1 = 20, kLiteRtOpRelu6 = 21, kLiteRtOpReshape = 22,
  kLiteRtOpResizeBilinear = 23, kLiteRtOpSoftmax = 25, kLiteRtOpSpaceToDepth = 26, kLiteRtOpTanh = 28,
  kLiteRtOpCustom = 32, kLiteRtOpPad = 34, kLiteRtOpGather = 36, kLiteRtOpTranspose = 39, kLiteRtOpMean = 40,
  kLiteRtOpSub = 41, kLiteRtOpDiv = 42, kLiteRtOpSqueeze = 43, kLiteRtOpStridedSlice = 45, kLiteRtOpExp = 47,
  kLiteRtOpSplit = 49, kLiteRtOpLogSoftmax = 50, kLiteRtOpCast = 53, kLiteRtOpPrelu = 54, kLiteRtOpMaximum = 55,
  kLiteRtOpMinimum = 57, kLiteRtOpLess = 58, kLiteRtOpNeg = 59, kLiteRtOpPadV2 = 60, kLiteRtOpGreater = 61,
  kLiteRtOpGreaterEqual = 62, kLiteRtOpLessEqual = 63, kLiteRtOpSelect = 64, kLiteRtOpSlice = 65, kLiteRtOpSin = 66,
  kLiteRtOpTransposeConv = 67, kLiteRtOpTile = 69, kLiteRtOpExpandDims = 70, kLiteRtOpEqual = 71,
  kLiteRtOpNotEqual = 72, kLiteRtOpLog = 73, kLiteRtOpSum = 74, kLiteRtOpSqrt = 75, kLiteRtOpRsqrt = 76,
  kLiteRtOpShape = 77, kLiteRtOpPow = 78, kLiteRtOpFakeQuant = 80, kLiteRtOpReduceProd = 81,
  kLiteRtOpReduceMax = 82, kLiteRtOpReduceMin = 89, kLiteRtOpFloorDiv = 90, kLiteRtOpReduceAny = 91,
  kLiteRtOpSquare = 92, kLiteRtOpFloorMod = 95, kLiteRtOpResizeNearestNeighbor = 97, kLiteRtOpLeakyRelu = 98,
  kLiteRtOpSquaredDifference = 99, kLiteRtOpMirrorPad = 100, kLiteRtOpAbs = 101, kLiteRtOpSplitV = 102,
  kLiteRtOpCeil = 104, kLiteRtOpAddN = 106, kLiteRtOpCos = 108, kLiteRtOpElu = 111, kLiteRtOpQuantize = 114,
  kLiteRtOpRound = 116, kLiteRtOpHardSwish = 117, kLiteRtOpSelectV2 = 123, kLiteRtOpBroadcastTo = 130,
  kLiteRtOpReduceAll = 140, kLiteRtOpGelu = 150, kLiteRtOpRelu0To1 = 152, kLiteRtOpSign = 158,
};

}  // extern "C"

namespace mobilevsr::litert {

// Every C function mobilevsr calls, each declared once as X(Name, return type, parameter types...): the symbol is
// "LiteRt" #Name, Api gets the pointer field Name, and Library::Load() resolves it. Grouped by what a missing one
// costs.

// Required: a library without one of these is refused.
#define MOBILEVSR_LITERT_REQUIRED(X)                                                                                  \
  X(CreateEnvironment, LiteRtStatus, int, const LiteRtEnvOption*, LiteRtEnvironment*)                                 \
  X(DestroyEnvironment, void, LiteRtEnvironment)                                                                      \
  X(GetNumAccelerators, LiteRtStatus, LiteRtEnvironment, LiteRtParamIndex*)                                           \
  X(GetAccelerator, LiteRtStatus, LiteRtEnvironment, LiteRtParamIndex, LiteRtAccelerator*)                            \
  X(GetAcceleratorHardwareSupport, LiteRtStatus, LiteRtAccelerator, LiteRtHwAcceleratorSet*)                          \
  X(CreateModelFromBuffer, LiteRtStatus, LiteRtEnvironment, const void*, size_t, LiteRtModel*)                        \
  X(DestroyModel, void, LiteRtModel)                                                                                  \
  X(GetModelMetadata, LiteRtStatus, LiteRtModel, const char*, const void**, size_t*)                                  \
  X(GetNumModelSignatures, LiteRtStatus, LiteRtModel, LiteRtParamIndex*)                                              \
  X(GetModelSignature, LiteRtStatus, LiteRtModel, LiteRtParamIndex, LiteRtSignature*)                                 \
  X(GetNumSignatureInputs, LiteRtStatus, LiteRtSignature, LiteRtParamIndex*)                                          \
  X(GetNumSignatureOutputs, LiteRtStatus, LiteRtSignature, LiteRtParamIndex*)                                         \
  X(GetSignatureInputTensorByIndex, LiteRtStatus, LiteRtSignature, LiteRtParamIndex, LiteRtTensor*)                   \
  X(GetSignatureOutputTensorByIndex, LiteRtStatus, LiteRtSignature, LiteRtParamIndex, LiteRtTensor*)                  \
  X(GetTensorName, LiteRtStatus, LiteRtTensor, const char**)                                                          \
  X(GetTensorTypeId, LiteRtStatus, LiteRtTensor, LiteRtTensorTypeId*)                                                 \
  X(GetRankedTensorType, LiteRtStatus, LiteRtTensor, LiteRtRankedTensorType*)                                         \
  X(GetQuantizationTypeId, LiteRtStatus, LiteRtTensor, LiteRtQuantizationTypeId*)                                     \
  X(GetPerTensorQuantization, LiteRtStatus, LiteRtTensor, LiteRtQuantizationPerTensor*)                               \
  X(CreateOptions, LiteRtStatus, LiteRtOptions*)                                                                      \
  X(DestroyOptions, void, LiteRtOptions)                                                                              \
  X(SetOptionsHardwareAccelerators, LiteRtStatus, LiteRtOptions, LiteRtHwAcceleratorSet)                              \
  X(AddOpaqueOptions, LiteRtStatus, LiteRtOptions, LiteRtOpaqueOptions)                                               \
  X(CreateOpaqueOptions, LiteRtStatus, const char*, void*, void (*)(void*), LiteRtOpaqueOptions*)                     \
  X(DestroyOpaqueOptions, void, LiteRtOpaqueOptions)                                                                  \
  X(CreateCompiledModel, LiteRtStatus, LiteRtEnvironment, LiteRtModel, LiteRtOptions, LiteRtCompiledModel*)           \
  X(DestroyCompiledModel, void, LiteRtCompiledModel)                                                                  \
  X(CompiledModelIsFullyAccelerated, LiteRtStatus, LiteRtCompiledModel, bool*)                                        \
  /* NonStrict: static dimensions may change too */                                                                   \
  X(CompiledModelResizeInputTensorNonStrict, LiteRtStatus, LiteRtCompiledModel, LiteRtParamIndex, LiteRtParamIndex,   \
    const int*, size_t)                                                                                               \
  X(GetCompiledModelInputBufferRequirements, LiteRtStatus, LiteRtCompiledModel, LiteRtParamIndex, LiteRtParamIndex,   \
    LiteRtTensorBufferRequirements*)                                                                                  \
  X(GetCompiledModelOutputBufferRequirements, LiteRtStatus, LiteRtCompiledModel, LiteRtParamIndex, LiteRtParamIndex,  \
    LiteRtTensorBufferRequirements*)                                                                                  \
  X(GetCompiledModelOutputTensorLayouts, LiteRtStatus, LiteRtCompiledModel, LiteRtParamIndex, size_t, LiteRtLayout*,  \
    bool)                                                                                                             \
  X(RunCompiledModel, LiteRtStatus, LiteRtCompiledModel, LiteRtParamIndex, size_t, LiteRtTensorBuffer*, size_t,       \
    LiteRtTensorBuffer*)                                                                                              \
  X(CompiledModelGetErrorMessages, LiteRtStatus, LiteRtCompiledModel, char**)                                         \
  X(CompiledModelClearErrors, LiteRtStatus, LiteRtCompiledModel)                                                      \
  X(CreateManagedTensorBufferFromRequirements, LiteRtStatus, LiteRtEnvironment, const LiteRtRankedTensorType*,        \
    LiteRtTensorBufferRequirements, LiteRtTensorBuffer*)                                                              \
  /* wraps caller-owned host memory (aligned to 64 bytes); the deallocator may be null (the caller frees it) */       \
  X(CreateTensorBufferFromHostMemory, LiteRtStatus, const LiteRtRankedTensorType*, void*, size_t, void (*)(void*),    \
    LiteRtTensorBuffer*)                                                                                              \
  X(DestroyTensorBuffer, void, LiteRtTensorBuffer)                                                                    \
  X(LockTensorBuffer, LiteRtStatus, LiteRtTensorBuffer, void**, LiteRtTensorBufferLockMode)                           \
  X(UnlockTensorBuffer, LiteRtStatus, LiteRtTensorBuffer)                                                             \
  X(GetTensorBufferPackedSize, LiteRtStatus, LiteRtTensorBuffer, size_t*)

// The profiler: only SessionOptions::profile needs it. All null when any is missing (Library::profiler_missing()).
#define MOBILEVSR_LITERT_PROFILER(X)                                                                                  \
  X(CompiledModelGetProfiler, LiteRtStatus, LiteRtCompiledModel, LiteRtProfiler*)                                     \
  /* (re)starts recording into an emptied buffer */                                                                   \
  X(StartProfiler, LiteRtStatus, LiteRtProfiler)                                                                      \
  X(GetNumProfilerEvents, LiteRtStatus, LiteRtProfiler, int*)                                                         \
  X(GetProfilerEvents, LiteRtStatus, LiteRtProfiler, int, LiteRtProfiledEventData*)

// The graph walk of the receptive field (model_graph.cc). All null when any is missing, or when neither way to the
// subgraph (by signature, by index) is there (Library::inspection_missing()): the receptive field is then not
// computable.
#define MOBILEVSR_LITERT_INSPECTION(X)                                                                                \
  X(GetNumSubgraphOps, LiteRtStatus, LiteRtSubgraph, LiteRtParamIndex*)                                               \
  X(GetSubgraphOp, LiteRtStatus, LiteRtSubgraph, LiteRtParamIndex, LiteRtOp*)                                         \
  X(GetOpCode, LiteRtStatus, LiteRtOp, LiteRtOpCode*)                                                                 \
  X(GetNumOpInputs, LiteRtStatus, LiteRtOp, LiteRtParamIndex*)                                                        \
  X(GetOpInput, LiteRtStatus, LiteRtOp, LiteRtParamIndex, LiteRtTensor*)                                              \
  X(GetNumOpOutputs, LiteRtStatus, LiteRtOp, LiteRtParamIndex*)                                                       \
  X(GetOpOutput, LiteRtStatus, LiteRtOp, LiteRtParamIndex, LiteRtTensor*)
#define MOBILEVSR_LITERT_SUBGRAPH(X)                                                                                  \
  X(GetSignatureSubgraph, LiteRtStatus, LiteRtSignature, LiteRtSubgraph*)                                             \
  X(GetModelSubgraph, LiteRtStatus, LiteRtModel, LiteRtParamIndex, LiteRtSubgraph*)

// Each may be missing on its own: the walk then treats the ops that need it as not understood. The op option getters
// (litert/c/litert_op_options.h) fail unless the op has that code.
#define MOBILEVSR_LITERT_EACH_OPTIONAL(X)                                                                             \
  X(GetTensorWeights, LiteRtStatus, LiteRtTensor, LiteRtWeights*)                                                     \
  X(GetWeightsBytes, LiteRtStatus, LiteRtWeights, const void**, size_t*)                                              \
  X(GetCustomCode, LiteRtStatus, LiteRtOp, const char**)                                                              \
  X(GetConv2dStrideHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                         \
  X(GetConv2dStrideWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                         \
  X(GetConv2dDilationHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                       \
  X(GetConv2dDilationWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                       \
  X(GetDepthwiseConv2dStrideHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                \
  X(GetDepthwiseConv2dStrideWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                \
  X(GetDepthwiseConv2dDilationHOption, LiteRtStatus, LiteRtOp, int32_t*)                                              \
  X(GetDepthwiseConv2dDilationWOption, LiteRtStatus, LiteRtOp, int32_t*)                                              \
  X(GetTransposeConvStrideHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                  \
  X(GetTransposeConvStrideWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                  \
  X(GetAveragePool2dStrideHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                  \
  X(GetAveragePool2dStrideWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                  \
  X(GetAveragePool2dFilterHeightOption, LiteRtStatus, LiteRtOp, int32_t*)                                             \
  X(GetAveragePool2dFilterWidthOption, LiteRtStatus, LiteRtOp, int32_t*)                                              \
  X(GetMaxPool2dStrideHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                      \
  X(GetMaxPool2dStrideWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                      \
  X(GetMaxPool2dFilterHeightOption, LiteRtStatus, LiteRtOp, int32_t*)                                                 \
  X(GetMaxPool2dFilterWidthOption, LiteRtStatus, LiteRtOp, int32_t*)                                                  \
  X(GetL2Pool2dStrideHOption, LiteRtStatus, LiteRtOp, int32_t*)                                                       \
  X(GetL2Pool2dStrideWOption, LiteRtStatus, LiteRtOp, int32_t*)                                                       \
  X(GetL2Pool2dFilterHeightOption, LiteRtStatus, LiteRtOp, int32_t*)                                                  \
  X(GetL2Pool2dFilterWidthOption, LiteRtStatus, LiteRtOp, int32_t*)                                                   \
  X(GetDepthToSpaceBlockSizeOption, LiteRtStatus, LiteRtOp, int32_t*)                                                 \
  X(GetSpaceToDepthBlockSizeOption, LiteRtStatus, LiteRtOp, int32_t*)                                                 \
  X(GetConcatenationAxisOption, LiteRtStatus, LiteRtOp, int32_t*)                                                     \
  X(GetGatherAxisOption, LiteRtStatus, LiteRtOp, int32_t*)                                                            \
  X(GetResizeNearestNeighborAlignCornersOption, LiteRtStatus, LiteRtOp, bool*)

// An op option getter's type, for code that picks one of several.
using OpInt32OptionFn = LiteRtStatus (*)(LiteRtOp, int32_t*);

// The resolved function table, filled once by Library::Load().
struct Api {
#define MOBILEVSR_LITERT_FIELD(name, result, ...) result (*name)(__VA_ARGS__) = nullptr;
  MOBILEVSR_LITERT_REQUIRED(MOBILEVSR_LITERT_FIELD)
  MOBILEVSR_LITERT_PROFILER(MOBILEVSR_LITERT_FIELD)
  MOBILEVSR_LITERT_INSPECTION(MOBILEVSR_LITERT_FIELD)
  MOBILEVSR_LITERT_SUBGRAPH(MOBILEVSR_LITERT_FIELD)
  MOBILEVSR_LITERT_EACH_OPTIONAL(MOBILEVSR_LITERT_FIELD)
#undef MOBILEVSR_LITERT_FIELD
};

}  // namespace mobilevsr::litert
