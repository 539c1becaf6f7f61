"""A new user's first commands (issue 16): a quiet start without a GPU, ``--version``, ``models``, ``info`` on bundled
names and on any .tflite, one flag convention and the exit codes 0 / 1 / 2 / 130 of both command lines.

The quiet-start tests run the CLI and the API in subprocesses without a Vulkan driver (``VK_ICD_FILENAMES`` naming a
file that does not exist), as on a CPU-only machine: the GPU probe fails there, and nothing may reach stderr.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import run_cli_process
from odd_model import DEPTHWISE_MACS, DEPTHWISE_PARAMS, write_odd_model
from PIL import Image

import mobilevsr_rt
from mobilevsr_rt.cli import main
from mobilevsr_rt.models import list_bundled_models

SWIFTSHADER_ICD = Path("/usr/lib/chromium/vk_swiftshader_icd.json")
BUNDLED = {(m.name, m.precision): m for m in list_bundled_models()}
needs_bundled = pytest.mark.skipif(("swat_3", "int8") not in BUNDLED or ("swat_3", "fp16") not in BUNDLED,
                                   reason="the bundled swat_3 files are not installed")


def no_vulkan_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a machine without a Vulkan driver: the loader finds no ICD."""
    missing = str(tmp_path / "no_such_icd.json")
    return {**os.environ, "VK_ICD_FILENAMES": missing, "VK_DRIVER_FILES": missing, "PYTHONUNBUFFERED": "1"}


def run_rt(*args: object, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """``mobilevsr-rt ARGS`` in a subprocess of this interpreter."""
    code = "import sys; from mobilevsr_rt.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=env, check=False)


def run_train(*args: object, prelude: str = "") -> subprocess.CompletedProcess:
    """``mobilevsr-train ARGS`` in a subprocess, after ``prelude`` (Python run first)."""
    code = f"{prelude}\nimport sys; from mobilevsr_rt.training.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, timeout=300,
                          check=False)


@pytest.fixture
def swiftshader_env(tmp_path: Path) -> dict[str, str]:
    """The environment of the GPU tests: SwiftShader as the only Vulkan driver."""
    if not SWIFTSHADER_ICD.exists():
        pytest.skip("no SwiftShader Vulkan driver (apt-get install chromium libvulkan1)")
    runtime_dir = tmp_path / "xdg"
    runtime_dir.mkdir(mode=0o700)
    return {**os.environ, "VK_ICD_FILENAMES": str(SWIFTSHADER_ICD), "XDG_RUNTIME_DIR": str(runtime_dir)}


@pytest.fixture(scope="module")
def odd_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real .tflite that is no VSR model (depthwise multiplier 2 + ARG_MAX, int64 output)."""
    return write_odd_model(tmp_path_factory.mktemp("odd") / "argmax_dw2.tflite")


# --- a quiet start -------------------------------------------------------------------------------------------------
@needs_bundled
def test_upscaler_without_vulkan_is_silent(tmp_path):
    code = ("import mobilevsr_rt, json; up = mobilevsr_rt.Upscaler('swat_3'); info = up.info; "
            "print(json.dumps({k: info[k] for k in ('accelerator', 'fallback_reason', 'native_log', 'model_path')}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env=no_vulkan_env(tmp_path), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    info = json.loads(proc.stdout)
    assert info["accelerator"] == "cpu" and Path(info["model_path"]).name == "swat_3_int8.tflite"
    # The reason names what the GPU stack said, and the captured log keeps all of it (TFLite's notice included).
    assert "GPU accelerator could not compile" in info["fallback_reason"]
    assert "native log: " in info["fallback_reason"] and "No adapters found" in info["fallback_reason"]
    assert "Source Location Trace" not in info["fallback_reason"]  # only the informative lines
    assert "Created TensorFlow Lite XNNPACK delegate" in info["native_log"]


@needs_bundled
def test_verbose_shows_the_reason(tmp_path):
    code = "import mobilevsr_rt; mobilevsr_rt.Upscaler('swat_3', verbose=True)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env=no_vulkan_env(tmp_path), check=False)
    assert proc.returncode == 0, proc.stderr
    reason = next(line for line in proc.stderr.splitlines() if line.startswith("mobilevsr_rt: running on the CPU: "))
    assert "swat_3_int8.tflite was opened for the CPU" in reason and "GPU accelerator could not compile" in reason
    assert "Created TensorFlow Lite XNNPACK delegate" in proc.stderr  # nothing captured


@needs_bundled
def test_upscale_cli_without_vulkan_prints_only_its_summary(tmp_path):
    frame = np.asarray(Image.open(sorted((Path(__file__).parents[2] / ".." / "shared" / "data" / "demo" /
                                          "lr_clip").glob("*.png"))[0]).convert("RGB"))[:48, :64]
    Image.fromarray(frame).save(tmp_path / "in.png")
    env = no_vulkan_env(tmp_path)
    proc = run_rt("upscale", tmp_path / "in.png", "-o", tmp_path / "out.png", "--quiet", env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "wrote " in proc.stdout and "on cpu" in proc.stdout
    assert Image.open(tmp_path / "out.png").size == (256, 192)
    verbose = run_rt("upscale", tmp_path / "in.png", "-o", tmp_path / "out2.png", "--quiet", "--verbose", env=env)
    assert verbose.returncode == 0, verbose.stderr
    assert "mobilevsr_rt: running on the CPU: " in verbose.stderr
    assert "GPU accelerator could not compile" in verbose.stderr


# --- --version -----------------------------------------------------------------------------------------------------
def test_version_of_both_command_lines():
    want = mobilevsr_rt.__version__
    assert metadata.version("mobilevsr-rt") == want  # pyproject and the package agree
    for proc, prog in ((run_rt("--version"), "mobilevsr-rt"), (run_train("--version"), "mobilevsr-train")):
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.startswith(f"{prog} {want} (ai-edge-litert {metadata.version('ai-edge-litert')}")


# --- models --------------------------------------------------------------------------------------------------------
@needs_bundled
def test_models_lists_every_bundled_file_with_its_card(capsys):
    assert main(["models", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["models"]
    assert [(m["name"], m["precision"]) for m in listed] == list(BUNDLED)
    for row in listed:
        card = BUNDLED[row["name"], row["precision"]].card()
        assert row["params"] == card["params"] and row["macs"] == card["macs"]
        assert row["psnr_y"] == card["quality"]["psnr_y"] and row["ssim_y"] == card["quality"]["ssim_y"]
    assert main(["models"]) == 0
    text = capsys.readouterr().out
    int8 = BUNDLED["swat_3", "int8"].card()
    line = next(line for line in text.splitlines() if "swat_3_int8.tflite" in line)
    assert line.startswith("swat_3 (default)") and f"{int8['params']:,}" in line
    assert f"{int8['macs'] / 1e9:.3f} G" in line and f"{int8['quality']['psnr_y']:.2f} / " in line


# --- info ----------------------------------------------------------------------------------------------------------
@needs_bundled
def test_info_takes_bundled_names(capsys):
    assert main(["info", "swat_3", "--no-gpu-compile", "--threads", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Model: swat_3 (") and "swat_3_fp16.tflite)" in out.splitlines()[0]
    assert "Runtime layout: " in out and "CPU threads: 1" in out
    assert main(["info", "swat_3", "--precision", "int8", "--no-gpu-compile", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert Path(report["model_path"]).name == "swat_3_int8.tflite" and report["drivable"]
    assert report["num_threads"] == len(os.sched_getaffinity(0))


def test_info_on_a_model_the_runtime_cannot_drive(odd_model, tmp_path):
    proc = run_rt("info", odd_model, env=no_vulkan_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert "frames: [1, 8, 8, 4] float32" in out and "labels: [1, 8, 8] int64" in out
    assert "ARG_MAX" in out and "DEPTHWISE_CONV_2D" in out
    assert f"Params: {DEPTHWISE_PARAMS:,}" in out and f"({DEPTHWISE_MACS:,})" in out
    assert "GPU delegate: NOT compatible (2 issue(s) in 2 op(s))" in out
    assert "Runtime: cannot drive this model: " in out
    assert "GPU compile (LiteRT): failed: " in out and "native log: " in out


@pytest.mark.gpu
def test_info_compiles_any_model_on_the_gpu(odd_model, tmp_path, swiftshader_env):
    proc = run_rt("info", odd_model, "--json", env=swiftshader_env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert not report["drivable"] and report["why_not"]
    assert {issue["op"] for issue in report["gpu_issues"]} == {"DEPTHWISE_CONV_2D", "ARG_MAX"}
    verdict = report["gpu_compile"]  # a real compile: LiteRT's GPU accelerator does not take the whole graph
    assert verdict["compiled"] and not verdict["fully_accelerated"], verdict
    assert "does not run every op" in verdict["error"]


def test_info_json_to_a_file_keeps_the_text(odd_model, tmp_path, capsys):
    target = tmp_path / "info.json"
    assert main(["info", str(odd_model), "--no-gpu-compile", "--json", str(target)]) == 0
    assert "Runtime: cannot drive this model" in capsys.readouterr().out
    report = json.loads(target.read_text())
    assert report["stats"]["ops"] == {"DEPTHWISE_CONV_2D": 1, "ARG_MAX": 1} and report["gpu_compile"] is None


# --- exit codes and one-line errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["info"], ["bench", "x.tflite", "--size", "180-320"], ["bench", "x", "--frames", "0"],
                                  ["--no-such-flag"], ["info", "x", "--threads", "0"]])
def test_usage_errors_exit_2(args, capsys):
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "usage: mobilevsr-rt" in err and "Traceback" not in err


def test_runtime_errors_exit_1_with_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.tflite"
    junk.write_bytes(os.urandom(256))
    damaged = tmp_path / "damaged.tflite"  # the identifier of a TFLite file, then garbage
    damaged.write_bytes(b"\xff\xff\xff\x7fTFL3" + os.urandom(256))
    for args in (["info", tmp_path / "missing.tflite"], ["info", junk], ["info", damaged], ["info", tmp_path],
                 ["bench", junk, "--accelerator", "cpu"], ["info", "no_such_bundled_model"]):
        assert main([str(a) for a in args]) == 1, args
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"mobilevsr-rt {args[0]}: error: ") and "\n" not in err, err
        assert "internal error" not in err, err
    for debug in (["--debug", "info", tmp_path / "missing.tflite"], ["info", tmp_path / "missing.tflite", "--debug"]):
        proc = run_rt(*debug)
        assert proc.returncode == 1 and "Traceback (most recent call last)" in proc.stderr
        assert proc.stderr.strip().splitlines()[-1].startswith("mobilevsr-rt info: error: ")


@needs_bundled
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_bench_exits_130(signum):
    process = run_cli_process(["bench", "swat_3", "--accelerator", "cpu", "--threads", "1", "--frames", "100000",
                               "--warmup", "0"])
    deadline = time.monotonic() + 120
    # LiteRT loads its GPU plugin when the Upscaler creates its environment: the command is running by then.
    while "libLiteRtWebGpuAccelerator.so" not in Path(f"/proc/{process.pid}/maps").read_text():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the benchmark never opened its model"
        time.sleep(0.05)
    time.sleep(0.5)
    process.send_signal(signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err.strip() == "mobilevsr-rt bench: interrupted"


# --- mobilevsr-train: the same conventions -------------------------------------------------------------------------
def test_train_without_tensorflow_names_the_extra():
    proc = run_train("zoo", prelude="import sys; sys.modules['tensorflow'] = None  # as if not installed")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == ('mobilevsr-train zoo: error: this command needs tensorflow, which is not installed: '
                                   'install the training extra with pip install "mobilevsr-rt[train]"')


def test_train_flags_follow_the_convention():
    from mobilevsr_rt.training.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["zoo", "--size", "16x24"]).size == (16, 24)
    report = parser.parse_args(["report", "bicubic", "--output", "t", "--crop", "536x960", "--macs-size", "90x160"])
    assert report.crop == (536, 960) and report.macs_size == (90, 160)
    assert parser.parse_args(["eval", "bicubic", "--data", "d", "--json"]).json == "-"
    assert parser.parse_args(["eval", "bicubic", "--data", "d", "--json", "r.json"]).json == "r.json"
    assert parser.parse_args(["export", "elsr", "-o", "m.tflite", "--frame-size", "90x160"]).frame_size == (90, 160)
    proc = run_train("zoo", "--size", "16", "16")
    assert proc.returncode == 2 and "usage: mobilevsr-train" in proc.stderr
