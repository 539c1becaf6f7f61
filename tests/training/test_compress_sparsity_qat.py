"""Pruning, clustering (stripped to plain zoo models) and QAT ending in a fully integer graph that the runtime runs."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("tf_keras")
pytest.importorskip("tensorflow_model_optimization")
mobilevsr_rt = pytest.importorskip("mobilevsr_rt")

try:
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
except RuntimeError:
    pass

from mobilevsr_rt.analysis import analyze_model, check_gpu_compatibility  # noqa: E402
from mobilevsr_rt.training import metrics  # noqa: E402
from mobilevsr_rt.training._keras import keras  # noqa: E402
from mobilevsr_rt.training.compress.finetune import TrainData, finetune  # noqa: E402
from mobilevsr_rt.training.compress.qat import RangeFreeze, calibrate_ranges, quantize_for_training  # noqa: E402
from mobilevsr_rt.training.compress.sparsity import cluster, kernel_sparsity, prune, strip  # noqa: E402
from mobilevsr_rt.training.export.calibration import DEFAULT_CALIBRATION_ROOT, lr_clips  # noqa: E402
from mobilevsr_rt.training.export.exporter import CalibrationOptions, export_keras  # noqa: E402
from mobilevsr_rt.training.export.frame_isolation import isolate_frame_concats  # noqa: E402
from mobilevsr_rt.training.models import build_model, get_layout  # noqa: E402
from mobilevsr_rt.training.train.losses import get_loss  # noqa: E402
from mobilevsr_rt.training.train.streaming import KerasUpscaler, unroll  # noqa: E402

FRAME = (16, 16)


@pytest.fixture(scope="module")
def data() -> TrainData:
    if not DEFAULT_CALIBRATION_ROOT.is_dir():
        pytest.skip("shared training clips not found")
    return TrainData(DEFAULT_CALIBRATION_ROOT, patch=16, frames=1, batch=2)  # T=1 keeps the traced graph small


def _conv_kernels(model):
    return [layer.get_weights()[0] for layer in model.layers if type(layer).__name__ in ("Conv2D", "DepthwiseConv2D")]


def test_pruning_reaches_target_sparsity_and_strips(data):
    model = build_model("elsr", frame_size=FRAME)
    wrapped = prune(model, 0.5, 0, 3)
    finetune(wrapped, get_layout("elsr"), data, steps=4, learning_rate=1e-4, log_every=0)
    plain = strip(wrapped, build_model("elsr", frame_size=FRAME))
    assert abs(kernel_sparsity(plain) - 0.5) < 0.01
    assert kernel_sparsity(model) < 0.01
    assert {type(layer).__name__ for layer in plain.layers}.isdisjoint({"PruneLowMagnitude"})


def test_clustering_limits_distinct_kernel_values(data):
    model = build_model("elsr", frame_size=FRAME)
    wrapped = cluster(model, 8)
    finetune(wrapped, get_layout("elsr"), data, steps=2, learning_rate=1e-4, log_every=0)
    plain = strip(wrapped, build_model("elsr", frame_size=FRAME))
    assert all(len(np.unique(k)) <= 8 for k in _conv_kernels(plain))
    assert any(len(np.unique(k)) > 8 for k in _conv_kernels(model))


@pytest.mark.parametrize("name", [
    "elsr",  # PReLU + DepthToSpace configs, quick
    pytest.param("swat_3", marks=pytest.mark.slow),  # + Multiply, ChannelSlice, UnitClip, recurrent (~1 min)
])
def test_qat_exports_fully_integer_and_runs(tmp_path, data, name):
    tf.keras.utils.set_random_seed(0)  # fixed initial weights: the 28 dB bound below is then a fixed, repeatable check
    layout = get_layout(name)
    float_model = build_model(name, frame_size=FRAME, batch_size=1)
    qat = quantize_for_training(isolate_frame_concats(float_model)[0])
    assert qat.output_names == float_model.output_names
    finetune(qat, layout, data, steps=1, learning_rate=1e-4, log_every=0)  # sets the fake-quant ranges
    path = tmp_path / f"{name}_qat.tflite"
    export_keras(qat, name, "int8", output=path, calibration=CalibrationOptions(clips=2, frames=3),
                 quality=False, gpu_compile=False, verbose=False)
    stats = analyze_model(path)
    assert not stats["flex_ops"] and check_gpu_compatibility(path) == []
    assert "DEQUANTIZE" not in stats["ops"]  # no float island: every op runs on integers
    assert all(t["dtype"] == "int8" for t in stats["inputs"] + stats["outputs"])  # int8 I/O, the default
    frames_in = next(t for t in stats["inputs"] if "frames" in t["name"])
    assert frames_in["quantization"]["scale"] == [float(np.float32(1 / 255))]
    clip = lr_clips(DEFAULT_CALIBRATION_ROOT, FRAME, clips=1, frames=4, seed=5)[0]
    with mobilevsr_rt.Upscaler(str(path), accelerator="cpu", num_threads=2) as up:
        got = [o for o in (up.process(f) for f in clip) if o is not None] + up.flush()
    # Float weights of the QAT model (its fake-quant removed) are the reference.
    reference = KerasUpscaler(qat, layout)
    want = [o for o in (reference.process(f) for f in clip) if o is not None] + reference.flush()
    assert min(metrics.psnr(a, b, y_channel=True) for a, b in zip(got, want, strict=True)) > 28.0


def _range(qat, layer: str) -> list[float]:
    return sorted(float(v.numpy().min()) for v in qat.get_layer(layer).weights
                  if v.name.split("/")[-1].startswith(("post_activation_m", "output_m")))


def test_calibrated_qat_ranges_are_the_float_ranges_and_can_be_held(data):
    """tfmot starts every range at [-6, 6] (moved 0.1% per training call): calibrate_ranges sets the float model's
    min/max instead, RangeFreeze keeps them through training, and a teacher makes the float output the target."""
    tf.keras.utils.set_random_seed(0)
    layout = get_layout("mobilerrn_16")
    plain = build_model("mobilerrn_16", frame_size=FRAME, batch_size=None)
    float_model = isolate_frame_concats(plain)[0]  # what QAT wraps (its layers are plain's, called again)
    qat = quantize_for_training(float_model)
    assert _range(qat, "quant_res1_add") == [-6.0, 6.0]
    clip = lr_clips(DEFAULT_CALIBRATION_ROOT, FRAME, clips=1, frames=2, seed=1)[0]
    samples = [{"frames": np.concatenate([f, f], axis=-1)[None].astype(np.float32) / 255,
                "state_0": np.zeros((1, *FRAME, 16), np.float32)} for f in clip]
    ranges = calibrate_ranges(qat, float_model, samples)
    probe = keras.Model(plain.inputs, plain.get_layer("res1_add").output)
    outs = np.concatenate([np.asarray(probe(s)) for s in samples])
    assert ranges["quant_res1_add"] == pytest.approx([min(outs.min(), 0), max(outs.max(), 0)])
    assert _range(qat, "quant_res1_add") == pytest.approx(ranges["quant_res1_add"])
    held = RangeFreeze(qat)
    qat(samples[0], training=True)  # a training call moves every range by tfmot's moving average ...
    assert _range(qat, "quant_res1_add") != pytest.approx(ranges["quant_res1_add"])
    held.restore()  # ... restore() puts it back
    assert _range(qat, "quant_res1_add") == pytest.approx(ranges["quant_res1_add"])
    distilled = finetune(qat, layout, data, steps=1, learning_rate=1e-5, log_every=0, after_step=held.restore,
                         teacher=float_model)
    assert _range(qat, "quant_res1_add") == pytest.approx(ranges["quant_res1_add"])
    lr, hr = data.sampler(layout.scale).sample(0)  # the first training sample, against its HR frames instead
    against_hr = float(tf.reduce_mean(get_loss("charbonnier")(unroll(qat, layout, tf.constant(lr[None])),
                                                               tf.constant(hr[None]))))
    assert distilled["first_loss"] < against_hr / 3, (distilled, against_hr)  # its own float output is near
