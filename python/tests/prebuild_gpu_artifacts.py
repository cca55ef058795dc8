"""Compiles the GPU artifacts the GPU tests and examples/hybrid_block.py
need into DIR, on a machine with the compiler (MLIR, s2-compile, ptxas).
Carry DIR to the GPU machine and run there with S2ATTN_ARTIFACT_DIR=DIR.

    S2ATTN_LIBRARY_DIR=build/lib PYTHONPATH=python \
        python3 python/tests/prebuild_gpu_artifacts.py DIR [--chip sm_90a]
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent / "examples")]

import s2attn  # noqa: E402
from gpu_cases import all_cases  # noqa: E402
import hybrid_block  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--chip", default="sm_90a")
    args = parser.parse_args()
    for index, (batch, seq, heads, kv_heads, dim, dtype, pattern) in \
            enumerate(all_cases()):
        directory = args.out_dir / f"test{index:02d}"
        s2attn.compile_gpu_artifact((batch, seq, heads, dim),
                                    (batch, seq, kv_heads, dim), dtype,
                                    pattern, directory, chip=args.chip)
        print(f"wrote {directory}")
    hybrid_block.prebuild_artifacts(args.out_dir / "hybrid_block", args.chip)
    print(f"wrote {args.out_dir / 'hybrid_block'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
