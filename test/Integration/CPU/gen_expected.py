#!/usr/bin/env python3
"""Writes the CPU integration tests of s2attn-lower-to-cpu with their expected
outputs.

Each test's inputs are small integers over 8 (exact in f32, f16 and bf16)
produced by the same formula in MLIR (@fill) and here (fill()). The expected
outputs come from this file's own float64 implementation of SPEC.md, written
from the SPEC's token-level definition (no schedule, no project code): for
every (batch, head, query) it collects the keys that `attend(b, h, i, j)`
admits, and computes the softmax-weighted sum of values and the natural-log
LSE in float64 with numpy. Outputs are printed by the tests as
round(1000 * x) in i32 (-1000000000 for an LSE of -inf); f16 and bf16
outputs are first rounded to their type. Where the kernel's rounding may
legitimately land on either side (a value within 1e-4 relative of an f16/bf16
rounding boundary, or 1000 * x within 0.05 of a .5 tie), the test accepts
both integers.

The tests free nothing themselves: the pipeline's buffer deallocation
(ownership-based, which rejects input that already deallocates) does it.

Usage: python3 gen_expected.py   (rewrites the *.mlir tests next to it)
"""

import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

# ----------------------------------------------------------------------------
# Inputs: the formula of @fill in the tests.
# ----------------------------------------------------------------------------


def fill(shape, salt):
    out = np.zeros(shape, dtype=np.float64)
    for b in range(shape[0]):
        for i in range(shape[1]):
            for h in range(shape[2]):
                for d in range(shape[3]):
                    t = (b * 7 + i * 5 + h * 3 + d * 11 + salt * (i * d + 1) + i * i) % 17
                    out[b, i, h, d] = (t - 8) / 8.0
    return out


# ----------------------------------------------------------------------------
# SPEC.md, sections 1-3, at token level.
# ----------------------------------------------------------------------------


def block_attended(case, h, bq, bk):
    causal = case["causal"]
    heads, kv_heads = case["H"], case["G"]
    group = heads // kv_heads
    if causal and bq < bk:
        return False
    kind = case["pattern"]["kind"]
    if kind == "dense":
        return True
    if kind == "mask":
        mask = case["pattern"]["mask"]
        n = len(mask)
        index = 0 if n == 1 else (h if n == heads else h // group)
        return bool(mask[index][bq][bk])
    p = case["pattern"]
    L, V = p["local"], p.get("stride", 1)
    R = 1 if causal else p.get("right", L)
    step = p.get("head_step", max(1, V // heads))
    offset = p.get("head_offset", 0)
    dense_heads = p.get("dense_heads", 0)
    vert = p.get("vert", "absolute" if causal else "relative")
    g = h // group
    local = bq - bk < L and bk - bq < R
    if g >= kv_heads - dense_heads:
        vertical = True
    elif vert == "absolute":
        gg = 0 if p.get("homo_head", False) else g
        vertical = (bk + gg * step + offset) % V == 0
    else:
        left = max(0, bq - bk - L + 1)
        right = max(0, bk - bq - R + 1)
        vertical = (left + right) % V == 0
    return local or vertical


def reference(case):
    Bt, QL, KL, H, G, D = (case[k] for k in ("batch", "QL", "KL", "H", "G", "D"))
    q = fill((Bt, QL, H, D), 1)
    k = fill((Bt, KL, G, D), 2)
    v = fill((Bt, KL, G, D), 3)
    block = case["pattern"]["block"]
    causal = case["causal"]
    scale = case.get("scale", 1.0 / math.sqrt(D))
    kv_start = case.get("kv_start", 0)
    q_start = case.get("q_start", kv_start + KL - QL if causal else kv_start)
    out = np.zeros((Bt, QL, H, D))
    lse = np.full((Bt, H, QL), -np.inf)
    for b in range(Bt):
        for h in range(H):
            g = h // (H // G)
            for i in range(QL):
                pq = q_start + i
                keys = [
                    j
                    for j in range(KL)
                    if block_attended(case, h, pq // block, (kv_start + j) // block)
                    and (not causal or kv_start + j <= pq)
                ]
                if not keys:
                    continue
                s = np.array([scale * np.dot(q[b, i, h], k[b, j, g]) for j in keys])
                m = s.max()
                w = np.exp(s - m)
                lse[b, h, i] = m + math.log(w.sum())
                out[b, i, h] = (w[:, None] * v[b, keys, g]).sum(0) / w.sum()
    return out, lse


# ----------------------------------------------------------------------------
# Printed integers and the FileCheck patterns that accept them.
# ----------------------------------------------------------------------------


def round_to(x, dtype):
    if dtype == "f32" or not np.isfinite(x):
        return float(np.float32(x))
    if dtype == "f16":
        return float(np.float16(x))
    # bf16: round-to-nearest-even of the f32 bits.
    bits = int(np.array([x], dtype=np.float32).view(np.uint32)[0])
    bits += 0x7FFF + ((bits >> 16) & 1)
    bits &= 0xFFFF0000
    return float(np.array([bits], dtype=np.uint32).view(np.float32)[0])


def printed(x):
    if x == -np.inf:
        return -1000000000
    y = 1000.0 * x
    return int(math.floor(abs(y) + 0.5)) * (1 if y >= 0 else -1)


def candidates(x, dtype):
    if x == -np.inf:
        return {printed(x)}
    values = set()
    for rel in (-1e-4, 0.0, 1e-4):
        values.add(round_to(x * (1.0 + rel), dtype))
    ints = set()
    for value in values:
        y = 1000.0 * value
        ints.add(printed(value))
        if abs(abs(y) - math.floor(abs(y)) - 0.5) < 0.05:
            ints.add(printed(value * (1.0 - 1e-7)))
            ints.add(printed(value * (1.0 + 1e-7)))
    return ints


def pattern_of(ints):
    if len(ints) == 1:
        return str(next(iter(ints)))
    return "{{(" + "|".join(str(i) for i in sorted(ints)) + ")}}"


def check_rows(prefix, rows, dtype):
    lines = [f"// {prefix}: rank = 2 offset = 0 sizes = [{len(rows)}, {len(rows[0])}]"]
    for row in rows:
        cells = ", ".join(pattern_of(candidates(x, dtype)) for x in row)
        lines.append(f"// {prefix}-NEXT: {{{{^ ?\\[+}}}}{cells}]")
    return lines


def expected_checks(case, prefix="CHECK"):
    out, lse = reference(case)
    Bt, QL, H, D = case["batch"], case["QL"], case["H"], case["D"]
    lines = [f"// {prefix}-LABEL: case {case['name']}"]
    lines += check_rows(prefix, out.reshape(Bt * QL * H, D).tolist(), case["dtype"])
    if case.get("lse", False):
        lines += check_rows(prefix, lse.reshape(Bt * H, QL).tolist(), "f32")
    return lines


# ----------------------------------------------------------------------------
# MLIR text.
# ----------------------------------------------------------------------------

MLIR_TYPE = {"f32": "f32", "f16": "f16", "bf16": "bf16"}


def dims(case, which):
    Bt, QL, KL, H, G, D = (case[k] for k in ("batch", "QL", "KL", "H", "G", "D"))
    shape = {"q": [Bt, QL, H, D], "k": [Bt, KL, G, D], "lse": [Bt, H, QL]}[which]
    return shape


def memref_type(shape, elem, dynamic=False):
    text = []
    for index, size in enumerate(shape):
        dyn = dynamic and index < (2 if len(shape) == 4 else 0)
        if dynamic and len(shape) == 3 and index in (0, 2):
            dyn = True
        text.append("?" if dyn else str(size))
    return "memref<" + "x".join(text) + "x" + elem + ">"


def pattern_text(case):
    p = case["pattern"]
    if p["kind"] == "dense":
        return f"#s2attn.dense<block = {p['block']}>"
    if p["kind"] == "mask":
        mask = p["mask"]
        n, qb, kb = len(mask), len(mask[0]), len(mask[0][0])
        body = ", ".join(
            "[" + ", ".join("[" + ", ".join("true" if x else "false" for x in row) + "]" for row in head) + "]"
            for head in mask
        )
        return f"#s2attn.block_mask<block = {p['block']}, mask = dense<[{body}]> : tensor<{n}x{qb}x{kb}xi1>>"
    fields = [f"block = {p['block']}", f"local = {p['local']}"]
    for key in ("right", "stride", "head_step", "head_offset", "dense_heads"):
        if key in p:
            fields.append(f"{key} = {p[key]}")
    if "vert" in p:
        fields.append(f"vert = {p['vert']}")
    return "#s2attn.local_stride<" + ", ".join(fields) + ">"


def attention_func(case):
    elem = MLIR_TYPE[case["dtype"]]
    dyn = case.get("dynamic", False)
    qt = memref_type(dims(case, "q"), elem, dyn)
    kt = memref_type(dims(case, "k"), elem, dyn)
    lt = memref_type(dims(case, "lse"), "f32", dyn)
    name = case["name"]
    args = [f"%q: {qt}", f"%k: {kt}", f"%v: {kt}", f"%o: {qt}"]
    outs = f"%o : {qt}"
    if case.get("lse"):
        args.append(f"%l: {lt}")
        outs += f", %l : {lt}"
    positions = ""
    if dyn:
        args += ["%qs: index", "%ks: index"]
        positions = " q_start = %qs kv_start = %ks"
    else:
        if "q_start" in case:
            positions += f" q_start = {case['q_start']}"
        if "kv_start" in case:
            positions += f" kv_start = {case['kv_start']}"
    attrs = []
    if not case["causal"]:
        attrs.append("causal = false")
    if "scale" in case:
        attrs.append(f"scale = {case['scale']} : f64")
    attr_text = (" {" + ", ".join(attrs) + "}") if attrs else ""
    if case.get("tensor"):
        return tensor_func(case, qt, kt, lt, elem, attr_text, positions)
    return (
        f"func.func @{name}({', '.join(args)}) attributes {{llvm.emit_c_interface}} {{\n"
        f"  s2attn.attention ins(%q, %k, %v : {qt}, {kt}, {kt})\n"
        f"      outs({outs})\n"
        f"      pattern = {pattern_text(case)}{positions}{attr_text}\n"
        f"  return\n}}\n"
    )


def tensor_func(case, qt, kt, lt, elem, attr_text, positions):
    tq = qt.replace("memref", "tensor")
    tk = kt.replace("memref", "tensor")
    tl = lt.replace("memref", "tensor")
    name = case["name"]
    Bt, QL, H = case["batch"], case["QL"], case["H"]
    return (
        f"func.func @{name}_tensor(%q: {tq}, %k: {tk}, %v: {tk}) -> ({tq}, {tl}) {{\n"
        f"  %o0 = tensor.empty() : {tq}\n"
        f"  %l0 = tensor.empty() : {tl}\n"
        f"  %o, %l = s2attn.attention ins(%q, %k, %v : {tq}, {tk}, {tk})\n"
        f"      outs(%o0 : {tq}, %l0 : {tl})\n"
        f"      pattern = {pattern_text(case)}{positions}{attr_text} -> {tq}, {tl}\n"
        f"  return %o, %l : {tq}, {tl}\n}}\n"
        f"func.func @{name}(%q: {qt}, %k: {kt}, %v: {kt}, %o: {qt}, %l: {lt}) {{\n"
        f"  %tq = bufferization.to_tensor %q restrict : {qt} to {tq}\n"
        f"  %tk = bufferization.to_tensor %k restrict : {kt} to {tk}\n"
        f"  %tv = bufferization.to_tensor %v restrict : {kt} to {tk}\n"
        f"  %ro, %rl = call @{name}_tensor(%tq, %tk, %tv) : ({tq}, {tk}, {tk}) -> ({tq}, {tl})\n"
        f"  bufferization.materialize_in_destination %ro in restrict writable %o : ({tq}, {qt}) -> ()\n"
        f"  bufferization.materialize_in_destination %rl in restrict writable %l : ({tl}, {lt}) -> ()\n"
        f"  return\n}}\n"
    )


def main_call(case):
    elem = MLIR_TYPE[case["dtype"]]
    Bt, QL, KL, H, G, D = (case[k] for k in ("batch", "QL", "KL", "H", "G", "D"))
    name = case["name"]
    dyn = case.get("dynamic", False)
    qs, ks = memref_type(dims(case, "q"), elem), memref_type(dims(case, "k"), elem)
    ls = memref_type(dims(case, "lse"), "f32")
    lines = [f"  // case {name}", f"  vector.print str \"case {name}\\n\""]
    for var, shape_t, salt in (("q", qs, 1), ("k", ks, 2), ("v", ks, 3)):
        lines.append(f"  %{name}_{var} = memref.alloc() : {shape_t}")
        lines.append(f"  %{name}_{var}_d = memref.cast %{name}_{var} : {shape_t} to memref<?x?x?x?x{elem}>")
        lines.append(f"  call @fill_{elem}(%{name}_{var}_d, %c{salt}) : (memref<?x?x?x?x{elem}>, index) -> ()")
    lines.append(f"  %{name}_o = memref.alloc() : {qs}")
    args = [f"%{name}_q", f"%{name}_k", f"%{name}_v", f"%{name}_o"]
    types = [qs, ks, ks, qs]
    if case.get("lse"):
        lines.append(f"  %{name}_l = memref.alloc() : {ls}")
        args.append(f"%{name}_l")
        types.append(ls)
    callee_types = list(types)
    if dyn:
        dq = memref_type(dims(case, "q"), elem, True)
        dk = memref_type(dims(case, "k"), elem, True)
        dl = memref_type(dims(case, "lse"), "f32", True)
        dyn_types = [dq, dk, dk, dq] + ([dl] if case.get("lse") else [])
        cast_args = []
        for arg, t, dt in zip(args, types, dyn_types):
            lines.append(f"  {arg}_c = memref.cast {arg} : {t} to {dt}")
            cast_args.append(f"{arg}_c")
        lines.append(f"  %{name}_qs = arith.constant {case.get('q_start', 0)} : index")
        lines.append(f"  %{name}_ks = arith.constant {case.get('kv_start', 0)} : index")
        args = cast_args + [f"%{name}_qs", f"%{name}_ks"]
        callee_types = dyn_types + ["index", "index"]
    lines.append(f"  call @{name}({', '.join(args)}) : ({', '.join(callee_types)}) -> ()")
    flat_o = f"memref<{Bt * QL * H}x{D}x{elem}>"
    lines.append(f"  %{name}_o2 = memref.collapse_shape %{name}_o [[0, 1, 2], [3]] : {qs} into {flat_o}")
    lines.append(f"  %{name}_o3 = memref.cast %{name}_o2 : {flat_o} to memref<?x?x{elem}>")
    lines.append(f"  call @print_{elem}(%{name}_o3) : (memref<?x?x{elem}>) -> ()")
    if case.get("lse"):
        flat_l = f"memref<{Bt * H}x{QL}xf32>"
        lines.append(f"  %{name}_l2 = memref.collapse_shape %{name}_l [[0, 1], [2]] : {ls} into {flat_l}")
        lines.append(f"  %{name}_l3 = memref.cast %{name}_l2 : {flat_l} to memref<?x?xf32>")
        lines.append(f"  call @print_f32(%{name}_l3) : (memref<?x?xf32>) -> ()")
    return "\n".join(lines)


HELPERS = r"""
func.func private @printMemrefI32(memref<*xi32>)

// x[b, i, h, d] = (((b*7 + i*5 + h*3 + d*11 + salt*(i*d + 1) + i*i) mod 17) - 8) / 8
func.func @fill_f32(%m: memref<?x?x?x?xf32>, %salt: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %c5 = arith.constant 5 : index
  %c7 = arith.constant 7 : index
  %c11 = arith.constant 11 : index
  %c17 = arith.constant 17 : index
  %c8 = arith.constant 8 : index
  %eight = arith.constant 8.0 : f32
  %n0 = memref.dim %m, %c0 : memref<?x?x?x?xf32>
  %n1 = memref.dim %m, %c1 : memref<?x?x?x?xf32>
  %n2 = memref.dim %m, %c2 : memref<?x?x?x?xf32>
  %n3 = memref.dim %m, %c3 : memref<?x?x?x?xf32>
  scf.for %b = %c0 to %n0 step %c1 {
    scf.for %i = %c0 to %n1 step %c1 {
      scf.for %h = %c0 to %n2 step %c1 {
        scf.for %d = %c0 to %n3 step %c1 {
          %t0 = arith.muli %b, %c7 : index
          %t1 = arith.muli %i, %c5 : index
          %t2 = arith.muli %h, %c3 : index
          %t3 = arith.muli %d, %c11 : index
          %id = arith.muli %i, %d : index
          %id1 = arith.addi %id, %c1 : index
          %t4 = arith.muli %salt, %id1 : index
          %t5 = arith.muli %i, %i : index
          %s0 = arith.addi %t0, %t1 : index
          %s1 = arith.addi %s0, %t2 : index
          %s2 = arith.addi %s1, %t3 : index
          %s3 = arith.addi %s2, %t4 : index
          %s4 = arith.addi %s3, %t5 : index
          %r = arith.remui %s4, %c17 : index
          %c = arith.subi %r, %c8 : index
          %ci = arith.index_cast %c : index to i64
          %f = arith.sitofp %ci : i64 to f32
          %x = arith.divf %f, %eight : f32
          memref.store %x, %m[%b, %i, %h, %d] : memref<?x?x?x?xf32>
        }
      }
    }
  }
  return
}

// Prints round(1000 * x) as i32; -inf prints as -1000000000.
func.func @print_f32(%m: memref<?x?xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %thousand = arith.constant 1000.0 : f32
  %floor = arith.constant -1.0e9 : f32
  %n0 = memref.dim %m, %c0 : memref<?x?xf32>
  %n1 = memref.dim %m, %c1 : memref<?x?xf32>
  %out = memref.alloc(%n0, %n1) : memref<?x?xi32>
  scf.for %i = %c0 to %n0 step %c1 {
    scf.for %j = %c0 to %n1 step %c1 {
      %x = memref.load %m[%i, %j] : memref<?x?xf32>
      %y = arith.mulf %x, %thousand : f32
      %z = math.round %y : f32
      %w = arith.maximumf %z, %floor : f32
      %v = arith.fptosi %w : f32 to i32
      memref.store %v, %out[%i, %j] : memref<?x?xi32>
    }
  }
  %u = memref.cast %out : memref<?x?xi32> to memref<*xi32>
  call @printMemrefI32(%u) : (memref<*xi32>) -> ()
  return
}
"""

LOWP_HELPERS = r"""
func.func @fill_{T}(%m: memref<?x?x?x?x{T}>, %salt: index) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %c3 = arith.constant 3 : index
  %n0 = memref.dim %m, %c0 : memref<?x?x?x?x{T}>
  %n1 = memref.dim %m, %c1 : memref<?x?x?x?x{T}>
  %n2 = memref.dim %m, %c2 : memref<?x?x?x?x{T}>
  %n3 = memref.dim %m, %c3 : memref<?x?x?x?x{T}>
  %f = memref.alloc(%n0, %n1, %n2, %n3) : memref<?x?x?x?xf32>
  call @fill_f32(%f, %salt) : (memref<?x?x?x?xf32>, index) -> ()
  scf.for %b = %c0 to %n0 step %c1 {{
    scf.for %i = %c0 to %n1 step %c1 {{
      scf.for %h = %c0 to %n2 step %c1 {{
        scf.for %d = %c0 to %n3 step %c1 {{
          %x = memref.load %f[%b, %i, %h, %d] : memref<?x?x?x?xf32>
          %y = arith.truncf %x : f32 to {T}
          memref.store %y, %m[%b, %i, %h, %d] : memref<?x?x?x?x{T}>
        }}
      }}
    }}
  }}
  return
}}

func.func @print_{T}(%m: memref<?x?x{T}>) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %n0 = memref.dim %m, %c0 : memref<?x?x{T}>
  %n1 = memref.dim %m, %c1 : memref<?x?x{T}>
  %f = memref.alloc(%n0, %n1) : memref<?x?xf32>
  scf.for %i = %c0 to %n0 step %c1 {{
    scf.for %j = %c0 to %n1 step %c1 {{
      %x = memref.load %m[%i, %j] : memref<?x?x{T}>
      %y = arith.extf %x : {T} to f32
      memref.store %y, %f[%i, %j] : memref<?x?xf32>
    }}
  }}
  call @print_f32(%f) : (memref<?x?xf32>) -> ()
  return
}}
"""


def write_test(filename, header, cases):
    lines = header.strip("\n").split("\n")
    lines.append("")
    lines.append("// Generated by gen_expected.py (see its docstring for how the expected")
    lines.append("// numbers were computed); edit that script, not this file.")
    lines.append("")
    for case in cases:
        lines.append(f"// {case['name']}: {case['doc']}")
        lines += expected_checks(case)
        lines.append("")
    text = "\n".join(lines) + "\n"
    text += HELPERS
    for elem in sorted({c["dtype"] for c in cases} - {"f32"}):
        text += LOWP_HELPERS.format(T=elem)
    text += "\n"
    for case in cases:
        text += attention_func(case) + "\n"
    text += "func.func @main() {\n"
    text += "  %c1 = arith.constant 1 : index\n  %c2 = arith.constant 2 : index\n  %c3 = arith.constant 3 : index\n"
    for case in cases:
        text += main_call(case) + "\n"
    text += "  return\n}\n"
    with open(os.path.join(HERE, filename), "w") as f:
        f.write(text)


RUN = """// RUN: s2-opt %s --s2attn-lower-to-cpu{OPTS} \\
// RUN: | mlir-runner -e main -entry-point-result=void \\
// RUN:   -shared-libs=%mlir_lib_dir/libmlir_c_runner_utils.so,%mlir_lib_dir/libmlir_runner_utils.so,%mlir_lib_dir/libomp.so \\
// RUN: | FileCheck %s"""


def runs(*options):
    return "\n".join(RUN.replace("{OPTS}", o) for o in options)


LS = dict(kind="local_stride")

STATIC_CASES = [
    dict(name="ls_causal_f32_gqa", dtype="f32", batch=1, QL=40, KL=40, H=2, G=1, D=8,
         causal=True, lse=True, pattern=dict(LS, block=16, local=1, stride=2),
         doc="causal local_stride, 40 tokens (not a multiple of the block 16), 2 query heads on 1 KV head, LSE"),
    dict(name="ls_causal_f16", dtype="f16", batch=1, QL=50, KL=50, H=4, G=2, D=8,
         causal=True, lse=True, pattern=dict(LS, block=16, local=2, stride=3, head_offset=1),
         doc="f16, GQA 4/2, local 2, stride 3, head_offset 1"),
    dict(name="ls_decode_bf16", dtype="bf16", batch=1, QL=5, KL=50, H=4, G=1, D=8,
         causal=True, lse=True, pattern=dict(LS, block=16, local=1, stride=2),
         doc="bf16, MQA, 5 queries bottom-right aligned on 50 keys"),
    dict(name="dense_bidir_f32", dtype="f32", batch=2, QL=20, KL=36, H=2, G=2, D=16,
         causal=False, lse=True, scale=0.5, pattern=dict(kind="dense", block=16),
         doc="bidirectional dense, 20 queries on 36 keys, batch 2, scale 0.5"),
    dict(name="ls_bidir_relative", dtype="f32", batch=1, QL=70, KL=70, H=2, G=2, D=8,
         causal=False, lse=False, pattern=dict(LS, block=16, local=1, stride=2),
         doc="bidirectional local_stride with relative stripes (not KV-cache efficient)"),
    dict(name="ls_positions", dtype="f32", batch=1, QL=24, KL=40, H=2, G=2, D=8,
         causal=True, lse=True, q_start=20, kv_start=4,
         pattern=dict(LS, block=16, local=1, stride=2, dense_heads=1),
         doc="explicit q_start 20 and kv_start 4 (neither block aligned), one dense KV head"),
    dict(name="ls_bidir_absolute_f16", dtype="f16", batch=1, QL=100, KL=100, H=4, G=2, D=24,
         causal=False, lse=True, pattern=dict(LS, block=32, local=1, right=2, stride=3, vert="absolute"),
         doc="bidirectional absolute stripes, right window 2, head_dim 24, block 32 (Merge-Q of 2 block rows)"),
]

MASK = [
    [[1, 0, 0], [1, 1, 0], [0, 1, 1]],
    [[1, 0, 0], [0, 1, 0], [1, 0, 1]],
]

MASK_CASES = [
    dict(name="mask_causal_f32", dtype="f32", batch=2, QL=40, KL=40, H=4, G=2, D=8,
         causal=True, lse=True, pattern=dict(kind="mask", block=16, mask=MASK),
         doc="per-KV-head block_mask (head 1 is not KV-cache efficient), GQA 4/2, batch 2"),
]

MASK_CASES.append(
    dict(name="mask_bidir_offset", dtype="f32", batch=1, QL=40, KL=80, H=2, G=1, D=16,
         causal=False, lse=True, q_start=30,
         pattern=dict(kind="mask", block=16, mask=[[[1, 0, 0, 0, 0], [1, 1, 0, 0, 0], [0, 1, 1, 0, 0], [1, 0, 1, 1, 0],
                                                    [0, 0, 0, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]]),
         doc="bidirectional shared block_mask, queries 30..69 on keys 0..79 (tiles straddle the chunk)"))

DYNAMIC_CASES = [
    dict(STATIC_CASES[5], name="dyn_ls_positions", dynamic=True,
         doc="ls_positions with dynamic batch, lengths and positions (closed-form schedule)"),
    dict(MASK_CASES[0], name="dyn_mask", dynamic=True, batch=1, QL=24, KL=40, q_start=16, kv_start=0,
         doc="block_mask with dynamic shapes (grid schedule), q_start 16"),
    dict(MASK_CASES[1], name="dyn_mask_shared", dynamic=True,
         doc="mask_bidir_offset with dynamic shapes: one mask for both heads, so one grid schedule row per tile for both (heads_share_rows)"),
    dict(name="dyn_empty_rows", dtype="f32", batch=1, QL=20, KL=20, H=2, G=1, D=8, dynamic=True,
         causal=True, lse=True, q_start=0, kv_start=16, pattern=dict(LS, block=16, local=2, stride=2),
         doc="queries 0..15 precede every key (kv_start 16): they output 0 and LSE -inf, not NaN"),
    dict(STATIC_CASES[0], name="tensor_ls", tensor=True,
         doc="ls_causal_f32_gqa on tensors (one-shot-bufferize through the function boundary)"),
]


def main():
    write_test("attention-static.mlir", runs("", "=\"schedule=closed-form\"",
                                             "=\"merge-q=false parallel=false\"",
                                             "=\"num-threads=2 schedule=grid\""), STATIC_CASES)
    write_test("attention-block-mask.mlir", runs("", "=\"schedule=grid merge-q=false\""), MASK_CASES)
    write_test("attention-dynamic.mlir", runs(""), DYNAMIC_CASES)


if __name__ == "__main__":
    main()
