#!/usr/bin/env bash
# The inspection figures of BENCHMARKS.md: `linesight bench` beside ONNX
# Runtime running the same backbone on the same images, in one run.
# Needs Python 3 with: numpy onnx onnxruntime pillow safetensors scikit-image
#   (pip install numpy onnx onnxruntime pillow safetensors scikit-image)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import numpy, onnx, onnxruntime, PIL, safetensors, skimage" 2>/dev/null || {
  echo "bench.sh: the ONNX Runtime peer needs: pip install numpy onnx onnxruntime pillow safetensors scikit-image" >&2
  exit 1
}
cargo build --release --locked -p linesight-cli
linesight="${CARGO_TARGET_DIR:-target}/release/linesight"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$linesight" synth "$work" washer --train 10 --test-good 20 --per-type 1 --seed 3 >/dev/null
images="$work/washer/test/good"
python3 models/tools/bench_onnxruntime.py --dir "$images" --out "$work/ort.json"
"$linesight" bench --dir "$images" --model models/demo-washer --peer "$work/ort.json" "$@"
