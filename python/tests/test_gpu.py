"""GPU path: CUDA torch tensors through compiled artifacts and the runtime,
against a float32 torch reference and FlexAttention with the same mask.
Skipped, with the reason shown, where torch or a CUDA device is missing."""

import math

import numpy as np
import pytest

import s2attn

torch = pytest.importorskip("torch", reason="torch is not installed (GPU "
                            "tests need torch with CUDA)")
if not torch.cuda.is_available():
    pytest.skip("no CUDA device: GPU tests skipped", allow_module_level=True)
# Artifacts come from S2ATTN_ARTIFACT_DIR (prebuild_gpu_artifacts.py) where
# the compiler is missing, or are compiled on first use where it is present.

from gpu_cases import CASES, STREAM_CASE  # noqa: E402

DTYPES = {"bf16": torch.bfloat16, "f16": torch.float16}


def token_mask(pattern, heads, kv_heads, q_len, kv_len, causal=True):
    """[heads, q_len, kv_len] bool from the package's block mask."""
    block = pattern.block
    blocks = pattern.block_mask(heads, kv_heads, math.ceil(q_len / block),
                                math.ceil(kv_len / block), causal)
    q_start = kv_len - q_len if causal else 0
    pq = q_start + np.arange(q_len)
    pk = np.arange(kv_len)
    mask = blocks[:, pq[:, None] // block, pk[None, :] // block]
    if causal:
        mask &= pk[None, :] <= pq[:, None]
    return torch.from_numpy(mask)


def torch_reference(q, k, v, mask):
    """float32 masked softmax attention in [batch, seq, heads, dim]."""
    heads, kv_heads = q.shape[2], k.shape[2]
    qf, kf, vf = (x.float().transpose(1, 2) for x in (q, k, v))
    kf = kf.repeat_interleave(heads // kv_heads, dim=1)
    vf = vf.repeat_interleave(heads // kv_heads, dim=1)
    scores = qf @ kf.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~mask.to(q.device), float("-inf"))
    lse = torch.logsumexp(scores, dim=-1)
    return (torch.softmax(scores, -1) @ vf).transpose(1, 2), lse


def make_inputs(batch, seq, heads, kv_heads, dim, dtype):
    dtype = DTYPES.get(dtype, dtype)
    gen = torch.Generator(device="cuda").manual_seed(0)
    q = torch.randn(batch, seq, heads, dim, device="cuda", dtype=dtype,
                    generator=gen)
    k = torch.randn(batch, seq, kv_heads, dim, device="cuda", dtype=dtype,
                    generator=gen)
    v = torch.randn(batch, seq, kv_heads, dim, device="cuda", dtype=dtype,
                    generator=gen)
    return q, k, v


@pytest.mark.parametrize("case", CASES, ids=lambda c: repr(c[-1])[:40])
def test_gpu_matches_float32_reference(case):
    batch, seq, heads, kv_heads, dim, dtype, pattern = case
    q, k, v = make_inputs(batch, seq, heads, kv_heads, dim, dtype)
    out, lse = s2attn.attention(q, k, v, pattern, return_lse=True)
    torch.cuda.synchronize()
    expected, expected_lse = torch_reference(
        q, k, v, token_mask(pattern, heads, kv_heads, seq, seq))
    assert out.dtype == DTYPES[dtype] and out.device == q.device
    error = (out.float() - expected).abs().max() / expected.abs().max()
    assert error < 2e-2
    assert torch.allclose(lse, expected_lse, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("case", CASES[:2], ids=["bf16-mha", "f16-gqa"])
def test_gpu_matches_flex_attention(case):
    flex = pytest.importorskip("torch.nn.attention.flex_attention",
                               reason="FlexAttention not available")
    batch, seq, heads, kv_heads, dim, dtype, pattern = case
    q, k, v = make_inputs(batch, seq, heads, kv_heads, dim, dtype)
    mask = token_mask(pattern, heads, kv_heads, seq, seq).cuda()

    def mask_mod(b, h, q_idx, kv_idx):
        return mask[h, q_idx, kv_idx]

    block_mask = flex.create_block_mask(mask_mod, None, heads, seq, seq)
    expected = flex.flex_attention(
        q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2),
        block_mask=block_mask, enable_gqa=heads != kv_heads).transpose(1, 2)
    out = s2attn.attention(q, k, v, pattern)
    error = (out.float() - expected.float()).abs().max()
    assert error / expected.float().abs().max() < 2e-2


def test_gpu_runs_on_the_current_stream():
    *shape, pattern = STREAM_CASE
    q, k, v = make_inputs(*shape)
    reference = s2attn.attention(q, k, v, pattern)
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        out = s2attn.attention(q, k, v, pattern)
    stream.synchronize()
    assert torch.equal(out, reference)


def test_gpu_rejects_unsupported_inputs():
    q, k, v = make_inputs(1, 128, 2, 2, 64, "bf16")
    with pytest.raises(TypeError, match="bfloat16 and float16"):
        s2attn.attention(q.float(), k.float(), v.float(), s2attn.Dense(64))
    with pytest.raises(TypeError, match="same kind of array"):
        s2attn.attention(q, k.cpu(), v, s2attn.Dense(64))
    q96 = torch.zeros(1, 128, 2, 96, device="cuda", dtype=torch.bfloat16)
    with pytest.raises(ValueError, match="64 and 128"):
        s2attn.attention(q96, q96, q96, s2attn.Dense(64))
