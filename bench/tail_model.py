#!/usr/bin/env python3
"""A list-scheduling model of a prefill grid: how much of a pattern's loss
against our dense kernel comes from the grid's tail, and how much from what
each CTA pays once.

Each CTA (one 64-row query block of one head) costs `steps - 1 + diag + c`
step-times: its key blocks, the causal diagonal block at `diag` of a step,
and a fixed cost `c` (prologue loads, epilogue). CTAs go to the first free
of `slots` resident slots (132 SMs x 2 CTAs on an H100) in the launch order,
longest first, each cost scaled by a uniform noise of +-`noise`. The ratio
printed is the pattern's effective TFLOP/s over dense's, as bench/ counts
them (a diagonal block is half a block of pairs); "tail" is the makespan
over the perfectly balanced one. No GPU needed:

    python3 bench/tail_model.py --pattern b64_l8_v16 --seq 4096
"""

from __future__ import annotations

import argparse
import heapq
import random

import s2_patterns


def row_steps(pattern, seq: int, heads: int) -> list[int]:
    return [s2_patterns.attended_blocks_in_row(pattern, bq, head, heads)
            for bq in range(seq // pattern.block) for head in range(heads)]


def makespan(costs, slots: int, noise: float, seeds: int) -> float:
    spans = []
    for seed in range(seeds):
        rng = random.Random(seed)
        free = [0.0] * slots
        for cost in costs:
            start = heapq.heappop(free)
            heapq.heappush(free, start + cost * (1 + rng.uniform(-noise, noise)))
        spans.append(max(free))
    return sum(spans) / len(spans)


def model(pattern, seq, heads, slots, fixed, diag, noise, seeds):
    """(work in pair-counted steps, makespan, balanced makespan)."""
    steps = sorted(row_steps(pattern, seq, heads), reverse=True)
    costs = [s - 1 + diag + fixed for s in steps]
    work = sum(s - 0.5 for s in steps)
    return work, makespan(costs, slots, noise, seeds), sum(costs) / slots


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pattern", default="b64_l8_v16",
                        choices=[p.name for p in s2_patterns.PATTERNS])
    parser.add_argument("--seq", type=int, default=4096)
    parser.add_argument("--heads", type=int, default=32)
    parser.add_argument("--slots", type=int, default=264)
    parser.add_argument("--diag", type=float, default=0.6,
                        help="cost of the causal diagonal step, in steps")
    parser.add_argument("--noise", type=float, default=0.08)
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    patterns = {p.name: p for p in s2_patterns.PATTERNS}
    dense = patterns["dense_v1"]
    print(f"| c (steps a CTA) | ratio to dense | {args.pattern} tail | dense tail |")
    print("|---:|---:|---:|---:|")
    for fixed in (0.0, 0.5, 1.0, 1.5):
        common = (args.seq, args.heads, args.slots, fixed, args.diag,
                  args.noise, args.seeds)
        work, span, balanced = model(patterns[args.pattern], *common)
        dense_work, dense_span, dense_balanced = model(dense, *common)
        ratio = (work / span) / (dense_work / dense_span)
        print(f"| {fixed} | {ratio:.3f} | {span / balanced:.3f} | "
              f"{dense_span / dense_balanced:.3f} |")


if __name__ == "__main__":
    main()
