/*===- ModuleState.h - kernels that keep state in their module --*- C -*-===*
 *
 * A decoding kernel with grid splits merges its clusters' partial states
 * through globals of its own module and counts them in with a counter per
 * tile, `<kernel name>` S2ATTN_GRID_COUNTS_SUFFIX, which the last of them
 * resets. Two launches of such a kernel must not overlap. The compiler names
 * the counters with this suffix; the mgpu* entry points look the name up
 * (kernel.json says the same with `ordered_launches`).
 *
 *===----------------------------------------------------------------------===*/

#ifndef S2ATTN_RUNTIME_MODULESTATE_H
#define S2ATTN_RUNTIME_MODULESTATE_H

#define S2ATTN_GRID_COUNTS_SUFFIX "_grid_counts"

#endif /* S2ATTN_RUNTIME_MODULESTATE_H */
