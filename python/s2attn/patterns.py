"""Sparsity patterns: what each query block attends (SPEC sections 2 and 3).

A pattern object only holds parameters. It is resolved against a problem
(head counts, causality) when attention runs, which is when the SPEC's
defaults (head_step, right window, vertical position) can be filled in. The
numpy block masks computed here serve three purposes: a key that names the
compiled kernel, warnings about patterns that waste KV cache, and pictures
and references for users who want to check the kernels.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from typing import Optional

import numpy as np

from . import _capi


def _check_int(name: str, value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r} "
                        f"({type(value).__name__})")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_block(block) -> int:
    block = _check_int("block", block, 16)
    if block & (block - 1):
        raise ValueError(f"block must be a power of two >= 16, got {block}")
    return block


class Pattern:
    """Base of the pattern classes; see LocalStride, BlockMask and Dense."""

    block: int

    def validate(self, heads: int, kv_heads: int, causal: bool) -> None:
        """Raises ValueError when the pattern cannot serve these heads."""

    def key(self, heads: int, kv_heads: int, causal: bool) -> str:
        """A string naming the resolved pattern (part of the kernel key)."""
        raise NotImplementedError

    def fill_problem(self, problem: "_capi.Problem", heads: int) -> None:
        """Writes the pattern fields of the C API's problem struct."""
        raise NotImplementedError

    def block_mask(self, heads: int, kv_heads: int, q_blocks: int,
                   kv_blocks: int, causal: bool = True) -> np.ndarray:
        """blk(h, bq, bk) as bool [heads, q_blocks, kv_blocks] (per *query*
        head, absolute blocks from 0), the causal `bq >= bk` included."""
        raise NotImplementedError

    def density(self, heads: int, kv_heads: int, blocks: int,
                causal: bool = True) -> np.ndarray:
        """Attended / legal block pairs per query head over a square grid."""
        mask = self.block_mask(heads, kv_heads, blocks, blocks, causal)
        legal = _causal_grid(blocks, blocks) if causal else np.ones(
            (blocks, blocks), bool)
        return mask.sum(axis=(1, 2)) / legal.sum()


def _causal_grid(q_blocks: int, kv_blocks: int) -> np.ndarray:
    bq = np.arange(q_blocks)[:, None]
    bk = np.arange(kv_blocks)[None, :]
    return bq >= bk


@dataclass(frozen=True)
class Dense(Pattern):
    """Every block (every earlier block when causal): plain attention."""

    block: int = 64

    def __post_init__(self):
        _check_block(self.block)

    def key(self, heads, kv_heads, causal):
        return f"dense_B{self.block}"

    def fill_problem(self, problem, heads):
        problem.pattern_kind = _capi.PATTERN_DENSE
        problem.block = self.block

    def block_mask(self, heads, kv_heads, q_blocks, kv_blocks, causal=True):
        grid = (_causal_grid(q_blocks, kv_blocks) if causal else
                np.ones((q_blocks, kv_blocks), bool))
        return np.broadcast_to(grid, (heads, q_blocks, kv_blocks)).copy()


@dataclass(frozen=True)
class LocalStride(Pattern):
    """The S2 pattern: a local window of `local` blocks plus vertical stripes
    every `stride` blocks, shifted per KV head by `head_step` so that the
    heads together cover the context.

    `right` is the right window of bidirectional attention (default:
    `local`); `relative=None` picks absolute stripes when causal and relative
    ones when not; `dense_heads` (in KV heads) makes the last KV heads dense;
    `homo_head` gives every head head 0's pattern.
    """

    block: int
    local: int
    stride: int
    right: Optional[int] = None
    head_step: Optional[int] = None
    head_offset: int = 0
    dense_heads: int = 0
    homo_head: bool = False
    relative: Optional[bool] = None

    def __post_init__(self):
        _check_block(self.block)
        _check_int("local", self.local, 0)
        _check_int("stride", self.stride, 1)
        if self.right is not None:
            _check_int("right", self.right, 0)
        if self.head_step is not None:
            _check_int("head_step", self.head_step, 0)
        _check_int("head_offset", self.head_offset, 0)
        _check_int("dense_heads", self.dense_heads, 0)
        if self.homo_head and self.dense_heads:
            raise ValueError("homo_head=True needs dense_heads=0 (every head "
                             f"shares head 0's pattern), got dense_heads="
                             f"{self.dense_heads}")

    def resolved(self, heads: int, causal: bool):
        """(right, head_step, relative) with the SPEC defaults filled in."""
        right = 1 if causal else (self.local if self.right is None
                                  else self.right)
        step = (max(1, self.stride // heads) if self.head_step is None
                else self.head_step)
        relative = (not causal) if self.relative is None else self.relative
        return right, step, relative

    def validate(self, heads, kv_heads, causal):
        if causal and self.local < 1:
            raise ValueError(f"local must be >= 1 when causal, got "
                             f"{self.local}")
        if self.dense_heads >= kv_heads:
            raise ValueError(f"dense_heads={self.dense_heads} must be fewer "
                             f"than the KV heads ({kv_heads}): dense heads "
                             "are counted in KV heads and at least one must "
                             "stay sparse (use Dense for plain attention)")

    def key(self, heads, kv_heads, causal):
        right, step, relative = self.resolved(heads, causal)
        return (f"ls_B{self.block}_L{self.local}_R{right}_V{self.stride}"
                f"_st{step}_o{self.head_offset}_dh{self.dense_heads}"
                f"_hh{int(self.homo_head)}_rel{int(relative)}")

    def fill_problem(self, problem, heads):
        problem.pattern_kind = _capi.PATTERN_LOCAL_STRIDE
        problem.block = self.block
        problem.local_blocks = self.local
        problem.right_blocks = -1 if self.right is None else self.right
        problem.vert_stride = self.stride
        problem.head_step = -1 if self.head_step is None else self.head_step
        problem.head_offset = self.head_offset
        problem.dense_heads = self.dense_heads
        problem.homo_head = int(self.homo_head)
        problem.vert_position = (-1 if self.relative is None
                                 else int(self.relative))

    def block_mask(self, heads, kv_heads, q_blocks, kv_blocks, causal=True):
        right, step, relative = self.resolved(heads, causal)
        bq = np.arange(q_blocks)[:, None]
        bk = np.arange(kv_blocks)[None, :]
        local = (bq - bk < self.local) & (bk - bq < right)
        group = heads // kv_heads
        sparse_kv_heads = kv_heads - self.dense_heads
        masks = np.empty((heads, q_blocks, kv_blocks), bool)
        for head in range(heads):
            g = 0 if self.homo_head else head // group
            if g >= sparse_kv_heads:
                vert = np.ones((q_blocks, kv_blocks), bool)
            elif relative:
                left_gap = np.maximum(0, bq - bk - self.local + 1)
                right_gap = np.maximum(0, bk - bq - right + 1)
                vert = (left_gap + right_gap) % self.stride == 0
            else:
                vert = np.broadcast_to(
                    (bk + g * step + self.head_offset) % self.stride == 0,
                    (q_blocks, kv_blocks))
            masks[head] = vert | local
            if causal:
                masks[head] &= bq >= bk
        return masks


class BlockMask(Pattern):
    """Any boolean block matrix [heads_or_1, q_blocks, kv_blocks] (a 2-D
    matrix is shared by all heads), indexed by absolute block. The mask heads
    may be 1, the KV heads or the query heads.

    A mask whose rows pick up an old KV block after an earlier row dropped it
    is legal but not KV-cache efficient (decoding must keep every block), so
    constructing one warns.
    """

    def __init__(self, block: int, mask):
        self.block = _check_block(block)
        array = np.asarray(mask)
        if array.dtype != np.bool_:
            if not np.issubdtype(array.dtype, np.integer) or not np.isin(
                    array, (0, 1)).all():
                raise TypeError("mask must be a bool array (or 0/1 "
                                f"integers), got dtype {array.dtype}")
            array = array.astype(bool)
        if array.ndim == 2:
            array = array[None]
        if array.ndim != 3 or 0 in array.shape:
            raise ValueError("mask must have shape [heads_or_1, q_blocks, "
                             f"kv_blocks], got {tuple(np.shape(mask))}")
        self.mask = np.ascontiguousarray(array)
        self.mask.setflags(write=False)
        inefficient = first_kv_inefficiency(self.mask)
        if inefficient is not None:
            head, q_block, kv_block = inefficient
            warnings.warn(
                f"block mask is not KV-cache efficient: mask head {head} "
                f"drops key block {kv_block} at query block {q_block} and "
                f"attends it again at query block {q_block + 1}; decoding "
                "must keep such blocks in the KV cache", stacklevel=2)

    def __repr__(self):
        return f"BlockMask(block={self.block}, mask.shape={self.mask.shape})"

    def validate(self, heads, kv_heads, causal):
        mask_heads = self.mask.shape[0]
        if mask_heads not in (1, kv_heads, heads):
            raise ValueError(
                f"mask has {mask_heads} heads; expected 1, the KV heads "
                f"({kv_heads}) or the query heads ({heads})")

    def key(self, heads, kv_heads, causal):
        digest = hashlib.sha1(self.mask.tobytes()).hexdigest()[:16]
        h, q, k = self.mask.shape
        return f"mask_B{self.block}_{h}x{q}x{k}_{digest}"

    def fill_problem(self, problem, heads):
        import ctypes
        problem.pattern_kind = _capi.PATTERN_BLOCK_MASK
        problem.block = self.block
        problem.mask_heads, problem.mask_q_blocks, problem.mask_kv_blocks = (
            self.mask.shape)
        self._bytes = self.mask.astype(np.uint8)  # kept alive with the call
        problem.mask = self._bytes.ctypes.data_as(
            ctypes.POINTER(ctypes.c_uint8))

    def block_mask(self, heads, kv_heads, q_blocks, kv_blocks, causal=True):
        self.validate(heads, kv_heads, causal)
        mask_heads = self.mask.shape[0]
        rows = [0 if mask_heads == 1 else
                (h if mask_heads == heads else h // (heads // kv_heads))
                for h in range(heads)]
        out = np.zeros((heads, q_blocks, kv_blocks), bool)
        q = min(q_blocks, self.mask.shape[1])
        k = min(kv_blocks, self.mask.shape[2])
        out[:, :q, :k] = self.mask[rows, :q, :k]
        if causal:
            out &= _causal_grid(q_blocks, kv_blocks)
        return out


def first_kv_inefficiency(mask: np.ndarray):
    """(mask head, query block, key block) of the first place where query
    block q+1 attends a key block before q that block q does not attend,
    or None when the mask is KV-cache efficient (SPEC section 2)."""
    heads, q_blocks, kv_blocks = mask.shape
    for q_block in range(q_blocks - 1):
        old = min(q_block + 1, kv_blocks)
        picked_up = mask[:, q_block + 1, :old] & ~mask[:, q_block, :old]
        if picked_up.any():
            head, kv_block = np.argwhere(picked_up)[0]
            return int(head), q_block, int(kv_block)
    return None
