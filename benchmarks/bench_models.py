"""Which .tflite each benchmark case runs: a bundled model when one exists, else a zoo export cached by a hash.

Bundled trained models live in ``mobilevsr_rt/models/<name>_<fp16|int8>.tflite`` (the installed package, or
``python/mobilevsr_rt/models`` in the checkout) and are used for the sizes they were exported at. Everything else
(FP32, other frame sizes, models not bundled yet) is exported from the zoo by ``build_models.py`` in a subprocess
into a cache directory whose name is a hash of the builder and of the zoo/exporter sources, so the cache is rebuilt
exactly when any of them changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
BUILDER = BENCH_DIR / "build_models.py"
SHARED_MODELS = REPO / ".." / "shared" / "models"

DEFAULT_MODELS = ("swat_3", "elsr")
PRECISIONS = ("fp32", "fp16", "int8")
SIZES = ((180, 320), (360, 640), (720, 1280))

sys.path.insert(0, str(BENCH_DIR))
from build_models import file_name  # noqa: E402


@dataclass(frozen=True)
class Case:
    """One benchmark case: model name, precision and LR frame size (H, W)."""

    name: str
    precision: str
    size: tuple[int, int]

    @property
    def id(self) -> str:
        return f"{self.name}-{self.precision}-{self.size[0]}x{self.size[1]}"


def bundled_dirs() -> list[Path]:
    """Where bundled models may be: the checkout's and the installed package's ``models`` folders."""
    dirs = [REPO / "python" / "mobilevsr_rt" / "models"]
    try:
        import mobilevsr_rt

        dirs.append(Path(mobilevsr_rt.__file__).resolve().parent / "models")
    except ImportError:
        pass
    return [d for d in dict.fromkeys(dirs) if d.is_dir()]


def bundled_models() -> dict[tuple[str, str], Path]:
    """(name, precision) -> path of every bundled ``<name>_<precision>.tflite``."""
    found: dict[tuple[str, str], Path] = {}
    for folder in bundled_dirs():
        for path in sorted(folder.glob("*.tflite")):
            name, _, precision = path.stem.rpartition("_")
            if name and precision in PRECISIONS:
                found.setdefault((name, precision), path)
    return found


def model_names() -> list[str]:
    """The bundled model names, plus swat_3 and elsr (the default and the fastest) while they are not bundled."""
    return list(dict.fromkeys([*DEFAULT_MODELS, *sorted({name for name, _ in bundled_models()})]))


def lr_size_of(path: Path) -> tuple[int, int]:
    """The LR frame size (H, W) a .tflite's frame input was exported at."""
    from ai_edge_litert.interpreter import Interpreter

    shape = Interpreter(str(path)).get_input_details()[0]["shape"]
    return int(shape[1]), int(shape[2])


def cache_key() -> str:
    """Hash of the builder and of the zoo/exporter sources it runs (installed package or checkout)."""
    digest = hashlib.sha256(BUILDER.read_bytes())
    try:
        import mobilevsr_rt.training as training

        root = Path(training.__file__).resolve().parent
    except ImportError:
        root = REPO / "training"
    for sub in ("models", "export"):
        for path in sorted((root / sub).glob("*.py")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def build(cache: Path, cases: list[Case], overrides: list[str] = (), tag: str = "") -> dict[Case, Path]:
    """Export whatever of ``cases`` is not in ``cache`` yet (one subprocess), return case -> path."""
    paths = {c: cache / file_name(c.name, c.precision, c.size, tag) for c in cases}
    missing = [f"{c.name}:{c.precision}:{c.size[0]}x{c.size[1]}" for c, p in paths.items() if not p.exists()]
    if missing:
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
        cmd = [sys.executable, str(BUILDER), str(cache), *missing, *[f"--override={o}" for o in overrides]]
        if tag:
            cmd.append(f"--tag={tag}")
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=3600)
        if proc.returncode != 0:
            raise RuntimeError(f"exporting benchmark models failed ({' '.join(cmd)}):\n{proc.stderr[-4000:]}")
    return paths


def resolve(cache: Path, cases: list[Case]) -> dict[Case, tuple[Path, str]]:
    """case -> (path, origin) with origin "bundled" or "zoo export (random weights)"; exports what is missing."""
    bundled = bundled_models()
    chosen: dict[Case, tuple[Path, str]] = {}
    to_build = []
    for case in cases:
        path = bundled.get((case.name, case.precision))
        if path is not None and lr_size_of(path) == case.size:
            chosen[case] = (path, "bundled")
        else:
            to_build.append(case)
    for case, path in build(cache, to_build).items():
        chosen[case] = (path, "zoo export (random weights)")
    return chosen


def default_cache() -> Path:
    """The cache directory outside pytest (scripts): the same place pytest's cache provider uses."""
    return REPO / ".pytest_cache" / "d" / f"mobilevsr_bench_models_{cache_key()}"
