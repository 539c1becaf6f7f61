"""``mobilevsr-rt upscale`` end to end: the serial path (decode, model, encode one after another) against the
pipeline (the three at once, bounded queues), side by side.

Clips: the bundled demo clip (320x180, 21 frames) and a 240p clip (428x240, 25 frames, made here from the
DAVIS "parkour" frames of ../shared/data, bicubic-downscaled, H.264 crf 1). Each round runs both paths on a clip,
the order alternating between rounds, and the ratio is taken per round (serial time / pipeline time), so slow
phases of a shared machine hit both sides of a pair. Prints the median ratio and times per clip; --json keeps them.

    python benchmarks/bench_upscale_pipeline.py --rounds 5 [--model swat_3] [--preset medium] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from mobilevsr_rt.cli.demo import DEMO_CLIP
from mobilevsr_rt.cli.upscale import upscale
from mobilevsr_rt.media import EncodeSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import load_average, machine  # noqa: E402

PARKOUR = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "train_videos" / "davis_parkour"


def make_240p_clip(path: Path, source: Path, frames: int = 25) -> Path:
    """428x240 H.264 of the first ``frames`` DAVIS parkour frames in ``source`` (854x480, halved with Pillow's
    bicubic)."""
    import av
    from PIL import Image

    files = sorted(source.glob("*.png"))[:frames]
    if len(files) < frames:
        raise SystemExit(f"need {frames} frames in {source} (--parkour DIR)")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 428, 240, "yuv420p"
        stream.options = {"crf": "1"}
        for file in files:
            image = np.asarray(Image.open(file).convert("RGB").resize((428, 240), Image.Resampling.BICUBIC))
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode(None))
    return path


def timed(clip: Path, out: Path, parallel: bool, args: argparse.Namespace) -> dict:
    start = time.perf_counter()
    result = upscale(clip, out, model=args.model, accelerator="cpu", threads=args.threads, overwrite=True,
                     settings=EncodeSettings(preset=args.preset), show_progress=False, parallel=parallel)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "frames": result.frames, "model_seconds": result.model_seconds,
            "encode_seconds": result.encode_seconds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--model", default="swat_3")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--preset", default="medium", help="encoder preset (the CLI's default: medium)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--parkour", type=Path, default=PARKOUR,
                        help="folder of the DAVIS parkour PNG frames (default ../shared/data/train_videos/"
                             "davis_parkour next to the checkout; a git worktree elsewhere must name it)")
    args = parser.parse_args()
    report = {"machine": machine(), "load_before": load_average(), "model": args.model, "threads": args.threads,
              "preset": args.preset, "rounds": args.rounds, "clips": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        clips = {"demo 320x180": DEMO_CLIP, "240p 428x240": make_240p_clip(folder / "parkour_240p.mp4", args.parkour)}
        for name, clip in clips.items():
            timed(clip, folder / "warm.mp4", True, args)  # first compile of the model, caches
            runs: dict[str, list[dict]] = {"serial": [], "pipeline": []}
            for round_ in range(args.rounds):
                order = ["serial", "pipeline"] if round_ % 2 == 0 else ["pipeline", "serial"]
                for mode in order:
                    runs[mode].append(timed(clip, folder / f"{mode}.mp4", mode == "pipeline", args))
            ratios = [s["seconds"] / p["seconds"] for s, p in zip(runs["serial"], runs["pipeline"], strict=True)]
            frames = runs["serial"][0]["frames"]
            entry = {
                "frames": frames,
                "ratio_median": round(statistics.median(ratios), 3),
                "ratios": [round(r, 3) for r in ratios],
                "serial_fps_median": round(frames / statistics.median(r["seconds"] for r in runs["serial"]), 2),
                "pipeline_fps_median": round(frames / statistics.median(r["seconds"] for r in runs["pipeline"]), 2),
                "model_only_fps_median": round(frames / statistics.median(r["model_seconds"]
                                                                          for r in runs["serial"]), 2),
                "encode_only_fps_median": round(frames / statistics.median(r["encode_seconds"]
                                                                           for r in runs["serial"]), 2),
            }
            report["clips"][name] = entry
            print(f"{name}: pipeline {entry['pipeline_fps_median']} fps vs serial {entry['serial_fps_median']} fps "
                  f"end to end, median paired ratio x{entry['ratio_median']} (rounds {entry['ratios']}); model "
                  f"alone {entry['model_only_fps_median']} fps, encoder alone {entry['encode_only_fps_median']} fps "
                  "(stages timed in the serial runs)", flush=True)
    report["load_after"] = load_average()
    print(f"load average before {report['load_before']}, after {report['load_after']}")
    if args.json is not None:
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
