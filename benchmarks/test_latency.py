"""Per-frame latency of every model x precision x LR size on the CPU, with the comparisons measured side by side.

Every workload runs in blocks of ``--bench-block`` consecutive frames, as a streaming loop runs (``harness.Blocks``):
each round runs a block of the Python Interpreter loop, ONNX Runtime, PIL bicubic and the numpy reference, then the
bare C++ loop, then ``Upscaler.process`` (timed by pytest-benchmark ``pedantic``), and the next round opens with the
bare loop again, so ``process_over_bare`` pairs each process block with the bare blocks around it. (A per-frame
interleave, used before, charged ``process`` for the caches five other workloads had just evicted: SWAT_3 INT8 showed
1.21x its bare loop there against 1.01x in blocks.) Medians and ratios go into the benchmark's ``extra_info``
(``--benchmark-json``), which ``check_regression.py`` and ``make_results_table.py`` read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from harness import Blocks, clip_frames, load_average, machine, rounds_for
from runners import InterpreterLoop, OnnxLoop, bare_loop, bicubic, convert_to_onnx, numpy_reference, onnx_path_for

import mobilevsr_rt

WARMUP_FRAMES = 3


def _first_outputs(run, frames: list[np.ndarray]) -> list[np.ndarray]:
    return [out for out in (run(f) for f in frames) if out is not None]


@pytest.mark.latency
def test_latency(latency_case, bench_paths, bench_cache: Path, threads: int, benchmark, request) -> None:
    path, origin = bench_paths[latency_case]
    wanted = request.config.getoption("--bench-runners").split(",")
    up = mobilevsr_rt.Upscaler(path, accelerator="cpu", num_threads=threads)
    info = up.info
    assert info["accelerator"] == "cpu"
    frames = clip_frames(latency_case.size)
    others: dict = {}
    notes: dict = {}
    if "python_loop" in wanted:
        others["python_loop"] = InterpreterLoop(path, threads, info)
    if "onnxruntime" in wanted:
        try:
            onnx_file = convert_to_onnx(path, onnx_path_for(path, bench_cache))
            others["onnxruntime"] = OnnxLoop(onnx_file, path, threads, info)
        except Exception as error:  # noqa: BLE001 - recorded in the results instead of hiding the other figures
            notes["onnxruntime_error"] = f"{type(error).__name__}: {error}"[:600]
    if "bicubic" in wanted:
        others["bicubic"] = bicubic(info["scale"])
    if "numpy_ref" in wanted:
        others["numpy_ref"] = numpy_reference

    # Warm-up doubles as a check that the loops compute what process() computes (same frames, same order). Float
    # models must agree on every frame; INT8 ones only on the first (zero state): LiteRT's and the Interpreter's
    # int8 kernels round differently (up to ~15 levels in the state outputs here), which the recurrence amplifies.
    warm = frames[:WARMUP_FRAMES]
    reference = _first_outputs(up.process, warm)
    for name in ("python_loop", "onnxruntime"):
        if name in others:
            outs = _first_outputs(others[name], warm)
            diffs = [int(np.abs(a.astype(np.int16) - b).max()) for a, b in zip(reference, outs, strict=True)]
            notes[f"{name}_max_abs_diff"] = diffs
            if name == "python_loop":
                checked = diffs if latency_case.precision != "int8" else diffs[:1]
                assert max(checked) <= 1, f"the Interpreter loop disagrees with process() by {diffs} levels"
    baseline = ("bare_cpp", bare_loop(up)) if "bare_cpp" in wanted else None

    load_before = load_average()
    block = request.config.getoption("--bench-block")
    rounds = max(3, rounds_for(request.config.getoption("--bench-frames"), latency_case.size) // block)
    meter = Blocks(up.process, baseline, others, frames, block)
    benchmark.group = f"{latency_case.size[0]}x{latency_case.size[1]}"
    benchmark.pedantic(meter.timed_block, setup=meter.setup, rounds=rounds, iterations=1, warmup_rounds=0)
    meter.finish()
    up.close()

    med = meter.medians_ms()
    ratios = {f"{name}_over_process": med[name] / med["process"] for name in med if name != "process"}
    if "bare_cpp" in med:
        ratios["process_over_bare"] = float(np.median(meter.paired_ratios()))
    if "numpy_ref" in med:
        ratios["process_over_numpy_ref"] = med["process"] / med["numpy_ref"]
    benchmark.extra_info.update({
        "kind": "latency", "case": latency_case.id, "model": latency_case.name,
        "precision": latency_case.precision, "lr_size": list(latency_case.size),
        "hr_size": [info["scale"] * v for v in latency_case.size], "model_file": str(path), "origin": origin,
        "threads": threads, "rounds": rounds, "block": block, "median_ms": med, "p90_ms": meter.p90_ms(),
        "ratios": ratios,
        "fps_process": 1000.0 / med["process"], "load_before": load_before, "load_after": load_average(),
        "machine": machine(), **notes,
    })
