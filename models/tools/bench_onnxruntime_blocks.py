#!/usr/bin/env python3
"""Time ONNX Runtime to each of EfficientNet-Lite0's 16 block outputs.

The peer of `cargo run --release -p linesight-vision --example block_times`:
the same backbone graph (built by reference_patchcore.py from
models/efficientnet-lite0/backbone.safetensors) cut after each block with
onnx.utils.extract_model, and whole to the logits, one 224 x 224 input, best
and median of 200 calls.

    pip install numpy onnx onnxruntime pillow safetensors scikit-image
    python3 models/tools/bench_onnxruntime_blocks.py [--threads 1]
"""
import argparse
import importlib.util
import os
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("rp", os.path.join(HERE, "reference_patchcore.py"))
rp = importlib.util.module_from_spec(spec)
spec.loader.exec_module(rp)

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--threads", type=int, default=1)
args = ap.parse_args()

model = rp.build_backbone()
names = rp.block_output_names(model, tuple(range(16)))
x = np.random.default_rng(0).normal(size=(1, 3, 224, 224)).astype(np.float32)
with tempfile.TemporaryDirectory() as tmp:
    full = os.path.join(tmp, "full.onnx")
    onnx.save(model, full)
    graphs = []
    for k, name in enumerate(names):
        cut = os.path.join(tmp, f"b{k}.onnx")
        onnx.utils.extract_model(full, cut, ["input"], [name])
        graphs.append((f"block {k}", cut))
    graphs.append(("logits", full))
    for label, cut in graphs:
        so = ort.SessionOptions()
        so.intra_op_num_threads = args.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        s = ort.InferenceSession(cut, so, providers=["CPUExecutionProvider"])
        for _ in range(10):
            s.run(None, {"input": x})
        ts = []
        for _ in range(200):
            t = time.perf_counter()
            s.run(None, {"input": x})
            ts.append(time.perf_counter() - t)
        ts.sort()
        print(f"{label}: best {ts[0] * 1e3:.2f} p50 {ts[100] * 1e3:.2f} ms")
