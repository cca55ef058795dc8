"""Layer classes in the style of the S2-Attention reference library.

They are torch.nn.Module subclasses when torch is importable (so they sit in
a model like any attention layer) and plain callables otherwise (so numpy
users get the same API).
"""

from __future__ import annotations

from .functional import attention
from .patterns import BlockMask, LocalStride, _check_int

try:  # torch is optional: the CPU path needs only numpy.
    import torch as _torch
    _Base = _torch.nn.Module
except ImportError:  # pragma: no cover - exercised where torch is missing
    _Base = object


class _AttentionLayer(_Base):
    def __init__(self):
        super().__init__()

    def __call__(self, *args, **kwargs):
        if _Base is object:
            return self.forward(*args, **kwargs)
        return super().__call__(*args, **kwargs)


class LocalStrideSparseAttention(_AttentionLayer):
    """S2 attention with the local + vertical-stride pattern.

    forward(q, k, v) takes [batch, seq, heads, dim] (k and v with
    num_kv_heads heads) and returns [batch, seq, heads, dim]. The pattern is
    per-head heterogeneous unless `homo_head`; `head_sliding_offset` shifts
    every head's stripes (vLLM / Phi-3-small use 1); the last
    `num_dense_heads` KV heads attend densely.
    """

    def __init__(self, num_heads, max_seq_len, block_size, local_blocks,
                 vert_stride, *, num_kv_heads=None, num_dense_heads=0,
                 homo_head=False, head_sliding_offset=0, causal=True):
        super().__init__()
        self.num_heads = _check_int("num_heads", num_heads, 1)
        self.num_kv_heads = (self.num_heads if num_kv_heads is None else
                             _check_int("num_kv_heads", num_kv_heads, 1))
        if self.num_heads % self.num_kv_heads:
            raise ValueError(f"num_heads ({num_heads}) must be a multiple of"
                             f" num_kv_heads ({num_kv_heads})")
        self.max_seq_len = _check_int("max_seq_len", max_seq_len, 1)
        self.causal = bool(causal)
        self.pattern = LocalStride(
            block_size, local_blocks, vert_stride,
            head_offset=head_sliding_offset, dense_heads=num_dense_heads,
            homo_head=homo_head)
        self.pattern.validate(self.num_heads, self.num_kv_heads, self.causal)

    def forward(self, q, k, v, *, return_lse=False, q_start=None):
        _check_heads(q, k, self.num_heads, self.num_kv_heads)
        if k.shape[1] > self.max_seq_len:
            raise ValueError(f"sequence length {k.shape[1]} exceeds "
                             f"max_seq_len={self.max_seq_len}")
        return attention(q, k, v, self.pattern, causal=self.causal,
                         return_lse=return_lse, q_start=q_start)

    def extra_repr(self):
        return (f"heads={self.num_heads}, kv_heads={self.num_kv_heads}, "
                f"max_seq_len={self.max_seq_len}, {self.pattern}, "
                f"causal={self.causal}")


class BlockMaskSparseAttention(_AttentionLayer):
    """Attention with an arbitrary [heads_or_1, q_blocks, kv_blocks] block
    mask at block size `block_size` (warns when it is not KV-cache
    efficient)."""

    def __init__(self, block_size, mask, causal=True):
        super().__init__()
        self.pattern = BlockMask(block_size, mask)
        self.causal = bool(causal)

    def forward(self, q, k, v, *, return_lse=False, q_start=None):
        return attention(q, k, v, self.pattern, causal=self.causal,
                         return_lse=return_lse, q_start=q_start)

    def extra_repr(self):
        return f"{self.pattern}, causal={self.causal}"


def _check_heads(q, k, heads, kv_heads):
    if len(q.shape) == 4 and q.shape[2] != heads:
        raise ValueError(f"q has {q.shape[2]} heads; this layer was built "
                         f"for num_heads={heads} (layout [batch, seq, heads,"
                         " dim])")
    if len(k.shape) == 4 and k.shape[2] != kv_heads:
        raise ValueError(f"k has {k.shape[2]} heads; this layer was built "
                         f"for num_kv_heads={kv_heads}")
