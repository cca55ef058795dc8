"""The CPU path: JIT-compile a Config through the C API once per process and
run it on host buffers (numpy arrays or CPU torch tensors)."""

from __future__ import annotations

import ctypes
import os
import threading

from . import _capi, _tensors
from ._config import Config


class CpuKernel:
    """A compiled kernel; freed with the object."""

    def __init__(self, config: Config):
        lib = _capi.capi()
        problem = config.to_problem(num_threads())
        handle = ctypes.c_void_p()
        status = lib.s2attn_capi_compile(ctypes.byref(problem),
                                         ctypes.byref(handle))
        if status != 0:
            _capi.raise_capi_error(status, "cannot compile attention for "
                                   f"{config.key()}")
        self._lib = lib
        self.handle = handle
        self.config = config
        self.compile_seconds = lib.s2attn_capi_kernel_compile_seconds(handle)

    def __del__(self):
        handle = getattr(self, "handle", None)
        if handle:
            self._lib.s2attn_capi_kernel_destroy(handle)

    def run(self, q, k, v):
        """(out, lse) for contiguous q, k, v of the compiled shapes."""
        c = self.config
        out = _tensors.empty_like(q)
        lse = _tensors.empty_like(q, (c.batch, c.heads, c.q_len), f32=True)
        pointers = [_tensors.data_pointer(x) for x in (q, k, v, out, lse)]
        status = self._lib.s2attn_capi_run(self.handle, *pointers)
        if status != 0:
            _capi.raise_capi_error(status, "attention failed")
        return out, lse


def num_threads() -> int:
    """$S2ATTN_NUM_THREADS, or 0 (every core)."""
    value = os.environ.get("S2ATTN_NUM_THREADS", "0")
    try:
        return max(0, int(value))
    except ValueError:
        raise ValueError(f"S2ATTN_NUM_THREADS must be an integer, got "
                         f"{value!r}") from None


_kernels: dict[tuple, CpuKernel] = {}
_lock = threading.Lock()


def kernel_for(config: Config) -> CpuKernel:
    """The cached kernel of `config`, compiled on first use."""
    key = (config.key(), num_threads())
    with _lock:
        kernel = _kernels.get(key)
        if kernel is None:
            kernel = CpuKernel(config)
            _kernels[key] = kernel
        return kernel


def clear_cache() -> None:
    with _lock:
        _kernels.clear()


def cached_kernel_count() -> int:
    with _lock:
        return len(_kernels)


def run(config: Config, q, k, v):
    return kernel_for(config).run(q, k, v)
