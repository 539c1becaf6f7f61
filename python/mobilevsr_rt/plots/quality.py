"""Quality figures: Y-PSNR against CPU time per frame with the Pareto front, and gain over bicubic per frame."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .figures import PlotFiles, require_matplotlib, save_figure, write_csv

GROUP_STYLE = {"ours": ("tab:blue", "o"), "public": ("tab:red", "s"), "other": ("tab:gray", "^")}


@dataclass(frozen=True)
class ParetoPoint:
    """One model in the quality-vs-speed chart."""

    name: str
    psnr_db: float
    ms_per_frame: float
    group: str = "other"
    """``ours`` (bundled / trained here), ``public`` (third-party baselines) or ``other``."""


def pareto_front(points: Sequence[ParetoPoint]) -> list[ParetoPoint]:
    """The points no other point beats on both axes (faster or as fast, and better or as good, one strictly);
    sorted by time."""
    front = []
    for p in points:
        dominated = any(q.ms_per_frame <= p.ms_per_frame and q.psnr_db >= p.psnr_db
                        and (q.ms_per_frame < p.ms_per_frame or q.psnr_db > p.psnr_db) for q in points)
        if not dominated:
            front.append(p)
    return sorted(front, key=lambda p: (p.ms_per_frame, p.psnr_db))


def plot_pareto(points: Sequence[ParetoPoint], prefix: Path, bicubic_db: float | None = None,
                title: str = "Quality vs CPU speed", xlabel: str = "CPU ms per frame") -> PlotFiles:
    """Scatter of ``points`` (x: ms per frame, y: Y-PSNR) with the front drawn as a step line and bicubic as a
    horizontal reference; writes ``prefix.{png,svg,csv}``."""
    if not points:
        raise ValueError("no model has both a quality and a speed measurement: nothing to plot")
    plt = require_matplotlib()
    front = pareto_front(points)
    on_front = {p.name for p in front}
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for group, (color, marker) in GROUP_STYLE.items():
        chosen = [p for p in points if p.group == group]
        if chosen:
            ax.scatter([p.ms_per_frame for p in chosen], [p.psnr_db for p in chosen], c=color, marker=marker, s=50,
                       zorder=3, label={"ours": "mobilevsr", "public": "public baselines", "other": "other"}[group])
    x_span = max(p.ms_per_frame for p in points) or 1.0
    y_span = (max(p.psnr_db for p in points) - min(p.psnr_db for p in points)) or 1.0
    labelled: list[ParetoPoint] = []
    for p in sorted(points, key=lambda p: -p.psnr_db):  # a label near an earlier one goes below its point
        near = any(abs(q.ms_per_frame - p.ms_per_frame) < 0.25 * x_span and abs(q.psnr_db - p.psnr_db) < 0.06 * y_span
                   for q in labelled)
        ax.annotate(p.name, (p.ms_per_frame, p.psnr_db), textcoords="offset points", xytext=(7, -11 if near else 4),
                    fontsize=8)
        labelled.append(p)
    if len(front) > 1:  # the front as a staircase: what the best model at each time budget reaches
        xs, ys = [front[0].ms_per_frame], [front[0].psnr_db]
        for p in front[1:]:
            xs += [p.ms_per_frame, p.ms_per_frame]
            ys += [ys[-1], p.psnr_db]
        ax.plot(xs, ys, "--", color="black", lw=1, zorder=2, label="Pareto front")
    ax.scatter([p.ms_per_frame for p in front], [p.psnr_db for p in front], s=160, facecolors="none",
               edgecolors="black", zorder=4, label=None if len(front) > 1 else "Pareto front")
    if bicubic_db is not None:
        ax.axhline(bicubic_db, color="tab:gray", lw=1, ls=":", label=f"bicubic ({bicubic_db:.2f} dB)")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Y-PSNR [dB]")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(left=0, right=max(p.ms_per_frame for p in points) * 1.25)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    png, svg = save_figure(fig, prefix)
    rows = [{"model": p.name, "group": p.group, "psnr_y_db": f"{p.psnr_db:.4f}",
             "cpu_ms_per_frame": f"{p.ms_per_frame:.3f}", "fps": f"{1000.0 / p.ms_per_frame:.2f}",
             "pareto_front": int(p.name in on_front)} for p in points]
    if bicubic_db is not None:
        rows.append({"model": "bicubic", "group": "reference", "psnr_y_db": f"{bicubic_db:.4f}",
                     "cpu_ms_per_frame": "", "fps": "", "pareto_front": 0})
    data = write_csv(prefix.with_name(prefix.name + ".csv"),
                     ["model", "group", "psnr_y_db", "cpu_ms_per_frame", "fps", "pareto_front"], rows)
    return PlotFiles(png, svg, data)


def plot_per_frame_gain(gains: Mapping[str, Sequence[float]], prefix: Path,
                        title: str = "Gain over bicubic per frame (mean over clips)") -> PlotFiles:
    """One line per model: Y-PSNR gain over bicubic [dB] against the frame's index in its clip (recurrent models
    rise while their state fills); writes ``prefix.{png,svg,csv}``."""
    if not gains:
        raise ValueError("no per-frame gains to plot (a bicubic row is needed to compute them)")
    plt = require_matplotlib()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, values in gains.items():
        ax.plot(range(len(values)), values, marker="o", ms=3, label=name)
    ax.axhline(0.0, color="tab:gray", lw=1, ls=":")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("frame index in clip")
    ax.set_ylabel("gain over bicubic [dB], Y-PSNR")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))  # outside: curves stay visible
    png, svg = save_figure(fig, prefix)
    rows = [{"model": name, "frame": i, "gain_db": f"{v:.4f}"} for name, values in gains.items()
            for i, v in enumerate(values)]
    data = write_csv(prefix.with_name(prefix.name + ".csv"), ["model", "frame", "gain_db"], rows)
    return PlotFiles(png, svg, data)
