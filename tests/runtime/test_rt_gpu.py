"""GPU path (LiteRT GPU accelerator on Vulkan): SwiftShader runs it fully accelerated and close to the CPU; without a
Vulkan driver "auto" falls back to the CPU with a reason and "gpu" raises.

The Vulkan loader reads VK_ICD_FILENAMES when the GPU plugin loads, so each case runs in a fresh subprocess with the
environment set beforehand.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SWIFTSHADER_ICD = Path("/usr/lib/chromium/vk_swiftshader_icd.json")
MAX_ABS_DIFF = 2  # uint8 levels; the GPU computes in FP16/FP32 with other kernels, so bit equality is not expected

WORKER = r"""
import json, sys
import numpy as np
import mobilevsr_rt

args = json.loads(sys.argv[1])
frames = list(np.load(args["frames_path"]))
report = {}
try:
    with mobilevsr_rt.Upscaler(args["model"], accelerator=args["accelerator"], num_threads=1,
                               contract=args.get("contract"), **args.get("options", {})) as up:
        report["info"] = up.info
        outs = [up.process(f) for f in frames]
        outs = [o for o in outs if o is not None] + list(up.flush())
        report["info"] = up.info  # again: now with the clip's frame-size strategy
        np.save(args["out"], np.stack(outs))
except Exception as exc:
    report["error"] = [type(exc).__name__, str(exc)]
print("REPORT " + json.dumps(report), flush=True)
"""


def run_worker(tmp_path: Path, env_icd: str, model: Path, frames: list[np.ndarray], accelerator: str,
               contract: dict | None = None, options: dict | None = None) -> tuple[dict, np.ndarray | None]:
    """Run the model in a subprocess whose Vulkan loader sees only env_icd; return (report, HR frames)."""
    runtime_dir = tmp_path / "xdg"
    runtime_dir.mkdir(mode=0o700, exist_ok=True)
    env = {**os.environ, "VK_ICD_FILENAMES": env_icd, "XDG_RUNTIME_DIR": str(runtime_dir)}
    out = tmp_path / f"out_{accelerator}_{Path(env_icd).stem}.npy"
    frames_path = tmp_path / f"frames_{accelerator}.npy"
    np.save(frames_path, np.stack(frames))  # a file: real-size frames do not fit in argv
    args = {"model": str(model), "accelerator": accelerator, "frames_path": str(frames_path),
            "out": str(out), "contract": contract, "options": options or {}}
    proc = subprocess.run([sys.executable, "-c", WORKER, json.dumps(args)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, f"worker died ({proc.returncode}):\n{proc.stderr[-3000:]}"
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("REPORT "))
    report = json.loads(line[len("REPORT "):])
    return report, (np.load(out) if out.exists() else None)


needs_swiftshader = pytest.mark.skipif(not SWIFTSHADER_ICD.exists(), reason="SwiftShader Vulkan ICD not installed")


@pytest.mark.gpu
@needs_swiftshader
@pytest.mark.parametrize("name", ["single_fp32", "recurrent_fp32", "sliding_fp32", "separate_bgr_fp32"])
def test_swiftshader_gpu_matches_cpu(rt, fixture_dir, manifest, fixture_frames, tmp_path, name):
    entry = manifest[name]
    model, contract = fixture_dir / entry["file"], (None if entry["auto"] else entry["contract"])
    gpu, gpu_out = run_worker(tmp_path, str(SWIFTSHADER_ICD), model, fixture_frames, "gpu", contract)
    assert "error" not in gpu, gpu
    assert gpu["info"]["accelerator"] == "gpu" and gpu["info"]["fully_accelerated"] is True, gpu["info"]
    assert gpu["info"]["fallback_reason"] is None
    with rt.Upscaler(model, accelerator="cpu", num_threads=1, contract=contract) as up:
        cpu_out = [up.process(f) for f in fixture_frames]
        cpu_out = np.stack([o for o in cpu_out if o is not None] + list(up.flush()))
    assert gpu_out.shape == cpu_out.shape
    diff = np.abs(gpu_out.astype(int) - cpu_out.astype(int))
    print(f"{name}: GPU vs CPU max abs diff {diff.max()}, mean {diff.mean():.4f}, exact {np.mean(diff == 0):.3f}")
    assert diff.max() <= MAX_ABS_DIFF, f"max abs diff {diff.max()}, mean {diff.mean():.4f}"


@pytest.mark.gpu
@needs_swiftshader
def test_swiftshader_auto_prefers_gpu(fixture_dir, manifest, fixture_frames, tmp_path):
    report, out = run_worker(tmp_path, str(SWIFTSHADER_ICD), fixture_dir / manifest["single_fp32"]["file"],
                             fixture_frames[:2], "auto")
    assert "error" not in report, report
    assert report["info"]["accelerator"] == "gpu" and report["info"]["fallback_reason"] is None
    assert out.shape == (2, 48, 64, 3)


@pytest.mark.gpu
def test_no_vulkan_driver_auto_falls_back_to_cpu(rt, fixture_dir, manifest, fixture_frames, tmp_path):
    model = fixture_dir / manifest["recurrent_fp32"]["file"]
    report, out = run_worker(tmp_path, str(tmp_path / "no_such_icd.json"), model, fixture_frames, "auto")
    assert "error" not in report, report
    assert report["info"]["accelerator"] == "cpu"
    assert isinstance(report["info"]["fallback_reason"], str) and report["info"]["fallback_reason"]
    with rt.Upscaler(model, accelerator="cpu", num_threads=1) as up:
        cpu_out = [up.process(f) for f in fixture_frames]
        cpu_out = np.stack([o for o in cpu_out if o is not None] + list(up.flush()))
    assert np.array_equal(out, cpu_out)


@pytest.mark.gpu
def test_no_vulkan_driver_gpu_raises(fixture_dir, manifest, fixture_frames, tmp_path):
    report, _ = run_worker(tmp_path, str(tmp_path / "no_such_icd.json"), fixture_dir / manifest["single_fp32"]["file"],
                           fixture_frames[:1], "gpu")
    assert report.get("error", [None])[0] == "RuntimeError", report


@pytest.mark.gpu
@pytest.mark.slow
@needs_swiftshader
def test_gpu_tiles_with_per_tile_state(tmp_path):
    """Tiling on the GPU: a 320x300 frame through the 320x180 MobileRRN (2 tiles, each with its own state, moved through
    locked GPU buffers) matches the CPU's tiled run within the GPU tolerance."""
    from PIL import Image

    shared = Path(__file__).resolve().parents[2] / ".." / "shared"
    source = np.asarray(Image.open(shared / "data" / "val_videos" / "sam2_bedroom" / "00000000.png").convert("RGB"))
    frames = [source[100:420, 300:600].copy()] * 2
    model = shared / "models" / "mai22_mobilerrn_16.tflite"
    options = {"allow_transpose": False}
    gpu_report, gpu_out = run_worker(tmp_path, str(SWIFTSHADER_ICD), model, frames, "gpu", options=options)
    assert "error" not in gpu_report, gpu_report
    assert gpu_report["info"]["accelerator"] == "gpu" and gpu_report["info"]["fully_accelerated"]
    # A batch of tiles came out all zeros on LiteRT's GPU path: the GPU runs tiles in sequence.
    assert not gpu_report["info"]["strategy"]["batched"], gpu_report["info"]["strategy"]
    cpu_report, cpu_out = run_worker(tmp_path, str(SWIFTSHADER_ICD), model, frames, "cpu", options=options)
    assert gpu_report["info"]["strategy"]["grid"] == cpu_report["info"]["strategy"]["grid"] == [1, 2]
    assert gpu_out.shape == cpu_out.shape == (2, 1280, 1200, 3)
    assert int(np.abs(gpu_out.astype(int) - cpu_out.astype(int)).max()) <= MAX_ABS_DIFF


@pytest.mark.gpu
def test_bundled_name_without_gpu_reopens_the_int8_file(fixture_frames, tmp_path):
    """"auto" + a bundled name: fp16 is meant for the GPU; when the GPU fails, the CPU gets the int8 file."""
    report, out = run_worker(tmp_path, str(tmp_path / "no_such_icd.json"), Path("elsr"), fixture_frames[:2], "auto")
    assert "error" not in report, report
    info = report["info"]
    assert info["accelerator"] == "cpu" and Path(info["model_path"]).name == "elsr_int8.tflite"
    assert "elsr_int8.tflite" in info["fallback_reason"] and "elsr_fp16.tflite" in info["fallback_reason"]
    assert out.shape[0] == 2


@pytest.mark.gpu
@needs_swiftshader
def test_bundled_name_on_the_gpu_keeps_the_fp16_file(fixture_frames, tmp_path):
    report, _ = run_worker(tmp_path, str(SWIFTSHADER_ICD), Path("elsr"), fixture_frames[:1], "auto")
    assert "error" not in report, report
    assert report["info"]["accelerator"] == "gpu"
    assert Path(report["info"]["model_path"]).name == "elsr_fp16.tflite"
