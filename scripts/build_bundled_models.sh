#!/usr/bin/env bash
# Rebuilds the models bundled in python/mobilevsr_rt/models/ from a product training run, and their quality report.
# Usage: scripts/build_bundled_models.sh MODEL RUN_DIR        e.g. scripts/build_bundled_models.sh elsr runs/product/elsr
# Train first with: mobilevsr-train fit training/configs/product/MODEL.yaml [--output RUN_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=$1
run=$2
dest=python/mobilevsr_rt/models
mkdir -p "$dest" reports
for precision in int8 fp16; do
  mobilevsr-train export "$run" --precision "$precision" --frame-size 180x320 -o "$dest/${model}_${precision}.tflite" \
    --calib-data ../shared/data/train_videos --val-data ../shared/data/val_videos  # explicit: independent of cwd
done
# Y-PSNR / SSIM (BT.601, BI x4) on the validation clips, next to bicubic, through the runtime for the .tflite files;
# a 536x960 HR centre crop fits both clips (the runtime resizes the fully convolutional models to 134x240).
# --anchors: bicubic and the public baselines (MobileRRN-16, SWRN) as rows; --per-frame: gain over bicubic per frame.
mobilevsr-train report "$run" "$dest/${model}_int8.tflite" "$dest/${model}_fp16.tflite" --anchors --per-frame \
  --data ../shared/data/val_videos --frames 10 --crop 536x960 --output "reports/${model}_val"
# The cards carry that table too: quality vs float, vs bicubic and vs the public baselines, measured the same way.
python scripts/card_val_report.py "$dest/${model}_int8.card.json" "$dest/${model}_fp16.card.json" \
  --report "reports/${model}_val.csv"
cat "reports/${model}_val.md"
