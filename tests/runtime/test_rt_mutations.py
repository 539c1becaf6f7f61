"""Hundreds of corrupted variants of valid fixture models, each loaded (and, if accepted, run) in one subprocess.

A crash (signal, abort) would kill that subprocess, not pytest; the test then names the file being processed.
Every file must end either in success or in a ValueError/RuntimeError. The subprocess runs under an address-space
limit so a mutated tensor shape that asks for gigabytes fails to allocate instead of exhausting the shared machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

SEED = 20240601
WORKER = r"""
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
import numpy as np
import mobilevsr_rt

frame = np.asarray(json.loads(sys.argv[1]), np.uint8)  # argv[0] is "-c"
for path in sys.argv[2:]:
    print("BEGIN", path, flush=True)
    outcome = "ok"
    try:
        up = mobilevsr_rt.Upscaler(path, accelerator="cpu", num_threads=1)
        try:
            for _ in range(3):
                up.process(frame)
            up.flush()
        finally:
            up.close()
    except (ValueError, RuntimeError) as exc:  # subclasses (e.g. UnicodeDecodeError) count as their base
        outcome = "ValueError" if isinstance(exc, ValueError) else "RuntimeError"
    except BaseException as exc:  # anything else is a finding; report it rather than stop
        outcome = "UNEXPECTED " + type(exc).__name__ + ": " + str(exc)[:200].replace(chr(10), " ")
    print("END", path, outcome, flush=True)
print("DONE", flush=True)
"""


def mutate(data: bytes, rng: np.random.Generator) -> tuple[str, bytes]:
    """One random corruption: byte flips, a 32-bit word overwrite, a random span, a truncation, or pure noise."""
    buf = bytearray(data)
    kind = rng.choice(["flip", "flip_header", "word", "span", "truncate", "noise"], p=[.3, .15, .2, .15, .15, .05])
    if kind in ("flip", "flip_header"):
        hi = min(len(buf), 256) if kind == "flip_header" else len(buf)
        for pos in rng.integers(0, hi, int(rng.integers(1, 9))):
            buf[pos] ^= int(rng.integers(1, 256))
    elif kind == "word":
        pos = int(rng.integers(0, len(buf) - 4)) & ~3
        word = int(rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, int(rng.integers(0, 2**32))]))
        buf[pos:pos + 4] = word.to_bytes(4, "little")
    elif kind == "span":
        pos = int(rng.integers(0, len(buf)))
        span = rng.integers(0, 256, int(rng.integers(1, 512)), dtype=np.uint8).tobytes()
        buf[pos:pos + len(span)] = span
    elif kind == "truncate":
        buf = buf[:int(rng.integers(0, len(buf)))]
    else:
        buf = bytearray(rng.integers(0, 256, len(buf), dtype=np.uint8).tobytes())
    return str(kind), bytes(buf)


def mutate_contract_json(data: bytes, rng: np.random.Generator) -> bytes:
    """Flip 1-4 bytes inside the embedded contract's JSON document (structure of the flatbuffer untouched)."""
    start = data.index(b'{"channel_order"')  # embed_contract writes sorted keys
    end = data.index(b"}", data.rindex(b'"state"')) + 2
    buf = bytearray(data)
    for pos in rng.integers(start, end, int(rng.integers(1, 5))):
        buf[pos] = int(rng.choice([ord(c) for c in '{}[]":,0123456789-xe ']) if rng.random() < 0.7 else
                       rng.integers(0, 256))
    return bytes(buf)


@pytest.mark.slow
def test_mutated_models_never_crash(rt, fixture_dir, manifest, contract_models, fixture_frames, tmp_path: Path):
    rng = np.random.default_rng(SEED)
    files, kinds = [], {}
    bases = {"recurrent_int8": (fixture_dir / manifest["recurrent_int8"]["file"]).read_bytes(),
             "single_fp32": (fixture_dir / manifest["single_fp32"]["file"]).read_bytes(),
             "separate_bgr_int8_contract": contract_models["separate_bgr_int8"].read_bytes()}
    for base, count in (("recurrent_int8", 130), ("single_fp32", 60), ("separate_bgr_int8_contract", 60)):
        data = bases[base]
        for i in range(count):
            if base.endswith("_contract") and i % 2 == 0:  # half of them hit the embedded contract's JSON text
                kind, mutated = "contract_json", mutate_contract_json(data, rng)
            else:
                kind, mutated = mutate(data, rng)
            path = tmp_path / f"{base}_{i:03d}_{kind}.tflite"
            path.write_bytes(mutated)
            files.append(str(path))
            kinds[str(path)] = kind
    proc = subprocess.run([sys.executable, "-c", WORKER, json.dumps(fixture_frames[0].tolist()), *files],
                          capture_output=True, text=True, timeout=300, check=False)
    lines = proc.stdout.splitlines()
    begun = [ln.split(" ", 1)[1] for ln in lines if ln.startswith("BEGIN ")]
    ended = {ln.split(" ")[1]: ln.split(" ", 2)[2] for ln in lines if ln.startswith("END ")}
    if proc.returncode != 0 or "DONE" not in lines:
        crashed = [f for f in begun if f not in ended]
        pytest.fail(f"worker exited with {proc.returncode} while loading {crashed} "
                    f"(mutated files kept in {tmp_path}); stderr tail:\n{proc.stderr[-2000:]}")
    assert len(ended) == len(files)
    bad = {Path(f).name: o for f, o in ended.items() if o not in ("ok", "ValueError", "RuntimeError")}
    assert not bad, f"unexpected outcomes: {bad}"
    outcomes = list(ended.values())
    print({o: outcomes.count(o) for o in set(outcomes)})
    # The mutations must really exercise the error paths (most corruptions are detected).
    assert outcomes.count("ValueError") + outcomes.count("RuntimeError") >= len(files) // 4, outcomes
