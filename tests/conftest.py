"""Shared pytest fixtures: paths to the shared data/models, real LR frames, and the tiny fixture models.

The fixture .tflite files are built by ``tests/fixtures/build_models.py`` in a separate process (TensorFlow never
shares a process with the runtime under test) into pytest's cache directory, keyed by a hash of the builder, so they
are rebuilt only when the builder changes. Nothing built is committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

TESTS_DIR = Path(__file__).resolve().parent
BUILDER = TESTS_DIR / "fixtures" / "build_models.py"

if str(TESTS_DIR) not in sys.path:  # lets test modules import reference_loop and the fixtures package
    sys.path.insert(0, str(TESTS_DIR))

from fixtures.data import lr_frames  # noqa: E402

# Cases whose code path a default case already runs (another precision or architecture of the same exporter), kept
# for a full local run: CI's 35-minute budget cannot hold every combination.
EXHAUSTIVE = os.environ.get("MOBILEVSR_EXHAUSTIVE") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "gpu: needs a Vulkan driver (SwiftShader), run in subprocesses")
    config.addinivalue_line("markers", "slow: takes more than a few seconds (public full-size models)")
    config.addinivalue_line("markers", "exhaustive: a default case covers its path; MOBILEVSR_EXHAUSTIVE=1 runs it")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if EXHAUSTIVE:
        return
    skip = pytest.mark.skip(reason="a default case covers this path; MOBILEVSR_EXHAUSTIVE=1 runs it")
    for item in items:
        if "exhaustive" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def fixture_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Directory holding the built fixture models and their manifest.json."""
    digest = hashlib.sha256(BUILDER.read_bytes()).hexdigest()[:16]
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    out = Path(cache.mkdir(f"mobilevsr_fixture_models_{digest}")) if cache else tmp_path_factory.mktemp("fixtures")
    if not (out / "manifest.json").exists():
        pytest.importorskip("tensorflow")
        staging = Path(tempfile.mkdtemp(prefix="building_", dir=out))  # manifest appears only when complete
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        proc = subprocess.run([sys.executable, str(BUILDER), str(staging)], check=False, env=env, capture_output=True,
                              text=True, timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"building fixture models failed:\n{proc.stderr[-4000:]}")
        for f in sorted(staging.iterdir(), key=lambda f: f.name == "manifest.json"):  # the manifest last
            f.replace(out / f.name)
        staging.rmdir()
    return out


@pytest.fixture(scope="session")
def manifest(fixture_dir: Path) -> dict:
    """name -> {file, kind, int8, auto, contract, inputs, outputs, lr_size} for every fixture model."""
    return json.loads((fixture_dir / "manifest.json").read_text())


@pytest.fixture(scope="session")
def rt():
    """The runtime under test (tests skip while it is not installed)."""
    return pytest.importorskip("mobilevsr_rt")


@pytest.fixture(scope="session")
def contract_models(fixture_dir: Path, manifest: dict, rt) -> dict[str, Path]:
    """name -> path of the fixture with its contract embedded by mobilevsr_rt.contract.embed_contract."""
    from mobilevsr_rt.contract import embed_contract

    paths = {}
    for name, entry in manifest.items():
        if entry["contract"] is None:
            continue
        path = fixture_dir / f"{name}.contract.tflite"
        if not path.exists():
            path.write_bytes(embed_contract(fixture_dir / entry["file"], entry["contract"]))
        paths[name] = path
    return paths


@pytest.fixture(scope="session")
def fixture_frames() -> list[np.ndarray]:
    """8 real LR frames cropped to the fixtures' 12x16 size, from a textured part of the demo clip."""
    return lr_frames(8, top=80, left=150, height=12, width=16)
