#!/usr/bin/env python3
"""Compiles seeded random S2 attention problems into GPU artifacts.

Each problem becomes an .mlir function (static memrefs) and then, through
s2-compile, a directory with kernel.cubin, kernel.json and problem.txt that
s2-gpu-check runs on the GPU machine against the float64 reference.
The mix follows the CPU test set, restricted to what the mma.sync backend
serves (f16/bf16, head_dim 64 and 128).
"""
import argparse
import os
import random
import subprocess
import sys


def block_mask(rng, heads, q_blocks, kv_blocks, causal):
    rows = []
    for _ in range(heads):
        head = []
        for bq in range(q_blocks):
            row = []
            for bk in range(kv_blocks):
                bit = rng.random() < 0.35 or bq == bk
                row.append("true" if bit else "false")
            head.append("[" + ", ".join(row) + "]")
        rows.append("[" + ", ".join(head) + "]")
    return "dense<[" + ", ".join(rows) + f"]> : tensor<{heads}x{q_blocks}x{kv_blocks}xi1>"


def random_problem(rng, index, max_q_len=0, max_kv_blocks=9,
                   group_sizes=(1, 2, 4), diagonal_last=False):
    """A random attention as MLIR. `diagonal_last` draws only causal
    closed-form rows whose CTAs end on their diagonal chunk (blocks of 16 to
    128, whole blocks of keys, queries that end with the keys), which the
    kernel walks with the diagonal peeled."""
    block = rng.choice([16, 32, 64, 128] if diagonal_last else [16, 32, 64, 128, 256])
    head_dim = rng.choice([64, 128])
    dtype = rng.choice(["bf16", "bf16", "f16"])
    kv_heads = rng.choice([1, 2, 4])
    heads = kv_heads * rng.choice(group_sizes)
    batch = rng.choice([1, 1, 2])
    causal = diagonal_last or rng.random() < 0.8
    kinds = ["local_stride", "dense"] if diagonal_last else ["local_stride", "block_mask", "dense"]
    kind = rng.choices(kinds, [4, 1] if diagonal_last else [6, 2, 1])[0]
    decode = causal and not diagonal_last and rng.random() < 0.12
    kv_len = rng.randint(1, max_kv_blocks) * block
    if not diagonal_last:
        kv_len += rng.choice([0, 0, rng.randint(1, block - 1)])
    if diagonal_last:
        q_len = kv_len if rng.random() < 0.7 else block * rng.randint(1, kv_len // block)
    else:
        q_len = 1 if decode else (kv_len if rng.random() < 0.7 else rng.randint(1, kv_len))
    if max_q_len:
        q_len = min(q_len, rng.randint(1, max_q_len))
        if diagonal_last:
            q_len = max(block, q_len // block * block)
    starts = [0, 0, 0, block * rng.randint(1, 3)]
    kv_start = rng.choice(starts if diagonal_last else starts + [rng.randint(1, 100)])
    q_start = None
    if not causal and rng.random() < 0.3:
        q_start = kv_start + rng.randint(0, 50)
    lse = rng.random() < 0.8
    if kind == "local_stride":
        local = rng.randint(1, 4)
        params = [f"block = {block}", f"local = {local}"]
        stride = rng.choice([1, 2, 3, 4, 8])
        params.append(f"stride = {stride}")
        if not causal and rng.random() < 0.7:
            params.append(f"right = {rng.randint(1, 3)}")
        if rng.random() < 0.3:
            params.append(f"head_step = {rng.randint(1, 3)}")
        if rng.random() < 0.4:
            params.append(f"head_offset = {rng.randint(0, 3)}")
        if kv_heads > 1 and rng.random() < 0.3:
            params.append(f"dense_heads = {rng.randint(1, kv_heads - 1)}")
        elif rng.random() < 0.15:
            params.append("homo_head = true")
        if rng.random() < 0.2:
            params.append(f"vert = {rng.choice(['absolute', 'relative'])}")
        pattern = "#s2attn.local_stride<" + ", ".join(params) + ">"
    elif kind == "block_mask":
        # Queries may reach past the keys (q_start set, bidirectional).
        q_end = (q_start if q_start is not None else kv_start) + q_len
        end = max(kv_start + kv_len, q_end)
        blocks = (end + block - 1) // block
        mask_heads = rng.choice([1, kv_heads, heads])
        pattern = f"#s2attn.block_mask<block = {block}, mask = {block_mask(rng, mask_heads, blocks, blocks, causal)}>"
    else:
        pattern = f"#s2attn.dense<block = {block}>"
    qt = f"memref<{batch}x{q_len}x{heads}x{head_dim}x{dtype}>"
    kt = f"memref<{batch}x{kv_len}x{kv_heads}x{head_dim}x{dtype}>"
    lt = f"memref<{batch}x{heads}x{q_len}xf32>"
    args = f"%q: {qt}, %k: {kt}, %v: {kt}, %o: {qt}" + (f", %l: {lt}" if lse else "")
    outs = f"%o : {qt}" + (f", %l : {lt}" if lse else "")
    positions = ""
    if q_start is not None:
        positions += f" q_start = {q_start}"
    if kv_start:
        positions += f" kv_start = {kv_start}"
    attrs = [] if causal else ["causal = false"]
    attr_dict = (" {" + ", ".join(attrs) + "}") if attrs else ""
    return f"""func.func @s2attn_main({args}) {{
  s2attn.attention ins(%q, %k, %v : {qt}, {kt}, {kt}) outs({outs})
      pattern = {pattern}{positions}{attr_dict}
  return
}}
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("s2compile")
    parser.add_argument("outdir")
    parser.add_argument("--count", type=int, default=110)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--schedule", default="auto",
                        help="passed to s2-compile: auto, exact, closed-form")
    parser.add_argument("--cta-rows", type=int, default=0,
                        help="passed to s2-compile: 0 (auto), 64 or 128")
    parser.add_argument("--persistent", action="store_true",
                        help="passed to s2-compile")
    parser.add_argument("--persistent-ctas", type=int, default=0,
                        help="passed to s2-compile: 0 (one wave) or fewer")
    parser.add_argument("--stages", type=int, default=0,
                        help="passed to s2-compile: K/V stages, 2, 3 or 0 "
                             "(auto)")
    parser.add_argument("--cluster-splits", type=int, default=0,
                        help="passed to s2-compile: 0 (auto), 1 (none) or a "
                             "cluster size")
    parser.add_argument("--max-kv-blocks", type=int, default=9,
                        help="draw the keys from 1..N blocks (long decodes "
                             "reach the cluster-split kernel)")
    parser.add_argument("--max-q-len", type=int, default=0,
                        help="cap the queries at a random 1..N (decoding "
                             "and short prompts: the key-split kernel)")
    parser.add_argument("--group-sizes", default="1,2,4",
                        help="query heads per KV head to draw from "
                             "(comma-separated)")
    parser.add_argument("--diagonal-last", action="store_true",
                        help="draw only causal closed-form problems whose "
                             "CTAs end on their diagonal chunk (the kernel "
                             "peels it)")
    parser.add_argument("--peel-diagonal", default="true",
                        help="passed to s2-compile: true or false")
    parser.add_argument("--grid-splits", type=int, default=0,
                        help="passed to s2-compile: 0 (auto), 1 (none) or "
                             "clusters per decoding tile; draws whose kernel "
                             "is not a decoding one are skipped")
    parser.add_argument("--packed-heads", type=int, default=0,
                        help="passed to s2-compile: 0 (auto) or the most "
                             "heads of a KV group a CTA packs")
    args = parser.parse_args()
    group_sizes = [int(g) for g in args.group_sizes.split(",")]
    if args.diagonal_last:
        # Packed heads and cluster splits are never peeled.
        args.packed_heads = args.packed_heads or 1
        args.cluster_splits = args.cluster_splits or 1
    rng = random.Random(args.seed)
    os.makedirs(args.outdir, exist_ok=True)
    made = rejected = 0
    index = 0
    while made < args.count:
        text = random_problem(rng, index, args.max_q_len,
                              args.max_kv_blocks, group_sizes,
                              args.diagonal_last)
        index += 1
        directory = os.path.join(args.outdir, f"p{made:03d}")
        source = directory + ".mlir"
        with open(source, "w") as f:
            f.write(text)
        run = subprocess.run([args.s2compile, source, "-o", directory,
                              "--schedule", args.schedule,
                              "--cta-rows", str(args.cta_rows),
                              "--stages", str(args.stages),
                              f"--persistent={str(args.persistent).lower()}",
                              "--persistent-ctas",
                              str(args.persistent_ctas),
                              "--cluster-splits", str(args.cluster_splits),
                              "--packed-heads", str(args.packed_heads),
                              f"--peel-diagonal={args.peel_diagonal}",
                              "--grid-splits", str(args.grid_splits)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            # The verifier rejects problems whose rows attend nothing; that
            # is a property of the random draw, not a compiler failure.
            skip = ("attends no key", "precedes every key",
                    "schedule=closed-form needs",
                    "applies to decoding kernels")
            if any(reason in run.stderr for reason in skip):
                rejected += 1
                os.remove(source)
                continue
            print(f"s2-compile failed on {source}:\n{run.stderr}", file=sys.stderr)
            return 1
        made += 1
    print(f"compiled {made} problems into {args.outdir} ({rejected} draws "
          f"skipped: empty rows, or no closed form for the pattern)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
