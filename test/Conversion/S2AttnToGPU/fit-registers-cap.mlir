// REQUIRES: ptxas
// fit-registers plans one CTA fewer per SM only where that gives a thread
// more registers. Two 128-thread CTAs already have 255 each, the most a
// thread may have, so a head_dim 128 kernel that spills there keeps its two
// CTAs (one would only halve the warps an SM hides latency with) and gets a
// warning that says so (-verify-diagnostics fails on any remark the test
// does not expect, such as one announcing fewer CTAs). This head_dim 128
// kernel with three K/V stages spills under 255 registers with CUDA 13.0's
// ptxas.
// RUN: s2-opt %s --convert-s2attn-to-gpu="fit-registers=true stages=3" -verify-diagnostics | FileCheck %s

// CHECK: gpu.func @s2attn_fwd({{.*}}) kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 2 : i32}

func.func @three_stages(%q: memref<1x512x2x128xbf16>, %k: memref<1x512x2x128xbf16>, %v: memref<1x512x2x128xbf16>, %o: memref<1x512x2x128xbf16>) {
  // expected-warning-re @+1 {{the kernel spills {{[1-9][0-9]*}} bytes (stores; {{[0-9]+}} bytes of loads) under 255 registers a thread at 2 CTAs per SM; fewer CTAs per SM would not raise that cap}}
  s2attn.attention ins(%q, %k, %v : memref<1x512x2x128xbf16>, memref<1x512x2x128xbf16>, memref<1x512x2x128xbf16>) outs(%o : memref<1x512x2x128xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4>
  return
}
