"""The Android face on the host JVM: the JNI bridge (cpp/jni) and the plain-Java API (android_app/mobilevsr) are built
here with cmake and javac, and a Java driver (tests/android/java/HostDriver.java) pushes real frames through them.

HR frames must be byte-identical to the Python face (``mobilevsr_rt.Upscaler``, same accelerator="cpu" and thread
count): both wrap the same core, so any difference is a bridge bug. The driver only reports what happened; every
assertion is here. The native build is cached in pytest's cache directory, so reruns only recompile what changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from fixtures.data import PUBLIC_MODELS, lr_frames, portrait_frames

ROOT = Path(__file__).resolve().parents[2]
JNI_DIR = ROOT / "cpp" / "jni"
API_DIR = ROOT / "android_app" / "mobilevsr" / "src" / "main" / "java" / "dev" / "mobilevsr"
UI_DIR = ROOT / "android_app" / "app" / "src" / "main" / "java"
DRIVER = Path(__file__).resolve().parent / "java" / "HostDriver.java"
THREADS = 2
WIDTH, HEIGHT = 180, 320  # the public models' portrait frames


def _java_home() -> Path | None:
    """The JDK holding javac (its include/ has jni.h), honouring $JAVA_HOME first."""
    env = os.environ.get("JAVA_HOME")
    if env and (Path(env) / "bin" / "javac").exists():
        return Path(env)
    javac = shutil.which("javac")
    return Path(os.path.realpath(javac)).parents[1] if javac else None


@pytest.fixture(scope="session")
def java_home() -> Path:
    home = _java_home()
    if home is None or not (home / "bin" / "java").exists() or not (home / "include" / "jni.h").exists():
        pytest.skip("no JDK (javac, java and include/jni.h) found")
    return home


@pytest.fixture(scope="session")
def jni_library(request: pytest.FixtureRequest, java_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """libmobilevsr_jni.so built for the host from cpp/jni (which builds the core with it)."""
    cmake = shutil.which("cmake")
    if cmake is None:
        pytest.skip("cmake is missing")
    cache = getattr(request.config, "cache", None)
    build = Path(cache.mkdir("mobilevsr_jni_build")) if cache else tmp_path_factory.mktemp("jni_build")
    env = {**os.environ, "JAVA_HOME": str(java_home)}
    configure = [cmake, "-S", str(JNI_DIR), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release"]
    if not (build / "CMakeCache.txt").exists() and shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    for command in (configure, [cmake, "--build", str(build), "--parallel", "2"]):
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{' '.join(command)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    library = build / "libmobilevsr_jni.so"
    assert library.exists()
    return library


@pytest.fixture(scope="session")
def java_classes(java_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Java API and the driver compiled with javac, warnings as errors."""
    out = tmp_path_factory.mktemp("classes")
    sources = sorted(API_DIR.glob("*.java")) + [DRIVER]
    proc = subprocess.run([str(java_home / "bin" / "javac"), "-Xlint:all", "-Werror", "--release", "11", "-d",
                           str(out), *map(str, sources)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def java(java_home: Path, jni_library: Path, java_classes: Path, rt):
    """Runs the driver with one scenario; returns its stdout (fails on a non-zero exit)."""
    from mobilevsr_rt._litert import litert_library_path

    def run(*args: object, env: dict[str, str] | None = None, with_stderr: bool = False) -> str | tuple[str, str]:
        command = [str(java_home / "bin" / "java"), "-Xcheck:jni", f"-Djava.library.path={jni_library.parent}",
                   f"-Dmobilevsr.litert.library={litert_library_path()}", "-cp", str(java_classes), "HostDriver",
                   *map(str, args)]
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, f"java {args[0]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        assert "WARNING in native method" not in proc.stderr, proc.stderr  # -Xcheck:jni found a JNI misuse
        return (proc.stdout, proc.stderr) if with_stderr else proc.stdout

    return run


def _outcomes(stdout: str) -> dict[str, tuple[str, str]]:
    """key -> (exception class or "ok", message or value) from the driver's report lines."""
    lines = [line.split("\t", 2) for line in stdout.splitlines() if line.count("\t") >= 2]
    return {key: (kind, text) for key, kind, text in lines}


def _python_clip(rt, model: Path, frames: list[np.ndarray]) -> tuple[list[bool], list[np.ndarray]]:
    with rt.Upscaler(model, accelerator="cpu", num_threads=THREADS) as up:
        results = [up.process(f) for f in frames]
        flushed = up.flush()
    return [r is None for r in results], [r for r in results if r is not None] + list(flushed)


@pytest.mark.parametrize(("name", "channels"), [("swrn", 3), ("mai22_mobilerrn_16", 3), ("swrn", 4)])
def test_java_frames_identical_to_python(java, rt, tmp_path, name, channels):
    frames = portrait_frames(4)
    model = PUBLIC_MODELS / f"{name}.tflite"
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    outputs.mkdir()
    rng = np.random.default_rng(0)
    for i, frame in enumerate(frames):
        if channels == 4:  # RGBA with random alpha: the alpha must be ignored
            frame = np.concatenate([frame, rng.integers(0, 256, frame.shape[:2] + (1,), dtype=np.uint8)], axis=2)
        (inputs / f"{i:04d}.rgb").write_bytes(np.ascontiguousarray(frame).tobytes())
    java("stream", model, THREADS, "CPU", inputs, len(frames), WIDTH, HEIGHT, channels, outputs)

    nulls, want = _python_clip(rt, model, frames)
    log = [line.split("\t") for line in (outputs / "log.tsv").read_text().splitlines()]
    meta = {row[0]: row[1:] for row in log if row[0] != "process"}
    with rt.Upscaler(model, accelerator="cpu", num_threads=THREADS) as up:
        info = up.info
    assert meta["accelerator"] == ["cpu"]
    assert meta["layout"] == [info["layout"]]
    assert meta["scale"] == ["4"]
    assert meta["lookahead"] == [str(info["lookahead"])] * 2
    assert meta["model_frame"] == [f"{HEIGHT}x{WIDTH}"]
    processed = [row[2] for row in log if row[0] == "process"]
    assert [p == "null" for p in processed] == nulls
    assert all(p == f"{WIDTH * 4}x{HEIGHT * 4}x3" for p in processed if p != "null")
    assert meta["flush"] == [str(sum(nulls))]
    got = sorted(outputs.glob("hr_*.rgb"))
    assert len(got) == len(want) == len(frames)
    for i, (path, expected) in enumerate(zip(got, want, strict=True)):
        actual = np.frombuffer(path.read_bytes(), np.uint8).reshape(expected.shape)
        assert np.array_equal(actual, expected), f"frame {i}: {np.count_nonzero(actual != expected)} bytes differ"
    assert (outputs / "info.json").read_text() != ""
    timing = json.loads((outputs / "timing.json").read_text())  # the core's split, through the Java face
    assert timing["calls"] == len(frames) + 1 and timing["frames"] == len(frames)
    assert timing["model_runs"] >= len(frames) and timing["model_ms"] > 0 and timing["runtime_ms"] >= 0


def test_errors_map_to_java_exceptions(java, tmp_path):
    frame = portrait_frames(1)[0]
    frame_file = tmp_path / "frame.rgb"
    frame_file.write_bytes(frame.tobytes())
    out = _outcomes(java("errors", PUBLIC_MODELS / "swrn.tflite", frame_file, WIDTH, HEIGHT))

    assert out["missing_model"][0] == "java.io.FileNotFoundException"
    assert "swrn.tflite.missing" in out["missing_model"][1]
    assert out["not_a_model"][0] == "java.lang.IllegalArgumentException"
    assert out["bad_contract"][0] == "java.lang.IllegalArgumentException"
    assert "scale" in out["bad_contract"][1]
    assert out["bad_litert"][0] == "java.lang.IllegalStateException"
    assert "/nonexistent/libLiteRt.so" in out["bad_litert"][1]
    assert out["short_pixels"][0] == out["two_channels"][0] == out["null_frame"][0] == \
        "java.lang.IllegalArgumentException"

    assert out["first_frame"] == ("ok", "null")  # swrn's one frame of lookahead
    assert out["size_changed"][0] == "java.lang.IllegalArgumentException"
    assert "mid-clip" in out["size_changed"][1]
    assert out["after_reset"] == ("ok", "null")  # reset started a new clip: lookahead again
    assert out["flush"] == ("ok", "1")

    assert out["closed_before"] == ("ok", "false")
    assert out["closed_after"] == ("ok", "true")
    assert out["close_again"] == ("ok", "done")
    for call in ("process", "flush", "reset", "info", "lookahead"):
        assert out[f"{call}_after_close"] == ("java.lang.IllegalStateException", "this Upscaler is closed"), call

    # The worker's calls: whole results until the close, then only "closed" errors; never a crash.
    worker = out["concurrent_close"][1].split(",")
    assert worker[-1] == "IllegalStateException:this Upscaler is closed"
    assert worker[:-1] == (["null"] + [f"{WIDTH * 4}x{HEIGHT * 4}x3"] * len(worker))[:len(worker) - 1]
    assert out["concurrent_closed"] == ("ok", "true")


# Java setter=value -> the Python keyword argument it mirrors: both go to the core's one Validate().
INVALID_OPTIONS = {"numThreads=0": ("num_threads", 0), "numThreads=-2": ("num_threads", -2),
                   "tileOverlap=-1": ("tile_overlap", -1), "pixelRange=2.0": ("pixel_range", 2.0),
                   "pixelRange=NaN": ("pixel_range", float("nan"))}


def test_invalid_options_give_the_same_error_in_java_and_python(java, rt, tmp_path):
    """Each bad value, from each face, on a model path that does not exist: options are checked first, by the core,
    so Java's IllegalArgumentException and Python's ValueError carry one text (Java accepted numThreads(0) before)."""
    missing = tmp_path / "missing.tflite"
    out = _outcomes(java("invalid", missing, *INVALID_OPTIONS))
    for java_option, (name, value) in INVALID_OPTIONS.items():
        with pytest.raises(ValueError) as caught:
            rt.Upscaler(missing, accelerator="cpu", **{name: value})
        assert out[java_option] == ("java.lang.IllegalArgumentException", str(caught.value)), java_option
        assert str(caught.value).startswith(name + " must be")


# Every Java option not set by the stream scenario itself (accelerator, numThreads), with the Python keyword argument.
EVERY_OPTION = {"fit=TILE": ("fit", "tile"), "tileOverlap=6": ("tile_overlap", 6),
                "allowTranspose=false": ("allow_transpose", False), "tileBatch=OFF": ("tile_batch", "off"),
                "profile=true": ("profile", True), "pixelRange=1.0": ("pixel_range", 1.0),
                "verbose=false": ("verbose", False)}


def test_every_option_reaches_the_core_from_java(java, rt, tmp_path):
    """Landscape frames on the portrait SWRN with every option set (tiled, not transposed, overlap 6, tiles in
    sequence, profiled, another pixel range, a contract): Java's info, profile and frames equal Python's."""
    model = PUBLIC_MODELS / "swrn.tflite"
    frames = lr_frames(2)  # 180x320: two 320x180 tiles without the transpose
    height, width = frames[0].shape[:2]
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    outputs.mkdir()
    for i, frame in enumerate(frames):
        (inputs / f"{i:04d}.rgb").write_bytes(frame.tobytes())
    kwargs = dict(EVERY_OPTION.values())
    with rt.Upscaler(model, accelerator="cpu", num_threads=THREADS) as plain:
        contract = plain.info["contract"]
    contract["pixel_range"] = 1.0 if contract["pixel_range"] == 255.0 else 255.0  # the option must win over it
    java("stream", model, THREADS, "CPU", inputs, len(frames), width, height, 3, outputs, *EVERY_OPTION,
         f"contract={json.dumps(contract)}")
    with rt.Upscaler(model, accelerator="cpu", num_threads=THREADS, contract=contract, **kwargs) as up:
        want = [f for f in [up.process(f) for f in frames] + up.flush() if f is not None]
        info, profile = up.info, up.profile_report()

    java_info = json.loads((outputs / "info_after.json").read_text())
    strategy = java_info["strategy"]
    assert (strategy["name"], strategy["tiles"], strategy["transpose"]) == ("tile", 2, False)
    assert (java_info["tile_overlap"], java_info["overlap_source"]) == (6, "set")
    assert strategy["batch_choice"] == 'sequence (tile_batch="off")'
    assert java_info["pixel_range"] == 1.0 and java_info["contract"]["pixel_range"] == contract["pixel_range"]
    for key in ("strategy", "layout", "contract", "pixel_range", "num_threads"):
        assert java_info[key] == info[key], key
    java_profile = json.loads((outputs / "profile.json").read_text())
    assert java_profile["runs"] == profile["runs"] == 2 * len(frames)  # every tile's run, profiled
    assert sorted(op["name"] for op in java_profile["ops"]) == sorted(op["name"] for op in profile["ops"])
    got = sorted(outputs.glob("hr_*.rgb"))
    assert len(got) == len(want) == len(frames)
    for path, expected in zip(got, want, strict=True):
        assert np.array_equal(np.frombuffer(path.read_bytes(), np.uint8).reshape(expected.shape), expected)


def test_bicubic_matches_pillow(java, tmp_path):
    from PIL import Image

    frame = portrait_frames(1)[0][:40, :30].copy()  # a textured crop keeps the Java side fast
    (tmp_path / "lr.rgb").write_bytes(frame.tobytes())
    stdout = java("bicubic", tmp_path / "lr.rgb", 30, 40, 4, tmp_path / "hr.rgb")
    assert "size\t120x160x3" in stdout
    got = np.frombuffer((tmp_path / "hr.rgb").read_bytes(), np.uint8).reshape(160, 120, 3).astype(int)
    want = np.asarray(Image.fromarray(frame).resize((120, 160), Image.BICUBIC)).astype(int)
    diff = np.abs(got - want)
    assert diff.max() <= 1  # Pillow rounds in fixed point, the Java baseline in double
    assert np.mean(diff) < 0.01


def test_latency_stats_match_numpy(java):
    nanos = [5_000_000, 1_250_000, 9_000_000, 3_000_000, 7_500_000, 2_000_000, 4_400_000]
    fields = java("stats", *nanos).split()
    assert fields[0] == "stats" and int(fields[1]) == len(nanos)
    ms = np.array(nanos) / 1e6
    np.testing.assert_allclose([float(f) for f in fields[2:]], [ms.min(), np.median(ms), np.percentile(ms, 90)],
                               rtol=1e-12)


def test_benchmark_times_real_frames(java):
    fields = java("bench", PUBLIC_MODELS / "mai22_mobilerrn_16.tflite", THREADS, WIDTH, HEIGHT, 1, 3).splitlines()
    bench = fields[0].split("\t")
    frames, low, median, p90 = int(bench[1]), *map(float, bench[2:])
    assert frames == 3
    assert 0 < low <= median <= p90 < 60_000  # a 320x180 MobileRRN frame takes well under a minute on any CPU
    assert fields[1] == "after\tframe\t0"  # MobileRRN has no lookahead, so a fresh clip returns at once


def test_bundled_model_names(java):
    out = dict(line.split("\t", 1) for line in java("catalog", "swrn_int8.tflite", "swat_3_fp16.tflite",
                                                   "mai22_mobilerrn_16.tflite", "notes.txt").splitlines())
    assert out == {"swrn_int8.tflite": "swrn\tINT8", "swat_3_fp16.tflite": "swat_3\tFP16",
                   "mai22_mobilerrn_16.tflite": "mai22_mobilerrn_16\tFP32", "notes.txt": "null"}


def test_java_api_is_plain_java():
    """The API module must compile with a bare JDK: no android.* (or androidx.*) anywhere in it."""
    sources = list(API_DIR.glob("*.java"))
    assert {p.name for p in sources} >= {"Upscaler.java", "Accelerator.java", "Frame.java", "UpscalerInfo.java"}
    for path in sources:
        assert not re.search(r"\bandroidx?\.", path.read_text()), path.name


def test_kotlin_ui_stays_thin():
    """The app's Kotlin only draws: no native code of its own, no model running other than through the Java API."""
    kotlin = list(UI_DIR.rglob("*.kt"))
    assert kotlin, "the app module has no Kotlin sources"
    total = 0
    for path in kotlin:
        text = path.read_text()
        total += len(text.splitlines())
        assert not re.search(r"\bexternal\s+fun\b|System\.loadLibrary|Interpreter|CompiledModel", text), path.name
        assert not re.search(r"\bsort(ed)?\s*\(|percentile", text), f"{path.name}: statistics belong in the API"
    assert total < 700, f"{total} lines of Kotlin: move logic into the Java API"


@pytest.mark.parametrize("channels", [3, 4])
def test_argb_round_trip(java, tmp_path, channels):
    rng = np.random.default_rng(1)
    frame = rng.integers(0, 256, (5, 7, channels), dtype=np.uint8)
    (tmp_path / "in.rgb").write_bytes(frame.tobytes())
    fields = java("argb", tmp_path / "in.rgb", 7, 5, channels, tmp_path / "out.rgb").split()
    first = 0xFF000000 | int(frame[0, 0, 0]) << 16 | int(frame[0, 0, 1]) << 8 | int(frame[0, 0, 2])
    last = 0xFF000000 | int(frame[-1, -1, 0]) << 16 | int(frame[-1, -1, 1]) << 8 | int(frame[-1, -1, 2])
    assert fields == ["argb", "35", f"{first:x}", f"{last:x}"]
    back = np.frombuffer((tmp_path / "out.rgb").read_bytes(), np.uint8).reshape(5, 7, 3)
    assert np.array_equal(back, frame[..., :3])


def test_java_defaults_take_every_allowed_core_and_start_quietly(java, tmp_path):
    """``new Upscaler(model)`` on a machine without a Vulkan driver: the CPU with as many threads as this process may
    use (the core's default, shared with Python and the CLI), and nothing from the failed GPU probe on stderr."""
    missing = str(tmp_path / "no_such_icd.json")
    env = {**os.environ, "VK_ICD_FILENAMES": missing, "VK_DRIVER_FILES": missing}
    stdout, stderr = java("defaults", PUBLIC_MODELS / "swrn.tflite", env=env, with_stderr=True)
    outcome = _outcomes(stdout + "\n")
    assert outcome["defaults"] == ("cpu", str(len(os.sched_getaffinity(0))))
    info = json.loads(stdout.split("info\t", 1)[1])
    assert info["num_threads"] == len(os.sched_getaffinity(0))
    assert "GPU accelerator could not compile" in info["fallback_reason"]
    assert stderr == ""
