// cluster-splits asked for where it cannot apply is refused, not ignored.
// RUN: s2-opt %s --convert-s2attn-to-gpu="cta-rows=128 cluster-splits=2" -verify-diagnostics
// RUN: not s2-opt %s --convert-s2attn-to-gpu="persistent=true cluster-splits=2" 2>&1 | FileCheck %s --check-prefix=PERSISTENT

// 8 warps at head_dim 128 leave 8 states of 8704 bytes after the walk, more
// than the two 32 KiB K/V stages they would overwrite.
func.func @rows128(%q: memref<1x4096x1x128xbf16>, %k: memref<1x4096x1x128xbf16>, %v: memref<1x4096x1x128xbf16>, %o: memref<1x4096x1x128xbf16>) {
  // expected-error @+1 {{cluster-splits = 2 needs each CTA's 8 softmax states in its K/V stages after the walk (69632 bytes), which hold 65536 with 128-row CTAs; use cta-rows=64 or cluster-splits=1}}
  s2attn.attention ins(%q, %k, %v : memref<1x4096x1x128xbf16>, memref<1x4096x1x128xbf16>, memref<1x4096x1x128xbf16>)
      outs(%o : memref<1x4096x1x128xbf16>) pattern = #s2attn.dense<block = 128>
  return
}

// PERSISTENT: error: convert-s2attn-to-gpu: persistent takes no cluster-splits (its CTAs walk whole items); got cluster-splits = 2
