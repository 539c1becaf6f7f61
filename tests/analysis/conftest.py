"""Fixtures of the model-analysis tests: the analysis package, tiny TF-built models and the public models.

The tiny models are built by ``build_analysis_models.py`` in a separate process (TensorFlow never shares a process
with the runtime under test) into pytest's cache, keyed by a hash of the builder; tests skip when TensorFlow is
missing.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

ANALYSIS_TESTS = Path(__file__).resolve().parent
REPO_ROOT = ANALYSIS_TESTS.parents[1]
PUBLIC_MODELS_DIR = REPO_ROOT / ".." / "shared" / "models"
PUBLIC_MODELS = ("mai21_diggers.tflite", "mai22_mobilerrn_16.tflite", "swrn.tflite")
BUILDER = ANALYSIS_TESTS / "build_analysis_models.py"


def _load_analysis() -> types.ModuleType:
    """``mobilevsr_rt.analysis``: the installed package if it imports, else the source tree's pure-Python
    subpackage. The source package's ``__init__`` needs the compiled core, so without it the subpackage is loaded
    under a temporary bare parent that is removed again (so other tests still see ``mobilevsr_rt`` as missing)."""
    try:
        return importlib.import_module("mobilevsr_rt.analysis")
    except ImportError:
        pass
    parent = types.ModuleType("mobilevsr_rt")
    parent.__path__ = [str(REPO_ROOT / "python" / "mobilevsr_rt")]
    saved = sys.modules.get("mobilevsr_rt")
    sys.modules["mobilevsr_rt"] = parent
    try:
        return importlib.import_module("mobilevsr_rt.analysis")
    finally:
        if saved is None:
            del sys.modules["mobilevsr_rt"]
        else:
            sys.modules["mobilevsr_rt"] = saved


@pytest.fixture(scope="session")
def analysis() -> types.ModuleType:
    """The package under test."""
    return _load_analysis()


@pytest.fixture(scope="session")
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """(directory, manifest) of the tiny models; the manifest has the LiteRT interpreter's node list per model."""
    digest = hashlib.sha256(BUILDER.read_bytes()).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    out = (Path(cache.mkdir(f"mobilevsr_analysis_models_{digest}")) if cache
           else tmp_path_factory.mktemp("analysis_models"))
    if not (out / "manifest.json").exists():
        if importlib.util.find_spec("tensorflow") is None:
            pytest.skip("tensorflow is needed to build the planted models")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        proc = subprocess.run(
            [sys.executable, str(BUILDER), str(out)], env=env, capture_output=True, text=True, timeout=600
        )
        if proc.returncode != 0:
            raise RuntimeError(f"building the analysis models failed:\n{proc.stderr[-4000:]}")
    return out, json.loads((out / "manifest.json").read_text())


@pytest.fixture(scope="session")
def model(built):
    """``model(name) -> (path, interpreter ops)`` for a built tiny model or a public model file name."""
    directory, manifest = built

    def _get(name: str) -> tuple[Path, list[dict]]:
        entry = manifest[name]
        return directory / entry["file"], entry["ops"]

    return _get


@pytest.fixture(scope="session")
def constants(built) -> dict:
    """Layer shapes the builder used for the known-shape models."""
    return built[1]["_constants"]


@pytest.fixture(params=PUBLIC_MODELS)
def public_model_path(request) -> Path:
    """Each public model in ../shared/models (skips when the shared folder is absent)."""
    path = PUBLIC_MODELS_DIR / request.param
    if not path.exists():
        pytest.skip(f"{path} not found")
    return path
