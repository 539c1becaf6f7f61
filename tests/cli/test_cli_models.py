"""Bundled model names: ``resolve_model``/``list_bundled_models`` and ``Upscaler(name)``, on a folder of real model
files."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from mobilevsr_rt import models
from mobilevsr_rt.models import default_precision, list_bundled_models, resolve_model


@pytest.fixture
def bundle(tmp_path, swrn):
    """A bundled-models folder holding the public SWRN under the bundled naming scheme, with model cards."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name in ("swat_3_fp16", "swat_3_int8", "elsr_fp16"):
        shutil.copyfile(swrn, folder / f"{name}.tflite")
        (folder / f"{name}.card.json").write_text(json.dumps({"name": name}))
    return folder


def test_list_models(bundle):
    found = list_bundled_models(bundle)
    assert [(m.name, m.precision) for m in found] == [("elsr", "fp16"), ("swat_3", "fp16"), ("swat_3", "int8")]
    assert found[2].card() == {"name": "swat_3_int8"}
    assert found[0].path == bundle / "elsr_fp16.tflite"


@pytest.mark.parametrize(("text", "accelerator", "precision", "expected"), [
    ("swat_3", "cpu", "auto", "swat_3_int8"),
    ("swat_3", "auto", "auto", "swat_3_fp16"),
    ("swat_3", "gpu", "auto", "swat_3_fp16"),
    ("swat_3.tflite", "cpu", "auto", "swat_3_int8"),
    ("swat_3", "auto", "int8", "swat_3_int8"),
    ("swat_3_fp16", "cpu", "auto", "swat_3_fp16"),
    ("swat_3_int8.tflite", "gpu", "auto", "swat_3_int8"),
    ("elsr.tflite", "cpu", "auto", "elsr_fp16"),  # int8 not bundled: the precision that is
    ("elsr", "auto", "auto", "elsr_fp16"),
])
def test_resolve_names(bundle, text, accelerator, precision, expected):
    resolved = resolve_model(text, precision=precision, accelerator=accelerator, directory=bundle)
    assert resolved == bundle / f"{expected}.tflite"


def test_default_precision():
    assert default_precision("cpu") == "int8"
    assert default_precision("gpu") == default_precision("auto") == "fp16"


def test_existing_path_wins(bundle, tmp_path, monkeypatch, swrn):
    monkeypatch.chdir(tmp_path)
    shutil.copyfile(swrn, tmp_path / "swat_3_int8.tflite")
    assert resolve_model("swat_3_int8.tflite", directory=bundle).resolve() == tmp_path / "swat_3_int8.tflite"
    assert resolve_model(swrn, directory=bundle) == swrn


@pytest.mark.parametrize(("text", "precision", "error", "message"), [
    ("nothing_like_it", "auto", FileNotFoundError, "bundled models: elsr_fp16, swat_3_fp16, swat_3_int8"),
    ("elsr", "int8", FileNotFoundError, "no bundled model 'elsr' in int8"),
    ("swat_3_fp16", "int8", ValueError, "is fp16 but precision 'int8'"),
    ("some/dir/swat_3.tflite", "auto", FileNotFoundError, "model file not found"),
    ("swat_3", "fp8", ValueError, "precision must be"),
])
def test_resolve_errors(bundle, text, precision, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        resolve_model(text, precision=precision, directory=bundle)


def test_upscaler_takes_a_bundled_name(bundle, monkeypatch, rt):
    monkeypatch.setattr(models, "MODELS_DIR", bundle)
    frame = np.full((12, 16, 3), 100, np.uint8)
    with rt.Upscaler("swat_3", accelerator="cpu", num_threads=1) as by_name:
        assert by_name.lookahead == 1  # SWRN's layout, found through the name
        by_name.process(frame)
        assert by_name.flush()[0].shape == (48, 64, 3)
    with pytest.raises(FileNotFoundError, match="bundled models"):
        rt.Upscaler("swat_9", accelerator="cpu")


def test_package_exports():
    import mobilevsr_rt

    assert mobilevsr_rt.list_bundled_models is list_bundled_models and mobilevsr_rt.resolve_model is resolve_model


def test_renamed_names_keep_working_with_a_deprecation_warning():
    """Issue 18: one meaning per name. The bundled files are list_bundled_models (the zoo's architectures are
    list_architectures); the display bicubic is pillow_bicubic_resize. The old names still resolve, with a warning."""
    import mobilevsr_rt
    import mobilevsr_rt.models as models
    from mobilevsr_rt import media

    for module, old, new in ((mobilevsr_rt, "list_models", list_bundled_models),
                             (models, "list_models", list_bundled_models),
                             (media, "bicubic_resize", media.pillow_bicubic_resize)):
        with pytest.warns(DeprecationWarning, match=f"{old} is deprecated"):
            assert getattr(module, old) is new
    with pytest.raises(AttributeError):
        _ = models.no_such_name
