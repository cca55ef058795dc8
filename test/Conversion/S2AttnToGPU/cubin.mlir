// REQUIRES: ptxas
// The whole GPU pipeline down to a cubin through ptxas, for both chips, and
// the instructions the kernel is meant to use: the disassembly shows tensor
// core MMAs (HMMA), asynchronous global->shared copies (LDGSTS) and ldmatrix
// (LDSM, plain and transposed); ptxas reports no register spills.
//
// RUN: rm -rf %t && s2-compile %s -o %t/sm90 --chip sm_90a --emit-ptx | FileCheck %s --check-prefix=COMPILE
// RUN: FileCheck %s --check-prefix=JSON < %t/sm90/kernel.json
// RUN: %cuda_home/bin/ptxas -arch=sm_90a -v %t/sm90/kernel.ptx -o %t/sm90/check.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: s2-compile %s -o %t/sm80 --chip sm_80 --emit-ptx
// RUN: %cuda_home/bin/ptxas -arch=sm_80 -v %t/sm80/kernel.ptx -o %t/sm80/check.cubin 2>&1 | FileCheck %s --check-prefix=PTXAS
// RUN: %if cuobjdump %{ %cuobjdump -sass %t/sm90/kernel.cubin | FileCheck %s --check-prefix=SASS %}

// COMPILE: s2-compile: wrote {{.*}}sm90/kernel.{cubin,json} and kernel.ptx (entry s2attn_fwd, grid 16x2x2, 128 threads, 81920 bytes of shared memory, {{[0-9]+}} registers at 2 CTAs per SM, 0 bytes spilled)
// JSON: "entry": "s2attn_fwd",
// JSON: "target": "sm_90a",
// JSON: "block": [128, 1, 1],
// JSON: "grid": [16, 2, 2],
// JSON: {"name": "lse", "dtype": "f32", "shape": [2, 8, 256], "access": "write"}
// JSON: "info": {"problem": "pattern {{.*}}", "registers": {{[0-9]+}}, "spill_bytes": 0, "ctas_per_sm": 2}
// PTXAS: 0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
// SASS-DAG: LDGSTS.E.BYPASS.128
// SASS-DAG: LDSM.16.M88.4
// SASS-DAG: LDSM.16.MT88.4
// SASS-DAG: HMMA.16816.F32.BF16

func.func @s2attn_main(%q: memref<2x256x8x128xbf16>, %k: memref<2x256x2x128xbf16>, %v: memref<2x256x2x128xbf16>, %o: memref<2x256x8x128xbf16>, %l: memref<2x8x256xf32>) {
  s2attn.attention ins(%q, %k, %v : memref<2x256x8x128xbf16>, memref<2x256x2x128xbf16>, memref<2x256x2x128xbf16>)
      outs(%o : memref<2x256x8x128xbf16>, %l : memref<2x8x256xf32>)
      pattern = #s2attn.local_stride<block = 64, local = 2, stride = 4, head_offset = 1>
  return
}
