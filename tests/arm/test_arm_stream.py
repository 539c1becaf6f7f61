"""Streaming on ARM, under qemu, against LiteRT's real aarch64 library (XNNPACK's ARM kernels).

For the three public models and the bundled SWAT_3 (int8 and fp16), real frames of the demo clip go through the
aarch64 build of the core (``mobilevsr_stream``: the Upscaler, NEON conversions, state hand-off) and through a bare
LiteRT C loop built and run the same way (``mobilevsr_bare_loop``: plain C API calls and the contract's arithmetic,
nothing of the core). Their HR frames must be equal bit for bit. The same frames through the x86 runtime must agree
within a stated tolerance: XNNPACK's ARM and x86 kernels may round differently (measured differences are printed).

Few, small frames: emulation is slow. The public models cannot be resized (XNNPACK fails to reshape them) and run at
their own sizes, 2 frames each (MAI21: one run of its 10-frame window); SWAT_3 resizes and runs at 64x64.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from arm_env import run_arm
from fixtures.data import PUBLIC, PUBLIC_MODELS, lr_frames, portrait_frames

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "python" / "mobilevsr_rt" / "models"
THREADS = 2
# The core's crash probe (one compile and run in a forked child, at the model's own input size) runs for this model
# only: for the others that extra run at full size costs minutes under emulation. The probe then works on ARM too.
PROBED = "swat_3_int8"

# Largest |ARM - x86| allowed per HR pixel value, and the share of values allowed to differ at all. Set from the
# differences measured here (see README, "ARM64"): float models drift by a level or two where XNNPACK's ARM and x86
# kernels sum in another order; the int8 model's integer kernels round requantization differently on the two.
TOLERANCE = {
    "mai22_mobilerrn_16": (2, 0.01),
    "swrn": (2, 0.01),
    "mai21_diggers": (2, 0.01),
    "swat_3_int8": (2, 0.01),
    "swat_3_fp16": (2, 0.01),
}


def _bundled_contract(name: str) -> dict:
    return json.loads((BUNDLED / f"{name}.card.json").read_text())["contract"]


# name: (model file, contract (for the bare loop), frames)
CASES = {
    "mai22_mobilerrn_16": (PUBLIC_MODELS / "mai22_mobilerrn_16.tflite", PUBLIC["mai22_mobilerrn_16"][0],
                           lambda: portrait_frames(2)),
    "swrn": (PUBLIC_MODELS / "swrn.tflite", PUBLIC["swrn"][0], lambda: portrait_frames(2)),
    "mai21_diggers": (PUBLIC_MODELS / "mai21_diggers.tflite", PUBLIC["mai21_diggers"][0], lambda: lr_frames(2)),
    "swat_3_int8": (BUNDLED / "swat_3_int8.tflite", _bundled_contract("swat_3_int8"),
                    lambda: lr_frames(3, top=60, left=120, height=64, width=64)),
    "swat_3_fp16": (BUNDLED / "swat_3_fp16.tflite", _bundled_contract("swat_3_fp16"),
                    lambda: lr_frames(3, top=60, left=120, height=64, width=64)),
}


def bare_loop_arguments(contract: dict) -> list[str]:
    """The bare loop's command line for a stacked-layout contract."""
    fin, fout = contract["frame_inputs"], contract["frame_outputs"]
    assert fin["layout"] == fout["layout"] == "stacked", "the bare loop drives stacked layouts only"
    args = ["--frame-input", fin["tensors"][0], "--frame-output", fout["tensors"][0],
            "--offsets", ",".join(str(o) for o in fin["offsets"]), "--outputs", str(len(fout["offsets"])),
            "--pixel-range", repr(float(contract.get("pixel_range", 1.0)))]
    if contract.get("channel_order", "RGB") == "BGR":
        args.append("--bgr")
    for pair in contract.get("state", []):
        args += ["--state", f"{pair['input']}={pair['output']}"]
    return args


def read_frames(path: Path, count: int, height: int, width: int) -> np.ndarray:
    data = np.fromfile(path, np.uint8)
    assert data.size == count * height * width * 3, f"{path.name}: {data.size} bytes, want {count} frames"
    return data.reshape(count, height, width, 3)


# The public models at their native 180x320 take minutes each under qemu (MobileRRN-16: 89 s of a 33-minute suite;
# SWRN and MAI21 did not finish within ~20 min on a loaded 2-core machine), more than CI's budget allows, so they run
# only when asked: MOBILEVSR_ARM_FULL=1 python -m pytest tests/arm.
EMULATION_TOO_SLOW_FOR_CI = {"mai22_mobilerrn_16", "swrn", "mai21_diggers"}
FULL_RUN = os.environ.get("MOBILEVSR_ARM_FULL") == "1"


def _case(name: str):
    if name in EMULATION_TOO_SLOW_FOR_CI and not FULL_RUN:
        reason = f"{name}: minutes under qemu; MOBILEVSR_ARM_FULL=1 runs it"
        return pytest.param(name, marks=pytest.mark.skip(reason=reason))
    return name


@pytest.mark.slow
@pytest.mark.parametrize("name", [_case(n) for n in CASES])
def test_arm_stream_equals_bare_loop_and_x86(name, arm_build, qemu_root, arm_litert, tmp_path, rt, monkeypatch):
    model, contract, make_frames = CASES[name]
    frames = make_frames()
    count, (height, width) = len(frames), frames[0].shape[:2]
    clip = tmp_path / "clip.rgb"
    np.stack(frames).tofile(clip)
    size = f"{height}x{width}"

    streamed, info = tmp_path / "stream.rgb", tmp_path / "info.json"
    result = run_arm(qemu_root, [str(arm_build / "mobilevsr_stream"), "--library", str(arm_litert), "--model",
                                 str(model), "--size", size, "--threads", str(THREADS), "--info", str(info),
                                 *([] if name == PROBED else ["--no-probe"]), str(clip), str(streamed)])
    assert result.returncode == 0, result.stderr
    bare = tmp_path / "bare.rgb"
    result = run_arm(qemu_root, [str(arm_build / "mobilevsr_bare_loop"), "--library", str(arm_litert), "--model",
                                 str(model), "--size", size, "--threads", str(THREADS), *bare_loop_arguments(contract),
                                 str(clip), str(bare)])
    assert result.returncode == 0, result.stderr

    scale = contract["scale"]
    arm = read_frames(streamed, count, scale * height, scale * width)
    reference = read_frames(bare, count, scale * height, scale * width)
    differ = np.count_nonzero(arm != reference)
    assert differ == 0, f"{name}: {differ} HR values differ between the streamed clip and the bare loop on ARM"
    strategy = json.loads(info.read_text())["strategy"]["name"]
    assert strategy == ("resize" if name.startswith("swat_3") else "native")

    monkeypatch.setenv("MOBILEVSR_PROBE_TIMEOUT_S", "3600")  # the x86 probe too: qemu runs beside it
    with rt.Upscaler(model, accelerator="cpu", num_threads=THREADS) as up:
        x86 = [hr for hr in (up.process(f) for f in frames) if hr is not None] + list(up.flush())
    diff = np.abs(arm.astype(int) - np.stack(x86).astype(int))
    max_diff, share = int(diff.max()), float(np.count_nonzero(diff)) / diff.size
    print(f"\n{name}: ARM vs x86 max |diff| {max_diff}, {100 * share:.4f} % of HR values differ")
    allowed_max, allowed_share = TOLERANCE[name]
    assert max_diff <= allowed_max and share <= allowed_share, (
        f"{name}: ARM vs x86 max |diff| {max_diff} (allowed {allowed_max}), {100 * share:.4f} % of values differ "
        f"(allowed {100 * allowed_share} %)")


def test_stream_runner_reports_bad_input(arm_build, qemu_root, arm_litert, tmp_path):
    """A user's mistake gets one clear line and exit status 1, not a crash."""
    runner = str(arm_build / "mobilevsr_stream")
    clip, frame, out = tmp_path / "short.rgb", tmp_path / "frame.rgb", str(tmp_path / "out.rgb")
    clip.write_bytes(bytes(100))
    frame.write_bytes(bytes(2 * 2 * 3))
    cases = [
        (["--library", str(arm_litert), "--model", str(CASES["swrn"][0]), "--size", "8x8", str(clip), out],
         "not a whole number of 8x8x3 frames"),
        (["--library", str(arm_litert), "--model", str(tmp_path / "missing.tflite"), "--size", "2x2", str(frame), out],
         "missing.tflite"),
        (["--model", "m.tflite", str(clip), out], "--library, --model and --size are required"),
        (["--library", "x", "--model", "m", "--size", "0x4", str(clip), out], "must be a positive integer"),
    ]
    for args, needle in cases:
        result = run_arm(qemu_root, [runner, *args])
        assert result.returncode == 1 and needle in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("mobilevsr_stream: ")
