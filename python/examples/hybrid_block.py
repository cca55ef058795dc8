"""A small hybrid transformer: S2 (local + vertical-stride) attention layers
interleaved with dense ones, as in the paper's hybrid architectures (and
Phi-3-small, where every second layer is dense).

The forward pass runs through s2attn and checks itself against a reference
that computes the same layers with plain masked softmax attention, the mask
being the pattern expanded to a dense token mask.

    python hybrid_block.py --device cuda   # torch on the GPU (bf16)
    python hybrid_block.py --device cpu    # torch-CPU if installed, else numpy
    python hybrid_block.py --prebuild-artifacts DIR   # GPU kernels, no GPU
                                 # needed; then S2ATTN_ARTIFACT_DIR=DIR

With --device cuda and no CUDA device it prints why and exits 0.
"""

import argparse
import math
import sys

import numpy as np

import s2attn

LAYERS = ["s2", "dense", "s2", "dense"]


def layer_patterns(block):
    """Per layer: the pattern s2attn runs (dense layers are Dense)."""
    s2 = s2attn.LocalStride(block, local=2, stride=4, head_offset=1)
    return [s2 if kind == "s2" else s2attn.Dense(block) for kind in LAYERS]


def token_mask(pattern, heads, kv_heads, seq):
    """[heads, seq, seq] causal token mask of a pattern (SPEC section 2)."""
    blocks = math.ceil(seq / pattern.block)
    grid = pattern.block_mask(heads, kv_heads, blocks, blocks)
    pos = np.arange(seq) // pattern.block
    causal = np.tril(np.ones((seq, seq), bool))
    return grid[:, pos[:, None], pos[None, :]] & causal


def make_weights(rng, dim, heads, kv_heads, head_dim):
    def w(*shape):
        return (rng.standard_normal(shape) / math.sqrt(shape[0])).astype(
            np.float32)
    return [dict(wq=w(dim, heads * head_dim), wk=w(dim, kv_heads * head_dim),
                 wv=w(dim, kv_heads * head_dim), wo=w(heads * head_dim, dim),
                 w1=w(dim, 4 * dim), w2=w(4 * dim, dim)) for _ in LAYERS]


# --- numpy model (CPU) --------------------------------------------------------


def np_reference_attention(q, k, v, mask):
    heads, kv_heads = q.shape[2], k.shape[2]
    k = np.repeat(k, heads // kv_heads, axis=2)
    v = np.repeat(v, heads // kv_heads, axis=2)
    scores = np.einsum("bihd,bjhd->bhij", q, k) / math.sqrt(q.shape[-1])
    scores = np.where(mask[None], scores, -np.inf)
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    probs = scores / scores.sum(-1, keepdims=True)
    return np.einsum("bhij,bjhd->bihd", probs, v).astype(np.float32)


def np_forward(x, weights, patterns, shape, attend):
    heads, kv_heads, head_dim = shape

    def norm(h):
        return h / np.sqrt((h * h).mean(-1, keepdims=True) + 1e-6)

    batch, seq, _ = x.shape
    for w, pattern in zip(weights, patterns):
        h = norm(x)
        q = (h @ w["wq"]).reshape(batch, seq, heads, head_dim)
        k = (h @ w["wk"]).reshape(batch, seq, kv_heads, head_dim)
        v = (h @ w["wv"]).reshape(batch, seq, kv_heads, head_dim)
        a = attend(q, k, v, pattern)
        x = x + a.reshape(batch, seq, -1) @ w["wo"]
        x = x + np.maximum(norm(x) @ w["w1"], 0) @ w["w2"]
    return x


def run_numpy(args):
    rng = np.random.default_rng(0)
    shape = (args.heads, args.kv_heads, args.head_dim)
    weights = make_weights(rng, args.dim, *shape)
    patterns = layer_patterns(args.block)
    x = rng.standard_normal((args.batch, args.seq, args.dim)).astype(
        np.float32)
    out = np_forward(x, weights, patterns, shape,
                     lambda q, k, v, p: s2attn.attention(q, k, v, p))
    expected = np_forward(
        x, weights, patterns, shape,
        lambda q, k, v, p: np_reference_attention(
            q, k, v, token_mask(p, args.heads, args.kv_heads, args.seq)))
    return out, expected, 1e-4


# --- torch model (CPU or CUDA) ----------------------------------------------


def build_torch_model(torch, args, device, dtype):
    nn = torch.nn

    class Block(nn.Module):
        """Pre-norm attention + MLP; the attention is an s2attn layer."""

        def __init__(self, w, pattern):
            super().__init__()
            self.w = nn.ParameterDict({name: nn.Parameter(torch.from_numpy(
                value).to(device, dtype)) for name, value in w.items()})
            if isinstance(pattern, s2attn.LocalStride):
                self.attn = s2attn.LocalStrideSparseAttention(
                    args.heads, args.seq, pattern.block, pattern.local,
                    pattern.stride, num_kv_heads=args.kv_heads,
                    head_sliding_offset=pattern.head_offset)
            else:
                self.attn = None  # dense layer
            self.pattern = pattern
            self.reference = False

        def attend(self, q, k, v):
            if self.reference:
                return torch_reference_attention(torch, q, k, v, token_mask(
                    self.pattern, args.heads, args.kv_heads, q.shape[1]))
            if self.attn is not None:
                return self.attn(q, k, v)
            return s2attn.attention(q, k, v, self.pattern)

        def forward(self, x):
            batch, seq, _ = x.shape
            norm = torch.nn.functional.rms_norm
            h = norm(x, (x.shape[-1],), eps=1e-6)
            q = (h @ self.w["wq"]).view(batch, seq, args.heads, -1)
            k = (h @ self.w["wk"]).view(batch, seq, args.kv_heads, -1)
            v = (h @ self.w["wv"]).view(batch, seq, args.kv_heads, -1)
            x = x + self.attend(q, k, v).reshape(batch, seq, -1) @ self.w["wo"]
            h = norm(x, (x.shape[-1],), eps=1e-6)
            return x + torch.relu(h @ self.w["w1"]) @ self.w["w2"]

    rng = np.random.default_rng(0)
    weights = make_weights(rng, args.dim, args.heads, args.kv_heads,
                           args.head_dim)
    return nn.Sequential(*[Block(w, p) for w, p in
                           zip(weights, layer_patterns(args.block))])


def torch_reference_attention(torch, q, k, v, mask):
    """float32 masked softmax attention, cast back to q's dtype."""
    heads, kv_heads = q.shape[2], k.shape[2]
    qf, kf, vf = (t.float().transpose(1, 2) for t in (q, k, v))
    kf = kf.repeat_interleave(heads // kv_heads, dim=1)
    vf = vf.repeat_interleave(heads // kv_heads, dim=1)
    scores = qf @ kf.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~torch.from_numpy(mask).to(q.device),
                                float("-inf"))
    return (torch.softmax(scores, -1) @ vf).transpose(1, 2).to(q.dtype)


def run_torch(torch, args, device):
    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    model = build_torch_model(torch, args, device, dtype)
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args.batch, args.seq, args.dim, generator=gen).to(
        device, dtype)
    with torch.no_grad():
        out = model(x)
        for block in model:
            block.reference = True
        expected = model(x)
    if device == "cuda":
        torch.cuda.synchronize()
    tolerance = 3e-2 if dtype == torch.bfloat16 else 1e-4
    return out.float().cpu().numpy(), expected.float().cpu().numpy(), tolerance


def gpu_shapes(seq=512):
    """The example's GPU problem shapes: batch 2, 8 heads, 2 KV heads, 64."""
    return (2, seq, 8, 64), (2, seq, 2, 64)


def prebuild_artifacts(out_dir, chip="sm_90a", seq=512):
    """Compiles the GPU kernels of the example (one per distinct layer
    pattern) where the compiler is installed, for machines without it."""
    q_shape, kv_shape = gpu_shapes(seq)
    patterns = {p.key(8, 2, True): p for p in layer_patterns(64)}
    for index, pattern in enumerate(patterns.values()):
        s2attn.compile_gpu_artifact(q_shape, kv_shape, "bf16", pattern,
                                    f"{out_dir}/layer{index}", chip=chip)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"],
                        default="auto")
    parser.add_argument("--seq", type=int, default=None)
    parser.add_argument("--prebuild-artifacts", metavar="DIR",
                        help="compile the GPU kernels into DIR and exit "
                             "(needs the compiler, not a GPU)")
    args = parser.parse_args(argv)
    if args.prebuild_artifacts:
        prebuild_artifacts(args.prebuild_artifacts, seq=args.seq or 512)
        print(f"hybrid_block.py: wrote artifacts to {args.prebuild_artifacts}")
        return 0
    try:
        import torch
    except ImportError:
        torch = None
    has_cuda = torch is not None and torch.cuda.is_available()
    device = args.device if args.device != "auto" else (
        "cuda" if has_cuda else "cpu")
    if device == "cuda" and not has_cuda:
        print("hybrid_block.py: skipped: no CUDA device "
              f"({'torch not installed' if torch is None else 'torch.cuda.is_available() is False'})")
        return 0
    # The GPU backend wants head_dim 64/128 and blocks of 64.
    args.batch, args.heads, args.kv_heads = 2, 8, 2
    args.head_dim, args.block = (64, 64) if device == "cuda" else (32, 16)
    args.dim = args.heads * args.head_dim
    args.seq = args.seq or (512 if device == "cuda" else 150)
    if torch is not None:
        backend = f"torch on {device}"
        out, expected, tolerance = run_torch(torch, args, device)
    else:
        backend = "numpy on cpu (torch not installed)"
        out, expected, tolerance = run_numpy(args)
    error = np.abs(out - expected).max() / np.abs(expected).max()
    print(f"hybrid_block.py: {len(LAYERS)} layers {LAYERS} via {backend}, "
          f"seq {args.seq}: relative error vs dense-mask reference "
          f"{error:.2e} (tolerance {tolerance:.0e})")
    if not error <= tolerance:
        print("hybrid_block.py: FAILED", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
