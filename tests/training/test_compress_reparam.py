"""Structural re-parameterization: ECB multi-branch blocks merge into single 3x3 convs with the same output."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("tf_keras")

try:
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
except RuntimeError:
    pass

from mobilevsr_rt.training.compress.reparam import ECBConv2D, merge_multibranch, to_multibranch  # noqa: E402
from mobilevsr_rt.training.models import build_model  # noqa: E402

FRAME = (16, 16)


def _inputs(model, seed=0):
    rng = np.random.default_rng(seed)
    return {t.name.split(":")[0]: rng.random((1, *t.shape[1:]), dtype=np.float32) for t in model.inputs}


def _outputs(model, x):
    out = model(x)
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]


@pytest.mark.parametrize("name", ["elsr", "swat_3"])
def test_merged_model_equals_multibranch_model(name):
    multi = to_multibranch(build_model(name, frame_size=FRAME, batch_size=1))
    ecbs = [layer for layer in multi.layers if isinstance(layer, ECBConv2D)]
    assert ecbs, "no 3x3 conv was replaced"
    rng = np.random.default_rng(1)
    for layer in ecbs:  # every branch active, as after training
        for weight in layer.weights:
            weight.assign(rng.normal(0.0, 0.1, weight.shape).astype(np.float32))
    merged = merge_multibranch(multi, build_model(name, frame_size=FRAME, batch_size=1))
    assert not any(isinstance(layer, ECBConv2D) for layer in merged.layers)
    x = _inputs(multi)
    for a, b in zip(_outputs(multi, x), _outputs(merged, x), strict=True):
        assert np.abs(a - b).max() < 1e-5


def test_single_ecb_equals_its_merged_conv_at_borders():
    """Every branch, including the bias-padded 1x1->3x3 and edge branches, matches one 3x3 conv everywhere."""
    layer = ECBConv2D(5, expand=2)
    x = tf.constant(np.random.default_rng(2).normal(size=(2, 7, 9, 3)).astype(np.float32))
    layer(x)
    rng = np.random.default_rng(3)
    for weight in layer.weights:
        weight.assign(rng.normal(0.0, 0.5, weight.shape).astype(np.float32))
    kernel, bias = layer.merged()
    plain = tf.nn.conv2d(x, kernel, 1, "SAME") + bias
    diff = np.abs(layer(x).numpy() - plain.numpy())
    assert diff.max() < 1e-5, diff.max()
    assert diff[:, 0].max() < 1e-5 and diff[:, :, -1].max() < 1e-5  # border rows/columns included


def test_multibranch_starts_as_the_original_function():
    model = build_model("elsr", frame_size=FRAME, batch_size=1)
    multi = to_multibranch(model)
    x = _inputs(model, 4)
    for a, b in zip(_outputs(model, x), _outputs(multi, x), strict=True):
        assert np.abs(a - b).max() < 1e-5
    # Trainable capacity really grows (the point of the training-time branches).
    assert multi.count_params() > 2 * model.count_params()
