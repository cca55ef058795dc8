#!/usr/bin/env python3
"""Launches a decoding artifact inside a CUDA graph capture and replays it.

Kernels with grid splits keep counters in their module between launches
("ordered_launches" in kernel.json); the runtime orders their launches with
an event, which a capture cannot wait on, so under capture it launches
without one. This checks on the GPU machine that capture succeeds, that
replays give the reference output each time (the counters return to zero),
and that an ordinary launch after the replays still does.

    S2ATTN_RUNTIME_LIB=.../libs2attn_cuda_runtime.so \\
      python3 test/GPU/check_graph_capture.py ARTIFACT_DIR [ARTIFACT_DIR...]
"""

from __future__ import annotations

import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "bench"))
import s2attn_kernel  # noqa: E402


def check(runtime, directory: str) -> bool:
    meta = json.load(open(os.path.join(directory, "kernel.json")))
    shapes = {t["name"]: t["shape"] for t in meta["tensors"]}
    generator = torch.Generator(device="cuda").manual_seed(7)
    q, k, v = (torch.randn(*shapes[n], device="cuda", dtype=torch.bfloat16,
                           generator=generator) for n in ("q", "k", "v"))
    # Dense causal decode: the one query sees every key.
    reference = F.scaled_dot_product_attention(
        q.transpose(1, 2).float(), k.transpose(1, 2).float(),
        v.transpose(1, 2).float(), enable_gqa=True).transpose(1, 2)
    out = torch.full_like(q, float("nan"))
    stream = torch.cuda.Stream()
    launch = s2attn_kernel.launcher(runtime, directory, q, k, v, out, stream)
    with torch.cuda.stream(stream):
        launch()  # loads the module, outside the capture
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph, stream=stream):
        launch()
    errors = []
    for replay in range(3):
        out.fill_(float("nan"))
        graph.replay()
        torch.cuda.synchronize()
        errors.append(((out.float() - reference).abs().max() /
                       reference.abs().max()).item())
    out.fill_(float("nan"))
    with torch.cuda.stream(stream):
        launch()
    torch.cuda.synchronize()
    errors.append(((out.float() - reference).abs().max() /
                   reference.abs().max()).item())
    ok = all(e == e and e < 2e-2 for e in errors)
    print(f"{'PASS' if ok else 'FAIL'} {directory}: ordered_launches="
          f"{meta.get('ordered_launches', False)}, rel err of 3 replays and "
          f"a launch: {', '.join(f'{e:.1e}' for e in errors)}")
    return ok


def main() -> int:
    runtime = s2attn_kernel.Runtime(s2attn_kernel.find_runtime())
    results = [check(runtime, d) for d in sys.argv[1:]]
    print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
