"""S2-Attention block patterns for the benchmarks (SPEC section 2).

Causal, absolute vertical stripes, query heads == KV heads, head_offset 0,
head_step = max(1, V // heads). A query block bq attends key block bk of head g
when bk <= bq and either bq - bk < L (local) or (bk + g*head_step + head_offset)
% V == 0 (vertical); tokens additionally need key position <= query position.

Everything here is plain Python/torch; the exact pair counts use closed forms,
and `dense_token_mask` is an independent brute-force construction for checks.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class S2Pattern:
    name: str
    block: int
    local: int
    stride: int
    # FlexAttention's (Q_BLOCK_SIZE, KV_BLOCK_SIZE) for this pattern.
    flex_block: tuple[int, int]
    head_offset: int = 0

    def head_step(self, heads: int) -> int:
        return max(1, self.stride // heads)

    def residue(self, head: int, heads: int) -> int:
        """Key blocks bk with bk % V == residue are vertical for this head."""
        shift = head * self.head_step(heads) + self.head_offset
        return (-shift) % self.stride

    def describe(self) -> str:
        if self.stride == 1:
            return f"dense causal (B{self.block}, stride 1)"
        return f"S2 B{self.block} L{self.local} V{self.stride}"


# The workload of the baseline benchmark.
PATTERNS = [
    S2Pattern("b64_l16_v8", 64, 16, 8, (128, 64)),
    S2Pattern("b64_l8_v16", 64, 8, 16, (128, 64)),
    S2Pattern("b128_l8_v8", 128, 8, 8, (128, 128)),
    S2Pattern("dense_v1", 64, 16, 1, (128, 64)),
]


def attended_blocks_in_row(p: S2Pattern, bq: int, head: int, heads: int) -> int:
    """Key blocks bk in [0, bq] attended by query block bq (closed form)."""
    local = min(p.local, bq + 1)  # bk in [bq - L + 1, bq]
    last_non_local = bq - p.local  # vertical-only range: bk in [0, bq - L]
    residue = p.residue(head, heads)
    if last_non_local < residue:
        return local
    return local + (last_non_local - residue) // p.stride + 1


def attended_pairs(p: S2Pattern, seq: int, heads: int) -> int:
    """Attended (query, key) token pairs summed over heads, exactly.

    Needs seq % block == 0 (every workload length is a multiple of 128). The
    diagonal block is always attended (L >= 1) and is causally half full.
    """
    assert seq % p.block == 0, (seq, p.block)
    full_block = p.block * p.block
    diagonal = p.block * (p.block + 1) // 2
    total = 0
    for head in range(heads):
        for bq in range(seq // p.block):
            blocks = attended_blocks_in_row(p, bq, head, heads)
            total += (blocks - 1) * full_block + diagonal
    return total


def causal_pairs(seq: int, heads: int) -> int:
    return heads * seq * (seq + 1) // 2


def density(p: S2Pattern, seq: int, heads: int) -> float:
    return attended_pairs(p, seq, heads) / causal_pairs(seq, heads)


def dense_token_mask(p: S2Pattern, seq: int, heads: int, device="cpu"):
    """[heads, seq, seq] bool mask built token by token (for checks only)."""
    import torch

    positions = torch.arange(seq, device=device)
    query = positions[:, None]
    key = positions[None, :]
    block_q = query // p.block
    block_k = key // p.block
    masks = []
    for head in range(heads):
        shift = head * p.head_step(heads) + p.head_offset
        vertical = (block_k + shift) % p.stride == 0
        local = (block_q - block_k) < p.local
        masks.append((key <= query) & (vertical | local))
    return torch.stack(masks)


def mask_mod_for(p: S2Pattern, heads: int):
    """FlexAttention mask_mod computing the same predicate on the GPU."""
    block, local, stride = p.block, p.local, p.stride
    step, offset = p.head_step(heads), p.head_offset

    def s2_mask(b, h, q_idx, kv_idx):
        block_q = q_idx // block
        block_k = kv_idx // block
        causal = q_idx >= kv_idx
        is_local = (block_q - block_k) < local
        vertical = ((block_k + h * step + offset) % stride) == 0
        return causal & (is_local | vertical)

    return s2_mask


def flex_block_mask(p: S2Pattern, seq: int, heads: int, device):
    """BlockMask for FlexAttention, built from the S2 block pattern directly.

    create_block_mask would evaluate mask_mod on all seq^2 * heads positions;
    here each S2 block is classified (full below the diagonal, partial on it)
    and grouped into FlexAttention's (Q_BLOCK, KV_BLOCK) tiles, which must be
    multiples of the S2 block. Partial tiles run mask_mod per token.
    """
    import torch
    from torch.nn.attention.flex_attention import BlockMask

    q_tile, kv_tile = p.flex_block
    assert q_tile % p.block == 0 and kv_tile % p.block == 0
    assert seq % q_tile == 0 and seq % kv_tile == 0
    blocks = seq // p.block
    block_q = torch.arange(blocks, device=device)[:, None]
    block_k = torch.arange(blocks, device=device)[None, :]
    head = torch.arange(heads, device=device)[:, None, None]
    shift = head * p.head_step(heads) + p.head_offset
    vertical = (block_k + shift) % p.stride == 0
    attended = (vertical | ((block_q - block_k) < p.local)) & (block_q >= block_k)
    strictly_below = attended & (block_q > block_k)

    qf, kf = q_tile // p.block, kv_tile // p.block
    shape = (heads, seq // q_tile, qf, seq // kv_tile, kf)
    full = strictly_below.reshape(shape).all(dim=4).all(dim=2)
    touched = attended.reshape(shape).any(dim=4).any(dim=2)
    partial = touched & ~full

    def to_indices(tiles):
        count = tiles.sum(dim=-1, dtype=torch.int32)
        # Stable descending sort puts the chosen tiles first, in order.
        order = torch.argsort(tiles.to(torch.int8), dim=-1, descending=True,
                              stable=True).to(torch.int32)
        return count[None].contiguous(), order[None].contiguous()

    kv_num, kv_idx = to_indices(partial)
    full_num, full_idx = to_indices(full)
    return BlockMask.from_kv_blocks(
        kv_num, kv_idx, full_num, full_idx, BLOCK_SIZE=(q_tile, kv_tile),
        mask_mod=mask_mod_for(p, heads), seq_lengths=(seq, seq))
