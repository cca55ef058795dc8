"""Our compiled kernels in the benchmark: artifacts (s2-compile output) run
through the runtime's C API (libs2attn_cuda_runtime.so) with ctypes, on torch
tensors and the current stream.
"""
from __future__ import annotations

import ctypes
import glob
import os

MAX_RANK = 8
DTYPE_BF16 = 2


class Tensor(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("data", ctypes.c_void_p),
                ("dtype", ctypes.c_int32), ("rank", ctypes.c_int32),
                ("shape", ctypes.c_int64 * MAX_RANK),
                ("strides", ctypes.c_int64 * MAX_RANK)]


class LaunchArgs(ctypes.Structure):
    _fields_ = [("tensors", ctypes.POINTER(Tensor)), ("num_tensors", ctypes.c_size_t),
                ("scalars", ctypes.c_void_p), ("num_scalars", ctypes.c_size_t),
                ("device", ctypes.c_int32), ("stream", ctypes.c_void_p)]


def find_runtime() -> str | None:
    explicit = os.environ.get("S2ATTN_RUNTIME_LIB")
    if explicit:
        return explicit
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = glob.glob(os.path.join(here, "..", "build*", "**",
                                        "libs2attn_cuda_runtime.so"), recursive=True)
    candidates += glob.glob("/tmp/**/libs2attn_cuda_runtime.so", recursive=True)
    return candidates[0] if candidates else None


class Runtime:
    def __init__(self, path: str):
        self.lib = ctypes.CDLL(path)
        self.lib.s2attn_artifact_open.argtypes = [ctypes.c_char_p,
                                                  ctypes.POINTER(ctypes.c_void_p)]
        self.lib.s2attn_artifact_launch.argtypes = [ctypes.c_void_p,
                                                    ctypes.POINTER(LaunchArgs)]
        self.lib.s2attn_last_error_message.restype = ctypes.c_char_p
        self.lib.s2attn_artifact_destroy.argtypes = [ctypes.c_void_p]

    def check(self, status: int, what: str):
        if status != 0:
            message = self.lib.s2attn_last_error_message().decode()
            raise RuntimeError(f"{what}: status {status}: {message}")

    def open(self, directory: str) -> ctypes.c_void_p:
        handle = ctypes.c_void_p()
        self.check(self.lib.s2attn_artifact_open(directory.encode(),
                                                 ctypes.byref(handle)),
                   f"s2attn_artifact_open({directory})")
        return handle


def describe(name: str, tensor) -> Tensor:
    t = Tensor()
    t.name = name.encode()
    t.data = tensor.data_ptr()
    t.dtype = DTYPE_BF16
    t.rank = tensor.dim()
    for i, size in enumerate(tensor.shape):
        t.shape[i] = size
    return t


def launcher(runtime: Runtime, directory: str, q, k, v, out, stream):
    """A no-argument function that launches the artifact on (q, k, v) -> out,
    all [batch, seq, heads, dim] contiguous bf16 CUDA tensors."""
    handle = runtime.open(directory)
    tensors = (Tensor * 4)(describe("q", q), describe("k", k), describe("v", v),
                           describe("o", out))
    args = LaunchArgs(tensors, 4, None, 0, q.device.index or 0,
                      ctypes.c_void_p(stream.cuda_stream))

    def launch():
        runtime.check(runtime.lib.s2attn_artifact_launch(handle, ctypes.byref(args)),
                      f"s2attn_artifact_launch({directory})")
    launch.keep_alive = (tensors, args, handle)
    return launch
