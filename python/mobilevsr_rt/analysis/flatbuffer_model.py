"""Read-only view of a .tflite flatbuffer: tensors, operators, constants and op names.

Only ``ai_edge_litert`` (its flatbuffer schema and utils) and numpy are used, so the runtime package can inspect a model
without TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..tflite_flatbuffer import PathOrBytes, as_str, builtin_code, read_flatbuffer, tfl

_BUILTIN_NAMES: dict[int, str] = {
    code: name for name, code in vars(tfl.BuiltinOperator).items() if not name.startswith("_")
}
_TYPE_NAMES: dict[int, str] = {code: name for name, code in vars(tfl.TensorType).items() if not name.startswith("_")}
_NUMPY_DTYPES: dict[str, str] = {
    "FLOAT32": "float32",
    "FLOAT16": "float16",
    "FLOAT64": "float64",
    "INT32": "int32",
    "INT64": "int64",
    "INT16": "int16",
    "INT8": "int8",
    "UINT8": "uint8",
    "UINT16": "uint16",
    "UINT32": "uint32",
    "UINT64": "uint64",
    "BOOL": "bool",
    "STRING": "string",
    "COMPLEX64": "complex64",
    "COMPLEX128": "complex128",
}


def builtin_name(code: int) -> str:
    """Name of a builtin operator code, e.g. 3 -> "CONV_2D"."""
    return _BUILTIN_NAMES.get(code, f"BUILTIN_{code}")


def type_name(code: int) -> str:
    """Name of a TensorType code, e.g. 0 -> "FLOAT32"."""
    return _TYPE_NAMES.get(code, f"TYPE_{code}")


def dtype_name(code: int) -> str:
    """numpy-style dtype string of a TensorType code ("float32", "int8", ...); schema name lower-cased otherwise."""
    name = type_name(code)
    return _NUMPY_DTYPES.get(name, name.lower())


def _as_int_list(value: Any) -> list[int]:
    if value is None:
        return []
    return [int(v) for v in value]


@dataclass(frozen=True)
class TensorView:
    """One tensor of a subgraph, with what the analyses need."""

    index: int
    name: str
    shape: tuple[int, ...]
    shape_signature: tuple[int, ...] | None
    type_code: int
    is_constant: bool
    buffer_nbytes: int
    is_variable: bool
    quantization: dict[str, Any] | None

    @property
    def type(self) -> str:
        """Schema name of the element type ("FLOAT32", "INT8", ...)."""
        return type_name(self.type_code)

    @property
    def dtype(self) -> str:
        """numpy-style dtype name."""
        return dtype_name(self.type_code)

    @property
    def rank(self) -> int:
        """Number of dimensions."""
        return len(self.shape)

    @property
    def num_elements(self) -> int:
        """Product of the static shape (1 for a scalar)."""
        return int(np.prod(self.shape, dtype=np.int64)) if self.shape else 1

    @property
    def is_dynamic(self) -> bool:
        """True when the shape signature has an unknown (-1) dimension."""
        return self.shape_signature is not None and any(d < 0 for d in self.shape_signature)

    @property
    def is_quantized(self) -> bool:
        """True when the tensor carries affine quantization parameters (scale)."""
        return self.quantization is not None


@dataclass(frozen=True)
class OpView:
    """One operator of a subgraph; ``inputs`` hold -1 for omitted optional inputs."""

    index: int
    name: str
    builtin_code: int
    custom_code: str | None
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    options: Any

    @property
    def is_custom(self) -> bool:
        """True for CUSTOM ops (including Flex ops)."""
        return self.custom_code is not None

    @property
    def is_flex(self) -> bool:
        """True for TF Select (Flex) ops."""
        return self.custom_code is not None and self.custom_code.startswith("Flex")


class TfliteModel:
    """Parsed .tflite model with convenience accessors for subgraph 0 (the one the runtime executes)."""

    def __init__(self, data: bytes, model: tfl.ModelT) -> None:
        self.data = data
        self.model = model

    @classmethod
    def load(cls, model: PathOrBytes) -> TfliteModel:
        """Parse a .tflite file path or its bytes."""
        data = bytes(model) if isinstance(model, (bytes, bytearray)) else Path(model).read_bytes()
        return cls(data, read_flatbuffer(data))

    @property
    def size_bytes(self) -> int:
        """Size of the serialized model."""
        return len(self.data)

    @property
    def num_subgraphs(self) -> int:
        """Number of subgraphs (control flow bodies and variable initialisers add subgraphs)."""
        return len(self.model.subgraphs or [])

    def _buffer_nbytes(self, buffer_index: int) -> int:
        buffers = self.model.buffers or []
        if buffer_index <= 0 or buffer_index >= len(buffers):
            return 0
        buf = buffers[buffer_index]
        if buf.data is not None:
            return len(buf.data)
        return int(buf.size or 0)

    def buffer_array(self, tensor: TensorView) -> np.ndarray | None:
        """Contents of a constant tensor as a numpy array (None for non-constants or non-numeric types)."""
        if not tensor.is_constant or tensor.dtype not in _NUMPY_DTYPES.values() or tensor.dtype == "string":
            return None
        tensor_t = self._subgraph_tensors(0)[tensor.index]
        raw = self.model.buffers[tensor_t.buffer].data
        arr = np.frombuffer(bytes(raw), dtype=np.dtype(tensor.dtype))
        return arr.reshape(tensor.shape) if tensor.shape else arr.reshape(())

    def _subgraph_tensors(self, subgraph: int) -> list:
        return self.model.subgraphs[subgraph].tensors or []

    def tensors(self, subgraph: int = 0) -> list[TensorView]:
        """All tensors of a subgraph."""
        if subgraph == 0:
            return self._main_tensors
        return self._make_tensors(subgraph)

    @cached_property
    def _main_tensors(self) -> list[TensorView]:
        return self._make_tensors(0)

    def _make_tensors(self, subgraph: int) -> list[TensorView]:
        views = []
        for i, t in enumerate(self._subgraph_tensors(subgraph)):
            nbytes = self._buffer_nbytes(int(t.buffer))
            signature = tuple(_as_int_list(t.shapeSignature)) if t.shapeSignature is not None else None
            views.append(
                TensorView(
                    index=i,
                    name=as_str(t.name),
                    shape=tuple(_as_int_list(t.shape)),
                    shape_signature=signature,
                    type_code=int(t.type),
                    is_constant=nbytes > 0,
                    buffer_nbytes=nbytes,
                    is_variable=bool(t.isVariable),
                    quantization=_quantization(t.quantization),
                )
            )
        return views

    def ops(self, subgraph: int = 0) -> list[OpView]:
        """All operators of a subgraph in execution order."""
        if subgraph == 0:
            return self._main_ops
        return self._make_ops(subgraph)

    @cached_property
    def _main_ops(self) -> list[OpView]:
        return self._make_ops(0)

    def _make_ops(self, subgraph: int) -> list[OpView]:
        codes = self.model.operatorCodes or []
        views = []
        for i, op in enumerate(self.model.subgraphs[subgraph].operators or []):
            builtin = builtin_code(self.model, op)
            custom = as_str(codes[op.opcodeIndex].customCode) if builtin == tfl.BuiltinOperator.CUSTOM else None
            views.append(
                OpView(
                    index=i,
                    name=custom if custom is not None else builtin_name(builtin),
                    builtin_code=int(builtin),
                    custom_code=custom,
                    inputs=tuple(_as_int_list(op.inputs)),
                    outputs=tuple(_as_int_list(op.outputs)),
                    options=op.builtinOptions,
                )
            )
        return views

    def graph_inputs(self, subgraph: int = 0) -> list[TensorView]:
        """Input tensors of a subgraph."""
        tensors = self.tensors(subgraph)
        return [tensors[i] for i in _as_int_list(self.model.subgraphs[subgraph].inputs)]

    def graph_outputs(self, subgraph: int = 0) -> list[TensorView]:
        """Output tensors of a subgraph."""
        tensors = self.tensors(subgraph)
        return [tensors[i] for i in _as_int_list(self.model.subgraphs[subgraph].outputs)]

    def op_inputs(self, op: OpView, subgraph: int = 0) -> list[TensorView | None]:
        """Input tensors of an op; None for an omitted optional input."""
        tensors = self.tensors(subgraph)
        return [tensors[i] if i >= 0 else None for i in op.inputs]

    def op_outputs(self, op: OpView, subgraph: int = 0) -> list[TensorView]:
        """Output tensors of an op."""
        tensors = self.tensors(subgraph)
        return [tensors[i] for i in op.outputs if i >= 0]

    @cached_property
    def producers(self) -> dict[int, OpView]:
        """Map tensor index -> the op of subgraph 0 that writes it."""
        return {t: op for op in self.ops() for t in op.outputs if t >= 0}

    @cached_property
    def dequantized_constants(self) -> frozenset[int]:
        """Outputs of DEQUANTIZE ops of subgraph 0 whose input is a constant (fp16/int8 weights expanded at load
        time); delegates treat them as constants."""
        tensors = self.tensors()
        return frozenset(
            out
            for op in self.ops()
            if op.name == "DEQUANTIZE" and op.inputs and op.inputs[0] >= 0 and tensors[op.inputs[0]].is_constant
            for out in op.outputs
        )

    def is_effectively_constant(self, tensor: TensorView) -> bool:
        """True for constants and for DEQUANTIZE outputs of constants (subgraph 0)."""
        return tensor.is_constant or tensor.index in self.dequantized_constants

    def metadata_names(self) -> list[str]:
        """Names of the model's metadata entries."""
        return [as_str(m.name) for m in (self.model.metadata or [])]


def _quantization(q: Any) -> dict[str, Any] | None:
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    return {
        "scale": [float(s) for s in q.scale],
        "zero_point": [int(z) for z in (q.zeroPoint if q.zeroPoint is not None else [])],
        "quantized_dimension": int(q.quantizedDimension or 0),
    }
