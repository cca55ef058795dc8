"""Bad input becomes a Python exception naming the argument; odd masks warn;
combine_partitions is exact; pictures are SVG."""

import math
import warnings

import numpy as np
import pytest

import s2attn
import spec_reference as ref


def arrays(q_shape=(1, 32, 4, 32), kv_shape=(1, 32, 2, 32), dtype=np.float32):
    rng = np.random.default_rng(0)
    return (rng.standard_normal(q_shape).astype(dtype),
            rng.standard_normal(kv_shape).astype(dtype),
            rng.standard_normal(kv_shape).astype(dtype))


PATTERN = s2attn.LocalStride(16, 1, 2)


@pytest.mark.parametrize("bad, error, words", [
    (dict(q=np.zeros((1, 32, 4, 32), np.float64)), TypeError, "float64"),
    (dict(k=np.zeros((1, 32, 2, 32), np.float16)), TypeError, "share one"),
    (dict(q=[[1.0]]), TypeError, "q must be a numpy array"),
    (dict(q=np.zeros((32, 4, 32), np.float32)), ValueError,
     "[batch, q_len, heads, head_dim]"),
    (dict(k=np.zeros((1, 32, 3, 32), np.float32),
          v=np.zeros((1, 32, 3, 32), np.float32)), ValueError, "multiple"),
    (dict(v=np.zeros((1, 31, 2, 32), np.float32)), ValueError,
     "v must have k's shape"),
    (dict(k=np.zeros((2, 32, 2, 32), np.float32),
          v=np.zeros((2, 32, 2, 32), np.float32)), ValueError, "batch"),
    (dict(k=np.zeros((1, 32, 2, 16), np.float32),
          v=np.zeros((1, 32, 2, 16), np.float32)), ValueError, "head_dim"),
    (dict(pattern="local"), TypeError, "pattern must be"),
    (dict(scale=-1.0), ValueError, "scale"),
    (dict(scale=float("nan")), ValueError, "scale"),
    (dict(q_start=-3), ValueError, "q_start"),
    (dict(q_start=1.5), TypeError, "q_start"),
    (dict(causal="yes"), TypeError, "causal"),
])
def test_bad_arguments_raise_clear_errors(bad, error, words):
    q, k, v = arrays()
    args = dict(q=q, k=k, v=v, pattern=PATTERN)
    options = {name: bad.pop(name) for name in ("scale", "q_start", "causal")
               if name in bad}
    args.update(bad)
    with pytest.raises(error) as info:
        s2attn.attention(args["q"], args["k"], args["v"], args["pattern"],
                         **options)
    assert words in str(info.value)


@pytest.mark.parametrize("make, error, words", [
    (lambda: s2attn.LocalStride(48, 1, 2), ValueError, "power of two"),
    (lambda: s2attn.LocalStride(8, 1, 2), ValueError, "block must be >= 16"),
    (lambda: s2attn.LocalStride(16, 1, 0), ValueError, "stride must be >= 1"),
    (lambda: s2attn.LocalStride(16, 1.5, 2), TypeError, "local must be an int"),
    (lambda: s2attn.LocalStride(16, 1, 2, homo_head=True, dense_heads=1),
     ValueError, "homo_head"),
    (lambda: s2attn.BlockMask(16, np.zeros((2, 2, 2, 2), bool)), ValueError,
     "heads_or_1"),
    (lambda: s2attn.BlockMask(16, np.full((2, 2), 0.5)), TypeError, "bool"),
    (lambda: s2attn.LocalStrideSparseAttention(6, 128, 16, 1, 2,
                                               num_kv_heads=4),
     ValueError, "multiple of num_kv_heads"),
])
def test_bad_patterns_raise(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)


def test_pattern_head_count_errors():
    q, k, v = arrays()
    with pytest.raises(ValueError, match="fewer than the KV heads"):
        s2attn.attention(q, k, v, s2attn.LocalStride(16, 1, 2, dense_heads=2))
    with pytest.raises(ValueError, match="mask has 3 heads"):
        s2attn.attention(q, k, v, s2attn.BlockMask(16, np.ones((3, 2, 2),
                                                             bool)))
    layer = s2attn.LocalStrideSparseAttention(8, 64, 16, 1, 2)
    with pytest.raises(ValueError, match="num_heads=8"):
        layer(q, q, q)
    layer = s2attn.LocalStrideSparseAttention(4, 16, 16, 1, 2)
    with pytest.raises(ValueError, match="max_seq_len=16"):
        layer(q, q, q)


def test_compiler_rejections_are_value_errors(cpu):
    """A mask row without any block attends no key: the verifier says so."""
    q, k, v = arrays()
    mask = np.array([[[1, 0], [0, 0]]], bool)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pattern = s2attn.BlockMask(16, mask)
    with pytest.raises(ValueError, match="invalid problem"):
        s2attn.attention(q, k, v, pattern)


def test_kv_inefficient_mask_warns_and_efficient_one_does_not():
    bad = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 1]], bool)
    with pytest.warns(UserWarning, match="not KV-cache efficient"):
        s2attn.BlockMask(16, bad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2attn.BlockMask(16, np.tri(3, dtype=bool))
        s2attn.BlockMask(16, s2attn.LocalStride(16, 2, 3).block_mask(
            4, 4, 12, 12))


def test_combine_partitions_matches_whole_attention(cpu):
    """Bidirectional attention over two KV halves combines exactly."""
    rng = np.random.default_rng(11)
    q = rng.standard_normal((1, 48, 2, 32)).astype(np.float32)
    k = rng.standard_normal((1, 64, 2, 32)).astype(np.float32)
    v = rng.standard_normal((1, 64, 2, 32)).astype(np.float32)
    dense = s2attn.Dense(16)
    whole, whole_lse = s2attn.attention(q, k, v, dense, causal=False,
                                        return_lse=True)
    parts = [s2attn.attention(q, k[:, s], v[:, s], dense, causal=False,
                              return_lse=True)
             for s in (slice(0, 32), slice(32, 64))]
    out, lse = s2attn.combine_partitions(*parts)
    np.testing.assert_allclose(out, whole, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(lse, whole_lse, rtol=1e-5, atol=1e-5)
    out_list, _ = s2attn.combine_partitions(parts)
    np.testing.assert_array_equal(out, out_list)


def test_combine_partitions_numerics_and_empty_rows():
    rng = np.random.default_rng(2)
    outs = [rng.standard_normal((1, 3, 2, 4)) for _ in range(3)]
    lses = [rng.standard_normal((1, 2, 3)) * 5 for _ in range(3)]
    lses[1][0, 0, 0] = -np.inf
    for lse in lses:
        lse[0, 1, 2] = -np.inf  # no partition attends this row
    out, lse = s2attn.combine_partitions(*zip(outs, lses))
    total = np.logaddexp.reduce(np.stack(lses), axis=0)
    np.testing.assert_allclose(lse[0, 0], total[0, 0], rtol=1e-6)
    with np.errstate(invalid="ignore"):
        expected = sum(np.exp(l - total).transpose(0, 2, 1)[..., None] * o
                       for o, l in zip(outs, lses))
    np.testing.assert_allclose(out[0, :, 0], expected[0, :, 0], rtol=1e-6)
    assert lse[0, 1, 2] == -np.inf and (out[0, 2, 1] == 0).all()
    assert np.isfinite(out).all()


def test_combine_partitions_errors():
    with pytest.raises(ValueError, match="at least one"):
        s2attn.combine_partitions()
    with pytest.raises(ValueError, match="lse must be"):
        s2attn.combine_partitions((np.zeros((1, 3, 2, 4)), np.zeros((1, 3, 2))))
    with pytest.raises(TypeError, match="pair"):
        s2attn.combine_partitions(np.zeros((1, 3, 2, 4)))


def test_pattern_svg_has_a_panel_per_head():
    svg = s2attn.pattern_svg(s2attn.LocalStride(64, 2, 4), heads=4,
                             q_blocks=8, title="worked example")
    assert svg.lstrip().startswith("<?xml") or svg.lstrip().startswith("<svg")
    assert svg.count('class="head-panel"') == 4
    assert "worked example" in svg and "</svg>" in svg


def test_python_svg_fallback_matches_panel_count():
    from s2attn.render import render_python
    masks = s2attn.LocalStride(16, 2, 4).block_mask(4, 4, 8, 8)
    svg = render_python(masks, "fallback")
    assert svg.count('class="head-panel"') == 4 and "%" in svg


def test_svg_errors():
    with pytest.raises(ValueError, match="q_blocks"):
        s2attn.pattern_svg(s2attn.Dense(16), heads=2, q_blocks=0)
    with pytest.raises(ValueError, match="multiple of kv_heads"):
        s2attn.pattern_svg(s2attn.Dense(16), heads=3, q_blocks=2, kv_heads=2)


def test_density_of_dense_and_sparse():
    assert np.allclose(s2attn.Dense(16).density(2, 2, 8), 1.0)
    density = s2attn.LocalStride(16, 2, 4).density(4, 4, 8)
    assert (density < 1).all() and (density > 0).all()
    assert math.isclose(density.mean(), density.mean())


def test_load_artifacts_indexes_problem_txt(tmp_path):
    """problem.txt written by s2-compile maps back to the same key the
    package computes for the call."""
    directory = tmp_path / "a"
    directory.mkdir()
    (directory / "kernel.json").write_text("{}")
    (directory / "problem.txt").write_text(
        "batch 1\nq_len 160\nkv_len 160\nheads 8\nkv_heads 4\nhead_dim 128\n"
        "dtype bf16\ncausal 1\nscale 0.088388347648318433\nq_start 0\n"
        "kv_start 0\nlse 1\npattern local_stride\nblock 32\nlocal 1\n"
        "right -1\nstride 3\nhead_step -1\nhead_offset 0\ndense_heads 0\n"
        "homo_head 0\nvert -1\n")
    assert s2attn.load_artifacts(tmp_path) == 1
    config = s2attn.config_from_shapes((1, 160, 8, 128), (1, 160, 4, 128),
                                       "bf16", s2attn.LocalStride(32, 1, 3))
    assert s2attn.registered_artifacts()[config.key()] == directory
    with pytest.raises(FileNotFoundError):
        s2attn.load_artifacts(tmp_path / "missing")


def test_gpu_backend_constraints_are_checked_before_compiling(tmp_path):
    with pytest.raises(TypeError, match="'bf16' or 'f16'"):
        s2attn.compile_gpu_artifact((1, 64, 2, 64), (1, 64, 2, 64), "f32",
                                    s2attn.Dense(64), tmp_path)
    with pytest.raises(ValueError, match="64 and 128"):
        s2attn.compile_gpu_artifact((1, 64, 2, 96), (1, 64, 2, 96), "bf16",
                                    s2attn.Dense(64), tmp_path)
