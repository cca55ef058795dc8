"""s2attn.attention and s2attn.combine_partitions."""

from __future__ import annotations

import math
import numbers
from types import SimpleNamespace
from typing import Optional

import numpy as np

from . import _cpu, _gpu, _tensors
from ._config import Config
from .patterns import Pattern


def _check_rank4(value, name: str, layout: str):
    if len(value.shape) != 4:
        raise ValueError(f"{name} must have shape {layout}, got "
                         f"{tuple(value.shape)}")
    if 0 in tuple(value.shape):
        raise ValueError(f"{name} has an empty dimension: "
                         f"{tuple(value.shape)}")


def _check_shapes(q, k, v) -> tuple:
    _check_rank4(q, "q", "[batch, q_len, heads, head_dim]")
    _check_rank4(k, "k", "[batch, kv_len, kv_heads, head_dim]")
    _check_rank4(v, "v", "[batch, kv_len, kv_heads, head_dim]")
    batch, q_len, heads, head_dim = tuple(q.shape)
    if tuple(v.shape) != tuple(k.shape):
        raise ValueError(f"v must have k's shape {tuple(k.shape)}, got "
                         f"{tuple(v.shape)}")
    kv_batch, kv_len, kv_heads, kv_dim = tuple(k.shape)
    if kv_batch != batch:
        raise ValueError(f"k has batch {kv_batch} but q has batch {batch}")
    if kv_dim != head_dim:
        raise ValueError(f"k has head_dim {kv_dim} but q has {head_dim}")
    if heads % kv_heads:
        raise ValueError(f"q's heads ({heads}) must be a multiple of k's "
                         f"kv_heads ({kv_heads}) for grouped-query attention")
    return batch, q_len, kv_len, heads, kv_heads, head_dim


def _check_kinds(q, k, v) -> tuple[str, str]:
    """The common array kind (numpy / torch-cpu / torch-cuda) and dtype."""
    kinds = {name: _tensors.kind_of(x, name)
             for name, x in (("q", q), ("k", k), ("v", v))}
    if len(set(kinds.values())) != 1:
        raise TypeError("q, k and v must be the same kind of array on the "
                        f"same device, got {kinds}")
    kind = kinds["q"]
    if kind not in (_tensors.NUMPY, _tensors.TORCH_CPU, _tensors.TORCH_CUDA):
        raise TypeError(f"tensors on device type {kind!r} are not supported;"
                        " expected CPU or CUDA")
    if kind == _tensors.TORCH_CUDA and len({str(x.device)
                                            for x in (q, k, v)}) != 1:
        raise ValueError("q, k and v must be on the same CUDA device, got "
                         f"{q.device}, {k.device}, {v.device}")
    dtypes = {name: _tensors.dtype_name(x, name)
              for name, x in (("q", q), ("k", k), ("v", v))}
    if len(set(dtypes.values())) != 1:
        raise TypeError(f"q, k and v must share one dtype, got {dtypes}")
    return kind, dtypes["q"]


def _check_options(pattern, causal, scale, q_start):
    if not isinstance(pattern, Pattern):
        raise TypeError("pattern must be s2attn.LocalStride, BlockMask or "
                        f"Dense, got {type(pattern).__name__}")
    if not isinstance(causal, (bool, np.bool_)):
        raise TypeError(f"causal must be a bool, got {causal!r}")
    if scale is not None:
        if (isinstance(scale, bool) or not isinstance(scale, numbers.Real)
                or not math.isfinite(scale) or scale <= 0):
            raise ValueError(f"scale must be a positive finite number or "
                             f"None, got {scale!r}")
    if q_start is not None:
        if isinstance(q_start, bool) or not isinstance(q_start,
                                                       numbers.Integral):
            raise TypeError(f"q_start must be an int or None, got "
                            f"{q_start!r}")
        if q_start < 0:
            raise ValueError(f"q_start must be >= 0, got {q_start}")


def make_config(q, k, v, pattern, causal=True, scale=None,
                q_start=None) -> tuple[str, Config]:
    """Checks every argument and returns (array kind, Config)."""
    kind, dtype = _check_kinds(q, k, v)
    return kind, config_from_shapes(q.shape, k.shape, dtype, pattern, causal,
                                    scale, q_start, v_shape=v.shape)


def config_from_shapes(q_shape, kv_shape, dtype: str, pattern, causal=True,
                       scale=None, q_start=None, v_shape=None) -> Config:
    """The Config of a problem given by shapes (no arrays needed)."""
    shaped = [SimpleNamespace(shape=tuple(s))
              for s in (q_shape, kv_shape, v_shape or kv_shape)]
    batch, q_len, kv_len, heads, kv_heads, head_dim = _check_shapes(*shaped)
    _check_options(pattern, causal, scale, q_start)
    pattern.validate(heads, kv_heads, bool(causal))
    return Config(batch, q_len, kv_len, heads, kv_heads, head_dim, dtype,
                  pattern, bool(causal),
                  None if scale is None else float(scale),
                  None if q_start is None else int(q_start))


def attention(q, k, v, pattern: Pattern, *, causal: bool = True,
              scale: Optional[float] = None, return_lse: bool = False,
              q_start: Optional[int] = None):
    """Block-sparse attention as in SPEC.md.

    q: [batch, q_len, heads, head_dim]; k, v: [batch, kv_len, kv_heads,
    head_dim] with heads a multiple of kv_heads (GQA). numpy arrays and CPU
    torch tensors (float32, float16, bfloat16) run on the CPU through the
    JIT; CUDA torch tensors (float16, bfloat16, head_dim 64/128) run through
    a compiled GPU artifact on torch.cuda.current_stream(). Non-contiguous
    inputs are copied to contiguous ones first.

    `scale` defaults to 1/sqrt(head_dim); `q_start` (absolute position of
    the first query) defaults to kv_len - q_len when causal (decoding /
    prefill with a cache) and 0 otherwise.

    Returns out (q's shape and dtype), or (out, lse) with lse
    [batch, heads, q_len] float32 natural-log sums when `return_lse`.
    """
    kind, config = make_config(q, k, v, pattern, causal, scale, q_start)
    q, k, v = (_tensors.contiguous(x) for x in (q, k, v))
    if kind == _tensors.TORCH_CUDA:
        out, lse = _gpu.run(config, q, k, v)
    else:
        out, lse = _cpu.run(config, q, k, v)
    return (out, lse) if return_lse else out


def _split_partitions(partitions):
    if len(partitions) == 1 and isinstance(partitions[0], (list, tuple)) \
            and partitions[0] and isinstance(partitions[0][0], (list, tuple)):
        partitions = tuple(partitions[0])
    if not partitions:
        raise ValueError("combine_partitions needs at least one (out, lse) "
                         "pair")
    for index, part in enumerate(partitions):
        if not isinstance(part, (list, tuple)) or len(part) != 2:
            raise TypeError(f"partition {index} must be an (out, lse) pair, "
                            f"got {type(part).__name__}")
    outs = [part[0] for part in partitions]
    lses = [part[1] for part in partitions]
    for index, (out, lse) in enumerate(zip(outs, lses)):
        if len(out.shape) != 4:
            raise ValueError(f"partition {index}: out must be [batch, q_len,"
                             f" heads, head_dim], got {tuple(out.shape)}")
        batch, q_len, heads, _ = tuple(out.shape)
        if tuple(lse.shape) != (batch, heads, q_len):
            raise ValueError(f"partition {index}: lse must be {(batch, heads, q_len)}"
                             f" to match out, got {tuple(lse.shape)}")
        if tuple(out.shape) != tuple(outs[0].shape):
            raise ValueError(f"partition {index}: out has shape "
                             f"{tuple(out.shape)}, partition 0 has "
                             f"{tuple(outs[0].shape)}")
    return outs, lses


def combine_partitions(*partitions):
    """Merges attention results over disjoint KV chunks (context / sequence
    parallelism, chunked prefill) exactly:

        LSE = log sum_p exp(LSE_p),   O = sum_p exp(LSE_p - LSE) O_p

    Takes (out, lse) pairs as arguments or one list of them (numpy arrays or
    torch tensors, as attention(..., return_lse=True) returns) and returns
    (out, lse) with out in partition 0's dtype and lse in float32. Rows that
    no partition attends (all LSE_p = -inf) come out as zeros with -inf LSE.
    """
    outs, lses = _split_partitions(partitions)
    if all(isinstance(x, np.ndarray) for x in outs + lses):
        return _combine_numpy(outs, lses)
    if all(_tensors.is_torch_tensor(x) for x in outs + lses):
        return _combine_torch(outs, lses)
    raise TypeError("combine_partitions takes all numpy arrays or all torch "
                    "tensors")


def _combine_numpy(outs, lses):
    lse = np.stack([np.asarray(x, np.float64) for x in lses])  # [P, B, H, L]
    peak = lse.max(axis=0)
    safe_peak = np.where(np.isfinite(peak), peak, 0.0)
    with np.errstate(divide="ignore"):  # rows no partition attends: -inf
        total = np.log(np.exp(lse - safe_peak).sum(axis=0)) + safe_peak
    weights = np.exp(lse - np.where(np.isfinite(total), total, 0.0))
    weights = np.where(np.isfinite(total), weights, 0.0)
    # weights [P, B, H, L] -> [P, B, L, H, 1] to scale out [B, L, H, D].
    weights = weights.transpose(0, 1, 3, 2)[..., None]
    combined = sum(w * o.astype(np.float64) for w, o in zip(weights, outs))
    return combined.astype(outs[0].dtype), total.astype(np.float32)


def _combine_torch(outs, lses):
    import torch
    lse = torch.stack([x.float() for x in lses])
    total = torch.logsumexp(lse, dim=0)
    finite = torch.isfinite(total)
    weights = torch.exp(lse - torch.where(finite, total,
                                          torch.zeros_like(total)))
    weights = torch.where(finite, weights, torch.zeros_like(weights))
    weights = weights.permute(0, 1, 3, 2).unsqueeze(-1)
    combined = sum(w * o.float() for w, o in zip(weights, outs))
    return combined.to(outs[0].dtype), total
