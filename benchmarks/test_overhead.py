"""The runtime's own cost: ``Upscaler.process`` vs the bare C++ ``LiteRtRunCompiledModel`` loop (issue #2's target:
within 3 %) and vs the hand-written Python Interpreter loop, per frame, on the CPU.

    python -m pytest benchmarks -m overhead --benchmark-json=overhead.json
    python benchmarks/check_regression.py overhead.json --max-overhead 0.03

Each workload runs in blocks of consecutive frames (``--overhead-block``), rounds alternating between them, because a
streaming loop runs back to back: a per-frame interleave would charge each workload for the caches the others
evicted. The bare loop runs on the tensors the Interpreter loop last ran on (real frames and recurrent state); a
chunked model (10 frames per run) is compared per output frame. Models: the three public ones in
``../shared/models`` and the bundled product models, each at the frame size it was exported at.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from bench_models import SHARED_MODELS, bundled_models
from harness import Blocks, clip_frames, load_average, machine
from runners import InterpreterLoop

import mobilevsr_rt
from mobilevsr_rt import _core
from mobilevsr_rt._litert import litert_library_path

PUBLIC = ("mai22_mobilerrn_16", "swrn", "mai21_diggers")  # ../shared/models/<name>.tflite


def overhead_model(name: str) -> Path:
    """A public model from ../shared/models or a bundled ``<model>_<precision>`` file."""
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


def stacked_frame_input(info: dict, frames: list[np.ndarray]) -> dict[str, np.ndarray]:
    """A float stacked frame input holding clip frames as the model sees them (for models without a Python loop)."""
    name = info["contract"]["frame_inputs"]["tensors"][0]
    tensor = next(t for t in info["inputs"] if t["name"] == name)
    if tensor["dtype"] != "float32":
        raise ValueError(f"{name} is {tensor['dtype']}: only float frame inputs are filled here")
    count = len(info["contract"]["frame_inputs"]["offsets"])
    stacked = np.concatenate([frames[i % len(frames)] for i in range(count)], axis=-1)[None]
    return {name: stacked.astype(np.float32) * np.float32(info["pixel_range"] / 255.0)}


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
    real_inputs = python_loop.input_tensors() if python_loop is not None else stacked_frame_input(info, frames)
    bare = _core.BareRunLoop(str(path), litert_library_path(), threads, real_inputs)
    others["bare_cpp"] = lambda _frame: bare.run()

    meter = Blocks(up.process, others, frames, block, {"bare_cpp": per_run}, measured_warmup=per_run)
    load_before = load_average()
    benchmark.group = "overhead"
    benchmark.pedantic(meter.timed_block, setup=meter.setup, rounds=rounds, iterations=1, warmup_rounds=0)
    up.close()

    med = meter.medians_ms()
    ratios = {"process_over_bare": med["process"] / med["bare_cpp"]}
    if "python_loop" in med:
        ratios["python_loop_over_process"] = med["python_loop"] / med["process"]
    benchmark.extra_info.update({
        "kind": "overhead", "case": f"overhead:{overhead_name}", "model_file": str(path),
        "lr_size": info["model_frame_size"], "threads": threads, "block": block, "rounds": rounds,
        "frames_per_run": per_run, "median_ms_per_frame": med, "ratios": ratios, "load_before": load_before,
        "load_after": load_average(), "machine": machine(), **notes,
    })
