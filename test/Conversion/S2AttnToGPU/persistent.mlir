// persistent=true (experimental): a grid of one wave, or of persistent-ctas
// CTAs, which take the work items of the launch order in turn, forwards in
// even rounds and backwards in odd ones. During an item's last step a CTA
// loads the next item's Q tile and first K/V tiles into the slot the next
// step would have used, then stages O in the K/V stage the last step read.
// RUN: s2-opt %s --convert-s2attn-to-gpu="persistent=true persistent-ctas=3" --cse | FileCheck %s
// RUN: s2-opt %s --convert-s2attn-to-gpu="persistent=true" --cse | FileCheck %s --check-prefix=WAVE
// RUN: s2-opt %s --convert-s2attn-to-gpu --cse | FileCheck %s --check-prefix=OFF
// RUN: not s2-opt %s --convert-s2attn-to-gpu="persistent=true stages=3" 2>&1 | FileCheck %s --check-prefix=STAGES
// RUN: not s2-opt %s --convert-s2attn-to-gpu="persistent=true persistent-ctas=-2" 2>&1 | FileCheck %s --check-prefix=COUNT

// STAGES: error: convert-s2attn-to-gpu: persistent needs stages = 2 (the next item's loads take the one slot ahead); got stages = 3
// COUNT: error: convert-s2attn-to-gpu: persistent-ctas = -2 is negative; expected 0 (one wave) or a CTA count

// 4 chunks x 2 heads = 8 items on 3 CTAs: rounds 0 and 1 are full, round 2
// (forwards) has items 6 and 7 only, so CTA 2 takes two items.
// CHECK-LABEL: func.func @few_ctas
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c3, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c40960_i32
// WAVE-LABEL: func.func @few_ctas
// WAVE: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c8, %c1, %c1)
// OFF-LABEL: func.func @few_ctas
// OFF: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks in (%c4, %c2, %c1)
func.func @few_ctas(%q: memref<1x256x2x64xbf16>, %k: memref<1x256x2x64xbf16>, %v: memref<1x256x2x64xbf16>, %o: memref<1x256x2x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>)
      outs(%o : memref<1x256x2x64xbf16>)
      pattern = #s2attn.local_stride<block = 64, local = 1, stride = 2, head_step = 1>
  return
}

// 32 chunks x 16 heads = 512 items; at head_dim 128 an sm_90a wave is 132
// SMs x 2 CTAs.
// CHECK-LABEL: func.func @one_wave
// CHECK: blocks in (%c3, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920_i32
// WAVE-LABEL: func.func @one_wave
// WAVE: blocks in (%c264, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c81920_i32
func.func @one_wave(%q: memref<1x2048x16x128xbf16>, %o: memref<1x2048x16x128xbf16>) {
  s2attn.attention ins(%q, %q, %q : memref<1x2048x16x128xbf16>, memref<1x2048x16x128xbf16>, memref<1x2048x16x128xbf16>)
      outs(%o : memref<1x2048x16x128xbf16>) pattern = #s2attn.dense<>
  return
}

// Block 16 under Merge-Q: a 64-row O does not fit a K/V stage of 16 keys
// (two 2 KiB tiles), so O gets 8 KiB of its own after the Q tile:
// 2 x 4 KiB + 8 KiB + 8 KiB.
// CHECK-LABEL: func.func @merge_q
// CHECK: blocks in (%c3, %c1, %c1) threads in (%c128, %c1, %c1) dynamic_shared_memory_size %c24576_i32
// OFF-LABEL: func.func @merge_q
// OFF: dynamic_shared_memory_size %c16384_i32
func.func @merge_q(%q: memref<1x256x2x64xf16>, %o: memref<1x256x2x64xf16>) {
  s2attn.attention ins(%q, %q, %q : memref<1x256x2x64xf16>, memref<1x256x2x64xf16>, memref<1x256x2x64xf16>)
      outs(%o : memref<1x256x2x64xf16>)
      pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4>
  return
}

// The rounds of CTA x: item(r) = 3 r + (r odd ? 2 - x : x); the last round
// counts if its item exists.
// CHECK: gpu.func @s2attn_fwd(
// CHECK: %[[QTILE:.*]] = memref.view %{{.*}}[%c32768][] {{.*}} to memref<64x64xbf16
// CHECK: %[[CTA:.*]] = gpu.block_id  x
// CHECK: %[[ODD:.*]] = arith.cmpi eq, %{{.*}}, %c1 : index
// CHECK-NEXT: %[[BACK:.*]] = arith.subi %c2, %[[CTA]] : index
// CHECK-NEXT: %[[OFFSET:.*]] = arith.select %[[ODD]], %[[BACK]], %[[CTA]] : index
// CHECK-NEXT: %c3 = arith.constant 3 : index
// CHECK-NEXT: %[[START:.*]] = arith.muli %c2, %c3 : index
// CHECK-NEXT: %[[LAST:.*]] = arith.addi %[[START]], %[[OFFSET]] : index
// CHECK-NEXT: %[[EXISTS:.*]] = arith.cmpi slt, %[[LAST]], %c8 : index
// CHECK: %[[EXTRA:.*]] = arith.select %[[EXISTS]], %c1, %c0 : index
// CHECK-NEXT: %[[ROUNDS:.*]] = arith.addi %c2, %[[EXTRA]] : index
// Item 0's loads before the loop: Q, then the first K/V tiles.
// CHECK: nvgpu.device_async_copy %arg0[{{.*}}], %[[QTILE]]
// CHECK: nvvm.cp.async.commit.group
// CHECK: nvgpu.device_async_copy %arg1
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: scf.for %[[ROUND:.*]] = %c0 to %[[ROUNDS]] step %c1 iter_args(%[[BASE:.*]] = %c0) -> (index) {
// CHECK: %[[NEXTROUND:.*]] = arith.addi %[[ROUND]], %c1 : index
// CHECK-NEXT: %[[HASNEXT:.*]] = arith.cmpi slt, %[[NEXTROUND]], %[[ROUNDS]] : index
// The Q tile landed (the K/V group after it may still be in flight).
// CHECK: nvvm.cp.async.wait.group 1
// CHECK-NEXT: gpu.barrier
// CHECK: scf.for %[[STEP:.*]] = %c0 to %[[STEPS:.*]] step %c1 iter_args
// CHECK-NEXT: nvvm.cp.async.wait.group 0
// CHECK-NEXT: gpu.barrier
// CHECK-NEXT: %[[NEXTSTEP:.*]] = arith.addi %[[STEP]], %c1 : index
// CHECK-NEXT: %[[STAGE:.*]] = arith.addi %[[BASE]], %[[NEXTSTEP]] : index
// CHECK-NEXT: %[[MORE:.*]] = arith.cmpi slt, %[[NEXTSTEP]], %[[STEPS]] : index
// CHECK-NEXT: scf.if %[[MORE]] {
// CHECK: nvgpu.device_async_copy %arg1
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: } else {
// CHECK-NEXT: scf.if %[[HASNEXT]] {
// CHECK: %[[NEXTITEM:.*]] = arith.muli %[[NEXTROUND]], %c3 : index
// CHECK: nvgpu.device_async_copy %arg0[{{.*}}], %[[QTILE]]
// CHECK: nvvm.cp.async.commit.group
// CHECK: arith.remui %[[STAGE]], %c2 : index
// CHECK: nvgpu.device_async_copy %arg1
// CHECK: nvvm.cp.async.commit.group
// CHECK-NEXT: } else {
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NEXT: nvvm.cp.async.commit.group
// CHECK-NEXT: }
// After the walk: O goes to the stage the last step read, stage end + 1.
// CHECK: %[[END:.*]] = arith.addi %[[BASE]], %[[STEPS]] : index
// CHECK-NEXT: %[[OSTAGE:.*]] = arith.addi %[[END]], %c1 : index
// CHECK-NEXT: %[[OSLOT:.*]] = arith.remui %[[OSTAGE]], %c2 : index
// CHECK-NEXT: %c16384 = arith.constant 16384 : index
// CHECK-NEXT: %[[OBYTES:.*]] = arith.muli %[[OSLOT]], %c16384 : index
// CHECK-NEXT: %[[STAGING:.*]] = memref.view %{{.*}}[%[[OBYTES]]][] {{.*}} to memref<64x64xbf16
// CHECK: gpu.barrier
// A row without steps prefetches here, once every warp has read its Q.
// CHECK-NEXT: %[[EMPTY:.*]] = arith.cmpi eq, %[[STEPS]], %c0 : index
// CHECK-NEXT: scf.if %[[EMPTY]] {
// CHECK-NEXT: scf.if %[[HASNEXT]] {
// CHECK: vector.store %{{.*}}, %[[STAGING]]
// CHECK: gpu.barrier
// CHECK: vector.load %[[STAGING]]
// CHECK: scf.yield %[[END]] : index
// The Merge-Q kernel stages O at 2 x 4 KiB + 8 KiB.
// CHECK: gpu.func @s2attn_fwd_1(
// CHECK: %[[OWN:.*]] = memref.view %{{.*}}[%c16384{{.*}}][] {{.*}} to memref<64x64xf16
// CHECK: vector.store %{{.*}}, %[[OWN]]
