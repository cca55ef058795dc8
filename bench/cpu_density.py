#!/usr/bin/env python3
"""CPU time against density at a fixed shape (8k tokens, 8 heads, head_dim 64,
causal, f32): the work must follow the attended blocks, and all cores must be
busy. Runs s2-run --time for several S2 patterns, on all cores and on one
thread, and prints a markdown table (ms, density, GFLOP/s on attended pairs,
speed-up over one thread).

    python3 bench/cpu_density.py --s2-run build/bin/s2-run
"""
import argparse
import os
import re
import subprocess
import sys

SHAPE = ["--q-len", "8192", "--heads", "8", "--head-dim", "64", "--dtype", "f32"]
PATTERNS = [
    ("dense causal", ["--dense", "--block", "64"]),
    ("B64 L16 V4", ["--block", "64", "--local", "16", "--stride", "4"]),
    ("B64 L8 V8", ["--block", "64", "--local", "8", "--stride", "8"]),
    ("B64 L4 V16", ["--block", "64", "--local", "4", "--stride", "16"]),
    ("B64 L2 V32", ["--block", "64", "--local", "2", "--stride", "32"]),
]
CAUSAL_PAIRS = 8192 * 8193 // 2 * 8


def run(s2run, pattern_flags, threads, repeat):
    command = [s2run, *SHAPE, *pattern_flags, "--time", "--repeat", str(repeat)]
    if threads:
        command += ["--threads", str(threads)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    ms = float(re.search(r"time: median ([0-9.]+) ms", out).group(1))
    gflops = float(re.search(r"throughput: ([0-9.]+) GFLOP/s", out).group(1))
    pairs = int(re.search(r"\(([0-9]+) attended token pairs", out).group(1))
    return ms, gflops, pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--s2-run", default="build/bin/s2-run")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cores = os.cpu_count()
    print(f"CPU: {cores} cores; shape 8192 tokens x 8 heads x 64, causal, f32")
    print("| pattern | density | ms (all cores) | GFLOP/s | ms (1 thread) | GFLOP/s | speed-up |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, flags in PATTERNS:
        ms, gflops, pairs = run(args.s2_run, flags, None, args.repeat)
        ms1, gflops1, _ = run(args.s2_run, flags, 1, args.repeat)
        print(f"| {name} | {pairs / CAUSAL_PAIRS:.4f} | {ms:.1f} | {gflops:.1f} | "
              f"{ms1:.1f} | {gflops1:.1f} | {ms1 / ms:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
