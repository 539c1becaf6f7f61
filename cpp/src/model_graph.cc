#include "model_graph.h"

#include <cstring>
#include <map>
#include <unordered_map>

namespace mobilevsr {
namespace {

// Appends a constant buffer of T integers (false when its size is not a whole number of them).
template <typename T>
bool AppendIntegers(const void* data, size_t size, std::vector<int64_t>* values) {
  if (size % sizeof(T) != 0) return false;
  for (size_t i = 0; i < size / sizeof(T); ++i) {
    T v;
    std::memcpy(&v, static_cast<const char*>(data) + sizeof(T) * i, sizeof(T));
    values->push_back(static_cast<int64_t>(v));
  }
  return true;
}

using Kind = RfGraph::Kind;

const char* OpName(LiteRtOpCode code) {
  static const std::map<int, const char*> names = {
      {kLiteRtOpAdd, "ADD"}, {kLiteRtOpAveragePool2d, "AVERAGE_POOL_2D"},
      {kLiteRtOpConcatenation, "CONCATENATION"}, {kLiteRtOpConv2d, "CONV_2D"},
      {kLiteRtOpDepthwiseConv2d, "DEPTHWISE_CONV_2D"}, {kLiteRtOpDepthToSpace, "DEPTH_TO_SPACE"},
      {kLiteRtOpDequantize, "DEQUANTIZE"}, {kLiteRtOpFloor, "FLOOR"}, {kLiteRtOpFullyConnected, "FULLY_CONNECTED"},
      {kLiteRtOpL2Normalization, "L2_NORMALIZATION"}, {kLiteRtOpL2Pool2d, "L2_POOL_2D"},
      {kLiteRtOpLocalResponseNormalization, "LOCAL_RESPONSE_NORMALIZATION"}, {kLiteRtOpLogistic, "LOGISTIC"},
      {kLiteRtOpMaxPool2d, "MAX_POOL_2D"}, {kLiteRtOpMul, "MUL"}, {kLiteRtOpRelu, "RELU"},
      {kLiteRtOpReluN1To1, "RELU_N1_TO_1"}, {kLiteRtOpRelu6, "RELU6"}, {kLiteRtOpReshape, "RESHAPE"},
      {kLiteRtOpResizeBilinear, "RESIZE_BILINEAR"}, {kLiteRtOpSoftmax, "SOFTMAX"},
      {kLiteRtOpSpaceToDepth, "SPACE_TO_DEPTH"}, {kLiteRtOpTanh, "TANH"}, {kLiteRtOpCustom, "CUSTOM"},
      {kLiteRtOpPad, "PAD"}, {kLiteRtOpGather, "GATHER"}, {kLiteRtOpTranspose, "TRANSPOSE"}, {kLiteRtOpMean, "MEAN"},
      {kLiteRtOpSub, "SUB"}, {kLiteRtOpDiv, "DIV"}, {kLiteRtOpSqueeze, "SQUEEZE"},
      {kLiteRtOpStridedSlice, "STRIDED_SLICE"}, {kLiteRtOpExp, "EXP"}, {kLiteRtOpSplit, "SPLIT"},
      {kLiteRtOpLogSoftmax, "LOG_SOFTMAX"}, {kLiteRtOpCast, "CAST"}, {kLiteRtOpPrelu, "PRELU"},
      {kLiteRtOpMaximum, "MAXIMUM"}, {kLiteRtOpMinimum, "MINIMUM"}, {kLiteRtOpLess, "LESS"}, {kLiteRtOpNeg, "NEG"},
      {kLiteRtOpPadV2, "PADV2"}, {kLiteRtOpGreater, "GREATER"}, {kLiteRtOpGreaterEqual, "GREATER_EQUAL"},
      {kLiteRtOpLessEqual, "LESS_EQUAL"}, {kLiteRtOpSelect, "SELECT"}, {kLiteRtOpSlice, "SLICE"},
      {kLiteRtOpSin, "SIN"}, {kLiteRtOpTransposeConv, "TRANSPOSE_CONV"}, {kLiteRtOpTile, "TILE"},
      {kLiteRtOpExpandDims, "EXPAND_DIMS"}, {kLiteRtOpEqual, "EQUAL"}, {kLiteRtOpNotEqual, "NOT_EQUAL"},
      {kLiteRtOpLog, "LOG"}, {kLiteRtOpSum, "SUM"}, {kLiteRtOpSqrt, "SQRT"}, {kLiteRtOpRsqrt, "RSQRT"},
      {kLiteRtOpShape, "SHAPE"}, {kLiteRtOpPow, "POW"}, {kLiteRtOpFakeQuant, "FAKE_QUANT"},
      {kLiteRtOpReduceProd, "REDUCE_PROD"}, {kLiteRtOpReduceMax, "REDUCE_MAX"}, {kLiteRtOpReduceMin, "REDUCE_MIN"},
      {kLiteRtOpFloorDiv, "FLOOR_DIV"}, {kLiteRtOpReduceAny, "REDUCE_ANY"}, {kLiteRtOpSquare, "SQUARE"},
      {kLiteRtOpFloorMod, "FLOOR_MOD"}, {kLiteRtOpResizeNearestNeighbor, "RESIZE_NEAREST_NEIGHBOR"},
      {kLiteRtOpLeakyRelu, "LEAKY_RELU"}, {kLiteRtOpSquaredDifference, "SQUARED_DIFFERENCE"},
      {kLiteRtOpMirrorPad, "MIRROR_PAD"}, {kLiteRtOpAbs, "ABS"}, {kLiteRtOpSplitV, "SPLIT_V"},
      {kLiteRtOpCeil, "CEIL"}, {kLiteRtOpAddN, "ADD_N"}, {kLiteRtOpCos, "COS"}, {kLiteRtOpElu, "ELU"},
      {kLiteRtOpQuantize, "QUANTIZE"}, {kLiteRtOpRound, "ROUND"}, {kLiteRtOpHardSwish, "HARD_SWISH"},
      {kLiteRtOpSelectV2, "SELECT_V2"}, {kLiteRtOpBroadcastTo, "BROADCAST_TO"}, {kLiteRtOpReduceAll, "REDUCE_ALL"},
      {kLiteRtOpGelu, "GELU"}, {kLiteRtOpRelu0To1, "RELU_0_TO_1"}, {kLiteRtOpSign, "SIGN"},
  };
  const auto it = names.find(code);
  return it == names.end() ? nullptr : it->second;
}

bool IsElementwise(LiteRtOpCode code) {
  switch (code) {
    case kLiteRtOpAdd: case kLiteRtOpSub: case kLiteRtOpMul: case kLiteRtOpDiv: case kLiteRtOpMaximum:
    case kLiteRtOpMinimum: case kLiteRtOpRelu: case kLiteRtOpReluN1To1: case kLiteRtOpRelu6:
    case kLiteRtOpRelu0To1: case kLiteRtOpLeakyRelu: case kLiteRtOpPrelu: case kLiteRtOpLogistic:
    case kLiteRtOpTanh: case kLiteRtOpHardSwish: case kLiteRtOpElu: case kLiteRtOpGelu: case kLiteRtOpExp:
    case kLiteRtOpLog: case kLiteRtOpSqrt: case kLiteRtOpRsqrt: case kLiteRtOpSquare:
    case kLiteRtOpSquaredDifference: case kLiteRtOpAbs: case kLiteRtOpNeg: case kLiteRtOpPow: case kLiteRtOpFloor:
    case kLiteRtOpCeil: case kLiteRtOpRound: case kLiteRtOpSin: case kLiteRtOpCos: case kLiteRtOpSign:
    case kLiteRtOpQuantize: case kLiteRtOpDequantize: case kLiteRtOpCast: case kLiteRtOpFakeQuant:
    case kLiteRtOpSelect: case kLiteRtOpSelectV2: case kLiteRtOpLess: case kLiteRtOpGreater:
    case kLiteRtOpGreaterEqual: case kLiteRtOpLessEqual: case kLiteRtOpEqual: case kLiteRtOpNotEqual:
    case kLiteRtOpAddN: case kLiteRtOpFloorDiv: case kLiteRtOpFloorMod:
      return true;
    default:
      return false;
  }
}

class GraphReader {
 public:
  GraphReader(const litert::Api& api, ModelGraph* out) : api_(api), out_(out) {}

  // Id of a tensor, registering it (with its shape) on first sight.
  int Id(LiteRtTensor tensor) {
    if (auto it = ids_.find(tensor); it != ids_.end()) return it->second;
    const int id = static_cast<int>(out_->graph.shapes.size());
    ids_.emplace(tensor, id);
    out_->graph.shapes.push_back(Shape(tensor));
    const char* name = nullptr;
    names_.push_back(api_.GetTensorName(tensor, &name) == 0 && name ? name : "");
    return id;
  }
  // A signature tensor: the same handle as in the subgraph, or (should a LiteRT hand out copies) the same name.
  int SignatureId(LiteRtTensor tensor) {
    if (auto it = ids_.find(tensor); it != ids_.end()) return it->second;
    const char* name = nullptr;
    if (api_.GetTensorName(tensor, &name) == 0 && name && *name)
      for (size_t i = 0; i < names_.size(); ++i)
        if (names_[i] == name) return static_cast<int>(i);
    return Id(tensor);
  }

  std::vector<int> Shape(LiteRtTensor tensor) const {
    LiteRtTensorTypeId type_id{};
    LiteRtRankedTensorType ranked{};
    if (api_.GetTensorTypeId(tensor, &type_id) != 0 || type_id != kLiteRtRankedTensorType ||
        api_.GetRankedTensorType(tensor, &ranked) != 0)
      return {};
    return std::vector<int>(ranked.layout.dimensions, ranked.layout.dimensions + ranked.layout.rank);
  }

  // The values of a constant int32/int64 tensor (axes, permutations, strides).
  bool ConstantInts(LiteRtTensor tensor, std::vector<int64_t>* values) const {
    values->clear();
    if (tensor == nullptr || api_.GetTensorWeights == nullptr || api_.GetWeightsBytes == nullptr) return false;
    LiteRtWeights weights = nullptr;
    const void* data = nullptr;
    size_t size = 0;
    LiteRtRankedTensorType ranked{};
    if (api_.GetTensorWeights(tensor, &weights) != 0 || weights == nullptr ||
        api_.GetWeightsBytes(weights, &data, &size) != 0 || data == nullptr || size == 0 ||
        api_.GetRankedTensorType(tensor, &ranked) != 0)
      return false;
    if (ranked.element_type == kLiteRtElementTypeInt32) return AppendIntegers<int32_t>(data, size, values);
    if (ranked.element_type == kLiteRtElementTypeInt64) return AppendIntegers<int64_t>(data, size, values);
    return false;
  }

 private:
  const litert::Api& api_;
  ModelGraph* out_;
  std::unordered_map<LiteRtTensor, int> ids_;
  std::vector<std::string> names_;
};

// Fills `op` (name, inputs, outputs already set) from the op's code and options.
void Classify(const litert::Api& api, const GraphReader& reader, LiteRtOp handle, LiteRtOpCode code,
              const std::vector<LiteRtTensor>& in, RfGraph::Op* op) {
  auto opaque = [&](const std::string& why) {
    op->kind = Kind::kOpaque;
    op->why = why;
  };
  auto data_inputs = [&](std::initializer_list<size_t> indices) {
    std::vector<int> keep;
    for (size_t i : indices)
      if (i < op->inputs.size()) keep.push_back(op->inputs[i]);
    op->inputs = keep;
  };
  // Reads an int option; false (and the op opaque) when the getter is missing or fails.
  auto option = [&](litert::OpInt32OptionFn fn, int* value) {
    int32_t v = 0;
    if (fn == nullptr || fn(handle, &v) != 0) {
      opaque("has options this LiteRT library cannot read");
      return false;
    }
    *value = v;
    return true;
  };
  auto shape = [&](const std::vector<LiteRtTensor>& tensors, size_t i) {
    return i < tensors.size() && tensors[i] != nullptr ? reader.Shape(tensors[i]) : std::vector<int>{};
  };
  if (IsElementwise(code)) {
    op->kind = Kind::kElementwise;
    return;
  }
  switch (code) {
    case kLiteRtOpConv2d:
    case kLiteRtOpDepthwiseConv2d: {
      const bool depthwise = code == kLiteRtOpDepthwiseConv2d;
      const std::vector<int> weights = shape(in, 1);  // [O, kh, kw, I] or [1, kh, kw, O]
      data_inputs({0});
      if (weights.size() != 4 || weights[1] <= 0 || weights[2] <= 0) return opaque("has no static kernel shape");
      op->kind = Kind::kWindow;
      op->kernel_h = weights[1];
      op->kernel_w = weights[2];
      if (option(depthwise ? api.GetDepthwiseConv2dStrideHOption : api.GetConv2dStrideHOption, &op->stride_h) &&
          option(depthwise ? api.GetDepthwiseConv2dStrideWOption : api.GetConv2dStrideWOption, &op->stride_w) &&
          option(depthwise ? api.GetDepthwiseConv2dDilationHOption : api.GetConv2dDilationHOption, &op->dilation_h))
        option(depthwise ? api.GetDepthwiseConv2dDilationWOption : api.GetConv2dDilationWOption, &op->dilation_w);
      return;
    }
    case kLiteRtOpTransposeConv: {  // inputs: output shape, weights [O, kh, kw, I], input, (bias)
      const std::vector<int> weights = shape(in, 1);
      data_inputs({2});
      if (weights.size() != 4 || weights[1] <= 0 || weights[2] <= 0) return opaque("has no static kernel shape");
      op->kind = Kind::kTransposedWindow;
      op->kernel_h = weights[1];
      op->kernel_w = weights[2];
      if (!option(api.GetTransposeConvStrideHOption, &op->stride_h)) return;
      option(api.GetTransposeConvStrideWOption, &op->stride_w);
      return;
    }
    case kLiteRtOpAveragePool2d:
    case kLiteRtOpMaxPool2d:
    case kLiteRtOpL2Pool2d: {
      data_inputs({0});
      op->kind = Kind::kWindow;
      const bool avg = code == kLiteRtOpAveragePool2d, max = code == kLiteRtOpMaxPool2d;
      // This pool's getter of each option: one of the average, max and L2 pool getters.
      auto pick = [&](litert::OpInt32OptionFn average, litert::OpInt32OptionFn maximum, litert::OpInt32OptionFn l2) {
        return avg ? average : max ? maximum : l2;
      };
      if (!option(pick(api.GetAveragePool2dFilterHeightOption, api.GetMaxPool2dFilterHeightOption,
                       api.GetL2Pool2dFilterHeightOption), &op->kernel_h) ||
          !option(pick(api.GetAveragePool2dFilterWidthOption, api.GetMaxPool2dFilterWidthOption,
                       api.GetL2Pool2dFilterWidthOption), &op->kernel_w) ||
          !option(pick(api.GetAveragePool2dStrideHOption, api.GetMaxPool2dStrideHOption, api.GetL2Pool2dStrideHOption),
                  &op->stride_h))
        return;
      option(pick(api.GetAveragePool2dStrideWOption, api.GetMaxPool2dStrideWOption, api.GetL2Pool2dStrideWOption),
             &op->stride_w);
      return;
    }
    case kLiteRtOpDepthToSpace:
    case kLiteRtOpSpaceToDepth:
      data_inputs({0});
      op->kind = code == kLiteRtOpDepthToSpace ? Kind::kDepthToSpace : Kind::kSpaceToDepth;
      option(code == kLiteRtOpDepthToSpace ? api.GetDepthToSpaceBlockSizeOption : api.GetSpaceToDepthBlockSizeOption,
             &op->block);
      return;
    case kLiteRtOpResizeBilinear:
      data_inputs({0});
      op->kind = Kind::kResize;
      op->support = 1.0;  // interpolates between the two nearest input pixels
      return;
    case kLiteRtOpResizeNearestNeighbor: {
      data_inputs({0});
      op->kind = Kind::kResize;
      bool align_corners = true;  // unknown: assume the corner-aligned grid, which may pick a neighbour's pixel
      if (api.GetResizeNearestNeighborAlignCornersOption != nullptr)
        api.GetResizeNearestNeighborAlignCornersOption(handle, &align_corners);
      op->support = align_corners ? 1.0 : 0.0;
      return;
    }
    case kLiteRtOpPad:
    case kLiteRtOpPadV2:
    case kLiteRtOpMirrorPad:
      data_inputs({0});
      op->kind = Kind::kPad;
      return;
    case kLiteRtOpConcatenation: {
      op->kind = Kind::kChannelwise;  // valid only while H and W stay (checked by the walk)
      int axis = 0;
      if (api.GetConcatenationAxisOption != nullptr && api.GetConcatenationAxisOption(handle, &axis) == 0)
        op->axes = {axis};
      return;
    }
    case kLiteRtOpSplit:
    case kLiteRtOpSplitV: {  // SPLIT(axis, x), SPLIT_V(x, sizes, axis)
      op->kind = Kind::kChannelwise;
      const bool v = code == kLiteRtOpSplitV;
      std::vector<int64_t> axis;
      const size_t axis_index = v ? 2 : 0;
      if (axis_index < in.size() && reader.ConstantInts(in[axis_index], &axis) && axis.size() == 1)
        op->axes = {static_cast<int>(axis[0])};
      data_inputs({v ? size_t{0} : size_t{1}});
      return;
    }
    case kLiteRtOpSlice:
    case kLiteRtOpTile:
    case kLiteRtOpBroadcastTo:
      op->kind = Kind::kChannelwise;
      data_inputs({0});
      return;
    case kLiteRtOpSoftmax:
    case kLiteRtOpLogSoftmax:
    case kLiteRtOpL2Normalization:
    case kLiteRtOpLocalResponseNormalization:
      op->kind = Kind::kChannelwise;  // along the last axis
      op->axes = {-1};
      data_inputs({0});
      return;
    case kLiteRtOpStridedSlice: {
      op->kind = Kind::kChannelwise;
      std::vector<int64_t> strides;  // a reversal (stride -1) or subsampling keeps no position along that axis
      if (in.size() > 3 && reader.ConstantInts(in[3], &strides))
        for (size_t a = 0; a < strides.size(); ++a)
          if (strides[a] != 1) op->axes.push_back(static_cast<int>(a));
      data_inputs({0});
      return;
    }
    case kLiteRtOpGather: {
      int axis = 0;
      data_inputs({0});
      if (!option(api.GetGatherAxisOption, &axis)) return;
      op->kind = Kind::kChannelwise;
      op->axes = {axis};
      return;
    }
    case kLiteRtOpReshape:
    case kLiteRtOpSqueeze:
    case kLiteRtOpExpandDims:
      op->kind = Kind::kReshape;
      data_inputs({0});
      return;
    case kLiteRtOpTranspose: {
      std::vector<int64_t> perm;
      data_inputs({0});
      if (!(in.size() > 1 && reader.ConstantInts(in[1], &perm))) return opaque("has a permutation that cannot be read");
      op->kind = Kind::kTranspose;
      for (int64_t p : perm) op->perm.push_back(static_cast<int>(p));
      return;
    }
    case kLiteRtOpFullyConnected:  // over the last axis: a 1x1 conv while it keeps [..., H, W, features]
      op->kind = Kind::kChannelwise;
      op->axes = {-1};
      data_inputs({0});
      return;
    case kLiteRtOpMean:
    case kLiteRtOpSum:
    case kLiteRtOpReduceProd:
    case kLiteRtOpReduceMax:
    case kLiteRtOpReduceMin:
    case kLiteRtOpReduceAny:
    case kLiteRtOpReduceAll: {
      std::vector<int64_t> axes;
      data_inputs({0});
      if (!(in.size() > 1 && reader.ConstantInts(in[1], &axes)))
        return opaque("reduces over axes that cannot be read (may mix all positions)");
      op->kind = Kind::kReduce;
      for (int64_t a : axes) op->axes.push_back(static_cast<int>(a));
      return;
    }
    case kLiteRtOpShape:
      op->kind = Kind::kMetadata;
      return;
    case kLiteRtOpCustom: {
      const char* custom = nullptr;
      if (api.GetCustomCode != nullptr && api.GetCustomCode(handle, &custom) == 0 && custom != nullptr)
        return opaque(std::string("(custom op \"") + custom + "\") is not understood");
      return opaque("(a custom op) is not understood");
    }
    default:
      return opaque("is not an op the receptive-field walk understands");
  }
}

}  // namespace

ModelGraph ReadModelGraph(const litert::Library& library, LiteRtModel model, LiteRtSignature signature,
                          const std::vector<LiteRtTensor>& inputs, const std::vector<LiteRtTensor>& outputs) {
  ModelGraph result;
  const litert::Api& api = library.api();
  if (!library.inspection_missing().empty()) {
    result.unavailable = "the LiteRT library lacks " + library.inspection_missing();
    return result;
  }
  LiteRtSubgraph subgraph = nullptr;
  if (!(api.GetSignatureSubgraph != nullptr && signature != nullptr &&
        api.GetSignatureSubgraph(signature, &subgraph) == 0 && subgraph != nullptr) &&
      !(api.GetModelSubgraph != nullptr && api.GetModelSubgraph(model, 0, &subgraph) == 0 && subgraph != nullptr)) {
    result.unavailable = "LiteRT cannot list the model's subgraph";
    return result;
  }
  LiteRtParamIndex num_ops = 0;
  if (api.GetNumSubgraphOps(subgraph, &num_ops) != 0) {
    result.unavailable = "LiteRT cannot list the model's ops";
    return result;
  }
  GraphReader reader(api, &result);
  for (LiteRtParamIndex k = 0; k < num_ops; ++k) {
    LiteRtOp handle = nullptr;
    LiteRtOpCode code = -1;
    LiteRtParamIndex num_in = 0, num_out = 0;
    if (api.GetSubgraphOp(subgraph, k, &handle) != 0 || handle == nullptr || api.GetOpCode(handle, &code) != 0 ||
        api.GetNumOpInputs(handle, &num_in) != 0 || api.GetNumOpOutputs(handle, &num_out) != 0) {
      result = ModelGraph();
      result.unavailable = "LiteRT cannot read op " + std::to_string(k) + " of the model";
      return result;
    }
    RfGraph::Op op;
    const char* name = OpName(code);
    op.name = (name ? std::string(name) : "op code " + std::to_string(code)) + " (op " + std::to_string(k) + ")";
    std::vector<LiteRtTensor> in;
    for (LiteRtParamIndex i = 0; i < num_in; ++i) {
      LiteRtTensor tensor = nullptr;
      if (api.GetOpInput(handle, i, &tensor) != 0) tensor = nullptr;  // an absent optional input (e.g. no bias)
      in.push_back(tensor);
      if (tensor != nullptr) op.inputs.push_back(reader.Id(tensor));
      else op.inputs.push_back(-1);
    }
    for (LiteRtParamIndex i = 0; i < num_out; ++i) {
      LiteRtTensor tensor = nullptr;
      if (api.GetOpOutput(handle, i, &tensor) != 0 || tensor == nullptr) {
        result = ModelGraph();
        result.unavailable = "LiteRT cannot read the outputs of " + op.name;
        return result;
      }
      op.outputs.push_back(reader.Id(tensor));
    }
    Classify(api, reader, handle, code, in, &op);
    result.graph.ops.push_back(std::move(op));
  }
  for (LiteRtTensor t : inputs) result.input_ids.push_back(reader.SignatureId(t));
  for (LiteRtTensor t : outputs) result.output_ids.push_back(reader.SignatureId(t));
  return result;
}

}  // namespace mobilevsr
