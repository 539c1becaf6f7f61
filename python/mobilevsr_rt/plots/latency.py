"""Benchmark figure: the per-frame latency histogram and, frame by frame, the model run vs the SDK's own time, so
a slow frame or a slow warm-up shows."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .figures import PlotFiles, require_matplotlib, save_figure, write_json


def plot_bench(result: Mapping[str, Any], prefix: Path) -> PlotFiles:
    """Draw a ``mobilevsr-rt bench`` result recorded with per-frame timings (``frames_detail``: one entry per
    frame, warm-up included, with ``ms``, ``model_ms``, ``sdk_ms``, ``warmup``); writes ``prefix.{png,svg,json}``
    (the JSON is the whole result)."""
    detail = result.get("frames_detail")
    if not detail:
        raise ValueError("this bench result has no per-frame timings (frames_detail) to plot")
    plt = require_matplotlib()
    timed = [f for f in detail if not f["warmup"]]
    ms = np.array([f["ms"] for f in timed])
    fig, (hist, series) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 1.6]})
    hist.hist(ms, bins=min(30, max(5, len(ms) // 2)), color="tab:blue", alpha=0.8)
    for value, label, style in ((np.median(ms), "median", "-"), (np.percentile(ms, 90), "p90", "--")):
        hist.axvline(value, color="black", ls=style, lw=1, label=f"{label} {value:.2f} ms")
    hist.set_xlabel("ms per frame (process())")
    hist.set_ylabel("frames")
    hist.set_title(f"{len(ms)} timed frames", fontsize=10)
    hist.legend(fontsize=8)
    index = np.arange(len(detail))
    model = np.array([f["model_ms"] for f in detail])
    sdk = np.array([f["sdk_ms"] for f in detail])
    other = np.clip(np.array([f["ms"] for f in detail]) - model - sdk, 0, None)  # Python call + binding overhead
    series.bar(index, model, color="tab:blue", label="model run (LiteRT)")
    series.bar(index, sdk, bottom=model, color="tab:orange", label="SDK (conversion, windows, state)")
    series.bar(index, other, bottom=model + sdk, color="tab:gray", alpha=0.6, label="outside the core (Python)")
    warm = sum(1 for f in detail if f["warmup"])
    if warm:
        series.axvspan(-0.5, warm - 0.5, color="yellow", alpha=0.2, label="warm-up (untimed)")
    series.set_xlabel("frame")
    series.set_ylabel("ms")
    series.set_title(f"time split per frame: SDK {100 * sdk[warm:].sum() / max(1e-9, ms.sum()):.1f}% of timed",
                     fontsize=10)
    series.legend(fontsize=7, loc="upper right")
    where = f"{result.get('accelerator', '?')}, threads {result.get('threads') or 'auto'}"
    fig.suptitle(f"{Path(str(result.get('model_path', result.get('model', '')))).name} "
                 f"({where}, LR {'x'.join(map(str, result.get('lr_size', [])))})", fontsize=10)
    png, svg = save_figure(fig, prefix)
    data = write_json(prefix.with_name(prefix.name + ".json"), dict(result))
    return PlotFiles(png, svg, data)
