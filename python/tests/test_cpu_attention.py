"""CPU path against the float64 SPEC oracle over seeded random problems."""

import math
import warnings

import numpy as np
import pytest

import spec_reference as ref

ml_dtypes = pytest.importorskip("ml_dtypes", reason="ml_dtypes (bf16 numpy "
                                "arrays) is not installed")

CATEGORIES = ["local-stride", "gqa", "dense-heads", "homo-head",
              "bidirectional", "mask", "decode", "chunk", "dense", "relative"]
DTYPES = {"f32": np.float32, "f16": np.float16, "bf16": ml_dtypes.bfloat16}
# Relative error max|out - ref| / max|ref|, as s2-run --check measures it.
TOLERANCE = {"f32": 2e-5, "f16": 1e-2, "bf16": 2e-2}
LSE_TOLERANCE = 1e-4


def _divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def random_problem(seed, category):
    """A problem dict: shapes, dtype, pattern args (package and oracle)."""
    rng = np.random.default_rng(seed)
    block = int(rng.choice([16, 32, 64]))
    heads = int(rng.choice([1, 2, 4, 6, 8] if category != "dense-heads"
                           else [2, 4, 6, 8]))
    kv_heads = heads if category not in ("gqa", "dense-heads") else int(
        rng.choice([d for d in _divisors(heads)
                    if category == "gqa" or d >= 2]))
    kv_len = int(rng.integers(1, 6 * block))
    q_len = kv_len
    causal = category not in ("bidirectional",)
    if category == "decode":
        q_len = 1
    elif category == "chunk":
        q_len = int(rng.integers(1, kv_len + 1))
    problem = dict(seed=seed, category=category, block=block, heads=heads,
                   kv_heads=kv_heads, q_len=q_len, kv_len=kv_len,
                   batch=int(rng.integers(1, 3)),
                   head_dim=int(rng.choice([32, 64, 80])),
                   dtype=str(rng.choice(["f32"] * 3 + ["f16", "bf16"])),
                   causal=causal, scale=None, q_start=None)
    if rng.random() < 0.3:
        problem["scale"] = float(rng.uniform(0.05, 0.3))
    problem["pattern"] = _random_pattern(rng, problem)
    return problem


def _random_pattern(rng, p):
    category = p["category"]
    if category == "dense":
        return ("dense", {})
    if category == "mask":
        return ("mask", _random_mask(rng, p))
    args = dict(local=int(rng.integers(1, 4)), stride=int(rng.integers(1, 6)))
    if category == "dense-heads":
        args["dense_heads"] = int(rng.integers(1, p["kv_heads"]))
    if category == "homo-head":
        args["homo_head"] = True
    if category == "bidirectional":
        args["right"] = int(rng.integers(1, 4))
    if category == "relative":
        args["relative"] = True
    if rng.random() < 0.3:
        args["head_offset"] = int(rng.integers(0, 3))
    return ("local_stride", args)


def _random_mask(rng, p):
    """Random bits with the diagonal set (so every row attends a key), as
    1, kv_heads or heads mask heads."""
    blocks = math.ceil(p["kv_len"] / p["block"])
    mask_heads = int(rng.choice(sorted({1, p["kv_heads"], p["heads"]})))
    bits = rng.random((mask_heads, blocks, blocks)) < 0.4
    bits[:, np.arange(blocks), np.arange(blocks)] = True
    return bits


def to_package_pattern(s2attn, p):
    kind, args = p["pattern"]
    if kind == "dense":
        return s2attn.Dense(p["block"])
    if kind == "mask":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return s2attn.BlockMask(p["block"], args)
    return s2attn.LocalStride(p["block"], **args)


def oracle_blocks(p, blocks):
    kind, args = p["pattern"]
    if kind == "dense":
        grid = np.ones((p["heads"], blocks, blocks), bool)
        if p["causal"]:
            grid &= np.tri(blocks, dtype=bool)
        return grid
    if kind == "mask":
        return ref.mask_blocks(args, p["heads"], p["kv_heads"], p["causal"])
    return ref.local_stride_blocks(p["heads"], p["kv_heads"], blocks, blocks,
                                   block=p["block"], causal=p["causal"],
                                   **args)


def random_inputs(p, seed):
    rng = np.random.default_rng(seed + 1000)
    dtype = DTYPES[p["dtype"]]
    q = rng.standard_normal((p["batch"], p["q_len"], p["heads"],
                             p["head_dim"])).astype(dtype)
    kv_shape = (p["batch"], p["kv_len"], p["kv_heads"], p["head_dim"])
    k = rng.standard_normal(kv_shape).astype(dtype)
    v = rng.standard_normal(kv_shape).astype(dtype)
    return q, k, v


def relative_error(actual, expected):
    actual = np.asarray(actual, np.float64)
    return np.abs(actual - expected).max() / max(np.abs(expected).max(), 1e-30)


def check_problem(s2attn, p):
    q, k, v = random_inputs(p, p["seed"])
    pattern = to_package_pattern(s2attn, p)
    out, lse = s2attn.attention(q, k, v, pattern, causal=p["causal"],
                                scale=p["scale"], return_lse=True,
                                q_start=p["q_start"])
    assert out.dtype == q.dtype and out.shape == q.shape
    assert lse.dtype == np.float32
    assert lse.shape == (p["batch"], p["heads"], p["q_len"])
    blocks = math.ceil(p["kv_len"] / p["block"]) + 1
    expected, expected_lse = ref.attention(
        q, k, v, oracle_blocks(p, blocks), p["block"], causal=p["causal"],
        scale=p["scale"], q_start=p["q_start"])
    assert relative_error(out, expected) <= TOLERANCE[p["dtype"]], p
    assert relative_error(lse, expected_lse) <= LSE_TOLERANCE, p


PROBLEMS = [random_problem(2407 + i, CATEGORIES[i % len(CATEGORIES)])
            for i in range(40)]


@pytest.mark.parametrize("problem", PROBLEMS,
                         ids=[f"{p['category']}-{p['seed']}-{p['dtype']}"
                              for p in PROBLEMS])
def test_random_problem_matches_spec_oracle(cpu, problem):
    check_problem(cpu, problem)


def test_spec_worked_example_rows(cpu):
    """SPEC section 2's worked example, through the package's mask code."""
    masks = cpu.LocalStride(16, 2, 4).block_mask(4, 4, 8, 8)
    as_text = ["".join("1" if b else "0" for b in masks[h, row])
               for row in (0, 3, 7) for h in range(4)]
    assert as_text == ["10000000"] * 4 + [
        "10110000", "00110000", "00110000", "01110000",
        "10001011", "00010011", "00100011", "01000111"]


def test_package_masks_agree_with_oracle(cpu):
    for p in PROBLEMS:
        if p["pattern"][0] != "local_stride":
            continue
        mine = to_package_pattern(cpu, p).block_mask(
            p["heads"], p["kv_heads"], 9, 9, p["causal"])
        np.testing.assert_array_equal(mine, oracle_blocks(p, 9))


def test_explicit_q_start_and_scale(cpu):
    p = random_problem(7, "chunk")
    p.update(q_len=20, kv_len=100, q_start=40, scale=0.2, dtype="f32")
    check_problem(cpu, p)


def test_non_contiguous_inputs_are_copied(cpu):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((1, 4, 70, 32)).astype(np.float32)
    q = base.transpose(0, 2, 1, 3)  # [1, 70, 4, 32], not contiguous
    assert not q.flags.c_contiguous
    pattern = cpu.LocalStride(16, 1, 2)
    out = cpu.attention(q, q, q, pattern)
    np.testing.assert_array_equal(
        out, cpu.attention(np.ascontiguousarray(q), q.copy(), q.copy(),
                           pattern))


def test_kernels_are_cached_per_configuration(cpu):
    cpu.clear_cache()
    from s2attn import _cpu
    q = np.ones((1, 40, 2, 32), np.float32)
    pattern = cpu.LocalStride(16, 1, 2)
    cpu.attention(q, q, q, pattern)
    cpu.attention(q * 2, q, q, cpu.LocalStride(16, 1, 2))
    assert _cpu.cached_kernel_count() == 1
    cpu.attention(q, q, q, pattern, causal=False)
    assert _cpu.cached_kernel_count() == 2


def test_layer_classes_on_numpy(cpu):
    rng = np.random.default_rng(5)
    q = rng.standard_normal((2, 96, 8, 64)).astype(np.float32)
    k = rng.standard_normal((2, 96, 2, 64)).astype(np.float32)
    layer = cpu.LocalStrideSparseAttention(
        8, 128, 16, 2, 3, num_kv_heads=2, num_dense_heads=1,
        head_sliding_offset=1)
    out = layer(q, k, k)
    expected = cpu.attention(q, k, k, cpu.LocalStride(
        16, 2, 3, head_offset=1, dense_heads=1))
    np.testing.assert_array_equal(out, expected)
    mask = np.tri(6, dtype=bool)[None]
    masked = cpu.BlockMaskSparseAttention(16, mask)(q, k, k)
    dense = cpu.attention(q, k, k, cpu.Dense(16))
    np.testing.assert_allclose(masked, dense, rtol=1e-6, atol=1e-6)


def test_torch_cpu_tensors(cpu):
    torch = pytest.importorskip("torch", reason="torch is not installed")
    gen = torch.Generator().manual_seed(0)
    for dtype, tol in ((torch.float32, 2e-5), (torch.bfloat16, 2e-2),
                       (torch.float16, 1e-2)):
        q = torch.randn(1, 50, 4, 32, generator=gen).to(dtype)
        k = torch.randn(1, 50, 2, 32, generator=gen).to(dtype)
        pattern = cpu.LocalStride(16, 1, 2)
        out, lse = cpu.attention(q, k, k, pattern, return_lse=True)
        assert isinstance(out, torch.Tensor) and out.dtype == dtype
        blocks = ref.local_stride_blocks(4, 2, 5, 5, block=16, local=1,
                                         stride=2)
        expected, _ = ref.attention(q.float().numpy(), k.float().numpy(),
                                    k.float().numpy(), blocks, 16)
        assert relative_error(out.float().numpy(), expected) <= tol
