// Reads a model's graph with LiteRT's model-inspection C API (optional symbols, litert_library.h) into the plain op
// list the receptive-field walk takes (receptive_field.h): op kinds, kernels, strides, dilations, block sizes and
// tensor shapes.
#pragma once

#include <string>
#include <vector>

#include "litert_library.h"
#include "receptive_field.h"

namespace mobilevsr {

struct ModelGraph {
  RfGraph graph;
  std::vector<int> input_ids, output_ids;  // graph tensor id of each signature input / output, in signature order
  std::string unavailable;                 // non-empty: the graph could not be read, and why (graph then empty)
};

// Reads the ops of the signature's subgraph in execution order. `inputs` and `outputs` are the signature's tensors.
// Never throws: a graph it cannot read comes back with `unavailable` set. Every handle involved is owned by `model`.
ModelGraph ReadModelGraph(const litert::Library& library, LiteRtModel model, LiteRtSignature signature,
                          const std::vector<LiteRtTensor>& inputs, const std::vector<LiteRtTensor>& outputs);

}  // namespace mobilevsr
