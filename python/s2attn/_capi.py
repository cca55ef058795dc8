"""ctypes bindings of the two native libraries the package uses.

* ``libs2attn_capi.so`` (include/s2attn/CAPI/S2AttnCAPI.h): the CPU JIT path,
  MLIR emission for s2-compile and SVG drawing. Needs LLVM/MLIR 22 installed.
* ``libs2attn_cuda_runtime.so`` (include/s2attn/Runtime/S2AttnRuntime.h):
  opens compiled GPU artifacts and launches them. Needs no MLIR, so it is all
  the GPU machine has.

ctypes (rather than a compiled extension) keeps the package free of Python
ABI ties: one shared library serves every interpreter. Libraries are looked
up, in order, in ``$S2ATTN_LIBRARY_DIR`` (and its ``Runtime``
subfolder, where a build tree keeps the runtime), in the package's ``_lib`` folder
(where ``pip install`` puts them) and by the dynamic loader's search path.
"""

from __future__ import annotations

import ctypes
import os
import threading
from pathlib import Path
from typing import Optional

CAPI_NAME = "libs2attn_capi.so"
RUNTIME_NAME = "libs2attn_cuda_runtime.so"
ABI_VERSION = 1


class NativeLibraryError(RuntimeError):
    """A native library the requested path needs is missing or unusable."""


def library_dirs() -> list[Path]:
    """Folders searched for the native libraries, most specific first."""
    dirs = []
    env = os.environ.get("S2ATTN_LIBRARY_DIR")
    if env:
        for entry in env.split(os.pathsep):
            if entry:
                # A build tree's lib/ keeps the runtime in lib/Runtime.
                dirs.extend([Path(entry), Path(entry) / "Runtime"])
    dirs.append(Path(__file__).resolve().parent / "_lib")
    return dirs


def find_library(name: str) -> Optional[Path]:
    for folder in library_dirs():
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def find_tool(name: str) -> Optional[Path]:
    """A compiler tool (s2-compile) next to the libraries or on PATH.

    Build trees keep tools in ``bin/`` beside ``lib/``; the wheel keeps them
    in ``_lib`` with the libraries.
    """
    env = os.environ.get("S2ATTN_" + name.upper().replace("-", "_"))
    if env and Path(env).is_file():
        return Path(env)
    for folder in library_dirs():
        for candidate in (folder / name, folder.parent / "bin" / name):
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return candidate
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        candidate = Path(folder) / name
        if folder and candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _load(name: str) -> ctypes.CDLL:
    path = find_library(name)
    try:
        # Fall back to the loader's own search (LD_LIBRARY_PATH, ldconfig).
        return ctypes.CDLL(str(path) if path else name)
    except OSError as error:
        searched = ", ".join(str(d) for d in library_dirs())
        raise NativeLibraryError(
            f"cannot load {name} ({error}); searched {searched} and the "
            "loader path. Build it (ninja -C build lib/all) and set "
            "S2ATTN_LIBRARY_DIR=<build>/lib, or pip install the package"
        ) from None


# --- libs2attn_capi.so ---------------------------------------------------


class Problem(ctypes.Structure):
    """Mirror of s2attn_capi_problem; checked against the library's size."""

    _fields_ = [
        ("batch", ctypes.c_int64),
        ("q_len", ctypes.c_int64),
        ("kv_len", ctypes.c_int64),
        ("heads", ctypes.c_int64),
        ("kv_heads", ctypes.c_int64),
        ("head_dim", ctypes.c_int64),
        ("dtype", ctypes.c_int32),
        ("causal", ctypes.c_int32),
        ("has_scale", ctypes.c_int32),
        ("scale", ctypes.c_double),
        ("has_q_start", ctypes.c_int32),
        ("q_start", ctypes.c_int64),
        ("kv_start", ctypes.c_int64),
        ("pattern_kind", ctypes.c_int32),
        ("block", ctypes.c_int64),
        ("local_blocks", ctypes.c_int64),
        ("right_blocks", ctypes.c_int64),
        ("vert_stride", ctypes.c_int64),
        ("head_step", ctypes.c_int64),
        ("head_offset", ctypes.c_int64),
        ("dense_heads", ctypes.c_int64),
        ("homo_head", ctypes.c_int32),
        ("vert_position", ctypes.c_int32),
        ("mask_heads", ctypes.c_int64),
        ("mask_q_blocks", ctypes.c_int64),
        ("mask_kv_blocks", ctypes.c_int64),
        ("mask", ctypes.POINTER(ctypes.c_uint8)),
        ("num_threads", ctypes.c_int32),
    ]


DTYPE_CODES = {"f32": 0, "f16": 1, "bf16": 2}
PATTERN_DENSE, PATTERN_LOCAL_STRIDE, PATTERN_BLOCK_MASK = 0, 1, 2
STATUS_INVALID_ARGUMENT, STATUS_INVALID_PROBLEM = 1, 2
STATUS_COMPILE = 3

_capi_lock = threading.Lock()
_capi: Optional[ctypes.CDLL] = None


def _declare_capi(lib: ctypes.CDLL) -> None:
    c_kernel = ctypes.c_void_p
    lib.s2attn_capi_abi_version.restype = ctypes.c_int32
    lib.s2attn_capi_problem_size.restype = ctypes.c_size_t
    lib.s2attn_capi_problem_init.argtypes = [ctypes.POINTER(Problem)]
    lib.s2attn_capi_problem_init.restype = None
    lib.s2attn_capi_last_error_message.restype = ctypes.c_char_p
    lib.s2attn_capi_compile.argtypes = [
        ctypes.POINTER(Problem), ctypes.POINTER(c_kernel)]
    lib.s2attn_capi_compile.restype = ctypes.c_int
    lib.s2attn_capi_kernel_destroy.argtypes = [c_kernel]
    lib.s2attn_capi_kernel_destroy.restype = None
    lib.s2attn_capi_kernel_compile_seconds.argtypes = [c_kernel]
    lib.s2attn_capi_kernel_compile_seconds.restype = ctypes.c_double
    lib.s2attn_capi_run.argtypes = [c_kernel] + [ctypes.c_void_p] * 5
    lib.s2attn_capi_run.restype = ctypes.c_int
    lib.s2attn_capi_emit_mlir.argtypes = [
        ctypes.POINTER(Problem), ctypes.POINTER(ctypes.c_void_p)]
    lib.s2attn_capi_emit_mlir.restype = ctypes.c_int
    lib.s2attn_capi_render_svg.argtypes = [
        ctypes.POINTER(Problem), ctypes.c_int64, ctypes.c_int64,
        ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.s2attn_capi_render_svg.restype = ctypes.c_int
    lib.s2attn_capi_free.argtypes = [ctypes.c_void_p]
    lib.s2attn_capi_free.restype = None


def capi() -> ctypes.CDLL:
    """The loaded C API, declared and checked against this binding's ABI."""
    global _capi
    with _capi_lock:
        if _capi is None:
            lib = _load(CAPI_NAME)
            _declare_capi(lib)
            version = lib.s2attn_capi_abi_version()
            size = lib.s2attn_capi_problem_size()
            if version != ABI_VERSION or size != ctypes.sizeof(Problem):
                raise NativeLibraryError(
                    f"{CAPI_NAME} has ABI version {version} (problem struct "
                    f"{size} bytes); this package expects {ABI_VERSION} "
                    f"({ctypes.sizeof(Problem)} bytes): rebuild it")
            _capi = lib
        return _capi


def capi_available() -> bool:
    try:
        capi()
        return True
    except NativeLibraryError:
        return False


def new_problem() -> Problem:
    problem = Problem()
    capi().s2attn_capi_problem_init(ctypes.byref(problem))
    return problem


def raise_capi_error(status: int, what: str) -> None:
    """Turns a C API failure into the Python exception it stands for."""
    message = capi().s2attn_capi_last_error_message().decode(
        "utf-8", "replace")
    if status in (STATUS_INVALID_ARGUMENT, STATUS_INVALID_PROBLEM):
        raise ValueError(f"{what}: {message}")
    raise RuntimeError(f"{what}: {message}")


def take_string(pointer: ctypes.c_void_p) -> str:
    """Copies a string the C API allocated and frees it."""
    try:
        return ctypes.string_at(pointer.value).decode("utf-8")
    finally:
        capi().s2attn_capi_free(pointer)


# --- libs2attn_cuda_runtime.so --------------------------------------------

MAX_RANK = 8
RUNTIME_DTYPES = {"f16": 1, "bf16": 2, "f32": 3}


class RtTensor(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("data", ctypes.c_void_p),
        ("dtype", ctypes.c_int32),
        ("rank", ctypes.c_int32),
        ("shape", ctypes.c_int64 * MAX_RANK),
        ("strides", ctypes.c_int64 * MAX_RANK),
    ]


class RtScalar(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_double)]


class RtLaunchArgs(ctypes.Structure):
    _fields_ = [
        ("tensors", ctypes.POINTER(RtTensor)),
        ("num_tensors", ctypes.c_size_t),
        ("scalars", ctypes.POINTER(RtScalar)),
        ("num_scalars", ctypes.c_size_t),
        ("device", ctypes.c_int32),
        ("stream", ctypes.c_void_p),
    ]


_runtime: Optional[ctypes.CDLL] = None


def _declare_runtime(lib: ctypes.CDLL) -> None:
    lib.s2attn_status_name.argtypes = [ctypes.c_int]
    lib.s2attn_status_name.restype = ctypes.c_char_p
    lib.s2attn_last_error_message.restype = ctypes.c_char_p
    lib.s2attn_artifact_open.argtypes = [
        ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.s2attn_artifact_open.restype = ctypes.c_int
    lib.s2attn_artifact_destroy.argtypes = [ctypes.c_void_p]
    lib.s2attn_artifact_destroy.restype = None
    lib.s2attn_artifact_num_tensors.argtypes = [ctypes.c_void_p]
    lib.s2attn_artifact_num_tensors.restype = ctypes.c_size_t
    lib.s2attn_artifact_tensor_name.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t]
    lib.s2attn_artifact_tensor_name.restype = ctypes.c_char_p
    lib.s2attn_artifact_launch.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(RtLaunchArgs)]
    lib.s2attn_artifact_launch.restype = ctypes.c_int


def runtime() -> ctypes.CDLL:
    global _runtime
    with _capi_lock:
        if _runtime is None:
            lib = _load(RUNTIME_NAME)
            _declare_runtime(lib)
            _runtime = lib
        return _runtime


def runtime_error(status: int, what: str) -> RuntimeError:
    lib = runtime()
    name = lib.s2attn_status_name(status).decode()
    message = lib.s2attn_last_error_message().decode("utf-8", "replace")
    return RuntimeError(f"{what}: {name}: {message}")
