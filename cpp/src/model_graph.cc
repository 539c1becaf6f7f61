#include "model_graph.h"

#include <map>
#include <unordered_map>

#include "graph_tensors.h"
#include "op_families.h"

namespace mobilevsr {
namespace {

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

class GraphReader {
 public:
  GraphReader(const litert::Api& api, ModelGraph* out) : api_(api), out_(out) {}

  // Id of a tensor, registering it (with its shape) on first sight.
  int Id(LiteRtTensor tensor) {
    if (auto it = ids_.find(tensor); it != ids_.end()) return it->second;
    const int id = static_cast<int>(out_->graph.shapes.size());
    ids_.emplace(tensor, id);
    out_->graph.shapes.push_back(TensorShape(api_, tensor));
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

 private:
  const litert::Api& api_;
  ModelGraph* out_;
  std::unordered_map<LiteRtTensor, int> ids_;
  std::vector<std::string> names_;
};

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
    ClassifyOp(api, handle, code, in, &op);
    result.graph.ops.push_back(std::move(op));
  }
  for (LiteRtTensor t : inputs) result.input_ids.push_back(reader.SignatureId(t));
  for (LiteRtTensor t : outputs) result.output_ids.push_back(reader.SignatureId(t));
  return result;
}

}  // namespace mobilevsr
