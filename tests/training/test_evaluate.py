"""Evaluation (bicubic, Keras checkpoint, .tflite through the runtime), the report tables and the CLI."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from training_helpers import SHARED, SHARED_DATA, write_png

tf = pytest.importorskip("tensorflow")

from mobilevsr_rt.training import cli, metrics  # noqa: E402
from mobilevsr_rt.training.data.bicubic import matlab_downscale, matlab_upscale  # noqa: E402
from mobilevsr_rt.training.data.readers import load_frame, read_clip_folders  # noqa: E402
from mobilevsr_rt.training.evaluate import EvalResult, evaluate_path, resolve_checkpoint  # noqa: E402
from mobilevsr_rt.training.models import build_model, count_macs, count_params  # noqa: E402
from mobilevsr_rt.training.report import COLUMNS, build_report  # noqa: E402
from mobilevsr_rt.training.train.streaming import to_pixels  # noqa: E402


def _mean_over_clips(root: Path, frames: int, upscale_fn) -> dict[str, float]:
    """Independent protocol: per-frame metrics, mean per clip, mean over clips."""
    per_clip = []
    for clip in read_clip_folders(root):
        scores = []
        for path in clip.frames[:frames]:
            hr = load_frame(path)
            out = upscale_fn(matlab_downscale(hr))
            scores.append([metrics.psnr(out, hr), metrics.ssim(out, hr, y_channel=True)])
        per_clip.append(np.mean(scores, axis=0))
    psnr, ssim_y = np.mean(per_clip, axis=0)
    return {"psnr_rgb": psnr, "ssim_y": ssim_y}


def test_bicubic_baseline(tiny_clips):
    result = evaluate_path("bicubic", tiny_clips, frames=3)
    want = _mean_over_clips(tiny_clips, 3, matlab_upscale)
    assert result.frames == 6 and result.name == "bicubic"
    assert result.psnr_rgb == pytest.approx(want["psnr_rgb"], abs=1e-9)
    assert result.ssim_y == pytest.approx(want["ssim_y"], abs=1e-9)
    assert 20 < result.psnr_y < 45 and result.info["lr_size"] == [24, 32]


@pytest.fixture
def elsr_run(tmp_path):
    """A run directory as ``fit`` writes it: run.json + a checkpoint of a (randomly initialised) ELSR."""
    run = tmp_path / "run"
    model = build_model("elsr", frame_size=(8, 8))
    rng = np.random.default_rng(0)
    model.set_weights([w + 0.05 * rng.standard_normal(w.shape).astype(np.float32) for w in model.get_weights()])
    manager = tf.train.CheckpointManager(tf.train.Checkpoint(model=model), str(run / "checkpoints"), 2)
    manager.save(checkpoint_number=3)
    (run / "run.json").write_text(json.dumps({"model": "elsr", "model_overrides": {}}))
    return run, model


def test_keras_checkpoint_eval(tiny_clips, elsr_run):
    run, trained = elsr_run
    assert resolve_checkpoint(run) == resolve_checkpoint(run / "checkpoints") == \
        resolve_checkpoint(run / "checkpoints" / "ckpt-3")
    result = evaluate_path(str(run), tiny_clips, frames=2)
    full = build_model("elsr", frame_size=(24, 32))
    full.set_weights(trained.get_weights())

    def run_model(lr: np.ndarray) -> np.ndarray:
        return to_pixels(full(lr[None].astype(np.float32) / np.float32(255.0)).numpy()[0])

    want = _mean_over_clips(tiny_clips, 2, run_model)
    assert result.frames == 4 and result.info["model"] == "elsr"
    assert result.psnr_rgb == pytest.approx(want["psnr_rgb"], abs=1e-6)
    assert result.ssim_y == pytest.approx(want["ssim_y"], abs=1e-6)
    # the Keras weights file fit writes at the end gives the same numbers
    trained.save_weights(str(run / "final.weights.h5"))
    from_h5 = evaluate_path(str(run / "final.weights.h5"), tiny_clips, frames=2)
    assert from_h5.psnr_rgb == pytest.approx(result.psnr_rgb, abs=1e-9)


def test_report_tables(tmp_path, tiny_clips, elsr_run):
    run, _ = elsr_run
    bicubic_json = tmp_path / "bicubic.json"
    assert cli.main(["eval", "bicubic", "--data", str(tiny_clips), "--frames", "2", "--json", str(bicubic_json)]) == 0
    bicubic = EvalResult.from_json(bicubic_json.read_text())
    files = build_report([str(bicubic_json), str(run)], tmp_path / "out" / "table", data=tiny_clips, frames=2)
    md, csv_path = files.table_md, files.table_csv
    with csv_path.open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == COLUMNS
    assert [r["Model"] for r in rows] == ["bicubic", "elsr"]
    assert [r["Dataset"] for r in rows] == ["clips (2 clips, 4 frames)"] * 2
    assert rows[0]["PSNR"] == f"{bicubic.psnr_y:.2f}" and rows[0]["Params"] == "-"
    model = build_model("elsr", frame_size=(180, 320), batch_size=1)  # MACs at the default reference size
    assert rows[1]["Params"] == f"{count_params(model):,}"
    assert rows[1]["MACs [G]"] == f"{count_macs(model) / 1e9:.3f}"
    assert float(rows[1]["Runtime [ms]"]) > 0 and "ELSR" in rows[1]["Description"]
    elsr = json.loads(files.json.read_text())["results"][1]
    assert rows[1]["vs bicubic"] == f"{elsr['psnr_y'] - bicubic.psnr_y:+.2f}" and rows[0]["vs bicubic"] == "-"
    text = md.read_text()
    assert "| " + " | ".join(COLUMNS) + " |" in text
    assert text.count("\n| ") == 3  # header + 2 rows


def test_cli_commands(tmp_path, tiny_clips, capsys):
    # `zoo` only prints the registry's format_zoo_table (tested with the zoo; building every model takes ~40 s)
    assert tuple(cli.build_parser().parse_args(["zoo", "--size", "16x16"]).size) == (16, 16)
    assert cli.main(["fit", str(tmp_path / "missing.yaml")]) == 1
    assert cli.main(["eval", "bicubic", "--data", str(tiny_clips), "--frames", "1", "--clips", "1"]) == 0
    assert "bicubic on clips (1 frames)" in capsys.readouterr().out
    # subcommands live in a registry other commands (export, compress) plug into
    seen = {}
    cli.COMMANDS["probe"] = cli.Command("test", lambda p: p.add_argument("--x", type=int),
                                        lambda a: seen.setdefault("x", a.x) and 0)
    try:
        assert cli.main(["probe", "--x", "3"]) == 0 and seen == {"x": 3}
    finally:
        del cli.COMMANDS["probe"]


def _runtime_upscaler_available() -> bool:
    try:
        import mobilevsr_rt

        return hasattr(mobilevsr_rt, "Upscaler")
    except ImportError:
        return False


@pytest.mark.skipif(not _runtime_upscaler_available(), reason="mobilevsr_rt.Upscaler (the C++ runtime) not built")
def test_tflite_eval_through_runtime(tmp_path):
    model = SHARED / "models" / "swrn.tflite"  # portrait: LR 320x180 (H x W)
    source = SHARED_DATA / "val_videos" / "vspw_1007_crop1280x720"
    if not model.is_file() or not source.is_dir():
        pytest.skip("shared model or data missing")
    for i, path in enumerate(sorted(source.glob("*.png"))[:3]):
        write_png(tmp_path / "clips" / "portrait" / f"{i:08d}.png", load_frame(path).transpose(1, 0, 2))
    result = evaluate_path(str(model), tmp_path / "clips")
    bicubic = evaluate_path("bicubic", tmp_path / "clips")
    assert result.frames == 3 and result.info["lr_size"] == [320, 180]
    assert math.isfinite(result.psnr_y) and result.psnr_y > bicubic.psnr_y
