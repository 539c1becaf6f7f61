"""The model card of an export: what the file is (size, params, MACs, ops, precision), whether it runs on the GPU
(static delegate rules + a real LiteRT GPU compile), and what the export cost in quality.

Quality protocol: validation clips (``../shared/data/val_videos``), the first ``frames`` frames of each, an HR
centre crop of the deploy size (smaller when the clip is smaller; the runtime then resizes the model's inputs), LR
by the data module's MATLAB bicubic x1/4. The .tflite runs through ``mobilevsr_rt.Upscaler`` (CPU) and the float
Keras model through the same streaming semantics on the same LR frames; both are scored against HR on the Y channel
(PSNR/SSIM), and the .tflite also against the float model's output. ``drop_db`` = float PSNR - .tflite PSNR.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from .. import metrics
from .._keras import keras
from ..models import TemporalLayout

__all__ = ["DEFAULT_VAL_ROOT", "gpu_compile_in_subprocess", "quality_against_float", "card_path"]

# Relative to the working directory (the project root by convention), like every ../shared path in the docs.
DEFAULT_VAL_ROOT = Path("..") / "shared" / "data" / "val_videos"
SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json"

_COMPILE_SNIPPET = (
    "import json, sys\n"
    "from mobilevsr_rt.cli.info import gpu_compile_verdict\n"
    "print(json.dumps(gpu_compile_verdict(sys.argv[1])))\n"
)


def card_path(model_path: str | Path) -> Path:
    """Where the card of ``model.tflite`` goes: ``model.card.json`` next to it."""
    model_path = Path(model_path)
    return model_path.with_name(model_path.stem + ".card.json")


def gpu_compile_in_subprocess(model_path: str | Path, timeout: float = 600.0) -> dict[str, Any]:
    """Compile the model with LiteRT's GPU accelerator in a fresh process (the Vulkan loader reads its environment
    once, and a driver crash must not take the exporter down). Uses SwiftShader when no ICD is configured."""
    env = dict(os.environ)
    if "VK_ICD_FILENAMES" not in env and Path(SWIFTSHADER_ICD).is_file():
        env["VK_ICD_FILENAMES"] = SWIFTSHADER_ICD
    with tempfile.TemporaryDirectory(prefix="mvsr-xdg-") as xdg:
        env.setdefault("XDG_RUNTIME_DIR", xdg)
        try:
            done = subprocess.run([sys.executable, "-c", _COMPILE_SNIPPET, str(model_path)], env=env,
                                  capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"compiled": False, "fully_accelerated": False, "error": f"timed out after {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {"compiled": False, "fully_accelerated": False,
                "error": f"compile process exited with {done.returncode}: {' | '.join(tail)}"}
    verdict = json.loads(lines[-1])
    verdict["device"] = env.get("VK_ICD_FILENAMES", "system Vulkan/OpenCL")
    return verdict


def _stream(upscaler, frames: list[np.ndarray]) -> list[np.ndarray]:
    upscaler.reset()
    out = [o for o in (upscaler.process(f) for f in frames) if o is not None]
    return out + list(upscaler.flush())


def quality_against_float(model_path: str | Path, float_model_builder, layout: TemporalLayout,
                          val_root: str | Path = DEFAULT_VAL_ROOT, frames: int = 4, max_clips: int | None = None,
                          deploy_size: tuple[int, int] = (180, 320), threads: int = 2) -> dict[str, Any]:
    """Y-channel PSNR/SSIM of the .tflite (runtime, CPU) and of the float model on the validation clips.

    ``float_model_builder(frame_size) -> keras.Model`` builds the float model (with its weights) for an LR size.
    Returns means over clips (each clip: mean over frames) and per-clip numbers.
    """
    import mobilevsr_rt

    from ..evaluate import load_eval_clips
    from ..train.streaming import KerasUpscaler

    crop = (deploy_size[0] * layout.scale, deploy_size[1] * layout.scale)
    clips = load_eval_clips(val_root, frames, crop, layout.scale, max_clips)
    per_clip: dict[str, dict[str, float]] = {}
    floats: dict[tuple[int, int], KerasUpscaler] = {}
    with mobilevsr_rt.Upscaler(str(model_path), accelerator="cpu", num_threads=threads) as runtime:
        for clip in clips:
            size = clip.lr[0].shape[:2]
            if size not in floats:
                floats[size] = KerasUpscaler(float_model_builder(size), layout)
            try:
                got = _stream(runtime, clip.lr)
            except (RuntimeError, ValueError) as error:  # e.g. a graph that cannot be resized to this clip
                per_clip[clip.name] = {"error": str(error)}
                continue
            ref = _stream(floats[size], clip.lr)
            scores: dict[str, list[float]] = {k: [] for k in
                                              ("psnr_y", "ssim_y", "float_psnr_y", "float_ssim_y", "psnr_y_vs_float")}
            for out, want, hr in zip(got, ref, clip.hr, strict=True):
                scores["psnr_y"].append(metrics.psnr(out, hr, y_channel=True))
                scores["ssim_y"].append(metrics.ssim(out, hr, y_channel=True))
                scores["float_psnr_y"].append(metrics.psnr(want, hr, y_channel=True))
                scores["float_ssim_y"].append(metrics.ssim(want, hr, y_channel=True))
                scores["psnr_y_vs_float"].append(min(metrics.psnr(out, want, y_channel=True), 100.0))
            per_clip[clip.name] = {k: float(np.mean(v)) for k, v in scores.items()}
            per_clip[clip.name]["lr_size"] = list(size)
    scored = [c for c in per_clip.values() if "error" not in c]
    if not scored:
        raise RuntimeError(f"no validation clip could be evaluated: {per_clip}")
    keys = ("psnr_y", "ssim_y", "float_psnr_y", "float_ssim_y", "psnr_y_vs_float")
    mean = {k: float(np.mean([c[k] for c in scored])) for k in keys}
    mean["drop_db"] = mean["float_psnr_y"] - mean["psnr_y"]
    keras.backend.clear_session()
    return {**mean, "clips": len(scored), "frames_per_clip": frames, "hr_crop": list(crop),
            "val_root": str(Path(val_root).resolve()), "per_clip": per_clip,
            "protocol": "Y-channel PSNR/SSIM vs HR; LR = MATLAB bicubic x1/4 of the HR centre crop; .tflite through "
                        "mobilevsr_rt.Upscaler (CPU), float = Keras model with the runtime's streaming semantics"}
