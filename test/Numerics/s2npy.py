"""Minimal .npy reading and writing with the standard library only.

The numerical suite and the s2-run lit tests write inputs and masks with it,
so that they need neither numpy nor ml_dtypes. bfloat16 is written the way
ml_dtypes' arrays are saved by numpy: as the 2-byte void type '<V2'.

Usable as a command too (for lit RUN lines):
    s2npy.py write FILE DTYPE SHAPE [VALUE|random|diag]   e.g. write q.npy f4 1,8,2,16 random
    s2npy.py write-v2 ...                                 the same in format version 2.0
    s2npy.py header FILE DESCR SHAPE NBYTES               arbitrary (broken) headers
"""

import random
import struct
import sys

_DESCR = {"f4": "<f4", "f2": "<f2", "bf16": "<V2", "b1": "|b1", "u1": "|u1",
          "f8": "<f8", "i4": "<i4"}


def _header(descr, shape, version=1):
    shape_text = "(" + "".join(f"{d}, " for d in shape).rstrip(" ")
    if len(shape) != 1:
        shape_text = shape_text.rstrip(",")
    shape_text += ")"
    text = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape_text}, }}"
    length_bytes = 2 if version == 1 else 4
    preamble = 6 + 2 + length_bytes
    total = (preamble + len(text) + 1 + 63) // 64 * 64
    text = text + " " * (total - preamble - len(text) - 1) + "\n"
    length = struct.pack("<H" if version == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes([version, 0]) + length + text.encode("latin1")


def _bf16_bits(value):
    bits = struct.unpack("<I", struct.pack("<f", value))[0]
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF


def encode(dtype, values):
    """The little-endian bytes of `values` in `dtype` (a key of _DESCR)."""
    if dtype == "f4":
        return struct.pack(f"<{len(values)}f", *values)
    if dtype == "f8":
        return struct.pack(f"<{len(values)}d", *values)
    if dtype == "i4":
        return struct.pack(f"<{len(values)}i", *[int(v) for v in values])
    if dtype == "f2":
        return struct.pack(f"<{len(values)}e", *values)
    if dtype == "bf16":
        return struct.pack(f"<{len(values)}H", *[_bf16_bits(v) for v in values])
    if dtype in ("b1", "u1"):
        return bytes(1 if v else 0 for v in values)
    raise ValueError(f"unknown dtype {dtype}")


def write(path, dtype, shape, values, version=1):
    with open(path, "wb") as f:
        f.write(_header(_DESCR[dtype], shape, version))
        f.write(encode(dtype, values))


def read_f32(path):
    """(shape, values) of a float32 .npy as s2-run writes it."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:6] == b"\x93NUMPY", path
    length = struct.unpack("<H", data[8:10])[0]
    header = data[10:10 + length].decode("latin1")
    assert "'<f4'" in header, header
    shape_text = header.split("'shape': (")[1].split(")")[0]
    shape = tuple(int(d) for d in shape_text.split(",") if d.strip())
    count = 1
    for d in shape:
        count *= d
    values = struct.unpack(f"<{count}f", data[10 + length:10 + length + 4 * count])
    return shape, values


def _count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _main(argv):
    command, path = argv[1], argv[2]
    if command in ("write", "write-v2"):
        dtype, shape = argv[3], [int(d) for d in argv[4].split(",") if d]
        fill = argv[5] if len(argv) > 5 else "random"
        n = _count(shape)
        if fill == "random":
            rng = random.Random(0)
            values = [rng.uniform(-1, 1) for _ in range(n)]
        elif fill == "diag":
            # Causal-safe block mask: the last two dims are (q_blocks, kv_blocks).
            q, k = shape[-2], shape[-1]
            values = [1 if (i // k) % q == i % k else 0 for i in range(n)]
        else:
            values = [float(fill)] * n
        write(path, dtype, shape, values, version=2 if command == "write-v2" else 1)
    elif command == "header":
        descr, shape, nbytes = argv[3], [int(d) for d in argv[4].split(",") if d], int(argv[5])
        with open(path, "wb") as f:
            f.write(_header(descr, shape))
            f.write(b"\0" * nbytes)
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    _main(sys.argv)
