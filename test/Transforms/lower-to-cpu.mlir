// RUN: s2-opt %s --s2attn-lower-to-cpu | FileCheck %s
// RUN: s2-opt %s --s2attn-lower-to-cpu | mlir-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: s2-opt %s --s2attn-lower-to-cpu="parallel=false" | FileCheck %s --check-prefix=SEQ
// RUN: s2-opt %s --s2attn-lower-to-cpu="num-threads=3" | FileCheck %s --check-prefix=THREADS

// The entry point s2-run generates (static memrefs, C interface) goes all
// the way to the LLVM dialect, translates to LLVM IR, and runs the
// (batch, head, query tile) loop on OpenMP threads (here one batch and one
// 64-token tile: the loop is over the 4 heads). The schedule is a constant
// global: one row per head.

// CHECK: llvm.mlir.global private constant @__s2attn_schedule0_row_ptr(dense<[0, 4, 8, 12, 16]> : tensor<5xi32>)
// CHECK-LABEL: llvm.func @s2attn_main
// CHECK: omp.parallel {
// CHECK: omp.wsloop {
// CHECK: omp.loop_nest
// CHECK: llvm.intr.fmuladd
// CHECK: llvm.intr.vector.reduce.fmax
// CHECK: llvm.intr.vector.reduce.fadd
// CHECK: llvm.call @free
// CHECK: llvm.func @_mlir_ciface_s2attn_main
// CHECK-NOT: s2attn.
// CHECK-NOT: scf.
// CHECK-NOT: memref.
// CHECK-NOT: math.exp

// LLVMIR: define void @s2attn_main(
// LLVMIR: call void {{.*}}@__kmpc_fork_call({{.*}}@s2attn_main..omp_par
// LLVMIR: define internal void @s2attn_main..omp_par(
// LLVMIR: call <16 x float> @llvm.fmuladd.v16f32(
// LLVMIR: define void @_mlir_ciface_s2attn_main(ptr %0, ptr %1, ptr %2, ptr %3, ptr %4)

// SEQ-LABEL: llvm.func @s2attn_main
// SEQ-NOT: omp.
// SEQ: llvm.intr.fmuladd

// THREADS: %[[N:.*]] = llvm.mlir.constant(3 : i32) : i32
// THREADS: omp.parallel num_threads(%[[N]] : i32)
func.func @s2attn_main(%q: memref<1x64x4x16xbf16>, %k: memref<1x64x2x16xbf16>, %v: memref<1x64x2x16xbf16>,
                       %o: memref<1x64x4x16xbf16>, %l: memref<1x4x64xf32>) attributes {llvm.emit_c_interface} {
  s2attn.attention ins(%q, %k, %v : memref<1x64x4x16xbf16>, memref<1x64x2x16xbf16>, memref<1x64x2x16xbf16>)
      outs(%o : memref<1x64x4x16xbf16>, %l : memref<1x4x64xf32>)
      pattern = #s2attn.local_stride<block = 16, local = 2, stride = 4>
  return
}
