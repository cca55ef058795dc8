//===- Render.h - SVG pictures of block patterns ----------------*- C++ -*-===//
//
// A compact picture of a block pattern for docs and reviews: one panel per
// query head, attended blocks filled, the head's density under its panel.
//
//===----------------------------------------------------------------------===//

#ifndef S2ATTN_REFERENCE_RENDER_H
#define S2ATTN_REFERENCE_RENDER_H

#include "s2attn/Reference/Pattern.h"

#include <cstdint>
#include <string>

namespace s2attn::ref {

/// A standalone SVG document of `pattern` over qBlocks x kvBlocks absolute
/// blocks from block 0: one `<g class="head-panel">` per query head, at most
/// 8 panels per line, under `title`. Grids larger than 48 blocks a side are
/// drawn coarsened, each cell shaded by the fraction of its blocks attended.
std::string renderPatternSVG(const BlockPattern &pattern, int64_t heads,
                             int64_t qBlocks, int64_t kvBlocks,
                             const std::string &title);

} // namespace s2attn::ref

#endif // S2ATTN_REFERENCE_RENDER_H
