#include "receptive_field.h"

#include <algorithm>
#include <cmath>

namespace mobilevsr {
namespace {

struct TensorState {
  bool data = false;  // carries image data derived from a source (else a constant or never produced)
  bool known = true;
  double radius_h = 0.0, radius_w = 0.0;
  double factor_h = 1.0, factor_w = 1.0;  // tensor pixels per LR frame pixel
  int h_end = 3, w_end = 2;               // axes of H and W, counted from the end (NHWC: 3 and 2)
  std::string why;                        // !known
};

// Pixels a window reaches beyond the output pixel's own input cell, on its far side: ceil((k - 1) * d / 2).
double HalfExtent(int kernel, int dilation) {
  return std::ceil(static_cast<double>(std::max(kernel, 1) - 1) * std::max(dilation, 1) / 2.0);
}

long long Product(const std::vector<int>& shape, size_t begin, size_t end) {
  long long p = 1;
  for (size_t i = begin; i < end && i < shape.size(); ++i) p *= shape[i];
  return p;
}

class Walk {
 public:
  explicit Walk(const RfGraph& graph) : graph_(graph), states_(graph.shapes.size()) {}

  TensorState* state(int id) {
    return id >= 0 && static_cast<size_t>(id) < states_.size() ? &states_[static_cast<size_t>(id)] : nullptr;
  }

  // The tensor's shape when fully known (every dimension > 0), else null.
  const std::vector<int>* shape(int id) const {
    if (id < 0 || static_cast<size_t>(id) >= graph_.shapes.size()) return nullptr;
    const auto& s = graph_.shapes[static_cast<size_t>(id)];
    if (s.empty()) return nullptr;
    for (int d : s)
      if (d <= 0) return nullptr;
    return &s;
  }

  // H and W of a tensor at the given axes (from the end); {-1, -1} when unknown.
  std::pair<int, int> Dims(int id, int h_end, int w_end) const {
    const auto* s = shape(id);
    const int rank = s ? static_cast<int>(s->size()) : 0;
    if (s == nullptr || h_end > rank || w_end > rank || h_end < 1 || w_end < 1) return {-1, -1};
    return {(*s)[static_cast<size_t>(rank - h_end)], (*s)[static_cast<size_t>(rank - w_end)]};
  }

  void Apply(const RfGraph::Op& op) {
    TensorState out;
    bool any_data = false;
    int first_input = -1;
    for (int id : op.inputs) {
      const TensorState* in = state(id);
      if (in == nullptr || !in->data) continue;  // a constant (weights, parameters)
      if (!any_data) {
        out = *in;
        any_data = true;
        first_input = id;
        continue;
      }
      if (!in->known) {
        if (out.known) out = *in;
        continue;
      }
      if (!out.known) continue;
      if (in->h_end != out.h_end || in->w_end != out.w_end) {
        out.known = false;
        out.why = op.name + " combines tensors whose H and W are on different axes";
        continue;
      }
      out.radius_h = std::max(out.radius_h, in->radius_h);
      out.radius_w = std::max(out.radius_w, in->radius_w);
      out.factor_h = std::max(out.factor_h, in->factor_h);
      out.factor_w = std::max(out.factor_w, in->factor_w);
    }
    if (!any_data || op.kind == RfGraph::Kind::kMetadata) return;  // outputs stay constants
    out.data = true;
    if (out.known) Transform(op, first_input, &out);
    for (int id : op.outputs)
      if (TensorState* s = state(id)) *s = out;
  }

 private:
  void Transform(const RfGraph::Op& op, int first_input, TensorState* out) {
    auto opaque = [&](const std::string& why) {
      out->known = false;
      out->why = op.name + " " + why;
    };
    const std::vector<int>* in_shape = shape(first_input);
    const int in_rank = in_shape ? static_cast<int>(in_shape->size()) : 0;
    const int h_axis = in_rank - out->h_end, w_axis = in_rank - out->w_end;
    auto normalise = [&](int axis) { return axis < 0 ? axis + in_rank : axis; };
    // Every output (and data input) has the same H and W at the given axes as the first input.
    auto keeps_positions = [&](int h_end, int w_end) {
      const auto hw = Dims(first_input, out->h_end, out->w_end);
      if (hw.first < 0) return false;
      for (int id : op.inputs)
        if (const TensorState* s = state(id); s != nullptr && s->data && Dims(id, out->h_end, out->w_end) != hw)
          return false;
      for (int id : op.outputs)
        if (Dims(id, h_end, w_end) != hw) return false;
      return true;
    };
    const bool nhwc = out->h_end == 3 && out->w_end == 2 && (in_shape == nullptr || in_rank == 4);
    switch (op.kind) {
      case RfGraph::Kind::kElementwise:
      case RfGraph::Kind::kPad:
      case RfGraph::Kind::kMetadata:
        return;
      case RfGraph::Kind::kChannelwise:
        for (int axis : op.axes)
          if (in_shape != nullptr && (normalise(axis) == h_axis || normalise(axis) == w_axis))
            return opaque("works along H or W");
        if (!keeps_positions(out->h_end, out->w_end)) return opaque("changes or folds H and W");
        return;
      case RfGraph::Kind::kReshape: {
        const std::vector<int>* to = op.outputs.empty() ? nullptr : shape(op.outputs[0]);
        if (in_shape == nullptr || to == nullptr) return opaque("has no static shape");
        if (h_axis < 0 || w_axis != h_axis + 1 || w_axis >= in_rank)
          return opaque("reshapes a tensor whose H and W are not adjacent");
        const long long pre = Product(*in_shape, 0, static_cast<size_t>(h_axis));
        const long long post = Product(*in_shape, static_cast<size_t>(w_axis) + 1, in_shape->size());
        // Row-major: (h, w) keeps its place when the dims before H and after W multiply to the same counts.
        for (size_t j = 0; j + 1 < to->size(); ++j) {
          if (Product(*to, 0, j) == pre && (*to)[j] == (*in_shape)[static_cast<size_t>(h_axis)] &&
              (*to)[j + 1] == (*in_shape)[static_cast<size_t>(w_axis)] && Product(*to, j + 2, to->size()) == post) {
            out->h_end = static_cast<int>(to->size() - j);
            out->w_end = out->h_end - 1;
            return;
          }
        }
        return opaque("reshapes across H or W (mixes positions)");
      }
      case RfGraph::Kind::kTranspose: {
        const int rank = in_shape ? in_rank : static_cast<int>(op.perm.size());
        if (static_cast<int>(op.perm.size()) != rank || rank < out->h_end || rank < out->w_end)
          return opaque("has a permutation that does not fit its input");
        int new_h = -1, new_w = -1;
        for (int j = 0; j < rank; ++j) {
          if (op.perm[static_cast<size_t>(j)] == rank - out->h_end) new_h = j;
          if (op.perm[static_cast<size_t>(j)] == rank - out->w_end) new_w = j;
        }
        if (new_h < 0 || new_w < 0) return opaque("has a permutation that does not fit its input");
        out->h_end = rank - new_h;
        out->w_end = rank - new_w;
        return;
      }
      case RfGraph::Kind::kReduce: {
        if (in_shape == nullptr) return opaque("has no static shape");
        int h_end = out->h_end, w_end = out->w_end;
        const std::vector<int>* to = op.outputs.empty() ? nullptr : shape(op.outputs[0]);
        const bool keep_dims = to != nullptr && static_cast<int>(to->size()) == in_rank;
        for (int a : op.axes) {
          const int axis = normalise(a);
          if (axis == h_axis || axis == w_axis) return opaque("reduces over H or W (mixes all positions)");
          if (!keep_dims && axis > h_axis) --h_end;
          if (!keep_dims && axis > w_axis) --w_end;
        }
        if (!keeps_positions(h_end, w_end)) return opaque("changes or folds H and W");
        out->h_end = h_end;
        out->w_end = w_end;
        return;
      }
      default:
        break;
    }
    // Spatial ops: they run over NHWC's H and W.
    if (op.kind != RfGraph::Kind::kOpaque && !nhwc)
      return opaque("runs over axes that no longer hold the frame's H and W");
    switch (op.kind) {
      case RfGraph::Kind::kWindow: {
        const int sh = std::max(op.stride_h, 1), sw = std::max(op.stride_w, 1);
        out->radius_h += (HalfExtent(op.kernel_h, op.dilation_h) + sh - 1) / out->factor_h;
        out->radius_w += (HalfExtent(op.kernel_w, op.dilation_w) + sw - 1) / out->factor_w;
        out->factor_h /= sh;
        out->factor_w /= sw;
        return;
      }
      case RfGraph::Kind::kTransposedWindow: {
        // Output pixel y reads input pixels (y + pad - j) / s for j < k; with SAME padding they lie within
        // ceil(((k + s) / 2 - 1) / s) input pixels of y's own input cell.
        const int sh = std::max(op.stride_h, 1), sw = std::max(op.stride_w, 1);
        out->radius_h += std::ceil(((std::max(op.kernel_h, 1) + sh) / 2.0 - 1.0) / sh) / out->factor_h;
        out->radius_w += std::ceil(((std::max(op.kernel_w, 1) + sw) / 2.0 - 1.0) / sw) / out->factor_w;
        out->factor_h *= sh;
        out->factor_w *= sw;
        return;
      }
      case RfGraph::Kind::kDepthToSpace:
        out->factor_h *= std::max(op.block, 1);
        out->factor_w *= std::max(op.block, 1);
        return;
      case RfGraph::Kind::kSpaceToDepth: {
        const int b = std::max(op.block, 1);
        out->radius_h += (b - 1) / out->factor_h;
        out->radius_w += (b - 1) / out->factor_w;
        out->factor_h /= b;
        out->factor_w /= b;
        return;
      }
      case RfGraph::Kind::kResize: {
        const auto in_hw = Dims(first_input, 3, 2);
        const auto out_hw = op.outputs.empty() ? std::pair<int, int>{-1, -1} : Dims(op.outputs[0], 3, 2);
        if (in_hw.first < 0 || out_hw.first < 0) return opaque("has no static input and output size");
        const double ratio_h = static_cast<double>(out_hw.first) / in_hw.first;
        const double ratio_w = static_cast<double>(out_hw.second) / in_hw.second;
        // The support, plus (when shrinking) the growth of a pixel's cell, at the input's resolution.
        out->radius_h += (op.support + std::max(0.0, 1.0 / ratio_h - 1.0)) / out->factor_h;
        out->radius_w += (op.support + std::max(0.0, 1.0 / ratio_w - 1.0)) / out->factor_w;
        out->factor_h *= ratio_h;
        out->factor_w *= ratio_w;
        return;
      }
      default:
        return opaque(op.why.empty() ? std::string("is not understood") : op.why);
    }
  }

  const RfGraph& graph_;
  std::vector<TensorState> states_;
};

}  // namespace

ReceptiveField ComputeReceptiveField(const RfGraph& graph, const std::vector<RfSource>& sources,
                                     const std::vector<int>& targets) {
  ReceptiveField result;
  Walk walk(graph);
  for (const RfSource& source : sources) {
    TensorState* s = walk.state(source.tensor);
    if (s == nullptr) {
      result.reason = "a model input is missing from the graph";
      return result;
    }
    s->data = true;
    s->factor_h = source.factor_h;
    s->factor_w = source.factor_w;
  }
  for (const RfGraph::Op& op : graph.ops) walk.Apply(op);
  if (targets.empty()) {
    result.reason = "no HR output to follow";
    return result;
  }
  for (int id : targets) {
    const TensorState* s = walk.state(id);
    if (s == nullptr || !s->data) {
      result.reason = "an HR output does not depend on the frame inputs in the graph";
      return result;
    }
    if (!s->known) {
      result.reason = s->why;
      return result;
    }
    result.radius_h = std::max(result.radius_h, s->radius_h);
    result.radius_w = std::max(result.radius_w, s->radius_w);
  }
  result.computable = true;
  result.radius = std::max(result.radius_h, result.radius_w);
  return result;
}

int AutoTileOverlap(const ReceptiveField& field) {
  if (!field.computable) return kDefaultTileOverlap;
  const double r = std::ceil(field.radius - 1e-9);
  return std::max(2 * static_cast<int>(r), 2);
}

}  // namespace mobilevsr
