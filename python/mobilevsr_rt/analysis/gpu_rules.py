"""Static GPU-delegate compatibility check of a .tflite model.

The rules mirror what the TFLite GPU delegate (ML Drift) checks before it takes a node: the per-op checks of
``tensorflow/lite/tools/versioning/gpu_compatibility.cc``, the op parsers and tensor checks of
``tensorflow/lite/delegates/gpu/common/model_builder.cc`` (tensors are mapped to BHWC, rank <= 4; runtime tensors
must be float, or int8/uint8 when quantized), plus project rules for patterns that compile but broke our
models on phones (spatial pixel-flattening reshapes). Every offending op is reported with its index in subgraph 0
and one reason per problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from ai_edge_litert import schema_py_generated as tfl

from .flatbuffer_model import OpView, PathOrBytes, TensorView, TfliteModel


@dataclass(frozen=True)
class GpuIssue:
    """One reason why the GPU delegate would not take (or would mis-run) an op."""

    op_index: int
    op: str
    reason: str


# Builtin ops the delegate has a parser/compatibility rule for; anything else stays on the CPU.
SUPPORTED_BUILTINS: frozenset[str] = frozenset(
    [
        "ABS",
        "ADD",
        "ADD_N",
        "ATAN2",
        "AVERAGE_POOL_2D",
        "BATCH_MATMUL",
        "CAST",
        "CEIL",
        "CONCATENATION",
        "CONV_2D",
        "COS",
        "CUMSUM",
        "DENSIFY",
        "DEPTHWISE_CONV_2D",
        "DEPTH_TO_SPACE",
        "DEQUANTIZE",
        "DIV",
        "DYNAMIC_UPDATE_SLICE",
        "ELU",
        "EMBEDDING_LOOKUP",
        "EQUAL",
        "EXP",
        "FLOOR",
        "FLOOR_DIV",
        "FLOOR_MOD",
        "FULLY_CONNECTED",
        "GATHER",
        "GELU",
        "GREATER",
        "GREATER_EQUAL",
        "HARD_SWISH",
        "LEAKY_RELU",
        "LESS",
        "LESS_EQUAL",
        "LOG",
        "LOGICAL_AND",
        "LOGISTIC",
        "LSTM",
        "MAXIMUM",
        "MAX_POOL_2D",
        "MEAN",
        "MINIMUM",
        "MIRROR_PAD",
        "MUL",
        "NEG",
        "NOT_EQUAL",
        "ONE_HOT",
        "PACK",
        "PAD",
        "PADV2",
        "POW",
        "PRELU",
        "QUANTIZE",
        "REDUCE_MAX",
        "REDUCE_MIN",
        "REDUCE_PROD",
        "RELU",
        "RELU6",
        "RELU_N1_TO_1",
        "RESHAPE",
        "RESIZE_BILINEAR",
        "RESIZE_NEAREST_NEIGHBOR",
        "RSQRT",
        "SELECT",
        "SELECT_V2",
        "SIGN",
        "SIN",
        "SLICE",
        "SOFTMAX",
        "SPACE_TO_DEPTH",
        "SPLIT",
        "SPLIT_V",
        "SQRT",
        "SQUARE",
        "SQUARED_DIFFERENCE",
        "STABLEHLO_CLAMP",
        "STRIDED_SLICE",
        "SUB",
        "SUM",
        "TANH",
        "TILE",
        "TRANSPOSE",
        "TRANSPOSE_CONV",
    ]
)
# Custom ops the delegate implements itself (MediaPipe-style custom kernels).
SUPPORTED_CUSTOM_OPS: frozenset[str] = frozenset(
    {"Convolution2DTransposeBias", "MaxPoolingWithArgmax2D", "MaxUnpooling2D", "Resampler"}
)
# Why well-known unsupported ops are unsupported, so the report says more than "not supported".
_UNSUPPORTED_WHY: dict[str, str] = {
    "SHAPE": "SHAPE is not supported by the GPU delegate (int32 result computed at run time; fold it: use "
    "static shapes)",
    "ARG_MAX": "ARG_MAX is not supported by the GPU delegate (int output); do the argmax on CPU after the model",
    "ARG_MIN": "ARG_MIN is not supported by the GPU delegate (int output)",
    "SQUEEZE": "SQUEEZE is not supported by the GPU delegate; use RESHAPE to a static shape",
    "EXPAND_DIMS": "EXPAND_DIMS is not supported by the GPU delegate; use RESHAPE to a static shape",
    "VAR_HANDLE": "resource variable op: the GPU delegate does not support resource variables",
    "READ_VARIABLE": "resource variable op: the GPU delegate does not support resource variables",
    "ASSIGN_VARIABLE": "resource variable op: the GPU delegate does not support resource variables",
    "WHILE": "control flow (WHILE) is not supported by the GPU delegate",
    "IF": "control flow (IF) is not supported by the GPU delegate",
    "CALL_ONCE": "CALL_ONCE (variable initialisation subgraph) is not supported by the GPU delegate",
}

_ELEMENTWISE_UNARY = frozenset(
    [
        "ABS",
        "CEIL",
        "COS",
        "ELU",
        "EXP",
        "FLOOR",
        "GELU",
        "LOG",
        "LOGISTIC",
        "NEG",
        "RSQRT",
        "SIGN",
        "SIN",
        "SQRT",
        "SQUARE",
        "TANH",
    ]
)
_ELEMENTWISE_BINARY = frozenset(
    [
        "ATAN2",
        "DIV",
        "EQUAL",
        "FLOOR_DIV",
        "FLOOR_MOD",
        "GREATER",
        "GREATER_EQUAL",
        "LOGICAL_AND",
        "LESS",
        "LESS_EQUAL",
        "MAXIMUM",
        "MINIMUM",
        "NOT_EQUAL",
        "POW",
        "SQUARED_DIFFERENCE",
        "SUB",
    ]
)
_COMPARISONS = frozenset(["EQUAL", "NOT_EQUAL", "GREATER", "GREATER_EQUAL", "LESS", "LESS_EQUAL", "LOGICAL_AND"])
_REDUCES = frozenset(["MEAN", "SUM", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_PROD"])
_POOLS = frozenset({"AVERAGE_POOL_2D", "MAX_POOL_2D"})
_CONVS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV"})
_FLOAT_TYPES = frozenset({"FLOAT32", "FLOAT16"})

# Operand positions where the delegate accepts non-float runtime tensors: (op, "in"|"out", position) -> types.
_NON_FLOAT_OK: dict[tuple[str, str, int], frozenset[str]] = {
    ("CAST", "in", 0): frozenset({"INT32", "BOOL"}),
    ("CAST", "out", 0): frozenset({"INT32", "BOOL"}),
    ("GATHER", "in", 1): frozenset({"INT32"}),
    ("ONE_HOT", "in", 0): frozenset({"INT32"}),
    ("DYNAMIC_UPDATE_SLICE", "in", 2): frozenset({"INT32"}),
    ("EMBEDDING_LOOKUP", "in", 0): frozenset({"INT32"}),
    ("SELECT", "in", 0): frozenset({"BOOL"}),
    ("SELECT_V2", "in", 0): frozenset({"BOOL"}),
}

_ACT_NAMES = {code: name for name, code in vars(tfl.ActivationFunctionType).items() if not name.startswith("_")}
_MIRROR_REFLECT = tfl.MirrorPadMode.REFLECT
# Max 2D-texture (image2D) width of many mobile GPUs, e.g. Adreno; a 1xN texture wider than this cannot be allocated.
_MAX_TEXTURE_WIDTH = 16384


def bhwc(shape: tuple[int, ...]) -> tuple[int, int, int, int] | None:
    """The delegate's BHWC view of a shape (rank 1: B, 2: BC, 3: BWC, 4: BHWC); None for other ranks."""
    if len(shape) == 1:
        return (shape[0], 1, 1, 1)
    if len(shape) == 2:
        return (shape[0], 1, 1, shape[1])
    if len(shape) == 3:
        return (shape[0], 1, shape[1], shape[2])
    if len(shape) == 4:
        return (shape[0], shape[1], shape[2], shape[3])
    return None


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y and x != 1 and y != 1:
            return False
    return True


class _OpChecker:
    """Collects the issues of one op."""

    def __init__(self, model: TfliteModel, op: OpView) -> None:
        self.model = model
        self.op = op
        self.ins = model.op_inputs(op)
        self.outs = model.op_outputs(op)
        self.issues: list[GpuIssue] = []

    def fail(self, reason: str) -> None:
        self.issues.append(GpuIssue(self.op.index, self.op.name, reason))

    # -- helpers -------------------------------------------------------------------------------------------------
    def present_inputs(self) -> list[TensorView]:
        return [t for t in self.ins if t is not None]

    def runtime_inputs(self) -> list[TensorView]:
        return [t for t in self.present_inputs() if not self.model.is_effectively_constant(t)]

    def const_inputs(self) -> list[TensorView]:
        return [t for t in self.present_inputs() if self.model.is_effectively_constant(t)]

    def input(self, i: int) -> TensorView | None:
        return self.ins[i] if i < len(self.ins) else None

    def const_values(self, i: int) -> np.ndarray | None:
        t = self.input(i)
        return None if t is None else self.model.buffer_array(t)

    def option(self, name: str, default=None):
        return getattr(self.op.options, name, default) if self.op.options is not None else default

    # -- generic rules -------------------------------------------------------------------------------------------
    def check_generic(self) -> None:
        for role, tensors in (("input", self.ins), ("output", self.outs)):
            for pos, t in enumerate(tensors):
                if t is None:
                    continue
                if t.rank > 4:
                    self.fail(
                        f"{role} '{t.name}' has rank {t.rank} {list(t.shape)}: the GPU delegate maps tensors to "
                        "BHWC and rejects rank > 4"
                    )
                if t.is_dynamic:
                    self.fail(
                        f"{role} '{t.name}' has a dynamic dimension (shape signature {list(t.shape_signature)}): "
                        "the GPU delegate needs static shapes"
                    )
                if not self.model.is_effectively_constant(t):
                    self._check_runtime_type(role, pos, t)

    def _check_runtime_type(self, role: str, pos: int, t: TensorView) -> None:
        if t.type in _FLOAT_TYPES:
            return
        if t.type in ("INT8", "UINT8") and t.is_quantized:
            return  # taken by the delegate's quantized path (dequantized to float inside)
        if t.type in _NON_FLOAT_OK.get((self.op.name, "in" if role == "input" else "out", pos), ()):
            return
        if t.type == "BOOL" and self.op.name in _COMPARISONS:
            return
        if t.type in ("RESOURCE", "VARIANT"):
            self.fail(f"{role} '{t.name}' is a {t.type} tensor: resource variables are not supported on GPU")
            return
        self.fail(
            f"runtime {role} '{t.name}' has type {t.type}: the GPU delegate needs float32/float16 "
            "(or quantized int8/uint8) tensors here"
        )

    def check_activation(self) -> None:
        act = self.option("fusedActivationFunction")
        if act is not None and _ACT_NAMES.get(act) == "SIGN_BIT":
            self.fail("fused activation SIGN_BIT is not supported")

    def expect_runtime_inputs(self, count: int, what: str = "") -> bool:
        n = len(self.runtime_inputs())
        if n != count:
            self.fail(f"expects {count} runtime (non-constant) input(s){what}, has {n}")
            return False
        return True

    # -- per-op rules --------------------------------------------------------------------------------------------
    def check_op(self) -> None:
        name = self.op.name
        if self.op.is_custom:
            if self.op.is_flex:
                self.fail(f"Flex (TF Select) op {name}: runs through the TF kernel fallback, never on the GPU")
            elif name not in SUPPORTED_CUSTOM_OPS:
                self.fail(f"custom op {name} has no GPU delegate kernel")
            return
        if name not in SUPPORTED_BUILTINS:
            self.fail(_UNSUPPORTED_WHY.get(name, f"{name} is not supported by the GPU delegate"))
            return
        self.check_generic()
        self.check_activation()
        rule: Callable[[], None] | None = _RULES.get(name)
        if rule is None:
            if name in _ELEMENTWISE_UNARY:
                self.expect_runtime_inputs(1)
                if self.const_inputs():
                    self.fail("one-argument elementwise op with a constant input")
            elif name in _ELEMENTWISE_BINARY:
                if len(self.runtime_inputs()) + len(self.const_inputs()) != 2 or not self.runtime_inputs():
                    self.fail("elementwise op needs 2 runtime inputs or 1 runtime + 1 constant input")
            elif name in _REDUCES:
                self.check_reduce()
            elif name in _POOLS:
                self.check_pool()
            return
        rule(self)

    def check_add(self) -> None:
        if len(self.present_inputs()) != 2:
            self.fail(f"{self.op.name} requires two input tensors, has {len(self.present_inputs())}")
            return
        a, b = self.present_inputs()
        if a.rank > 1 and b.rank > 1 and a.rank != b.rank and not _broadcastable(a.shape, b.shape):
            self.fail(f"cannot broadcast {list(a.shape)} with {list(b.shape)}")

    def check_mul(self) -> None:
        self.check_add()
        if len(self.present_inputs()) != 2:
            return
        a, b = self.present_inputs()
        if a.rank == b.rank:
            a_smaller = any(x < y for x, y in zip(a.shape, b.shape, strict=True))
            b_smaller = any(y < x for x, y in zip(a.shape, b.shape, strict=True))
            if a_smaller and b_smaller:
                self.fail(
                    f"MUL of {list(a.shape)} and {list(b.shape)}: one input must be >= the other in every "
                    "dimension (outer-product style broadcasting is not supported)"
                )

    def check_add_n(self) -> None:
        n = len(self.present_inputs())
        if n != 2:
            self.fail(f"ADD_N only supports 2 inputs, has {n}; split it into a chain of ADDs")

    def check_conv_common(self) -> None:
        if len(self.runtime_inputs()) > 2:
            self.fail(f"expects 1 or 2 runtime inputs, has {len(self.runtime_inputs())}")
        sh, sw = self.option("strideH", 1), self.option("strideW", 1)
        if sh <= 0 or sw <= 0:
            self.fail(f"incorrect strides {sh}x{sw}")
        dh, dw = self.option("dilationHFactor", 1), self.option("dilationWFactor", 1)
        if dh <= 0 or dw <= 0:
            self.fail(f"incorrect dilation {dh}x{dw}")

    def check_depthwise(self) -> None:
        self.check_conv_common()
        x, w, out = self.input(0), self.input(1), self.outs[0] if self.outs else None
        if x is None or w is None or out is None or x.rank != 4 or w.rank != 4 or out.rank != 4:
            self.fail("depthwise conv needs 4-D input, filter and output")
            return
        in_c, out_c = x.shape[3], out.shape[3]
        multiplier = int(self.option("depthMultiplier", 1) or 0)
        effective = out_c // in_c if in_c else 0
        if multiplier not in (0, effective) or out_c != in_c * effective:
            self.fail(f"output channels {out_c} != input channels {in_c} * depth_multiplier {multiplier}")
        if effective != 1 and in_c != 1:
            self.fail(
                f"depth multiplier {effective} with {in_c} input channels: the delegate supports a multiplier "
                "!= 1 only when input channels == 1"
            )

    def check_transpose_conv(self) -> None:
        # inputs: output_shape, weights, input[, bias]; only input and (optionally) weights may be runtime
        if len(self.runtime_inputs()) > 2:
            self.fail(f"expects 1 or 2 runtime inputs, has {len(self.runtime_inputs())}")
        sh, sw = self.option("strideH", 1), self.option("strideW", 1)
        if sh <= 0 or sw <= 0:
            self.fail(f"incorrect strides {sh}x{sw}")

    def check_fully_connected(self) -> None:
        if self.option("weightsFormat", 0) != tfl.FullyConnectedOptionsWeightsFormat.DEFAULT:
            self.fail("only the DEFAULT weights format is supported")
        if len(self.runtime_inputs()) > 2:
            self.fail("more than 2 runtime inputs")
        x = self.input(0)
        if x is not None and x.is_constant:
            self.fail("constant input tensor")
        if self.option("keepNumDims", False) and x is not None and self.outs and x.rank != self.outs[0].rank:
            self.fail("keep_num_dims with input/output of different rank")

    def check_reduce(self) -> None:
        self.expect_runtime_inputs(1)
        axes = self.input(1)
        if axes is None or not axes.is_constant:
            self.fail(f"{self.op.name} axes must be a constant tensor (they are computed at run time)")
        elif axes.type != "INT32":
            self.fail(f"{self.op.name} axes must be int32, is {axes.type}")

    def check_pool(self) -> None:
        self.expect_runtime_inputs(1)
        fh, fw = self.option("filterHeight", 1), self.option("filterWidth", 1)
        sh, sw = self.option("strideH", 1), self.option("strideW", 1)
        if fh <= 0 or fw <= 0 or sh <= 0 or sw <= 0:
            self.fail(f"incorrect kernel {fh}x{fw} or strides {sh}x{sw}")

    def check_prelu(self) -> None:
        x, alpha = self.input(0), self.input(1)
        if x is None or alpha is None:
            self.fail("PRELU needs input and alpha")
            return
        if not self.model.is_effectively_constant(alpha):  # fp16 exports feed alpha through DEQUANTIZE
            self.fail(f"alpha '{alpha.name}' must be a constant tensor")
            return
        shape = bhwc(x.shape)
        if shape is None:
            return  # rank issue already reported
        _, h, w, c = shape
        a = alpha.shape
        per_channel = len(a) >= 1 and all(d == 1 for d in a[:-1]) and a[-1] == c
        trimmed = list(a)
        while len(trimmed) > 3 and trimmed[0] == 1:
            trimmed.pop(0)
        full_hwc = trimmed == [h, w, c] or (len(a) == 4 and list(a) == [1, h, w, c])
        if not (per_channel or full_hwc):
            self.fail(
                f"alpha shape {list(a)} must be per-channel ([..., {c}] with all other dims 1) or the full "
                f"[{h}, {w}, {c}] of the input"
            )

    def check_reshape(self) -> None:
        self.expect_runtime_inputs(1, " (the new shape must be constant)")
        x = self.input(0)
        if x is None or not self.outs:
            return
        y = self.outs[0]
        bx, by = bhwc(x.shape), bhwc(y.shape)
        if bx is not None and by is not None and bx[0] != by[0]:
            self.fail(
                f"RESHAPE {list(x.shape)} -> {list(y.shape)} changes the batch of the delegate's BHWC layout "
                f"({bx[0]} -> {by[0]})"
            )
        if x.rank == 4 and x.shape[1] > 1 and x.shape[2] > 1 and y.rank in (2, 3):
            pixels = x.shape[1] * x.shape[2]
            if pixels in y.shape:
                too_wide = f", wider than the {_MAX_TEXTURE_WIDTH}-texel 2D-texture width limit of many mobile GPUs" * (
                    pixels > _MAX_TEXTURE_WIDTH
                )
                self.fail(
                    f"RESHAPE {list(x.shape)} -> {list(y.shape)} flattens the HxW pixel grid into one axis of "
                    f"{pixels} (the pixel-reshape LayerNorm pattern that broke a VapSR variant on GPU): the delegate "
                    f"lays it out as a 1x{pixels} row{too_wide}; normalise over channels (axis -1) on the 4-D tensor"
                )

    def check_strided_slice(self) -> None:
        for mask in ("ellipsisMask", "newAxisMask", "shrinkAxisMask"):
            if self.option(mask, 0):
                self.fail(f"STRIDED_SLICE with non-zero {mask} ({self.option(mask)}) is not supported")
        if len(self.present_inputs()) < 4:
            self.fail("STRIDED_SLICE requires 4 inputs")
            return
        x = self.input(0)
        if x is None or x.rank not in (3, 4):
            self.fail("STRIDED_SLICE supports 3-D or 4-D tensors only")
            return
        values = [self.const_values(i) for i in (1, 2, 3)]
        for label, v in zip(("begin", "end", "strides"), values, strict=True):
            if v is None:
                self.fail(f"STRIDED_SLICE {label} must be a constant tensor")
        if any(v is None for v in values):
            return
        strides = np.asarray(values[2]).reshape(-1)
        if np.any(strides == 0):
            self.fail("STRIDED_SLICE stride values must be non-zero")
        if np.any(strides < 0):
            self.fail("STRIDED_SLICE reverse (negative-stride) slices are not supported")
        if len(strides) == x.rank and strides[0] != 1:
            # dim 0 is the batch in the delegate's BHWC / BWC layouts; slicing a batch range is fine, striding is not
            self.fail(f"STRIDED_SLICE strides the batch dimension (stride {int(strides[0])})")

    def check_slice(self) -> None:
        x = self.input(0)
        if len(self.present_inputs()) < 3:
            self.fail("SLICE requires 3 inputs")
            return
        if x is None or x.rank not in (3, 4):
            self.fail("SLICE supports 3-D or 4-D tensors only")
        for i, label in ((1, "begin"), (2, "size")):
            t = self.input(i)
            if t is None or not t.is_constant:
                self.fail(f"SLICE {label} must be a constant tensor")

    def check_pad(self) -> None:
        if self.op.name == "MIRROR_PAD" and self.option("mode", _MIRROR_REFLECT) != _MIRROR_REFLECT:
            self.fail("MIRROR_PAD supports REFLECT mode only")
        self.expect_runtime_inputs(1, " (paddings must be constant)")
        pads = self.input(1)
        if pads is None:
            self.fail("missing paddings tensor")
        elif pads.rank != 2 or pads.shape[0] not in (3, 4) or pads.shape[1] != 2:
            self.fail(f"paddings tensor must be 4x2 or 3x2, is {list(pads.shape)}")

    def check_depth_space(self) -> None:
        self.expect_runtime_inputs(1)
        block = self.option("blockSize", 0)
        if block is None or block <= 1:
            self.fail(f"{self.op.name} block_size must be > 1, is {block}")

    def check_softmax(self) -> None:
        beta = self.option("beta", 1.0)
        if beta != 1:
            self.fail(f"SOFTMAX beta != 1 ({beta}) is not supported")

    def check_resize_bilinear(self) -> None:
        self.expect_runtime_inputs(1, " (the output size must be constant)")
        if self.option("alignCorners", False) and self.option("halfPixelCenters", False):
            self.fail("align_corners and half_pixel_centers cannot both be true")

    def check_single_runtime_input(self) -> None:
        self.expect_runtime_inputs(1)

    def check_cast(self) -> None:
        if not self.expect_runtime_inputs(1) or not self.outs:
            return
        src, dst = self.runtime_inputs()[0].type, self.outs[0].type
        ok = (
            (src == "BOOL" and dst in _FLOAT_TYPES)
            or (src in _FLOAT_TYPES and dst == "BOOL")
            or (src in ("FLOAT32", "INT32") and dst in ("FLOAT32", "INT32"))
        )
        if not ok:
            self.fail(f"CAST {src} -> {dst} is not supported")

    def check_gather(self) -> None:
        data, idx = self.input(0), self.input(1)
        if data is not None and data.type == "INT32":
            self.fail("GATHER of an int32 tensor is not supported")
        if idx is not None and (idx.rank != 1 or idx.type != "INT32"):
            self.fail("GATHER supports 1-D int32 indices only")

    def check_batch_matmul(self) -> None:
        if len(self.present_inputs()) != 2 or len(self.outs) != 1:
            self.fail("BATCH_MATMUL expects 2 inputs and 1 output")


_RULES: dict[str, Callable[[_OpChecker], None]] = {
    "ADD": _OpChecker.check_add,
    "MUL": _OpChecker.check_mul,
    "ADD_N": _OpChecker.check_add_n,
    "CONV_2D": _OpChecker.check_conv_common,
    "DEPTHWISE_CONV_2D": _OpChecker.check_depthwise,
    "TRANSPOSE_CONV": _OpChecker.check_transpose_conv,
    "FULLY_CONNECTED": _OpChecker.check_fully_connected,
    "PRELU": _OpChecker.check_prelu,
    "RESHAPE": _OpChecker.check_reshape,
    "STRIDED_SLICE": _OpChecker.check_strided_slice,
    "SLICE": _OpChecker.check_slice,
    "PAD": _OpChecker.check_pad,
    "PADV2": _OpChecker.check_pad,
    "MIRROR_PAD": _OpChecker.check_pad,
    "DEPTH_TO_SPACE": _OpChecker.check_depth_space,
    "SPACE_TO_DEPTH": _OpChecker.check_depth_space,
    "SOFTMAX": _OpChecker.check_softmax,
    "RESIZE_BILINEAR": _OpChecker.check_resize_bilinear,
    "RESIZE_NEAREST_NEIGHBOR": _OpChecker.check_single_runtime_input,
    "TRANSPOSE": _OpChecker.check_single_runtime_input,
    "TILE": _OpChecker.check_single_runtime_input,
    "CAST": _OpChecker.check_cast,
    "GATHER": _OpChecker.check_gather,
    "BATCH_MATMUL": _OpChecker.check_batch_matmul,
}


def check_model(model: TfliteModel) -> list[GpuIssue]:
    """All GPU issues of a parsed model, in op order."""
    issues: list[GpuIssue] = []
    for op in model.ops():
        checker = _OpChecker(model, op)
        checker.check_op()
        issues.extend(checker.issues)
    return issues


def check_gpu_compatibility(model: PathOrBytes) -> list[GpuIssue]:
    """Check a .tflite model (path or bytes) against the GPU delegate's rules; an empty list means compatible.

    Each :class:`GpuIssue` names the op (index in subgraph 0 and op name, or custom code) and one reason.
    """
    return check_model(TfliteModel.load(model))
