// RUN: s2-opt %s --convert-s2attn-to-gpu="grid-splits=2" -verify-diagnostics -o /dev/null

// Prefill CTAs compute rows; grid splits merge the states of key-split
// (decoding) walks only, so asking for them is refused.
func.func @prefill(%q: memref<1x256x4x64xbf16>, %k: memref<1x256x4x64xbf16>, %v: memref<1x256x4x64xbf16>, %o: memref<1x256x4x64xbf16>) {
  // expected-error @+1 {{grid-splits = 2 applies to decoding kernels (key splits), and this problem's 64-row CTAs compute rows; use grid-splits=0 or 1}}
  s2attn.attention ins(%q, %k, %v : memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>, memref<1x256x4x64xbf16>)
      outs(%o : memref<1x256x4x64xbf16>) pattern = #s2attn.dense<block = 64>
  return
}
