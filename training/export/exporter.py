"""The export pipeline: Keras model -> checked .tflite with embedded contract -> model card.

``export_keras`` works on an already built model (static shapes, batch 1); ``export`` rebuilds a trained zoo model
at the deploy frame size first (weights never depend on the frame size).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mobilevsr_rt.analysis import analyze_model, check_gpu_compatibility
from mobilevsr_rt.contract import embed_contract

from .._keras import keras
from ..models import TemporalLayout, get_layout
from .calibration import DEFAULT_CALIBRATION_ROOT, calibration_samples, lr_clips
from .card import DEFAULT_VAL_ROOT, card_path, gpu_compile_in_subprocess, quality_against_float
from .checks import ExportError, require_deployable
from .contract_map import build_contract, signature_tensor_names
from .convert import convert
from .equalize import equalize_conv_outputs
from .fixups import drop_identity_clips, float32_prelu_alpha, int8_io, pin_uint8_io
from .frame_isolation import isolate_frame_concats
from .source import load_source

__all__ = ["INT8_IO_TYPES", "CalibrationOptions", "ExportResult", "check_int8_io", "export", "export_keras"]

_PIXEL_SCALE = float(np.float32(1.0 / 255.0))
_PIXEL_ZERO_POINT = {"uint8": 0, "int8": -128}  # the pixel p is stored as p (uint8) or p - 128 = p XOR 0x80 (int8)
INT8_IO_TYPES = tuple(_PIXEL_ZERO_POINT)


@dataclass
class CalibrationOptions:
    """Where int8 calibration frames come from and how many runs are recorded (clips x frames)."""

    root: Path = DEFAULT_CALIBRATION_ROOT
    clips: int = 8
    frames: int = 6
    seed: int = 0


@dataclass
class ExportResult:
    """An exported model: its bytes (with contract), where it was written, and its card."""

    model: bytes
    contract: dict[str, Any]
    card: dict[str, Any]
    path: Path | None = None
    card_file: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _io_details(model: bytes) -> tuple[dict[str, dict], dict[str, dict]]:
    stats = analyze_model(model)
    names_in, names_out = signature_tensor_names(model)
    by_name = {t["name"]: t for t in stats["inputs"] + stats["outputs"]}
    return ({k: by_name[v] for k, v in names_in.items()}, {k: by_name[v] for k, v in names_out.items()})


def check_int8_io(model: bytes, io_type: str = "uint8") -> None:
    """Raise :class:`ExportError` unless frames and hr are ``io_type`` with scale exactly float32(1/255) and zero
    point 0 (uint8) or -128 (int8): the runtime's pixel maps are then the identity or a sign-bit flip."""
    inputs, outputs = _io_details(model)
    frames, hr = inputs["frames"], outputs["hr"]
    if frames["dtype"] != io_type or hr["dtype"] != io_type:
        raise ExportError(f"int8 export must read/write {io_type} frames, got {frames['dtype']} -> {hr['dtype']}")
    for role, tensor in (("frames input", frames), ("hr output", hr)):
        q = tensor["quantization"]
        if q is None or q["scale"] != [_PIXEL_SCALE] or q["zero_point"] != [_PIXEL_ZERO_POINT[io_type]]:
            raise ExportError(f"int8 {role} quantization {q} is not scale 1/255, zero point "
                              f"{_PIXEL_ZERO_POINT[io_type]}: the output clip to [0, 1] must be the graph's last op")


def _state_quantization(model: bytes) -> list[dict[str, Any]]:
    inputs, outputs = _io_details(model)
    pairs = []
    for key in sorted(k for k in inputs if k.startswith("state_")):
        pairs.append({"state": key, "input": inputs[key]["quantization"],
                      "output": outputs[f"{key}_out"]["quantization"]})
    return pairs


def _is_quantization_aware(model: keras.Model) -> bool:
    """True for a tfmot QAT model (its quantize wrappers come from tensorflow_model_optimization)."""
    return any(type(layer).__module__.startswith("tensorflow_model_optimization") for layer in model.layers)


def export_keras(model: keras.Model, name: str, precision: str, layout: TemporalLayout | None = None,
                 output: str | Path | None = None, calibration: CalibrationOptions | None = None,
                 representative=None, quality: bool = True, gpu_compile: bool = True,
                 val_root: str | Path = DEFAULT_VAL_ROOT, val_frames: int = 4, val_clips: int | None = None,
                 float_model_builder=None, max_drop_db: float | None = None, source: str = "",
                 io_type: str = "int8", verbose: bool = True) -> ExportResult:
    """Convert, check, embed the contract, write the model and its card; see the module docstring.

    ``model`` must have static shapes and batch size 1. ``representative`` (int8) overrides the calibration from
    real clips (a callable returning input dicts). ``float_model_builder(frame_size)`` builds the float reference
    for the quality check (default: the zoo architecture with default config rebuilt with this model's weights;
    pass it for QAT-wrapped models or config overrides). ``io_type`` (int8 only): the type of every input and
    output, ``"int8"`` (pixels stored XOR 0x80; XNNPACK runs the whole graph) or ``"uint8"``. Raises
    :class:`ExportError` for undeployable graphs or a precision drop above ``max_drop_db``.
    """
    layout = layout or get_layout(name)
    frame_size = tuple(int(v) for v in model.inputs[0].shape[1:3])
    timings: dict[str, float] = {}
    calib_info: dict[str, Any] | None = None
    tick = time.perf_counter()
    if precision == "int8" and representative is None:
        calibration = calibration or CalibrationOptions()
        clips = lr_clips(calibration.root, frame_size, calibration.clips, calibration.frames, layout.scale,
                         calibration.seed)
        representative = lambda: calibration_samples(model, layout, clips)  # noqa: E731
        calib_info = {"root": str(Path(calibration.root).resolve()), "clips": len(clips),
                      "runs": sum(len(c) for c in clips),
                      "states": "float model unrolled over each clip" if layout.state_channels else None}
    converted_model, requant_points, equalized = model, 0, []
    if precision == "int8":
        converted_model, requant_points = isolate_frame_concats(model)
        if not _is_quantization_aware(model):  # QAT's learnt fake-quant ranges are the int8 scales: keep them
            converted_model, equalized = equalize_conv_outputs(converted_model, representative())
    flat = convert(converted_model, precision, representative)
    timings["convert_s"] = time.perf_counter() - tick
    stats = analyze_model(flat)
    require_deployable(stats, f"{name} ({precision})")
    if precision == "int8":
        if io_type not in INT8_IO_TYPES:
            raise ValueError(f"io_type must be one of {INT8_IO_TYPES}, got {io_type!r}")
        names_in, names_out = signature_tensor_names(flat)
        flat = drop_identity_clips(pin_uint8_io(flat, names_in["frames"], names_out["hr"]))
        if io_type == "int8":
            flat = int8_io(flat)
        check_int8_io(flat, io_type)
    if precision == "fp16":
        flat = float32_prelu_alpha(flat)
    contract = build_contract(flat, name, layout)
    data = embed_contract(flat, contract)
    stats = analyze_model(data)
    issues = check_gpu_compatibility(data)
    card: dict[str, Any] = {
        "name": name, "precision": precision, "frame_size": list(frame_size), "source": source,
        "size_bytes": stats["size_bytes"], "params": stats["params"], "macs": stats["macs"],
        "ops": stats["ops"], "tensor_precision": stats["precision"],
        "inputs": stats["inputs"], "outputs": stats["outputs"], "contract": contract,
        "gpu": {"static_issues": [issue.__dict__ for issue in issues], "static_compatible": not issues},
        "calibration": calib_info,
    }
    if precision == "int8":
        card["io_type"] = io_type
    if requant_points:
        card["frame_requant_points"] = requant_points
    if equalized:
        card["equalized_convs"] = [asdict(e) for e in equalized]
    if precision == "int8" and layout.state_channels:
        card["state_quantization"] = _state_quantization(data)
    result = ExportResult(data, contract, card)
    if output is not None:
        path = Path(output)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        result.path = path
        if gpu_compile:
            tick = time.perf_counter()
            card["gpu"]["compile"] = gpu_compile_in_subprocess(path)
            timings["gpu_compile_s"] = time.perf_counter() - tick
        if quality:
            tick = time.perf_counter()
            builder = float_model_builder or _same_weights_builder(model, name)
            card["quality"] = quality_against_float(path, builder, layout, val_root, val_frames, val_clips,
                                                    deploy_size=frame_size)
            timings["quality_s"] = time.perf_counter() - tick
        card["timings"] = timings
        result.card_file = card_path(path)
        result.card_file.write_text(json.dumps(card, indent=2, default=str))
    if verbose:
        print(format_card(card))
    drop = card.get("quality", {}).get("drop_db")
    if max_drop_db is not None and drop is not None and drop > max_drop_db:
        # The card stays (it says why); the model goes, so a rejected export cannot be shipped by mistake.
        reason = f"{name} ({precision}) loses {drop:.3f} dB Y-PSNR against the float model, above --max-drop-db " \
                 f"{max_drop_db}"
        card["rejected"] = reason
        result.card_file.write_text(json.dumps(card, indent=2, default=str))
        result.path.unlink()
        raise ExportError(f"{reason} (card: {result.card_file}; model not written)")
    return result


def _same_weights_builder(model: keras.Model, name: str):
    from ..models import build_model

    weights = model.get_weights()

    def build(size: tuple[int, int]) -> keras.Model:
        rebuilt = build_model(name, frame_size=size, batch_size=1)
        rebuilt.set_weights(weights)
        return rebuilt

    return build


def format_card(card: dict[str, Any]) -> str:
    """A short text rendering of a model card."""
    lines = [f"{card['name']} [{card['precision']}] LR {card['frame_size'][0]}x{card['frame_size'][1]}: "
             f"{card['size_bytes']:,} bytes, {card['params']:,} params, {card['macs'] / 1e9:.3f} GMACs",
             "ops: " + ", ".join(f"{k} {v}" for k, v in card["ops"].items())]
    gpu = card["gpu"]
    static = "compatible" if gpu["static_compatible"] else f"{len(gpu['static_issues'])} issue(s): " + "; ".join(
        f"#{i['op_index']} {i['op']}: {i['reason']}" for i in gpu["static_issues"])
    lines.append(f"GPU static check: {static}")
    if "compile" in gpu:
        c = gpu["compile"]
        verdict = "fully accelerated" if c["compiled"] and c["fully_accelerated"] else \
            "compiled, NOT fully accelerated" if c["compiled"] else f"failed: {c['error']}"
        lines.append(f"GPU compile: {verdict}")
    for pair in card.get("state_quantization", []):
        lines.append(f"{pair['state']}: input quant {pair['input']['scale'][0]:.5g}/{pair['input']['zero_point'][0]}"
                     f", output quant {pair['output']['scale'][0]:.5g}/{pair['output']['zero_point'][0]}")
    q = card.get("quality")
    if q:
        lines.append(f"quality (Y, {q['clips']} clips x {q['frames_per_clip']} frames): tflite {q['psnr_y']:.3f} dB "
                     f"/ SSIM {q['ssim_y']:.4f}; float {q['float_psnr_y']:.3f} dB / SSIM {q['float_ssim_y']:.4f}; "
                     f"drop {q['drop_db']:.3f} dB; tflite vs float {q['psnr_y_vs_float']:.2f} dB")
    return "\n".join(lines)


def export(spec: str | Path, precision: str, frame_size: tuple[int, int], output: str | Path,
           **kwargs: Any) -> ExportResult:
    """Export a run directory / checkpoint / experiment YAML / zoo name (see :func:`.source.load_source`)."""
    source = load_source(spec)
    model = source.build(frame_size, batch_size=1)
    if not source.trained:
        print(f"warning: {source.name}: {source.description}")
    kwargs.setdefault("float_model_builder", lambda size: source.build(size, batch_size=1))
    return export_keras(model, source.name, precision, output=output, source=source.description, **kwargs)
