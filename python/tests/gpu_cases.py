"""The problems the GPU tests run, importable without torch so that
prebuild_gpu_artifacts.py can compile them where MLIR is installed."""

import s2attn

# (batch, seq, heads, kv_heads, head_dim, dtype, pattern)
CASES = [
    (1, 256, 8, 8, 128, "bf16", s2attn.LocalStride(64, 2, 4)),
    (2, 512, 8, 2, 64, "f16", s2attn.LocalStride(64, 4, 8, head_offset=1)),
    (1, 320, 4, 2, 128, "bf16", s2attn.LocalStride(64, 1, 3, dense_heads=1)),
    (1, 256, 4, 4, 64, "bf16", s2attn.Dense(64)),
]
STREAM_CASE = (1, 256, 4, 4, 64, "bf16", s2attn.LocalStride(64, 1, 2))


def all_cases():
    return CASES + [STREAM_CASE]
