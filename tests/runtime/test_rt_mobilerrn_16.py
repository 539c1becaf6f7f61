"""The bundled mobilerrn_16 (the published MAI 2022 MobileRRN-16, imported and re-exported): selectable by name, the
published network's output, licence and provenance shipped with it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fixtures.data import lr_frames
from test_rt_gpu import SWIFTSHADER_ICD, needs_swiftshader, run_worker

PUBLISHED = Path(__file__).resolve().parents[2] / ".." / "shared" / "models" / "mai22_mobilerrn_16.tflite"


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / mse))


def _bundled(precision: str):
    from mobilevsr_rt.models import list_models

    found = {(m.name, m.precision): m for m in list_models()}
    if ("mobilerrn_16", precision) not in found:
        pytest.fail(f"mobilerrn_16_{precision} is not bundled")
    return found[("mobilerrn_16", precision)]


# Issue 14: each bundled precision within 0.15 dB of the published file on the val protocol. INT8 by post-training
# quantization missed it (32.21 vs 32.40, with the exporter's channel equalization); the bundled INT8 is
# quantization-aware fine-tuned (training/configs/product/mobilerrn_16_qat.yaml, run by scripts/build_mobilerrn_16.sh).
@pytest.mark.parametrize("precision", ["int8", "fp16"])
def test_card_carries_licence_source_and_quality_against_the_published_file(precision):
    card = _bundled(precision).card()
    provenance = card["provenance"]
    assert provenance["licence"] == "Apache-2.0"
    assert "github.com/MediaTek-NeuroPilot/mai22-real-time-video-sr" in provenance["source"]
    assert "MediaTek" in provenance["attribution"]
    notice = (_bundled(precision).path.parent / provenance["notice"]).read_text()
    assert f"mobilerrn_16_{precision}.tflite" in notice and "Apache License, Version 2.0" in notice
    # The val protocol (report: Y-PSNR, 2 clips x 10 frames, 536x960 HR crop): within 0.15 dB of the published FP32.
    rows = provenance["val_report"]
    published = float(rows["mai22_mobilerrn_16"]["PSNR"])
    ours = float(rows[f"mobilerrn_16_{precision}"]["PSNR"])
    assert ours >= published - 0.15, (ours, published)
    assert card["precision"] == precision and card["gpu"]["static_compatible"]


def test_upscaler_by_name_runs_int8_on_the_cpu_and_matches_the_published_network(rt):
    if not PUBLISHED.is_file():
        pytest.skip(f"shared model missing: {PUBLISHED}")
    frames = lr_frames(3)  # real 180x320 frames, the bundled model's size
    with rt.Upscaler("mobilerrn_16", accelerator="cpu", num_threads=2) as up:
        assert Path(up.info["model_path"]).name == "mobilerrn_16_int8.tflite"
        ours = [up.process(f) for f in frames]
    # The published file is portrait (320x180): tiles over the landscape frame keep its orientation, so both run
    # the same function; the first frame has no recurrent context, which tiling would change.
    with rt.Upscaler(str(PUBLISHED), accelerator="cpu", num_threads=2, allow_transpose=False) as up:
        theirs = [up.process(f) for f in frames]
    assert ours[0].shape == theirs[0].shape == (720, 1280, 3)
    assert _psnr(ours[0], theirs[0]) > 35.0


@pytest.mark.gpu
@needs_swiftshader
def test_bundled_name_on_the_gpu_runs_the_fp16_file(tmp_path):
    report, out = run_worker(tmp_path, str(SWIFTSHADER_ICD), Path("mobilerrn_16"), lr_frames(2), "auto")
    assert "error" not in report, json.dumps(report)[:2000]
    assert report["info"]["accelerator"] == "gpu"
    assert Path(report["info"]["model_path"]).name == "mobilerrn_16_fp16.tflite"
    assert out.shape == (2, 720, 1280, 3)
