"""Export: every zoo model in fp32/fp16/int8 at a tiny frame size loads and runs in ``mobilevsr_rt.Upscaler`` with
its embedded contract and passes the static GPU check; int8 recurrent exports carry distinct state in/out
quantization and stream close to the float model through the runtime's requantization; undeployable graphs are
refused; the model card and ``--max-drop-db``.

Every model is built at 16x16 LR with random weights (formats, not quality, are tested). Every architecture exports
as fp32; int8 runs for elsr, swat_3, mobilerrn_16 and one architecture per other block family (``INT8_FAMILIES``);
the rest, and fp16 beyond those three (it only casts the fp32 graph's weights), is ``exhaustive``:
``MOBILEVSR_EXHAUSTIVE=1`` runs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("tf_keras")
mobilevsr_rt = pytest.importorskip("mobilevsr_rt")

try:  # Keep TensorFlow polite on the shared machine; harmless if TF already started.
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
except RuntimeError:
    pass

from reference_loop import run_clip  # noqa: E402

from mobilevsr_rt.analysis import analyze_model, check_gpu_compatibility  # noqa: E402
from mobilevsr_rt.contract import read_contract  # noqa: E402
from mobilevsr_rt.training import metrics  # noqa: E402
from mobilevsr_rt.training._keras import keras  # noqa: E402
from mobilevsr_rt.training.export.calibration import DEFAULT_CALIBRATION_ROOT, lr_clips  # noqa: E402
from mobilevsr_rt.training.export.checks import ExportError  # noqa: E402
from mobilevsr_rt.training.export.exporter import CalibrationOptions, export_keras  # noqa: E402
from mobilevsr_rt.training.models import TemporalLayout, build_model, get_layout, list_architectures  # noqa: E402
from mobilevsr_rt.training.models.blocks import conv, upsample_and_clip  # noqa: E402
from mobilevsr_rt.training.train.streaming import KerasUpscaler  # noqa: E402

FRAME = (16, 16)
FAST = ("elsr", "swat_3", "mobilerrn_16")
PRECISIONS = ("fp32", "fp16", "int8")
# Worst per-pixel error (0..255) of the runtime against the float Keras model, random weights, 16x16 LR.
MAX_ABS_DIFF = {"fp32": 1, "fp16": 4}
SMALL_CALIBRATION = CalibrationOptions(clips=2, frames=3)
# Same size, but its frames reach pixel 255 (seed 3): the int8 frames tensor then gets exactly the pinned 1/255 scale
# and the int8-I/O export has no pixel requantization left (see test_swat_3_int8_io_gives_the_uint8_io_outputs_...).
FULL_RANGE_CALIBRATION = CalibrationOptions(clips=2, frames=3, seed=3)


def _stream(upscaler, frames: list[np.ndarray]) -> list[np.ndarray]:
    upscaler.reset()
    out = [o for o in (upscaler.process(f) for f in frames) if o is not None]
    return out + list(upscaler.flush())


@pytest.fixture(scope="module")
def real_lr_clip() -> list[np.ndarray]:
    """Five real consecutive LR frames (16x16) from a training clip."""
    if not DEFAULT_CALIBRATION_ROOT.is_dir():
        pytest.skip(f"shared data not found at {DEFAULT_CALIBRATION_ROOT}")
    return lr_clips(DEFAULT_CALIBRATION_ROOT, FRAME, clips=1, frames=5, seed=3)[0]


# INT8 of one architecture per block family beyond FAST (abpn; rlfn_s for rlfn; vapsr_lite for vapsr and
# vapsr_bsconv; swrn; swat_3_nearest for the other anchor); the size and depth variants of a family (swat_0..6,
# swat_3_*, mobilerrn_32/64, rlfn, vapsr*) quantize the same blocks and are exhaustive (CI's time budget).
INT8_FAMILIES = ("abpn", "rlfn_s", "vapsr_lite", "swrn", "swat_3_nearest")


def _matrix():
    for name in list_architectures():
        for precision in PRECISIONS:
            marks = [] if name in FAST else [pytest.mark.slow]
            if precision == "fp16" and name not in FAST:
                # fp16 only casts the weights of the fp32 graph every architecture already exports below.
                marks.append(pytest.mark.exhaustive)
            if precision == "int8" and name not in FAST + INT8_FAMILIES:
                marks.append(pytest.mark.exhaustive)
            yield pytest.param(name, precision, marks=marks, id=f"{name}-{precision}")


@pytest.mark.parametrize(("name", "precision"), list(_matrix()))
def test_zoo_model_exports_and_runs_with_embedded_contract(name, precision, tmp_path, real_lr_clip):
    keras.utils.set_random_seed(0)
    model = build_model(name, frame_size=FRAME, batch_size=1)
    layout = get_layout(name)
    path = tmp_path / f"{name}.tflite"
    result = export_keras(model, name, precision, output=path, calibration=SMALL_CALIBRATION, quality=False,
                          gpu_compile=False, verbose=False)

    stats = analyze_model(path)
    assert not stats["flex_ops"] and not stats["custom_ops"] and not stats["dynamic_dims"]
    assert check_gpu_compatibility(path) == []
    contract = read_contract(path)
    assert contract == result.contract
    assert contract["frame_inputs"]["offsets"] == list(layout.offsets)
    assert len(contract["state"]) == len(layout.state_channels)
    names = {t["name"] for t in stats["inputs"] + stats["outputs"]}
    assert set(contract["frame_inputs"]["tensors"] + contract["frame_outputs"]["tensors"]) <= names
    card = json.loads(result.card_file.read_text())
    assert card["precision"] == precision and card["size_bytes"] == path.stat().st_size
    if precision == "int8":  # int8 I/O by default: frames, HR and states
        assert card["io_type"] == "int8"
        assert all(t["dtype"] == "int8" for t in stats["inputs"] + stats["outputs"])
    if precision == "fp16":
        assert card["tensor_precision"] in ("float16", "fp16", "mixed", "float16 weights"), card["tensor_precision"]

    with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=2) as up:  # no contract argument
        assert up.info["contract"]["name"] == name
        got = _stream(up, real_lr_clip)
    want = _stream(KerasUpscaler(model, layout), real_lr_clip)
    assert len(got) == len(real_lr_clip)
    for out, ref in zip(got, want, strict=True):
        assert out.shape == (FRAME[0] * 4, FRAME[1] * 4, 3) and out.dtype == np.uint8
        if precision in MAX_ABS_DIFF:
            diff = np.abs(out.astype(int) - ref.astype(int))
            assert diff.max() <= MAX_ABS_DIFF[precision], (name, precision, diff.max())
    if precision == "int8":
        # Random weights give noisy outputs that int8 follows only roughly (~20-40 dB), so the check is relative:
        # each output must match the float output of ITS frame far better than the float output of another frame
        # (what a swapped state/frame tensor or a wrong scale would produce).
        match = np.mean([metrics.psnr(o, w) for o, w in zip(got, want, strict=True)])
        other = np.mean([metrics.psnr(o, want[(i + 2) % len(want)]) for i, o in enumerate(got)])
        assert match > 17.0 and match > other + 5.0, (name, match, other)
    keras.backend.clear_session()


def test_int8_recurrent_state_quantization_differs_and_runtime_requantizes(tmp_path, real_lr_clip):
    keras.utils.set_random_seed(1)
    name = "mobilerrn_16"
    model = build_model(name, frame_size=FRAME, batch_size=1)
    path = tmp_path / "mobilerrn_16_int8.tflite"
    result = export_keras(model, name, "int8", output=path, calibration=CalibrationOptions(clips=3, frames=6),
                          quality=False, gpu_compile=False, verbose=False)
    (pair,) = result.card["state_quantization"]
    # The state input shares the scale of the concatenation it feeds (frames + state), the output is calibrated on
    # the ReLU states the float model really produces: here they differ, so the runtime must requantize.
    assert (pair["input"]["scale"], pair["input"]["zero_point"]) != (pair["output"]["scale"],
                                                                     pair["output"]["zero_point"]), pair
    with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=2) as up:
        (transfer,) = up.info["state_pairs"]
        assert transfer["transfer"] == "requantize", transfer
        got = _stream(up, real_lr_clip)
    want = _stream(KerasUpscaler(model, get_layout(name)), real_lr_clip)
    # The state chain runs 5 steps through requantization; every output stays close to the float model.
    scores = [metrics.psnr(o, w, y_channel=True) for o, w in zip(got, want, strict=True)]
    assert min(scores) > 30.0, scores


def test_int8_frame_input_keeps_pixel_scale_despite_state_concat(tmp_path):
    """swat_3 concatenates frame slices with its states; the frames input must still be quantized 1/255 (zero point
    -128: int8 I/O stores the pixel p as p XOR 0x80)."""
    model = build_model("swat_3", frame_size=FRAME, batch_size=1)
    result = export_keras(model, "swat_3", "int8", calibration=SMALL_CALIBRATION, quality=False, gpu_compile=False,
                          verbose=False)
    assert result.card["frame_requant_points"] == 2
    frames = next(t for t in analyze_model(result.model)["inputs"] if "frames" in t["name"])
    assert frames["dtype"] == "int8"
    assert frames["quantization"]["scale"] == [float(np.float32(1 / 255))]
    assert frames["quantization"]["zero_point"] == [-128]


# ELSR keeps the paper's PReLU (one 6-channel op at LR); its HR clip must still be cheap.
SLOW_INT8_OPS = {"swat_3": {"RELU", "PRELU", "MEAN", "RSQRT", "SQUARED_DIFFERENCE", "RELU_0_TO_1"},
                 "elsr": {"RELU", "RELU_0_TO_1", "MAXIMUM"}}


@pytest.mark.parametrize("name", sorted(SLOW_INT8_OPS))
def test_int8_product_graphs_keep_every_activation_fused(name):
    """The speed fix of the product models, kept: no standalone RELU/PRELU and no LayerNorm ops in INT8.

    XNNPACK runs neither a standalone int8 RELU nor PRELU nor the LayerNorm lowering (MEAN/RSQRT...); such ops fall
    back to reference kernels (the HR clip's RELU alone cost 9.5 of SWAT_3's 33 ms at 180x320). The clip must lower
    to a fused activation plus a MINIMUM against 1.0, which int8 saturation makes the identity: the export drops it
    (XNNPACK does not run an int8 MINIMUM either).
    """
    model = build_model(name, frame_size=FRAME, batch_size=1)
    result = export_keras(model, name, "int8", calibration=SMALL_CALIBRATION, quality=False, gpu_compile=False,
                          verbose=False)
    ops = analyze_model(result.model)["ops"]  # op name -> count
    assert "MINIMUM" not in ops, ops
    assert not SLOW_INT8_OPS[name] & set(ops), ops


@pytest.fixture(scope="module")
def swat_3_int8_exports(tmp_path_factory, real_lr_clip):
    """The same random-weight swat_3 exported in INT8 with int8 and with uint8 inputs/outputs."""
    keras.utils.set_random_seed(4)
    model = build_model("swat_3", frame_size=FRAME, batch_size=1)
    out = tmp_path_factory.mktemp("swat_3_int8")
    paths = {io: export_keras(model, "swat_3", "int8", output=out / f"swat_3_int8_{io}io.tflite", io_type=io,
                              calibration=FULL_RANGE_CALIBRATION, quality=False, gpu_compile=False, verbose=False).path
             for io in ("int8", "uint8")}
    keras.backend.clear_session()
    return paths


def _ops_outside_xnnpack(path: Path, frames: list[np.ndarray]) -> tuple[list[str], set[str]]:
    with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=1, profile=True) as up:
        _stream(up, frames)
        profile = up.profile()
    return [op["name"] for op in profile if op["kind"] == "tflite"], {op["partition"] for op in profile}


def test_swat_3_int8_runs_whole_in_xnnpack(swat_3_int8_exports, real_lr_clip):
    """Structural guard for SWAT_3 INT8 speed: with int8 I/O every op runs in one XNNPACK partition (LiteRT's
    profiler says where every op ran). A 16-input CONCATENATION (the anchor) once cost 7 % of the model's time on
    TFLite's reference kernels, the uint8<->int8 QUANTIZE of each input/output up to ~15 %, the HR clip's MINIMUM
    ~0.5 %."""
    outside, partitions = _ops_outside_xnnpack(swat_3_int8_exports["int8"], real_lr_clip[:3])
    assert outside == [] and partitions == {"XNNPACK #1"}, (outside, partitions)
    # The uint8-I/O option keeps exactly one QUANTIZE per input and output outside XNNPACK, nothing else.
    outside, _ = _ops_outside_xnnpack(swat_3_int8_exports["uint8"], real_lr_clip[:3])
    assert sorted(outside) == ["QUANTIZE"] * 6, outside


def test_swat_3_int8_io_gives_the_uint8_io_outputs_bit_for_bit(swat_3_int8_exports, real_lr_clip):
    """int8 I/O changes where pixels are converted, not what the model computes: the same outputs through the
    runtime, which equal the TFLite Interpreter reference loop on the int8-I/O file.

    That holds when the pixel I/O QUANTIZEs only shift the zero point (calibration reached pixel 255 and an HR of
    1.0, as real exports do). A requantization left at the I/O runs in TFLite's kernel in the uint8 file but in
    XNNPACK in the int8 file, and XNNPACK's int8 requantization rounds 12 of 256 inputs one level off (1/255 ->
    0.882/255): the outputs then differ (max 4 levels) although both files hold the same graph and constants."""
    ops = analyze_model(swat_3_int8_exports["int8"].read_bytes())["ops"]
    assert "QUANTIZE" not in ops, f"calibration did not reach the full pixel range: a requantization stays ({ops})"
    got = {}
    for io, path in swat_3_int8_exports.items():
        with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=2) as up:
            got[io] = _stream(up, real_lr_clip)
            if io == "int8":
                assert up.info["strategy"]["hr_output"] == "in_place"  # LiteRT writes the frame, then XOR 0x80
    want = run_clip(swat_3_int8_exports["int8"], read_contract(swat_3_int8_exports["int8"]), real_lr_clip)
    for a, b, c in zip(got["int8"], got["uint8"], want, strict=True):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(a, b)


def _tiny_recurrent_model() -> keras.Model:
    """frames + a 4-channel state -> hr, state_0_out at 16x16, whose INT8 export takes every data-driven path: states
    calibrated by unrolling the float model, a frame/state concat (requant point), conv_in equalized (its last four
    channels ~30x below the first four)."""
    keras.utils.set_random_seed(5)
    frames = keras.Input(shape=(*FRAME, 3), batch_size=1, name="frames")
    state = keras.Input(shape=(*FRAME, 4), batch_size=1, name="state_0")
    x = conv(keras.layers.Concatenate(name="concat_in")([frames, state]), 8, activation="relu", name="conv_in")
    new_state = conv(x, 4, activation="relu", name="state_0_out")
    model = keras.Model([frames, state], [upsample_and_clip(conv(x, 48, name="conv_out"), 4), new_state])
    kernel, bias = model.get_layer("conv_in").get_weights()
    kernel[..., 4:] *= 0.03
    model.get_layer("conv_in").set_weights([kernel, bias])
    return model


def test_int8_export_is_byte_for_byte_reproducible():
    """The same model and calibration data give the same .tflite, byte for byte (calibration clips, equalization
    gains, converter calibration)."""
    model = _tiny_recurrent_model()
    layout = TemporalLayout(offsets=(0,), state_channels=(4,))
    runs = [export_keras(model, "tiny_recurrent", "int8", layout=layout, calibration=SMALL_CALIBRATION,
                         quality=False, gpu_compile=False, verbose=False) for _ in range(2)]
    assert [e["layer"] for e in runs[0].card["equalized_convs"]] == ["conv_in"]
    assert runs[0].card["frame_requant_points"] == 1
    assert runs[0].model == runs[1].model
    keras.backend.clear_session()


def test_refuses_flex_op(tmp_path):
    frames = keras.Input(shape=(*FRAME, 3), batch_size=1, name="frames")
    x = keras.layers.Conv2D(48, 3, padding="same")(frames)
    x = keras.layers.Lambda(lambda t: tf.raw_ops.Cumprod(x=t, axis=tf.constant(1)))(x)
    hr = keras.layers.ReLU(max_value=1.0, name="hr")(tf.nn.depth_to_space(x, 4))
    model = keras.Model(frames, hr)
    with pytest.raises(ExportError, match="Flex.*Cumprod"):
        export_keras(model, "elsr", "fp32", output=tmp_path / "flex.tflite", quality=False, gpu_compile=False,
                     verbose=False)
    assert not (tmp_path / "flex.tflite").exists()


def test_refuses_dynamic_dimension(tmp_path):
    model = build_model("elsr", frame_size=FRAME, batch_size=None)  # batch dimension left dynamic
    with pytest.raises(ExportError, match="dynamic"):
        export_keras(model, "elsr", "fp32", quality=False, gpu_compile=False, verbose=False)


@pytest.mark.gpu
def test_model_card_quality_gpu_compile_and_max_drop(tmp_path):
    keras.utils.set_random_seed(2)
    model = build_model("elsr", frame_size=FRAME, batch_size=1)
    path = tmp_path / "elsr.tflite"
    result = export_keras(model, "elsr", "fp32", output=path, val_frames=2, verbose=False)
    card = json.loads((tmp_path / "elsr.card.json").read_text())
    assert card["gpu"]["compile"]["compiled"] and card["gpu"]["compile"]["fully_accelerated"], card["gpu"]
    quality = card["quality"]
    assert quality["clips"] >= 1 and quality["frames_per_clip"] == 2
    # fp32 through the runtime matches the float model to rounding: no measurable loss.
    assert abs(quality["drop_db"]) < 0.05 and quality["psnr_y_vs_float"] > 50.0, quality
    assert np.isfinite(quality["psnr_y"]) and 0.0 < quality["ssim_y"] <= 1.0
    assert result.card["quality"]["psnr_y"] == quality["psnr_y"]
    with pytest.raises(ExportError, match="max-drop-db"):  # any real drop (>= 0 up to rounding) exceeds -1 dB
        export_keras(model, "elsr", "fp32", output=tmp_path / "again.tflite", val_frames=1, gpu_compile=False,
                     max_drop_db=-1.0, verbose=False)
    assert not (tmp_path / "again.tflite").exists()
    assert "max-drop-db" in json.loads((tmp_path / "again.card.json").read_text())["rejected"]


def test_cli_export_writes_model_and_card(tmp_path, capsys):
    cli = pytest.importorskip("mobilevsr_rt.training.cli")
    if "export" not in cli.COMMANDS:
        pytest.skip("training/cli.py has no export command registered")
    out = tmp_path / "cli.tflite"
    code = cli.main(["export", "elsr", "--precision", "fp16", "--frame-size", "16x16", "-o", str(out),
                     "--no-gpu-compile", "--val-frames", "1"])
    assert code == 0
    card = json.loads((tmp_path / "cli.card.json").read_text())
    assert card["precision"] == "fp16" and card["frame_size"] == [16, 16] and "quality" in card
    assert "elsr [fp16]" in capsys.readouterr().out
    assert read_contract(out)["name"] == "elsr"


def test_cli_rejects_bad_frame_size():
    from mobilevsr_rt.training.export.command import parse_frame_size

    assert parse_frame_size("180x320") == (180, 320)
    with pytest.raises(Exception, match="HxW"):
        parse_frame_size("180-320")
    assert Path(DEFAULT_CALIBRATION_ROOT).name == "train_videos"


def test_source_from_run_directory_rebuilds_at_deploy_size_with_trained_weights(tmp_path):
    from mobilevsr_rt.training.export.source import load_source

    trained = build_model("swat_3", frame_size=(24, 24))  # training patch size, dynamic batch
    for weight in trained.weights:
        weight.assign(np.random.default_rng(7).normal(size=weight.shape).astype(np.float32))
    run = tmp_path / "run"
    tf.train.Checkpoint(model=trained).save(str(run / "checkpoints" / "ckpt"))
    (run / "run.json").write_text(json.dumps({"model": "swat_3", "model_overrides": {}}))
    source = load_source(run)
    assert source.name == "swat_3" and source.trained and "ckpt" in source.checkpoint
    deployed = source.build(FRAME, batch_size=1)
    assert deployed.inputs[0].shape == (1, *FRAME, 9)
    for a, b in zip(deployed.get_weights(), trained.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(FileNotFoundError, match="neither"):
        load_source(tmp_path / "nothing_here")
