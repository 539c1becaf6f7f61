"""Load a float .tflite's weights into a zoo Keras model, op by op, and prove the two compute the same thing.

How ops are paired: the zoo model's weighted layers are visited in topological order. A layer's candidates are the
.tflite's weighted ops not yet taken with the same kind, weight shapes and configuration (kernel size, strides,
dilation, padding, fused activation). Both graphs are then run on the same input (a deterministic image-like clip,
two steps so the recurrent state is a real one): the candidate whose *input tensor* equals the Keras layer's input
(computed with the weights loaded so far, in the .tflite's units) is the layer's op. The order of independent
branches may thus differ between the graphs, while any structural difference upstream of a layer (another op, other
inputs, other channel order) leaves no candidate and is reported at the first layer it reaches. After the last layer
each graph output is compared with its .tflite counterpart, which catches differences in the un-weighted tail
(anchor, depth-to-space, clip). Every weight of the Keras model is assigned exactly once: each weighted layer takes
exactly one op, each op one layer, and leftovers on either side are errors.

Pixel range: a .tflite working on 0..255 pixels (R = 255 times the zoo's 0..1) loads with every bias divided by R
and kernels unchanged. The networks the importer accepts are positively homogeneous apart from their biases (convs,
ReLU/PReLU, adds, concatenations, slices, resizes, depth-to-space; the output clip's bound is R times the zoo's), so
every tensor of the zoo model, recurrent state included, is exactly the .tflite's divided by R: the state keeps the
range of the pixels it is concatenated with, which INT8 export needs (one scale per concatenation). A network for
which this does not hold fails the equality checks below.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mobilevsr_rt.analysis.flatbuffer_model import TfliteModel

from .._keras import keras
from ..models import TemporalLayout, build_model, get_layout
from .keras_side import KerasLayer, weighted_layers
from .tflite_side import WEIGHTED_OPS, TfliteLayer, read_layers, run_with_intermediates

__all__ = ["ImportMismatch", "ImportReport", "import_weights", "probe_clip"]

# Max |difference| allowed between paired tensors, relative to the reference's largest magnitude (at least 1):
# float32 kernels summing in another order differ by ~1e-6 of that; a wrong op differs by O(1).
RELATIVE_TOLERANCE = 1e-4


class ImportMismatch(ValueError):
    """The .tflite is not the zoo model: the message names the first layer/op that differs."""


@dataclass
class ImportReport:
    """What was imported and how closely the Keras model reproduces the .tflite on the probe input."""

    model: str
    source: str
    sha256: str
    frame_size: tuple[int, int]
    pixel_ratio: float
    pairs: list[dict] = field(default_factory=list)
    output_max_abs_diff: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-friendly view (stored in the import's run.json)."""
        return {"model": self.model, "source": self.source, "sha256": self.sha256,
                "frame_size": list(self.frame_size), "pixel_ratio": self.pixel_ratio, "pairs": self.pairs,
                "output_max_abs_diff": self.output_max_abs_diff}


def probe_clip(size: tuple[int, int], frames: int, seed: int = 0) -> list[np.ndarray]:
    """``frames`` deterministic image-like uint8 frames (smooth colour fields plus texture, drifting), HxWx3."""
    rng = np.random.default_rng(seed)
    h, w = size
    coarse = rng.uniform(0, 255, (h // 8 + 3, w // 8 + 3, 3)).astype(np.float32)
    field_ = np.kron(coarse, np.ones((8, 8, 1), np.float32))
    texture = rng.normal(0, 12, field_.shape).astype(np.float32)
    out = []
    for t in range(frames):
        frame = field_[t: t + h, t: t + w] + texture[: h, : w]
        out.append(np.clip(np.rint(frame), 0, 255).astype(np.uint8))
    return out


def _tolerance(reference: np.ndarray) -> float:
    return RELATIVE_TOLERANCE * max(1.0, float(np.max(np.abs(reference))) if reference.size else 1.0)


def _runtime_contract(path: Path) -> dict:
    """The contract the runtime uses for the file (embedded, or recognised from its tensors)."""
    import mobilevsr_rt

    with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=1) as up:
        return up.info["contract"]


def _check_contract(contract: dict, layout: TemporalLayout, model: TfliteModel, name: str) -> dict[str, str]:
    """Keras input/output name -> .tflite tensor name; ImportMismatch when the temporal layouts differ."""
    frames_in, frames_out = contract["frame_inputs"], contract["frame_outputs"]
    states = contract.get("state") or []
    problems = []
    if frames_in.get("layout") != "stacked" or len(frames_in["tensors"]) != 1:
        problems.append("its frames are not one stacked input tensor")
    elif tuple(frames_in["offsets"]) != layout.offsets:
        problems.append(f"it reads frame offsets {tuple(frames_in['offsets'])}, {name} reads {layout.offsets}")
    if len(frames_out["tensors"]) != 1 or list(frames_out.get("offsets", [0])) != [0]:
        problems.append("it does not output one HR frame per run")
    if int(contract["scale"]) != layout.scale:
        problems.append(f"scale x{contract['scale']} vs x{layout.scale}")
    by_name = {t.name: t for t in model.graph_inputs() + model.graph_outputs()}
    channels = tuple(by_name[s["input"]].shape[-1] for s in states if s["input"] in by_name)
    if channels != layout.state_channels:
        problems.append(f"recurrent state channels {channels} vs {layout.state_channels} of {name}")
    if problems:
        raise ImportMismatch(f"the .tflite's temporal layout is not {name}'s: " + "; ".join(problems))
    names = {"frames": frames_in["tensors"][0], "hr": frames_out["tensors"][0]}
    for i, pair in enumerate(states):
        names[f"state_{i}"], names[f"state_{i}_out"] = pair["input"], pair["output"]
    return names


def _same_structure(k: KerasLayer, t: TfliteLayer) -> bool:
    return (k.kind == t.kind and k.weight_shapes == [tuple(w.shape) for w in t.weights]
            and all(k.config.get(key) == t.config.get(key) for key in t.config))


def _describe(k: KerasLayer) -> str:
    shapes = " ".join("x".join(str(d) for d in s) for s in k.weight_shapes)
    cfg = ", ".join(f"{key} {value}" for key, value in k.config.items())
    return f"{k.label}: weights {shapes}" + (f", {cfg}" if cfg else "")


def _describe_op(t: TfliteLayer) -> str:
    shapes = " ".join("x".join(str(d) for d in w.shape) for w in t.weights)
    cfg = ", ".join(f"{key} {value}" for key, value in t.config.items())
    return f"{t.label}: weights (Keras layout) {shapes}" + (f", {cfg}" if cfg else "")


def _assign(k: KerasLayer, t: TfliteLayer, ratio: float) -> None:
    """Set the layer's weights from the op's: kernels and alphas as they are, biases divided by ``ratio``."""
    if k.kind == "prelu":
        k.layer.set_weights([w.reshape(s) for w, s in zip(t.weights, k.weight_shapes, strict=True)])
        return
    k.layer.set_weights([t.weights[0]] + [(b / np.float32(ratio)).astype(np.float32) for b in t.weights[1:]])


def _tail_ops(model: TfliteModel, tensor_name: str) -> list[str]:
    """Un-weighted ops between a graph output and the nearest weighted ops / graph inputs (for error messages)."""
    index = next(t.index for t in model.graph_outputs() if t.name == tensor_name)
    ops, stack, seen = [], [index], set()
    while stack:
        op = model.producers.get(stack.pop())
        if op is None or op.index in seen or op.name in WEIGHTED_OPS:
            continue
        seen.add(op.index)
        ops.append(op)
        stack.extend(i for i in op.inputs if i >= 0)
    return [f"op {op.index} {op.name}" for op in sorted(ops, key=lambda o: o.index)]


def import_weights(path: str | Path, zoo_name: str, overrides: dict | None = None, probe_seed: int = 0
                   ) -> tuple[keras.Model, ImportReport]:
    """Load the float .tflite at ``path`` into zoo model ``zoo_name`` (built at the file's frame size, batch 1).

    Returns the model and an :class:`ImportReport`. Raises FileNotFoundError, ValueError for a file that cannot be
    imported (quantized, several subgraphs), and :class:`ImportMismatch` naming the first layer/op that differs.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such .tflite: {path}")
    layout = get_layout(zoo_name)
    flat = TfliteModel.load(path)
    tfl_layers = read_layers(flat)
    contract = _runtime_contract(path)
    names = _check_contract(contract, layout, flat, zoo_name)
    contract_range = float(contract["pixel_range"])
    ratio = contract_range / layout.pixel_range
    tensors = {t.name: t for t in flat.graph_inputs() + flat.graph_outputs()}
    _, height, width, _ = tensors[names["frames"]].shape
    model = build_model(zoo_name, frame_size=(height, width), batch_size=1, **(overrides or {}))
    k_layers = weighted_layers(model)
    report = ImportReport(zoo_name, str(path), hashlib.sha256(path.read_bytes()).hexdigest(), (height, width), ratio)

    # Two runs: the first from a zero state, the second (the one compared) from the state the .tflite produced.
    clip = probe_clip((height, width), len(layout.offsets) + 1, probe_seed)
    frames = [np.concatenate(clip[i: i + len(layout.offsets)], axis=-1)[None].astype(np.float32) * np.float32(
        contract_range / 255.0) for i in range(2)]
    feed = {names["frames"]: frames[0]}
    for i, channels in enumerate(layout.state_channels):
        feed[names[f"state_{i}"]] = np.zeros((1, height, width, channels), np.float32)
    keep = {t.input_tensor for t in tfl_layers} | {t.output_tensor for t in tfl_layers}
    first = run_with_intermediates(path, feed, set())
    feed = {names["frames"]: frames[1], **{names[f"state_{i}"]: first.outputs[names[f"state_{i}_out"]]
                                           for i in range(len(layout.state_channels))}}
    ref = run_with_intermediates(path, feed, keep)
    keras_feed = {"frames": frames[1] / np.float32(ratio),
                  **{f"state_{i}": feed[names[f"state_{i}"]] / np.float32(ratio)
                     for i in range(len(layout.state_channels))}}

    free = list(tfl_layers)
    for k in k_layers:
        candidates = [t for t in free if _same_structure(k, t)]
        if not candidates:
            nxt = f"; the next unmatched op of the .tflite is {_describe_op(free[0])}" if free else \
                "; every op of the .tflite is already matched"
            raise ImportMismatch(f"no op of the .tflite has the structure of {_describe(k)}{nxt}")
        value = np.asarray(keras.Model(model.inputs, k.layer.input)(keras_feed, training=False)) * np.float32(ratio)
        diffs = [float(np.max(np.abs(value - ref.tensors[t.input_tensor]))) for t in candidates]
        best = int(np.argmin(diffs))
        chosen = candidates[best]
        if diffs[best] > _tolerance(ref.tensors[chosen.input_tensor]):
            raise ImportMismatch(
                f"{k.label} has no counterpart: the closest op of the same structure, {chosen.label}, reads an input "
                f"that differs by max |diff| {diffs[best]:.4g} (the graphs differ upstream of this layer)")
        _assign(k, chosen, ratio)
        free.remove(chosen)
        report.pairs.append({"layer": k.layer.name, "op": chosen.op.index, "op_type": chosen.op.name,
                             "tensor": chosen.output_name.split(";")[0], "input_max_abs_diff": diffs[best]})
    if free:
        raise ImportMismatch(f"{len(free)} weighted op(s) of the .tflite have no layer in {zoo_name}, first: "
                             f"{_describe_op(free[0])}")

    outputs = model(keras_feed, training=False)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    for keras_name, value in zip(model.output_names, outputs, strict=True):
        reference = ref.outputs[names[keras_name]]
        diff = float(np.max(np.abs(np.asarray(value) * np.float32(ratio) - reference)))
        report.output_max_abs_diff[keras_name] = diff
        if diff > _tolerance(reference):
            raise ImportMismatch(
                f"all {len(k_layers)} weighted layers matched, but output {keras_name!r} differs from the .tflite's "
                f"{names[keras_name]!r} by max |diff| {diff:.4g}: the un-weighted ops producing it differ; the "
                f".tflite computes it with {', '.join(_tail_ops(flat, names[keras_name]))}")
    return model, report

