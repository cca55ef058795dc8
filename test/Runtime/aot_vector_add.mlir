// Host + device program compiled ahead of time by upstream MLIR (LLVM 22) and
// linked against libs2attn_cuda_runtime.so (regenerate-aot.sh; the generated
// assembly is committed next to this file because the GPU machine has no LLVM,
// and unittests/Runtime/AotVectorAddTest.cpp runs it on the GPU).
//
// The lit test pins the signatures gpu-to-llvm declares for the runtime's
// entry points; include/s2attn/Runtime/MgpuRuntime.h must match them, and
// unittests/Runtime/MgpuSignatureTest.cpp checks the C side.
//
// RUN: mlir-opt %s --gpu-lower-to-nvvm-pipeline="cubin-chip=sm_90a cubin-features=+ptx80 cubin-format=isa" \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s
// CHECK-DAG: declare ptr @mgpuModuleLoadJIT(ptr, i32)
// CHECK-DAG: declare void @mgpuModuleUnload(ptr)
// CHECK-DAG: declare ptr @mgpuModuleGetFunction(ptr, ptr)
// CHECK-DAG: declare void @mgpuLaunchKernel(ptr, i64, i64, i64, i64, i64, i64, i32, ptr, ptr, ptr, i64)
// CHECK-DAG: declare ptr @mgpuStreamCreate()
// CHECK-DAG: declare void @mgpuStreamSynchronize(ptr)
// CHECK-DAG: declare void @mgpuStreamDestroy(ptr)
// CHECK-DAG: declare ptr @mgpuMemAlloc(i64, ptr, i8)
// CHECK-DAG: declare void @mgpuMemFree(ptr, ptr)
// CHECK-DAG: declare void @mgpuMemcpy(ptr, ptr, i64, ptr)
// CHECK-DAG: declare void @mgpuMemset32(ptr, i32, i64, ptr)
// CHECK-DAG: declare void @mgpuMemHostRegisterMemRef(i64, ptr, i64)
// CHECK-DAG: declare void @mgpuMemHostUnregisterMemRef(i64, ptr, i64)
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @add(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>)
        kernel {
      %c0 = arith.constant 0 : index
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %tid = gpu.thread_id x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %n = memref.dim %a, %c0 : memref<?xf32>
      %inside = arith.cmpi ult, %i, %n : index
      scf.if %inside {
        %x = memref.load %a[%i] : memref<?xf32>
        %y = memref.load %b[%i] : memref<?xf32>
        %s = arith.addf %x, %y : f32
        memref.store %s, %c[%i] : memref<?xf32>
      }
      gpu.return
    }
  }

  func.func @s2attn_aot_vector_add(%ha: memref<?xf32>, %hb: memref<?xf32>,
                                   %hc: memref<?xf32>)
      attributes {llvm.emit_c_interface} {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c256 = arith.constant 256 : index
    %poison = arith.constant 0x7FC0DEAD : f32
    %n = memref.dim %ha, %c0 : memref<?xf32>
    %blocks = arith.ceildivui %n, %c256 : index
    %hcu = memref.cast %hc : memref<?xf32> to memref<*xf32>
    gpu.host_register %hcu : memref<*xf32>
    %t0 = gpu.wait async
    %da, %t1 = gpu.alloc async [%t0] (%n) : memref<?xf32>
    %db, %t2 = gpu.alloc async [%t1] (%n) : memref<?xf32>
    %dc, %t3 = gpu.alloc async [%t2] (%n) : memref<?xf32>
    %t4 = gpu.memcpy async [%t3] %da, %ha : memref<?xf32>, memref<?xf32>
    %t5 = gpu.memcpy async [%t4] %db, %hb : memref<?xf32>, memref<?xf32>
    %t6 = gpu.memset async [%t5] %dc, %poison : memref<?xf32>, f32
    %t7 = gpu.launch_func async [%t6] @kernels::@add
        blocks in (%blocks, %c1, %c1) threads in (%c256, %c1, %c1)
        args(%da : memref<?xf32>, %db : memref<?xf32>, %dc : memref<?xf32>)
    %t8 = gpu.memcpy async [%t7] %hc, %dc : memref<?xf32>, memref<?xf32>
    %t9 = gpu.dealloc async [%t8] %da : memref<?xf32>
    %t10 = gpu.dealloc async [%t9] %db : memref<?xf32>
    %t11 = gpu.dealloc async [%t10] %dc : memref<?xf32>
    gpu.wait [%t11]
    gpu.host_unregister %hcu : memref<*xf32>
    return
  }
}
