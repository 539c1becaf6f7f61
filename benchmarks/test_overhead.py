"""The runtime's own cost: ``Upscaler.process`` vs the bare C++ ``LiteRtRunCompiledModel`` loop (issue #2's target:
within 3 %) and vs the hand-written Python Interpreter loop, per frame, on the CPU.

    python -m pytest benchmarks -m overhead --benchmark-json=overhead.json
    python benchmarks/check_regression.py overhead.json --max-overhead 0.03

Each workload runs in blocks of consecutive frames (``--overhead-block``), because a streaming loop runs back to
back: a per-frame interleave would charge each workload for the caches the others evicted. Every process() block sits
between two bare-loop blocks; ``process_over_bare`` is the median over rounds of process / mean(bare before, after),
so drifts of a shared machine cancel. The bare loop is ``LiteRtRunCompiledModel`` alone on the Upscaler's own
compiled model and buffers, on the inputs the last process() wrote (real frames and recurrent state: INT8 kernels run
at data-dependent speeds); ``control:NAME`` measures the bare loop against itself (the method's noise floor); a
chunked model (10 frames per run) is compared per output frame. ``runtime_share`` is the C++ split of the same
process() calls (``Upscaler.timing()``): the part outside LiteRT's run call, free of machine noise. Models: the three
public ones in ``../shared/models`` and the bundled product models, each at the frame size it was exported at.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bench_models import SHARED_MODELS, bundled_models
from harness import Blocks, clip_frames, load_average, machine
from runners import InterpreterLoop, bare_loop

import mobilevsr_rt

PUBLIC = ("mai22_mobilerrn_16", "swrn", "mai21_diggers")  # ../shared/models/<name>.tflite


def overhead_model(name: str) -> Path:
    """A public model from ../shared/models or a bundled ``<model>_<precision>`` file (``control:`` prefix allowed)."""
    name = name.removeprefix("control:")
    if name in PUBLIC:
        path = SHARED_MODELS / f"{name}.tflite"
    else:
        model, _, precision = name.rpartition("_")
        path = bundled_models().get((model, precision), Path(f"{name}.tflite"))
    if not path.exists():
        pytest.skip(f"{path} is not here")
    return path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "overhead_name" in metafunc.fixturenames:
        names = metafunc.config.getoption("--overhead-models").split(",")
        metafunc.parametrize("overhead_name", names)


@pytest.mark.overhead
def test_overhead(overhead_name: str, threads: int, benchmark, request) -> None:
    path = overhead_model(overhead_name)
    block = request.config.getoption("--overhead-block")
    rounds = request.config.getoption("--overhead-rounds")
    up = mobilevsr_rt.Upscaler(path, accelerator="cpu", num_threads=threads)
    info = up.info
    assert info["accelerator"] == "cpu"
    per_run = len(info["output_offsets"])
    block = max(per_run, block // per_run * per_run)  # whole runs of a chunked model
    frames = clip_frames(tuple(info["model_frame_size"]))
    notes: dict = {}
    others: dict = {}
    try:
        python_loop = InterpreterLoop(path, threads, info)
    except ValueError as error:  # e.g. 10 frames in and out per run: no hand-written loop here
        python_loop, notes["python_loop"] = None, str(error)
    # Warm-up (whole runs, past any lookahead); the Interpreter loop must agree with process() on the first output.
    warm = [frames[i % len(frames)] for i in range(max(per_run, 3))]
    ours = [out for out in map(up.process, warm) if out is not None]
    if python_loop is not None:
        theirs = [out for out in map(python_loop, warm) if out is not None]
        diff = int(np.abs(ours[0].astype(np.int16) - theirs[0]).max())
        notes["python_loop_first_frame_max_abs_diff"] = diff
        assert diff <= 1, f"the Interpreter loop disagrees with process() by {diff} levels"
        others["python_loop"] = python_loop
    bare = bare_loop(up)
    measured = up.process
    if overhead_name.startswith("control:"):
        # A/A control: the bare loop measured exactly as process() is; its ratio is the method's noise floor.
        if per_run != 1:
            pytest.skip("the control needs one frame per run")
        measured, others = bare, {}
        notes["control"] = "the measured workload is the bare loop itself, not process()"

    meter = Blocks(measured, ("bare_cpp", bare), others, frames, block,
                   {"bare_cpp": per_run}, measured_warmup=per_run)
    load_before = load_average()
    up.timing(clear=True)
    benchmark.group = "overhead"
    benchmark.pedantic(meter.timed_block, setup=meter.setup, rounds=rounds, iterations=1, warmup_rounds=0)
    meter.finish()
    split = up.timing()  # the C++ split of every process() call since the warm-up (timed blocks and warm-ups)
    up.close()

    med = meter.medians_ms()
    paired = meter.paired_ratios()
    ratios = {"process_over_bare": float(np.median(paired)),
              "process_over_bare_medians": med["process"] / med["bare_cpp"],
              "process_over_bare_cpu": float(np.median(meter.paired_ratios(cpu=True)))}
    if split["total_ms"] > 0:  # not for the control
        ratios["runtime_share"] = split["runtime_ms"] / split["total_ms"]
    if "python_loop" in med:
        ratios["python_loop_over_process"] = med["python_loop"] / med["process"]
    benchmark.extra_info.update({
        "kind": "overhead", "case": f"overhead:{overhead_name}", "model_file": str(path),
        "lr_size": info["model_frame_size"], "threads": threads, "block": block, "rounds": rounds,
        "frames_per_run": per_run, "median_ms_per_frame": med, "ratios": ratios,
        "paired_process_over_bare": paired, "cpp_split_ms_per_frame": {
            "model": split["model_ms_per_frame"], "runtime": split["runtime_ms_per_frame"]},
        "load_before": load_before, "load_after": load_average(), "machine": machine(), **notes,
    })
