// The named pipeline s2attn-lower-to-nvvm: s2attn.attention on memrefs to a
// gpu.binary (PTX here, format=isa, which needs no ptxas; a cubin by
// default) launched from LLVM host code, for sm_90a and sm_80; ctas-per-sm
// reaches the conversion. The planner picks four CTAs an SM at head_dim 64
// on an H100 (three on an A100, whose shared memory holds no more); this
// kernel spills under four's 128 registers, so with ptxas at hand
// fit-registers (on by default) plans it for three.
// RUN: s2-opt %s --s2attn-lower-to-nvvm="chip=sm_90a format=isa fit-registers=false" | FileCheck %s --check-prefixes=CHECK,SM90
// RUN: s2-opt %s --s2attn-lower-to-nvvm="chip=sm_80 format=isa fit-registers=false" | FileCheck %s --check-prefixes=CHECK,SM80
// RUN: s2-opt %s --s2attn-lower-to-nvvm="chip=sm_90a format=isa ctas-per-sm=3" | FileCheck %s --check-prefix=THREE
// RUN: %if ptxas %{ s2-opt %s --s2attn-lower-to-nvvm="format=isa" 2>%t.remarks | FileCheck %s --check-prefix=THREE %}
// RUN: %if ptxas %{ FileCheck %s --check-prefix=FIT < %t.remarks %}
// RUN: %if ptxas %{ s2-opt %s --s2attn-lower-to-nvvm | FileCheck %s --check-prefix=CUBIN %}
// Without ptxas (S2ATTN_PTXAS names none), PTX still comes out, at the
// planner's pick, with a warning that says so.
// RUN: env S2ATTN_PTXAS=%t.none s2-opt %s --s2attn-lower-to-nvvm="format=isa" 2>%t.warning | FileCheck %s --check-prefixes=CHECK,SM90
// RUN: FileCheck %s --check-prefix=NOPTXAS < %t.warning

// CHECK: llvm.func @attn(
// CHECK: gpu.launch_func @s2attn_kernels::@s2attn_fwd
// CHECK-NOT: s2attn.attention
// CHECK: gpu.binary @s2attn_kernels
// SM90-SAME: chip = "sm_90a"
// SM80-SAME: chip = "sm_80"
// SM90-SAME: .target sm_90a
// SM80-SAME: .target sm_80
// SM90-SAME: .minnctapersm 4
// SM80-SAME: .minnctapersm 3
// CHECK-SAME: cp.async.cg.shared.global
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.shared.b16
// CHECK-SAME: mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32
// CHECK-SAME: ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16

// THREE: .minnctapersm 3
// NOPTXAS: warning: convert-s2attn-to-gpu: fit-registers keeps the planner's CTAs per SM unchecked for spills: ptxas not found: $S2ATTN_PTXAS is '{{.*}}.none', which is not an executable file
// FIT: remark: ptxas spilled {{[1-9][0-9]*}} bytes at 4 CTAs per SM, so the kernel is planned for 3 CTAs per SM

// CUBIN: gpu.binary @s2attn_kernels  [#gpu.object<#nvvm.target<chip = "sm_90a", features = "+ptx80">, properties = {{{.*}}}, bin = "\7FELF

func.func @attn(%q: memref<1x256x2x64xbf16>, %k: memref<1x256x2x64xbf16>, %v: memref<1x256x2x64xbf16>, %o: memref<1x256x2x64xbf16>) {
  s2attn.attention ins(%q, %k, %v : memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>, memref<1x256x2x64xbf16>) outs(%o : memref<1x256x2x64xbf16>) pattern = #s2attn.local_stride<block = 64, local = 2, stride = 2>
  return
}
