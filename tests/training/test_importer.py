"""``mobilevsr-train import``: published float .tflite files load into the zoo op by op and compute the same thing.

The equality tests stream real frames through the published file (LiteRT interpreter) and through the imported Keras
model, each carrying its own recurrent state, and compare HR frames and states on the file's 0..255 scale. The Keras
model runs in float64 (same float32 weight values): what is left is the .tflite's own float32 rounding, ~8e-4 on
MobileRRN-16's state (values up to ~120) after 10 recurrent steps; a float32 Keras model adds its own (~1.2e-3).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import yaml
from training_helpers import REPO, SHARED, real_frames

from mobilevsr_rt.training._keras import keras
from mobilevsr_rt.training.cli import main
from mobilevsr_rt.training.export.source import load_source
from mobilevsr_rt.training.importer import ImportMismatch, import_weights, load_published_mobilerrn_16
from mobilevsr_rt.training.models import build_model
from mobilevsr_rt.training.train.config import load_config
from mobilevsr_rt.training.train.fit import fit

MOBILERRN = SHARED / "models" / "mai22_mobilerrn_16.tflite"
SWRN = SHARED / "models" / "swrn.tflite"
TOLERANCE = 1e-3  # max |diff| on the published files' 0..255 scale, HR and state


def _published(path):
    if not path.is_file():
        pytest.skip(f"shared model missing: {path}")
    return path


def _real_portrait_clip(count: int) -> list[np.ndarray]:
    """``count`` consecutive real 320x180 (HxW, the published files' portrait size) crops of a 480x854 clip."""
    return [f[80:400, 300:480] for f in real_frames("davis_car-roundabout", count)]


def _float64(model: keras.Model, name: str) -> keras.Model:
    """The same zoo model computing in float64, with the same (float32) weight values."""
    keras.backend.set_floatx("float64")
    try:
        wide = build_model(name, tuple(model.inputs[0].shape[1:3]), 1)
    finally:
        keras.backend.set_floatx("float32")
    wide.set_weights([w.astype(np.float64) for w in model.get_weights()])
    return wide


def _stream_both(tflite_path, model: keras.Model, offsets: tuple[int, ...], frames: list[np.ndarray]):
    """Per frame: (max |HR diff|, max |state diff|) between the .tflite and the Keras model (whose every tensor,
    state included, is the file's / 255), each carrying its own state; edge frames replicated as the runtime does."""
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(tflite_path), num_threads=2)
    interpreter.allocate_tensors()
    (frames_in, state_in) = interpreter.get_input_details()
    (hr_out, state_out) = interpreter.get_output_details()
    state_t = np.zeros(state_in["shape"], np.float32)
    state_k = state_t.astype(np.float64)
    diffs = []
    for t in range(len(frames)):
        window = [frames[min(max(t + o, 0), len(frames) - 1)] for o in offsets]
        stacked = np.concatenate(window, axis=-1)[None].astype(np.float32)
        interpreter.set_tensor(frames_in["index"], stacked)
        interpreter.set_tensor(state_in["index"], state_t)
        interpreter.invoke()
        hr_t, state_t = interpreter.get_tensor(hr_out["index"]), interpreter.get_tensor(state_out["index"])
        hr_k, state_k = model({"frames": stacked.astype(np.float64) / 255.0, "state_0": state_k}, training=False)
        state_k = np.asarray(state_k)
        diffs.append((float(np.max(np.abs(np.asarray(hr_k) * 255.0 - hr_t))),
                      float(np.max(np.abs(state_k * 255.0 - state_t)))))
    return diffs


@pytest.fixture(scope="module")
def mrrn16_import(tmp_path_factory):
    """``mobilevsr-train import`` of the published MobileRRN-16 into a run directory (once for this module)."""
    out = tmp_path_factory.mktemp("import") / "mrrn16_init"
    assert main(["import", str(_published(MOBILERRN)), "--as", "mobilerrn_16", "-o", str(out)]) == 0
    return out


@pytest.mark.slow
def test_imported_mobilerrn_16_streams_like_the_published_file(mrrn16_import):
    run = json.loads((mrrn16_import / "run.json").read_text())
    assert run["model"] == "mobilerrn_16"
    pairs = run["imported_from"]["pairs"]
    # every weighted layer took exactly one op and no op was used twice
    model = load_source(mrrn16_import).build((320, 180))
    assert sorted(p["layer"] for p in pairs) == sorted(layer.name for layer in model.layers if layer.weights)
    assert len({p["op"] for p in pairs}) == len(pairs) == 13
    diffs = _stream_both(MOBILERRN, _float64(model, "mobilerrn_16"), (-1, 0), _real_portrait_clip(10))
    assert max(d for pair in diffs for d in pair) <= TOLERANCE, diffs
    keras.backend.clear_session()


@pytest.mark.slow
def test_imported_swrn_streams_like_the_published_file():
    model, report = import_weights(_published(SWRN), "swrn")
    assert len(report.pairs) == 15
    diffs = _stream_both(SWRN, _float64(model, "swrn"), (-1, 0, 1), _real_portrait_clip(5))
    assert max(d for pair in diffs for d in pair) <= TOLERANCE, diffs
    keras.backend.clear_session()


@pytest.mark.slow
def test_fit_starts_from_the_import(tmp_path, mrrn16_import, tiny_clips):
    """``init_from:`` loads the import; with a zero learning rate the run's weights are exactly the import's."""
    config = {
        "model": {"name": "mobilerrn_16"},
        "init_from": os.path.relpath(mrrn16_import, tmp_path),
        "data": {"sources": [{"kind": "clips", "root": os.path.relpath(tiny_clips, tmp_path)}],
                 "patch_size": 16, "frames": 2, "batch_size": 2, "workers": 1, "cache_frames": 16},
        "train": {"steps": 1, "lr": {"initial": 0.0}, "checkpoint_every": 1, "log_every": 1},
        "output": "run",
    }
    path = tmp_path / "ft.yaml"
    path.write_text(yaml.safe_dump(config))
    cfg = load_config(path)
    assert cfg.init_from == mrrn16_import.resolve()
    fit(cfg)
    assert "initialised from checkpoint" in (cfg.output / "fit.log").read_text()
    trained = build_model("mobilerrn_16", (16, 16))
    trained.load_weights(str(cfg.output / "final.weights.h5"))
    imported = load_source(mrrn16_import).build((16, 16))
    for a, b in zip(trained.get_weights(), imported.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    keras.backend.clear_session()


def test_shipped_finetune_config_starts_from_the_import():
    cfg = load_config(REPO / "training" / "configs" / "product" / "mobilerrn_16_finetune.yaml")
    assert cfg.model == "mobilerrn_16"
    assert cfg.init_from == (REPO / "runs" / "mrrn16_init").resolve()


@pytest.mark.slow
def test_a_structural_difference_names_the_first_layer_and_op_that_differ():
    # One residual block fewer: every layer up to the 4th block matches, then conv_out reads another tensor.
    with pytest.raises(ImportMismatch, match=r"layer 'conv_out' \(Conv2D\) has no counterpart.*op 19 CONV_2D"):
        import_weights(_published(MOBILERRN), "mobilerrn_16", overrides={"blocks": 4})
    keras.backend.clear_session()
    # One block more: its second conv (3x3 16->16, no activation) has no op of that structure left.
    with pytest.raises(ImportMismatch, match=r"no op of the .tflite has the structure of layer 'res6_conv2'"):
        import_weights(MOBILERRN, "mobilerrn_16", overrides={"blocks": 6})
    keras.backend.clear_session()


def test_another_temporal_layout_is_refused_before_any_weight_is_read():
    with pytest.raises(ImportMismatch, match=r"frame offsets \(-1, 0, 1\), mobilerrn_16 reads \(-1, 0\)"):
        import_weights(_published(SWRN), "mobilerrn_16")


def test_a_quantized_file_is_refused_and_the_cli_says_why(tmp_path, capsys):
    int8 = REPO / "python" / "mobilevsr_rt" / "models" / "swat_3_int8.tflite"
    with pytest.raises(ValueError, match="import needs a float32 .tflite"):
        import_weights(int8, "swat_3")
    assert main(["import", str(int8), "--as", "swat_3", "-o", str(tmp_path / "x")]) == 1
    assert "import needs a float32 .tflite" in capsys.readouterr().err
    assert main(["import", str(tmp_path / "missing.tflite"), "--as", "swat_3", "-o", str(tmp_path / "x")]) == 1
    assert main(["import", str(int8), "--as", "no_such_model", "-o", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
def test_teacher_loader_gives_the_import_at_any_size():
    teacher = load_published_mobilerrn_16(frame_size=(24, 32), batch_size=None, path=_published(MOBILERRN))
    assert teacher.inputs[0].shape.as_list() == [None, 24, 32, 6]
    imported, _ = import_weights(MOBILERRN, "mobilerrn_16")
    for a, b in zip(teacher.get_weights(), imported.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    keras.backend.clear_session()
