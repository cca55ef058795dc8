#!/usr/bin/env python3
"""Times several builds of our kernel side by side, with the bench's method.

Each variant is a directory of artifacts written by
test/GPU/make_bench_artifacts.sh (with whatever s2-compile flags the variant
needs). For every sequence length and pattern, all variants run on the same
random inputs, in rounds that alternate the variants, each timed like
baselines.py (triton do_bench median, L2 flushed before every repetition).
Every variant's output is compared with the first one's, so a variant that
is fast because it is wrong shows up.

    S2ATTN_RUNTIME_LIB=.../libs2attn_cuda_runtime.so python3 \\
      bench/compare_variants.py default=gpu-artifacts/bench \\
      plain=gpu-artifacts/plain --seq 4096 16384 --rounds 2

The table gives ms per round, and the sparse patterns' effective TFLOP/s
over the same variant's dense pattern at the same length (the efficiency
target of the GPU backend).
"""

from __future__ import annotations

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2_patterns  # noqa: E402
import s2attn_kernel  # noqa: E402
from baselines import HEADS, effective_tflops, median_ms, random_qkv, relative_error  # noqa: E402
from s2_patterns import PATTERNS  # noqa: E402


def parse_variant(text: str) -> tuple[str, str]:
    name, sep, directory = text.partition("=")
    if not sep or not name or not directory:
        raise argparse.ArgumentTypeError(f"expected NAME=DIR, got '{text}'")
    return name, directory


def time_variants(runtime, variants, pattern, seq, rounds):
    """{variant: [ms per round]} and {variant: rel. error vs the first}."""
    q, k, v = (t.transpose(1, 2).contiguous() for t in random_qkv(seq, "cuda"))
    stream = torch.cuda.current_stream()
    launches, outputs = {}, {}
    for name, root in variants:
        directory = os.path.join(root, f"{pattern.name}_{seq}")
        if not os.path.isdir(directory):
            continue
        out = torch.full_like(q, float("nan"))
        launches[name] = s2attn_kernel.launcher(runtime, directory, q, k, v, out, stream)
        launches[name]()
        outputs[name] = out
    torch.cuda.synchronize()
    first = next(iter(outputs), None)
    errors = {name: relative_error(out.float(), outputs[first].float())
              for name, out in outputs.items()}
    times = {name: [] for name in launches}
    for _ in range(rounds):
        for name, launch in launches.items():
            times[name].append(median_ms(launch)[0])
    return times, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="+", type=parse_variant,
                        help="NAME=DIR of bench artifacts; the first is the reference")
    parser.add_argument("--seq", type=int, nargs="+", default=[4096, 16384])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--patterns", nargs="*",
                        help="pattern names (default: all of bench/s2_patterns.py)")
    args = parser.parse_args()

    path = s2attn_kernel.find_runtime()
    if path is None:
        raise SystemExit("libs2attn_cuda_runtime.so not found (set S2ATTN_RUNTIME_LIB)")
    runtime = s2attn_kernel.Runtime(path)
    patterns = [p for p in PATTERNS if not args.patterns or p.name in args.patterns]
    names = [name for name, _ in args.variants]
    print(f"device: {torch.cuda.get_device_name()}")
    print("| seq | pattern | " + " | ".join(f"{n} ms" for n in names)
          + " | " + " | ".join(f"{n} vs dense" for n in names) + " | max rel err |")
    print("|---|---|" + "---:|" * (2 * len(names) + 1))
    for seq in args.seq:
        tflops = {}
        rows = []
        for pattern in patterns:
            times, errors = time_variants(runtime, args.variants, pattern, seq, args.rounds)
            pairs = s2_patterns.attended_pairs(pattern, seq, HEADS) / HEADS
            for name, ms in times.items():
                tflops[(pattern.name, name)] = effective_tflops(pairs, min(ms))
            rows.append((pattern, times, errors))
        dense = next((p.name for p in patterns if p.stride == 1), None)
        for pattern, times, errors in rows:
            cells = [" / ".join(f"{t:.4f}" for t in times[n]) if n in times else "n/a"
                     for n in names]
            ratios = []
            for n in names:
                base = tflops.get((dense, n))
                own = tflops.get((pattern.name, n))
                ratios.append(f"{own / base:.3f}" if base and own else "n/a")
            worst = max(errors.values(), default=float("nan"))
            print(f"| {seq // 1024}k | {pattern.describe()} | " + " | ".join(cells)
                  + " | " + " | ".join(ratios) + f" | {worst:.1e} |", flush=True)


if __name__ == "__main__":
    main()
