"""Shared plumbing of the figures: an off-screen matplotlib, saving PNG + SVG, writing the plotted data."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

INSTALL_HINT = "plots need matplotlib: pip install 'mobilevsr-rt[plot]' (or the [train] extra)"


@dataclass
class PlotFiles:
    """What one ``plot_*`` call wrote: the figure (PNG, SVG) and the data it was drawn from."""

    png: Path
    svg: Path
    data: Path
    extra: list[Path] = field(default_factory=list)

    @property
    def all(self) -> list[Path]:
        """Every file written."""
        return [self.png, self.svg, self.data, *self.extra]


def require_matplotlib() -> Any:
    """``matplotlib.pyplot`` on the Agg backend (no display needed); a ValueError naming the extra without it."""
    try:
        import matplotlib
    except ImportError as error:
        raise ValueError(INSTALL_HINT) from error
    matplotlib.use("Agg", force=True)  # headless machines and CI: never pick an interactive backend
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig: Any, prefix: Path) -> tuple[Path, Path]:
    """Write ``prefix.png`` (150 dpi) and ``prefix.svg``, then close the figure."""
    plt = require_matplotlib()
    prefix.parent.mkdir(parents=True, exist_ok=True)
    png, svg = prefix.with_name(prefix.name + ".png"), prefix.with_name(prefix.name + ".svg")
    fig.savefig(png, dpi=150, bbox_inches="tight")
    fig.savefig(svg, bbox_inches="tight", metadata={"Date": None})  # no timestamp: same data, same file
    plt.close(fig)
    return png, svg


def write_csv(path: Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> Path:
    """A CSV with a header row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_json(path: Path, data: Any) -> Path:
    """Indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path
