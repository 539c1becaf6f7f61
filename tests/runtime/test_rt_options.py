"""The options object (issue 18): the Python face binds the core's UpscalerOptions field by field, checks values with
the core's one Validate() (tests/android checks Java gets the same texts), and takes each mode as its enum or as the
name earlier releases used."""

from __future__ import annotations

import math

import numpy as np
import pytest

MISSING = "/nonexistent/model.tflite"


@pytest.mark.parametrize(("option", "value", "message"), [
    ("num_threads", 0, "num_threads must be at least 1 (unset: the cores this process may use), got 0"),
    ("num_threads", -2, "num_threads must be at least 1 (unset: the cores this process may use), got -2"),
    ("tile_overlap", -1, "tile_overlap must be at least 0 (unset: automatic), got -1"),
    ("pixel_range", 2.0, "pixel_range must be 1.0 or 255.0 (unset: the contract's), got 2"),
    ("pixel_range", math.nan, "pixel_range must be 1.0 or 255.0 (unset: the contract's), got nan"),
    ("fit", "stretch", 'fit must be "auto", "resize" or "tile", not "stretch"'),
    ("tile_batch", "sometimes", 'tile_batch must be "auto", "on" or "off", not "sometimes"'),
    ("accelerator", "tpu", 'accelerator must be "auto", "gpu" or "cpu", not "tpu"'),
    ("num_threads", True, "num_threads must be an int or None, got True"),
    ("fit", 3, "fit must be a Fit or the name of one, got 3"),
])
def test_bad_options_are_refused_before_the_model_is_looked_up(rt, option, value, message):
    """The core's text, whatever the model: a bad option is reported as such even when the file is missing."""
    with pytest.raises(ValueError) as caught:
        rt.Upscaler(MISSING, **{option: value})
    assert str(caught.value) == message


def test_compile_check_uses_the_same_checks(rt):
    from mobilevsr_rt.upscaler import compile_check

    with pytest.raises(ValueError, match=r"^num_threads must be at least 1 \(unset"):
        compile_check(MISSING, accelerator="cpu", num_threads=0)


def test_modes_are_enums_named_as_the_core_names_them(rt):
    assert [str(m) for m in rt.Accelerator.__members__.values()] == ["auto", "gpu", "cpu"]
    assert [str(m) for m in rt.Fit.__members__.values()] == ["auto", "resize", "tile"]
    assert [str(m) for m in rt.TileBatch.__members__.values()] == ["auto", "on", "off"]
    assert list(rt.TileBatch.__members__) == ["AUTO", "ON", "OFF"]


def test_enum_and_name_drive_the_core_alike(rt, fixture_dir, manifest):
    """fit/tile_batch/accelerator as enums or as the strings of earlier releases: the same tiling and frames."""
    from fixtures.data import lr_frames

    model = fixture_dir / manifest["recurrent_fp32"]["file"]
    frames = lr_frames(2, top=40, left=100, height=30, width=40)
    results = []
    for modes in ({"accelerator": "cpu", "fit": "tile", "tile_batch": "off"},
                  {"accelerator": rt.Accelerator.CPU, "fit": rt.Fit.TILE, "tile_batch": rt.TileBatch.OFF}):
        with rt.Upscaler(model, num_threads=1, tile_overlap=4, allow_transpose=False, **modes) as up:
            out = [up.process(f) for f in frames] + up.flush()
            results.append(([o for o in out if o is not None], up.info["strategy"]))
    (strings, strategy), (enums, enum_strategy) = results
    assert strategy == enum_strategy
    assert strategy["name"] == "tile" and strategy["tiles"] > 1 and not strategy["transpose"]
    assert strategy["batch_choice"] == 'sequence (tile_batch="off")' and strategy["overlap"] == 4
    assert all(np.array_equal(a, b) for a, b in zip(strings, enums, strict=True))
