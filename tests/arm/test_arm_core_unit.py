"""The core's C++ unit tests, cross-built for aarch64 and run under qemu: once with the NEON conversion paths and once
capped to the scalar ones (MOBILEVSR_MAX_ISA=scalar), each checked against the scalar definitions with the same edge
cases as on x86 (NaN, +-inf, -0, values around every .5, unaligned starts and tails). Emulation says nothing about
speed: these check results only."""

from __future__ import annotations

import pytest
from arm_env import run_arm


@pytest.mark.parametrize("max_isa, path", [(None, "neon"), ("scalar", "scalar")])
def test_core_unit_tests_pass_on_aarch64(arm_build, qemu_root, max_isa, path):
    env = {"MOBILEVSR_MAX_ISA": max_isa} if max_isa else {}
    # --sampled: the sweep of every float below 1.0 through the rounding helper takes minutes emulated; one in 4096
    # of them is checked here (x86 runs every one).
    result = run_arm(qemu_root, [str(arm_build / "mobilevsr_core_tests"), "--sampled"], env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"pixel conversion path: {path}\n" in result.stdout
    assert " passed, 0 failed" in result.stdout
