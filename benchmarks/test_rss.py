"""Peak RSS over ``--rss-frames`` frames (default 1,000) per model and runner, each in a fresh subprocess.

The benchmark time is the wall time of the whole subprocess run (imports, load, frames); the figures that matter
are in ``extra_info``: ``ru_maxrss`` after imports, after load + first frame, and after all frames.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import load_average
from runners import convert_to_onnx, onnx_path_for

PROBE = Path(__file__).resolve().parent / "rss_probe.py"


@pytest.mark.rss
def test_peak_rss(rss_case, rss_runner: str, bench_paths, bench_cache: Path, threads: int, benchmark,
                  request) -> None:
    path, origin = bench_paths[rss_case]
    frames = request.config.getoption("--rss-frames")
    cmd = [sys.executable, str(PROBE), str(path), "--runner", rss_runner, "--frames", str(frames),
           "--threads", str(threads)]
    if rss_runner == "onnxruntime":
        try:
            cmd += ["--onnx", str(convert_to_onnx(path, onnx_path_for(path, bench_cache)))]
        except RuntimeError as error:
            pytest.skip(f"no ONNX model: {error}")
    result: dict = {}

    def run() -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=7200)
        assert proc.returncode == 0, proc.stderr[-3000:]
        result.update(json.loads(proc.stdout.strip().splitlines()[-1]))

    benchmark.group = "peak RSS (subprocess wall time)"
    load_before = load_average()
    benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    peak = result["peak_rss_kib"]
    benchmark.extra_info.update({
        "kind": "rss", "case": rss_case.id, "model": rss_case.name, "precision": rss_case.precision,
        "lr_size": list(rss_case.size), "runner": rss_runner, "origin": origin, "frames": frames,
        "peak_rss_mib": peak["after_frames"] / 1024, "rss_after_load_mib": peak["after_load"] / 1024,
        "rss_after_imports_mib": peak["after_imports"] / 1024,
        "growth_over_frames_mib": (peak["after_frames"] - peak["after_load"]) / 1024,
        "ms_per_frame": 1000 * result["seconds"] / frames, "load_before": load_before, "load_after": load_average(),
    })
