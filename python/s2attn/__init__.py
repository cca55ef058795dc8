"""s2attn: S2-Attention (block-sparse attention, arXiv 2407.17678) compiled
with MLIR.

    import s2attn
    out = s2attn.attention(q, k, v, s2attn.LocalStride(block=64, local=16,
                                                       stride=8))

numpy arrays and CPU torch tensors run through the CPU JIT (needs the
compiler's C API, libs2attn_capi.so); CUDA torch tensors run through compiled
GPU artifacts and the runtime (libs2attn_cuda_runtime.so). See docs/python.md.
"""

from __future__ import annotations

from . import _capi, _cpu, _gpu
from .functional import attention, combine_partitions, config_from_shapes
from .modules import BlockMaskSparseAttention, LocalStrideSparseAttention
from .patterns import BlockMask, Dense, LocalStride, Pattern
from .render import pattern_svg

__version__ = "0.1.0"

NativeLibraryError = _capi.NativeLibraryError
load_artifacts = _gpu.load_artifacts
registered_artifacts = _gpu.registered_artifacts
cache_dir = _gpu.cache_dir


def compile_gpu_artifact(q_shape, kv_shape, dtype, pattern, out_dir, *,
                         causal=True, scale=None, q_start=None,
                         chip="sm_90a"):
    """Compiles the GPU kernel of a problem given by shapes into `out_dir`
    (needs the compiler: run it where MLIR is installed, then carry the
    directory to the GPU machine and load it with load_artifacts). `dtype`
    is 'bf16' or 'f16'. Returns the directory."""
    names = {"bfloat16": "bf16", "float16": "f16", "bf16": "bf16",
             "f16": "f16"}
    key = str(dtype).replace("torch.", "")
    if key not in names:
        raise TypeError(f"dtype {dtype!r} is not supported by the GPU "
                        "backend; expected 'bf16' or 'f16'")
    config = config_from_shapes(q_shape, kv_shape, names[key], pattern,
                                causal, scale, q_start)
    return _gpu.compile_artifact(config, out_dir, chip)


def clear_cache() -> None:
    """Drops the in-process compiled CPU kernels (the disk cache stays)."""
    _cpu.clear_cache()


def cpu_available() -> bool:
    """Whether the CPU path (libs2attn_capi.so, hence MLIR) loads here."""
    return _capi.capi_available()


__all__ = [
    "attention", "combine_partitions", "LocalStride", "BlockMask", "Dense",
    "Pattern", "LocalStrideSparseAttention", "BlockMaskSparseAttention",
    "pattern_svg", "load_artifacts", "registered_artifacts",
    "compile_gpu_artifact", "cache_dir", "clear_cache", "cpu_available",
    "NativeLibraryError",
]
