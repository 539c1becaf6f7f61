"""Frames of any size: resize when the graph allows, else pad or tile (per-tile state), optionally transposed."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
from fixtures.data import lr_frames

PUBLIC_MODELS = Path(__file__).resolve().parents[2] / ".." / "shared" / "models"


def run(up, frames):
    out = [o for o in (up.process(f) for f in frames) if o is not None]
    return out + up.flush()


def open_fixture(rt, fixture_dir, manifest, name, **kwargs):
    return rt.Upscaler(fixture_dir / manifest[name]["file"], accelerator="cpu", num_threads=1, **kwargs)


@pytest.mark.parametrize("name", ["single_fp32", "single_int8"])
def test_tiles_equal_whole_frame_resize_when_overlap_covers_receptive_field(rt, fixture_dir, manifest, name):
    """The fixture's receptive field radius is 2 LR pixels; an 8-pixel overlap keeps 4 on each side: exact."""
    frames = lr_frames(3, top=40, left=100, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, name) as whole:
        want = run(whole, frames)
        assert whole.info["strategy"]["name"] == "resize"
    with open_fixture(rt, fixture_dir, manifest, name, fit="tile", tile_overlap=8, allow_transpose=False) as tiled:
        got = run(tiled, frames)
        info = tiled.info
        strategy = info["strategy"]
    assert strategy["name"] == "tile" and strategy["tiles"] > 1 and strategy["tile_size"] == [12, 16]
    assert strategy["overlap"] == 8 and info["overlap_source"] == "set"  # an explicit overlap wins
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == (160, 208, 3)
        assert np.array_equal(g, w)


# Receptive-field radius (LR pixels) of each fixture, from its builder (tests/fixtures/build_models.py, _body): a 1x1
# conv, a 3x3 conv, the 3x3 residual conv, a pixel shuffle (radius 2); the state's 3x3 conv added to the first layer
# makes it 3 for the models with state.
FIXTURE_RADIUS = {"single": 2, "chunk4": 2, "recurrent": 3, "sliding": 3, "separate_bgr": 3}
# The public models' radius, as reference_radius() below reads their op lists: MobileRRN 12 stacked 3x3 convs (plus
# a bilinear x4 of frame t: 1 LR pixel), SWRN 9 along its deepest path, the MAI 2021 Diggers 53.5 (frames folded
# into the batch, LR convs, then 3x3 convs after bilinear x2 upsamplings, each a fraction of an LR pixel).
PUBLIC_RADIUS = {"mai22_mobilerrn_16": 12, "swrn": 9, "mai21_diggers": 53.5}


def reference_radius(path: Path) -> float:
    """The receptive-field radius from the model's op list, independently of the core: a walk over the flatbuffer
    (ai_edge_litert's flatbuffer_utils) for the ops the fixtures and public models use, taking each tensor's
    resolution from its static height (the core derives it from the ops instead)."""
    from ai_edge_litert import schema_py_generated as tfl
    from ai_edge_litert.tools import flatbuffer_utils

    names = {v: k for k, v in tfl.BuiltinOperator.__dict__.items() if not k.startswith("_")}
    positionwise = {"ADD", "MUL", "MINIMUM", "MAXIMUM", "RELU", "LEAKY_RELU", "LOGISTIC", "TANH", "QUANTIZE",
                    "DEQUANTIZE", "CONCATENATION", "STRIDED_SLICE", "SPLIT", "DEPTH_TO_SPACE",
                    "RESHAPE", "TRANSPOSE"}  # the last two: Diggers' frames into the batch, positions kept
    model = flatbuffer_utils.read_model(str(path))
    graph = model.subgraphs[0]
    frame_height = min(int(graph.tensors[i].shape[1]) for i in graph.inputs)
    radius = {i: 0.0 for i in graph.inputs}  # states too: radius 0
    for op in graph.operators:
        code = model.operatorCodes[op.opcodeIndex]
        name = names[max(code.builtinCode, code.deprecatedBuiltinCode)]
        inputs = [i for i in op.inputs if i in radius]  # the rest are constants
        if not inputs:
            continue
        r = max(radius[i] for i in inputs)
        factor = int(graph.tensors[inputs[0]].shape[-3]) / frame_height  # tensor rows per LR row
        if name == "CONV_2D":
            o = op.builtinOptions
            kh, kw = (int(k) for k in graph.tensors[op.inputs[1]].shape[1:3])
            assert o.strideH == o.strideW == 1 and (o.padding == tfl.Padding.SAME or kh == kw == 1), name
            r += max((kh - 1) // 2 * o.dilationHFactor, (kw - 1) // 2 * o.dilationWFactor) / factor
        elif name == "RESIZE_BILINEAR":
            r += 1 / factor
        else:
            assert name in positionwise, name
        radius.update((o, r) for o in op.outputs)
    return max(radius[o] for o in graph.outputs if int(graph.tensors[o].shape[-3]) > frame_height)


@pytest.mark.parametrize("name", ["single_fp32", "single_int8", "chunk4_fp32", "recurrent_fp32", "recurrent_int8",
                                  "sliding_int8", "separate_bgr_int8"])
def test_fixture_receptive_field_is_computed_from_the_graph(rt, fixture_dir, manifest, name):
    contract = None if manifest[name]["auto"] else manifest[name]["contract"]
    with open_fixture(rt, fixture_dir, manifest, name, contract=contract) as up:
        info = up.info
    radius = FIXTURE_RADIUS[manifest[name]["kind"]]
    assert reference_radius(fixture_dir / manifest[name]["file"]) == radius
    assert info["receptive_field_radius"] == radius
    assert info["tile_overlap"] == 2 * radius and info["overlap_source"] == "receptive field"


@pytest.mark.parametrize("name", ["single_fp32", "single_int8"])
def test_tiles_with_the_automatic_overlap_equal_whole_frame_resize(rt, fixture_dir, manifest, name):
    """No tile_overlap: 2 x the computed radius (4 LR pixels, each tile keeps 2 of margin), and still exact."""
    frames = lr_frames(3, top=40, left=100, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, name) as whole:
        want = run(whole, frames)
    with open_fixture(rt, fixture_dir, manifest, name, fit="tile", allow_transpose=False) as tiled:
        got = run(tiled, frames)
        info = tiled.info
        strategy = info["strategy"]
    assert strategy["name"] == "tile" and strategy["grid"] == [len(split_axis(40, 12, 4)), len(split_axis(52, 16, 4))]
    assert strategy["overlap"] == 4 and info["overlap_source"] == "receptive field"
    assert info["receptive_field_radius"] == 2
    # reported once, at the top level (issue 18): the strategy is the clip's plan, not the model's properties
    assert "overlap_source" not in strategy and "receptive_field_radius" not in strategy
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)


def test_recurrent_first_frame_is_exact_with_the_automatic_overlap(rt, fixture_dir, manifest):
    """The recurrent fixture's per-frame radius is 3: with the automatic overlap of 6 its first frame (zero state)
    tiles exactly; later frames carry state across tile borders (tolerance: test_recurrent_tiles_follow_...)."""
    frames = lr_frames(2, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as whole:
        want = run(whole, frames)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", allow_transpose=False) as tiled:
        got = run(tiled, frames)
        assert tiled.info["strategy"]["overlap"] == 6
    assert np.array_equal(got[0], want[0])


def with_global_mean(source: Path, target: Path) -> None:
    """Writes ``source`` with a global-context step before its last op: x + mean over H and W of x (MEAN, ADD),
    edited with ai_edge_litert's flatbuffer_utils. Every HR pixel then depends on every LR pixel."""
    from ai_edge_litert import schema_py_generated as tfl
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(source))
    graph = model.subgraphs[0]
    last = graph.operators[-1]
    x = int(last.inputs[0])
    shape = [int(d) for d in graph.tensors[x].shape]

    def tensor(name: str, dims: list[int], dtype: int, buffer: int = 0) -> int:
        t = tfl.TensorT()
        t.name, t.shape, t.type, t.buffer = name.encode(), np.array(dims, np.int32), dtype, buffer
        graph.tensors.append(t)
        return len(graph.tensors) - 1

    def opcode(builtin: int) -> int:
        for i, c in enumerate(model.operatorCodes):
            if max(c.builtinCode, c.deprecatedBuiltinCode) == builtin:
                return i
        c = tfl.OperatorCodeT()
        c.builtinCode = c.deprecatedBuiltinCode = builtin
        c.version = 1
        model.operatorCodes.append(c)
        return len(model.operatorCodes) - 1

    def operator(builtin: int, inputs: list[int], outputs: list[int], options_type: int, options) -> tfl.OperatorT:
        op = tfl.OperatorT()
        op.opcodeIndex, op.inputs, op.outputs = opcode(builtin), inputs, outputs
        op.builtinOptionsType, op.builtinOptions = options_type, options
        return op

    axes_buffer = tfl.BufferT()
    axes_buffer.data = np.frombuffer(np.array([1, 2], np.int32).tobytes(), np.uint8)
    model.buffers.append(axes_buffer)
    axes = tensor("global/axes", [2], tfl.TensorType.INT32, len(model.buffers) - 1)
    mean = tensor("global/mean", [shape[0], 1, 1, shape[3]], tfl.TensorType.FLOAT32)
    total = tensor("global/sum", shape, tfl.TensorType.FLOAT32)
    keep_dims = tfl.ReducerOptionsT()
    keep_dims.keepDims = True
    graph.operators[-1:-1] = [
        operator(tfl.BuiltinOperator.MEAN, [x, axes], [mean], tfl.BuiltinOptions.ReducerOptions, keep_dims),
        operator(tfl.BuiltinOperator.ADD, [x, mean], [total], tfl.BuiltinOptions.AddOptions, tfl.AddOptionsT()),
    ]
    last.inputs = np.array([total, *list(last.inputs)[1:]], np.int32)
    flatbuffer_utils.write_model(model, str(target))


def test_overlap_falls_back_to_the_default_when_the_graph_mixes_all_positions(rt, fixture_dir, manifest, tmp_path):
    model = tmp_path / "single_global_mean.tflite"
    with_global_mean(fixture_dir / manifest["single_fp32"]["file"], model)
    frames = lr_frames(2, top=40, left=100, height=40, width=52)
    with rt.Upscaler(model, accelerator="cpu", num_threads=1, fit="tile", allow_transpose=False) as up:
        info = up.info
        got = run(up, frames)
        strategy = up.info["strategy"]
    reason = "MEAN (op 7) reduces over H or W (mixes all positions)"
    assert info["receptive_field_radius"] is None and info["tile_overlap"] == 16
    assert info["overlap_source"] == f"default (not computable: {reason})"
    assert strategy["overlap"] == 16
    assert [g.shape for g in got] == [(160, 208, 3)] * 2
    with rt.Upscaler(model, accelerator="cpu", num_threads=1, tile_overlap=6) as up:
        assert (up.info["tile_overlap"], up.info["overlap_source"]) == (6, "set")
        assert up.info["receptive_field_radius"] is None


@pytest.mark.parametrize("value", [-1, 2.5, True, "8"])
def test_tile_overlap_must_be_a_non_negative_int_or_none(rt, fixture_dir, manifest, value):
    with pytest.raises(ValueError, match="tile_overlap"):
        open_fixture(rt, fixture_dir, manifest, "single_fp32", tile_overlap=value)


@pytest.mark.parametrize("model", sorted(PUBLIC_RADIUS))
def test_public_models_receptive_field(rt, model):
    """The public models' radius from their graphs (no frame needed), cross-checked against their op lists."""
    path = PUBLIC_MODELS / f"{model}.tflite"
    if not path.exists():
        pytest.skip(f"{path} is not there")
    with rt.Upscaler(path, accelerator="cpu", num_threads=1) as up:
        info = up.info
    print(f"{model}: receptive field radius {info['receptive_field_radius']} LR px, "
          f"tile overlap {info['tile_overlap']} ({info['overlap_source']})")
    assert info["receptive_field_radius"] == PUBLIC_RADIUS[model] == reference_radius(path)
    assert info["tile_overlap"] == 2 * math.ceil(PUBLIC_RADIUS[model])
    assert info["overlap_source"] == "receptive field"
    with rt.Upscaler(path, accelerator="cpu", num_threads=1, tile_overlap=16) as up:
        assert (up.info["tile_overlap"], up.info["overlap_source"]) == (16, "set")


def test_small_frame_is_padded_and_cropped(rt, fixture_dir, manifest):
    """A frame smaller than the model: edge-padded; away from the padded edges it equals a resized run."""
    frames = lr_frames(2, top=50, left=60, height=9, width=10)
    with open_fixture(rt, fixture_dir, manifest, "single_fp32", fit="tile") as padded:
        got = run(padded, frames)
        assert padded.info["strategy"]["name"] == "pad"
    with open_fixture(rt, fixture_dir, manifest, "single_fp32") as whole:
        want = run(whole, frames)
    radius = 2  # receptive field of the fixture, in LR pixels
    for g, w in zip(got, want, strict=True):
        assert g.shape == (36, 40, 3)
        assert np.array_equal(g[: (9 - radius) * 4, : (10 - radius) * 4], w[: (9 - radius) * 4, : (10 - radius) * 4])


def split_axis(length: int, tile: int, overlap: int) -> list[tuple[int, int, int]]:
    """(start, keep_begin, keep_end) per tile along one axis, as documented: overlap <= tile/2, tiles evenly spread,
    cut mid-overlap."""
    if length <= tile:
        return [(0, 0, length)]
    overlap = min(overlap, tile // 2)
    count = -(-(length - tile) // (tile - overlap)) + 1
    starts = [round(i * (length - tile) / (count - 1)) for i in range(count)]
    cuts = [0] + [(starts[i] + starts[i - 1] + tile) // 2 for i in range(1, count)] + [length]
    return [(starts[i], cuts[i], cuts[i + 1]) for i in range(count)]


def test_recurrent_tiles_keep_their_own_state(rt, fixture_dir, manifest):
    """Each tile is its own clip with its own state: stitching independent per-tile runs gives the same bytes."""
    frames = lr_frames(6, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", tile_overlap=8,
                      allow_transpose=False) as tiled:
        got = run(tiled, frames)
        assert tiled.info["strategy"]["grid"] == [len(split_axis(40, 12, 8)), len(split_axis(52, 16, 8))]
    want = [np.zeros_like(g) for g in got]
    for y0, ky0, ky1 in split_axis(40, 12, 8):
        for x0, kx0, kx1 in split_axis(52, 16, 8):
            with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as one_tile:
                outputs = run(one_tile, [np.ascontiguousarray(f[y0:y0 + 12, x0:x0 + 16]) for f in frames])
            for w, o in zip(want, outputs, strict=True):
                w[ky0 * 4:ky1 * 4, kx0 * 4:kx1 * 4] = o[(ky0 - y0) * 4:(ky1 - y0) * 4, (kx0 - x0) * 4:(kx1 - x0) * 4]
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g, w)


def test_recurrent_tiles_follow_the_untiled_run(rt, fixture_dir, manifest):
    """Tiled vs untiled recurrent run. Frame 0 (zero state) is exact; then each frame's state convolutions widen the
    receptive field by ~3 pixels, so with these tiny 12x16 tiles (3-4 kept pixels of margin) the tile border reaches
    the kept region from frame 1 on. Measured mean/max |diff| per frame: (0, 0), (0.66, 16), (1.30, 19): tolerance
    for the first three frames mean < 2, max <= 32. Production tiles (the model's 180x320 with a 16+ pixel overlap)
    have far more margin."""
    frames = lr_frames(3, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as whole:
        want = run(whole, frames)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", tile_overlap=8,
                      allow_transpose=False) as tiled:
        got = run(tiled, frames)
    assert np.array_equal(got[0], want[0])
    diffs = [np.abs(g.astype(int) - w.astype(int)) for g, w in zip(got, want, strict=True)]
    report = [(round(float(d.mean()), 4), int(d.max())) for d in diffs]
    assert all(d.mean() < 2 and d.max() <= 32 for d in diffs), report


def test_landscape_frame_through_portrait_model_is_transposed_back(rt, fixture_dir, manifest):
    """16x12 frames on a 12x16 model that cannot be resized (fit='tile'): run transposed, returned upright."""
    frames = lr_frames(2, top=20, left=20, height=16, width=12)
    with open_fixture(rt, fixture_dir, manifest, "single_fp32", fit="tile") as up:
        got = run(up, frames)
        strategy = up.info["strategy"]
    assert strategy["transpose"] is True and strategy["tiles"] == 1
    with open_fixture(rt, fixture_dir, manifest, "single_fp32") as reference:
        want = [w.transpose(1, 0, 2) for w in run(reference, [np.ascontiguousarray(f.transpose(1, 0, 2))
                                                               for f in frames])]
    for g, w in zip(got, want, strict=True):
        assert g.shape == (64, 48, 3)
        assert np.array_equal(g, w)


@pytest.mark.parametrize("name", ["recurrent_fp32", "recurrent_int8", "sliding_int8", "separate_bgr_int8",
                                  "chunk4_fp32"])
def test_tiles_as_one_batch_equal_tiles_in_sequence(rt, fixture_dir, manifest, name):
    """A batch keeps each tile's window and state in its own batch slice: the bytes equal the sequential run."""
    frames = lr_frames(5, top=30, left=90, height=40, width=52)
    got, strategies = {}, {}
    contract = None if manifest[name]["auto"] else manifest[name]["contract"]
    for mode in ("on", "off"):
        with open_fixture(rt, fixture_dir, manifest, name, fit="tile", tile_overlap=8, allow_transpose=False,
                          tile_batch=mode, contract=contract) as up:
            got[mode] = run(up, frames)
            strategies[mode] = up.info["strategy"]
    assert strategies["on"]["batched"] and strategies["on"]["tiles"] > 1, strategies["on"]
    assert not strategies["off"]["batched"] and strategies["off"]["batch_choice"] == 'sequence (tile_batch="off")'
    assert len(got["on"]) == len(got["off"]) == len(frames)
    for batched, sequential in zip(got["on"], got["off"], strict=True):
        assert np.array_equal(batched, sequential)


def test_tile_batch_auto_measures_once_and_says_so(rt, fixture_dir, manifest):
    frames = lr_frames(3, top=30, left=90, height=40, width=52)
    with open_fixture(rt, fixture_dir, manifest, "recurrent_int8", fit="tile", tile_overlap=8,
                      allow_transpose=False) as up:
        first = run(up, frames)
        choice = up.info["strategy"]["batch_choice"]
        again = run(up, frames)  # same frame size: the decision is reused, same bytes
        assert up.info["strategy"]["batch_choice"] == choice
        batched = up.info["strategy"]["batched"]
    assert re.fullmatch(r"(batch|sequence): measured one batch of \d+ tiles [\d.]+ ms vs \d+ runs in sequence "
                        r"[\d.]+ ms", choice), choice
    assert batched == choice.startswith("batch")
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_native_clip_after_a_batched_clip_runs_at_batch_one(rt, fixture_dir, manifest):
    """A new clip at the model's own size after a batched tiled clip: the batch is undone, output as a fresh model."""
    frames = lr_frames(3, top=30, left=90, height=40, width=52)
    small = [np.ascontiguousarray(f[:12, :16]) for f in frames]
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32", fit="tile", tile_overlap=8, tile_batch="on",
                      allow_transpose=False) as up:
        run(up, frames)
        assert up.info["strategy"]["batched"]
        up.reset()
        after = run(up, small)
        assert up.info["strategy"]["tiles"] == 1 and not up.info["strategy"]["batched"]
        assert all(t["shape"][0] == 1 for t in up.info["inputs"])
    with open_fixture(rt, fixture_dir, manifest, "recurrent_fp32") as fresh:
        want = run(fresh, small)
    assert all(np.array_equal(a, b) for a, b in zip(after, want, strict=True))


def test_tile_batch_must_be_known(rt, fixture_dir, manifest):
    with pytest.raises(ValueError, match="tile_batch"):
        open_fixture(rt, fixture_dir, manifest, "single_fp32", tile_batch="sometimes")


def resize_frames(frames, height, width):
    from PIL import Image

    return [np.asarray(Image.fromarray(f).resize((width, height), Image.BICUBIC)) for f in frames]


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mai22_mobilerrn_16", "swrn"])
@pytest.mark.parametrize("size", [(144, 176), (540, 960), (1080, 1920)])
def test_public_models_take_any_frame_size(rt, model, size):
    """The public models cannot be resized: small frames are padded, large ones tiled; shapes are right."""
    frames = resize_frames(lr_frames(2), *size)
    with rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=2) as up:
        got = run(up, frames)
        strategy = up.info["strategy"]
    assert strategy["name"] == ("pad" if size == (144, 176) else "tile")
    assert strategy["resize_error"]
    assert strategy["batch_choice"] if strategy["tiles"] > 1 else strategy["batch_choice"] is None
    assert [g.shape for g in got] == [(size[0] * 4, size[1] * 4, 3)] * 2


@pytest.mark.slow
@pytest.mark.parametrize("model", ["mai22_mobilerrn_16", "swrn"])
def test_public_model_seam_is_invisible(rt, model):
    """Around the cut between two tiles, the tiled output equals a native run on a crop centred on the cut."""
    from PIL import Image

    source = PUBLIC_MODELS / ".." / "data" / "val_videos" / "sam2_bedroom" / "00000000.png"
    frame = np.asarray(Image.open(source).convert("RGB"))[100:420, 300:600].copy()  # real 320x300 crop
    assert frame.shape == (320, 300, 3)
    with rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=2, allow_transpose=False) as up:
        tiled = run(up, [frame])[0]
        strategy = up.info["strategy"]
    assert strategy["grid"] == [1, 2]
    cut = (0 + 120 + 180) // 2  # tiles start at 0 and 120 (evenly spread), the cut is mid-overlap
    crop_left = cut - 90
    with rt.Upscaler(PUBLIC_MODELS / f"{model}.tflite", accelerator="cpu", num_threads=2) as native:
        crop = run(native, [np.ascontiguousarray(frame[:, crop_left:crop_left + 180])])[0]
    band = 16  # LR columns each side of the cut
    got = tiled[:, (cut - band) * 4:(cut + band) * 4].astype(int)
    want = crop[:, (cut - crop_left - band) * 4:(cut - crop_left + band) * 4].astype(int)
    diff = np.abs(got - want)
    assert diff.max() <= 2, (float(diff.mean()), int(diff.max()))
