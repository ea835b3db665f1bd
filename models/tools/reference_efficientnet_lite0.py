#!/usr/bin/env python3
"""Independent reference forward pass of EfficientNet-Lite0 for the Rust port test.

Builds an ONNX graph by hand (onnx.helper) from
models/efficientnet-lite0/backbone.safetensors, checks it with onnx.checker,
runs it with onnxruntime on CPU over scikit-image sample photos, and writes
  tests/fixtures/imagenet/<name>_224.png        (RGB 8-bit, 224x224)
  tests/fixtures/imagenet/reference_logits.json (top-5 + all 1000 logits)
The logits are computed from the pixels *as saved in the PNGs* (re-read from
disk), normalised as (x - 127) / 128 in float32, NCHW.

Architecture (EfficientNet-Lite0, lukemelas key names, no squeeze-excitation):
  stem 3x3/2 conv 32 -> BN -> ReLU6
  16 MBConv blocks: [expand 1x1 -> BN -> ReLU6] -> depthwise kxk/s -> BN -> ReLU6
                    -> project 1x1 -> BN  (+ input when stride 1 and in == out)
  head 1x1 conv 1280 -> BN -> ReLU6 -> global average pool -> fc 1000
BatchNorm epsilon 1e-3, TF "SAME" padding (asymmetric at stride 2, extra
pixel at the bottom/right), encoded as Conv pads=[top, left, bottom, right].

Usage (from the repository root):
  python3 models/tools/reference_efficientnet_lite0.py [--onnx-out /tmp/efficientnet-lite0.onnx]
Requires: numpy onnx onnxruntime scikit-image pillow safetensors
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from safetensors.numpy import load_file
import skimage.data

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WEIGHTS = os.path.join(REPO_ROOT, "models", "efficientnet-lite0", "backbone.safetensors")
FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "imagenet")

INPUT_SIZE = 224
BN_EPS = 1e-3
# (kernel, stride, expand ratio, out channels, repeats)
STAGES = [(3, 1, 1, 16, 1), (3, 2, 6, 24, 2), (5, 2, 6, 40, 2), (3, 2, 6, 80, 3),
          (5, 1, 6, 112, 3), (5, 2, 6, 192, 4), (3, 1, 6, 320, 1)]

# name -> (loader, accepted ImageNet classes)
IMAGES = {
    "chelsea": (skimage.data.chelsea, {281: "tabby", 282: "tiger cat", 285: "Egyptian cat"}),
    "coffee": (skimage.data.coffee, {967: "espresso", 504: "coffee mug", 968: "cup"}),
}


def same_pads(n, k, s):
    """TF 'SAME' padding for one spatial dim: (out, before, after)."""
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


class GraphBuilder:
    def __init__(self, weights):
        self.w = weights
        self.nodes, self.inits, self.used = [], [], set()
        self.block_outputs = []  # tensor name after each MBConv block
        self.n = 0

    def _name(self, prefix):
        self.n += 1
        return f"{prefix}_{self.n}"

    def _init(self, key):
        self.used.add(key)
        self.inits.append(numpy_helper.from_array(self.w[key].astype(np.float32), key))
        return key

    def conv(self, x, size, key, stride, group=1):
        """Conv with TF-SAME padding; returns (output name, output spatial size)."""
        wt = self.w[key + ".weight"]
        k = wt.shape[2]
        assert wt.shape[2] == wt.shape[3]
        out, before, after = same_pads(size, k, stride)
        y = self._name("conv")
        self.nodes.append(helper.make_node(
            "Conv", [x, self._init(key + ".weight")], [y], name=y,
            kernel_shape=[k, k], strides=[stride, stride], group=group,
            pads=[before, before, after, after], dilations=[1, 1]))
        return y, out

    def bn(self, x, key):
        y = self._name("bn")
        ins = [x] + [self._init(f"{key}.{p}") for p in ("weight", "bias", "running_mean", "running_var")]
        self.nodes.append(helper.make_node("BatchNormalization", ins, [y], name=y, epsilon=BN_EPS))
        return y

    def relu6(self, x):
        y = self._name("relu6")
        self.nodes.append(helper.make_node("Clip", [x, "c0", "c6"], [y], name=y))
        return y

    def add(self, a, b):
        y = self._name("add")
        self.nodes.append(helper.make_node("Add", [a, b], [y], name=y))
        return y

    def build(self):
        w = self.w
        x, size = self.conv("input", INPUT_SIZE, "_conv_stem", 2)
        x = self.relu6(self.bn(x, "_bn0"))
        cin = w["_conv_stem.weight"].shape[0]
        idx = 0
        for k, s, e, cout, reps in STAGES:
            for r in range(reps):
                stride = s if r == 0 else 1
                p = f"_blocks.{idx}"
                inp = x
                if e != 1:
                    x, _ = self.conv(x, size, p + "._expand_conv", 1)
                    x = self.relu6(self.bn(x, p + "._bn0"))
                else:
                    assert p + "._expand_conv.weight" not in w
                dw = w[p + "._depthwise_conv.weight"]
                cmid = cin * e
                assert dw.shape == (cmid, 1, k, k), (p, dw.shape, (cmid, 1, k, k))
                x, size = self.conv(x, size, p + "._depthwise_conv", stride, group=cmid)
                x = self.relu6(self.bn(x, p + "._bn1"))
                assert w[p + "._project_conv.weight"].shape == (cout, cmid, 1, 1)
                x, _ = self.conv(x, size, p + "._project_conv", 1)
                x = self.bn(x, p + "._bn2")
                if stride == 1 and cin == cout:
                    x = self.add(x, inp)
                cin = cout
                idx += 1
                self.block_outputs.append(x)
        assert f"_blocks.{idx}._depthwise_conv.weight" not in w, "more blocks than the stage table"
        x, _ = self.conv(x, size, "_conv_head", 1)
        x = self.relu6(self.bn(x, "_bn1"))
        self.nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"], name="gap"))
        self.nodes.append(helper.make_node("Flatten", ["pooled"], ["features"], name="flatten", axis=1))
        self.nodes.append(helper.make_node(
            "Gemm", ["features", self._init("_fc.weight"), self._init("_fc.bias")], ["logits"],
            name="fc", transB=1))
        unused = set(w) - self.used
        assert not unused, f"unused weights: {sorted(unused)}"
        self.inits += [numpy_helper.from_array(np.array(0.0, np.float32), "c0"),
                       numpy_helper.from_array(np.array(6.0, np.float32), "c6")]
        graph = helper.make_graph(
            self.nodes, "efficientnet_lite0",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, INPUT_SIZE, INPUT_SIZE])],
            [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 1000])],
            self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                                  producer_name="linesight reference_efficientnet_lite0.py")
        model.ir_version = 8
        return model


def make_fixture(name, loader):
    """Center-crop to square, resize to 224 bicubic, save PNG; return saved pixels."""
    img = loader()
    assert img.dtype == np.uint8 and img.ndim == 3 and img.shape[2] == 3
    h, w = img.shape[:2]
    s = min(h, w)
    top, left = (h - s) // 2, (w - s) // 2
    crop = Image.fromarray(img[top:top + s, left:left + s], "RGB")
    small = crop.resize((INPUT_SIZE, INPUT_SIZE), Image.BICUBIC)
    path = os.path.join(FIXTURES, f"{name}_224.png")
    small.save(path, format="PNG", optimize=True)
    with Image.open(path) as im:
        assert im.mode == "RGB" and im.size == (INPUT_SIZE, INPUT_SIZE)
        return np.asarray(im, dtype=np.uint8).copy()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--onnx-out", help="also save the ONNX model here (do not commit it)")
    args = ap.parse_args()

    weights = load_file(WEIGHTS)
    model = GraphBuilder(weights).build()
    onnx.checker.check_model(model, full_check=True)
    if args.onnx_out:
        onnx.save(model, args.onnx_out)
        print(f"saved ONNX model to {args.onnx_out}")

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # deterministic reductions
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])

    os.makedirs(FIXTURES, exist_ok=True)
    result = {"model": "efficientnet-lite0",
              "producer": f"onnxruntime {ort.__version__} via models/tools/reference_efficientnet_lite0.py",
              "input": {"size": [INPUT_SIZE, INPUT_SIZE], "layout": "NCHW", "channels": "RGB",
                        "normalisation": "(x - 127) / 128"},
              "images": {}}
    ok = True
    for name, (loader, expected) in IMAGES.items():
        px = make_fixture(name, loader)
        x = ((px.astype(np.float32) - 127.0) / 128.0).transpose(2, 0, 1)[None]
        logits = sess.run(["logits"], {"input": np.ascontiguousarray(x)})[0][0]
        top = np.argsort(-logits, kind="stable")[:5]
        fname = f"{name}_224.png"
        result["images"][fname] = {
            "top5": [[int(i), float(f"{logits[i]:.9g}")] for i in top],
            "logits": [float(f"{v:.9g}") for v in logits],
        }
        p = np.exp(logits - logits.max()); p /= p.sum()
        desc = ", ".join(f"{int(i)}{'*' if int(i) in expected else ''} ({logits[i]:.3f}, p={p[i]:.3f})"
                         for i in top)
        print(f"{fname}: top5 {desc}")
        if int(top[0]) not in expected:
            ok = False
            print(f"  FAIL: top-1 {int(top[0])} not in {expected}", file=sys.stderr)
        else:
            print(f"  OK: top-1 {int(top[0])} = {expected[int(top[0])]}")

    out = os.path.join(FIXTURES, "reference_logits.json")
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {os.path.relpath(out, REPO_ROOT)}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
