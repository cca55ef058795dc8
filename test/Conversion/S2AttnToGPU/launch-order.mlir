// The order in which CTAs take work. Causal rows grow with the position, so
// by default CTAs start on the last query chunk and walk the chunks down
// across a group of (batch, head) slices at a time: the fewest slices (a
// divisor of all) whose chunks fill the chip's first wave (132 SMs on sm_90a
// x the CTAs kept resident per SM). No long row is left for the last wave,
// and the K/V the running CTAs read stays within a few heads.
// RUN: s2-opt %s --convert-s2attn-to-gpu --cse | FileCheck %s --check-prefix=LONGEST
// RUN: s2-opt %s --convert-s2attn-to-gpu="chip=sm_80" --cse | FileCheck %s --check-prefix=AMPERE
// RUN: s2-opt %s --convert-s2attn-to-gpu="longest-first=false" --cse | FileCheck %s --check-prefix=PLAIN

// 4 query chunks x 3 heads x 2 batches, head_dim 64 (4 CTAs per SM): an
// sm_90a wave is 528 CTAs, more than all 24, so all 6 slices form one group.
// The grid is (chunks, heads, batch): linear index x + 4 * (y + 3 * z).
// LONGEST-LABEL: func.func @short_rows
// LONGEST: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c4, %c3, %c2) threads in
// LONGEST-LABEL: func.func @long_rows
// LONGEST: gpu.launch_func @s2attn_kernels::@s2attn_fwd_0 blocks in (%c256, %c6, %c1) threads in
// LONGEST-LABEL: func.func @bidirectional
// LONGEST: gpu.func @s2attn_fwd(
// LONGEST: %[[X:.*]] = gpu.block_id  x
// LONGEST-NEXT: %[[Y:.*]] = gpu.block_id  y
// LONGEST-NEXT: %[[Z:.*]] = gpu.block_id  z
// LONGEST-NEXT: %[[C3:.*]] = arith.constant 3 : index
// LONGEST-NEXT: %[[ZS:.*]] = arith.muli %[[C3]], %[[Z]] : index
// LONGEST-NEXT: %[[YZ:.*]] = arith.addi %[[Y]], %[[ZS]] : index
// LONGEST-NEXT: %[[YZS:.*]] = arith.muli %c4, %[[YZ]] : index
// LONGEST-NEXT: %[[LINEAR:.*]] = arith.addi %[[X]], %[[YZS]] : index
// LONGEST-NEXT: %[[C24:.*]] = arith.constant 24 : index
// LONGEST-NEXT: %[[GROUP:.*]] = arith.divui %[[LINEAR]], %[[C24]] : index
// LONGEST-NEXT: %[[IN:.*]] = arith.remui %[[LINEAR]], %[[C24]] : index
// LONGEST-NEXT: %[[C6:.*]] = arith.constant 6 : index
// LONGEST-NEXT: %[[LANE:.*]] = arith.remui %[[IN]], %[[C6]] : index
// LONGEST-NEXT: %[[BASE:.*]] = arith.muli %[[GROUP]], %[[C6]] : index
// LONGEST-NEXT: %[[SLICE:.*]] = arith.addi %[[BASE]], %[[LANE]] : index
// LONGEST-NEXT: %[[ORDINAL:.*]] = arith.divui %[[IN]], %[[C6]] : index
// LONGEST-NEXT: %[[CHUNK:.*]] = arith.subi %[[C3]], %[[ORDINAL]] : index
// LONGEST-NEXT: %[[HEAD:.*]] = arith.remui %[[SLICE]], %[[C3]] : index
// LONGEST-NEXT: %[[BATCH:.*]] = arith.divui %[[SLICE]], %[[C3]] : index
// LONGEST-NEXT: %[[C0:.*]] = arith.constant 0 : index
// LONGEST-NEXT: arith.addi %[[CHUNK]], %[[C0]] : index
// LONGEST-NEXT: %[[C1:.*]] = arith.constant 1 : index
// LONGEST-NEXT: arith.muli %[[HEAD]], %[[C1]] : index
// LONGEST: nvgpu.device_async_copy %arg0[%[[BATCH]],
func.func @short_rows(%q: memref<2x256x3x64xbf16>, %k: memref<2x256x3x64xbf16>, %v: memref<2x256x3x64xbf16>, %o: memref<2x256x3x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<2x256x3x64xbf16>, memref<2x256x3x64xbf16>, memref<2x256x3x64xbf16>)
      outs(%o : memref<2x256x3x64xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 1, stride = 2, head_step = 1>
  return
}

// 256 chunks x 6 heads, head_dim 128 (2 CTAs per SM): an sm_90a wave is 264
// CTAs, so groups of 2 heads (512 CTAs) walk the chunks down together; on
// sm_80 (108 SMs, 216 CTAs) one head at a time suffices.
// LONGEST: gpu.func @s2attn_fwd_0(
// LONGEST: %[[LIN:.*]] = arith.addi %block_id_x{{.*}}, %{{.*}} : index
// LONGEST-NEXT: %[[C512:.*]] = arith.constant 512 : index
// LONGEST-NEXT: %[[G:.*]] = arith.divui %[[LIN]], %[[C512]] : index
// LONGEST-NEXT: %[[I:.*]] = arith.remui %[[LIN]], %[[C512]] : index
// LONGEST-NEXT: %[[TWO:.*]] = arith.constant 2 : index
// LONGEST-NEXT: %[[L:.*]] = arith.remui %[[I]], %[[TWO]] : index
// LONGEST-NEXT: %[[B:.*]] = arith.muli %[[G]], %[[TWO]] : index
// LONGEST-NEXT: %[[S:.*]] = arith.addi %[[B]], %[[L]] : index
// LONGEST-NEXT: %[[ORD:.*]] = arith.divui %[[I]], %[[TWO]] : index
// LONGEST-NEXT: %[[C255:.*]] = arith.constant 255 : index
// LONGEST-NEXT: arith.subi %[[C255]], %[[ORD]] : index
// LONGEST-NEXT: arith.remui %[[S]], %[[SIX:c6.*]] : index
// LONGEST-NEXT: arith.divui %[[S]], %[[SIX]] : index
// AMPERE: gpu.func @s2attn_fwd_0(
// AMPERE: %[[LIN:.*]] = arith.addi %block_id_x{{.*}}, %{{.*}} : index
// AMPERE-NEXT: %[[G:.*]] = arith.divui %[[LIN]], %[[C256:c256.*]] : index
// AMPERE-NEXT: %[[I:.*]] = arith.remui %[[LIN]], %[[C256]] : index
// AMPERE-NEXT: %[[ONE:.*]] = arith.constant 1 : index
// AMPERE-NEXT: arith.remui %[[I]], %[[ONE]] : index
// AMPERE-NEXT: arith.muli %[[G]], %[[ONE]] : index
// AMPERE-NEXT: arith.addi
// AMPERE-NEXT: %[[ORD:.*]] = arith.divui %[[I]], %[[ONE]] : index
// AMPERE-NEXT: %[[C255:.*]] = arith.constant 255 : index
// AMPERE-NEXT: arith.subi %[[C255]], %[[ORD]] : index
func.func @long_rows(%q: memref<1x16384x6x128xbf16>, %k: memref<1x16384x6x128xbf16>, %v: memref<1x16384x6x128xbf16>, %o: memref<1x16384x6x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x16384x6x128xbf16>, memref<1x16384x6x128xbf16>, memref<1x16384x6x128xbf16>)
      outs(%o : memref<1x16384x6x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 8, stride = 16>
  return
}

// Bidirectional rows all have one length, and longest-first=false asks for
// the plain order: the block ids are the chunk, head and batch.
// LONGEST: gpu.func @s2attn_fwd_1(
// LONGEST: %[[X1:.*]] = gpu.block_id  x
// LONGEST-NEXT: %[[Y1:.*]] = gpu.block_id  y
// LONGEST-NEXT: %[[Z1:.*]] = gpu.block_id  z
// LONGEST-NEXT: %[[Z0:.*]] = arith.constant 0 : index
// LONGEST-NEXT: arith.addi %[[X1]], %[[Z0]] : index
// LONGEST-NEXT: %[[O1:.*]] = arith.constant 1 : index
// LONGEST-NEXT: arith.muli %[[Y1]], %[[O1]] : index
// LONGEST: nvgpu.device_async_copy %arg0[%[[Z1]],
// PLAIN: gpu.func @s2attn_fwd(
// PLAIN: %[[X:.*]] = gpu.block_id  x
// PLAIN-NEXT: %[[Y:.*]] = gpu.block_id  y
// PLAIN-NEXT: %[[Z:.*]] = gpu.block_id  z
// PLAIN-NEXT: %[[C0:.*]] = arith.constant 0 : index
// PLAIN-NEXT: arith.addi %[[X]], %[[C0]] : index
// PLAIN-NEXT: %[[C1:.*]] = arith.constant 1 : index
// PLAIN-NEXT: arith.muli %[[Y]], %[[C1]] : index
// PLAIN: nvgpu.device_async_copy %arg0[%[[Z]],
func.func @bidirectional(%q: memref<2x256x3x64xbf16>, %k: memref<2x256x3x64xbf16>, %v: memref<2x256x3x64xbf16>, %o: memref<2x256x3x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<2x256x3x64xbf16>, memref<2x256x3x64xbf16>, memref<2x256x3x64xbf16>)
      outs(%o : memref<2x256x3x64xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 1, stride = 2, head_step = 1> {causal = false}
  return
}
