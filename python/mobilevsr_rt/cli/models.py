"""List the bundled models: every precision file with its params, MACs, quality and GPU verdict from its model card.

A bundled name (``swat_3``) picks fp16 for the GPU and int8 for the CPU; ``swat_3_int8`` names one file. Quality is
the card's: Y-PSNR / SSIM on the validation clips the exporter measured, and the loss against the float model.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..models import MODELS_DIR, BundledModel, list_bundled_models
from .options import add_json_argument, json_to_stdout, write_json
from .upscale import DEFAULT_MODEL


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``models``."""
    add_json_argument(parser, "the model list")


def describe(model: BundledModel) -> dict[str, Any]:
    """One bundled file and what its card says (card fields are None without a card)."""
    card = model.card() or {}
    quality = card.get("quality") or {}
    compile_verdict = (card.get("gpu") or {}).get("compile") or {}
    return {
        "name": model.name,
        "precision": model.precision,
        "file": model.path.name,
        "path": str(model.path),
        "size_bytes": model.path.stat().st_size,
        "default": model.name == DEFAULT_MODEL,
        "card": str(model.card_path) if model.card_path else None,
        "params": card.get("params"),
        "macs": card.get("macs"),
        "frame_size": card.get("frame_size"),
        "psnr_y": quality.get("psnr_y"),
        "ssim_y": quality.get("ssim_y"),
        "drop_vs_float_db": quality.get("drop_db"),
        "quality_clips": quality.get("clips"),
        "quality_frames_per_clip": quality.get("frames_per_clip"),
        "gpu_fully_accelerated": compile_verdict.get("fully_accelerated") if compile_verdict else None,
    }


def _cell(value: Any, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def format_table(rows: list[dict[str, Any]]) -> str:
    """The model list as an aligned text table."""
    header = ["model", "precision", "file", "size", "params", "MACs", "at LR", "Y-PSNR / SSIM", "vs float", "GPU"]
    lines = []
    for row in rows:
        size = row["frame_size"]
        gpu = row["gpu_fully_accelerated"]
        quality = "-" if row["psnr_y"] is None else f"{row['psnr_y']:.2f} / {row['ssim_y']:.4f}"
        lines.append([
            row["name"] + (" (default)" if row["default"] else ""),
            row["precision"],
            row["file"],
            f"{row['size_bytes'] / 1024:.1f} KiB",
            _cell(row["params"], ","),
            "-" if row["macs"] is None else f"{row['macs'] / 1e9:.3f} G",
            "-" if size is None else f"{size[0]}x{size[1]}",
            quality,
            "-" if row["drop_vs_float_db"] is None else f"-{row['drop_vs_float_db']:.2f} dB",
            "-" if gpu is None else ("full" if gpu else "partial"),
        ])
    widths = [max(len(h), *(len(r[i]) for r in lines)) for i, h in enumerate(header)]
    text = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    text += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in lines]
    return "\n".join(text)


def run(args: argparse.Namespace) -> int:
    """Print the bundled models."""
    rows = [describe(m) for m in list_bundled_models()]
    write_json({"directory": str(MODELS_DIR), "models": rows}, args.json)
    if json_to_stdout(args):
        return 0
    if not rows:
        print(f"no bundled models in {MODELS_DIR}: pass a .tflite path to --model")
        return 0
    print(format_table(rows))
    clips = {(r["quality_clips"], r["quality_frames_per_clip"]) for r in rows if r["quality_clips"] is not None}
    print()
    print(f"Files in {MODELS_DIR}. A name without precision runs fp16 on the GPU and int8 on the CPU "
          f"('{DEFAULT_MODEL}_int8' names one file).")
    print("Quality from each model card: Y-PSNR / SSIM against HR on the exporter's validation clips"
          + (f" ({', '.join(f'{c} clips x {f} frames' for c, f in sorted(clips))})" if clips else "")
          + "; 'vs float': loss against the float model. GPU: the card's real compile (SwiftShader).")
    return 0
