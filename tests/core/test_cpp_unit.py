"""Builds and runs the core's C++ unit tests (cpp/tests/*_test.cc, one file per unit on the harness testutil.h, one
binary): JSON, schema, contracts, layout detection, options, pixel conversion, tile planning, the receptive-field walk,
the profile report and native output capture, without Python in between."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def unit_test_binary(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.skip("cmake is not installed")
    build = tmp_path_factory.mktemp("core_build")
    subprocess.run([cmake, "-S", str(ROOT / "cpp"), "-B", str(build), "-DMOBILEVSR_BUILD_TESTS=ON",
                    "-DCMAKE_BUILD_TYPE=Release"], check=True, capture_output=True)
    subprocess.run([cmake, "--build", str(build), "--target", "mobilevsr_core_tests", "-j2"], check=True,
                   capture_output=True)
    return build / "mobilevsr_core_tests"


@pytest.mark.parametrize("max_isa", [None, "avx2", "scalar"])
def test_core_unit_tests_pass(unit_test_binary: Path, max_isa: str | None) -> None:
    """Once per vector path the machine has (MOBILEVSR_MAX_ISA caps the widest one): each must give the scalar
    definition's bytes."""
    env = {k: v for k, v in os.environ.items() if k != "MOBILEVSR_MAX_ISA"}
    if max_isa is not None:
        env["MOBILEVSR_MAX_ISA"] = max_isa
    result = subprocess.run([str(unit_test_binary)], capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed, 0 failed" in result.stdout
