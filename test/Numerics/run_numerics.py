#!/usr/bin/env python3
"""Numerical test suite: s2-run --check on many seeded random configurations.

Every configuration is compiled by s2attn-lower-to-cpu, run on random inputs
and compared by s2-run with the float64 reference (out and lse, relative
error = max abs error / max |reference|, f32 1e-5, f16 1e-2, bf16 2e-2, any
NaN/Inf fails; lse is further held to 1e-4 for every dtype). The generator covers, by construction and then at random:
block sizes 16-128, head dims 32-128, lengths that are not multiples of the
block, decoding (q_len 1 against a long cache), GQA and MQA, dense heads,
homo heads, relative stripes, bidirectional windows, chunks at explicit
positions, arbitrary block masks, and f32, bf16 and f16.

Standard library only. Usage:
    run_numerics.py --s2-run build/bin/s2-run [--count 300] [--seed 2407]
                    [--jobs N] [--only CATEGORY] [--verbose]
Prints one line per failure (with the command that reproduces it) and a
summary; exits 1 when any configuration fails.
"""

import argparse
import concurrent.futures
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2npy  # noqa: E402

BLOCKS = [16, 32, 64, 128]
HEAD_DIMS = [32, 64, 80, 96, 128]
DTYPES = ["f32"] * 10 + ["bf16"] * 7 + ["f16"] * 3
# LSE is accumulated in f32 from the rounded inputs whatever the element
# type, so the suite holds it to f32-level accuracy on top of s2-run's
# per-dtype tolerance (which bf16/f16 outputs need).
LSE_TOLERANCE = 1e-4
CATEGORIES = ["local-stride", "decode", "gqa", "dense-heads", "homo-head",
              "relative", "bidirectional", "mask", "dense", "chunk"]


class Config:
    """One s2-run invocation; `mask` is (shape, bits) to write, if any."""

    def __init__(self, index, category):
        self.index = index
        self.category = category
        self.args = []
        self.mask = None
        self.dtype = "f32"
        self.block = 64
        self.head_dim = 64

    def add(self, flag, value=None):
        self.args.append(f"--{flag}" if value is None else f"--{flag}={value}")


def ceil_div(a, b):
    return (a + b - 1) // b


def pick_heads(rng, category):
    """(heads, kv_heads): GQA and MQA in their category, mixed elsewhere."""
    if category == "gqa":
        heads = rng.choice([2, 4, 6, 8])
        divisors = [d for d in range(1, heads) if heads % d == 0]
        return heads, rng.choice(divisors)
    if category == "dense-heads":
        heads = rng.choice([4, 6, 8])
        kv_heads = rng.choice([d for d in range(2, heads + 1) if heads % d == 0])
        return heads, kv_heads
    heads = rng.choice([1, 2, 3, 4])
    return heads, rng.choice([d for d in range(1, heads + 1) if heads % d == 0])


def pick_lengths(rng, category, block):
    """(q_len, kv_len), usually not multiples of the block."""
    if category == "decode":
        kv_len = rng.randint(3 * block, max(4 * block, 640))
        return rng.choice([1, 1, 1, 2, 3]), kv_len
    # Mostly several blocks, so that patterns matter; sometimes less than one.
    if rng.random() < 0.85:
        kv_len = rng.randint(block + 1, max(block + 1, min(6 * block, 400)))
    else:
        kv_len = rng.randint(1, block)
    if rng.random() < 0.15:
        kv_len = ceil_div(kv_len, block) * block  # an exact multiple now and then
    q_len = kv_len if rng.random() < 0.5 else rng.randint(1, kv_len)
    return q_len, kv_len


def add_local_stride(rng, config, heads, kv_heads, causal, category):
    config.add("local", rng.randint(1, 3))
    if not causal and rng.random() < 0.8:
        config.add("right", rng.randint(1, 3))
    config.add("stride", rng.choice([1, 2, 3, 4, 5, 8]))
    if rng.random() < 0.3:
        config.add("head-step", rng.randint(1, 3))
    if rng.random() < 0.3:
        config.add("head-offset", rng.randint(0, 3))
    if category == "dense-heads":
        config.add("dense-heads", rng.randint(1, kv_heads - 1))
    if category == "homo-head":
        config.add("homo-head")
    if category == "relative":
        config.add("relative")
    if category == "bidirectional" and rng.random() < 0.3:
        config.add("relative=false")


def random_mask(rng, heads, kv_heads, q_blocks, kv_blocks):
    """[H, Q, K] bits with the diagonal set, so that no query row is empty
    (queries always lie inside the key range here)."""
    mask_heads = rng.choice(sorted({1, kv_heads, heads}))
    q_blocks += rng.choice([0, 0, 1])  # masks may be larger than needed
    kv_blocks += rng.choice([0, 0, 2])
    density = rng.uniform(0.1, 0.9)
    bits = []
    for _ in range(mask_heads):
        for bq in range(q_blocks):
            for bk in range(kv_blocks):
                bits.append(1 if bq == bk or rng.random() < density else 0)
    return (mask_heads, q_blocks, kv_blocks), bits


def make_config(index, category, seed):
    rng = random.Random(seed * 100003 + index)
    config = Config(index, category)
    config.block = BLOCKS[index % len(BLOCKS)] if index < 40 else rng.choice(BLOCKS)
    config.head_dim = HEAD_DIMS[index % len(HEAD_DIMS)] if index < 40 else rng.choice(HEAD_DIMS)
    config.dtype = rng.choice(DTYPES)
    causal = {"bidirectional": False, "mask": rng.random() < 0.6,
              "chunk": rng.random() < 0.7}.get(category, True)
    heads, kv_heads = pick_heads(rng, category)
    q_len, kv_len = pick_lengths(rng, category, config.block)
    batch = rng.choice([1, 1, 2])

    config.add("batch", batch)
    config.add("q-len", q_len)
    config.add("kv-len", kv_len)
    config.add("heads", heads)
    config.add("kv-heads", kv_heads)
    config.add("head-dim", config.head_dim)
    config.add("dtype", config.dtype)
    config.add("block", config.block)
    config.add("seed", index)
    config.add("causal" if causal else "bidirectional")
    if rng.random() < 0.2:
        config.add("scale", rng.choice([0.05, 0.25, 0.5, 1.0]))

    # Queries inside the key range keep every row's diagonal block attended.
    kv_start = 0
    q_start = kv_len - q_len if causal else 0
    if category == "chunk" or (category == "mask" and rng.random() < 0.3):
        kv_start = rng.randint(1, 300)
        q_start = kv_start + rng.randint(0, kv_len - q_len)
        config.add("kv-start", kv_start)
        config.add("q-start", q_start)
    elif not causal and q_len < kv_len and rng.random() < 0.5:
        q_start = rng.randint(0, kv_len - q_len)
        config.add("q-start", q_start)

    if category == "mask":
        q_blocks = ceil_div(q_start + q_len, config.block)
        kv_blocks = ceil_div(kv_start + kv_len, config.block)
        config.mask = random_mask(rng, heads, kv_heads, q_blocks, kv_blocks)
    elif category == "dense":
        if rng.random() < 0.5:
            config.add("dense")
    else:
        add_local_stride(rng, config, heads, kv_heads, causal, category)

    # Mostly one thread per job (the jobs fill the cores); some runs use two
    # threads or the OpenMP default so the parallel loop is exercised too.
    threads = rng.choice([1, 1, 1, 2, 0])
    if threads:
        config.add("threads", threads)
    return config


def generate(count, seed):
    return [make_config(i, CATEGORIES[i % len(CATEGORIES)], seed) for i in range(count)]


CHECK_LINE = re.compile(r"check (out|lse): max abs error (\S+), rel error (\S+)")


def run_config(s2run, config, workdir):
    args = [s2run] + config.args + ["--check"]
    if config.mask:
        shape, bits = config.mask
        path = os.path.join(workdir, f"mask{config.index}.npy")
        s2npy.write(path, "b1", shape, bits)
        args.append(f"--mask={path}")
    start = time.monotonic()
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=300)
        output, code = result.stdout + result.stderr, result.returncode
    except subprocess.TimeoutExpired as timeout:
        output, code = f"timed out after {timeout.timeout} s", -1
    elapsed = time.monotonic() - start
    errors = {name: float(rel) for name, _, rel in CHECK_LINE.findall(output)}
    passed = code == 0 and "check: PASSED" in output and "out" in errors and "lse" in errors
    if passed and errors["lse"] > LSE_TOLERANCE:
        passed = False
        output += f"\nrun_numerics.py: lse rel error {errors['lse']:.3e} > {LSE_TOLERANCE}"
    return config, passed, code, output, errors, elapsed, args


def summarize(results, wall):
    failures = [r for r in results if not r[1]]
    by_category = {}
    worst = {}
    for config, passed, _, _, errors, _, _ in results:
        total, ok = by_category.get(config.category, (0, 0))
        by_category[config.category] = (total + 1, ok + passed)
        for name, rel in errors.items():
            key = (config.dtype, name)
            worst[key] = max(worst.get(key, 0.0), rel)
    print("\nper category (passed/run):")
    for category in CATEGORIES:
        if category in by_category:
            total, ok = by_category[category]
            print(f"  {category:14s} {ok}/{total}")
    print("worst relative error by dtype:")
    for (dtype, name), rel in sorted(worst.items()):
        print(f"  {dtype:5s} {name}: {rel:.3e}")
    covered = lambda attr: sorted({getattr(r[0], attr) for r in results})
    print(f"covered blocks {covered('block')}, head dims {covered('head_dim')}, "
          f"dtypes {covered('dtype')}")
    times = sorted(r[5] for r in results)
    print(f"{len(results) - len(failures)}/{len(results)} passed in {wall:.1f} s "
          f"(per run: median {times[len(times) // 2]:.2f} s, max {times[-1]:.2f} s)")
    return failures


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--s2-run", required=True, help="path of the s2-run binary")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2407)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", choices=CATEGORIES, help="run one category")
    parser.add_argument("--verbose", action="store_true", help="print every run")
    parser.add_argument("--workdir", help="where mask files go (default: a "
                        "temporary directory, kept only when a run fails)")
    options = parser.parse_args(argv[1:])

    configs = generate(options.count, options.seed)
    if options.only:
        configs = [c for c in configs if c.category == options.only]
    workdir = options.workdir or tempfile.mkdtemp(prefix="s2-numerics-")
    os.makedirs(workdir, exist_ok=True)
    start = time.monotonic()
    results = []
    with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
        futures = [pool.submit(run_config, options.s2_run, c, workdir) for c in configs]
        for future in concurrent.futures.as_completed(futures):
            config, passed, code, output, errors, elapsed, args = future.result()
            results.append(future.result())
            if options.verbose or not passed:
                status = "PASS" if passed else f"FAIL (exit {code})"
                print(f"[{config.index:3d} {config.category}] {status} {elapsed:.2f} s: "
                      f"{shlex.join(args)}")
                if not passed:
                    print("    " + output.strip().replace("\n", "\n    "))
    failures = summarize(sorted(results, key=lambda r: r[0].index), time.monotonic() - start)
    if failures:
        print(f"mask files of the failing commands are in {workdir}")
    elif not options.workdir:
        shutil.rmtree(workdir)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
