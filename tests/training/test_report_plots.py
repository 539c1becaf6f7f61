"""``mobilevsr-train report`` with public .tflite anchors through the runtime, per-frame gains over bicubic, the JSON
of every measurement and the --plot figures (Pareto chart, per-frame gain, learning curve of a tiny real run)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image
from training_helpers import SHARED

tf = pytest.importorskip("tensorflow")
pytest.importorskip("matplotlib")

from mobilevsr_rt.plots import ParetoPoint, pareto_front  # noqa: E402
from mobilevsr_rt.training import cli, metrics  # noqa: E402
from mobilevsr_rt.training.data.bicubic import matlab_downscale  # noqa: E402
from mobilevsr_rt.training.data.readers import load_frame, read_clip_folders  # noqa: E402
from mobilevsr_rt.training.evaluate import EvalResult, evaluate_path  # noqa: E402
from mobilevsr_rt.training.per_frame import per_frame_gains  # noqa: E402
from mobilevsr_rt.training.train.config import load_config  # noqa: E402
from mobilevsr_rt.training.train.fit import fit  # noqa: E402

MOBILERRN = SHARED / "models" / "mai22_mobilerrn_16.tflite"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _is_figure(prefix: Path) -> None:
    png, svg = prefix.with_name(prefix.name + ".png"), prefix.with_name(prefix.name + ".svg")
    with Image.open(png) as image:
        assert image.size[0] > 300 and image.size[1] > 200
        pixels = np.asarray(image.convert("L"))
    assert pixels.std() > 10  # something is drawn, not a blank canvas
    assert "<svg" in svg.read_text()[:2000]


def test_pareto_front():
    points = [ParetoPoint("slow_good", 32.0, 30.0), ParetoPoint("fast_bad", 30.0, 5.0),
              ParetoPoint("dominated", 29.5, 20.0), ParetoPoint("tie_slower", 30.0, 6.0),
              ParetoPoint("middle", 31.0, 10.0)]
    assert [p.name for p in pareto_front(points)] == ["fast_bad", "middle", "slow_good"]


def test_per_frame_gains_need_one_protocol(tiny_clips):
    bicubic = evaluate_path("bicubic", tiny_clips, frames=2)
    other = EvalResult.from_json(bicubic.to_json())
    other.name = "copy"
    gains = per_frame_gains([bicubic, other])
    assert gains["copy"]["mean"] == [0.0, 0.0] and set(gains["copy"]) == {"a", "b", "mean"}
    longer = evaluate_path("bicubic", tiny_clips, frames=3)
    longer.name = "longer"
    with pytest.raises(ValueError, match="same clips, frames and crop"):
        per_frame_gains([bicubic, longer])
    with pytest.raises(ValueError, match="add 'bicubic'"):
        per_frame_gains([other])


def test_report_cli_errors(tmp_path, capsys):
    assert cli.main(["report", "--output", str(tmp_path / "t")]) == 2
    assert "nothing to report" in capsys.readouterr().err
    assert cli.main(["report", "bicubic", "--curve", str(tmp_path), "--output", str(tmp_path / "t")]) == 2
    assert "add --plot" in capsys.readouterr().err
    assert cli.main(["report", "--anchors", "--anchors-dir", str(tmp_path), "--output", str(tmp_path / "t")]) == 2
    assert "no public baseline" in capsys.readouterr().err


def _runtime_clip_psnr(model: Path, clip: Path, frames: int) -> list[float]:
    """Independent protocol for a .tflite: stream the clip's LR through mobilevsr_rt.Upscaler, Y-PSNR per frame."""
    import mobilevsr_rt

    hr = [load_frame(p) for p in sorted(clip.glob("*.png"))[:frames]]
    with mobilevsr_rt.Upscaler(str(model), accelerator="cpu") as up:
        outs = [o for o in (up.process(matlab_downscale(h)) for h in hr) if o is not None] + up.flush()
    return [metrics.psnr(o, h, 0, True) for o, h in zip(outs, hr, strict=True)]


@pytest.mark.slow
def test_report_with_public_anchor_per_frame_and_plots(tmp_path, tiny_clips):
    if not (MOBILERRN.is_file() and (MOBILERRN.parent / "swrn.tflite").is_file()):
        pytest.skip(f"public models missing in {MOBILERRN.parent}")
    out = tmp_path / "report" / "val"
    argv = ["report", "elsr_int8", "--anchors", "--anchors-dir", str(MOBILERRN.parent), "--data", str(tiny_clips),
            "--frames", "3", "--plot", "--speed-frames", "3", "--speed-rounds", "2", "--output", str(out)]
    assert cli.main(argv) == 0
    table = _rows(out.with_name("val.csv"))
    names = [r["Model"] for r in table]
    assert names == ["bicubic", "mai22_mobilerrn_16", "swrn", "elsr_int8"]  # the anchors lead every table
    data = json.loads(out.with_name("val.json").read_text())
    results = {r["name"]: r for r in data["results"]}
    rrn, bicubic = results["mai22_mobilerrn_16"], results["bicubic"]
    # per-frame Y-PSNR equals an independent streaming run through the runtime
    assert rrn["per_frame"]["a"] == pytest.approx(_runtime_clip_psnr(MOBILERRN, tiny_clips / "a", 3), abs=1e-6)
    row = next(r for r in table if r["Model"] == "mai22_mobilerrn_16")
    assert row["vs bicubic"] == f"{rrn['psnr_y'] - bicubic['psnr_y']:+.2f}" and row["Params"] != "-"
    assert float(row["CPU ms/frame"]) == pytest.approx(rrn["info"]["speed"]["median_ms"], abs=0.06)
    assert rrn["info"]["speed"]["lr_size"] == [320, 180] and len(rrn["info"]["speed"]["round_medians_ms"]) == 2
    # gains over bicubic per frame: JSON, per-frame tables and the plotted CSV agree with the per-frame scores
    want = [np.mean([rrn["per_frame"][c][i] - bicubic["per_frame"][c][i] for c in ("a", "b")]) for i in range(3)]
    assert data["per_frame_gain"]["mai22_mobilerrn_16"]["mean"] == pytest.approx(want, abs=1e-9)
    plotted = [r for r in _rows(out.with_name("val_per_frame_gain.csv")) if r["model"] == "mai22_mobilerrn_16"]
    assert [float(r["gain_db"]) for r in plotted] == pytest.approx(want, abs=1e-4)
    long_rows = _rows(out.with_name("val_per_frame.csv"))
    assert len([r for r in long_rows if r["model"] == "mai22_mobilerrn_16"]) == 6  # 2 clips x 3 frames
    assert "| mai22_mobilerrn_16 | mean |" in out.with_name("val_per_frame.md").read_text()
    # the Pareto chart: one point per timed model, the front computed from those points
    pareto = {r["model"]: r for r in _rows(out.with_name("val_pareto.csv"))}
    timed = [n for n in names if n != "bicubic"]
    assert set(pareto) == {*timed, "bicubic"}
    points = [ParetoPoint(n, float(pareto[n]["psnr_y_db"]), float(pareto[n]["cpu_ms_per_frame"])) for n in timed]
    assert {p.name for p in pareto_front(points)} == {n for n in timed if pareto[n]["pareto_front"] == "1"}
    assert pareto["mai22_mobilerrn_16"]["group"] == "public" and pareto["elsr_int8"]["group"] == "ours"
    assert "MobileRRN-16" in row["Description"]
    for name in ("val_pareto", "val_per_frame_gain"):
        _is_figure(out.with_name(name))
    # the report's JSON redraws the same tables and figures without measuring again
    redraw = tmp_path / "redraw" / "val"
    assert cli.main(["report", str(out.with_name("val.json")), "--plot", "--output", str(redraw)]) == 0
    for name in ("val.csv", "val_per_frame.csv", "val_pareto.csv", "val_per_frame_gain.csv"):
        assert redraw.with_name(name).read_text() == out.with_name(name).read_text(), name
    assert json.loads(redraw.with_name("val.json").read_text())["protocol"] == data["protocol"]


@pytest.mark.slow
def test_learning_curve_of_a_tiny_run(tmp_path, tiny_clips):
    config = {
        "model": {"name": "elsr"},
        "data": {"sources": [{"kind": "clips", "root": str(tiny_clips)}], "patch_size": 8, "frames": 1,
                 "batch_size": 2, "workers": 1, "cache_frames": 8},
        "train": {"steps": 8, "loss": "l1", "lr": {"initial": 5e-3, "first_decay_steps": 100},
                  "checkpoint_every": 8, "log_every": 2},
        "validation": {"root": str(tiny_clips), "every": 4, "frames": 1, "crop": None},
        "output": str(tmp_path / "run"), "seed": 1,
    }
    (tmp_path / "exp.yaml").write_text(yaml.safe_dump(config))
    run = fit(load_config(tmp_path / "exp.yaml")).output
    out = tmp_path / "report" / "t"
    assert cli.main(["report", str(run), "--data", str(tiny_clips), "--frames", "2", "--plot",
                     "--output", str(out)]) == 0
    curve = _rows(out.with_name("t_curve_run.csv"))
    train, val = _rows(run / "train_log.csv"), _rows(run / "val_log.csv")
    assert [int(r["step"]) for r in curve] == [2, 4, 6, 8]
    assert [r["loss"] for r in curve] == [r["loss"] for r in train]
    assert [r["val_psnr_y"] for r in curve if r["val_psnr_y"]] == [r["psnr_y"] for r in val] and len(val) == 2
    _is_figure(out.with_name("t_curve_run"))
    _is_figure(out.with_name("t_per_frame_gain"))  # the Keras run against bicubic, which the report added
    assert not out.with_name("t_pareto.png").exists()  # a Keras checkpoint has no CPU speed: no Pareto point
    assert len(read_clip_folders(tiny_clips)) == 2
