"""Evaluation: stream clips through an upscaler (Keras checkpoint, ``.tflite`` via the runtime, or bicubic) and
measure PSNR / SSIM on RGB and Y against the HR frames.

Protocol: HR frames are cropped to a multiple of the scale (optionally centre-cropped), LR frames are their
MATLAB-bicubic x1/scale downscales rounded to uint8, each clip is fed frame by frame with the runtime's streaming
semantics (``process``/``flush``, state reset per clip), outputs are uint8. Metrics are averaged per clip, then
over clips. ``ms_per_frame`` is the median wall time per output frame on this host (first output excluded).
``per_frame`` keeps every frame's Y-PSNR per clip, in clip order, so gains can be followed over time (recurrent
models improve as their state fills).
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from . import metrics
from .data.bicubic import matlab_downscale, matlab_upscale
from .data.readers import load_frame, read_clip_folders

__all__ = [
    "BicubicUpscaler",
    "EvalClip",
    "EvalResult",
    "Upscaler",
    "bicubic_factory",
    "bundled_tflite",
    "evaluate",
    "evaluate_path",
    "keras_factory",
    "load_eval_clips",
    "load_run_info",
    "resolve_checkpoint",
    "tflite_factory",
]


class Upscaler(Protocol):
    """What :func:`evaluate` drives: the API of ``mobilevsr_rt.Upscaler``."""

    def process(self, frame: np.ndarray) -> np.ndarray | None: ...

    def flush(self) -> list[np.ndarray]: ...

    def reset(self) -> None: ...


# (lr_height, lr_width) -> upscaler for frames of that size
UpscalerFactory = Callable[[tuple[int, int]], Upscaler]


@dataclass
class EvalClip:
    """An evaluation clip: HR uint8 frames (cropped to a multiple of the scale) and their LR."""

    name: str
    hr: list[np.ndarray]
    lr: list[np.ndarray]


@dataclass
class EvalResult:
    """Mean metrics over clips (each clip's value is the mean over its frames)."""

    name: str
    dataset: str
    psnr_rgb: float
    ssim_rgb: float
    psnr_y: float
    ssim_y: float
    frames: int
    ms_per_frame: float | None
    per_clip: dict[str, dict[str, float]] = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    per_frame: dict[str, list[float]] = field(default_factory=dict)
    """Y-PSNR of every frame, per clip (empty in results written before it existed)."""

    def to_json(self) -> str:
        """Serialised result (``report`` can read it back)."""
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> EvalResult:
        """Inverse of :meth:`to_json`."""
        return cls(**json.loads(text))


def load_eval_clips(root: str | Path, frames: int | None = None, crop: tuple[int, int] | None = None,
                    scale: int = 4, max_clips: int | None = None) -> list[EvalClip]:
    """HR clips from ``<root>/<clip>/<frame>.png`` with their bicubic LR.

    ``frames`` keeps the first N frames of each clip, ``crop`` = (H, W) takes an HR centre crop (rounded down to a
    multiple of ``scale``), ``max_clips`` the first clips by name.
    """
    clips = []
    for clip in read_clip_folders(root)[:max_clips]:
        hr_frames, lr_frames = [], []
        for path in clip.frames[:frames]:
            hr = load_frame(path)
            h, w = hr.shape[:2]
            if crop is not None:
                ch, cw = min(crop[0], h), min(crop[1], w)
                top, left = (h - ch) // 2, (w - cw) // 2
                hr = hr[top: top + ch, left: left + cw]
            hr = np.ascontiguousarray(hr[: hr.shape[0] - hr.shape[0] % scale, : hr.shape[1] - hr.shape[1] % scale])
            hr_frames.append(hr)
            lr_frames.append(matlab_downscale(hr, scale))
        clips.append(EvalClip(clip.name, hr_frames, lr_frames))
    if not clips:
        raise ValueError(f"no clips in {root}")
    return clips


def _run_clip(upscaler: Upscaler, lr_frames: Sequence[np.ndarray], times: list[float]) -> list[np.ndarray]:
    outputs: list[np.ndarray] = []
    upscaler.reset()
    for frame in lr_frames:
        start = time.perf_counter()
        out = upscaler.process(frame)
        if out is not None:
            times.append(time.perf_counter() - start)
            outputs.append(out)
    start = time.perf_counter()
    rest = upscaler.flush()
    if rest:
        times.extend([(time.perf_counter() - start) / len(rest)] * len(rest))
    outputs.extend(rest)
    if len(outputs) != len(lr_frames):
        raise RuntimeError(f"upscaler returned {len(outputs)} frames for {len(lr_frames)} inputs")
    return outputs


def evaluate(factory: UpscalerFactory, clips: Sequence[EvalClip], name: str = "model", dataset: str = "",
             crop_border: int = 0, info: dict | None = None) -> EvalResult:
    """Stream every clip through ``factory((lr_h, lr_w))`` and average the metrics per clip, then over clips."""
    per_clip: dict[str, dict[str, float]] = {}
    per_frame: dict[str, list[float]] = {}
    times: list[float] = []
    upscalers: dict[tuple[int, int], Upscaler] = {}
    total = 0
    for clip in clips:
        size = clip.lr[0].shape[:2]
        if size not in upscalers:
            upscalers[size] = factory(size)
        outputs = _run_clip(upscalers[size], clip.lr, times)
        scores = {k: [] for k in ("psnr_rgb", "ssim_rgb", "psnr_y", "ssim_y")}
        for out, hr in zip(outputs, clip.hr, strict=True):
            if out.shape != hr.shape:
                raise RuntimeError(f"output {out.shape} does not match HR {hr.shape}")
            for y, suffix in ((False, "rgb"), (True, "y")):
                scores[f"psnr_{suffix}"].append(metrics.psnr(out, hr, crop_border, y))
                scores[f"ssim_{suffix}"].append(metrics.ssim(out, hr, crop_border, y))
        per_clip[clip.name] = {k: float(np.mean(v)) for k, v in scores.items()}
        per_frame[clip.name] = [float(v) for v in scores["psnr_y"]]
        total += len(outputs)
    mean = {k: float(np.mean([c[k] for c in per_clip.values()])) for k in ("psnr_rgb", "ssim_rgb", "psnr_y", "ssim_y")}
    ms = 1000.0 * statistics.median(times[1:]) if len(times) > 1 else None
    info = {"lr_size": list(clips[0].lr[0].shape[:2]), "clips": len(clips), "crop_border": crop_border,
            **(info or {})}
    return EvalResult(name=name, dataset=dataset, frames=total, ms_per_frame=ms, per_clip=per_clip, info=info,
                      per_frame=per_frame, **mean)


class BicubicUpscaler:
    """The "bicubic" baseline: MATLAB-bicubic x``scale`` upscaling of each LR frame (no lookahead, no state)."""

    def __init__(self, scale: int = 4):
        self.scale = scale

    def process(self, frame: np.ndarray) -> np.ndarray:
        """HR frame for ``frame``."""
        return matlab_upscale(frame, self.scale)

    def flush(self) -> list[np.ndarray]:
        """Nothing is ever held back."""
        return []

    def reset(self) -> None:
        """Stateless."""


def bicubic_factory(scale: int = 4) -> UpscalerFactory:
    """Factory of :class:`BicubicUpscaler`."""
    return lambda size: BicubicUpscaler(scale)


def resolve_checkpoint(path: str | Path) -> tuple[Path, str]:
    """``(run_dir, checkpoint_prefix)`` for a run directory, its ``checkpoints`` folder or a ``ckpt-N`` prefix."""
    import tensorflow as tf

    path = Path(path).expanduser().resolve()
    if path.is_dir():
        run_dir = path if (path / "run.json").is_file() else path.parent
        ckpt_dir = run_dir / "checkpoints"
        prefix = tf.train.latest_checkpoint(str(ckpt_dir))
        if prefix is None:
            raise FileNotFoundError(f"no checkpoint in {ckpt_dir}")
        return run_dir, prefix
    if Path(str(path) + ".index").is_file():
        return path.parent.parent, str(path)
    raise FileNotFoundError(f"not a run directory or checkpoint prefix: {path}")


def load_run_info(run_dir: Path) -> dict:
    """The ``run.json`` a training run writes (model name, overrides, full config)."""
    return json.loads((run_dir / "run.json").read_text())


def keras_factory(model_name: str, checkpoint: str | None = None, overrides: dict | None = None,
                  weights_from=None) -> UpscalerFactory:
    """Factory building ``model_name`` per LR size; weights from a tf checkpoint prefix, a Keras ``.h5`` weights
    file (``checkpoint`` ending in ``.h5``) or an in-memory Keras model (``weights_from``)."""
    import tensorflow as tf

    from .models import build_model, get_layout
    from .train.streaming import KerasUpscaler

    layout = get_layout(model_name)

    def make(size: tuple[int, int]) -> Upscaler:
        model = build_model(model_name, frame_size=size, batch_size=1, **(overrides or {}))
        if weights_from is not None:
            model.set_weights(weights_from.get_weights())
        elif checkpoint is not None and checkpoint.endswith(".h5"):
            model.load_weights(checkpoint)
        elif checkpoint is not None:
            tf.train.Checkpoint(model=model).restore(checkpoint).expect_partial().assert_existing_objects_matched()
        return KerasUpscaler(model, layout)

    return make


def tflite_factory(path: str | Path, accelerator: str = "cpu") -> UpscalerFactory:
    """Factory of ``mobilevsr_rt.Upscaler`` for a ``.tflite`` file (a fixed-size model: clips must fit it)."""
    import mobilevsr_rt

    return lambda size: mobilevsr_rt.Upscaler(str(path), accelerator=accelerator)


def tflite_frame_size(path: str | Path) -> tuple[int, int]:
    """LR ``(H, W)`` of a ``.tflite`` model's first 4-D input (clips are centre-cropped to it)."""
    from ai_edge_litert.interpreter import Interpreter

    details = Interpreter(model_path=str(path)).get_input_details()
    shape = next(d["shape"] for d in details if len(d["shape"]) == 4)
    return int(shape[1]), int(shape[2])


def bundled_tflite(target: str) -> Path | None:
    """The bundled ``.tflite`` file a name such as ``swat_3_int8`` (or ``swat_3``: the CPU's int8) stands for, if
    ``target`` is not an existing path and names a bundled model; else None."""
    if Path(target).exists() or target == "bicubic":
        return None
    try:
        from mobilevsr_rt.models import list_bundled_models, resolve_model
    except ImportError:
        return None
    stem = target.removesuffix(".tflite")
    if not any(stem in (m.name, m.path.stem) for m in list_bundled_models()):
        return None
    return resolve_model(target, accelerator="cpu")


def evaluate_path(target: str, data: str | Path, frames: int | None = None, crop: tuple[int, int] | None = None,
                  crop_border: int = 0, max_clips: int | None = None, scale: int = 4) -> EvalResult:
    """Evaluate ``target`` on clip folders: ``bicubic``, a ``.tflite`` file, a bundled model name (``swat_3_int8``;
    a bare name is its CPU file, int8), a run directory / checkpoint prefix, or a run's ``final.weights.h5``."""
    data = Path(data)
    dataset = data.name
    target = str(bundled_tflite(target) or target)
    if target == "bicubic":
        clips = load_eval_clips(data, frames, crop, scale, max_clips)
        return evaluate(bicubic_factory(scale), clips, "bicubic", dataset, crop_border,
                        {"description": f"MATLAB bicubic x{scale}"})
    if target.endswith(".tflite"):
        if crop is None:
            h, w = tflite_frame_size(target)
            crop = (h * scale, w * scale)
        clips = load_eval_clips(data, frames, crop, scale, max_clips)
        return evaluate(tflite_factory(target), clips, Path(target).stem, dataset, crop_border,
                        {"path": str(Path(target).resolve()), "kind": "tflite"})
    if target.endswith(".h5"):  # e.g. <run>/final.weights.h5
        run_dir, prefix = Path(target).resolve().parent, str(Path(target).resolve())
    else:
        run_dir, prefix = resolve_checkpoint(target)
    run = load_run_info(run_dir)
    clips = load_eval_clips(data, frames, crop, scale, max_clips)
    factory = keras_factory(run["model"], prefix, run.get("model_overrides"))
    return evaluate(factory, clips, run["model"], dataset, crop_border,
                    {"checkpoint": prefix, "kind": "keras", "model": run["model"],
                     "model_overrides": run.get("model_overrides", {})})
