"""Which LiteRT C functions the core asks for (issue 18): a LiteRT without one the core never calls still runs models;
one without a function the core needs is refused, by name. The real libLiteRt.so with symbols hidden from dlsym."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fixtures.elf import hide_dynamic_symbol

BENCH = "import sys; from mobilevsr_rt.cli import main; sys.exit(main(sys.argv[1:]))"


def _library_without(tmp_path: Path, *symbols: str) -> Path:
    import ai_edge_litert

    data = (Path(ai_edge_litert.__file__).parent / "libLiteRt.so").read_bytes()
    for symbol in symbols:
        data = hide_dynamic_symbol(data, symbol)
    patched = tmp_path / "libLiteRt.so"
    patched.write_bytes(data)
    return patched


def _bench_one_frame(library: Path) -> subprocess.CompletedProcess:
    """A fresh process: LiteRT is loaded once per process and path."""
    return subprocess.run([sys.executable, "-c", BENCH, "bench", "elsr", "--accelerator", "cpu", "--frames", "1",
                           "--warmup", "0"], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "MOBILEVSR_LITERT_LIBRARY": str(library)})


def test_functions_the_core_never_calls_are_not_required(tmp_path):
    proc = _bench_one_frame(_library_without(tmp_path, "LiteRtGetAcceleratorName",
                                             "LiteRtGetCompiledModelInputTensorLayout"))
    assert proc.returncode == 0, proc.stderr


def test_a_missing_required_function_is_named(tmp_path):
    proc = _bench_one_frame(_library_without(tmp_path, "LiteRtRunCompiledModel"))
    assert proc.returncode == 1, proc.stderr
    assert "lacks the symbol LiteRtRunCompiledModel" in proc.stderr
    assert "Traceback" not in proc.stderr
