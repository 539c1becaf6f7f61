"""Figures made from measured data: quality vs speed (Pareto), per-frame gain over bicubic, learning curves and
benchmark latency. Each ``plot_*`` writes ``PREFIX.png`` and ``PREFIX.svg`` plus the numbers it drew (CSV or JSON)
next to them, so every figure can be redrawn and checked. Needs matplotlib (``pip install 'mobilevsr-rt[plot]'``);
it draws off-screen (Agg), so no display is needed.
"""

from __future__ import annotations

from .figures import PlotFiles, require_matplotlib
from .latency import plot_bench
from .learning import plot_learning_curve, read_run_logs
from .quality import ParetoPoint, pareto_front, plot_pareto, plot_per_frame_gain

__all__ = [
    "ParetoPoint",
    "PlotFiles",
    "pareto_front",
    "plot_bench",
    "plot_learning_curve",
    "plot_pareto",
    "plot_per_frame_gain",
    "read_run_logs",
    "require_matplotlib",
]
