// Validates a JSON document against a JSON Schema, for the keywords the model contract schema uses:
// type, enum, required, properties, additionalProperties (false), items, minItems, maxItems, minimum, maximum,
// and local $ref ("#/$defs/name").
#pragma once

#include <string>

#include "json.h"

namespace mobilevsr {

// Throws InvalidArgument naming the JSON path of the first violation, e.g. "$.frame_inputs.layout: ...".
void ValidateAgainstSchema(const Json& document, const Json& schema);

}  // namespace mobilevsr
