"""Multi-worker training on the loopback address: two worker processes under MultiWorkerMirroredStrategy train like
one process with the same global batch, and a job that loses a worker resumes from the chief's last checkpoint."""

from __future__ import annotations

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from training_helpers import write_elsr_experiment

tf = pytest.importorskip("tensorflow")

from mobilevsr_rt.training.cli import main  # noqa: E402
from mobilevsr_rt.training.models import build_model  # noqa: E402
from mobilevsr_rt.training.train.config import ConfigError, load_config, parse_cluster  # noqa: E402
from mobilevsr_rt.training.train.fit import fit  # noqa: E402


def _free_ports(count: int) -> list[int]:
    """Ports free on 127.0.0.1 right now (held together while choosing, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class _Worker:
    """A ``mobilevsr-train fit`` worker process; its output goes to files (a full pipe would block it)."""

    def __init__(self, command: list[str], env: dict, logs: Path):
        self.stdout, self.stderr = logs.with_suffix(".out"), logs.with_suffix(".err")
        with self.stdout.open("w") as out, self.stderr.open("w") as err:
            self.proc = subprocess.Popen(command, env=env, stdout=out, stderr=err)

    def output(self) -> tuple[str, str]:
        return self.stdout.read_text(), self.stderr.read_text()


def _launch(cfg_path: Path, *extra: str) -> list[_Worker]:
    """One ``mobilevsr-train fit`` process per worker, on fresh loopback ports."""
    workers = ",".join(f"127.0.0.1:{p}" for p in _free_ports(2))
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    command = [sys.executable, "-X", "faulthandler", "-m", "mobilevsr_rt.training.cli", "fit", str(cfg_path),
               "--threads", "1", "--workers", workers, *extra]
    logs = cfg_path.parent / f"launch_{time.monotonic_ns()}"
    return [_Worker(command + ["--worker-index", str(i)], env, logs.with_name(f"{logs.name}_{i}")) for i in range(2)]


def _finish(workers: list[_Worker], timeout: float = 150) -> list[tuple[int, str, str]]:
    """``(exit code, stdout, stderr)`` of every worker; past ``timeout`` the test fails with what each printed
    (with a Python traceback of where it hung, from ``-X faulthandler``)."""
    deadline = time.monotonic() + timeout
    while any(w.proc.poll() is None for w in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    hung = [i for i, w in enumerate(workers) if w.proc.poll() is None]
    for i in hung:
        workers[i].proc.send_signal(signal.SIGABRT)
    for w in workers:
        w.proc.wait()
    results = [(w.proc.returncode, *w.output()) for w in workers]
    if hung:  # each one's output, then its threads' stacks from the innermost frame (faulthandler's dump)
        pytest.fail(f"worker(s) {hung} still running after {timeout:.0f} s:\n" + "\n".join(
            f"--- {i}: {out[-1500:]}\n{err[err.find('Fatal Python error'):][:6000]}"
            for i, (_, out, err) in enumerate(results)))
    return results


def _log_steps(run: Path) -> list[int]:
    with (run / "train_log.csv").open() as f:
        return [int(r["step"]) for r in csv.DictReader(f)]


def _checkpoint_step(run: Path) -> int:
    reader = tf.train.load_checkpoint(tf.train.latest_checkpoint(str(run / "checkpoints")))
    key = next(k for k in reader.get_variable_to_shape_map() if k.startswith("optimizer/_iterations/"))
    return int(reader.get_tensor(key))


def test_two_workers_train_like_one_process(tmp_path, tiny_clips):
    """Same global batch and seed: the chief's final weights equal a single process's, and so do the losses (each
    worker read its half of every batch; gradients are summed over workers before clipping)."""
    cfg_path = write_elsr_experiment(tmp_path, tiny_clips, steps=3, checkpoint_every=3, log_every=1, clip_norm=0.05)
    workers = _launch(cfg_path, "--output", str(tmp_path / "multi"))
    try:
        single = fit(load_config(cfg_path, output=tmp_path / "single"))  # meanwhile, the one-process reference
    finally:
        results = _finish(workers)
    for code, _out, err in results:
        assert code == 0, err[-3000:]
    assert "on 2 replica(s) (2 worker(s))" in results[0][1] and "[worker 1] step 3:" in results[1][1]
    weights = []
    for run in (single.output, tmp_path / "multi"):
        model = build_model("elsr", frame_size=(8, 8))
        model.load_weights(str(run / "final.weights.h5"))
        weights.append(model.get_weights())
    assert max(float(np.max(np.abs(a - b))) for a, b in zip(*weights, strict=True)) < 1e-5

    def losses(run: Path) -> list[float]:
        with (run / "train_log.csv").open() as f:
            return [float(r["loss"]) for r in csv.DictReader(f)]

    np.testing.assert_allclose(losses(tmp_path / "multi"), losses(single.output), rtol=1e-4)
    assert _checkpoint_step(tmp_path / "multi") == 3


def test_job_that_lost_a_worker_resumes_from_the_last_checkpoint(tmp_path, tiny_clips):
    cfg_path = write_elsr_experiment(tmp_path, tiny_clips, steps=100000, checkpoint_every=5, log_every=1)
    run = tmp_path / "run"
    chief, worker = _launch(cfg_path)
    try:
        deadline = time.monotonic() + 150
        while not (run / "checkpoints" / "checkpoint").is_file():
            assert chief.proc.poll() is None and worker.proc.poll() is None, "a worker died before the first checkpoint"
            assert time.monotonic() < deadline, "no checkpoint within 150 s"
            time.sleep(0.2)
        time.sleep(0.5)
        worker.proc.send_signal(signal.SIGKILL)
        worker.proc.wait()
        # the chief notices the lost worker, says how to resume, and fails (exit 1) instead of hanging
        code, _, err = _finish([chief], timeout=90)[0]
    finally:
        for w in (chief, worker):
            w.proc.kill()
            w.proc.wait()
    assert code == 1 and "lost contact with worker 1" in err and "same command" in err, err[-3000:]
    assert (run / ".worker-1-scratch-checkpoints").is_dir()  # the killed worker's saves, left behind
    saved = _checkpoint_step(run)
    assert saved >= 5 and saved % 5 == 0

    target = saved + 4
    results = _finish(_launch(cfg_path, "--steps", str(target)))
    for code, out, err in results:
        assert code == 0, err[-3000:]
        assert f"at step {saved}" in out  # "resumed from <chief's folder>/ckpt-N at step N", on both workers
        assert f"from step {saved} to {target}" in out
    assert "[worker 1] resumed from " + str(run / "checkpoints") in results[1][1]
    assert _checkpoint_step(run) == target
    assert not list(run.glob(".worker*"))  # the restarted worker cleared what it left and its own scratch
    # the rows the chief logged after its last checkpoint are dropped: the log is the resumed trajectory
    assert _log_steps(run) == list(range(1, target + 1))


@pytest.mark.parametrize(("workers", "index", "tf_config", "message"), [
    ("127.0.0.1:1,127.0.0.1:2", None, None, "--workers needs --worker-index"),
    (None, 1, None, "--worker-index needs --workers"),
    ("127.0.0.1:1,127.0.0.1:2", 2, None, "task index 2 out of range"),
    ("127.0.0.1:1,localhost", 0, None, "'localhost' is not host:port"),
    ("127.0.0.1:1,127.0.0.1:1", 0, None, "listed twice"),
    ("127.0.0.1:1", 0, '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 0}}', "one way"),
    (None, None, "{cluster", "TF_CONFIG is not valid JSON"),
    (None, None, '{"cluster": {"ps": ["a:1"], "worker": ["b:2"]}, "task": {"type": "worker", "index": 0}}',
     "not supported"),
])
def test_a_cluster_that_cannot_work_is_a_usage_error(tmp_path, tiny_clips, monkeypatch, capsys, workers, index,
                                                     tf_config, message):
    with pytest.raises(ConfigError, match=message):
        parse_cluster(workers, index, tf_config)
    monkeypatch.delenv("TF_CONFIG", raising=False)
    if tf_config is not None:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    argv = ["fit", str(write_elsr_experiment(tmp_path, tiny_clips)), *(["--workers", workers] if workers else []),
            *(["--worker-index", str(index)] if index is not None else [])]
    assert main(argv) == 2  # before TensorFlow starts: nothing written
    assert message in capsys.readouterr().err and not (tmp_path / "run").exists()


def test_tf_config_and_flags_describe_the_same_cluster():
    flags = parse_cluster("trainer-a:2222, trainer-b:2222", 1)
    assert flags == parse_cluster(None, None, flags.tf_config())
    assert flags.cluster == {"worker": ("trainer-a:2222", "trainer-b:2222")} and flags.task.index == 1
    assert parse_cluster(None, None, None) is None and parse_cluster(None, None, " ") is None
    # what cluster managers add to TF_CONFIG for other tools is left to them
    managed = '{"cluster": {"chief": ["a:1"], "worker": ["b:2"]}, "task": {"type": "worker", "index": 0, ' \
              '"trial": "1"}, "environment": "cloud"}'
    assert parse_cluster(None, None, managed).workers == 2
