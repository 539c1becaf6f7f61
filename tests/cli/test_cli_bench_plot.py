"""``mobilevsr-rt bench --plot``: per-frame latency and model/SDK split logged for every frame, drawn next to the
JSON it was drawn from."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from mobilevsr_rt.cli import main

pytest.importorskip("matplotlib")


def test_bench_plot(swrn, tmp_path, capsys):
    prefix = tmp_path / "plots" / "swrn_bench"
    assert main(["bench", str(swrn), "--accelerator", "cpu", "--threads", "2", "--frames", "4", "--warmup", "2",
                 "--plot", str(prefix)]) == 0
    printed = capsys.readouterr().out
    assert "plot: " in printed and "frames_detail" not in printed  # the per-frame log goes to the file only
    data = json.loads(prefix.with_name("swrn_bench.json").read_text())
    detail = data["frames_detail"]
    assert [f["warmup"] for f in detail] == [True] * 3 + [False] * 4  # 2 warm-up + 1 lookahead frame, 4 timed
    timed = [f for f in detail if not f["warmup"]]
    # the per-frame split adds up to the core's own totals, and each frame's parts fit inside its wall time
    assert sum(f["model_ms"] for f in timed) / 4 == pytest.approx(data["model_ms_per_frame"], rel=1e-6)
    assert sum(f["sdk_ms"] for f in timed) / 4 == pytest.approx(data["runtime_ms_per_frame"], rel=1e-6)
    assert all(0 < f["model_ms"] and f["model_ms"] + f["sdk_ms"] <= f["ms"] * 1.001 for f in timed)
    assert np.median([f["ms"] for f in timed]) == pytest.approx(data["median_ms"], rel=1e-9)
    with Image.open(prefix.with_name("swrn_bench.png")) as image:
        assert image.size[0] > 600 and np.asarray(image.convert("L")).std() > 10
    assert "<svg" in prefix.with_name("swrn_bench.svg").read_text()[:2000]


def test_bench_without_plot_keeps_its_output(swrn, capsys):
    assert main(["bench", str(swrn), "--accelerator", "cpu", "--frames", "1", "--warmup", "0"]) == 0
    assert "frames_detail" not in capsys.readouterr().out
