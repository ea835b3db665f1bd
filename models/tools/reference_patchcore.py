#!/usr/bin/env python3
"""Reference PatchCore (as anomalib implements it) on Linesight's backbone.

An independent yardstick for `linesight eval`: PatchCore on EfficientNet-Lite0
(ImageNet weights, models/efficientnet-lite0/backbone.safetensors) with the
same two feature taps and the same input preprocessing as Linesight, but
everything else as anomalib's `PatchcoreModel` / `KCenterGreedy` /
`SparseRandomProjection` do it. numpy + onnxruntime only (no torch, no sklearn).

Features (per image)
  * input: image -> RGB (grayscale / RGBA converted) -> resize of the whole
    image to SIZE x SIZE with PIL BILINEAR (a triangle filter widened when
    downscaling, like the `image` crate's FilterType::Triangle that Linesight
    uses) -> (x - 127) / 128, NCHW float32. No centre crop (anomalib's default
    transform resizes to 256 and centre-crops 224; Linesight squeezes the
    whole image, and this reference follows Linesight here on purpose).
  * backbone taps: the outputs (after the residual add) of MBConv blocks 4 and
    10, 0-based over the 16 blocks after the stem -- Linesight's
    DEFAULT_BLOCKS = [4, 10] (crates/vision/src/patchcore.rs,
    backbone.rs::block_features): 40 ch at stride 8 and 112 ch at stride 16
    (28x28 and 14x14 at 224).
  * anomalib: AvgPool2d(3, 1, 1) on each map (count_include_pad=True: border
    cells are divided by 9), the deeper map bilinearly upsampled
    (align_corners=False) to the first map's size, channels concatenated:
    152-dim embedding per patch.
Memory bank (anomalib KCenterGreedy, coreset_sampling_ratio RATIO)
  * coreset size int(N * RATIO) over all N training patches (all train/good
    images, nothing held out).
  * distances measured after anomalib's SparseRandomProjection(eps=0.9):
    n_components = int(4 ln N / (eps^2/2 - eps^3/3)) (Johnson-Lindenstrauss;
    about 300 for N ~ 157k, i.e. *more* than the 152 input dims, anomalib does
    not cap it), density 1/sqrt(d), entries +-sqrt(1/density)/sqrt(k).
    Rather than materialising the N x k projection this computes the very
    same projected distances as (f-c)^T P^T P (f-c) in the 152-dim space
    (identical up to float rounding, half the memory traffic) whenever k > d.
  * greedy: first centre random (seeded) and -- as in anomalib -- not itself
    part of the coreset; keep a min-distance vector, one centre per step,
    each pick's distance set to 0. float32.
Scoring (anomalib PatchcoreModel)
  * patch score: euclidean distance to the nearest bank entry,
    |x|^2 - 2 x.m + |m|^2, clipped at 0, sqrt (chunked float32 matmul).
  * image score ("reweighted", anomalib compute_anomaly_score, num_neighbors
    9): s* = the max patch score, m* its nearest bank entry, N_b = the 9 bank
    entries nearest m* (m* first), weight = 1 - softmax(|patch - N_b|)[0],
    score = weight * s*. Also reported: the plain max patch score ("max").
AUROC: Mann-Whitney U with average ranks for ties; test/good = 0, every other
test/<defect> = 1; per defect type: good vs that type only.

Install (Python 3.9+):
    pip install numpy onnx onnxruntime pillow safetensors scikit-image
(safetensors and scikit-image are needed only when the backbone graph is
built here from models/efficientnet-lite0/backbone.safetensors via
models/tools/reference_efficientnet_lite0.py; with --onnx, numpy onnx
onnxruntime pillow are enough.)

Usage (from the repository root; DIR in MVTec AD layout: train/good/*,
test/good/*, test/<defect>/*):
    python3 models/tools/reference_patchcore.py /data/mvtec/bottle /data/mvtec/screw
    python3 models/tools/reference_efficientnet_lite0.py --onnx-out /tmp/efficientnet-lite0.onnx
    python3 models/tools/reference_patchcore.py DIR [DIR...] [--onnx /tmp/efficientnet-lite0.onnx] \
        [--size 224] [--ratio 0.1] [--seed 0] [--threads N] [--json OUT.json]
Prints per category: train images, bank size, train seconds (features +
coreset), image AUROC (reweighted), image AUROC (max), and per-defect AUROC.
--ratio 0.026 gives about Linesight's default 4096-entry bank on 200 images.
The k-center loop is O(bank x N x 152): at ratio 0.1 and 200 images at 224
px (N = 156,800) it is ~15.7k matrix-vector products over a 95 MB matrix.
"""
import argparse
import importlib.util
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
BLOCKS = (4, 10)
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")


# ---------------------------------------------------------------- backbone

def build_backbone():
    """The EfficientNet-Lite0 graph of reference_efficientnet_lite0.py, in memory."""
    spec = importlib.util.spec_from_file_location(
        "reference_efficientnet_lite0", os.path.join(HERE, "reference_efficientnet_lite0.py"))
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    from safetensors.numpy import load_file
    return ref.GraphBuilder(load_file(ref.WEIGHTS)).build()


def block_output_names(model, blocks):
    """Tensor after each MBConv block i: the Add consuming block i's project-BN
    output when there is a residual, else that BN output. Found from the
    initializer names (`_blocks.{i}._project_conv.weight`), so it works on the
    in-memory graph and on a saved --onnx-out file alike."""
    consumers = {}
    for n in model.graph.node:
        for x in n.input:
            consumers.setdefault(x, []).append(n)
    names = []
    for b in blocks:
        key = f"_blocks.{b}._project_conv.weight"
        conv = [n for n in model.graph.node if n.op_type == "Conv" and key in n.input]
        assert len(conv) == 1, f"no project conv for block {b}"
        bn = consumers[conv[0].output[0]]
        assert len(bn) == 1 and bn[0].op_type == "BatchNormalization"
        out = bn[0].output[0]
        nxt = consumers.get(out, [])
        if len(nxt) == 1 and nxt[0].op_type == "Add":
            out = nxt[0].output[0]
        names.append(out)
    return names


def tapped(model, blocks):
    """The graph cut after the last tapped block, outputs = the block outputs."""
    names = block_output_names(model, blocks)
    g = model.graph
    need, keep = set(names), []
    for n in reversed(list(g.node)):
        if any(o in need for o in n.output):
            keep.append(n)
            need.update(n.input)
    keep.reverse()
    inits = [i for i in g.initializer if i.name in need]
    outs = [helper.make_tensor_value_info(nm, onnx.TensorProto.FLOAT, None) for nm in names]
    graph = helper.make_graph(keep, g.name + "_taps", list(g.input), outs, inits)
    m = helper.make_model(graph, opset_imports=list(model.opset_import))
    m.ir_version = model.ir_version
    return m, names


def session(model, threads):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


# ---------------------------------------------------------------- features

def load_input(path, size):
    with Image.open(path) as im:
        im = im.convert("RGB")  # grayscale, palette, RGBA -> RGB
        if im.size != (size, size):
            im = im.resize((size, size), Image.BILINEAR)
        px = np.asarray(im, dtype=np.float32)
    return ((px - 127.0) / 128.0).transpose(2, 0, 1)


def avg_pool_3x3_include_pad(x, exclude_pad=False):
    """torch AvgPool2d(3, 1, 1), count_include_pad=True; x: (B, C, H, W).
    exclude_pad (diagnostic, Linesight's avg_pool_3x3): divide by the in-map count."""
    p = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    h, w = x.shape[2:]
    acc = np.zeros_like(x)
    for dy in range(3):
        for dx in range(3):
            acc += p[:, :, dy:dy + h, dx:dx + w]
    if exclude_pad:
        ones = np.pad(np.ones((h, w), np.float32), 1)
        count = sum(ones[dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3))
        return acc / count
    return acc / 9.0


def _bilinear_axis(out, inp):
    """torch bilinear, align_corners=False: source index and weights along one axis."""
    scale = inp / out
    s = np.maximum((np.arange(out, dtype=np.float64) + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(s).astype(np.int64), inp - 1)
    i1 = np.minimum(i0 + 1, inp - 1)
    f = (s - i0).astype(np.float32)
    return i0, i1, f


def resize_bilinear(x, h, w):
    """F.interpolate(x, size=(h, w), mode="bilinear") (align_corners=False); x: (B, C, H, W)."""
    y0, y1, fy = _bilinear_axis(h, x.shape[2])
    x0, x1, fx = _bilinear_axis(w, x.shape[3])
    rows = x[:, :, y0, :] * (1 - fy)[:, None] + x[:, :, y1, :] * fy[:, None]
    return rows[:, :, :, x0] * (1 - fx) + rows[:, :, :, x1] * fx


EXCLUDE_PAD = False  # set by --pool-exclude-pad (diagnostic)


def embeddings(sess, names, paths, size, batch=16):
    """(len(paths), H*W, C) patch embeddings, row-major over the grid."""
    out = []
    for i in range(0, len(paths), batch):
        x = np.stack([load_input(p, size) for p in paths[i:i + batch]])
        feats = sess.run(names, {"input": x})
        feats = [avg_pool_3x3_include_pad(f, EXCLUDE_PAD) for f in feats]
        h, w = feats[0].shape[2:]
        emb = np.concatenate([feats[0]] + [resize_bilinear(f, h, w) for f in feats[1:]], axis=1)
        b, c = emb.shape[:2]
        out.append(np.ascontiguousarray(emb.transpose(0, 2, 3, 1).reshape(b, h * w, c), dtype=np.float32))
    return np.concatenate(out)


# ---------------------------------------------------------------- coreset

def jl_min_dim(n_samples, eps):
    """anomalib SparseRandomProjection._johnson_lindenstrauss_min_dim."""
    return int(4 * np.log(n_samples) / (eps ** 2 / 2 - eps ** 3 / 3))


def sparse_random_matrix(k, d, rng):
    """anomalib's (Li et al.) sparse matrix, (k, d), dense float32."""
    density = 1 / np.sqrt(d)
    m = np.zeros((k, d), dtype=np.float32)
    for i in range(k):
        nnz = rng.binomial(d, density)
        cols = rng.choice(d, size=nnz, replace=False)
        m[i, cols] = rng.integers(0, 2, size=nnz) * 2 - 1
    m *= np.sqrt(1 / density) / np.sqrt(k)
    return m


def k_center_greedy(feats, ratio, seed, eps=0.9, log=None):
    """anomalib KCenterGreedy.select_coreset_idxs on `feats` (N, d) float32."""
    n, d = feats.shape
    size = int(n * ratio)
    rng = np.random.default_rng(seed)
    k = jl_min_dim(n, eps)
    proj = sparse_random_matrix(k, d, rng)
    # Projected squared distance |P(a - b)|^2 = q_a - 2 A_a . B_b + q_b.
    if k <= d:
        a = np.ascontiguousarray(feats @ proj.T)
        b = a
    else:
        gram = (proj.T @ proj).astype(np.float32)  # (d, d) = P^T P
        a = np.ascontiguousarray(feats @ gram)
        b = feats
    q = np.einsum("ij,ij->i", a, b).astype(np.float32)
    if log:
        log(f"  coreset: {n} patches -> {size}, projection {d} -> {k} dims "
            f"({'direct' if k <= d else 'via P^T P'})")
    min_d = None
    dots = np.empty(n, dtype=np.float32)
    idx = int(rng.integers(n))  # anomalib: torch.randint; not added to the coreset
    picked = np.empty(size, dtype=np.int64)
    t0 = time.time()
    for s in range(size):
        np.dot(a, b[idx], out=dots)
        dots *= -2.0
        dots += q
        dots += q[idx]
        np.maximum(dots, 0.0, out=dots)  # squared; argmax order = distance order
        if min_d is None:
            min_d = dots.copy()
        else:
            np.minimum(min_d, dots, out=min_d)
        idx = int(np.argmax(min_d))
        min_d[idx] = 0.0
        picked[s] = idx
        if log and s and s % 2000 == 0:
            log(f"    {s}/{size} picks, {time.time() - t0:.1f} s")
    return picked


def linesight_k_center(feats, cap, projected=64):
    """Diagnostic: Linesight's coreset (crates/vision/src/coreset.rs): a fixed
    splitmix64 Achlioptas projection to 64 dims (+-sqrt(3/64) w.p. 1/6 each),
    greedy k-center on squared distances starting from row 0 (kept), `cap` rows."""
    n, d = feats.shape
    if cap >= n:
        return np.arange(n)
    with np.errstate(over="ignore"):
        golden = np.uint64(0x9E3779B97F4A7C15)
        z = np.uint64(0x9E3779B97F4A7C15) + (np.arange(1, d * projected + 1, dtype=np.uint64) * golden)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    r = (z % np.uint64(6)).astype(np.int64).reshape(d, projected)
    scale = np.float32(np.sqrt(3.0 / projected))
    m = np.where(r == 0, scale, np.where(r == 1, -scale, 0)).astype(np.float32)
    a = np.ascontiguousarray(feats @ m) if d > projected else feats
    q = np.einsum("ij,ij->i", a, a)
    min_d = np.full(n, np.inf, dtype=np.float32)
    dots = np.empty(n, dtype=np.float32)
    picked, idx = [], 0
    while len(picked) < cap:
        picked.append(idx)
        np.dot(a, a[idx], out=dots)
        dots *= -2.0
        dots += q
        dots += q[idx]
        np.minimum(min_d, dots, out=min_d)
        idx = int(np.argmax(min_d))
    return np.array(picked)


def linesight_held_out(n):
    """Indices Linesight's split_held_out keeps out of the bank (every fifth, >= 5)."""
    held = max(n // 5, 5)
    step = n / held
    return {int((k + 0.5) * step) for k in range(held)}


# ---------------------------------------------------------------- scoring

def nearest(queries, bank, bank_sq, chunk=2048):
    """Euclidean distance of each query row to its nearest bank row, and that row's index."""
    dist = np.empty(len(queries), dtype=np.float32)
    loc = np.empty(len(queries), dtype=np.int64)
    for i in range(0, len(queries), chunk):
        x = queries[i:i + chunk]
        d2 = (x * x).sum(1, keepdims=True) - 2.0 * (x @ bank.T) + bank_sq[None, :]
        j = np.argmin(d2, axis=1)
        loc[i:i + chunk] = j
        dist[i:i + chunk] = np.sqrt(np.maximum(d2[np.arange(len(x)), j], 0.0))
    return dist, loc


def euclid(x, y):
    """anomalib euclidean_dist: rows of x against rows of y."""
    d2 = (x * x).sum(-1, keepdims=True) - 2.0 * (x @ y.T) + (y * y).sum(-1)[None, :]
    return np.sqrt(np.maximum(d2, 0.0))


def image_scores(test_emb, bank, num_neighbors=9):
    """(reweighted, max) image scores of (B, P, C) test embeddings."""
    bank_sq = (bank * bank).sum(1)
    b, p, c = test_emb.shape
    dist, loc = nearest(test_emb.reshape(-1, c), bank, bank_sq)
    dist, loc = dist.reshape(b, p), loc.reshape(b, p)
    k = min(num_neighbors, len(bank))
    rew, mx = np.empty(b), np.empty(b)
    for i in range(b):
        at = int(np.argmax(dist[i]))
        s_star = float(dist[i, at])
        mx[i] = s_star
        if num_neighbors == 1:
            rew[i] = s_star
            continue
        m_star = bank[loc[i, at]][None]
        d_nb = euclid(m_star, bank)[0]
        support = np.argpartition(d_nb, k - 1)[:k]
        support = support[np.argsort(d_nb[support], kind="stable")]  # topk: ascending
        d = euclid(test_emb[i, at][None], bank[support])[0].astype(np.float64)
        e = np.exp(d - d.max())
        weight = 1.0 - e[0] / e.sum()
        rew[i] = weight * s_star
    return rew, mx


def auroc(neg, pos):
    """Mann-Whitney U / (n_neg n_pos), ties at average rank."""
    neg, pos = np.asarray(neg, float), np.asarray(pos, float)
    allv = np.concatenate([neg, pos])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(len(allv))
    sv = allv[order]
    i = 0
    while i < len(sv):
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    r_pos = ranks[len(neg):].sum()
    return (r_pos - len(pos) * (len(pos) + 1) / 2.0) / (len(neg) * len(pos))


# ---------------------------------------------------------------- driver

def images_in(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if f.lower().endswith(IMAGE_EXTS))


def run_category(root, sess, names, args, log):
    train = images_in(os.path.join(root, "train", "good"))
    if args.holdout_fifth:  # diagnostic: Linesight's bank images only
        out = linesight_held_out(len(train))
        train = [p for i, p in enumerate(train) if i not in out]
    test_root = os.path.join(root, "test")
    types = sorted(t for t in os.listdir(test_root) if os.path.isdir(os.path.join(test_root, t)))
    assert "good" in types, f"{root}: no test/good"
    t0 = time.time()
    tr = embeddings(sess, names, train, args.size)
    t_feat = time.time() - t0
    feats = tr.reshape(-1, tr.shape[-1])
    if args.linesight_coreset:
        picked = linesight_k_center(feats, args.linesight_coreset)
    else:
        picked = k_center_greedy(feats, args.ratio, args.seed, log=log)
    bank = np.ascontiguousarray(feats[picked])
    t_train = time.time() - t0
    log(f"  train: {len(train)} images, {len(feats)} patches x {feats.shape[1]}, "
        f"features {t_feat:.1f} s, coreset {t_train - t_feat:.1f} s")
    scores = {}
    t1 = time.time()
    for t in types:
        paths = images_in(os.path.join(test_root, t))
        scores[t] = image_scores(embeddings(sess, names, paths, args.size), bank)
    t_test = time.time() - t1
    good = scores.pop("good")
    bad = [s for s in scores.values()]
    result = {
        "category": root, "train_images": len(train), "patches": int(len(feats)),
        "dims": int(feats.shape[1]), "bank": int(len(bank)),
        "features_s": round(t_feat, 2), "train_s": round(t_train, 2), "test_s": round(t_test, 2),
        "auroc_reweighted": auroc(good[0], np.concatenate([s[0] for s in bad])),
        "auroc_max": auroc(good[1], np.concatenate([s[1] for s in bad])),
        "per_defect": {t: {"n": len(s[0]), "reweighted": auroc(good[0], s[0]), "max": auroc(good[1], s[1])}
                       for t, s in scores.items()},
    }
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dirs", nargs="+", metavar="DIR", help="MVTec AD layout category folder")
    ap.add_argument("--onnx", help="EfficientNet-Lite0 ONNX saved by reference_efficientnet_lite0.py "
                                   "--onnx-out (default: build it from backbone.safetensors)")
    ap.add_argument("--size", type=int, default=224, help="input side (default 224)")
    ap.add_argument("--ratio", type=float, default=0.1, help="coreset sampling ratio (default 0.1)")
    ap.add_argument("--seed", type=int, default=0, help="projection and first-centre seed (default 0)")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="onnxruntime threads")
    ap.add_argument("--json", help="also write the results here")
    dg = ap.add_argument_group("diagnostics (Linesight's choices instead of anomalib's)")
    dg.add_argument("--pool-exclude-pad", action="store_true",
                    help="3x3 mean over in-map neighbours only (count_include_pad=False)")
    dg.add_argument("--holdout-fifth", action="store_true",
                    help="leave out Linesight's held-out fifth of train/good from the bank")
    dg.add_argument("--linesight-coreset", type=int, metavar="CAP",
                    help="Linesight's coreset (64-dim projection, start row 0) capped at CAP rows")
    args = ap.parse_args()
    global EXCLUDE_PAD
    EXCLUDE_PAD = args.pool_exclude_pad

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    model = onnx.load(args.onnx) if args.onnx else build_backbone()
    model, names = tapped(model, BLOCKS)
    sess = session(model, args.threads)
    log(f"taps: blocks {BLOCKS} -> tensors {names}")
    results = []
    for d in args.dirs:
        log(f"{d}:")
        r = run_category(d, sess, names, args, log)
        results.append(r)
        print(f"{d}: train {r['train_images']} images, bank {r['bank']} of {r['patches']} patches, "
              f"train {r['train_s']:.1f} s (features {r['features_s']:.1f} s), "
              f"AUROC reweighted {r['auroc_reweighted']:.4f}, max {r['auroc_max']:.4f}", flush=True)
        for t, v in r["per_defect"].items():
            print(f"    {t:<16} n={v['n']:<3} reweighted {v['reweighted']:.4f}  max {v['max']:.4f}", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "results": results}, f, indent=1)
    if len(results) > 1:
        print(f"mean AUROC: reweighted {np.mean([r['auroc_reweighted'] for r in results]):.4f}, "
              f"max {np.mean([r['auroc_max'] for r in results]):.4f}")


if __name__ == "__main__":
    main()
