#!/usr/bin/env bash
# Redraws README's quality-vs-speed chart: every bundled model (python/mobilevsr_rt/models/*.tflite) next to bicubic
# and the public baselines (MobileRRN-16, SWRN from ../shared/models), all run by the runtime on the CPU.
# Quality: Y-PSNR on ../shared/data/val_videos, first 10 frames per clip, 536x960 HR centre crop (the protocol of
# reports/*_val.md). Speed: `mobilevsr-rt bench` median on 2 CPU threads at each model's own 720p-output size, the
# models taking turns over 3 rounds. Writes reports/pareto/bundled_vs_public{.md,.csv,.json,_per_frame.*,_pareto.*,
# _per_frame_gain.*}. Usage: scripts/make_pareto_chart.sh [extra report options]
set -euo pipefail
cd "$(dirname "$0")/.."
models=$(python -c "import mobilevsr_rt; print(' '.join(m.path.stem for m in mobilevsr_rt.list_bundled_models()))")
mkdir -p reports/pareto
# shellcheck disable=SC2086  # one word per bundled model
mobilevsr-train report $models --anchors --anchors-dir ../shared/models --data ../shared/data/val_videos \
  --frames 10 --crop 536 960 --plot --speed-frames 30 --speed-threads 2 --output reports/pareto/bundled_vs_public "$@"
