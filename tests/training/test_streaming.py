"""Streaming semantics (docs/model-contract.md) in training (unroll) and evaluation (KerasUpscaler), checked with
tiny Keras models whose outputs reveal which frames and which state they saw."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from mobilevsr_rt.training._keras import keras  # noqa: E402
from mobilevsr_rt.training.models import TemporalLayout  # noqa: E402
from mobilevsr_rt.training.train.streaming import (  # noqa: E402
    KerasUpscaler,
    to_pixels,
    unroll,
    window_indices,
)

H, W = 4, 5


def _probe_model(offsets: tuple[int, ...], pick: int) -> keras.Model:
    """hr = nearest x4 upsampling of (0.5 * frame at offsets[pick] + 0.1 * state); state_out = state + frame t.

    With frames in [0, 1] and T <= 4 the output stays inside [0, 1], so it is exactly predictable.
    """
    layers = keras.layers
    frames = keras.Input((H, W, 3 * len(offsets)), name="frames")
    state = keras.Input((H, W, 3), name="state_0")
    t0 = offsets.index(0)
    current = layers.Lambda(lambda x: x[..., 3 * t0: 3 * t0 + 3])(frames)
    picked = layers.Lambda(lambda x: x[..., 3 * pick: 3 * pick + 3])(frames)
    mix = layers.Add()([layers.Rescaling(0.5)(picked), layers.Rescaling(0.1)(state)])
    hr = layers.UpSampling2D(4, name="hr")(mix)
    new_state = layers.Add(name="state_0_out")([state, current])
    return keras.Model({"frames": frames, "state_0": state}, [hr, new_state])


def _expected(lr: np.ndarray, offsets: tuple[int, ...], pick: int) -> np.ndarray:
    """The same computation written out with the contract's window and state rules (numpy)."""
    length = lr.shape[0]
    state = np.zeros_like(lr[0])
    out = []
    for t in range(length):
        picked = lr[min(max(t + offsets[pick], 0), length - 1)]
        out.append(np.repeat(np.repeat(0.5 * picked + 0.1 * state, 4, 0), 4, 1))
        state = state + lr[t]
    return np.stack(out)


def test_window_indices_replicate_edges():
    assert window_indices(0, 5, (-1, 0, 1)) == [0, 0, 1]
    assert window_indices(4, 5, (-1, 0, 1)) == [3, 4, 4]
    assert window_indices(2, 5, (-2, 0, 2)) == [0, 2, 4]
    assert window_indices(0, 1, (-1, 0, 1)) == [0, 0, 0]


@pytest.mark.parametrize(("offsets", "pick"), [((-1, 0), 0), ((-1, 0, 1), 2), ((-1, 0, 1), 0)])
def test_unroll_reads_window_and_carries_state(offsets, pick):
    rng = np.random.default_rng(0)
    lr = rng.uniform(0, 1, size=(2, 4, H, W, 3)).astype(np.float32)
    model = _probe_model(offsets, pick)
    layout = TemporalLayout(offsets=offsets, state_channels=(3,))
    got = unroll(model, layout, tf.constant(lr)).numpy()
    assert got.shape == (2, 4, 4 * H, 4 * W, 3)
    for b in range(2):
        np.testing.assert_allclose(got[b], _expected(lr[b], offsets, pick), atol=1e-6)


def test_unroll_backpropagates_through_time():
    model = _probe_model((-1, 0), 0)
    lr = tf.Variable(np.random.default_rng(1).uniform(0, 1, (1, 3, H, W, 3)).astype(np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(unroll(model, TemporalLayout((-1, 0), (3,)), lr)[:, 2])
    grad = tape.gradient(loss, lr).numpy()
    # output 2 reads frame 1 directly and frames 0, 1 through the state: all non-zero; frame 2 only via the
    # state output of step 2, which no loss term uses
    assert np.all(grad[0, 0] != 0) and np.all(grad[0, 1] != 0) and np.all(grad[0, 2] == 0)


@pytest.mark.parametrize(("offsets", "pick"), [((-1, 0, 1), 2), ((-1, 0), 0)])
def test_keras_upscaler_matches_unroll(offsets, pick):
    rng = np.random.default_rng(2)
    frames = [rng.integers(0, 256, (H, W, 3), dtype=np.uint8) for _ in range(4)]
    model = _probe_model(offsets, pick)
    layout = TemporalLayout(offsets=offsets, state_channels=(3,))
    up = KerasUpscaler(model, layout)
    for _ in range(2):  # the second pass checks reset()
        up.reset()
        outputs = [up.process(f) for f in frames]
        lookahead = max(0, max(offsets))
        assert all(o is None for o in outputs[:lookahead])
        streamed = [o for o in outputs if o is not None] + up.flush()
        assert len(streamed) == len(frames)
        lr = np.stack(frames).astype(np.float32) / np.float32(255.0)
        want = to_pixels(unroll(model, layout, tf.constant(lr[None]))[0].numpy())
        np.testing.assert_array_equal(np.stack(streamed), want)


def test_to_pixels_rounds_half_away_from_zero():
    values = np.array([0.5 / 255, 1.5 / 255, -0.1, 1.2, 254.5 / 255], np.float32)
    assert to_pixels(values).tolist() == [1, 2, 0, 255, 255]


def test_to_pixels_is_the_runtimes_rounding_at_ties():
    """Issue 18: floor(x + 0.5) turned 0.49999997 into 1; the runtime (and its reference loop, checked bit for bit
    against it in tests/runtime) gives 0. Every float32 within 3 ulps of every tie, both pixel ranges."""
    from reference_loop import output_to_pixels

    assert to_pixels(np.array([0.49999997], np.float32), 255.0).tolist() == [0]
    assert to_pixels(np.array([0.5, 1.5, 2.5, 254.49998, 254.5], np.float32), 255.0).tolist() == [1, 2, 3, 254, 255]
    specials = np.array([np.nan, np.inf, -np.inf, -0.5, 300.0], np.float32)
    assert to_pixels(specials, 255.0).tolist() == [0, 255, 0, 0, 255]
    ties = np.arange(-1, 257, dtype=np.float32) + np.float32(0.5)
    near = [ties]
    for direction in (np.float32(-np.inf), np.float32(np.inf)):
        step = ties
        for _ in range(3):
            step = np.nextafter(step, direction)
            near.append(step)
    scaled = np.concatenate(near)
    float32 = {"dtype": np.float32, "quantization": (0.0, 0)}
    for pixel_range in (1.0, 255.0):
        values = scaled / np.float32(255.0 / pixel_range)
        np.testing.assert_array_equal(to_pixels(values, pixel_range), output_to_pixels(values, float32, pixel_range))
