#!/usr/bin/env python3
"""The peer of `linesight bench`: the same EfficientNet-Lite0 in ONNX Runtime.

Builds the ONNX graph from models/efficientnet-lite0/backbone.safetensors with
the reference script's builder (the graph the port test checks logits
against), and times ONNX Runtime (CPU, all cores, full graph optimisation) on
the same images as `linesight bench`, preprocessed the same way. Writes JSON
that `linesight bench --peer` sets beside its own figures.

Usage: python3 models/tools/bench_onnxruntime.py --dir IMAGES --out ort.json
Requires: numpy onnx onnxruntime pillow safetensors (scikit-image for the import)
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from PIL import Image
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(__file__))
from reference_efficientnet_lite0 import INPUT_SIZE, WEIGHTS, GraphBuilder  # noqa: E402

WARM_UP = 5
FEATURE_BLOCKS = (4, 10)  # linesight_vision::patchcore::DEFAULT_BLOCKS


def load_images(folder, count):
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith((".png", ".jpg", ".jpeg")))[:count]
    if not names:
        sys.exit(f"no PNG or JPEG images in {folder}")
    out = []
    for n in names:
        with Image.open(os.path.join(folder, n)) as im:
            im = im.convert("RGB").resize((INPUT_SIZE, INPUT_SIZE), Image.BILINEAR)
            x = (np.asarray(im, np.float32) - 127.0) / 128.0
            out.append(np.ascontiguousarray(x.transpose(2, 0, 1)))
    return out


def session(model, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def timed(name, batch, runs, call):
    for i in range(WARM_UP):
        call(i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        call(i)
        samples.append(time.perf_counter() - start)
    samples.sort()
    q = lambda p: samples[round((len(samples) - 1) * p)] * 1e3
    fig = {"name": name, "batch": batch, "p50_ms": q(0.5), "p95_ms": q(0.95),
           "images_per_s": batch * runs / sum(samples)}
    print(f"{name:<44} batch {batch}: p50 {fig['p50_ms']:.1f} ms, p95 {fig['p95_ms']:.1f} ms, "
          f"{fig['images_per_s']:.1f} images/s", file=sys.stderr)
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--images", type=int, default=20)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    builder = GraphBuilder(load_file(WEIGHTS))
    full = builder.build()
    onnx.checker.check_model(full)
    outputs = [builder.block_outputs[b] for b in FEATURE_BLOCKS]
    features = onnx.utils.Extractor(onnx.shape_inference.infer_shapes(full)).extract_model(["input"], outputs)

    images = load_images(args.dir, args.images)
    one = lambda i: images[i % len(images)][None]
    eight = lambda i: np.stack([images[(i * 8 + k) % len(images)] for k in range(8)])
    s_full, s_feat = session(full, args.threads), session(features, args.threads)
    runs = max(args.runs, 1)
    figures = [
        timed("backbone to logits (ImageNet head)", 1, runs, lambda i: s_full.run(None, {"input": one(i)})),
        timed("backbone to logits (ImageNet head)", 8, -(-runs // 8),
              lambda i: s_full.run(None, {"input": eight(i)})),
        timed("backbone to block 10 (anomaly features)", 1, runs,
              lambda i: s_feat.run(None, {"input": one(i)})),
    ]
    with open(args.out, "w") as f:
        json.dump({"runtime": f"ONNX Runtime {ort.__version__}", "threads": args.threads,
                   "figures": figures}, f, indent=2)


if __name__ == "__main__":
    main()
