"""The figures of ``mobilevsr-train report --plot``, drawn from the report's own measurements (each figure's data
is written next to it by :mod:`mobilevsr_rt.plots`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from mobilevsr_rt.plots import ParetoPoint, plot_learning_curve, plot_pareto, plot_per_frame_gain

from .evaluate import EvalResult
from .per_frame import find_bicubic
from .report import result_group

__all__ = ["draw_report_plots", "pareto_points"]


def pareto_points(results: Sequence[EvalResult]) -> list[ParetoPoint]:
    """Every result with a measured CPU speed, as a point (Y-PSNR, CPU ms/frame)."""
    return [ParetoPoint(r.name, r.psnr_y, r.info["speed"]["median_ms"], result_group(r))
            for r in results if r.info.get("speed")]


def draw_report_plots(results: Sequence[EvalResult], gains: dict[str, dict[str, list[float]]], output: Path,
                      curves: Sequence[Path] = ()) -> list[Path]:
    """``output_pareto``, ``output_per_frame_gain`` and ``output_curve_<run>`` (PNG, SVG and data); returns the
    files written. Models without a speed (Keras checkpoints) are in the table but not in the Pareto chart."""
    written: list[Path] = []
    points = pareto_points(results)
    if points:
        bicubic = find_bicubic(results)
        speed = next(r.info["speed"] for r in results if r.info.get("speed"))
        load = speed.get("load_1min")
        title = (f"{results[0].dataset}: Y-PSNR vs CPU latency ({speed['threads']} threads, 720p output, "
                 "mobilevsr-rt bench)" + (f"\n1-min load average {load[0]:.1f}-{load[1]:.1f} on "
                                          f"{os.cpu_count()} CPUs while timing" if load else ""))
        written += plot_pareto(points, output.with_name(output.name + "_pareto"),
                               bicubic.psnr_y if bicubic else None, title=title).all
    if gains:
        written += plot_per_frame_gain({name: g["mean"] for name, g in gains.items()},
                                       output.with_name(output.name + "_per_frame_gain")).all
    for run in dict.fromkeys(Path(c).resolve() for c in curves):
        written += plot_learning_curve(run, output.with_name(f"{output.name}_curve_{run.name}")).all
    return written
