"""Gain over bicubic frame by frame: how a model's quality moves along a clip (recurrent models should rise while
their state fills, sliding-window ones stay flat). Computed from ``EvalResult.per_frame`` of results evaluated under
one protocol (same clips, frames and crop)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .evaluate import EvalResult

__all__ = ["find_bicubic", "per_frame_gains", "write_per_frame_tables"]


def find_bicubic(results: Sequence[EvalResult]) -> EvalResult | None:
    """The bicubic row among ``results`` (None without one)."""
    return next((r for r in results if r.name == "bicubic"), None)


def _check_same_protocol(result: EvalResult, bicubic: EvalResult) -> None:
    if not result.per_frame:
        raise ValueError(f"{result.name}: no per-frame scores (a result written before they were recorded); "
                         "evaluate it again")
    same_frames = {c: len(v) for c, v in result.per_frame.items()} == {c: len(v) for c, v in bicubic.per_frame.items()}
    if not same_frames or result.info.get("lr_size") != bicubic.info.get("lr_size"):
        raise ValueError(f"{result.name} and bicubic were not evaluated on the same clips, frames and crop "
                         f"({result.info.get('lr_size')} vs {bicubic.info.get('lr_size')} LR); pass the same "
                         "--frames/--clips/--crop to both")


def per_frame_gains(results: Sequence[EvalResult]) -> dict[str, dict[str, list[float]]]:
    """``{model: {clip: [gain dB per frame], ..., "mean": [mean over the clips that have the frame]}}`` for every
    result but bicubic; a ValueError without a bicubic result or when protocols differ."""
    bicubic = find_bicubic(results)
    if bicubic is None:
        raise ValueError("per-frame gains are over bicubic: add 'bicubic' to the targets")
    gains: dict[str, dict[str, list[float]]] = {}
    for result in results:
        if result is bicubic:
            continue
        _check_same_protocol(result, bicubic)
        per_clip = {clip: [m - b for m, b in zip(values, bicubic.per_frame[clip], strict=True)]
                    for clip, values in result.per_frame.items()}
        length = max(len(v) for v in per_clip.values())
        per_clip["mean"] = [float(np.mean([v[i] for v in per_clip.values() if i < len(v)])) for i in range(length)]
        gains[result.name] = per_clip
    return gains


def write_per_frame_tables(results: Sequence[EvalResult], gains: dict[str, dict[str, list[float]]],
                           prefix: Path) -> tuple[Path, Path]:
    """``prefix.md`` (gain over bicubic per frame index: mean over clips, then each clip) and ``prefix.csv`` (one
    row per model, clip and frame: its Y-PSNR, bicubic's and the gain)."""
    bicubic = find_bicubic(results)
    assert bicubic is not None  # per_frame_gains made sure
    length = max((len(g["mean"]) for g in gains.values()), default=0)
    lines = ["Y-PSNR gain over bicubic [dB] per frame index (frame 0: no earlier frame, recurrent state empty).", "",
             "| model | clip | " + " | ".join(str(i) for i in range(length)) + " |",
             "|---|---|" + "---:|" * length]
    for model, per_clip in gains.items():
        for clip in ["mean", *sorted(c for c in per_clip if c != "mean")]:
            cells = [f"{v:+.2f}" for v in per_clip[clip]] + [""] * (length - len(per_clip[clip]))
            lines.append(f"| {model} | {clip} | " + " | ".join(cells) + " |")
    md = prefix.with_name(prefix.name + ".md")
    md.parent.mkdir(parents=True, exist_ok=True)
    md.write_text("\n".join(lines) + "\n")
    by_name = {r.name: r for r in results}
    csv_path = prefix.with_name(prefix.name + ".csv")
    with csv_path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["model", "clip", "frame", "psnr_y", "bicubic_psnr_y", "gain_db"])
        for model in gains:
            for clip, values in by_name[model].per_frame.items():
                for i, value in enumerate(values):
                    base = bicubic.per_frame[clip][i]
                    writer.writerow([model, clip, i, f"{value:.4f}", f"{base:.4f}", f"{value - base:.4f}"])
    return md, csv_path
