"""Weights files (docs/model-spec.md, section "Weights file"), written by hand (no pip).

safetensors layout: 8-byte little-endian header length n, n bytes of JSON header
({name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}),
padded with spaces to a multiple of 8, then the raw little-endian tensor data.
"""
import hashlib
import json
import os
import struct

import numpy as np
import torch

FORMAT = "dpmambair-weights/1"


def write_safetensors(path, tensors, metadata=None):
    """tensors: dict name -> torch.Tensor or np.ndarray (written as float32, names sorted)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        if isinstance(t, torch.Tensor):
            t = t.detach().cpu().to(torch.float32).contiguous().numpy()
        arr = np.ascontiguousarray(np.asarray(t, dtype="<f4"))
        data = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path):
    """Returns (dict name -> torch.float32 tensor, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    base = 8 + n
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} has dtype {info['dtype']}, expected F32")
        b, e = info["data_offsets"]
        arr = np.frombuffer(raw[base + b:base + e], dtype="<f4").reshape(info["shape"]).copy()
        out[name] = torch.from_numpy(arr)
    return out, meta


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_weights(model, directory, name, training=None, json_name=None):
    """Write `<name>.safetensors` and `<json_name or name>.json` (format, config, files, training)."""
    os.makedirs(directory, exist_ok=True)
    st_name = f"{name}.safetensors"
    st_path = os.path.join(directory, st_name)
    write_safetensors(st_path, model.state_dict())
    doc = {
        "format": FORMAT,
        "config": model.cfg,
        "files": {st_name: sha256_file(st_path)},
        "training": training if training is not None else {},
    }
    json_path = os.path.join(directory, f"{json_name or name}.json")
    tmp = json_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, json_path)
    return st_path, json_path


def load_weights(json_path, verify=True):
    """Read `<name>.json` and its safetensors; returns a DPMambaIR in eval mode and the json doc."""
    from .model import DPMambaIR

    with open(json_path) as f:
        doc = json.load(f)
    if doc.get("format") != FORMAT:
        raise ValueError(f"{json_path}: format {doc.get('format')!r} != {FORMAT!r}")
    (st_name, sha), = doc["files"].items()
    st_path = os.path.join(os.path.dirname(json_path), st_name)
    if verify and sha256_file(st_path) != sha:
        raise ValueError(f"{st_path}: sha256 mismatch")
    tensors, _ = read_safetensors(st_path)
    model = DPMambaIR(doc["config"])
    missing = set(model.state_dict()) ^ set(tensors)
    if missing:
        raise ValueError(f"{st_path}: names differ from the model: {sorted(missing)[:10]}")
    model.load_state_dict(tensors)
    model.eval()
    return model, doc
