"""Experiment files (issue 18): typed validation that names the file and the field, the ``{type: ..., **kwargs}``
registries of data sources and losses, and the older forms (``kind:``, ``loss: NAME`` + ``charbonnier_eps``) that
the shipped configs and the running campaign still use. No TensorFlow needed."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest

yaml = pytest.importorskip("yaml")
pytest.importorskip("pydantic")

from mobilevsr_rt.training.data.sources import SOURCES, ImagesSource  # noqa: E402
from mobilevsr_rt.training.train.config import ConfigError, load_config, parse_config  # noqa: E402
from mobilevsr_rt.training.train.losses import LOSSES, CharbonnierLoss  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "training" / "campaigns" / "swat_3" / "swat_3.yaml"
PRODUCT = sorted((ROOT / "training" / "configs" / "product").glob("*.yaml"))
# product compress sequences (a top-level list of steps, `mobilevsr-train compress`) load in test_compress_pipeline
COMPRESS = [p for p in PRODUCT if isinstance((yaml.safe_load(p.read_text()) or {}).get("steps"), list)]
EXPERIMENTS = [CAMPAIGN, *(ROOT / "training" / "configs" / f"{n}.yaml" for n in ("elsr", "swat_3", "mobilerrn_16")),
               *(p for p in PRODUCT if p not in COMPRESS)]


def _raw(path: Path = CAMPAIGN) -> dict:
    return yaml.safe_load(path.read_text())


def _error(raw: dict, tmp_path: Path) -> str:
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    return message[len(f"{path}: "):]


def _set(raw: dict, dotted: tuple, value) -> dict:
    raw = copy.deepcopy(raw)
    node = raw
    for key in dotted[:-1]:
        node = node[key]
    node[dotted[-1]] = value
    return raw


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_experiments_load(path: Path) -> None:
    cfg = load_config(path)
    assert cfg.data.sources and all(s.type in SOURCES for s in cfg.data.sources)
    assert cfg.train.loss.type in LOSSES


def test_campaign_file_keeps_its_meaning() -> None:
    """The running product campaign (older format) loads to exactly what its fields say."""
    cfg = load_config(CAMPAIGN)
    raw = _raw()
    assert cfg.model == "swat_3" and cfg.seed == 13 and cfg.output == CAMPAIGN.parent / "run"
    assert [(s.type, s.weight) for s in cfg.data.sources] == [("clips", 3.0), ("images", 1.0), ("images", 0.25)]
    assert cfg.data.sources[1].motion.max_shift == 2.0 and cfg.data.sources[1].motion.max_zoom == 0.01
    assert cfg.train.loss == CharbonnierLoss(eps=1e-3)
    assert cfg.train.charbonnier_eps == 1e-3  # deprecated attribute, still there
    assert cfg.train.lr.model_dump() == raw["train"]["lr"]
    for key in ("steps", "clip_norm", "checkpoint_every", "keep_checkpoints", "log_every"):
        assert getattr(cfg.train, key) == raw["train"][key]
    for key in ("patch_size", "frames", "batch_size", "workers", "cache_frames"):
        assert getattr(cfg.data, key) == raw["data"][key]


def test_older_and_registry_forms_are_the_same_config(tmp_path: Path) -> None:
    old = _raw()
    new = copy.deepcopy(old)
    for source in new["data"]["sources"]:
        source["type"] = source.pop("kind")
    new["train"]["loss"] = {"type": "charbonnier", "eps": new["train"].pop("charbonnier_eps")}
    a = parse_config(old, CAMPAIGN.parent)
    b = parse_config(new, CAMPAIGN.parent)
    assert a == b and a.to_dict() == b.to_dict()
    assert a.to_dict()["data"]["sources"][0]["type"] == "clips"
    assert isinstance(a.data.sources[1], ImagesSource) and a.data.sources[1].kind == "images"


@pytest.mark.parametrize(("field", "value", "expected"), [
    (("train", "steps"), "1e4", "train.steps: expected an integer, got the text '1e4' (YAML reads 1e4 as text; a "
                                "number with an exponent needs a dot, 5.0e-4 not 5e-4): write 10000"),
    (("train", "lr", "initial"), "5e-4", "train.lr.initial: expected a number, got the text '5e-4' (YAML reads "
                                         "5e-4 as text; a number with an exponent needs a dot, 5.0e-4 not 5e-4): "
                                         "write 0.0005"),
    (("data", "patch_size"), "48", "data.patch_size: expected an integer, got the text '48' (YAML reads 48 as text): "
                                   "write 48"),
    (("data", "patch_size"), 0, "data.patch_size: input should be greater than or equal to 1"),
    (("train", "steps"), 1.5, "train.steps: input should be a valid integer"),
    (("train", "lerning_rate"), 1.0, "train.lerning_rate: unknown key"),
    (("data", "sources", 1, "motion", "max_shift"), "2", "data.sources[1].motion.max_shift: expected a number"),
    (("data", "sources", 1, "motion", "spin"), 1.0, "data.sources[1].motion.spin: unknown key"),
    (("data", "sources", 0, "kind"), "webcam", "data.sources[0]: unknown type 'webcam'"),
    (("data", "sources", 0, "split"), "val", "data.sources[0].split: unknown key"),  # reds only, not clips
    (("data", "sources"), [], "data.sources: "),
    (("data", "augment", "flip"), "yes", "data.augment.flip: expected true or false"),
    (("train", "loss"), "huber", "train.loss: unknown type 'huber'"),
    (("train", "loss"), {"type": "charbonnier", "eps": "1e-3"}, "train.loss.eps: expected a number"),
    (("train", "loss"), {"type": "l1", "eps": 1.0}, "train.loss.eps: unknown key"),
    (("model",), "swat_3", "model: expected a mapping"),
])
def test_bad_values_name_file_and_field(tmp_path: Path, field: tuple, value, expected: str) -> None:
    raw = _set(_raw(), field, value)
    raw["output"] = str(tmp_path / "run")
    assert _error(raw, tmp_path).startswith(expected)


def test_invalid_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text("model: {name: swat_3\ndata: [")
    with pytest.raises(ConfigError, match=r"exp\.yaml: line \d+ not valid YAML"):
        load_config(path)


def test_fit_reports_a_bad_file_in_one_line_with_exit_2(tmp_path: Path) -> None:
    raw = _set(_raw(), ("train", "steps"), "1e4")
    path = tmp_path / "exp.yaml"
    path.write_text(yaml.safe_dump(raw))
    result = subprocess.run([sys.executable, "-m", "mobilevsr_rt.training.cli", "fit", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "train.steps" in lines[0], result.stderr
    assert not (tmp_path / "run").exists()
