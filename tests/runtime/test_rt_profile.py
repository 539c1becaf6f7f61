"""Per-op profiling with LiteRT's own profiler: ``Upscaler(..., profile=True).profile()`` and ``mobilevsr-rt bench
--profile`` on the bundled ELSR, a LiteRT library without the profiler API, and the GPU accelerator (which cannot
run profiled and must still run).

On the CPU, LiteRT records the ops TFLite's own kernels run as TFLite ops (name, node index) and the XNNPACK
partitions only through XNNPACK's operators ("Convolution (NHWC, QC8) IGEMM", ...), which is what these tests expect.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from fixtures.elf import hide_dynamic_symbol

CLI = "import sys; from mobilevsr_rt.cli import main; sys.exit(main())"
SWIFTSHADER_ICD = Path("/usr/lib/chromium/vk_swiftshader_icd.json")


def frames(height: int, width: int, count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(7)
    return [rng.integers(0, 256, (height, width, 3), dtype=np.uint8) for _ in range(count)]


def run_cli(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CLI, *map(str, args)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})}, check=False)


def check_report(report: dict, runs: int) -> None:
    """The invariants of every CPU report: sane times, shares summing to 100, partitions consistent with ops."""
    ops = report["ops"]
    assert report["runs"] == runs and report["accelerator"] == "cpu" and report["note"] is None
    assert ops, report
    assert all(op["total_us"] > 0 and op["count"] == runs for op in ops), ops
    assert [op["total_us"] for op in ops] == sorted((op["total_us"] for op in ops), reverse=True)
    assert sum(op["share_pct"] for op in ops) == pytest.approx(100.0, abs=1e-6)
    assert report["ops_total_us"] == sum(op["total_us"] for op in ops)
    # The ops run inside LiteRT's Invoke: their sum is (nearly all of) it. A misread event layout fails here.
    invoke = next(stage for stage in report["stages"] if stage["name"] == "Invoke")
    assert invoke["count"] == runs
    assert 0.5 * invoke["total_us"] <= report["ops_total_us"] <= invoke["total_us"] * 1.01 + 50
    assert report["ops_total_us"] / runs < 10e6  # < 10 s per run of a 3k-parameter model
    names = {part["name"] for part in report["partitions"]}
    assert {op["partition"] for op in ops if op["partition"]} <= names


@pytest.mark.parametrize("precision", ["int8", "fp16"])
def test_profile_lists_the_ops_of_elsr(rt, precision):
    with rt.Upscaler("elsr", accelerator="cpu", num_threads=2, precision=precision, profile=True) as up:
        height, width = up.info["model_frame_size"]
        clip = frames(height, width, 4)
        up.process(clip[0])  # first run: allocation
        assert up.profile_report()["runs"] == 1
        up.clear_profile()
        for frame in clip[1:]:
            assert up.process(frame).shape == (4 * height, 4 * width, 3)
        report = up.profile_report()
        ops = up.profile(clear=True)
        assert up.profile_report()["runs"] == 0  # cleared
    check_report(report, runs=3)
    assert ops == report["ops"]
    convolutions = [op for op in ops if op["name"].startswith("Convolution")]
    # ELSR: 3x3 convs, a residual add and a depth-to-space; XNNPACK runs the convolutions.
    assert len(convolutions) >= 3
    assert all(op["kind"] == "delegate" and op["partition"].startswith("XNNPACK #") for op in convolutions)
    partitions = report["partitions"]
    if precision == "fp16":  # XNNPACK runs the whole float graph: one partition, every op in it
        assert [p["name"] for p in partitions] == ["XNNPACK #1"]
        assert partitions[0]["after_node"] == -1 and partitions[0]["before_node"] == -1
        assert all(op["partition"] == "XNNPACK #1" for op in ops)
    else:  # int8: TFLite's kernels run the (de)quantization and activations XNNPACK does not take
        tflite_ops = [op for op in ops if op["kind"] == "tflite"]
        assert {"QUANTIZE"} <= {op["name"] for op in tflite_ops}
        assert all(op["partition"] is None and op["node"] >= 0 for op in tflite_ops)
        assert len({op["node"] for op in tflite_ops}) == len(tflite_ops)  # one entry per TFLite node
        # Each XNNPACK partition is placed between the TFLite-kernel nodes that ran around it.
        nodes = {op["node"] for op in tflite_ops} | {-1}
        for part in partitions:
            if part["kind"] == "delegate":
                assert part["after_node"] in nodes and part["before_node"] in nodes
    assert sum(p["share_pct"] for p in partitions) == pytest.approx(100.0, abs=0.5)


def test_profile_needs_profile_true(rt):
    with rt.Upscaler("elsr", accelerator="cpu", num_threads=1) as up:
        up.process(frames(*up.info["model_frame_size"], 1)[0])
        for call in (up.profile, up.profile_report, up.clear_profile):
            with pytest.raises(RuntimeError, match=r"profiling is off.*profile=True"):
                call()


def test_bench_profile_cli(tmp_path):
    out = tmp_path / "bench.json"
    proc = run_cli("bench", "elsr", "--accelerator", "cpu", "--threads", "2", "--frames", "3", "--warmup", "1",
                   "--profile", "--json", out)
    assert proc.returncode == 0, proc.stderr
    assert "Per-op profile (LiteRT profiler, cpu): 3 model runs for 3 frames" in proc.stdout
    table = proc.stdout[proc.stdout.index("Per-op profile"):]
    assert "Convolution (NHWC" in table and "XNNPACK #1 op " in table and "TFLite node " in table
    assert "partitions (execution order):" in table
    result = json.loads(out.read_text())
    assert result["frames"] == 3 and result["median_ms"] > 0
    # The C++ split of the timed frames: model run + the SDK's own work, a small share for this uint8-out model.
    assert result["model_ms_per_frame"] > 0 and result["runtime_ms_per_frame"] >= 0
    assert 0 <= result["runtime_share"] < 0.5
    check_report(result["profile"], runs=3)
    # The latency summary comes first, as text (--json - would print the JSON instead); the table follows it.
    summary = proc.stdout[:proc.stdout.index("Per-op profile")]
    assert "2 CPU thread(s)" in summary and "3 timed frames" in summary and "latency ms: min " in summary


def test_library_without_profiler_fails_only_profiling(tmp_path):
    """The real libLiteRt.so with its profiler entry point hidden from dlsym: models run, only profiling fails, with
    the missing symbol's name."""
    import ai_edge_litert

    original = Path(ai_edge_litert.__file__).parent / "libLiteRt.so"
    patched = tmp_path / "libLiteRt.so"
    patched.write_bytes(hide_dynamic_symbol(original.read_bytes(), "LiteRtCompiledModelGetProfiler"))
    env = {"MOBILEVSR_LITERT_LIBRARY": str(patched)}
    plain = run_cli("bench", "elsr", "--accelerator", "cpu", "--frames", "1", "--warmup", "0", env=env)
    assert plain.returncode == 0, plain.stderr
    profiled = run_cli("bench", "elsr", "--accelerator", "cpu", "--frames", "1", "--warmup", "0", "--profile",
                       env=env)
    assert profiled.returncode == 1
    assert "profiling needs LiteRT's profiler C API" in profiled.stderr
    assert "lacks LiteRtCompiledModelGetProfiler" in profiled.stderr


@pytest.mark.gpu
def test_gpu_runs_unprofiled_with_a_note(tmp_path):
    """LiteRT's WebGPU accelerator fails every run with a profiler attached: the model must still run on the GPU."""
    if not SWIFTSHADER_ICD.exists():
        pytest.skip("no SwiftShader Vulkan driver (apt-get install chromium libvulkan1)")
    runtime_dir = tmp_path / "xdg"
    runtime_dir.mkdir(mode=0o700)
    out = tmp_path / "bench.json"
    proc = run_cli("bench", "elsr", "--accelerator", "gpu", "--frames", "2", "--warmup", "1", "--profile", "--json",
                   out, env={"VK_ICD_FILENAMES": str(SWIFTSHADER_ICD), "XDG_RUNTIME_DIR": str(runtime_dir)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["accelerator"] == "gpu"
    profile = result["profile"]
    assert profile["accelerator"] == "gpu" and profile["ops"] == []
    assert "GPU accelerator cannot run with its profiler" in profile["note"]
    assert "note: LiteRT's GPU accelerator" in proc.stdout
