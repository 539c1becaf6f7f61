"""The exporter's graph rewrites before INT8 conversion keep the float function and fix what int8 loses:

* channel equalization: the int8 error of a conv that reads a badly balanced tensor falls (the MobileRRN-16 failure
  in miniature: one big channel, detail channels ~100x smaller read with large weights, and a residual add on it);
* concat split: a small-range state concatenated with [0, 1] frames keeps its own int8 scale.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from ai_edge_litert.interpreter import Interpreter  # noqa: E402, I001

from mobilevsr_rt.training._keras import keras  # noqa: E402
from mobilevsr_rt.training.export.concat_split import split_concat_convs  # noqa: E402
from mobilevsr_rt.training.export.convert import convert  # noqa: E402
from mobilevsr_rt.training.export.equalize import equalize_conv_outputs  # noqa: E402

layers = keras.layers
SIZE = (16, 16)


def _unbalanced_model() -> keras.Model:
    frames = keras.Input(shape=(*SIZE, 3), batch_size=1, name="frames")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_in")(frames)
    r = layers.Conv2D(4, 3, padding="same", name="res_conv")(x)
    y = layers.Add(name="res_add")([x, r])
    hr = layers.Conv2D(3, 1, name="head")(y)
    model = keras.Model(frames, hr)
    rng = np.random.default_rng(0)
    k_in = rng.normal(0, 0.3, (3, 3, 3, 4)).astype(np.float32)
    k_in[..., 1:] *= 0.01  # detail channels ~100x below channel 0
    k_res = rng.normal(0, 0.3, (3, 3, 4, 4)).astype(np.float32)
    k_res[:, :, 1:, :] *= 100.0  # ... read with large weights
    k_res[:, :, 0, :] *= 0.01
    model.get_layer("conv_in").set_weights([k_in, np.full(4, 0.01, np.float32) * [1, 0.01, 0.01, 0.01]])
    model.get_layer("res_conv").set_weights([k_res, np.zeros(4, np.float32)])
    return model


def _samples(count: int = 8):
    rng = np.random.default_rng(1)
    return [{"frames": rng.random((1, *SIZE, 3), np.float32)} for _ in range(count)]


def _int8_error(model: keras.Model, samples) -> float:
    it = Interpreter(model_content=convert(model, "int8", lambda: samples))
    it.allocate_tensors()
    (inp,), (out,) = it.get_input_details(), it.get_output_details()
    errors = []
    for sample in samples:
        x = sample["frames"]
        it.set_tensor(inp["index"], np.clip(np.round(x / inp["quantization"][0]) + inp["quantization"][1], 0, 255)
                      .astype(inp["dtype"]))
        it.invoke()
        scale, zero = out["quantization"]
        got = (it.get_tensor(out["index"]).astype(np.float32) - zero) * scale
        errors.append(np.mean((got - np.asarray(model(x))) ** 2))
    return float(np.mean(errors))


def test_equalization_keeps_the_float_function_and_cuts_int8_error():
    model, samples = _unbalanced_model(), _samples()
    equalized, changes = equalize_conv_outputs(model, samples)
    assert [c.layer for c in changes] == ["conv_in"]
    assert changes[0].folded_into == ["res_conv"] and changes[0].unscaled_before == ["res_add"]
    assert changes[0].gains[0] == 1.0 and min(changes[0].gains[1:]) > 10
    assert any(layer.name == "conv_in_unscale_res_add" for layer in equalized.layers)
    for sample in samples:
        np.testing.assert_allclose(np.asarray(equalized(sample)), np.asarray(model(sample)), rtol=1e-4, atol=1e-5)
    # The caller's model is untouched (the exporter measures quality against it).
    assert np.abs(model.get_layer("conv_in").get_weights()[0][..., 1:]).max() < 0.05
    before, after = _int8_error(model, samples), _int8_error(equalized, samples)
    assert after < before / 4, (before, after)


def test_given_gains_repeat_the_measured_equalization():
    """QAT trains a patch-size twin of the deploy model: both must carry the same rescaling."""
    model, samples = _unbalanced_model(), _samples()
    measured, changes = equalize_conv_outputs(model, samples)
    given, again = equalize_conv_outputs(model, [], gains={c.layer: c.gains for c in changes})
    assert again == changes
    for a, b in zip(measured.get_weights(), given.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="res_conv"):  # read only by an add: nothing to fold the scale into
        equalize_conv_outputs(model, [], gains={"res_conv": [1.0] * 4})


def test_balanced_convs_are_left_alone():
    frames = keras.Input(shape=(*SIZE, 3), batch_size=1, name="frames")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="a")(frames)
    model = keras.Model(frames, layers.Conv2D(3, 1, name="b")(x))
    kernel = np.random.default_rng(3).normal(0, 0.3, (3, 3, 3, 1)).astype(np.float32)
    model.get_layer("a").set_weights([np.abs(np.repeat(kernel, 4, axis=-1)) * [1, 0.9, 0.8, 0.7],
                                      np.zeros(4, np.float32)])  # ranges within 1.5x of each other
    same, changes = equalize_conv_outputs(model, _samples(2))
    assert same is model and changes == []


def test_concat_split_gives_the_state_its_own_scale_and_still_equalizes():
    frames = keras.Input(shape=(*SIZE, 3), batch_size=1, name="frames")
    state = keras.Input(shape=(*SIZE, 4), batch_size=1, name="state_0")
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv_in")(
        layers.Concatenate(name="concat_in")([frames, state]))
    model = keras.Model([frames, state], layers.Conv2D(3, 1, name="head")(x))
    rng = np.random.default_rng(2)
    samples = [{"frames": rng.random((1, *SIZE, 3), np.float32),
                "state_0": 0.1 * rng.random((1, *SIZE, 4), np.float32)} for _ in range(6)]
    split, names = split_concat_convs(model)
    assert names == ["conv_in"]
    assert not any(isinstance(layer, layers.Concatenate) for layer in split.layers)
    for sample in samples:
        np.testing.assert_allclose(np.asarray(split(sample)), np.asarray(model(sample)), rtol=1e-4, atol=1e-5)
    scales = {d["name"]: d["quantization"][0]
              for d in Interpreter(model_content=convert(split, "int8", lambda: samples)).get_input_details()}
    state_scale = next(v for k, v in scales.items() if "state" in k)
    assert state_scale < 0.5 / 255  # its own ~0.1/255, not the frames' 1/255
    # The ReLU of the per-part sum is still a tensor equalization can rescale (through every part's conv).
    weights = model.get_layer("conv_in").get_weights()
    weights[0][..., 1:] *= 0.01
    model.get_layer("conv_in").set_weights(weights)
    split, _ = split_concat_convs(model)
    equalized, changes = equalize_conv_outputs(split, samples)
    assert [c.layer for c in changes] == ["conv_in"] and changes[0].folded_into == ["head"]
    for sample in samples:
        np.testing.assert_allclose(np.asarray(equalized(sample)), np.asarray(model(sample)), rtol=1e-4, atol=1e-6)
