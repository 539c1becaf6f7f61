"""Benchmark suite fixtures and options (run only when asked: the repo's pytest ``testpaths`` is ``tests``).

    python -m pytest benchmarks -m latency --benchmark-json=bench.json   # latency table + regression ratios
    python -m pytest benchmarks -m overhead --benchmark-json=o.json  # process() vs bare C++ loop (issue #2)
    python -m pytest benchmarks -m rss --benchmark-json=rss.json         # peak RSS over 1,000 frames
    python -m pytest benchmarks -m soak -s --soak-frames=10000           # flat RSS, no fd/thread leaks

Models: bundled ``mobilevsr_rt/models/<name>_<fp16|int8>.tflite`` when present at the case's frame size, else zoo
exports (random weights) built once per session in a subprocess into pytest's cache, keyed by a hash of the builder
and the zoo/exporter sources (``bench_models.py``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import bench_models  # noqa: E402
from bench_models import Case  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mobilevsr benchmarks")
    group.addoption("--bench-models", default=None, help="comma list (default: bundled models + swat_3, elsr)")
    group.addoption("--bench-precisions", default="fp32,fp16,int8")
    group.addoption("--bench-sizes", default="180x320,360x640,720x1280", help="LR sizes HxW, comma list")
    group.addoption("--bench-frames", type=int, default=40,
                    help="timed frames per workload at 180x320; larger frames get proportionally fewer (at least 3 "
                         "blocks)")
    group.addoption("--bench-block", type=int, default=5, help="consecutive frames per block (latency suite)")
    group.addoption("--bench-threads", type=int, default=2)
    group.addoption("--bench-runners", default="bare_cpp,python_loop,onnxruntime,bicubic,numpy_ref",
                    help="what process() is compared with, comma list")
    group.addoption("--overhead-models",
                    default="mai22_mobilerrn_16,swrn,mai21_diggers,swat_3_int8,swat_3_fp16,elsr_int8,control:swrn",
                    help="public model names or bundled <model>_<precision>, comma list; control:NAME measures a "
                         "second bare loop instead of process() (the method's noise floor)")
    group.addoption("--overhead-block", type=int, default=10, help="consecutive frames per timed block")
    group.addoption("--overhead-rounds", type=int, default=8, help="blocks per workload")
    group.addoption("--rss-frames", type=int, default=1000)
    group.addoption("--rss-cases", default="swat_3:fp32,swat_3:fp16,swat_3:int8,elsr:int8",
                    help="NAME:PRECISION at 180x320 measured for peak RSS")
    group.addoption("--rss-runners", default="process,python_loop,onnxruntime")
    group.addoption("--soak-frames", type=int, default=10_000)
    group.addoption("--soak-every", type=int, default=250, help="sample RSS every N frames")
    group.addoption("--soak-case", default="swat_3:int8:180x320", help="NAME:PRECISION:HxW")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "latency: per-frame latency of each model x precision x size, side by side")
    config.addinivalue_line("markers", "overhead: process() vs the bare C++ loop and the Python loop, in blocks")
    config.addinivalue_line("markers", "rss: peak RSS over --rss-frames frames in a subprocess")
    config.addinivalue_line("markers", "soak: --soak-frames frames, flat RSS and no fd/thread leaks (select with -m)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The soak takes many minutes: it runs only when the marker expression names it.
    if "soak" in (config.getoption("-m") or ""):
        return
    skip = pytest.mark.skip(reason="soak test: select it with -m soak")
    for item in items:
        if "soak" in item.keywords:
            item.add_marker(skip)


def _sizes(text: str) -> list[tuple[int, int]]:
    return [tuple(int(v) for v in s.split("x")) for s in text.split(",") if s]


def latency_cases(config: pytest.Config) -> list[Case]:
    """Every model x precision x size of this run."""
    names = config.getoption("--bench-models")
    names = names.split(",") if names else bench_models.model_names()
    return [Case(n, p, s) for n in names for p in config.getoption("--bench-precisions").split(",")
            for s in _sizes(config.getoption("--bench-sizes"))]


def rss_cases(config: pytest.Config) -> list[Case]:
    """The 180x320 cases measured for peak RSS."""
    return [Case(*spec.split(":"), (180, 320)) for spec in config.getoption("--rss-cases").split(",") if spec]


def soak_case(config: pytest.Config) -> Case:
    name, precision, size = config.getoption("--soak-case").split(":")
    return Case(name, precision, _sizes(size)[0])


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    config = metafunc.config
    if "latency_case" in metafunc.fixturenames:
        cases = latency_cases(config)
        metafunc.parametrize("latency_case", cases, ids=[c.id for c in cases])
    if "rss_case" in metafunc.fixturenames:
        cases = rss_cases(config)
        metafunc.parametrize("rss_case", cases, ids=[c.id for c in cases])
    if "rss_runner" in metafunc.fixturenames:
        metafunc.parametrize("rss_runner", config.getoption("--rss-runners").split(","))


@pytest.fixture(scope="session")
def bench_cache(request: pytest.FixtureRequest) -> Path:
    """pytest's cache directory for exported models and ONNX conversions, named by the builder/zoo hash."""
    cache = getattr(request.config, "cache", None)
    if cache is None:
        return bench_models.default_cache()
    return Path(cache.mkdir(f"mobilevsr_bench_models_{bench_models.cache_key()}"))


@pytest.fixture(scope="session")
def bench_paths(request: pytest.FixtureRequest, bench_cache: Path) -> dict[Case, tuple[Path, str]]:
    """case -> (model path, origin) for every case of the session, exporting what is missing (once, up front)."""
    wanted = []
    for item in request.session.items:  # only what the selected tests use
        params = getattr(getattr(item, "callspec", None), "params", {})
        wanted += [params[k] for k in ("latency_case", "rss_case") if k in params]
        if "soak" in item.keywords and not item.get_closest_marker("skip"):
            wanted.append(soak_case(request.config))
    return bench_models.resolve(bench_cache, list(dict.fromkeys(wanted)))


@pytest.fixture(scope="session")
def threads(request: pytest.FixtureRequest) -> int:
    return request.config.getoption("--bench-threads")
