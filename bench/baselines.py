#!/usr/bin/env python3
"""Baseline attention timings for the s2attn workload on one GPU.

Workload: forward, bf16, batch 1, 32 heads, head_dim 128, causal, sequence
lengths 4k..128k. Baselines:
  * PyTorch SDPA, dense causal, with each backend (flash, cuDNN, efficient);
    a backend that refuses the shape is listed with the reason.
  * FlexAttention (torch.compile) with the same block masks as our S2
    patterns (bench/s2_patterns.py): the BlockMask is built from the S2 block
    pattern and the mask_mod applies the token-level causal rule.
  * s2attn: our kernel; `time_s2attn` is the hook, "n/a" until the compiler
    produces GPU artifacts.

Per row: ms (median of do_bench, after warm-up, on random inputs), density
(attended token pairs / causal pairs, exact), effective TFLOP/s =
4 * batch * heads * head_dim * (attended pairs per head) / time.

Before timing, FlexAttention with the S2 masks and every SDPA backend are
checked against a float32 masked-softmax reference on a small problem.

    PYTHONUNBUFFERED=1 python3 bench/baselines.py --out "$OUT"

The markdown table is printed last and written to <out>/baselines.md, with
the raw rows in <out>/baselines.json.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import s2_patterns  # noqa: E402
from s2_patterns import PATTERNS, S2Pattern  # noqa: E402

BATCH, HEADS, HEAD_DIM = 1, 32, 128
SEQ_LENS = [4096, 16384, 32768, 65536, 131072]
DTYPE = torch.bfloat16


# --------------------------------------------------------------------------
# Timing


def median_ms(fn, min_reps: int = 10, target_ms: float = 1500.0) -> tuple[float, int]:
    """Median time of fn in ms, after warm-up, via triton's do_bench.

    do_bench repeats for `rep` ms; choosing rep from a first estimate keeps at
    least `min_reps` repetitions for the slow (128k) cases.
    """
    import triton.testing

    fn()  # first call: compilation and allocator warm-up
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    fn()
    end.record()
    end.synchronize()
    estimate = max(start.elapsed_time(end), 1e-3)
    reps = max(min_reps, int(target_ms / estimate))
    ms = triton.testing.do_bench(fn, warmup=max(25.0, 3 * estimate),
                                 rep=reps * estimate, return_mode="median")
    return float(ms), reps


def random_qkv(seq: int, device) -> tuple[torch.Tensor, ...]:
    # Never time on zeros: random normal inputs, [batch, heads, seq, dim].
    shape = (BATCH, HEADS, seq, HEAD_DIM)
    generator = torch.Generator(device=device).manual_seed(seq)
    return tuple(torch.randn(shape, device=device, dtype=DTYPE, generator=generator)
                 for _ in range(3))


# --------------------------------------------------------------------------
# Implementations

SDPA_BACKENDS = {
    "flash": "FLASH_ATTENTION",
    "cudnn": "CUDNN_ATTENTION",
    "efficient": "EFFICIENT_ATTENTION",
}


def sdpa_fn(backend: str, q, k, v):
    from torch.nn.attention import SDPBackend, sdpa_kernel

    chosen = getattr(SDPBackend, SDPA_BACKENDS[backend])

    def run():
        with sdpa_kernel([chosen]):
            return F.scaled_dot_product_attention(q, k, v, is_causal=True)

    return run


_compiled_flex = None


def compiled_flex():
    global _compiled_flex
    if _compiled_flex is None:
        from torch.nn.attention.flex_attention import flex_attention

        # One compilation per (pattern, length): raise dynamo's recompile cap
        # so that no case silently falls back to eager (which would OOM).
        torch._dynamo.config.cache_size_limit = 256
        torch._dynamo.config.accumulated_cache_size_limit = 4096
        _compiled_flex = torch.compile(flex_attention, dynamic=False)
    return _compiled_flex


def flex_fn(block_mask, q, k, v):
    flex = compiled_flex()
    return lambda: flex(q, k, v, block_mask=block_mask)


ARTIFACTS = os.environ.get("S2ATTN_BENCH_ARTIFACTS")
_RUNTIME = None


def time_s2attn(pattern: S2Pattern, q, k, v, reference=None):
    """Our kernel's median ms for this problem and its error against
    `reference` (FlexAttention with the same mask), or (None, note).

    The kernel comes from ARTIFACTS/<pattern>_<seq> (written by
    test/GPU/make_bench_artifacts.sh with s2-compile) and runs through the
    runtime's C API on the current stream.
    """
    global _RUNTIME
    import s2attn_kernel
    if not ARTIFACTS:
        return None, "no --artifacts"
    directory = os.path.join(ARTIFACTS, f"{pattern.name}_{q.shape[2]}")
    if not os.path.isdir(directory):
        return None, f"no artifact {directory}"
    if _RUNTIME is None:
        path = s2attn_kernel.find_runtime()
        if path is None:
            return None, "libs2attn_cuda_runtime.so not found"
        _RUNTIME = s2attn_kernel.Runtime(path)
    # The kernel takes [batch, seq, heads, dim]; the baselines [batch, heads, seq, dim].
    qs, ks, vs = (t.transpose(1, 2).contiguous() for t in (q, k, v))
    out = torch.full_like(qs, float("nan"))
    launch = s2attn_kernel.launcher(_RUNTIME, directory, qs, ks, vs, out,
                                    torch.cuda.current_stream())
    launch()
    torch.cuda.synchronize()
    note = ""
    if reference is not None:
        ours = out.transpose(1, 2).float()
        note = f"s2attn vs flex rel err {relative_error(ours, reference.float()):.1e}"
    ms, _ = median_ms(launch)
    del qs, ks, vs, out
    return ms, note


# --------------------------------------------------------------------------
# Numerics


def reference_attention(q, k, v, mask):
    """float32 masked softmax attention; mask [heads, q, k] bool."""
    scale = 1.0 / math.sqrt(q.shape[-1])
    scores = torch.matmul(q.float(), k.float().transpose(-1, -2)) * scale
    scores = scores.masked_fill(~mask[None], float("-inf"))
    return torch.matmul(torch.softmax(scores, dim=-1), v.float())


def relative_error(out, ref) -> float:
    return float((out.float() - ref).norm() / ref.norm())


def check_numerics(device, seq: int = 2048, tolerance: float = 1e-2) -> list[str]:
    """FlexAttention with each S2 mask and each SDPA backend vs float32."""
    lines = []
    q, k, v = random_qkv(seq, device)
    causal = torch.ones(seq, seq, dtype=torch.bool, device=device).tril()
    dense_ref = reference_attention(q, k, v, causal.expand(HEADS, seq, seq))
    for pattern in PATTERNS:
        mask = s2_patterns.dense_token_mask(pattern, seq, HEADS, device)
        exact = s2_patterns.attended_pairs(pattern, seq, HEADS)
        assert int(mask.sum()) == exact, (pattern.name, int(mask.sum()), exact)
        ref = reference_attention(q, k, v, mask)
        out = flex_fn(s2_patterns.flex_block_mask(pattern, seq, HEADS, device),
                      q, k, v)()
        error = relative_error(out, ref)
        # The mask must matter: away from dense, S2 differs from causal.
        vs_dense = relative_error(out, dense_ref)
        sparse = exact < s2_patterns.causal_pairs(seq, HEADS)
        ok = error < tolerance and (not sparse or vs_dense > 10 * tolerance)
        lines.append(f"{'ok  ' if ok else 'FAIL'} flex {pattern.describe()} seq {seq}: "
                     f"rel err {error:.2e} vs fp32 masked reference "
                     f"({vs_dense:.2e} vs dense causal), pairs {exact} exact")
        if not ok:
            raise SystemExit("FlexAttention numerics check failed:\n" + "\n".join(lines))
    for backend in SDPA_BACKENDS:
        try:
            error = relative_error(sdpa_fn(backend, q, k, v)(), dense_ref)
            status = "ok  " if error < tolerance else "FAIL"
            lines.append(f"{status} sdpa {backend} causal seq {seq}: rel err {error:.2e}")
        except RuntimeError as refusal:
            lines.append(f"skip sdpa {backend}: {first_line(refusal)}")
    return lines


def check_block_mask_construction(device, seq: int = 2048) -> list[str]:
    """Our BlockMask equals FlexAttention's own create_block_mask."""
    from torch.nn.attention.flex_attention import create_block_mask

    lines = []
    for pattern in PATTERNS:
        ours = s2_patterns.flex_block_mask(pattern, seq, HEADS, device)
        theirs = create_block_mask(s2_patterns.mask_mod_for(pattern, HEADS), BATCH,
                                   HEADS, seq, seq, device=device,
                                   BLOCK_SIZE=pattern.flex_block)

        def tiles(num, idx):
            dense = torch.zeros(idx.shape, dtype=torch.int32, device=device)
            valid = torch.arange(idx.shape[-1], device=device) < num[..., None]
            return dense.scatter_add(-1, idx.long(), valid.int())

        same = (torch.equal(tiles(ours.kv_num_blocks, ours.kv_indices),
                            tiles(theirs.kv_num_blocks, theirs.kv_indices))
                and torch.equal(tiles(ours.full_kv_num_blocks, ours.full_kv_indices),
                                tiles(theirs.full_kv_num_blocks, theirs.full_kv_indices)))
        lines.append(f"{'ok  ' if same else 'FAIL'} block mask {pattern.describe()} "
                     f"seq {seq} equals create_block_mask")
        if not same:
            raise SystemExit("BlockMask construction differs:\n" + "\n".join(lines))
    return lines


# --------------------------------------------------------------------------
# The run


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:160]


def effective_tflops(pairs_per_head: float, ms: float) -> float:
    return 4 * BATCH * HEADS * HEAD_DIM * pairs_per_head / (ms * 1e-3) / 1e12


def make_row(impl, pattern_name, seq, ms, reps, pairs_total, note="", s2attn_ms=None):
    pairs_per_head = pairs_total / HEADS
    causal = s2_patterns.causal_pairs(seq, 1)
    return {
        "impl": impl, "pattern": pattern_name, "seq": seq,
        "ms": ms, "reps": reps, "density": pairs_per_head / causal,
        "tflops": effective_tflops(pairs_per_head, ms) if ms else None,
        "s2attn_ms": s2attn_ms,
        "s2attn_tflops": effective_tflops(pairs_per_head, s2attn_ms) if s2attn_ms else None,
        "note": note,
    }


def run_sdpa(seq, q, k, v, rows, deadline=None):
    pairs = s2_patterns.causal_pairs(seq, HEADS)
    for backend in SDPA_BACKENDS:
        name = f"sdpa-{backend}"
        if over_budget(deadline):
            rows.append(make_row(name, "dense causal", seq, None, 0, pairs,
                                 note="not run: time budget spent"))
            print_row(rows[-1])
            continue
        try:
            ms, reps = median_ms(sdpa_fn(backend, q, k, v))
            rows.append(make_row(name, "dense causal", seq, ms, reps, pairs))
        except (RuntimeError, torch.cuda.OutOfMemoryError) as refusal:
            rows.append(make_row(name, "dense causal", seq, None, 0, pairs,
                                 note=f"skipped: {first_line(refusal)}"))
        torch.cuda.empty_cache()
        print_row(rows[-1])


def over_budget(deadline) -> bool:
    return deadline is not None and time.time() > deadline


def run_flex(seq, q, k, v, rows, deadline=None):
    for pattern in PATTERNS:
        pairs = s2_patterns.attended_pairs(pattern, seq, HEADS)
        if over_budget(deadline):
            rows.append(make_row("flex", pattern.describe(), seq, None, 0, pairs,
                                 note="not run: time budget spent"))
            print_row(rows[-1])
            continue
        try:
            block_mask = s2_patterns.flex_block_mask(pattern, seq, HEADS, q.device)
            started = time.time()
            flex = flex_fn(block_mask, q, k, v)
            ms, reps = median_ms(flex)
            note = f"first call + timing {time.time() - started:.0f}s"
            s2attn_ms, s2attn_note = time_s2attn(pattern, q, k, v, reference=flex())
            note = f"{note}; {s2attn_note}" if s2attn_note else note
            rows.append(make_row("flex", pattern.describe(), seq, ms, reps, pairs,
                                 note=note, s2attn_ms=s2attn_ms))
        except Exception as failure:  # keep the other rows if one case fails
            traceback.print_exc()
            rows.append(make_row("flex", pattern.describe(), seq, None, 0, pairs,
                                 note=f"failed: {first_line(failure)}"))
        torch.cuda.empty_cache()
        print_row(rows[-1])


def format_cell(value, fmt):
    return "n/a" if value is None else format(value, fmt)


TABLE_HEADER = ("| impl | pattern | seq | ms | density | eff. TFLOP/s | s2attn ms | "
                "s2attn TFLOP/s | note |\n"
                "|---|---|---:|---:|---:|---:|---:|---:|---|")


def table_line(row) -> str:
    return (f"| {row['impl']} | {row['pattern']} | {row['seq'] // 1024}k | "
            f"{format_cell(row['ms'], '.3f')} | {row['density']:.4f} | "
            f"{format_cell(row['tflops'], '.1f')} | "
            f"{format_cell(row['s2attn_ms'], '.3f')} | "
            f"{format_cell(row['s2attn_tflops'], '.1f')} | {row['note']} |")


def print_row(row):
    print("  " + table_line(row), flush=True)


def environment() -> dict:
    def driver_version():
        try:
            return subprocess.run(
                ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return "unknown"

    import triton

    return {
        "device": torch.cuda.get_device_name(),
        "capability": "sm_%d%d" % torch.cuda.get_device_capability(),
        "driver": driver_version(),
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "cudnn": torch.backends.cudnn.version(),
        "triton": triton.__version__,
        "python": sys.version.split()[0],
    }


def write_outputs(out_dir, env, checks, rows, command):
    table = "\n".join([TABLE_HEADER] + [table_line(row) for row in rows])
    header = (f"Device: {env['device']} ({env['capability']}), driver {env['driver']}, "
              f"torch {env['torch']} (CUDA {env['cuda']}, cuDNN {env['cudnn']}), "
              f"triton {env['triton']}\n"
              f"Workload: forward, bf16, batch {BATCH}, {HEADS} heads, head_dim "
              f"{HEAD_DIM}, causal. Command: {command}\n")
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        with open(os.path.join(out_dir, "baselines.md"), "w") as f:
            f.write(header + "\n" + "\n".join(checks) + "\n\n" + table + "\n")
        with open(os.path.join(out_dir, "baselines.json"), "w") as f:
            json.dump({"environment": env, "checks": checks, "rows": rows,
                       "command": command}, f, indent=1)
    return header, table


def main():
    global ARTIFACTS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.environ.get("OUT"),
                        help="directory for baselines.md/.json (default: $OUT)")
    parser.add_argument("--seq", type=int, nargs="*", default=SEQ_LENS)
    parser.add_argument("--skip-sdpa", action="store_true")
    parser.add_argument("--skip-flex", action="store_true")
    parser.add_argument("--artifacts", default=ARTIFACTS,
                        help="directory of s2-compile artifacts named "
                             "<pattern>_<seq> (test/GPU/make_bench_artifacts.sh)")
    parser.add_argument("--budget-s", type=float, default=None,
                        help="start no new case after this many seconds, so a "
                             "time-limited run still ends with its table")
    args = parser.parse_args()
    ARTIFACTS = args.artifacts
    deadline = time.time() + args.budget_s if args.budget_s else None
    if not torch.cuda.is_available():
        raise SystemExit("baselines.py needs a CUDA GPU")
    device = torch.device("cuda")
    command = "python3 bench/baselines.py " + " ".join(sys.argv[1:])
    env = environment()
    print(json.dumps(env), flush=True)

    checks = check_block_mask_construction(device) + check_numerics(device)
    print("\n".join(checks), flush=True)

    rows = []
    for seq in args.seq:
        torch.cuda.reset_peak_memory_stats()
        q, k, v = random_qkv(seq, device)
        print(f"seq {seq}: q/k/v {q.numel() * q.element_size() / 2**30:.2f} GiB each",
              flush=True)
        if not args.skip_sdpa:
            run_sdpa(seq, q, k, v, rows, deadline)
        if not args.skip_flex:
            run_flex(seq, q, k, v, rows, deadline)
        print(f"seq {seq}: peak GPU memory "
              f"{torch.cuda.max_memory_allocated() / 2**30:.1f} GiB", flush=True)
        del q, k, v
        torch.cuda.empty_cache()

    header, table = write_outputs(args.out, env, checks, rows, command)
    print()
    print(header)
    print(table)


if __name__ == "__main__":
    main()
