#include "op_families.h"

#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>

#include "graph_tensors.h"

namespace mobilevsr {
namespace {

using Kind = RfGraph::Kind;

// One op being classified, with the means to read its options and constant inputs.
struct OpContext {
  const litert::Api& api;
  LiteRtOp handle;
  LiteRtOpCode code;
  const std::vector<LiteRtTensor>& in;
  RfGraph::Op* op;

  void Opaque(const std::string& why) const {
    op->kind = Kind::kOpaque;
    op->why = why;
  }
  // Keeps only the inputs that carry image data (by position; weights, biases and parameters are dropped).
  void KeepDataInputs(std::initializer_list<size_t> indices) const {
    std::vector<int> keep;
    for (size_t i : indices)
      if (i < op->inputs.size()) keep.push_back(op->inputs[i]);
    op->inputs = keep;
  }
  // Reads int options in order; at the first whose getter is missing or fails, the op is opaque and false returned.
  bool Options(std::initializer_list<std::pair<litert::OpInt32OptionFn, int*>> options) const {
    for (const auto& [fn, value] : options) {
      int32_t v = 0;
      if (fn == nullptr || fn(handle, &v) != 0) {
        Opaque("has options this LiteRT library cannot read");
        return false;
      }
      *value = v;
    }
    return true;
  }
  std::vector<int> InputShape(size_t i) const {
    return i < in.size() && in[i] != nullptr ? TensorShape(api, in[i]) : std::vector<int>{};
  }
  bool InputInts(size_t i, std::vector<int64_t>* values) const {
    return i < in.size() && ConstantInts(api, in[i], values);
  }
};

using Handler = void (*)(const OpContext&);

void Elementwise(const OpContext& c) { c.op->kind = Kind::kElementwise; }

// A conv's kernel from its weights [O, kh, kw, I] (input 1); false (opaque) without a static one.
bool KernelFromWeights(const OpContext& c, Kind kind, size_t data_input) {
  const std::vector<int> weights = c.InputShape(1);
  c.KeepDataInputs({data_input});
  if (weights.size() != 4 || weights[1] <= 0 || weights[2] <= 0) {
    c.Opaque("has no static kernel shape");
    return false;
  }
  c.op->kind = kind;
  c.op->kernel_h = weights[1];
  c.op->kernel_w = weights[2];
  return true;
}

void Conv(const OpContext& c) {  // CONV_2D weights [O, kh, kw, I]; DEPTHWISE_CONV_2D [1, kh, kw, O]
  if (!KernelFromWeights(c, Kind::kWindow, 0)) return;
  const litert::Api& a = c.api;
  RfGraph::Op& op = *c.op;
  if (c.code == kLiteRtOpDepthwiseConv2d)
    c.Options({{a.GetDepthwiseConv2dStrideHOption, &op.stride_h}, {a.GetDepthwiseConv2dStrideWOption, &op.stride_w},
               {a.GetDepthwiseConv2dDilationHOption, &op.dilation_h},
               {a.GetDepthwiseConv2dDilationWOption, &op.dilation_w}});
  else
    c.Options({{a.GetConv2dStrideHOption, &op.stride_h}, {a.GetConv2dStrideWOption, &op.stride_w},
               {a.GetConv2dDilationHOption, &op.dilation_h}, {a.GetConv2dDilationWOption, &op.dilation_w}});
}

void TransposeConv(const OpContext& c) {  // inputs: output shape, weights [O, kh, kw, I], input, (bias)
  if (!KernelFromWeights(c, Kind::kTransposedWindow, 2)) return;
  c.Options({{c.api.GetTransposeConvStrideHOption, &c.op->stride_h},
             {c.api.GetTransposeConvStrideWOption, &c.op->stride_w}});
}

void Pool(const OpContext& c) {
  c.KeepDataInputs({0});
  c.op->kind = Kind::kWindow;
  const litert::Api& a = c.api;
  RfGraph::Op& op = *c.op;
  if (c.code == kLiteRtOpAveragePool2d)
    c.Options({{a.GetAveragePool2dFilterHeightOption, &op.kernel_h}, {a.GetAveragePool2dFilterWidthOption, &op.kernel_w},
               {a.GetAveragePool2dStrideHOption, &op.stride_h}, {a.GetAveragePool2dStrideWOption, &op.stride_w}});
  else if (c.code == kLiteRtOpMaxPool2d)
    c.Options({{a.GetMaxPool2dFilterHeightOption, &op.kernel_h}, {a.GetMaxPool2dFilterWidthOption, &op.kernel_w},
               {a.GetMaxPool2dStrideHOption, &op.stride_h}, {a.GetMaxPool2dStrideWOption, &op.stride_w}});
  else
    c.Options({{a.GetL2Pool2dFilterHeightOption, &op.kernel_h}, {a.GetL2Pool2dFilterWidthOption, &op.kernel_w},
               {a.GetL2Pool2dStrideHOption, &op.stride_h}, {a.GetL2Pool2dStrideWOption, &op.stride_w}});
}

void PixelShuffle(const OpContext& c) {  // DEPTH_TO_SPACE, SPACE_TO_DEPTH
  const bool up = c.code == kLiteRtOpDepthToSpace;
  c.KeepDataInputs({0});
  c.op->kind = up ? Kind::kDepthToSpace : Kind::kSpaceToDepth;
  c.Options({{up ? c.api.GetDepthToSpaceBlockSizeOption : c.api.GetSpaceToDepthBlockSizeOption, &c.op->block}});
}

void Resize(const OpContext& c) {
  c.KeepDataInputs({0});
  c.op->kind = Kind::kResize;
  if (c.code == kLiteRtOpResizeBilinear) {
    c.op->support = 1.0;  // interpolates between the two nearest input pixels
    return;
  }
  bool align_corners = true;  // unknown: assume the corner-aligned grid, which may pick a neighbour's pixel
  if (c.api.GetResizeNearestNeighborAlignCornersOption != nullptr)
    c.api.GetResizeNearestNeighborAlignCornersOption(c.handle, &align_corners);
  c.op->support = align_corners ? 1.0 : 0.0;
}

void Pad(const OpContext& c) {
  c.KeepDataInputs({0});
  c.op->kind = Kind::kPad;
}

void Concatenation(const OpContext& c) {
  c.op->kind = Kind::kChannelwise;  // valid only while H and W stay (checked by the walk)
  int axis = 0;
  if (c.api.GetConcatenationAxisOption != nullptr && c.api.GetConcatenationAxisOption(c.handle, &axis) == 0)
    c.op->axes = {axis};
}

void Split(const OpContext& c) {  // SPLIT(axis, x), SPLIT_V(x, sizes, axis)
  c.op->kind = Kind::kChannelwise;
  const bool v = c.code == kLiteRtOpSplitV;
  std::vector<int64_t> axis;
  if (c.InputInts(v ? 2 : 0, &axis) && axis.size() == 1) c.op->axes = {static_cast<int>(axis[0])};
  c.KeepDataInputs({v ? size_t{0} : size_t{1}});
}

void Channelwise(const OpContext& c) {  // SLICE, TILE, BROADCAST_TO: axes unknown
  c.op->kind = Kind::kChannelwise;
  c.KeepDataInputs({0});
}

// SOFTMAX and kin along the last axis; FULLY_CONNECTED over it (a 1x1 conv while it keeps [..., H, W, features]).
void LastAxis(const OpContext& c) {
  c.op->kind = Kind::kChannelwise;
  c.op->axes = {-1};
  c.KeepDataInputs({0});
}

void StridedSlice(const OpContext& c) {
  c.op->kind = Kind::kChannelwise;
  std::vector<int64_t> strides;  // a reversal (stride -1) or subsampling keeps no position along that axis
  if (c.InputInts(3, &strides))
    for (size_t a = 0; a < strides.size(); ++a)
      if (strides[a] != 1) c.op->axes.push_back(static_cast<int>(a));
  c.KeepDataInputs({0});
}

void Gather(const OpContext& c) {
  int axis = 0;
  c.KeepDataInputs({0});
  if (!c.Options({{c.api.GetGatherAxisOption, &axis}})) return;
  c.op->kind = Kind::kChannelwise;
  c.op->axes = {axis};
}

void Reshape(const OpContext& c) {  // RESHAPE, SQUEEZE, EXPAND_DIMS
  c.op->kind = Kind::kReshape;
  c.KeepDataInputs({0});
}

void Transpose(const OpContext& c) {
  std::vector<int64_t> perm;
  c.KeepDataInputs({0});
  if (!c.InputInts(1, &perm)) return c.Opaque("has a permutation that cannot be read");
  c.op->kind = Kind::kTranspose;
  for (int64_t p : perm) c.op->perm.push_back(static_cast<int>(p));
}

void Reduce(const OpContext& c) {  // MEAN, SUM, REDUCE_*
  std::vector<int64_t> axes;
  c.KeepDataInputs({0});
  if (!c.InputInts(1, &axes)) return c.Opaque("reduces over axes that cannot be read (may mix all positions)");
  c.op->kind = Kind::kReduce;
  for (int64_t a : axes) c.op->axes.push_back(static_cast<int>(a));
}

void Metadata(const OpContext& c) { c.op->kind = Kind::kMetadata; }  // SHAPE

void Custom(const OpContext& c) {
  const char* custom = nullptr;
  if (c.api.GetCustomCode != nullptr && c.api.GetCustomCode(c.handle, &custom) == 0 && custom != nullptr)
    return c.Opaque(std::string("(custom op \"") + custom + "\") is not understood");
  c.Opaque("(a custom op) is not understood");
}

struct OpFamily {
  Handler handler;
  std::initializer_list<LiteRtOpCode> codes;
};

// Every op code the walk understands, by family.
const std::unordered_map<LiteRtOpCode, Handler>& HandlerTable() {
  static const std::unordered_map<LiteRtOpCode, Handler> table = [] {
    const OpFamily families[] = {
        {Elementwise,
         {kLiteRtOpAdd, kLiteRtOpSub, kLiteRtOpMul, kLiteRtOpDiv, kLiteRtOpMaximum, kLiteRtOpMinimum, kLiteRtOpRelu,
          kLiteRtOpReluN1To1, kLiteRtOpRelu6, kLiteRtOpRelu0To1, kLiteRtOpLeakyRelu, kLiteRtOpPrelu, kLiteRtOpLogistic,
          kLiteRtOpTanh, kLiteRtOpHardSwish, kLiteRtOpElu, kLiteRtOpGelu, kLiteRtOpExp, kLiteRtOpLog, kLiteRtOpSqrt,
          kLiteRtOpRsqrt, kLiteRtOpSquare, kLiteRtOpSquaredDifference, kLiteRtOpAbs, kLiteRtOpNeg, kLiteRtOpPow,
          kLiteRtOpFloor, kLiteRtOpCeil, kLiteRtOpRound, kLiteRtOpSin, kLiteRtOpCos, kLiteRtOpSign, kLiteRtOpQuantize,
          kLiteRtOpDequantize, kLiteRtOpCast, kLiteRtOpFakeQuant, kLiteRtOpSelect, kLiteRtOpSelectV2, kLiteRtOpLess,
          kLiteRtOpGreater, kLiteRtOpGreaterEqual, kLiteRtOpLessEqual, kLiteRtOpEqual, kLiteRtOpNotEqual,
          kLiteRtOpAddN, kLiteRtOpFloorDiv, kLiteRtOpFloorMod}},
        {Conv, {kLiteRtOpConv2d, kLiteRtOpDepthwiseConv2d}},
        {TransposeConv, {kLiteRtOpTransposeConv}},
        {Pool, {kLiteRtOpAveragePool2d, kLiteRtOpMaxPool2d, kLiteRtOpL2Pool2d}},
        {PixelShuffle, {kLiteRtOpDepthToSpace, kLiteRtOpSpaceToDepth}},
        {Resize, {kLiteRtOpResizeBilinear, kLiteRtOpResizeNearestNeighbor}},
        {Pad, {kLiteRtOpPad, kLiteRtOpPadV2, kLiteRtOpMirrorPad}},
        {Concatenation, {kLiteRtOpConcatenation}},
        {Split, {kLiteRtOpSplit, kLiteRtOpSplitV}},
        {Channelwise, {kLiteRtOpSlice, kLiteRtOpTile, kLiteRtOpBroadcastTo}},
        {LastAxis, {kLiteRtOpSoftmax, kLiteRtOpLogSoftmax, kLiteRtOpL2Normalization,
                    kLiteRtOpLocalResponseNormalization, kLiteRtOpFullyConnected}},
        {StridedSlice, {kLiteRtOpStridedSlice}},
        {Gather, {kLiteRtOpGather}},
        {Reshape, {kLiteRtOpReshape, kLiteRtOpSqueeze, kLiteRtOpExpandDims}},
        {Transpose, {kLiteRtOpTranspose}},
        {Reduce, {kLiteRtOpMean, kLiteRtOpSum, kLiteRtOpReduceProd, kLiteRtOpReduceMax, kLiteRtOpReduceMin,
                  kLiteRtOpReduceAny, kLiteRtOpReduceAll}},
        {Metadata, {kLiteRtOpShape}},
        {Custom, {kLiteRtOpCustom}},
    };
    std::unordered_map<LiteRtOpCode, Handler> by_code;
    for (const auto& family : families)
      for (LiteRtOpCode code : family.codes) by_code.emplace(code, family.handler);
    return by_code;
  }();
  return table;
}

}  // namespace

void ClassifyOp(const litert::Api& api, LiteRtOp handle, LiteRtOpCode code, const std::vector<LiteRtTensor>& in,
                RfGraph::Op* op) {
  const auto& table = HandlerTable();
  const auto it = table.find(code);
  if (it == table.end()) {
    op->kind = Kind::kOpaque;
    op->why = "is not an op the receptive-field walk understands";
    return;
  }
  it->second(OpContext{api, handle, code, in, op});
}

}  // namespace mobilevsr
