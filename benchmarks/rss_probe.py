"""Peak RSS of one runner over N frames, in a fresh process (``resource.getrusage(RUSAGE_SELF).ru_maxrss``).

    python benchmarks/rss_probe.py MODEL.tflite --runner process|python_loop|onnxruntime [--onnx FILE] [--frames 1000]

Prints one JSON line: peak RSS after imports (the interpreter + numpy + runtime libraries), after the model is
loaded and the first frame ran, and after all frames; the difference is what the frames themselves cost.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from harness import clip_frames, rss_bytes  # noqa: E402
from runners import InterpreterLoop, OnnxLoop  # noqa: E402

import mobilevsr_rt  # noqa: E402


def peak_kib() -> int:
    """ru_maxrss of this process (KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("--runner", choices=("process", "python_loop", "onnxruntime"), default="process")
    parser.add_argument("--onnx", type=Path, help="the ONNX conversion (onnxruntime runner)")
    parser.add_argument("--frames", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    if args.runner == "onnxruntime":
        import onnxruntime  # noqa: F401 - its import cost belongs to the "imports" figure
    after_imports = peak_kib()
    up = mobilevsr_rt.Upscaler(args.model, accelerator="cpu", num_threads=args.threads)
    info = up.info
    h, w = info["model_frame_size"]
    if args.runner == "process":
        run = up.process
    else:
        up.close()
        run = (InterpreterLoop(args.model, args.threads, info) if args.runner == "python_loop"
               else OnnxLoop(args.onnx, args.model, args.threads, info))
    frames = clip_frames((h, w), count=8)
    for frame in frames[:3]:  # past the lookahead: the model has really run
        run(frame)
    after_load = peak_kib()
    start = time.perf_counter()
    checksum = 0
    for i in range(args.frames):
        out = run(frames[i % len(frames)])
        if out is not None:
            checksum += int(out[0, 0, 0])  # touch the output so nothing is optimised away
    seconds = time.perf_counter() - start
    print(json.dumps({"runner": args.runner, "frames": args.frames, "seconds": seconds,
                      "peak_rss_kib": {"after_imports": after_imports, "after_load": after_load,
                                       "after_frames": peak_kib()},
                      "rss_end_kib": rss_bytes() // 1024, "checksum": checksum, "np": np.__version__}))


if __name__ == "__main__":
    main()
