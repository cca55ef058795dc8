#!/usr/bin/env python3
"""One-token decode: our kernels beside PyTorch SDPA, timed the same way.

Workload: bf16, batch 1, 32 query heads on 8 KV heads (GQA; `--kv-heads 1`
for MQA), head_dim 128, one query at the end of a KV sequence of 8k, 32k or
128k tokens. Ours: the
artifacts of `test/GPU/make_bench_artifacts.sh --decode` (dense and S2 B64
L8 V16), launched through the runtime C API; SDPA: flash and cuDNN, dense.
All timed as baselines.py times (median_ms: triton's do_bench, L2 flushed
before every repetition).

    S2ATTN_RUNTIME_LIB=.../libs2attn_cuda_runtime.so \\
      python3 bench/decode.py --artifacts gpu-artifacts/decode

`--artifacts` may be given several times (NAME=DIR) to time builds side by
side; the artifacts must have been compiled for the same `--kv-heads`
(S2ATTN_BENCH_KV_HEADS for make_bench_artifacts.sh).
"""

from __future__ import annotations

import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2attn_kernel  # noqa: E402
from baselines import median_ms  # noqa: E402

HEADS, HEAD_DIM = 32, 128
OURS = ("dense", "b64_l8_v16")


def microseconds(fn) -> float:
    return 1000.0 * median_ms(fn)[0]


def sdpa_us(backend, q, k, v) -> str:
    from torch.nn.attention import sdpa_kernel
    try:
        with sdpa_kernel(backend):
            return f"{microseconds(lambda: F.scaled_dot_product_attention(q, k, v, enable_gqa=True)):.1f}"
    except RuntimeError as refusal:
        return f"refused ({str(refusal).splitlines()[0][:60]})"


def ours_us(runtime, directory, q, k, v, reference=None) -> str:
    """Our time, and for the dense kernel its relative error against
    SDPA's output."""
    if not os.path.isdir(directory):
        return "n/a"
    # The kernel takes [batch, seq, heads, dim].
    qs, ks, vs = (t.transpose(1, 2).contiguous() for t in (q, k, v))
    out = torch.full_like(qs, float("nan"))
    launch = s2attn_kernel.launcher(runtime, directory, qs, ks, vs, out,
                                    torch.cuda.current_stream())
    cell = f"{microseconds(launch):.1f}"
    if reference is not None:
        ours = out.transpose(1, 2).float()
        error = ((ours - reference).abs().max() / reference.abs().max()).item()
        cell += f" (rel err {error:.1e})"
    return cell


def artifact_sets(texts: list[str]) -> list[tuple[str, str]]:
    """NAME=DIR pairs; a bare DIR is named "ours"."""
    sets = []
    for text in texts:
        name, sep, directory = text.partition("=")
        sets.append((name, directory) if sep else ("ours", text))
    return sets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", required=True, action="append",
                        help="DIR or NAME=DIR (repeatable)")
    parser.add_argument("--kv", type=int, nargs="+", default=[8192, 32768, 131072])
    parser.add_argument("--kv-heads", type=int, default=8,
                        help="KV heads for the 32 query heads (8: GQA, 1: MQA)")
    args = parser.parse_args()
    from torch.nn.attention import SDPBackend
    path = s2attn_kernel.find_runtime()
    if path is None:
        raise SystemExit("libs2attn_cuda_runtime.so not found (set S2ATTN_RUNTIME_LIB)")
    runtime = s2attn_kernel.Runtime(path)
    sets = artifact_sets(args.artifacts)
    print(f"device: {torch.cuda.get_device_name()}; {HEADS} query heads on "
          f"{args.kv_heads} KV heads")
    columns = [f"{set_name} {label} (us)" for set_name, _ in sets
               for label in ("dense", "S2 B64 L8 V16")]
    print("| KV length | " + " | ".join(columns) +
          " | SDPA flash (us) | SDPA cuDNN (us) |")
    print("|---:|" + "---:|" * (len(columns) + 2))
    for kv in args.kv:
        generator = torch.Generator(device="cuda").manual_seed(kv)
        q = torch.randn(1, HEADS, 1, HEAD_DIM, device="cuda", dtype=torch.bfloat16,
                        generator=generator)
        k = torch.randn(1, args.kv_heads, kv, HEAD_DIM, device="cuda",
                        dtype=torch.bfloat16, generator=generator)
        v = torch.randn_like(k)
        reference = F.scaled_dot_product_attention(
            q.float(), k.float(), v.float(), enable_gqa=True)
        cells = [ours_us(runtime, os.path.join(directory, f"{name}_{kv}"), q, k, v,
                         reference if name == "dense" else None)
                 for _, directory in sets for name in OURS]
        cells += [sdpa_us(SDPBackend.FLASH_ATTENTION, q, k, v),
                  sdpa_us(SDPBackend.CUDNN_ATTENTION, q, k, v)]
        print(f"| {kv // 1024}k | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
