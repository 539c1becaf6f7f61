"""Result tables: ``Model | Description | Dataset | PSNR | SSIM | vs bicubic | Params | Runtime [ms] | CPU ms/frame |
MACs [G]`` as Markdown and CSV, from evaluation results (computed here or read from ``eval --json`` files), plus the
whole measurement as JSON and, on request, per-frame gains over bicubic and plots.

Rows can be zoo checkpoints, ``.tflite`` files (ours or public ones such as MobileRRN-16 and SWRN, all run by the
runtime on the CPU), bundled model names and ``bicubic``; ``anchor_targets`` lists bicubic and the public baselines
so every table can be read against them. Params and MACs come from the zoo (``count_params`` / ``count_macs``) or,
for a ``.tflite`` without a zoo name, from the file's graph (``mobilevsr_rt.analysis``; MACs scaled by area from the
model's own input size). MACs are per output frame at a fixed reference LR size (default 180x320 -> 720p) so rows of
different datasets compare. Runtime is the evaluation's median wall time per frame at the evaluated size; CPU
ms/frame (``.tflite`` rows, when measured) is ``mobilevsr-rt bench``'s median ``process()`` latency on the CPU at the
model's own LR size (180x320 or 320x180: 720p out), the speed axis of the Pareto chart.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .evaluate import EvalResult, evaluate_path
from .per_frame import find_bicubic, per_frame_gains, write_per_frame_tables

__all__ = ["COLUMNS", "PUBLIC_BASELINES", "ReportFiles", "anchor_targets", "build_report", "measure_speeds",
           "model_costs", "result_group", "result_row", "tflite_costs", "write_tables"]

COLUMNS = ["Model", "Description", "Dataset", "PSNR", "SSIM", "vs bicubic", "Params", "Runtime [ms]", "CPU ms/frame",
           "MACs [G]"]
# Public third-party models every report is read against (files in ../shared/models; licences in its README).
PUBLIC_BASELINES = {
    "mai22_mobilerrn_16.tflite": "MobileRRN-16, official MAI 2022 real-time VSR baseline (public TFLite, Apache-2.0)",
    "swrn.tflite": "SWRN, Lian & Peng 2022, the author's checkpoint (public TFLite)",
}


@dataclass
class ReportFiles:
    """Everything ``build_report`` wrote."""

    table_md: Path
    table_csv: Path
    json: Path
    per_frame: list[Path] = field(default_factory=list)
    plots: list[Path] = field(default_factory=list)

    @property
    def all(self) -> list[Path]:
        """Every file written."""
        return [self.table_md, self.table_csv, self.json, *self.per_frame, *self.plots]


def anchor_targets(models_dir: Path) -> list[str]:
    """``bicubic`` and the public baselines found in ``models_dir`` (a ValueError when none is there)."""
    found = [str(models_dir / name) for name in PUBLIC_BASELINES if (models_dir / name).is_file()]
    if not found:
        raise ValueError(f"no public baseline ({', '.join(PUBLIC_BASELINES)}) in {models_dir} (--anchors-dir)")
    return ["bicubic", *found]


def model_costs(name: str, lr_size: Sequence[int], overrides: dict | None = None) -> tuple[int, int] | None:
    """``(params, macs_per_frame)`` of zoo model ``name`` at ``lr_size``; None if it is not a zoo model."""
    from ._keras import keras
    from .models import build_model, count_macs, count_params, list_architectures

    if name not in list_architectures():
        return None
    model = build_model(name, frame_size=(int(lr_size[0]), int(lr_size[1])), batch_size=1, **(overrides or {}))
    costs = count_params(model), count_macs(model)
    del model
    keras.backend.clear_session()
    return costs


def tflite_costs(path: str | Path, lr_size: Sequence[int]) -> tuple[int, int] | None:
    """``(params, macs_per_frame)`` of a ``.tflite`` graph, MACs scaled to ``lr_size`` by area (the nets here are
    convolutional: cost per pixel is constant); None when the analysis cannot read it."""
    try:
        from mobilevsr_rt.analysis import analyze_model
        from mobilevsr_rt.training.evaluate import tflite_frame_size

        stats = analyze_model(str(path))
        h, w = tflite_frame_size(path)
    except Exception:  # noqa: BLE001  (unreadable by the analysis: costs unknown, the row stays)
        return None
    return int(stats["params"]), round(stats["macs"] * (lr_size[0] * lr_size[1]) / (h * w))


def _description(result: EvalResult) -> str:
    if result.info.get("description"):
        return str(result.info["description"])
    if result_group(result) == "public":
        name = Path(result.info["path"]).name
        return PUBLIC_BASELINES.get(name, f"{Path(name).stem} (third-party TFLite)")
    from .models import get_paper, list_architectures

    base = get_paper(result.name) if result.name in list_architectures() else result.name
    return f"{base} (TFLite)" if result.info.get("kind") == "tflite" else base


def _zoo_name(result: EvalResult) -> str | None:
    if result.info.get("model"):
        return str(result.info["model"])
    if result.info.get("kind") == "tflite":
        return (_embedded_contract(result.info["path"]) or {}).get("name")
    return None


def _costs(result: EvalResult, macs_size: Sequence[int]) -> tuple[int, int] | None:
    if result_group(result) == "public":  # the file itself, not the zoo's re-implementation of its architecture
        return tflite_costs(result.info["path"], macs_size)
    name = _zoo_name(result)
    costs = model_costs(name, macs_size, result.info.get("model_overrides")) if name else None
    if costs is None and result.info.get("kind") == "tflite":
        costs = tflite_costs(result.info["path"], macs_size)
    return costs


def result_row(result: EvalResult, channel: str = "y", macs_size: Sequence[int] = (180, 320),
               bicubic: EvalResult | None = None) -> dict[str, str]:
    """One table row (strings) for ``result``; ``channel`` picks Y or RGB metrics, MACs are at ``macs_size``,
    ``vs bicubic`` is the PSNR difference to ``bicubic`` when given."""
    costs = _costs(result, macs_size)
    psnr = result.psnr_y if channel == "y" else result.psnr_rgb
    ssim = result.ssim_y if channel == "y" else result.ssim_rgb
    gain = "-"
    if bicubic is not None and result is not bicubic:
        gain = f"{psnr - (bicubic.psnr_y if channel == 'y' else bicubic.psnr_rgb):+.2f}"
    speed = result.info.get("speed")
    return {
        "Model": result.name,
        "Description": _description(result),
        "Dataset": f"{result.dataset} ({result.info.get('clips', '?')} clips, {result.frames} frames)",
        "PSNR": f"{psnr:.2f}",
        "SSIM": f"{ssim:.4f}",
        "vs bicubic": gain,
        "Params": f"{costs[0]:,}" if costs else "-",
        "Runtime [ms]": f"{result.ms_per_frame:.1f}" if result.ms_per_frame is not None else "-",
        "CPU ms/frame": f"{speed['median_ms']:.1f}" if speed else "-",
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


def measure_speeds(paths: Sequence[str | Path], frames: int = 30, threads: int = 2, rounds: int = 3,
                   warmup: int = 5) -> dict[str, dict]:
    """CPU latency of ``.tflite`` files through the runtime at each model's own frame size (``mobilevsr-rt bench
    --accelerator cpu``), the speed axis of the quality-vs-speed chart. The models take turns: ``rounds`` rounds of
    ``frames`` frames each, order rotated every round, and a model's figure is the median of its round medians, so
    a machine that gets busier during the measurement slows every model alike."""
    from mobilevsr_rt.cli.bench import benchmark

    paths = [str(p) for p in dict.fromkeys(str(p) for p in paths)]
    runs: dict[str, list[dict]] = {p: [] for p in paths}
    loads: list[float] = []  # the machine's 1-minute load average around the timings: how busy it was
    for r in range(max(1, rounds)):
        for path in paths[r % len(paths):] + paths[: r % len(paths)]:
            loads.append(os.getloadavg()[0])
            runs[path].append(benchmark(path, "cpu", threads, frames, warmup, None))
    loads.append(os.getloadavg()[0])
    speeds = {}
    for path, benches in runs.items():
        speeds[path] = {"median_ms": statistics.median(b["median_ms"] for b in benches),
                        "round_medians_ms": [b["median_ms"] for b in benches],
                        "p90_ms": statistics.median(b["p90_ms"] for b in benches), "lr_size": benches[0]["lr_size"],
                        "threads": threads, "frames_per_round": frames, "rounds": len(benches),
                        "accelerator": benches[0]["accelerator"],
                        "model_ms_per_frame": statistics.median(b["model_ms_per_frame"] for b in benches),
                        "runtime_ms_per_frame": statistics.median(b["runtime_ms_per_frame"] for b in benches),
                        "load_1min": [min(loads), max(loads)]}
    return speeds


def _unique_names(results: list[EvalResult]) -> None:
    seen: dict[str, int] = {}
    for result in results:
        seen[result.name] = seen.get(result.name, 0) + 1
        if seen[result.name] > 1:  # e.g. a run and its export both called swat_3: rows and curves need distinct names
            result.name = f"{result.name} ({seen[result.name]})"


def result_group(result: EvalResult) -> str:
    """``public`` for third-party ``.tflite`` files (no mobilevsr contract inside), ``ours`` for our checkpoints and
    exports, ``other`` for bicubic (colours of the chart)."""
    kind = result.info.get("kind")
    if kind == "tflite":
        return "ours" if _embedded_contract(result.info["path"]) else "public"
    return "ours" if kind == "keras" else "other"


def _embedded_contract(path: str) -> dict | None:
    try:
        from mobilevsr_rt.contract import read_contract

        return read_contract(path)
    except Exception:  # noqa: BLE001  (unreadable: treated as a file without a contract)
        return None


def build_report(targets: Sequence[str], output: Path, data: Path | None = None, frames: int | None = None,
                 clips: int | None = None, crop: tuple[int, int] | None = None, crop_border: int = 0,
                 channel: str = "y", macs_size: Sequence[int] = (180, 320), per_frame: bool = False,
                 speed_frames: int = 0, speed_threads: int = 2, speed_rounds: int = 3, plot: bool = False,
                 curves: Sequence[Path] = ()) -> ReportFiles:
    """Evaluate (or load) every target and write ``output``.md/.csv (table) and .json (every result, per-frame
    scores, speeds, protocol). ``per_frame`` adds ``output_per_frame``.md/.csv (gain over bicubic per frame;
    bicubic is evaluated too when it is not a target). ``speed_frames`` > 0 times every ``.tflite`` row with
    :func:`measure_speeds` (``speed_rounds`` turns each). ``plot`` draws the Pareto chart (it needs speeds:
    ``speed_frames`` is 30 unless given), the per-frame gains and the learning curve of every run directory among
    the targets and in ``curves``."""
    if plot:
        from mobilevsr_rt.plots import require_matplotlib

        require_matplotlib()  # before minutes of evaluation: a missing extra fails fast
        speed_frames = speed_frames or 30
        per_frame = True
    targets = list(targets)
    if per_frame and "bicubic" not in targets and data is not None:
        targets.insert(0, "bicubic")
    results = []
    protocol = None  # a redrawn report keeps the protocol it was measured with
    for target in targets:
        if target.endswith(".json"):  # an `eval --json` result, or a whole report's JSON (redraw without measuring)
            loaded = json.loads(Path(target).read_text())
            results += [EvalResult(**r) for r in loaded["results"]] if "results" in loaded else [EvalResult(**loaded)]
            protocol = protocol or loaded.get("protocol")
            continue
        if data is None:
            raise ValueError(f"--data is needed to evaluate {target}")
        results.append(evaluate_path(target, data, frames, crop, crop_border, clips))
        if Path(target).is_dir() and (Path(target) / "train_log.csv").is_file():
            curves = [*curves, Path(target)]
    _unique_names(results)
    timed = [r for r in results if r.info.get("kind") == "tflite" and "speed" not in r.info]
    if speed_frames > 0 and timed:
        speeds = measure_speeds([r.info["path"] for r in timed], speed_frames, speed_threads, speed_rounds)
        for result in timed:
            result.info["speed"] = speeds[str(result.info["path"])]
    bicubic = find_bicubic(results)
    note = (f"PSNR [dB] / SSIM on {'Y (BT.601)' if channel == 'y' else 'RGB'}, mean per clip then over clips; "
            f"LR = MATLAB bicubic x1/4 of the HR; MACs [G] per frame at LR {macs_size[0]}x{macs_size[1]} (HxW); "
            "Runtime = median ms per frame at the evaluated size on the evaluating host; CPU ms/frame = median "
            f"`mobilevsr-rt bench` latency on {speed_threads} CPU threads at the model's own LR size (720p out).")
    md, csv_path = write_tables([result_row(r, channel, macs_size, bicubic) for r in results], output, note)
    files = ReportFiles(md, csv_path, output.with_name(output.name + ".json"))
    gains = per_frame_gains(results) if per_frame else {}
    if per_frame:
        files.per_frame = list(write_per_frame_tables(results, gains, output.with_name(output.name + "_per_frame")))
    if data is not None or protocol is None:
        protocol = {"data": str(data) if data else None, "frames": frames, "clips": clips, "crop": crop,
                    "crop_border": crop_border, "channel": channel, "macs_size": list(macs_size),
                    "speed_threads": speed_threads if speed_frames > 0 else None}
    files.json.write_text(json.dumps({
        "protocol": protocol,
        "results": [asdict(r) for r in results],
        "per_frame_gain": gains,
    }, indent=2) + "\n")
    if plot:
        from .report_plots import draw_report_plots

        files.plots = draw_report_plots(results, gains, output, curves)
    return files
