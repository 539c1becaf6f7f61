"""The runtime (CPU) reproduces the reference loop bit for bit on the tiny fixture models, with or without contract."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fixtures.streaming import assert_frames_equal, state_pairs, stream
from reference_loop import lookahead, run_clip

THREADS = 1
AUTO_LAYOUT = {"single": "single_frame", "recurrent": "recurrent", "sliding": "sliding_recurrent",
               "chunk4": "stacked_chunk"}
MODELS = ["single_fp32", "single_int8", "recurrent_fp32", "recurrent_int8", "sliding_fp32", "sliding_int8",
          "chunk4_fp32", "separate_bgr_fp32", "separate_bgr_int8"]
CASES = [(m, mode) for m in MODELS for mode in ("auto", "embedded", "argument") if
         not (mode == "auto" and m.startswith("separate"))]


def open_upscaler(rt, name: str, mode: str, fixture_dir, manifest, contract_models):
    entry = manifest[name]
    if mode == "auto":
        return rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=THREADS)
    if mode == "embedded":
        return rt.Upscaler(str(contract_models[name]), accelerator="cpu", num_threads=THREADS)
    return rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=THREADS,
                       contract=json.dumps(entry["contract"]) if entry["int8"] else entry["contract"])


@pytest.mark.parametrize(("name", "mode"), CASES, ids=[f"{m}-{c}" for m, c in CASES])
def test_matches_reference(rt, fixture_dir, manifest, contract_models, fixture_frames, name, mode):
    entry = manifest[name]
    want = run_clip(fixture_dir / entry["file"], entry["contract"], fixture_frames, num_threads=THREADS)
    with open_upscaler(rt, name, mode, fixture_dir, manifest, contract_models) as up:
        results, flushed = stream(up, fixture_frames)
    delay = lookahead(entry["contract"])
    assert all(r is None for r in results[:delay]), "expected None while the lookahead window fills"
    assert all(r is not None for r in results[delay:]), "expected one output per call once the window is full"
    assert len(flushed) == delay
    assert_frames_equal([r for r in results if r is not None] + flushed, want)


@pytest.mark.parametrize(("name", "mode"), CASES, ids=[f"{m}-{c}" for m, c in CASES])
def test_info_describes_model(rt, fixture_dir, manifest, contract_models, name, mode):
    entry, contract = manifest[name], manifest[name]["contract"]
    with open_upscaler(rt, name, mode, fixture_dir, manifest, contract_models) as up:
        info = up.info
    assert info["accelerator"] == "cpu"
    assert info["fallback_reason"] is None
    assert info["scale"] == 4
    assert list(info["input_offsets"]) == contract["frame_inputs"]["offsets"]
    assert list(info["output_offsets"]) == contract["frame_outputs"]["offsets"]
    assert info["lookahead"] == lookahead(contract)
    assert float(info["pixel_range"]) == contract["pixel_range"]
    assert state_pairs(info) == [[s["input"], s["output"]] for s in contract.get("state", [])]
    assert info["layout"] == (AUTO_LAYOUT[entry["kind"]] if mode == "auto" else "contract")
    for got, want in ((info["inputs"], entry["inputs"]), (info["outputs"], entry["outputs"])):
        assert sorted(t["name"] for t in got) == sorted(t["name"] for t in want)
        by_name = {t["name"]: t for t in got}
        for t in want:
            g = by_name[t["name"]]
            assert list(g["shape"]) == t["shape"] and g["dtype"] == t["dtype"]
            if t["quantization"] is None:
                assert g["quantization"] is None
            else:
                assert g["quantization"]["zero_point"] == t["quantization"]["zero_point"]
                assert np.float32(g["quantization"]["scale"]) == np.float32(t["quantization"]["scale"])


@pytest.mark.parametrize("name", ["recurrent_int8", "sliding_int8", "separate_bgr_int8"])
def test_int8_state_is_requantized(rt, fixture_dir, manifest, name):
    """The INT8 recurrent fixtures have different state in/out quantization, so the requantization path runs."""
    entry = manifest[name]
    pair = entry["contract"]["state"][0]
    q_in = next(t for t in entry["inputs"] if t["name"] == pair["input"])["quantization"]
    q_out = next(t for t in entry["outputs"] if t["name"] == pair["output"])["quantization"]
    assert q_in is not None and q_out is not None and q_in != q_out
    with rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=THREADS,
                     contract=entry["contract"]) as up:
        info = up.info
    tensors = {t["name"]: t for t in info["inputs"] + info["outputs"]}
    assert tensors[pair["input"]]["quantization"] != tensors[pair["output"]]["quantization"]
    if isinstance(info["state_pairs"][0], dict) and "transfer" in info["state_pairs"][0]:
        assert info["state_pairs"][0]["transfer"] == "requantize"


def test_contract_overrides_guessed_pixel_range(rt, fixture_dir, manifest, fixture_frames):
    """A contract passed to the constructor wins over the guess (here a deliberately wrong pixel range)."""
    entry = manifest["single_fp32"]
    contract = {**entry["contract"], "pixel_range": 255.0}
    want = run_clip(fixture_dir / entry["file"], contract, fixture_frames, num_threads=THREADS)
    with rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=THREADS, contract=contract) as up:
        assert float(up.info["pixel_range"]) == 255.0
        results, flushed = stream(up, fixture_frames)
    assert_frames_equal(results + flushed, want)


def test_contract_with_positional_refs(rt, fixture_dir, manifest, fixture_frames):
    """Tensor references may be positions in the model's input/output lists instead of names."""
    entry = manifest["separate_bgr_fp32"]
    in_names = [t["name"] for t in entry["inputs"]]
    out_names = [t["name"] for t in entry["outputs"]]
    c = json.loads(json.dumps(entry["contract"]))
    c["frame_inputs"]["tensors"] = [in_names.index(n) for n in c["frame_inputs"]["tensors"]]
    c["frame_outputs"]["tensors"] = [out_names.index(n) for n in c["frame_outputs"]["tensors"]]
    c["state"] = [{"input": in_names.index(s["input"]), "output": out_names.index(s["output"])} for s in c["state"]]
    want = run_clip(fixture_dir / entry["file"], entry["contract"], fixture_frames, num_threads=THREADS)
    with rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=THREADS, contract=c) as up:
        results, flushed = stream(up, fixture_frames)
    assert_frames_equal([r for r in results if r is not None] + flushed, want)


def test_channel_order_matters(fixture_dir, manifest, fixture_frames):
    """Sanity check of the fixtures themselves: the BGR fixture's output depends on the channel order."""
    entry = manifest["separate_bgr_fp32"]
    bgr = run_clip(fixture_dir / entry["file"], entry["contract"], fixture_frames[:3])
    rgb = run_clip(fixture_dir / entry["file"], {**entry["contract"], "channel_order": "RGB"}, fixture_frames[:3])
    assert not np.array_equal(bgr[1], rgb[1])


def test_embedded_contract_round_trips(rt, manifest, contract_models):
    from mobilevsr_rt.contract import read_contract

    for name, path in contract_models.items():
        assert read_contract(path) == manifest[name]["contract"]


@pytest.mark.parametrize("name", ["single_fp32", "recurrent_fp32"])
def test_pixel_range_argument_overrides(rt, fixture_dir, manifest, fixture_frames, name):
    """pixel_range= wins over the layout family's convention (the result must follow the other range exactly)."""
    entry = manifest[name]
    other = 255.0 if entry["contract"]["pixel_range"] == 1.0 else 1.0
    want = run_clip(fixture_dir / entry["file"], {**entry["contract"], "pixel_range": other}, fixture_frames)
    with rt.Upscaler(fixture_dir / entry["file"], accelerator="cpu", num_threads=THREADS, pixel_range=other) as up:
        assert float(up.info["pixel_range"]) == other
        results, flushed = stream(up, fixture_frames)
    assert_frames_equal(results + flushed, want)


def test_embedded_contract_is_used_and_argument_wins(rt, fixture_dir, manifest, fixture_frames, tmp_path):
    """An embedded contract that differs from the layout convention is obeyed; a contract argument overrides it."""
    from mobilevsr_rt.contract import embed_contract

    entry = manifest["recurrent_int8"]
    embedded = {**entry["contract"], "pixel_range": 1.0, "channel_order": "BGR"}
    path = tmp_path / "recurrent_int8_range1_bgr.tflite"
    path.write_bytes(embed_contract(fixture_dir / entry["file"], embedded))
    with rt.Upscaler(path, accelerator="cpu", num_threads=THREADS) as up:
        got_embedded = stream(up, fixture_frames)
    with rt.Upscaler(path, accelerator="cpu", num_threads=THREADS, contract=entry["contract"]) as up:
        got_argument = stream(up, fixture_frames)
    assert_frames_equal(got_embedded[0] + got_embedded[1],
                        run_clip(fixture_dir / entry["file"], embedded, fixture_frames, num_threads=THREADS))
    assert_frames_equal(got_argument[0] + got_argument[1],
                        run_clip(fixture_dir / entry["file"], entry["contract"], fixture_frames, num_threads=THREADS))
