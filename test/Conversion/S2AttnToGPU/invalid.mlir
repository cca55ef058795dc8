// RUN: s2-opt %s --convert-s2attn-to-gpu -split-input-file -verify-diagnostics

// Problems the mma.sync kernel does not serve get a diagnostic that names the
// limit and the way out.

func.func @f32(%q: memref<1x64x2x64xf32>, %k: memref<1x64x2x64xf32>, %o: memref<1x64x2x64xf32>) {
  // expected-error @+1 {{the GPU backend computes in f16 or bf16 (mma.sync m16n8k16), got 'f32'; use the CPU pipeline for f32}}
  s2attn.attention ins(%q, %k, %k : memref<1x64x2x64xf32>, memref<1x64x2x64xf32>, memref<1x64x2x64xf32>) outs(%o : memref<1x64x2x64xf32>) pattern = #s2attn.dense<>
  return
}

// -----

func.func @head_dim_80(%q: memref<1x64x2x80xbf16>, %k: memref<1x64x2x80xbf16>, %o: memref<1x64x2x80xbf16>) {
  // expected-error @+1 {{head_dim 80 is not supported by the GPU backend yet (64 or 128); use the CPU pipeline}}
  s2attn.attention ins(%q, %k, %k : memref<1x64x2x80xbf16>, memref<1x64x2x80xbf16>, memref<1x64x2x80xbf16>) outs(%o : memref<1x64x2x80xbf16>) pattern = #s2attn.dense<>
  return
}

// -----

func.func @dynamic(%q: memref<1x?x2x64xbf16>, %k: memref<1x?x2x64xbf16>, %o: memref<1x?x2x64xbf16>) {
  // expected-error @+1 {{the GPU backend needs static shapes and positions; got 'memref<1x?x2x64xbf16>' and 'memref<1x?x2x64xbf16>'}}
  s2attn.attention ins(%q, %k, %k : memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>, memref<1x?x2x64xbf16>) outs(%o : memref<1x?x2x64xbf16>) pattern = #s2attn.dense<>
  return
}

// -----

func.func @tensors(%q: tensor<1x64x2x64xbf16>, %o: tensor<1x64x2x64xbf16>) -> tensor<1x64x2x64xbf16> {
  // expected-error @+1 {{convert-s2attn-to-gpu needs memref operands; bufferize first}}
  %0 = s2attn.attention ins(%q, %q, %q : tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>, tensor<1x64x2x64xbf16>) outs(%o : tensor<1x64x2x64xbf16>) pattern = #s2attn.dense<> -> tensor<1x64x2x64xbf16>
  return %0 : tensor<1x64x2x64xbf16>
}
