#!/usr/bin/env bash
# Regenerates the dialect and pass reference from TableGen into
# docs/generated (ctest's docs-up-to-date check compares them).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${S2ATTN_BUILD_DIR:-build}
cmake --build "$build_dir" --target mlir-doc
mkdir -p docs/generated
cp "$build_dir"/docs/Dialects/S2AttnDialect.md docs/generated/S2AttnDialect.md
cp "$build_dir"/docs/S2AttnPasses.md docs/generated/S2AttnPasses.md
cp "$build_dir"/docs/S2AttnConversionPasses.md docs/generated/S2AttnConversionPasses.md
