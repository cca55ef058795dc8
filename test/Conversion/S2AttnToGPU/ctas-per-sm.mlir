// CTAs kept resident per SM (nvvm.minctasm, which caps ptxas's registers a
// thread at 64K / (CTAs x threads)). By default as many as spill-free
// registers allow (255 a thread at head_dim 128, 128 at head_dim 64) and
// shared memory holds; ctas-per-sm asks for a count.
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="ctas-per-sm=1" | FileCheck %s --check-prefix=CHECK1
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="ctas-per-sm=3" -verify-diagnostics | FileCheck %s --check-prefix=CHECK3
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu="stages=3" | FileCheck %s --check-prefix=CHECKSTAGES3
// RUN: not s2-opt %s --split-input-file --convert-s2attn-to-gpu="ctas-per-sm=5" 2>&1 | FileCheck %s --check-prefix=CHECK5
// RUN: not s2-opt %s --convert-s2attn-to-gpu="ctas-per-sm=-1" 2>&1 | FileCheck %s --check-prefix=CHECKNEGATIVE

// head_dim 128, 4 warps: two CTAs at 255 registers. Three would also need
// 3 x (80 KiB + 1 KiB reserved) of shared memory, more than sm_90a's 227 KiB.
// CHECK-LABEL: func.func @d128
// CHECK: kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 2 : i32}
// CHECK1-LABEL: func.func @d128
// CHECK1: kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 1 : i32}
// CHECK5: error: 's2attn.attention' op ctas-per-sm = 5 needs 414720 bytes
func.func @d128(%q: memref<1x256x2x128xbf16>, %k: memref<1x256x2x128xbf16>, %v: memref<1x256x2x128xbf16>, %o: memref<1x256x2x128xbf16>) {
  // expected-error @+1 {{ctas-per-sm = 3 needs 248832 bytes of shared memory per SM (82944 a CTA, 1 KiB reserved); sm_90a is budgeted 232448, which holds 2 of these CTAs}}
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>, memref<1x256x2x128xbf16>)
      outs(%o : memref<1x256x2x128xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// -----

// head_dim 64, 4 warps: four CTAs at 128 registers (40 KiB of shared memory
// each); asked for three, three; asked for five (above the registers'
// limit, which ptxas then meets by spilling), five. Three K/V stages (56 KiB
// a CTA) leave room for three.
// CHECK-LABEL: func.func @d64
// CHECK: kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 4 : i32}
// CHECK1-LABEL: func.func @d64
// CHECK1: nvvm.minctasm = 1 : i32
// CHECK3-LABEL: func.func @d64
// CHECK3: kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 3 : i32}
// CHECK5-LABEL: func.func @d64
// CHECK5: kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 5 : i32}
// CHECKSTAGES3-LABEL: func.func @d64
// CHECKSTAGES3: dynamic_shared_memory_size %c57344_i32
// CHECKSTAGES3: kernel attributes {known_block_size = array<i32: 128, 1, 1>, nvvm.minctasm = 3 : i32}
func.func @d64(%q: memref<1x256x2x64xbf16>, %k: memref<1x256x2x64xbf16>, %v: memref<1x256x2x64xbf16>, %o: memref<1x256x2x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>)
      outs(%o : memref<1x256x2x64xbf16>) pattern = #s2attn.dense<block = 64>
  return
}

// CHECKNEGATIVE: error: convert-s2attn-to-gpu: ctas-per-sm = -1 is negative; expected 0 (auto) or a CTA count
