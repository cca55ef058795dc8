// The rest of the runtime calls gpu-to-llvm can emit (events, 16-bit memset,
// default device, clusters, cubin loading) and their signatures; the runtime's
// MgpuRuntime.h matches each line.
//
// RUN: mlir-opt %s --pass-pipeline="builtin.module(nvvm-attach-target{chip=sm_90a features=+ptx80},gpu.module(convert-gpu-to-nvvm),gpu-to-llvm,reconcile-unrealized-casts,gpu-module-to-binary{format=isa})" \
// RUN:   | mlir-translate --mlir-to-llvmir | FileCheck %s
// CHECK-DAG: declare ptr @mgpuEventCreate()
// CHECK-DAG: declare void @mgpuEventRecord(ptr, ptr)
// CHECK-DAG: declare void @mgpuStreamWaitEvent(ptr, ptr)
// CHECK-DAG: declare void @mgpuEventDestroy(ptr)
// CHECK-DAG: declare void @mgpuMemset16(ptr, i16, i64, ptr)
// CHECK-DAG: declare void @mgpuSetDefaultDevice(i32)
// CHECK-DAG: declare void @mgpuLaunchClusterKernel(ptr, i64, i64, i64, i64, i64, i64, i64, i64, i64, i32, ptr, ptr, ptr)
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @k(%a: memref<16xf16>) kernel {
      gpu.return
    }
  }
  func.func @calls(%d: memref<16xf16>) {
    %c1 = arith.constant 1 : index
    %c2 = arith.constant 2 : index
    %dev = arith.constant 0 : i32
    %v = arith.constant 1.0 : f16
    gpu.set_default_device %dev
    %t0 = gpu.wait async
    %t1 = gpu.wait async
    %t2 = gpu.wait async [%t0, %t1]
    %t3 = gpu.memset async [%t2] %d, %v : memref<16xf16>, f16
    %t4 = gpu.launch_func async [%t3] @kernels::@k
        clusters in (%c2, %c1, %c1) blocks in (%c2, %c1, %c1)
        threads in (%c1, %c1, %c1) args(%d : memref<16xf16>)
    gpu.wait [%t4]
    return
  }
}
