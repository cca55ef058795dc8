"""Pictures of patterns: one panel per query head with its density.

The C++ renderer (ref::renderPatternSVG, the one s2-pattern uses) draws when
the C API is loadable; machines with only the runtime get a plain Python
drawing of the same information.
"""

from __future__ import annotations

import ctypes
from html import escape
from typing import Optional

import numpy as np

from . import _capi
from ._config import Config
from .patterns import Pattern


def pattern_svg(pattern: Pattern, heads: int, q_blocks: int,
                kv_blocks: Optional[int] = None, *,
                kv_heads: Optional[int] = None, causal: bool = True,
                title: str = "") -> str:
    """An SVG document of `pattern` over q_blocks x kv_blocks blocks."""
    kv_blocks = q_blocks if kv_blocks is None else kv_blocks
    kv_heads = heads if kv_heads is None else kv_heads
    for name, value in (("heads", heads), ("kv_heads", kv_heads),
                        ("q_blocks", q_blocks), ("kv_blocks", kv_blocks)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if heads % kv_heads:
        raise ValueError(f"heads ({heads}) must be a multiple of kv_heads "
                         f"({kv_heads})")
    pattern.validate(heads, kv_heads, causal)
    if _capi.capi_available():
        return _render_native(pattern, heads, kv_heads, q_blocks, kv_blocks,
                              causal, title)
    return render_python(pattern.block_mask(heads, kv_heads, q_blocks,
                                            kv_blocks, causal), title, causal)


def _render_native(pattern, heads, kv_heads, q_blocks, kv_blocks, causal,
                   title):
    config = Config(1, q_blocks * pattern.block, kv_blocks * pattern.block,
                    heads, kv_heads, 64, "f32", pattern, causal, None, None)
    problem = config.to_problem()
    svg = ctypes.c_void_p()
    status = _capi.capi().s2attn_capi_render_svg(
        ctypes.byref(problem), q_blocks, kv_blocks, title.encode(),
        ctypes.byref(svg))
    if status != 0:
        _capi.raise_capi_error(status, "cannot draw the pattern")
    return _capi.take_string(svg)


def render_python(masks: np.ndarray, title: str = "", causal: bool = True,
                  cell: int = 4) -> str:
    """A simple SVG of bool masks [heads, q_blocks, kv_blocks]."""
    heads, q_blocks, kv_blocks = masks.shape
    legal = (np.arange(q_blocks)[:, None] >= np.arange(kv_blocks)[None, :]
             if causal else np.ones((q_blocks, kv_blocks), bool))
    per_line = min(heads, 8)
    panel_w, panel_h = kv_blocks * cell + 16, q_blocks * cell + 32
    width = per_line * panel_w
    height = 24 + ((heads + per_line - 1) // per_line) * panel_h
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
             f'height="{height}">',
             f'<text x="4" y="16" font-size="12">{escape(title)}</text>']
    for head in range(heads):
        x0 = (head % per_line) * panel_w + 8
        y0 = 24 + (head // per_line) * panel_h
        parts.append(f'<g class="head-panel"><rect x="{x0}" y="{y0}" '
                     f'width="{kv_blocks * cell}" height="{q_blocks * cell}" '
                     'fill="none" stroke="#999"/>')
        for bq, bk in np.argwhere(masks[head]):
            parts.append(f'<rect x="{x0 + bk * cell}" y="{y0 + bq * cell}" '
                         f'width="{cell}" height="{cell}" fill="#1f5fa8"/>')
        density = masks[head].sum() / max(1, legal.sum())
        parts.append(f'<text x="{x0}" y="{y0 + q_blocks * cell + 14}" '
                     f'font-size="10">head {head}: {density:.1%}</text></g>')
    parts.append("</svg>")
    return "\n".join(parts)
