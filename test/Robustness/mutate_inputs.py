#!/usr/bin/env python3
"""Feeds s2-opt truncated and randomly mutated s2attn IR and fails if any run
crashes (a signal, or an exit code other than 0 and 1) or fails without a
diagnostic. Deterministic: the seed is fixed, and a failure prints the input.
"""
import argparse
import random
import subprocess
import sys

TOKENS = ["block", "local", "stride", "right", "head_step", "head_offset",
          "dense_heads", "homo_head", "vert", "relative", "absolute", "true",
          "false", "-1", "0", "65536", "9223372036854775807", "?", "x", "<",
          ">", "[", "]", "(", ")", ",", "=", "%q", "i1", "f16", "bf16",
          "q_start", "kv_start", "#s2attn.dense<>", "dense<true>", "{}"]


def mutate(text, rng):
    kind = rng.randrange(4)
    pos = rng.randrange(len(text))
    if kind == 0:  # truncate
        return text[:pos]
    if kind == 1:  # delete a span
        return text[:pos] + text[pos + rng.randrange(1, 12):]
    if kind == 2:  # insert a token
        return text[:pos] + " " + rng.choice(TOKENS) + " " + text[pos:]
    # replace a number with another
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    if not digits:
        return text[:pos]
    i = rng.choice(digits)
    return text[:i] + rng.choice(["0", "3", "17", "48", "-5", "99999"]) + text[i + 1:]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("s2opt")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    sources = []
    for path in args.inputs:
        with open(path) as f:
            # Split-input-file chunks, without RUN/CHECK comments.
            for chunk in f.read().split("// -----"):
                lines = [l for l in chunk.splitlines() if not l.lstrip().startswith("//")]
                if any("s2attn" in l for l in lines):
                    sources.append("\n".join(lines))
    outcomes = {0: 0, 1: 0}
    for n in range(args.count):
        text = mutate(rng.choice(sources), rng)
        if rng.random() < 0.3:
            text = mutate(text, rng)
        run = subprocess.run([args.s2opt, "-", "--s2attn-analyze", "-o", "/dev/null"],
                             input=text, capture_output=True, text=True, timeout=60)
        crashed = run.returncode not in (0, 1)
        silent_failure = run.returncode == 1 and "error" not in run.stderr
        if crashed or silent_failure:
            print(f"mutation {n}: exit code {run.returncode}, expected 0 or 1 "
                  f"with a diagnostic\n--- input ---\n{text}\n--- stderr ---\n{run.stderr}")
            return 1
        outcomes[run.returncode] += 1
    print(f"{args.count} mutated inputs: {outcomes[0]} accepted, "
          f"{outcomes[1]} rejected with a diagnostic, 0 crashes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
