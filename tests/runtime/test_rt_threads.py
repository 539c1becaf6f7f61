"""Default CPU threads (issue 16): every face runs on the cores this process may use (its affinity mask, as
``os.sched_getaffinity`` counts them) rather than XNNPACK's single thread, and reports the count it used."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from mobilevsr_rt.models import list_bundled_models

ALLOWED = len(os.sched_getaffinity(0))
pytestmark = pytest.mark.skipif(not any(m.name == "elsr" for m in list_bundled_models()), reason="bundled elsr missing")


def test_default_is_the_cores_this_process_may_use(rt):
    with rt.Upscaler("elsr", accelerator="cpu") as up:
        assert up.info["num_threads"] == ALLOWED
    with rt.Upscaler("elsr", accelerator="cpu", num_threads=1) as up:
        assert up.info["num_threads"] == 1


@pytest.mark.parametrize("bad", [0, -2, True, 1.5])
def test_bad_thread_counts_are_refused(rt, bad):
    with pytest.raises(ValueError, match="num_threads"):
        rt.Upscaler("elsr", accelerator="cpu", num_threads=bad)


@pytest.mark.skipif(ALLOWED < 2, reason="needs 2 allowed cores to restrict the affinity to fewer")
def test_default_follows_the_affinity_mask():
    """A process pinned to one core (taskset, a container's cpuset) gets one thread, not the machine's count."""
    code = ("import json, mobilevsr_rt; up = mobilevsr_rt.Upscaler('elsr', accelerator='cpu'); "
            "print(json.dumps(up.info['num_threads']))")
    first = min(os.sched_getaffinity(0))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          preexec_fn=lambda: os.sched_setaffinity(0, {first}))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == 1


def test_bench_reports_the_threads_used(capsys):
    from mobilevsr_rt.cli import main

    assert main(["bench", "elsr", "--accelerator", "cpu", "--frames", "2", "--warmup", "0", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["threads"] == ALLOWED
    assert main(["bench", "elsr", "--accelerator", "cpu", "--frames", "2", "--warmup", "0", "--threads", "1"]) == 0
    assert ", 1 CPU thread(s), " in capsys.readouterr().out.splitlines()[0]


def test_compile_check_reports_the_threads(rt):
    from mobilevsr_rt.upscaler import compile_check

    report = compile_check(rt.resolve_model("elsr", accelerator="cpu"), accelerator="cpu")
    assert report["num_threads"] == ALLOWED and report["accelerator"] == "cpu" and not report["gpu_compiled"]
