"""CPU runtime settings for Debian's PyTorch (no torch import here: runs before torch loads)."""
import os
import sys

OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def maybe_reexec():
    """Debian's torch links the reference BLAS (7 GFLOP/s here); OpenBLAS (libopenblas0-pthread)
    is ~10x faster for the token-wise linears. Re-execute this process with it on
    LD_LIBRARY_PATH, if installed (this process only; the system default is untouched).
    Also: OpenBLAS single-threaded (no oversubscription next to torch's OpenMP threads) and
    passive OpenMP waiting: on a shared 2-core machine, spinning threads made a step up to 10x
    slower whenever another process was busy."""
    if os.environ.get("DPM_NO_REEXEC") or ("--device" in sys.argv and "cuda" in sys.argv):
        return
    if os.path.isdir(OPENBLAS) and OPENBLAS not in os.environ.get("LD_LIBRARY_PATH", ""):
        env = dict(os.environ)
        env["LD_LIBRARY_PATH"] = OPENBLAS + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        env["DPM_NO_REEXEC"] = "1"
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
