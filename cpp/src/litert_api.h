// Declarations of the subset of the LiteRT C API (libLiteRt.so, symbol version VERS_1.0) that mobilevsr uses.
// Written from LiteRT's documented C API; the PyPI and Maven packages ship the library without headers.
// Only types and function-pointer typedefs live here: the functions are resolved at run time (litert_library.h).
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

// Function-pointer types, one per C API function we call.
using CreateEnvironmentFn = LiteRtStatus (*)(int, const LiteRtEnvOption*, LiteRtEnvironment*);
using DestroyEnvironmentFn = void (*)(LiteRtEnvironment);
using GetNumAcceleratorsFn = LiteRtStatus (*)(LiteRtEnvironment, LiteRtParamIndex*);
using GetAcceleratorFn = LiteRtStatus (*)(LiteRtEnvironment, LiteRtParamIndex, LiteRtAccelerator*);
using GetAcceleratorNameFn = LiteRtStatus (*)(LiteRtAccelerator, const char**);
using GetAcceleratorHardwareSupportFn = LiteRtStatus (*)(LiteRtAccelerator, LiteRtHwAcceleratorSet*);

using CreateModelFromBufferFn = LiteRtStatus (*)(LiteRtEnvironment, const void*, size_t, LiteRtModel*);
using DestroyModelFn = void (*)(LiteRtModel);
using GetModelMetadataFn = LiteRtStatus (*)(LiteRtModel, const char*, const void**, size_t*);
using GetNumModelSignaturesFn = LiteRtStatus (*)(LiteRtModel, LiteRtParamIndex*);
using GetModelSignatureFn = LiteRtStatus (*)(LiteRtModel, LiteRtParamIndex, LiteRtSignature*);
using GetNumSignatureInputsFn = LiteRtStatus (*)(LiteRtSignature, LiteRtParamIndex*);
using GetNumSignatureOutputsFn = LiteRtStatus (*)(LiteRtSignature, LiteRtParamIndex*);
using GetSignatureInputTensorByIndexFn = LiteRtStatus (*)(LiteRtSignature, LiteRtParamIndex, LiteRtTensor*);
using GetSignatureOutputTensorByIndexFn = LiteRtStatus (*)(LiteRtSignature, LiteRtParamIndex, LiteRtTensor*);
using GetTensorNameFn = LiteRtStatus (*)(LiteRtTensor, const char**);
using GetTensorTypeIdFn = LiteRtStatus (*)(LiteRtTensor, LiteRtTensorTypeId*);
using GetRankedTensorTypeFn = LiteRtStatus (*)(LiteRtTensor, LiteRtRankedTensorType*);
using GetQuantizationTypeIdFn = LiteRtStatus (*)(LiteRtTensor, LiteRtQuantizationTypeId*);
using GetPerTensorQuantizationFn = LiteRtStatus (*)(LiteRtTensor, LiteRtQuantizationPerTensor*);

using CreateOptionsFn = LiteRtStatus (*)(LiteRtOptions*);
using DestroyOptionsFn = void (*)(LiteRtOptions);
using SetOptionsHardwareAcceleratorsFn = LiteRtStatus (*)(LiteRtOptions, LiteRtHwAcceleratorSet);
using AddOpaqueOptionsFn = LiteRtStatus (*)(LiteRtOptions, LiteRtOpaqueOptions);
using CreateOpaqueOptionsFn = LiteRtStatus (*)(const char*, void*, void (*)(void*), LiteRtOpaqueOptions*);
using DestroyOpaqueOptionsFn = void (*)(LiteRtOpaqueOptions);

using CreateCompiledModelFn = LiteRtStatus (*)(LiteRtEnvironment, LiteRtModel, LiteRtOptions, LiteRtCompiledModel*);
using DestroyCompiledModelFn = void (*)(LiteRtCompiledModel);
using CompiledModelIsFullyAcceleratedFn = LiteRtStatus (*)(LiteRtCompiledModel, bool*);
using CompiledModelResizeInputTensorFn = LiteRtStatus (*)(LiteRtCompiledModel, LiteRtParamIndex, LiteRtParamIndex,
                                                          const int*, size_t);
using GetCompiledModelBufferRequirementsFn = LiteRtStatus (*)(LiteRtCompiledModel, LiteRtParamIndex,
                                                              LiteRtParamIndex, LiteRtTensorBufferRequirements*);
using GetCompiledModelOutputTensorLayoutsFn = LiteRtStatus (*)(LiteRtCompiledModel, LiteRtParamIndex, size_t,
                                                               LiteRtLayout*, bool);
using GetCompiledModelInputTensorLayoutFn = LiteRtStatus (*)(LiteRtCompiledModel, LiteRtParamIndex,
                                                             LiteRtParamIndex, LiteRtLayout*);
using RunCompiledModelFn = LiteRtStatus (*)(LiteRtCompiledModel, LiteRtParamIndex, size_t, LiteRtTensorBuffer*,
                                            size_t, LiteRtTensorBuffer*);
using CompiledModelGetErrorMessagesFn = LiteRtStatus (*)(LiteRtCompiledModel, char**);
using CompiledModelClearErrorsFn = LiteRtStatus (*)(LiteRtCompiledModel);

using CreateManagedTensorBufferFromRequirementsFn = LiteRtStatus (*)(LiteRtEnvironment, const LiteRtRankedTensorType*,
                                                                     LiteRtTensorBufferRequirements,
                                                                     LiteRtTensorBuffer*);
// Wraps caller-owned host memory (aligned to 64 bytes); the deallocator may be null (the caller frees it).
using CreateTensorBufferFromHostMemoryFn = LiteRtStatus (*)(const LiteRtRankedTensorType*, void*, size_t,
                                                            void (*)(void*), LiteRtTensorBuffer*);
using DestroyTensorBufferFn = void (*)(LiteRtTensorBuffer);
using LockTensorBufferFn = LiteRtStatus (*)(LiteRtTensorBuffer, void**, LiteRtTensorBufferLockMode);
using UnlockTensorBufferFn = LiteRtStatus (*)(LiteRtTensorBuffer);
using GetTensorBufferPackedSizeFn = LiteRtStatus (*)(LiteRtTensorBuffer, size_t*);

// Profiler (optional: only SessionOptions::profile needs these; null when the library lacks them).
using CompiledModelGetProfilerFn = LiteRtStatus (*)(LiteRtCompiledModel, LiteRtProfiler*);
using StartProfilerFn = LiteRtStatus (*)(LiteRtProfiler);  // (re)starts recording into an emptied buffer
using GetNumProfilerEventsFn = LiteRtStatus (*)(LiteRtProfiler, int*);
using GetProfilerEventsFn = LiteRtStatus (*)(LiteRtProfiler, int, LiteRtProfiledEventData*);

// Model inspection (optional: only the receptive-field walk needs them; see Library::inspection_missing()).
using GetSignatureSubgraphFn = LiteRtStatus (*)(LiteRtSignature, LiteRtSubgraph*);
using GetModelSubgraphFn = LiteRtStatus (*)(LiteRtModel, LiteRtParamIndex, LiteRtSubgraph*);
using GetNumSubgraphOpsFn = LiteRtStatus (*)(LiteRtSubgraph, LiteRtParamIndex*);
using GetSubgraphOpFn = LiteRtStatus (*)(LiteRtSubgraph, LiteRtParamIndex, LiteRtOp*);
using GetOpCodeFn = LiteRtStatus (*)(LiteRtOp, LiteRtOpCode*);
using GetNumOpTensorsFn = LiteRtStatus (*)(LiteRtOp, LiteRtParamIndex*);            // inputs or outputs
using GetOpTensorFn = LiteRtStatus (*)(LiteRtOp, LiteRtParamIndex, LiteRtTensor*);  // input or output i
using GetTensorWeightsFn = LiteRtStatus (*)(LiteRtTensor, LiteRtWeights*);
using GetWeightsBytesFn = LiteRtStatus (*)(LiteRtWeights, const void**, size_t*);
using GetCustomCodeFn = LiteRtStatus (*)(LiteRtOp, const char**);
// Per-op option getters (litert/c/litert_op_options.h): each fails unless the op has that code.
using OpInt32OptionFn = LiteRtStatus (*)(LiteRtOp, int32_t*);
using OpBoolOptionFn = LiteRtStatus (*)(LiteRtOp, bool*);

// The resolved function table. Filled once by LiteRtLibrary::Load().
struct Api {
  CreateEnvironmentFn CreateEnvironment;
  DestroyEnvironmentFn DestroyEnvironment;
  GetNumAcceleratorsFn GetNumAccelerators;
  GetAcceleratorFn GetAccelerator;
  GetAcceleratorNameFn GetAcceleratorName;
  GetAcceleratorHardwareSupportFn GetAcceleratorHardwareSupport;
  CreateModelFromBufferFn CreateModelFromBuffer;
  DestroyModelFn DestroyModel;
  GetModelMetadataFn GetModelMetadata;
  GetNumModelSignaturesFn GetNumModelSignatures;
  GetModelSignatureFn GetModelSignature;
  GetNumSignatureInputsFn GetNumSignatureInputs;
  GetNumSignatureOutputsFn GetNumSignatureOutputs;
  GetSignatureInputTensorByIndexFn GetSignatureInputTensorByIndex;
  GetSignatureOutputTensorByIndexFn GetSignatureOutputTensorByIndex;
  GetTensorNameFn GetTensorName;
  GetTensorTypeIdFn GetTensorTypeId;
  GetRankedTensorTypeFn GetRankedTensorType;
  GetQuantizationTypeIdFn GetQuantizationTypeId;
  GetPerTensorQuantizationFn GetPerTensorQuantization;
  CreateOptionsFn CreateOptions;
  DestroyOptionsFn DestroyOptions;
  SetOptionsHardwareAcceleratorsFn SetOptionsHardwareAccelerators;
  AddOpaqueOptionsFn AddOpaqueOptions;
  CreateOpaqueOptionsFn CreateOpaqueOptions;
  DestroyOpaqueOptionsFn DestroyOpaqueOptions;
  CreateCompiledModelFn CreateCompiledModel;
  DestroyCompiledModelFn DestroyCompiledModel;
  CompiledModelIsFullyAcceleratedFn CompiledModelIsFullyAccelerated;
  CompiledModelResizeInputTensorFn CompiledModelResizeInputTensor;  // the NonStrict variant: static dims may change
  GetCompiledModelBufferRequirementsFn GetCompiledModelInputBufferRequirements;
  GetCompiledModelBufferRequirementsFn GetCompiledModelOutputBufferRequirements;
  GetCompiledModelInputTensorLayoutFn GetCompiledModelInputTensorLayout;
  GetCompiledModelOutputTensorLayoutsFn GetCompiledModelOutputTensorLayouts;
  RunCompiledModelFn RunCompiledModel;
  CompiledModelGetErrorMessagesFn CompiledModelGetErrorMessages;
  CompiledModelClearErrorsFn CompiledModelClearErrors;
  CreateManagedTensorBufferFromRequirementsFn CreateManagedTensorBufferFromRequirements;
  CreateTensorBufferFromHostMemoryFn CreateTensorBufferFromHostMemory;
  DestroyTensorBufferFn DestroyTensorBuffer;
  LockTensorBufferFn LockTensorBuffer;
  UnlockTensorBufferFn UnlockTensorBuffer;
  GetTensorBufferPackedSizeFn GetTensorBufferPackedSize;

  // Optional profiler functions: all null when any is missing (see Library::profiler_missing()).
  CompiledModelGetProfilerFn CompiledModelGetProfiler;
  StartProfilerFn StartProfiler;
  GetNumProfilerEventsFn GetNumProfilerEvents;
  GetProfilerEventsFn GetProfilerEvents;

  // Optional model inspection: the graph walk's core functions are all null when any is missing (see
  // Library::inspection_missing()); each option getter is null on its own when missing (that op is then opaque).
  GetSignatureSubgraphFn GetSignatureSubgraph;
  GetModelSubgraphFn GetModelSubgraph;
  GetNumSubgraphOpsFn GetNumSubgraphOps;
  GetSubgraphOpFn GetSubgraphOp;
  GetOpCodeFn GetOpCode;
  GetNumOpTensorsFn GetNumOpInputs;
  GetOpTensorFn GetOpInput;
  GetNumOpTensorsFn GetNumOpOutputs;
  GetOpTensorFn GetOpOutput;
  GetTensorWeightsFn GetTensorWeights;
  GetWeightsBytesFn GetWeightsBytes;
  GetCustomCodeFn GetCustomCode;
  OpInt32OptionFn GetConv2dStrideH, GetConv2dStrideW, GetConv2dDilationH, GetConv2dDilationW;
  OpInt32OptionFn GetDepthwiseConv2dStrideH, GetDepthwiseConv2dStrideW, GetDepthwiseConv2dDilationH,
      GetDepthwiseConv2dDilationW;
  OpInt32OptionFn GetTransposeConvStrideH, GetTransposeConvStrideW;
  OpInt32OptionFn GetAveragePool2dStrideH, GetAveragePool2dStrideW, GetAveragePool2dFilterH,
      GetAveragePool2dFilterW;
  OpInt32OptionFn GetMaxPool2dStrideH, GetMaxPool2dStrideW, GetMaxPool2dFilterH, GetMaxPool2dFilterW;
  OpInt32OptionFn GetL2Pool2dStrideH, GetL2Pool2dStrideW, GetL2Pool2dFilterH, GetL2Pool2dFilterW;
  OpInt32OptionFn GetDepthToSpaceBlockSize, GetSpaceToDepthBlockSize;
  OpInt32OptionFn GetConcatenationAxis, GetGatherAxis;
  OpBoolOptionFn GetResizeNearestNeighborAlignCorners;
};

}  // namespace mobilevsr::litert
