#!/usr/bin/env bash
# The flow figures of BENCHMARKS.md: Linesight's line counter beside the
# OpenCV recipe a plant would reach for (MOG2 + contours + centroid
# tracker), counting the same generated entrance recordings in one run.
# Needs Python 3 with: numpy opencv-python-headless
#   (pip install numpy opencv-python-headless)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import numpy, cv2" 2>/dev/null || {
  echo "bench_flow.sh: the OpenCV peer needs: pip install numpy opencv-python-headless" >&2
  exit 1
}
seeds=${1:-10}
cargo build --release --locked -p linesight-cli
cargo build --release --locked -p linesight-datagen --example flow_bench
bin="${CARGO_TARGET_DIR:-target}/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for scene in entrance conveyor; do
  for ((seed = 0; seed < seeds; seed++)); do
    for noise in clean noisy; do
      flag=(); [[ $noise == noisy ]] && flag=(--noisy)
      "$bin/linesight" video "$scene" --seed "$seed" "${flag[@]}" --width 320 --height 240 \
        --out "$work/$scene-$seed-$noise.mjpeg" --truth "$work/$scene-$seed-$noise.json" >/dev/null
    done
  done
done
"$bin/examples/flow_bench" "$work" | tail -1
python3 models/tools/bench_flow_opencv.py "$work" | tail -1
