"""The model contract of an exported zoo model, with tensor names read back from the converted flatbuffer.

The converter renames tensors (``frames`` -> ``serving_default_frames:0``, ``hr`` -> ``StatefulPartitionedCall:0``)
and may reorder them; the signature runner still knows the Keras names, so each Keras name is mapped to the tensor
name through the signature's tensor index.
"""

from __future__ import annotations

from typing import Any

from ai_edge_litert.interpreter import Interpreter

from mobilevsr_rt.contract import validate_contract

from ..models import TemporalLayout

__all__ = ["build_contract", "signature_tensor_names"]


def signature_tensor_names(model: bytes) -> tuple[dict[str, str], dict[str, str]]:
    """``(inputs, outputs)``: Keras (signature) name -> tensor name in the flatbuffer.

    A model converted from a concrete function (the QAT path) has no signature: its inputs keep the Keras names and
    its outputs (``Identity``, ``Identity_1``, ...) come in the flattening order of the output dict, i.e. sorted by
    name (``hr`` < ``state_0_out`` < ...).
    """
    interpreter = Interpreter(model_content=model)
    by_index = {d["index"]: d["name"] for d in interpreter.get_tensor_details()}
    if not interpreter.get_signature_list():
        inputs = {by_index[d["index"]].split(":")[0]: by_index[d["index"]] for d in interpreter.get_input_details()}
        names = [by_index[d["index"]] for d in interpreter.get_output_details()]
        keys = ["hr", *(f"state_{i}_out" for i in range(len(names) - 1))]
        return inputs, dict(zip(sorted(keys), names, strict=True))
    runner = interpreter.get_signature_runner()
    inputs = {k: by_index[d["index"]] for k, d in runner.get_input_details().items()}
    outputs = {k: by_index[d["index"]] for k, d in runner.get_output_details().items()}
    return inputs, outputs


def build_contract(model: bytes, name: str, layout: TemporalLayout) -> dict[str, Any]:
    """The validated contract of a converted zoo model (``frames`` [+ ``state_i``] -> ``hr`` [+ ``state_i_out``])."""
    inputs, outputs = signature_tensor_names(model)
    want_in = ["frames", *(f"state_{i}" for i in range(len(layout.state_channels)))]
    want_out = ["hr", *(f"state_{i}_out" for i in range(len(layout.state_channels)))]
    missing = [n for n in want_in if n not in inputs] + [n for n in want_out if n not in outputs]
    if missing or len(inputs) != len(want_in) or len(outputs) != len(want_out):
        raise ValueError(f"converted model signature {sorted(inputs)} -> {sorted(outputs)} does not follow the zoo "
                         f"conventions (missing {missing})")
    contract = {
        "contract_version": 1,
        "name": name,
        "scale": layout.scale,
        "frame_inputs": {"tensors": [inputs["frames"]], "layout": "stacked", "offsets": list(layout.offsets)},
        "frame_outputs": {"tensors": [outputs["hr"]], "layout": "stacked", "offsets": [0]},
        "state": [{"input": inputs[f"state_{i}"], "output": outputs[f"state_{i}_out"]}
                  for i in range(len(layout.state_channels))],
        "pixel_range": float(layout.pixel_range),
        "channel_order": "RGB",
    }
    return validate_contract(contract)
