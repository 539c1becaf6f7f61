#!/usr/bin/env bash
# Rebuilds the bundled mobilerrn_16 (int8 + fp16) from the published MAI 2022 MobileRRN-16 (Apache-2.0, MediaTek):
# import into the zoo, export FP16 with our exporter and contract, INT8 by quantization-aware fine-tuning of the import
# (training/configs/product/mobilerrn_16_qat.yaml: equalized graph, ranges starting from PTQ's calibration, distilled
# from the float model), measure on the val protocol next to the published file, write licence/source/attribution into
# the cards. Usage (from the project root or anywhere): scripts/build_mobilerrn_16.sh
# (the import goes to runs/mrrn16_init and the QAT run to runs/mrrn16_qat: the paths the QAT config reads/writes).
# The QAT step (compress) took 4.4 CPU-minutes here on one TF thread (run with --threads 1; default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
run=runs/mrrn16_init
qat=runs/mrrn16_qat
published=../shared/models/mai22_mobilerrn_16.tflite
dest=python/mobilevsr_rt/models
mobilevsr-train import "$published" --as mobilerrn_16 -o "$run"
mobilevsr-train export "$run" --precision fp16 --frame-size 180x320 -o "$dest/mobilerrn_16_fp16.tflite" \
  --val-data ../shared/data/val_videos
mobilevsr-train compress training/configs/product/mobilerrn_16_qat.yaml --output "$qat"
cp "$qat/1_qat_int8.tflite" "$dest/mobilerrn_16_int8.tflite"
cp "$qat/1_qat_int8.card.json" "$dest/mobilerrn_16_int8.card.json"
mobilevsr-train report "$published" "$dest/mobilerrn_16_int8.tflite" "$dest/mobilerrn_16_fp16.tflite" \
  --data ../shared/data/val_videos --frames 10 --crop 536x960 --output reports/mobilerrn_16_val
python scripts/card_provenance.py "$dest/mobilerrn_16_int8.card.json" "$dest/mobilerrn_16_fp16.card.json" \
  --licence Apache-2.0 \
  --source "https://github.com/MediaTek-NeuroPilot/mai22-real-time-video-sr @ f49d6f5, snapshot/mobile_rrn_16/rrn_16.tflite (sha256 $(sha256sum "$published" | cut -d' ' -f1))" \
  --attribution "MobileRRN-16, official baseline of the Mobile AI 2022 Real-Time Video Super-Resolution Challenge, by MediaTek (MediaTek-NeuroPilot); Ignatov et al. 2022, after RRN (Isobe et al. 2020)" \
  --changes "float32 weights imported (mobilevsr-train import ... --as mobilerrn_16; biases / 255 so the model reads and writes [0, 1] pixels: the same function), exported at 180x320 by mobilevsr-train with the model contract; fp16: the imported weights unchanged, stored as fp16; int8: full-integer, weights changed by quantization-aware fine-tuning (mobilevsr-train compress training/configs/product/mobilerrn_16_qat.yaml): the exporter's exact per-channel range equalization of conv outputs, activation ranges calibrated on 8 clips x 6 frames of ../shared/data/train_videos (the starting point of tfmot's moving-average ranges), 300 Adam steps at learning rate 3e-5 (Charbonnier loss; batches of 4 clips of 4 frames, 48x48 LR patches from ../shared/data/train_videos) with the imported float model's output as the target, then converted with the learnt ranges" \
  --published-report reports/mobilerrn_16_val.csv
# CPU latency of our INT8 next to the published FP32, alternating so both see the same machine load.
for round in 1 2 3; do
  for model in "$published" "$dest/mobilerrn_16_int8.tflite"; do
    mobilevsr-rt bench "$model" --accelerator cpu --threads 2 --frames 60 --warmup 10 | grep -E "\"(model|median_ms)\"" || true
  done
done
cat reports/mobilerrn_16_val.md
