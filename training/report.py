"""Result tables: ``Model | Description | Dataset | PSNR | SSIM | Params | Runtime [ms] | MACs [G]`` as Markdown
and CSV, from evaluation results (computed here or read from ``eval --json`` files).

Params and MACs come from the zoo (``count_params`` / ``count_macs``; MACs per output frame at a fixed reference LR
size, default 180x320 -> 720p like ``mobilevsr-train zoo``, so rows of different datasets compare); Runtime is the
evaluation's median wall time per frame on the machine that ran it (at the evaluated frame size).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from .evaluate import EvalResult, evaluate_path

__all__ = ["COLUMNS", "build_report", "model_costs", "result_row", "write_tables"]

COLUMNS = ["Model", "Description", "Dataset", "PSNR", "SSIM", "Params", "Runtime [ms]", "MACs [G]"]


def model_costs(name: str, lr_size: Sequence[int], overrides: dict | None = None) -> tuple[int, int] | None:
    """``(params, macs_per_frame)`` of zoo model ``name`` at ``lr_size``; None if it is not a zoo model."""
    from ._keras import keras
    from .models import build_model, count_macs, count_params, list_models

    if name not in list_models():
        return None
    model = build_model(name, frame_size=(int(lr_size[0]), int(lr_size[1])), batch_size=1, **(overrides or {}))
    costs = count_params(model), count_macs(model)
    del model
    keras.backend.clear_session()
    return costs


def _description(result: EvalResult) -> str:
    if result.info.get("description"):
        return str(result.info["description"])
    from .models import get_paper, list_models

    base = get_paper(result.name) if result.name in list_models() else result.name
    return f"{base} (TFLite)" if result.info.get("kind") == "tflite" else base


def _zoo_name(result: EvalResult) -> str | None:
    if result.info.get("model"):
        return str(result.info["model"])
    if result.info.get("kind") == "tflite":
        try:
            from mobilevsr_rt.contract import read_contract

            return read_contract(result.info["path"]).get("name")
        except Exception:  # noqa: BLE001  (no runtime or no contract: costs unknown, the row stays)
            return None
    return None


def result_row(result: EvalResult, channel: str = "y", macs_size: Sequence[int] = (180, 320)) -> dict[str, str]:
    """One table row (strings) for ``result``; ``channel`` picks Y or RGB metrics, MACs are at ``macs_size``."""
    name = _zoo_name(result)
    costs = model_costs(name, macs_size, result.info.get("model_overrides")) if name else None
    psnr = result.psnr_y if channel == "y" else result.psnr_rgb
    ssim = result.ssim_y if channel == "y" else result.ssim_rgb
    return {
        "Model": result.name,
        "Description": _description(result),
        "Dataset": f"{result.dataset} ({result.info.get('clips', '?')} clips, {result.frames} frames)",
        "PSNR": f"{psnr:.2f}",
        "SSIM": f"{ssim:.4f}",
        "Params": f"{costs[0]:,}" if costs else "-",
        "Runtime [ms]": f"{result.ms_per_frame:.1f}" if result.ms_per_frame is not None else "-",
        "MACs [G]": f"{costs[1] / 1e9:.3f}" if costs else "-",
    }


def write_tables(rows: Sequence[dict[str, str]], prefix: Path, note: str = "") -> tuple[Path, Path]:
    """Write ``prefix.md`` (Markdown table, ``note`` above it) and ``prefix.csv``."""
    prefix.parent.mkdir(parents=True, exist_ok=True)
    md, csv_path = prefix.with_name(prefix.name + ".md"), prefix.with_name(prefix.name + ".csv")
    lines = [note, ""] if note else []
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "|".join("---" if c in ("Model", "Description", "Dataset") else "---:" for c in COLUMNS) + "|")
    lines += ["| " + " | ".join(r[c] for c in COLUMNS) + " |" for r in rows]
    md.write_text("\n".join(lines) + "\n")
    with csv_path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return md, csv_path


def build_report(targets: Sequence[str], output: Path, data: Path | None = None, frames: int | None = None,
                 clips: int | None = None, crop: tuple[int, int] | None = None, crop_border: int = 0,
                 channel: str = "y", macs_size: Sequence[int] = (180, 320)) -> tuple[Path, Path]:
    """Evaluate (or load) every target and write the tables; returns the Markdown and CSV paths."""
    results = []
    for target in targets:
        if target.endswith(".json"):
            results.append(EvalResult.from_json(Path(target).read_text()))
            continue
        if data is None:
            raise ValueError(f"--data is needed to evaluate {target}")
        results.append(evaluate_path(target, data, frames, crop, crop_border, clips))
    note = (f"PSNR [dB] / SSIM on {'Y (BT.601)' if channel == 'y' else 'RGB'}, mean per clip then over clips; "
            f"LR = MATLAB bicubic x1/4 of the HR; MACs [G] per frame at LR {macs_size[0]}x{macs_size[1]} (HxW); "
            "Runtime = median ms per frame at the evaluated size on the evaluating host.")
    return write_tables([result_row(r, channel, macs_size) for r in results], output, note)
