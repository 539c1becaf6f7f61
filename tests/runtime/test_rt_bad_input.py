"""Bad inputs raise the documented Python exceptions (never a crash)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fixtures.data import PUBLIC_MODELS, lr_frames

FRAME = np.zeros((12, 16, 3), np.uint8)


@pytest.fixture()
def single(rt, fixture_dir, manifest):
    with rt.Upscaler(fixture_dir / manifest["single_fp32"]["file"], accelerator="cpu", num_threads=1) as up:
        yield up


@pytest.mark.parametrize("frame", [
    FRAME.astype(np.float32), FRAME.astype(np.int8), FRAME.astype(np.uint16), FRAME.astype(bool),
    FRAME[..., 0], FRAME[None], FRAME.reshape(-1), np.zeros((12, 16, 1), np.uint8), np.zeros((12, 16, 2), np.uint8),
    np.zeros((12, 16, 5), np.uint8), np.zeros((0, 16, 3), np.uint8), np.zeros((12, 0, 3), np.uint8),
], ids=["float32", "int8", "uint16", "bool", "2d", "4d", "1d", "1ch", "2ch", "5ch", "empty_h", "empty_w"])
def test_bad_frame_raises_value_error(single, frame):
    with pytest.raises(ValueError):
        single.process(frame)
    assert single.process(FRAME).shape == (48, 64, 3)  # still usable afterwards


@pytest.mark.parametrize("value", [None, "frame", [[1, 2, 3]], 3])
def test_non_array_frame_raises(single, value):
    with pytest.raises((TypeError, ValueError)):
        single.process(value)


def test_frame_size_change_mid_clip(rt, fixture_dir, manifest, fixture_frames):
    with rt.Upscaler(fixture_dir / manifest["sliding_fp32"]["file"], accelerator="cpu", num_threads=1) as up:
        up.process(fixture_frames[0])
        up.process(fixture_frames[1])
        with pytest.raises(ValueError):
            up.process(np.zeros((14, 16, 3), np.uint8))
        up.reset()
        assert up.process(np.zeros((14, 16, 3), np.uint8)) is None  # lookahead 1, new size accepted


def test_missing_file(rt, tmp_path):
    with pytest.raises(FileNotFoundError):
        rt.Upscaler(tmp_path / "nope.tflite", accelerator="cpu")


@pytest.mark.parametrize("keep", [0, 7, 64, 0.5, -1])
def test_truncated_model(rt, fixture_dir, manifest, tmp_path, keep):
    data = (fixture_dir / manifest["recurrent_int8"]["file"]).read_bytes()
    n = int(len(data) * keep) if isinstance(keep, float) else (keep if keep >= 0 else len(data) + keep)
    path = tmp_path / "truncated.tflite"
    path.write_bytes(data[:n])
    with pytest.raises(ValueError):
        rt.Upscaler(path, accelerator="cpu")


def test_not_a_model(rt, tmp_path):
    path = tmp_path / "text.tflite"
    path.write_text("this is not a flatbuffer, just some text long enough to be parsed " * 10)
    with pytest.raises(ValueError):
        rt.Upscaler(path, accelerator="cpu")


def test_directory_instead_of_file(rt, tmp_path):
    with pytest.raises((ValueError, IsADirectoryError, FileNotFoundError)):
        rt.Upscaler(tmp_path, accelerator="cpu")


def test_model_matching_no_layout(rt, fixture_dir, manifest):
    with pytest.raises(ValueError):
        rt.Upscaler(fixture_dir / manifest["nolayout_fp32"]["file"], accelerator="cpu")


def test_separate_inputs_need_a_contract(rt, fixture_dir, manifest):
    with pytest.raises(ValueError):
        rt.Upscaler(fixture_dir / manifest["separate_bgr_fp32"]["file"], accelerator="cpu")


def test_bad_accelerator_and_threads(rt, fixture_dir, manifest):
    path = fixture_dir / manifest["single_fp32"]["file"]
    with pytest.raises(ValueError):
        rt.Upscaler(path, accelerator="tpu")
    with pytest.raises((ValueError, TypeError)):
        rt.Upscaler(path, accelerator="cpu", num_threads=-3)


def _edit(base: dict, **changes) -> dict:
    """A copy of the contract with fields replaced (or removed when the value is None)."""
    c = json.loads(json.dumps(base))
    for key, value in changes.items():
        if value is None:
            c.pop(key)
        else:
            c[key] = value
    return c


def _fin(b: dict, **kw) -> dict:
    return _edit(b, frame_inputs={**b["frame_inputs"], **kw})


def _fout(b: dict, **kw) -> dict:
    return _edit(b, frame_outputs={**b["frame_outputs"], **kw})


# Invalid contracts for the sliding fixture: each breaks one schema rule or one consistency rule with the model.
INVALID = {
    "version_2": lambda b: _edit(b, contract_version=2),
    "no_scale": lambda b: _edit(b, scale=None),
    "no_frame_inputs": lambda b: _edit(b, frame_inputs=None),
    "scale_0": lambda b: _edit(b, scale=0),
    "scale_string": lambda b: _edit(b, scale="4"),
    "unknown_field": lambda b: _edit(b, colour="blue"),
    "pixel_range_2": lambda b: _edit(b, pixel_range=2.0),
    "channel_order_rgba": lambda b: _edit(b, channel_order="RGBA"),
    "bad_layout": lambda b: _fin(b, layout="planar"),
    "empty_offsets": lambda b: _fin(b, offsets=[]),
    "offsets_too_far": lambda b: _fin(b, offsets=[-40, 0, 1]),
    "state_missing_key": lambda b: _edit(b, state=[{"input": b["state"][0]["input"]}]),
    "not_an_object": lambda b: [1, 2, 3],
    "json_syntax_error": lambda b: '{"contract_version": 1,',
    # valid for the schema, inconsistent with the model:
    "wrong_scale": lambda b: _edit(b, scale=2),
    "offsets_vs_channels": lambda b: _fin(b, offsets=[-1, 0]),
    "unknown_tensor": lambda b: _fin(b, tensors=["no_such_tensor:0"]),
    "index_out_of_range": lambda b: _fin(b, tensors=[7]),
    "output_offsets_not_from_0": lambda b: _fout(b, offsets=[1]),
    "output_offsets_gap": lambda b: _fout(b, offsets=[0, 2]),
    "state_unknown_output": lambda b: _edit(b, state=[{"input": b["state"][0]["input"], "output": "nope"}]),
    "state_is_frame_input": lambda b: _edit(b, state=[{"input": b["frame_inputs"]["tensors"][0],
                                                      "output": b["state"][0]["output"]}]),
    "state_missing": lambda b: _edit(b, state=[]),
}
SCHEMA_INVALID = list(INVALID)[:list(INVALID).index("wrong_scale")]


@pytest.mark.parametrize("variant", list(INVALID))
def test_invalid_contract_rejected_by_upscaler(rt, fixture_dir, manifest, variant):
    entry = manifest["sliding_fp32"]
    bad = INVALID[variant](entry["contract"])
    with pytest.raises(ValueError):
        rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", contract=bad)


@pytest.mark.parametrize("variant", SCHEMA_INVALID)
def test_invalid_contract_rejected_by_validator(rt, manifest, variant):
    bad = INVALID[variant](manifest["sliding_fp32"]["contract"])
    with pytest.raises(ValueError):
        rt.validate_contract(bad)


def test_embedded_contract_with_invalid_utf8(rt, contract_models, tmp_path):
    """A corrupted embedded contract (bytes that are not UTF-8) is a ValueError whose message names the contract."""
    data = bytearray(contract_models["separate_bgr_int8"].read_bytes())
    pos = data.index(b'"channel_order"') + 5
    data[pos] = 0xD6  # "channel_or\xd6er": not valid UTF-8
    path = tmp_path / "bad_utf8_contract.tflite"
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError) as err:
        rt.Upscaler(path, accelerator="cpu")
    assert not isinstance(err.value, UnicodeDecodeError), f"message lost in decoding: {err.value}"
    assert "contract" in str(err.value).lower()


def test_valid_contract_accepted_by_validator(rt, manifest):
    for entry in manifest.values():
        if entry["contract"] is not None:
            rt.validate_contract(entry["contract"])
            rt.validate_contract(json.dumps(entry["contract"]))


def test_embed_contract_refuses_invalid_contract(rt, fixture_dir, manifest):
    from mobilevsr_rt.contract import embed_contract

    with pytest.raises(ValueError):
        embed_contract(fixture_dir / manifest["single_fp32"]["file"], {"contract_version": 1})


@pytest.mark.parametrize("call", ["process", "flush", "reset", "info"])
def test_use_after_close(rt, fixture_dir, manifest, call):
    up = rt.Upscaler(fixture_dir / manifest["single_fp32"]["file"], accelerator="cpu")
    up.process(FRAME)
    up.close()
    up.close()  # closing twice is harmless
    with pytest.raises((RuntimeError, ValueError)):
        if call == "process":
            up.process(FRAME)
        elif call == "info":
            _ = up.info
        else:
            getattr(up, call)()


def test_use_after_context_manager(rt, fixture_dir, manifest):
    with rt.Upscaler(fixture_dir / manifest["single_fp32"]["file"], accelerator="cpu") as up:
        assert up.process(FRAME) is not None
    with pytest.raises((RuntimeError, ValueError)):
        up.process(FRAME)


@pytest.mark.parametrize("model", ["mai22_mobilerrn_16", "swrn", "mai21_diggers"])
def test_public_models_cannot_be_resized(rt, model):
    """The public models have fixed-size reshapes: with fit="resize", another frame size is a clear ValueError."""
    frame = lr_frames(1, height=64, width=96)[0]
    up = rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=1, fit="resize")
    with up, pytest.raises(ValueError) as err:
        for _ in range(10):  # the MAI 2021 model runs only once its 10-frame chunk is full
            up.process(frame)
        up.flush()
    assert "size" in str(err.value).lower() or "resize" in str(err.value).lower()
