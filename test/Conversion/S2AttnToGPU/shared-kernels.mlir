// Ops with the same inherent attributes and operand types (a model's
// layers) launch one kernel: it is planned, built and, under fit-registers,
// trial-compiled once. An op that differs in its pattern, its causality, an
// operand type or an LSE output gets a kernel of its own; a discardable
// attribute does not. Masks that differ are different kernels even where
// the printer would elide them alike.
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu | FileCheck %s
// RUN: s2-opt %s --split-input-file --convert-s2attn-to-gpu --mlir-elide-elementsattrs-if-larger=1 | FileCheck %s
// RUN: %if ptxas %{ s2-opt %s --split-input-file --convert-s2attn-to-gpu="fit-registers=true" | FileCheck %s %}

// CHECK-LABEL: func.func @layers
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks
// CHECK-SAME: args(%arg0 : {{.*}}, %arg1 : {{.*}}, %arg2 : {{.*}}, %arg3 : memref<1x256x4x64xbf16>)
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks
// CHECK-SAME: args(%arg0 : {{.*}}, %arg1 : {{.*}}, %arg2 : {{.*}}, %arg4 : memref<1x256x4x64xbf16>)
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd_0 blocks
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd_1 blocks
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd_2 blocks
// CHECK-NOT: gpu.launch_func
// CHECK-LABEL: gpu.module @s2attn_kernels
// CHECK-COUNT-4: gpu.func @s2attn_fwd
// CHECK-NOT: gpu.func
func.func @layers(%q: memref<1x256x4x64xbf16>, %k: memref<1x256x4x64xbf16>, %v: memref<1x256x4x64xbf16>,
                  %o0: memref<1x256x4x64xbf16>, %o1: memref<1x256x4x64xbf16>, %o2: memref<1x256x4x64xbf16>,
                  %qf: memref<1x256x4x64xf16>, %kf: memref<1x256x4x64xf16>, %vf: memref<1x256x4x64xf16>, %of: memref<1x256x4x64xf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o0 : memref<1x256x4x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o1 : memref<1x256x4x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o2 : memref<1x256x4x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4>
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o2 : memref<1x256x4x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2> {causal = false}
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o0 : memref<1x256x4x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  s2attn.attention ins(%qf, %kf, %vf : memref<1x256x4x64xf16>, memref<1x256x4x64xf16>, memref<1x256x4x64xf16>) outs(%of : memref<1x256x4x64xf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  return
}

// -----

// CHECK-LABEL: func.func @masks_and_lse
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd_0 blocks
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd blocks
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd_1 blocks
// CHECK-SAME: args(%arg0 : {{.*}}, %arg1 : {{.*}}, %arg2 : {{.*}}, %arg3 : {{.*}}, %arg4 : memref<1x4x256xf32>)
// CHECK-NOT: gpu.launch_func
// CHECK-LABEL: gpu.module @s2attn_kernels
// CHECK-COUNT-3: gpu.func @s2attn_fwd
// CHECK-NOT: gpu.func
func.func @masks_and_lse(%q: memref<1x256x4x64xbf16>, %k: memref<1x256x4x64xbf16>, %v: memref<1x256x4x64xbf16>,
                         %o: memref<1x256x4x64xbf16>, %l: memref<1x4x256xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o : memref<1x256x4x64xbf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<[[[true, false, false, false], [true, true, false, false], [false, false, true, false], [false, false, false, true]]]> : tensor<1x4x4xi1>>
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o : memref<1x256x4x64xbf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<[[[true, false, false, false], [false, true, false, false], [false, false, true, false], [false, false, false, true]]]> : tensor<1x4x4xi1>>
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o : memref<1x256x4x64xbf16>) pattern = #s2attn.block_mask<block = 64, mask = dense<[[[true, false, false, false], [true, true, false, false], [false, false, true, false], [false, false, false, true]]]> : tensor<1x4x4xi1>> {model.layer = 3 : i64}
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>) outs(%o : memref<1x256x4x64xbf16>, %l : memref<1x4x256xf32>) pattern = #s2attn.block_mask<block = 64, mask = dense<[[[true, false, false, false], [true, true, false, false], [false, false, true, false], [false, false, false, true]]]> : tensor<1x4x4xi1>>
  return
}
