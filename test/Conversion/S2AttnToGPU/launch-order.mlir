// The order in which CTAs take work. Causal rows grow with the position, so
// by default CTAs start on the last query chunk and walk the chunks down
// across a group of (batch, head) slices at a time: the fewest slices (a
// divisor of all) whose chunks fill the chip's first wave (132 SMs on sm_90a
// x the CTAs kept resident per SM). No long row is left for the last wave,
// and the K/V the running CTAs read stays within a few heads.
// RUN: s2-opt %s --convert-s2attn-to-gpu --cse | FileCheck %s --check-prefix=LONGEST
// RUN: s2-opt %s --convert-s2attn-to-gpu="chip=sm_80" --cse | FileCheck %s --check-prefix=AMPERE
// RUN: s2-opt %s --convert-s2attn-to-gpu="longest-first=false" --cse | FileCheck %s --check-prefix=PLAIN

// 4 query chunks x 4 heads x 2 batches, head_dim 64 (4 CTAs per SM): 528
// CTAs fill an sm_90a wave, more than all 32, so all 8 slices form one
// group. The grid is (chunks, heads, batch); linear index x + 4 * (y + 4 * z).
// LONGEST-LABEL: func.func @short_rows
// LONGEST: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%[[C4:.*]], %[[C4]], %[[C2:.*]]) threads in
// LONGEST-LABEL: func.func @long_rows
// LONGEST: gpu.func @s2attn_fwd(
// LONGEST: %[[X:.*]] = gpu.block_id  x
// LONGEST-NEXT: %[[Y:.*]] = gpu.block_id  y
// LONGEST-NEXT: %[[Z:.*]] = gpu.block_id  z
// LONGEST-NEXT: %[[ZS:.*]] = arith.muli %[[K4:.*]], %[[Z]] : index
// LONGEST-NEXT: %[[YZ:.*]] = arith.addi %[[Y]], %[[ZS]] : index
// LONGEST-NEXT: %[[YZS:.*]] = arith.muli %[[K4]], %[[YZ]] : index
// LONGEST-NEXT: %[[LINEAR:.*]] = arith.addi %[[X]], %[[YZS]] : index
// LONGEST-NEXT: %[[GROUP:.*]] = arith.divui %[[LINEAR]], %[[C32:.*]] : index
// LONGEST-NEXT: %[[IN:.*]] = arith.remui %[[LINEAR]], %[[C32]] : index
// LONGEST-NEXT: %[[C8:.*]] = arith.constant 8 : index
// LONGEST-NEXT: %[[LANE:.*]] = arith.remui %[[IN]], %[[C8]] : index
// LONGEST-NEXT: %[[BASE:.*]] = arith.muli %[[GROUP]], %[[C8]] : index
// LONGEST-NEXT: %[[SLICE:.*]] = arith.addi %[[BASE]], %[[LANE]] : index
// LONGEST-NEXT: %[[ORDINAL:.*]] = arith.divui %[[IN]], %[[C8]] : index
// LONGEST-NEXT: %[[C3:.*]] = arith.constant 3 : index
// LONGEST-NEXT: %[[CHUNK:.*]] = arith.subi %[[C3]], %[[ORDINAL]] : index
// LONGEST-NEXT: %[[HEAD:.*]] = arith.remui %[[SLICE]], %[[K4]] : index
// LONGEST-NEXT: %[[BATCH:.*]] = arith.divui %[[SLICE]], %[[K4]] : index
func.func @short_rows(%q: memref<2x256x4x64xbf16>, %k: memref<2x256x4x64xbf16>, %v: memref<2x256x4x64xbf16>, %o: memref<2x256x4x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<2x256x4x64xbf16>, memref<2x256x4x64xbf16>, memref<2x256x4x64xbf16>)
      outs(%o : memref<2x256x4x64xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 1, stride = 2, head_step = 1>
  return
}

// 256 chunks x 4 heads, head_dim 128 (2 CTAs per SM): an sm_90a wave is 264
// CTAs, so groups of 2 heads (512 CTAs) walk the chunks down together; on
// sm_80 (108 SMs, 216 CTAs) one head at a time suffices.
// LONGEST: gpu.func @s2attn_fwd_0(
// LONGEST: %[[LIN:.*]] = arith.addi %block_id_x{{.*}}, %{{.*}} : index
// LONGEST-NEXT: %[[C512:.*]] = arith.constant 512 : index
// LONGEST-NEXT: %[[G:.*]] = arith.divui %[[LIN]], %[[C512]] : index
// LONGEST-NEXT: %[[I:.*]] = arith.remui %[[LIN]], %[[C512]] : index
// LONGEST-NEXT: %[[TWO:.*]] = arith.constant 2 : index
// LONGEST-NEXT: arith.remui %[[I]], %[[TWO]] : index
// LONGEST-NEXT: arith.muli %[[G]], %[[TWO]] : index
// LONGEST-NEXT: arith.addi
// LONGEST-NEXT: %[[ORD:.*]] = arith.divui %[[I]], %[[TWO]] : index
// LONGEST-NEXT: %[[C255:.*]] = arith.constant 255 : index
// LONGEST-NEXT: arith.subi %[[C255]], %[[ORD]] : index
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
func.func @long_rows(%q: memref<1x16384x4x128xbf16>, %k: memref<1x16384x4x128xbf16>, %v: memref<1x16384x4x128xbf16>, %o: memref<1x16384x4x128xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x16384x4x128xbf16>, memref<1x16384x4x128xbf16>, memref<1x16384x4x128xbf16>)
      outs(%o : memref<1x16384x4x128xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 8, stride = 16>
  return
}

// longest-first=false (and bidirectional attention, whose rows have one
// length) uses the grid as is.
// PLAIN-LABEL: func.func @short_rows
// PLAIN: gpu.func @s2attn_fwd(
// PLAIN: %[[X:.*]] = gpu.block_id  x
// PLAIN-NEXT: %[[Y:.*]] = gpu.block_id  y
// PLAIN-NEXT: %[[Z:.*]] = gpu.block_id  z
// PLAIN-NOT: arith.divui %{{.*}}, %c32
// PLAIN: arith.addi %[[X]], %{{.*}} : index
// PLAIN: arith.muli %[[Y]], %{{.*}} : index
