// The receptive-field walk (receptive_field.h) over hand-built op lists.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "receptive_field.h"
#include "testutil.h"

namespace mobilevsr_test {
namespace {

// A graph under construction for the receptive-field walk: tensors with shapes, ops in order.
struct GraphBuilder {
  using Kind = mobilevsr::RfGraph::Kind;
  mobilevsr::RfGraph graph;
  int Tensor(std::vector<int> shape) {
    graph.shapes.push_back(std::move(shape));
    return static_cast<int>(graph.shapes.size()) - 1;
  }
  mobilevsr::RfGraph::Op& Op(Kind kind, std::vector<int> inputs, std::vector<int> outputs) {
    mobilevsr::RfGraph::Op op;
    op.name = "op" + std::to_string(graph.ops.size());
    op.kind = kind;
    op.inputs = std::move(inputs);
    op.outputs = std::move(outputs);
    graph.ops.push_back(op);
    return graph.ops.back();
  }
  int Conv(int in, std::vector<int> out_shape, int kernel, int stride = 1, int dilation = 1) {
    const int out = Tensor(std::move(out_shape));
    auto& op = Op(Kind::kWindow, {in}, {out});
    op.kernel_h = op.kernel_w = kernel;
    op.stride_h = op.stride_w = stride;
    op.dilation_h = op.dilation_w = dilation;
    return out;
  }
  int Unary(Kind kind, int in, std::vector<int> out_shape, int block = 1) {
    const int out = Tensor(std::move(out_shape));
    Op(kind, {in}, {out}).block = block;
    return out;
  }
  mobilevsr::ReceptiveField Radius(std::vector<int> frames, std::vector<int> targets,
                                   std::vector<mobilevsr::RfSource> states = {}) const {
    std::vector<mobilevsr::RfSource> sources = std::move(states);
    for (int f : frames) sources.push_back({f, 1.0, 1.0});
    return mobilevsr::ComputeReceptiveField(graph, sources, targets);
  }
};

bool Near(double a, double b) { return std::fabs(a - b) < 1e-9; }

MOBILEVSR_TEST(TestReceptiveField) {
  using Kind = mobilevsr::RfGraph::Kind;
  {  // the fixtures' shape: 1x1 conv, two 3x3 convs, pixel shuffle, residual upsampling of the input
    GraphBuilder g;
    const int x = g.Tensor({1, 12, 16, 3});
    const int c1 = g.Conv(x, {1, 12, 16, 8}, 1);
    const int c2 = g.Conv(c1, {1, 12, 16, 8}, 3);
    const int c3 = g.Conv(c2, {1, 12, 16, 48}, 3);
    const int up = g.Tensor({1, 12, 16, 48});
    g.Op(Kind::kChannelwise, {x, x, x}, {up});
    const int sum = g.Tensor({1, 12, 16, 48});
    g.Op(Kind::kElementwise, {up, c3}, {sum});
    const int hr = g.Unary(Kind::kDepthToSpace, sum, {1, 48, 64, 3}, 4);
    const auto rf = g.Radius({x}, {hr});
    Check(rf.computable && Near(rf.radius, 2.0), "rf: two 3x3 convs, pixel shuffle: radius 2");
    Check(mobilevsr::AutoTileOverlap(rf) == 4, "rf: auto overlap 2 x radius");
  }
  {  // dilation, stride (the cell grows), convs at half resolution, back up
    GraphBuilder g;
    const int x = g.Tensor({1, 16, 16, 3});
    const int d = g.Conv(x, {1, 16, 16, 8}, 3, 1, 2);                          // +2
    const int s = g.Conv(d, {1, 8, 8, 8}, 3, 2);                               // +1 + (2 - 1)
    const int h = g.Conv(s, {1, 8, 8, 16}, 3);                                 // +1 at half resolution: +2
    const int hr = g.Unary(Kind::kDepthToSpace, h, {1, 16, 16, 4}, 2);
    const auto rf = g.Radius({x}, {hr});
    Check(rf.computable && Near(rf.radius, 6.0), "rf: dilation, stride and half resolution: radius 6");
    GraphBuilder p;
    const int px = p.Tensor({1, 16, 16, 3});
    const int s2d = p.Unary(Kind::kSpaceToDepth, px, {1, 8, 8, 12}, 2);  // the cell grows by 1
    const int pc = p.Conv(s2d, {1, 8, 8, 12}, 3);                        // +2
    const int pool = p.Tensor({1, 8, 8, 12});
    auto& pool_op = p.Op(Kind::kWindow, {pc}, {pool});
    pool_op.kernel_h = pool_op.kernel_w = 5;                                  // +4
    const auto prf = p.Radius({px}, {p.Unary(Kind::kDepthToSpace, pool, {1, 16, 16, 3}, 2)});
    Check(prf.computable && Near(prf.radius, 7.0), "rf: space-to-depth, conv and pool at half resolution: 7");
  }
  {  // bilinear x4 of the frame (1 LR pixel), then a 3x3 conv at HR (a quarter LR pixel): overlap rounds up
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int up = g.Unary(Kind::kResize, x, {1, 32, 32, 3});
    g.graph.ops.back().support = 1.0;
    const int hr = g.Conv(up, {1, 32, 32, 3}, 3);
    const auto rf = g.Radius({x}, {hr});
    Check(rf.computable && Near(rf.radius, 1.25), "rf: bilinear upsampling then an HR conv: 1.25");
    Check(mobilevsr::AutoTileOverlap(rf) == 4, "rf: fractional radius rounds up");
    GraphBuilder t;  // a 4x4 stride-2 transpose conv reads 1 input pixel around its own
    const int tx = t.Tensor({1, 8, 8, 3});
    const int ty = t.Tensor({1, 16, 16, 3});
    auto& tc = t.Op(Kind::kTransposedWindow, {tx}, {ty});
    tc.kernel_h = tc.kernel_w = 4;
    tc.stride_h = tc.stride_w = 2;
    const auto trf = t.Radius({tx}, {t.Conv(ty, {1, 16, 16, 3}, 3)});
    Check(trf.computable && Near(trf.radius, 1.5), "rf: transpose conv then a conv at 2x: 1.5");
  }
  {  // branches: the wider one wins; state starts at radius 0 at its own resolution
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int state = g.Tensor({1, 4, 4, 8});
    const int a = g.Conv(x, {1, 8, 8, 8}, 5);
    const int b = g.Conv(g.Conv(x, {1, 8, 8, 8}, 3), {1, 8, 8, 8}, 1);
    const int s = g.Unary(Kind::kDepthToSpace, g.Conv(state, {1, 4, 4, 32}, 5), {1, 8, 8, 8}, 2);  // 2 px at 1/2
    const int sum = g.Tensor({1, 8, 8, 8});
    g.Op(Kind::kElementwise, {a, b, s}, {sum});
    const int hr = g.Unary(Kind::kDepthToSpace, g.Conv(sum, {1, 8, 8, 48}, 1), {1, 32, 32, 3}, 4);
    const auto rf = g.Radius({x}, {hr}, {{state, 0.5, 0.5}});
    Check(rf.computable && Near(rf.radius, 4.0), "rf: max over branches; state at its own resolution");
    // An op the walk does not understand on the state output alone leaves the HR radius computable.
    const int next_state = g.Tensor({1, 4, 4, 8});
    g.Op(Kind::kOpaque, {s}, {next_state}).why = "is a mystery";
    const auto still = g.Radius({x}, {hr}, {{state, 0.5, 0.5}});
    Check(still.computable && Near(still.radius, 4.0), "rf: an opaque op off the HR path does not matter");
    const auto state_rf = g.Radius({x}, {next_state}, {{state, 0.5, 0.5}});
    Check(!state_rf.computable && state_rf.reason == "op" + std::to_string(g.graph.ops.size() - 1) + " is a mystery",
          "rf: an opaque op on the path: not computable, with its name and why (" + state_rf.reason + ")");
  }
  {  // constants (weights, parameters) and ops on constants are ignored
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int weights = g.Tensor({8, 3, 3, 3});
    const int dequantized = g.Unary(Kind::kElementwise, weights, {8, 3, 3, 3});
    const int y = g.Tensor({1, 8, 8, 8});
    auto& conv = g.Op(Kind::kWindow, {x, dequantized}, {y});
    conv.kernel_h = conv.kernel_w = 3;
    const int mystery = g.Tensor({8});
    g.Op(Kind::kOpaque, {weights}, {mystery});
    const int z = g.Tensor({1, 8, 8, 8});
    g.Op(Kind::kElementwise, {y, mystery}, {z});
    const auto rf = g.Radius({x}, {z});
    Check(rf.computable && Near(rf.radius, 1.0), "rf: constants and ops on constants ignored");
  }
  {  // ops that mix positions
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 8, 3});
    const int channel_mean = g.Unary(Kind::kReduce, x, {1, 8, 8, 1});
    g.graph.ops.back().axes = {-1};
    Check(g.Radius({x}, {channel_mean}).computable, "rf: a reduction over channels keeps positions");
    const int global = g.Unary(Kind::kReduce, x, {1, 1, 1, 3});
    g.graph.ops.back().axes = {1, 2};
    const auto rf = g.Radius({x}, {global});
    Check(!rf.computable && rf.reason.find("reduces over H or W") != std::string::npos, "rf: global mean: " + rf.reason);
    Check(mobilevsr::AutoTileOverlap(rf) == mobilevsr::kDefaultTileOverlap, "rf: not computable: default overlap");
    const int folded = g.Unary(Kind::kReshape, x, {1, 64, 3});
    Check(!g.Radius({x}, {folded}).computable, "rf: a reshape folding H and W");
    const int tall = g.Tensor({1, 16, 8, 3});
    g.Op(Kind::kChannelwise, {x, x}, {tall});
    Check(!g.Radius({x}, {tall}).computable, "rf: a concatenation along H");
    const int flipped = g.Unary(Kind::kChannelwise, x, {1, 8, 8, 3});
    g.graph.ops.back().axes = {1};
    Check(!g.Radius({x}, {flipped}).computable, "rf: a gather or reversal along H");
  }
  {  // frames folded into the batch (MAI 2021 style): reshape + transpose, convs, and back
    GraphBuilder g;
    const int x = g.Tensor({1, 8, 12, 30});
    const int r = g.Unary(Kind::kReshape, x, {8, 12, 10, 3});
    const int t = g.Unary(Kind::kTranspose, r, {10, 8, 12, 3});
    g.graph.ops.back().perm = {2, 0, 1, 3};
    const int c = g.Conv(t, {10, 8, 12, 3}, 3);
    const int b = g.Unary(Kind::kTranspose, c, {8, 12, 10, 3});
    g.graph.ops.back().perm = {1, 2, 0, 3};
    const int y = g.Unary(Kind::kReshape, b, {1, 8, 12, 30});
    const auto rf = g.Radius({x}, {g.Conv(y, {1, 8, 12, 30}, 3)});
    Check(rf.computable && Near(rf.radius, 2.0), "rf: frames moved into the batch and back: " + rf.reason);
    const int wrong = g.Conv(r, {8, 12, 10, 3}, 3);  // a conv over (W, frames): not the frame's H and W
    Check(!g.Radius({x}, {wrong}).computable, "rf: a conv over axes that are not H and W");
  }
  Check(mobilevsr::AutoTileOverlap({true, 0.0, 0.0, 0.0, ""}) == 2, "rf: overlap at least 2");
  Check(mobilevsr::AutoTileOverlap({true, 12.0, 12.0, 12.0, ""}) == 24, "rf: radius 12: overlap 24");
  Check(!mobilevsr::ComputeReceptiveField({}, {}, {}).computable, "rf: no outputs: not computable");
}

}  // namespace
}  // namespace mobilevsr_test
