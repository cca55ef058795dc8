// RUN: not s2-opt %s --convert-s2attn-to-gpu="chip=sm_75" 2>&1 | FileCheck %s
// CHECK: error: convert-s2attn-to-gpu: chip 'sm_75' is not supported; expected sm_80 or sm_90a
// RUN: not s2-opt %s --convert-s2attn-to-gpu="stages=5" 2>&1 | FileCheck %s --check-prefix=STAGES
// STAGES: error: convert-s2attn-to-gpu: stages = 5 is not supported; expected 0 (auto), 2 or 3
func.func @f(%q: memref<1x64x2x64xbf16>, %o: memref<1x64x2x64xbf16>) {
  s2attn.attention ins(%q, %q, %q : memref<1x64x2x64xbf16>, memref<1x64x2x64xbf16>, memref<1x64x2x64xbf16>) outs(%o : memref<1x64x2x64xbf16>) pattern = #s2attn.dense<>
  return
}
