"""``mobilevsr-train compress``: a tiny configured sequence runs end to end and reports before/after numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("tensorflow_model_optimization")
pytest.importorskip("mobilevsr_rt")

from mobilevsr_rt.training.compress.pipeline import load_compress_config, run_compress  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
CONFIGS = Path(__file__).resolve().parents[2] / "training" / "configs"


@pytest.mark.parametrize("name", ["elsr", "swat_3"])
def test_shipped_configs_parse(name):
    cfg = load_compress_config(CONFIGS / f"compress_{name}.yaml", output="/tmp/unused")
    assert cfg.model == name and cfg.frame_size == (180, 320)
    assert [s["kind"] for s in cfg.steps] == ["reparam", "prune", "cluster", "ptq_int8", "qat_int8"]
    assert cfg.train.root.resolve() == (SHARED / "train_videos").resolve()


def test_shipped_product_qat_config_parses():
    cfg = load_compress_config(CONFIGS / "product" / "mobilerrn_16_qat.yaml", output="/tmp/unused")
    assert cfg.model == "mobilerrn_16" and [s["kind"] for s in cfg.steps] == ["qat_int8"]
    assert cfg.train.root.resolve() == (SHARED / "train_videos").resolve()


def test_unknown_step_kind_is_rejected(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: elsr\noutput: out\nsteps:\n  - {kind: distill}\n")
    with pytest.raises(ValueError, match="distill"):
        load_compress_config(bad)


@pytest.mark.slow
def test_tiny_sequence_reports_every_step(tmp_path):
    if not SHARED.is_dir():
        pytest.skip("shared data not found")
    config = tmp_path / "tiny.yaml"
    config.write_text(f"""
model: elsr
output: out
frame_size: [16, 16]
base: {{pretrain_steps: 3}}
train: {{root: {SHARED / 'train_videos'}, patch: 16, frames: 1, batch: 2}}
eval: {{root: {SHARED / 'val_videos'}, frames: 1, clips: 1, latency_frames: 2}}
steps:
  - {{kind: reparam, steps: 2}}
  - {{kind: ptq_int8}}
  - {{kind: qat_int8, steps: 2, control: false, equalize: true, calibrate: true, freeze_ranges: true,
     distill: true}}
""")
    report = run_compress(load_compress_config(config))
    out = tmp_path / "out"
    saved = json.loads((out / "report.json").read_text())
    assert [s["step"] for s in saved["steps"]] == ["1_reparam", "2_ptq_int8", "3_qat_int8"]
    assert saved["steps"][0]["merge_max_abs_diff"] < 1e-5
    qat_ranges = saved["steps"][2]["qat"]["calibrated_ranges"]  # calibrated, not tfmot's [-6, 6] start
    assert qat_ranges and all(lo <= 0 <= hi and (lo, hi) != (-6, 6) for lo, hi in qat_ranges.values())
    for step in report["steps"]:
        for side in ("before", "after"):
            m = step[side]
            assert m["size_bytes"] > 0 and m["latency"]["median_ms"] > 0 and 0 < m["ssim_y"] <= 1
    assert [s["after"]["precision"] for s in report["steps"]] == ["fp32", "int8", "int8"]
    assert report["qat_vs_ptq"] is not None
    assert "QAT vs PTQ" in (out / "report.md").read_text()
