"""One attention problem with static shapes: what a compiled kernel is for.

Kernels are specialised to shapes, dtype, pattern, causality, scale and
positions (the schedule is a compile-time constant), so this is also the key
of the in-process and on-disk caches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from . import _capi
from .patterns import Pattern


@dataclass(frozen=True)
class Config:
    batch: int
    q_len: int
    kv_len: int
    heads: int
    kv_heads: int
    head_dim: int
    dtype: str  # 'f32', 'f16' or 'bf16'
    pattern: Pattern
    causal: bool
    scale: Optional[float]
    q_start: Optional[int]
    kv_start: int = 0

    @property
    def resolved_scale(self) -> float:
        return (1.0 / math.sqrt(self.head_dim) if self.scale is None
                else self.scale)

    @property
    def resolved_q_start(self) -> int:
        if self.q_start is not None:
            return self.q_start
        if self.causal:
            return self.kv_start + self.kv_len - self.q_len
        return self.kv_start

    def key(self) -> str:
        """Names the problem; equal for problems one kernel computes."""
        return (f"b{self.batch}_q{self.q_len}_k{self.kv_len}_h{self.heads}"
                f"_g{self.kv_heads}_d{self.head_dim}_{self.dtype}"
                f"_c{int(self.causal)}_s{self.resolved_scale:.9e}"
                f"_qs{self.resolved_q_start}_ks{self.kv_start}_"
                + self.pattern.key(self.heads, self.kv_heads, self.causal))

    def to_problem(self, num_threads: int = 0) -> "_capi.Problem":
        """The C API's problem struct (the pattern may keep a buffer alive:
        use it while `self.pattern` lives)."""
        problem = _capi.new_problem()
        problem.batch, problem.q_len, problem.kv_len = (
            self.batch, self.q_len, self.kv_len)
        problem.heads, problem.kv_heads, problem.head_dim = (
            self.heads, self.kv_heads, self.head_dim)
        problem.dtype = _capi.DTYPE_CODES[self.dtype]
        problem.causal = int(self.causal)
        if self.scale is not None:
            problem.has_scale, problem.scale = 1, float(self.scale)
        if self.q_start is not None:
            problem.has_q_start, problem.q_start = 1, int(self.q_start)
        problem.kv_start = self.kv_start
        problem.num_threads = num_threads
        self.pattern.fill_problem(problem, self.heads)
        return problem
