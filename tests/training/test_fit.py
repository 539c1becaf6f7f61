"""Experiment configs and the training loop: relative paths, falling loss on real data, resume after SIGKILL."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from training_helpers import SHARED_DATA, real_frames, write_elsr_experiment, write_png

tf = pytest.importorskip("tensorflow")

from mobilevsr_rt.training.train.config import load_config  # noqa: E402
from mobilevsr_rt.training.train.fit import fit  # noqa: E402


def _log_rows(run: Path) -> list[dict]:
    with (run / "train_log.csv").open() as f:
        return list(csv.DictReader(f))


def test_paths_are_relative_to_the_yaml_and_survive_a_move(tmp_path, tiny_clips):
    cfg_path = write_elsr_experiment(tmp_path / "project" / "configs", tiny_clips)
    cfg = load_config(cfg_path)
    assert cfg.data.sources[0].root == tiny_clips.resolve()
    assert cfg.output == (tmp_path / "project" / "configs" / "run").resolve()
    # move config and data together: the relative paths follow
    shutil.move(tmp_path / "project", tmp_path / "moved")
    shutil.move(tiny_clips, tmp_path / "elsewhere")
    (tmp_path / "clips").symlink_to(tmp_path / "elsewhere")  # the data path relative to the YAML stays valid
    moved = load_config(tmp_path / "moved" / "configs" / "exp.yaml", output="cli_out", steps=7)
    assert moved.data.sources[0].root == (tmp_path / "elsewhere").resolve()
    assert moved.output == Path("cli_out").resolve() and moved.train.steps == 7


def test_unknown_keys_are_errors(tmp_path, tiny_clips):
    path = write_elsr_experiment(tmp_path, tiny_clips)
    raw = yaml.safe_load(path.read_text())
    raw["train"]["lerning_rate"] = 1.0
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ValueError, match="lerning_rate"):
        load_config(path)


def test_shipped_configs_parse():
    configs = Path(__file__).resolve().parents[2] / "training" / "configs"
    for name in ("elsr", "swat_3", "mobilerrn_16"):  # the fit experiments (other YAML there belong to other tools)
        cfg = load_config(configs / f"{name}.yaml")
        assert cfg.model == name
        assert all(s.root.parent == SHARED_DATA.resolve() or s.root.parent.parent == SHARED_DATA.resolve()
                   for s in cfg.data.sources)


def test_loss_falls_on_real_data(tmp_path, tiny_clips):
    cfg = load_config(write_elsr_experiment(tmp_path, tiny_clips, steps=40, checkpoint_every=40))
    result = fit(cfg)
    assert (result.start_step, result.final_step) == (0, 40)
    losses = [float(r["loss"]) for r in _log_rows(cfg.output)]
    assert len(losses) == 8
    assert np.mean(losses[-2:]) < 0.7 * np.mean(losses[:2]), losses
    assert (cfg.output / "final.weights.h5").is_file() and (cfg.output / "run.json").is_file()
    assert list((cfg.output / "tensorboard").glob("events.out.tfevents.*"))
    # fit again: nothing left to do, the run is complete
    assert fit(cfg).start_step == 40


def _checkpoint_step(run: Path) -> int:
    prefix = tf.train.latest_checkpoint(str(run / "checkpoints"))
    reader = tf.train.load_checkpoint(prefix)
    key = next(k for k in reader.get_variable_to_shape_map() if k.startswith("optimizer/_iterations/"))
    return int(reader.get_tensor(key))


def test_resume_after_sigkill(tmp_path, tiny_clips):
    cfg_path = write_elsr_experiment(tmp_path, tiny_clips, steps=100000, checkpoint_every=5, log_every=1)
    run = tmp_path / "run"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [sys.executable, "-m", "mobilevsr_rt.training.cli", "fit", str(cfg_path), "--threads", "1"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not (run / "checkpoints" / "checkpoint").is_file():
            assert proc.poll() is None, "training died before its first checkpoint"
            assert time.monotonic() < deadline, "no checkpoint within 120 s"
            time.sleep(0.2)
        time.sleep(0.5)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved = _checkpoint_step(run)
    assert saved >= 5 and saved % 5 == 0
    logged_before = [int(r["step"]) for r in _log_rows(run)]

    target = saved + 6
    done = subprocess.run(command + ["--steps", str(target)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"at step {saved}" in done.stdout  # "resumed from .../ckpt-N at step N"
    assert f"training elsr from step {saved} to {target}" in done.stdout
    assert _checkpoint_step(run) == target
    # rows logged after the checkpoint by the killed run are dropped: the log is the resumed trajectory
    assert logged_before[:saved] == list(range(1, saved + 1))
    assert [int(r["step"]) for r in _log_rows(run)] == list(range(1, target + 1))


def test_recurrent_fit_with_images_and_validation(tmp_path, tiny_clips):
    image_dir = tmp_path / "images"
    write_png(image_dir / "frame.png", real_frames(count=1)[0][:120, :160])
    path = write_elsr_experiment(tmp_path, tiny_clips, steps=2, checkpoint_every=2, log_every=1)
    raw = yaml.safe_load(path.read_text())
    raw["data"]["sources"].append({"kind": "images", "root": "images", "weight": 1.0})
    raw["model"]["name"] = "mobilerrn_16"  # recurrent: offsets (-1, 0) + state, unrolled over 3 frames
    raw["data"]["frames"] = 3
    raw["validation"] = {"root": "clips", "every": 2, "frames": 2, "crop": None}
    path.write_text(yaml.safe_dump(raw))
    cfg = load_config(path)
    fit(cfg)
    with (cfg.output / "val_log.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert [r["step"] for r in rows] == ["2"] and 0 < float(rows[0]["psnr_y"]) < 100


_MIRRORED_SCRIPT = r"""
import sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
tf.config.threading.set_intra_op_parallelism_threads(1)
from mobilevsr_rt.training.train.config import load_config
from mobilevsr_rt.training.train.fit import fit
from mobilevsr_rt.training.models import build_model
weights = []
for name, strategy in (("single", tf.distribute.OneDeviceStrategy("/cpu:0")),
                       ("mirrored", tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"]))):
    result = fit(load_config(sys.argv[1], output=sys.argv[2] + "/" + name), strategy=strategy)
    model = build_model("elsr", frame_size=(8, 8))
    model.load_weights(str(result.output / "final.weights.h5"))
    weights.append(model.get_weights())
    print(name, strategy.num_replicas_in_sync, result.final_step)
diff = max(float(np.max(np.abs(a - b))) for a, b in zip(*weights))
print("max weight difference", diff)
"""


def test_mirrored_strategy_matches_single_device(tmp_path, tiny_clips):
    """Two replicas (logical CPUs) train exactly like one device: the loss is averaged over the global batch and
    gradients are aggregated before clipping."""
    cfg_path = write_elsr_experiment(tmp_path, tiny_clips, steps=3, checkpoint_every=3, log_every=1, clip_norm=0.05)
    script = tmp_path / "mirrored.py"
    script.write_text(_MIRRORED_SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    done = subprocess.run([sys.executable, str(script), str(cfg_path), str(tmp_path)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "single 1 3" in done.stdout and "mirrored 2 3" in done.stdout
    diff = float(done.stdout.split("max weight difference")[1].split()[0])
    assert diff < 1e-5, done.stdout
    single = [float(r["loss"]) for r in _log_rows(tmp_path / "single")]
    mirrored = [float(r["loss"]) for r in _log_rows(tmp_path / "mirrored")]
    np.testing.assert_allclose(mirrored, single, rtol=1e-4)
