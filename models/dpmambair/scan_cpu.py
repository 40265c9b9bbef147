"""The training scan on the CPU: scan_cpu.c, built once with gcc, called through ctypes.

`selective_scan_cpu(xs, delta, A, Bt, Ct, D)` has selective_scan_reference's signature and maths
and its gradients for every input. `available()` says whether it can run here (float32 CPU
tensors and a C compiler); `why_unavailable()` says why not. The build is cached by the source's
hash under $XDG_CACHE_HOME/dpmambair (default ~/.cache/dpmambair).
"""
import ctypes
import hashlib
import os
import subprocess
import tempfile

import torch

_SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scan_cpu.c")
_lib = None
_error = None


def _build():
    with open(_SOURCE, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dpmambair")
    so = os.path.join(cache, f"scan_cpu-{digest}.so")
    if not os.path.exists(so):
        os.makedirs(cache, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=cache)   # built aside, renamed: no half-written .so
        os.close(fd)
        cmd = [os.environ.get("CC", "gcc"), "-O3", "-march=native", "-ffast-math", "-fopenmp",
               "-shared", "-fPIC", _SOURCE, "-o", tmp, "-lm"]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True)
        except FileNotFoundError:
            os.unlink(tmp)
            raise RuntimeError(f"no C compiler ({cmd[0]} not found)")
        if run.returncode != 0:
            os.unlink(tmp)
            last = (run.stderr.strip().splitlines() or ["no message"])[-1]
            raise RuntimeError(f"{' '.join(cmd)} failed: {last}")
        os.replace(tmp, so)
    lib = ctypes.CDLL(so)
    P, I = ctypes.c_void_p, ctypes.c_int
    lib.scan_forward.argtypes = [P] * 9 + [I] * 5
    lib.scan_backward.argtypes = [P] * 16 + [I] * 5
    return lib


def _library():
    global _lib, _error
    if _lib is None and _error is None:
        try:
            _lib = _build()
        except (OSError, RuntimeError) as e:
            _error = str(e)
    return _lib


def why_unavailable():
    """None when the compiled scan can run here, else the reason."""
    _library()
    return _error


def available():
    return why_unavailable() is None


def _ptr(t):
    return ctypes.c_void_p(t.data_ptr())


class _SelectiveScan(torch.autograd.Function):
    @staticmethod
    def forward(ctx, xs, delta, A, Bt, Ct, D):
        xs, delta, Bt, Ct, D = (t.contiguous() for t in (xs, delta, Bt, Ct, D))
        AT = A.t().contiguous()
        b, L, Di = xs.shape
        N = A.shape[1]
        y = torch.empty_like(xs)
        hs = torch.empty(b, L, N, Di, dtype=xs.dtype)
        zeros = torch.zeros(N, Di)   # h[-1]; a local, so that it outlives the call
        threads = torch.get_num_threads()
        _lib.scan_forward(*map(_ptr, (xs, delta, AT, Bt, Ct, D, zeros, y, hs)), b, L, Di, N, threads)
        ctx.save_for_backward(xs, delta, AT, Bt, Ct, D, hs)
        return y

    @staticmethod
    def backward(ctx, gy):
        xs, delta, AT, Bt, Ct, D, hs = ctx.saved_tensors
        gy = gy.contiguous()
        b, L, Di = xs.shape
        N = AT.shape[0]
        gx, gdelta = torch.empty_like(xs), torch.empty_like(xs)
        gB, gC = torch.empty_like(Bt), torch.empty_like(Ct)
        gAT = torch.empty(b, N, Di, dtype=xs.dtype)
        gD = torch.empty(b, Di, dtype=xs.dtype)
        scratch = torch.empty(b, N, Di, dtype=xs.dtype)
        zeros = torch.zeros(N, Di)   # h[-1]
        _lib.scan_backward(*map(_ptr, (xs, delta, AT, Bt, Ct, D, zeros, hs, gy, gx, gdelta, gAT, gB, gC, gD, scratch)),
                           b, L, Di, N, torch.get_num_threads())
        return gx, gdelta, gAT.sum(0).t(), gB, gC, gD.sum(0)


def usable_for(*tensors):
    """The compiled scan takes float32 CPU tensors; anything else goes to the PyTorch scan."""
    return all(t.dtype == torch.float32 and t.device.type == "cpu" for t in tensors) and available()


def selective_scan_cpu(xs, delta, A, Bt, Ct, D):
    if not available():
        raise RuntimeError(f"the compiled scan is unavailable: {why_unavailable()}")
    return _SelectiveScan.apply(xs, delta, A, Bt, Ct, D)
