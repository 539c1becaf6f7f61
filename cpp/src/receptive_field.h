// The per-frame spatial receptive field of a model: how far, in LR frame pixels, one pixel of an HR output reaches
// into the frame inputs. Tiles that overlap by twice that radius stitch without a seam (each tile keeps the half of
// the overlap nearest its own centre, tile_plan.h), so it sets the automatic tile overlap.
//
// Pure arithmetic over a plain op list in execution order (ReadModelGraph in model_graph.h fills it from LiteRT's
// model-inspection C API), so it is unit-tested without a model. Per tensor and axis the walk tracks the radius (in LR
// pixels, from any LR pixel under the tensor pixel to the farthest LR pixel it depends on), the resolution (tensor
// pixels per LR frame pixel) and which axes hold H and W (NHWC, or moved by reshapes and transposes, e.g. frames
// folded into the batch): windows add their half-extent at their input's resolution, strides, pixel shuffles and
// resizes change the resolution, elementwise and channel ops take the largest radius of their inputs, and ops that
// mix all positions (reductions over H or W, reshapes that fold them, unknown ops) make it "not computable".
// Fractions from high-resolution layers add up in LR pixels; the overlap rounds the total up. Recurrent state inputs start at radius 0: the state carries earlier frames' context beyond the
// per-frame field, so a tiled recurrent model differs slightly from an untiled one after its first frame.
#pragma once

#include <string>
#include <vector>

namespace mobilevsr {

// Tile overlap (LR pixels) when the receptive field cannot be computed from the graph.
constexpr int kDefaultTileOverlap = 16;

struct RfGraph {
  enum class Kind {
    kElementwise,       // each output pixel from the same pixel of every input (activations, arithmetic, quantize)
    kChannelwise,       // concat/split/slice/gather/softmax...: valid while every output keeps the inputs' H and W
                        // and none of `axes` (the axes it works along, when known) is H or W
    kReshape,           // valid when the row-major regrouping keeps each (h, w) position (e.g. frames into batch)
    kTranspose,         // `perm`: moves the H and W axes
    kReduce,            // over `axes`: mixes all positions when one of them is H or W
    kPad,               // spatial padding: positions kept (VALID convs after an explicit PAD are taken as centred)
    kWindow,            // conv, depthwise conv, pools: kernel, stride, dilation
    kTransposedWindow,  // transpose conv: kernel, stride (upsamples by the stride)
    kDepthToSpace,      // resolution x block
    kSpaceToDepth,      // resolution / block
    kResize,            // resolution from the input and output shapes; `support` = input pixels read beyond the nearest
    kMetadata,          // outputs carry no image data (SHAPE): treated as constants
    kOpaque,            // mixes positions or is not understood: `why`
  };
  struct Op {
    std::string name;          // e.g. "CONV_2D (op 3)"
    Kind kind = Kind::kOpaque;
    std::vector<int> inputs;   // tensor ids carrying image data (weights, biases, shape parameters left out)
    std::vector<int> outputs;
    int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int block = 1;
    double support = 0;
    std::vector<int> axes;     // kChannelwise, kReduce (negative: from the end)
    std::vector<int> perm;     // kTranspose
    std::string why;
  };
  std::vector<std::vector<int>> shapes;  // per tensor id; a dimension < 0 or an empty shape is unknown
  std::vector<Op> ops;                   // in execution order (a TFLite subgraph's op order is topological)
};

// A graph input and its resolution (tensor pixels per LR frame pixel): 1 for frames, by shape for states.
struct RfSource {
  int tensor = -1;
  double factor_h = 1.0, factor_w = 1.0;
};

struct ReceptiveField {
  bool computable = false;
  double radius = 0.0;                   // LR pixels: the larger of the two axes
  double radius_h = 0.0, radius_w = 0.0;
  std::string reason;                    // why not computable
};

// Radius of the `targets` (HR frame outputs) over the `sources` (all graph inputs). A tensor that is neither a source
// nor produced from one is a constant. Ops whose data inputs are all constants produce constants.
ReceptiveField ComputeReceptiveField(const RfGraph& graph, const std::vector<RfSource>& sources,
                                     const std::vector<int>& targets);

// The automatic tile overlap: max(2 * ceil(radius), 2) when computable, else kDefaultTileOverlap.
int AutoTileOverlap(const ReceptiveField& field);

}  // namespace mobilevsr
