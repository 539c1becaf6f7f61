"""Learning curve of a training run: validation Y-PSNR and training loss against steps, from the run directory's
``val_log.csv`` and ``train_log.csv`` (what ``mobilevsr-train fit`` appends to)."""

from __future__ import annotations

import csv
from pathlib import Path

from .figures import PlotFiles, require_matplotlib, save_figure, write_csv


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return [row for row in csv.DictReader(f) if row.get("step")]


def read_run_logs(run_dir: Path) -> dict[str, list[tuple[int, float]]]:
    """``{"loss": [(step, loss)], "val_psnr_y": [(step, dB)]}`` of a run; a ValueError when it logged nothing."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ValueError(f"not a run directory: {run_dir}")
    train = _read_csv(run_dir / "train_log.csv")
    val = _read_csv(run_dir / "val_log.csv")
    if not train and not val:
        raise ValueError(f"{run_dir} has no train_log.csv or val_log.csv rows: no learning curve to draw")
    return {"loss": [(int(r["step"]), float(r["loss"])) for r in train],
            "val_psnr_y": [(int(r["step"]), float(r["psnr_y"])) for r in val]}


def plot_learning_curve(run_dir: Path, prefix: Path, title: str | None = None) -> PlotFiles:
    """Validation Y-PSNR (top) and training loss (bottom, mean over each logging interval) against steps, both
    on a log step axis; writes ``prefix.{png,svg,csv}`` (the CSV: step, loss, val_psnr_y, blank where a log has
    no row at that step)."""
    logs = read_run_logs(run_dir)
    plt = require_matplotlib()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True)
    if logs["val_psnr_y"]:
        steps, values = zip(*logs["val_psnr_y"], strict=True)
        top.plot(steps, values, marker="o", ms=3, color="tab:blue")
        best = max(logs["val_psnr_y"], key=lambda sv: sv[1])
        top.annotate(f"best {best[1]:.2f} dB @ {best[0]}", best, textcoords="offset points", xytext=(-60, -14),
                     fontsize=8)
    else:
        top.text(0.5, 0.5, "no validation logged", transform=top.transAxes, ha="center")
    top.set_ylabel("val Y-PSNR [dB]")
    top.grid(alpha=0.3, which="both")
    if logs["loss"]:
        steps, values = zip(*logs["loss"], strict=True)
        bottom.plot(steps, values, color="tab:orange", lw=1)
        bottom.set_yscale("log")
    bottom.set_ylabel("training loss")
    bottom.set_xlabel("step")
    bottom.set_xscale("log")
    bottom.grid(alpha=0.3, which="both")
    where = Path(run_dir).resolve()
    top.set_title(title or f"Learning curve: {where.parent.name}/{where.name}", fontsize=10)
    png, svg = save_figure(fig, prefix)
    loss, val = dict(logs["loss"]), dict(logs["val_psnr_y"])
    rows = [{"step": s, "loss": loss.get(s, ""), "val_psnr_y": val.get(s, "")} for s in sorted({*loss, *val})]
    data = write_csv(prefix.with_name(prefix.name + ".csv"), ["step", "loss", "val_psnr_y"], rows)
    return PlotFiles(png, svg, data)
