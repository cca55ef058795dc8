// REQUIRES: ptxas
// fit-registers: with ctas-per-sm=0 each kernel is first compiled alone, by
// this pass with its options, and assembled by ptxas; while it spills under
// the register cap of the planner's occupancy, the op is planned for one CTA
// fewer per SM, with a remark that says so. A kernel that fits keeps the
// planner's pick, and a ctas-per-sm the user gives is not second-guessed.
// Which kernels spill is ptxas's call (CUDA 13.0 here: 4 bytes for
// @spills_at_four at four CTAs, 128 registers).
// RUN: s2-opt %s --convert-s2attn-to-gpu="fit-registers=true" -verify-diagnostics | FileCheck %s
// RUN: s2-opt %s --convert-s2attn-to-gpu="fit-registers=true ctas-per-sm=1" | FileCheck %s --check-prefix=FIXED
// The trial compiles with the pass's options: three K/V stages hold three
// CTAs at head_dim 64 (56 KiB each), as does an A100's shared memory with
// two; neither spills there, so nothing moves.
// RUN: s2-opt %s --convert-s2attn-to-gpu="fit-registers=true stages=3" 2>%t.stages | FileCheck %s --check-prefix=THREE
// RUN: FileCheck %s --check-prefix=QUIET --allow-empty < %t.stages
// RUN: s2-opt %s --convert-s2attn-to-gpu="fit-registers=true chip=sm_80" 2>%t.sm80 | FileCheck %s --check-prefix=THREE
// RUN: FileCheck %s --check-prefix=QUIET --allow-empty < %t.sm80

// QUIET-NOT: remark: ptxas
// THREE: nvvm.minctasm = 3
// THREE: nvvm.minctasm = 2
// THREE: nvvm.minctasm = 3
// CHECK-LABEL: gpu.module @s2attn_kernels
// CHECK: gpu.func @s2attn_fwd({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 3 : i32}
// CHECK: gpu.func @s2attn_fwd_0({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 2 : i32}
// CHECK: gpu.func @s2attn_fwd_1({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 4 : i32}
// FIXED-COUNT-3: nvvm.minctasm = 1 : i32

// head_dim 64: four CTAs an SM by the planner, where this kernel spills.
func.func @spills_at_four(%q: memref<1x256x2x64xbf16>, %k: memref<1x256x2x64xbf16>, %v: memref<1x256x2x64xbf16>, %o: memref<1x256x2x64xbf16>) {
  // expected-remark @+1 {{ptxas spilled}}
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>) outs(%o : memref<1x256x2x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  return
}

// head_dim 128: two CTAs an SM at 255 registers, which fit.
func.func @fits_at_two(%q: memref<1x256x2x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x2x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>) outs(%o : memref<1x256x2x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// head_dim 64, bidirectional (no diagonal mask): fits at four.
func.func @fits_at_four(%q: memref<1x256x2x64xbf16>, %k: memref<1x256x2x64xbf16>, %v: memref<1x256x2x64xbf16>, %o: memref<1x256x2x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>) outs(%o : memref<1x256x2x64xbf16>) pattern = #s2attn.dense<block = 64> {causal = false}
  return
}
