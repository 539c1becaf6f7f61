// The model contract: how to drive a VSR model frame by frame (docs/model-contract.md). Parsed from the JSON stored
// in a model's metadata (validated against the schema embedded at build time) or derived from a public layout.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json.h"
#include "tensor_info.h"

namespace mobilevsr {

// A tensor named in a contract: by name, or by position in the model's input/output list.
struct TensorRef {
  std::string name;
  int index = -1;  // >= 0 when referenced by position
};

struct FrameGroup {
  std::vector<TensorRef> tensors;
  bool stacked = true;  // the contract's "layout" field: "stacked" (one tensor, frames on channels) or "separate"
  std::vector<int> offsets;
};

struct StatePair {
  TensorRef input;
  TensorRef output;
};

// Optional fields take their defaults from the schema's "default" (ParseContract, DetectPublicLayout); the zeros
// below are only what a default-constructed struct holds before either fills it.
struct Contract {
  int version = 1;
  std::string name;
  int scale = 0;
  FrameGroup frame_inputs;
  FrameGroup frame_outputs;
  std::vector<StatePair> state;
  double pixel_range = 0.0;
  bool bgr = false;
  // Where the contract came from: "contract" (embedded or given) or the recognised public temporal layout it was
  // derived from ("single_frame", "stacked_chunk", "recurrent", "sliding_recurrent"); info["layout"] reports it.
  // (Not FrameGroup's packing, which the contract file calls "layout": that is `stacked`.)
  std::string origin = "contract";

  Json ToJson() const;
};

// The schema text (cpp/contract/model_contract.schema.json), embedded at build time.
const std::string& ContractSchemaText();
// Name of the .tflite metadata entry that holds the contract ("x-metadata-key" of the schema).
const std::string& ContractMetadataKey();

// Parses and validates a contract (schema, then rules the schema cannot express). Throws InvalidArgument.
Contract ParseContract(std::string_view json_text);

// Recognises the public layouts of models without a contract (single frame, stacked chunk, recurrent, sliding
// recurrent). Throws InvalidArgument describing the tensors when nothing matches.
Contract DetectPublicLayout(const std::vector<TensorInfo>& inputs, const std::vector<TensorInfo>& outputs);

}  // namespace mobilevsr
