"""What kind of array an argument is, and its element type, without importing
torch unless the caller already did (a numpy user never pays for it)."""

from __future__ import annotations

import sys

import numpy as np

NUMPY, TORCH_CPU, TORCH_CUDA = "numpy", "torch-cpu", "torch-cuda"
SUPPORTED = "float32, float16 or bfloat16"


def torch_module():
    """torch if it is imported (an argument that is a tensor implies it)."""
    return sys.modules.get("torch")


def is_torch_tensor(value) -> bool:
    torch = torch_module()
    return torch is not None and isinstance(value, torch.Tensor)


def kind_of(value, name: str) -> str:
    if isinstance(value, np.ndarray):
        return NUMPY
    if is_torch_tensor(value):
        return TORCH_CUDA if value.is_cuda else (
            TORCH_CPU if value.device.type == "cpu" else value.device.type)
    raise TypeError(f"{name} must be a numpy array or a torch tensor, got "
                    f"{type(value).__module__}.{type(value).__name__}")


def dtype_name(value, name: str) -> str:
    """'f32', 'f16' or 'bf16'; TypeError naming the argument otherwise."""
    if isinstance(value, np.ndarray):
        names = {"float32": "f32", "float16": "f16", "bfloat16": "bf16"}
        found = value.dtype.name
    else:
        torch = torch_module()
        names = {torch.float32: "f32", torch.float16: "f16",
                 torch.bfloat16: "bf16"}
        found = value.dtype
    if found not in names:
        raise TypeError(f"{name} has dtype {found}; expected {SUPPORTED}")
    return names[found]


def contiguous(value):
    """A C-contiguous version (a copy only when needed): the kernels read
    dense row-major [batch, seq, heads, dim] buffers."""
    if isinstance(value, np.ndarray):
        return np.ascontiguousarray(value)
    return value.contiguous()


def data_pointer(value) -> int:
    if isinstance(value, np.ndarray):
        return value.ctypes.data
    return value.data_ptr()


def empty_like(value, shape=None, f32=False):
    """An uninitialised array of the same kind and device."""
    if isinstance(value, np.ndarray):
        return np.empty(value.shape if shape is None else shape,
                        np.float32 if f32 else value.dtype)
    torch = torch_module()
    return torch.empty(tuple(value.shape) if shape is None else shape,
                       dtype=torch.float32 if f32 else value.dtype,
                       device=value.device)
