"""Model zoo: tensor conventions, parameter counts, MAC counting, tiny real-data training, TFLite conversion.

Everything is built at 16x16 LR frames to stay fast on a shared 2-core machine. The conversion test is marked
``slow`` for every model except the three trained ones: ``pytest -m "not slow"`` skips those (~1 min instead of
~3.5 min on 2 cores).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("tf_keras")

try:  # Keep TensorFlow polite on the shared CI machine; fails harmlessly if TF already started.
    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
except RuntimeError:
    pass

from mobilevsr_rt.training._keras import keras  # noqa: E402
from mobilevsr_rt.training.models import (  # noqa: E402
    build_model,
    count_macs,
    count_params,
    describe_model,
    format_zoo_table,
    get_layout,
    list_architectures,
    register,
)

SET5 = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "train_images" / "Set5"
FRAME = (16, 16)
TRAINED = ["elsr", "swat_3", "mobilerrn_16"]

# Product-table parameter counts of the SWAT configurations (each config must be within +-10%).
SWAT_TARGETS = {
    "swat_0": 50_624, "swat_1": 33_984, "swat_2": 25_664, "swat_3": 25_664, "swat_3_1": 24_160,
    "swat_3_2": 26_016, "swat_4": 53_696, "swat_5": 25_664, "swat_6": 21_056,
    "swat_3_v1": 25_664, "swat_3_nearest": 25_664,
}
# Sizes reported by the papers (the mobile re-implementations may deviate a little: +-10%).
PAPER_PARAMS = {"rlfn": 543_000, "rlfn_s": 317_000, "vapsr": 342_000}

# Ops the TFLite GPU delegate and XNNPACK both run natively; the zoo must convert to nothing else.
GPU_OPS = {
    "ADD", "MUL", "SUB", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "PRELU", "RELU",
    "MINIMUM", "MAXIMUM", "RELU_0_TO_1", "LOGISTIC", "MEAN", "SQUARED_DIFFERENCE", "RSQRT", "STRIDED_SLICE",
    "MAX_POOL_2D", "AVERAGE_POOL_2D", "RESIZE_BILINEAR",
}


def conv_params(c_in: int, c_out: int, k: int = 3) -> int:
    return k * k * c_in * c_out + c_out


def random_inputs(model: keras.Model, batch: int, seed: int = 0) -> list[np.ndarray]:
    """Inputs deliberately outside [0, 1] too, so the output clip is exercised."""
    rng = np.random.default_rng(seed)
    return [rng.uniform(-1.0, 2.0, (batch, *t.shape[1:])).astype(np.float32) for t in model.inputs]


@pytest.mark.parametrize("name", list_architectures())
def test_model_follows_conventions(name: str) -> None:
    layout = get_layout(name)
    model = build_model(name, FRAME, batch_size=2)
    h, w = FRAME
    assert model.input_names == ["frames"] + [f"state_{i}" for i in range(len(layout.state_channels))]
    assert model.output_names == ["hr"] + [f"state_{i}_out" for i in range(len(layout.state_channels))]
    assert tuple(model.inputs[0].shape) == (2, h, w, 3 * len(layout.offsets))
    assert tuple(model.outputs[0].shape) == (2, 4 * h, 4 * w, 3)
    for i, channels in enumerate(layout.state_channels):
        assert tuple(model.inputs[1 + i].shape) == (2, h, w, channels)
        assert tuple(model.outputs[1 + i].shape) == (2, h, w, channels)
    assert model.__class__.__module__.startswith("tf_keras")

    outputs = model(random_inputs(model, 2), training=False)
    outputs = outputs if isinstance(outputs, list) else [outputs]
    hr = outputs[0].numpy()
    assert hr.min() >= 0.0 and hr.max() <= 1.0
    assert hr.std() > 0.0  # not a constant: the clip must not swallow everything
    for state in outputs[1:]:
        assert np.isfinite(state.numpy()).all()
    # Every state input must reach the HR output (a state the graph ignores would silently break recurrence).
    for i in range(len(layout.state_channels)):
        inputs = random_inputs(model, 2)
        changed = [x.copy() for x in inputs]
        changed[1 + i] = changed[1 + i] + 1.0
        before, after = model(inputs)[0].numpy(), model(changed)[0].numpy()
        assert np.abs(before - after).max() > 0.0, f"state_{i} does not influence hr"

    # Weights must not depend on the frame size (the exporter rebuilds at the deploy size and copies them).
    other = build_model(name, (20, 24), batch_size=1)
    assert [tuple(v.shape) for v in other.weights] == [tuple(v.shape) for v in model.weights]
    other.set_weights(model.get_weights())
    keras.backend.clear_session()


def test_elsr_and_abpn_parameter_counts_match_their_architecture() -> None:
    # ELSR: 3->6, residual block (6->6, PReLU with 6 alphas, 6->6), 6->48.
    elsr = conv_params(3, 6) + conv_params(6, 6) + 6 + conv_params(6, 6) + conv_params(6, 48)
    assert count_params(build_model("elsr", FRAME)) == elsr
    assert abs(elsr - 3_500) / 3_500 < 0.10
    # ABPN: 3->28, four 28->28, 28->48.
    abpn = conv_params(3, 28) + 4 * conv_params(28, 28) + conv_params(28, 48)
    assert count_params(build_model("abpn", FRAME)) == abpn


@pytest.mark.parametrize("channels", [16, 32, 64])
def test_mobilerrn_parameter_count_matches_its_architecture(channels: int) -> None:
    c = channels  # the anchor (bilinear x4 of frame t, as in the published MAI 2022 model) has no weights
    expected = conv_params(6 + c, c) + 5 * 2 * conv_params(c, c) + conv_params(c, 48) + conv_params(c, c)
    assert count_params(build_model(f"mobilerrn_{channels}", FRAME)) == expected


def test_swrn_parameter_count_matches_the_published_network() -> None:
    # Per branch: [2 frames + 16 state] -> 16, three 16->16, the state conv 16->16; fusion 32->16, three 16->16,
    # 16->48. 43,472 = the released swrn.tflite's weights (`mobilevsr-rt info`: 43,473 counts its clip constant).
    branch = conv_params(22, 16) + 3 * conv_params(16, 16) + conv_params(16, 16)
    expected = 2 * branch + conv_params(32, 16) + 3 * conv_params(16, 16) + conv_params(16, 48)
    assert count_params(build_model("swrn", FRAME)) == expected == 43_472
    assert get_layout("swrn").state_channels == (32,)


@pytest.mark.parametrize("name", sorted(SWAT_TARGETS))
def test_swat_parameter_counts_within_10_percent_of_the_product_table(name: str) -> None:
    params = count_params(build_model(name, FRAME))
    target = SWAT_TARGETS[name]
    assert abs(params - target) <= 0.10 * target, f"{name}: {params} vs {target}"
    assert get_layout(name).offsets == (-1, 0, 1)


def _anchor_model(anchor: str) -> keras.Model:
    from mobilevsr_rt.training.models.blocks import ANCHORS, DepthToSpace

    rgb = keras.Input((None, None, 3))
    return keras.Model(rgb, DepthToSpace(4)(ANCHORS[anchor](rgb, 4)))


def test_bicubic_anchor_is_the_matlab_bicubic_upscale_borders_included() -> None:
    from PIL import Image

    from mobilevsr_rt.training.data.bicubic import imresize, matlab_downscale

    if not SET5.is_dir():
        pytest.skip(f"shared data not found at {SET5}")
    lr = matlab_downscale(np.asarray(Image.open(sorted(SET5.glob("*.png"))[0]).convert("RGB")))[:37, :50]
    lr = lr.astype(np.float64) / 255.0
    expected = imresize(lr, output_shape=(4 * lr.shape[0], 4 * lr.shape[1]), scale=4.0)
    got = _anchor_model("bicubic")(lr[None].astype(np.float32))[0].numpy()
    assert np.abs(got - expected).max() < 1e-5
    # The kernel is trainable: it is a weight of the model, initialised to bicubic, not a constant.
    assert _anchor_model("bicubic").count_params() == 5 * 5 * 48


def test_nearest_anchor_is_nearest_neighbour_upscaling() -> None:
    rgb = np.random.default_rng(1).random((1, 5, 7, 3)).astype(np.float32)
    got = _anchor_model("nearest")(rgb)[0].numpy()
    assert np.array_equal(got, np.repeat(np.repeat(rgb[0], 4, axis=0), 4, axis=1))


def test_swat_3_adds_its_residual_to_a_bicubic_anchor() -> None:
    names = {layer.name for layer in build_model("swat_3", FRAME).layers}
    assert "anchor_bicubic" in names
    assert "anchor_bicubic" not in {layer.name for layer in build_model("swat_3_nearest", FRAME).layers}
    assert count_params(build_model("swat_3", FRAME)) - count_params(build_model("swat_3_nearest", FRAME)) == 1200


def test_swat_6_drops_the_hidden_convs_only() -> None:
    full = build_model("swat_3", FRAME)
    no_hidden = build_model("swat_6", FRAME)
    names_full = {layer.name for layer in full.layers}
    names_6 = {layer.name for layer in no_hidden.layers}
    assert {"hidden_fwd", "hidden_bwd"} <= names_full
    assert not {"hidden_fwd", "hidden_bwd"} & names_6
    hidden = sum(full.get_layer(n).count_params() for n in ("hidden_fwd", "hidden_bwd", "hidden_fwd_act",
                                                             "hidden_bwd_act"))
    assert count_params(full) - count_params(no_hidden) == hidden


# Issue 13's fast swat_3 configuration (builder overrides): MobileRRN-style residual blocks and input conv at C=16.
SWAT_R16 = {"block": "residual", "channels": 16, "head": "fused"}


@pytest.mark.parametrize("anchor", ["bicubic", "bilinear"])
def test_swat_residual_fused_head_overrides_build_the_dense_16_channel_network(anchor: str) -> None:
    model = build_model("swat_3", FRAME, **SWAT_R16, anchor=anchor)
    names = {layer.name for layer in model.layers}
    assert {"concat_in", "conv_in", "block4_conv2", "block4_add"} <= names
    assert not {"hidden_fwd", "hidden_bwd", "fuse", "block1_head", "block1_vab_attn_mul"} & names
    assert not any(isinstance(layer, keras.layers.Multiply) for layer in model.layers)
    anchor_params = 3 * 9 + 5 * 5 * 48 if anchor == "bicubic" else 0
    expected = (conv_params(9 + 2 * 12, 16) + 4 * 2 * conv_params(16, 16) + 16 * 48 + 9 * 48 + 48 + anchor_params
                + 2 * conv_params(16, 12, 1))
    assert count_params(model) == expected  # 26,211 (bicubic) / 24,984 (bilinear): swat_3's 25,664 +-10%
    assert abs(expected - SWAT_TARGETS["swat_3"]) <= 0.10 * SWAT_TARGETS["swat_3"]
    assert ("anchor_bicubic" in names) == (anchor == "bicubic")


def test_swat_rejects_unknown_block_head_and_anchor_names() -> None:
    for bad in ({"block": "dense"}, {"head": "single"}, {"anchor": "lanczos"}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            build_model("swat_3", FRAME, **bad)


@pytest.mark.parametrize("name", sorted(PAPER_PARAMS))
def test_paper_models_have_about_the_published_size(name: str) -> None:
    params = count_params(build_model(name, FRAME))
    assert abs(params - PAPER_PARAMS[name]) <= 0.10 * PAPER_PARAMS[name], params


def test_swat_3_is_cheap_enough_at_180x320() -> None:
    info = describe_model("swat_3", (180, 320))
    assert info["macs"] <= 1.5e9, info["macs"]


def test_count_macs_on_a_hand_computed_model() -> None:
    layers = keras.layers
    x_in = keras.Input((10, 12, 3))
    x = layers.Conv2D(8, 3, padding="same")(x_in)  # 10*12 * 3*3*3 * 8 = 25,920
    x = layers.ReLU()(x)  # 0
    x = layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2)(x)  # out 4x5: 4*5 * 3*3 * 8*2 = 2,880
    x = layers.Dense(4)(x)  # 4*5 positions * 16 * 4 = 1,280
    shared = layers.Conv2D(4, 1)
    x = layers.Add()([shared(x), shared(x)])  # two calls of 4*5 * 4 * 4 = 320
    model = keras.Model(x_in, x)
    assert count_macs(model) == 25_920 + 2_880 + 1_280 + 2 * 320

    # ELSR by hand, per LR pixel: 3->6, 6->6, 6->6, 6->48 3x3 convs.
    h, w = 12, 20
    elsr = build_model("elsr", (h, w))
    assert count_macs(elsr) == h * w * 9 * (3 * 6 + 6 * 6 + 6 * 6 + 6 * 48)


def test_describe_model_and_zoo_table() -> None:
    info = describe_model("elsr", FRAME)
    assert set(info) == {"name", "paper", "params", "macs", "layout"}
    assert info["params"] == count_params(build_model("elsr", FRAME))
    assert info["macs"] == 16 * 16 * 9 * (3 * 6 + 6 * 6 + 6 * 6 + 6 * 48)
    assert info["layout"] == {"offsets": (0,), "state_channels": (), "scale": 4, "pixel_range": 1.0}
    assert "ELSR" in info["paper"]

    table = format_zoo_table(FRAME, names=["elsr", "mobilerrn_16"])
    rows = {line.split()[0]: line.split() for line in table.splitlines()[3:]}
    assert rows["elsr"][1] == f"{info['params']:,}"
    assert float(rows["elsr"][2]) == pytest.approx(info["macs"] / 1e9, abs=1e-3)
    assert rows["mobilerrn_16"][3:5] == ["-1,0", "16"]


def test_save_and_load_round_trip_with_custom_layers(tmp_path: Path) -> None:
    model = build_model("swat_3", FRAME)  # uses ChannelSlice and DepthToSpace
    path = tmp_path / "swat_3.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    inputs = [np.clip(x, 0.0, 1.0) for x in random_inputs(model, 1)]
    for want, got in zip(model(inputs), loaded(inputs), strict=True):
        np.testing.assert_array_equal(want.numpy(), got.numpy())


def test_swat_2_differs_from_swat_3_only_by_the_channel_shuffle() -> None:
    swat_2, swat_3 = build_model("swat_2", FRAME), build_model("swat_3", FRAME)
    assert count_params(swat_2) == count_params(swat_3)
    assert "block1_merge" in {layer.name for layer in swat_2.layers}
    assert "block1_shuffle" in {layer.name for layer in swat_3.layers}


def test_registry_rejects_duplicates_unknown_names_and_layout_breaking_overrides() -> None:
    with pytest.raises(ValueError):
        register("elsr", paper="again")(lambda **kw: None)
    with pytest.raises(KeyError):
        build_model("no_such_model")
    with pytest.raises(ValueError):
        build_model("mobilerrn_16", FRAME, channels=32)  # would no longer match the registered layout
    assert count_params(build_model("elsr", FRAME, channels=8)) > count_params(build_model("elsr", FRAME))


def _set5_clips(frames: int, size: int = 64, shift: int = 2) -> np.ndarray:
    """Short synthetic-motion clips [N, T, size, size, 3] in [0, 1] cut from the real Set5 images."""
    from PIL import Image

    clips = []
    for path in sorted(SET5.glob("*.png"))[:4]:
        img = Image.open(path).convert("RGB")
        img = img.resize((img.width // 2, img.height // 2), Image.BICUBIC)
        arr = np.asarray(img, dtype=np.float32) / 255.0
        y0, x0 = (arr.shape[0] - size - shift * frames) // 2, (arr.shape[1] - size - shift * frames) // 2
        clips.append([arr[y0 + shift * t:y0 + shift * t + size, x0 + shift * t:x0 + shift * t + size]
                      for t in range(frames)])
    return np.asarray(clips, dtype=np.float32)


def _downscale(hr: np.ndarray) -> np.ndarray:
    n, t, h, w, c = hr.shape
    lr = tf.image.resize(hr.reshape(n * t, h, w, c), (h // 4, w // 4), method="bicubic", antialias=True)
    return np.clip(lr.numpy(), 0.0, 1.0).reshape(n, t, h // 4, w // 4, c)


@pytest.mark.parametrize("name", TRAINED)
def test_training_on_real_frames_lowers_the_loss(name: str) -> None:
    if not SET5.is_dir():
        pytest.skip(f"shared data missing: {SET5}")
    keras.utils.set_random_seed(0)
    layout = get_layout(name)
    steps_in_time = 2  # unroll two runs so gradients also flow through the recurrent state
    first = -min(layout.offsets)
    hr = _set5_clips(first + steps_in_time + max(layout.offsets))
    lr = _downscale(hr)
    model = build_model(name, FRAME)
    optimizer = keras.optimizers.Adam(2e-3)

    def loss_fn() -> tf.Tensor:
        states = [tf.zeros((lr.shape[0], *FRAME, c)) for c in layout.state_channels]
        loss = 0.0
        for step in range(steps_in_time):
            t = first + step
            frames = tf.concat([lr[:, t + o] for o in layout.offsets], axis=-1)
            outputs = model([frames, *states] if states else frames, training=True)
            outputs = outputs if isinstance(outputs, list) else [outputs]
            states = outputs[1:]
            loss += tf.reduce_mean(tf.abs(outputs[0] - hr[:, t]))
        return loss / steps_in_time

    initial = float(loss_fn())
    for _ in range(8):
        with tf.GradientTape() as tape:
            loss = loss_fn()
        grads = tape.gradient(loss, model.trainable_variables)
        assert all(g is not None for g in grads), "some weights get no gradient"
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
    final = float(loss_fn())
    assert np.isfinite(final)
    print(f"{name}: L1 {initial:.4f} -> {final:.4f}")
    assert final < 0.95 * initial, (initial, final)


def _conversion_params() -> list:
    # test_export's fp32 case converts every architecture too (builtin GPU ops, runtime within 1 level of Keras);
    # this tighter float check of the rest of the zoo is exhaustive.
    return [pytest.param(n, marks=() if n in TRAINED else [pytest.mark.slow, pytest.mark.exhaustive])
            for n in list_architectures()]


@pytest.mark.parametrize("name", _conversion_params())
def test_converts_to_builtin_gpu_ops_and_matches_keras(name: str) -> None:
    interpreter_mod = pytest.importorskip("ai_edge_litert.interpreter")
    model = build_model(name, FRAME, batch_size=1)
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    flatbuffer = converter.convert()

    interpreter = interpreter_mod.Interpreter(model_content=flatbuffer)
    ops = {d["op_name"] for d in interpreter._get_ops_details()}
    assert ops <= GPU_OPS, ops - GPU_OPS
    assert all(len(d["shape"]) <= 4 for d in interpreter.get_tensor_details())

    inputs = [np.clip(x, 0.0, 1.0) for x in random_inputs(model, 1, seed=1)]
    expected = model(inputs, training=False)
    expected = expected if isinstance(expected, list) else [expected]
    runner = interpreter.get_signature_runner()
    got = runner(**dict(zip(model.input_names, inputs, strict=True)))
    for out_name, want in zip(model.output_names, expected, strict=True):
        np.testing.assert_allclose(got[out_name], want.numpy(), atol=2e-4)

    analysis = pytest.importorskip("mobilevsr_rt.analysis")
    assert analysis.check_gpu_compatibility(flatbuffer) == []
    keras.backend.clear_session()


def test_list_models_is_a_deprecated_alias_of_list_architectures() -> None:
    import mobilevsr_rt.training.models as zoo
    from mobilevsr_rt.training.models import registry

    for module in (zoo, registry):
        with pytest.warns(DeprecationWarning, match="list_models is deprecated: use .*list_architectures"):
            assert module.list_models is list_architectures
