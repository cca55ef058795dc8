"""A float64 oracle written directly from SPEC.md, independent of the
package (it shares no code with s2attn.patterns), for the tests."""

import math

import numpy as np


def local_stride_blocks(heads, kv_heads, q_blocks, kv_blocks, *, block,
                        local, stride, causal=True, right=None,
                        head_step=None, head_offset=0, dense_heads=0,
                        homo_head=False, relative=None):
    """blk(g, bq, bk) of SPEC section 2 for every query head: bool
    [heads, q_blocks, kv_blocks]."""
    del block
    r_window = 1 if causal else (local if right is None else right)
    step = max(1, stride // heads) if head_step is None else head_step
    relative = (not causal) if relative is None else relative
    sparse = kv_heads - dense_heads
    group = heads // kv_heads
    out = np.zeros((heads, q_blocks, kv_blocks), bool)
    for h in range(heads):
        g = 0 if homo_head else h // group
        for bq in range(q_blocks):
            for bk in range(kv_blocks):
                if g >= sparse:
                    vert = True
                elif relative:
                    left_gap = max(0, bq - bk - local + 1)
                    right_gap = max(0, bk - bq - r_window + 1)
                    vert = (left_gap + right_gap) % stride == 0
                else:
                    vert = (bk + g * step + head_offset) % stride == 0
                loc = bq - bk < local and bk - bq < r_window
                out[h, bq, bk] = (vert or loc) and (not causal or bq >= bk)
    return out


def mask_blocks(mask, heads, kv_heads, causal):
    """SPEC section 3: a [1 | kv_heads | heads, qb, kb] mask per query head."""
    m = mask.shape[0]
    rows = [0 if m == 1 else (h if m == heads else h // (heads // kv_heads))
            for h in range(heads)]
    out = mask[rows].astype(bool)
    if causal:
        qb, kb = mask.shape[1:]
        out &= np.arange(qb)[:, None] >= np.arange(kb)[None, :]
    return out


def attention(q, k, v, blocks, block, *, causal=True, scale=None,
              q_start=None, kv_start=0):
    """(out, lse) in float64; `blocks` is blk per query head over absolute
    blocks (large enough for every position)."""
    q, k, v = (np.asarray(x, np.float64) for x in (q, k, v))
    batch, q_len, heads, dim = q.shape
    kv_len, kv_heads = k.shape[1], k.shape[2]
    scale = 1.0 / math.sqrt(dim) if scale is None else scale
    if q_start is None:
        q_start = kv_start + kv_len - q_len if causal else kv_start
    p_q = q_start + np.arange(q_len)
    p_k = kv_start + np.arange(kv_len)
    out = np.zeros_like(q)
    lse = np.zeros((batch, heads, q_len))
    for h in range(heads):
        g = h // (heads // kv_heads)
        attend = blocks[h][p_q[:, None] // block, p_k[None, :] // block]
        if causal:
            attend = attend & (p_k[None, :] <= p_q[:, None])
        assert attend.any(axis=1).all(), "a row attends no key"
        for b in range(batch):
            scores = scale * q[b, :, h] @ k[b, :, g].T
            scores = np.where(attend, scores, -np.inf)
            peak = scores.max(axis=1, keepdims=True)
            weights = np.exp(scores - peak)
            total = weights.sum(axis=1, keepdims=True)
            out[b, :, h] = (weights / total) @ v[b, :, g]
            lse[b, h] = (np.log(total) + peak)[:, 0]
    return out, lse
