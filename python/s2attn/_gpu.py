"""The GPU path: compiled kernel artifacts (s2-compile output directories:
kernel.cubin, kernel.json, problem.txt) launched through the runtime C API on
CUDA torch tensors.

Artifacts are found, by the problem key of their problem.txt, in
  1. directories registered with load_artifacts() or $S2ATTN_ARTIFACT_DIR,
  2. the on-disk cache ($S2ATTN_CACHE_DIR or ~/.cache/s2attn, under gpu/),
and otherwise compiled into the cache when s2-compile and the C API (hence
MLIR) are installed. The GPU machine has only the runtime, so there the
first two routes are the only ones.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Optional, Union

from . import _capi
from ._config import Config
from .patterns import BlockMask, Dense, LocalStride

GPU_DTYPES = ("f16", "bf16")
GPU_HEAD_DIMS = (64, 128)

_lock = threading.Lock()
_index: dict[str, Path] = {}
_opened: dict[str, "Artifact"] = {}
_env_loaded = False


def cache_dir() -> Path:
    env = os.environ.get("S2ATTN_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "s2attn"


def check_supported(config: Config) -> None:
    if config.dtype not in GPU_DTYPES:
        raise TypeError(f"q has dtype {config.dtype}; the GPU backend "
                        "supports bfloat16 and float16")
    if config.head_dim not in GPU_HEAD_DIMS:
        raise ValueError(f"head_dim is {config.head_dim}; the GPU backend "
                         "supports 64 and 128")


# --- problem.txt <-> key ----------------------------------------------------


def read_problem_txt(path: Path) -> dict:
    fields = {}
    for line in path.read_text().splitlines():
        name, _, value = line.partition(" ")
        if name:
            fields[name] = value.strip()
    return fields


def _flag(text: str) -> bool:
    return text in ("1", "true")


def _optional(fields: dict, name: str) -> Optional[int]:
    value = int(fields[name])
    return None if value < 0 else value


def _pattern_from_fields(fields: dict):
    kind, block = fields["pattern"], int(fields["block"])
    if kind == "dense":
        return Dense(block)
    if kind == "local_stride":
        vert = int(fields["vert"])
        return LocalStride(
            block, int(fields["local"]), int(fields["stride"]),
            right=_optional(fields, "right"),
            head_step=_optional(fields, "head_step"),
            head_offset=int(fields["head_offset"]),
            dense_heads=int(fields["dense_heads"]),
            homo_head=_flag(fields["homo_head"]),
            relative=None if vert < 0 else bool(vert))
    if kind == "block_mask":
        import numpy as np
        shape = tuple(int(x) for x in fields["mask_shape"].split())
        bits = np.frombuffer(fields["mask"].encode(), np.uint8) == ord("1")
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # warned when it was compiled
            return BlockMask(block, bits.reshape(shape))
    raise ValueError(f"unknown pattern {kind!r}")


def config_from_problem_txt(path: Path) -> tuple[Config, bool]:
    """The Config an artifact computes and whether it writes the LSE."""
    f = read_problem_txt(path)
    config = Config(
        batch=int(f["batch"]), q_len=int(f["q_len"]), kv_len=int(f["kv_len"]),
        heads=int(f["heads"]), kv_heads=int(f["kv_heads"]),
        head_dim=int(f["head_dim"]), dtype=f["dtype"],
        pattern=_pattern_from_fields(f), causal=_flag(f["causal"]),
        scale=float(f["scale"]), q_start=int(f["q_start"]),
        kv_start=int(f["kv_start"]))
    return config, _flag(f.get("lse", "1"))


# --- the artifact index -----------------------------------------------------


def _artifact_dirs(root: Path):
    if (root / "kernel.json").is_file():
        yield root
        return
    for kernel_json in sorted(root.rglob("kernel.json")):
        yield kernel_json.parent


def load_artifacts(path: Union[str, os.PathLike]) -> int:
    """Registers every artifact directory under `path` (itself or any
    subdirectory holding kernel.json and problem.txt) by its problem; returns
    how many were registered. Later registrations win for the same problem."""
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"artifact directory {root} does not exist")
    count = 0
    for directory in _artifact_dirs(root):
        problem = directory / "problem.txt"
        if not problem.is_file():
            continue
        config, has_lse = config_from_problem_txt(problem)
        if not has_lse:
            continue  # attention() always asks the kernel for the LSE
        with _lock:
            _index[config.key()] = directory
            _opened.pop(config.key(), None)
        count += 1
    return count


def registered_artifacts() -> dict[str, Path]:
    _load_env_artifacts()
    with _lock:
        return dict(_index)


def _load_env_artifacts() -> None:
    global _env_loaded
    if _env_loaded:
        return
    _env_loaded = True
    for entry in os.environ.get("S2ATTN_ARTIFACT_DIR", "").split(os.pathsep):
        if entry:
            load_artifacts(entry)
    gpu_cache = cache_dir() / "gpu"
    if gpu_cache.is_dir():
        load_artifacts(gpu_cache)


# --- compiling --------------------------------------------------------------


def compile_artifact(config: Config, out_dir: Union[str, os.PathLike],
                     chip: str = "sm_90a") -> Path:
    """Runs s2-compile on the problem's MLIR into `out_dir` (needs MLIR: the
    C API and s2-compile; ptxas from $CUDA_HOME)."""
    check_supported(config)
    tool = _capi.find_tool("s2-compile")
    if tool is None:
        raise RuntimeError("s2-compile not found (set S2ATTN_S2_COMPILE, "
                           "S2ATTN_LIBRARY_DIR=<build>/lib or PATH)")
    problem = config.to_problem()
    text = ctypes.c_void_p()
    status = _capi.capi().s2attn_capi_emit_mlir(ctypes.byref(problem),
                                                ctypes.byref(text))
    if status != 0:
        _capi.raise_capi_error(status, "cannot build the problem's MLIR")
    mlir = _capi.take_string(text)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "problem.mlir"
        source.write_text(mlir)
        env = dict(os.environ)
        env.setdefault("CUDA_HOME", "/usr/local/cuda")
        result = subprocess.run(
            [str(tool), str(source), "-o", str(out), f"--chip={chip}"],
            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"s2-compile failed for {config.key()}:\n"
                           f"{result.stdout}{result.stderr}")
    return out


def _chip_of(device_index: int) -> str:
    import torch
    major, minor = torch.cuda.get_device_capability(device_index)
    return "sm_90a" if (major, minor) == (9, 0) else f"sm_{major}{minor}"


def _compile_into_cache(config: Config, chip: str) -> Path:
    digest = hashlib.sha1(f"{config.key()}_{chip}".encode()).hexdigest()[:20]
    out = cache_dir() / "gpu" / digest
    if not (out / "kernel.json").is_file():
        compile_artifact(config, out, chip)
    return out


def artifact_dir_for(config: Config, device_index: int) -> Path:
    _load_env_artifacts()
    key = config.key()
    with _lock:
        found = _index.get(key)
    if found is not None:
        return found
    if not (_capi.capi_available() and _capi.find_tool("s2-compile")):
        raise RuntimeError(
            f"no compiled GPU artifact for {key} and no compiler here to "
            "build one: build it where MLIR is installed with "
            "s2attn.compile_gpu_artifact(...) and load it with "
            "s2attn.load_artifacts(dir) or S2ATTN_ARTIFACT_DIR=dir")
    out = _compile_into_cache(config, _chip_of(device_index))
    with _lock:
        _index[key] = out
    return out


# --- launching --------------------------------------------------------------


class Artifact:
    """An opened artifact directory; closed with the object."""

    def __init__(self, directory: Path):
        lib = _capi.runtime()
        handle = ctypes.c_void_p()
        status = lib.s2attn_artifact_open(str(directory).encode(),
                                          ctypes.byref(handle))
        if status != 0:
            raise _capi.runtime_error(status, f"cannot open {directory}")
        self._lib, self.handle, self.directory = lib, handle, directory
        self.tensor_names = [
            lib.s2attn_artifact_tensor_name(handle, i).decode()
            for i in range(lib.s2attn_artifact_num_tensors(handle))]

    def __del__(self):
        handle = getattr(self, "handle", None)
        if handle:
            self._lib.s2attn_artifact_destroy(handle)

    def launch(self, tensors: dict, device: int, stream: int) -> None:
        array = (_capi.RtTensor * len(self.tensor_names))()
        for slot, name in zip(array, self.tensor_names):
            tensor = tensors[name]
            slot.name = name.encode()
            slot.data = tensor.data_ptr()
            slot.dtype = _capi.RUNTIME_DTYPES[_dtype_name(tensor)]
            slot.rank = tensor.dim()
            for dim, size in enumerate(tensor.shape):
                slot.shape[dim] = size
        args = _capi.RtLaunchArgs(array, len(array), None, 0, device,
                                  ctypes.c_void_p(stream))
        status = self._lib.s2attn_artifact_launch(self.handle,
                                                  ctypes.byref(args))
        if status != 0:
            raise _capi.runtime_error(status, f"launch of {self.directory} "
                                      "failed")


def _dtype_name(tensor) -> str:
    import torch
    return {torch.float16: "f16", torch.bfloat16: "bf16",
            torch.float32: "f32"}[tensor.dtype]


def _artifact_for(config: Config, device_index: int) -> Artifact:
    key = config.key()
    with _lock:
        artifact = _opened.get(key)
    if artifact is None:
        artifact = Artifact(artifact_dir_for(config, device_index))
        with _lock:
            _opened[key] = artifact
    return artifact


def run(config: Config, q, k, v):
    """(out, lse) on q's device, enqueued on torch's current stream."""
    import torch
    check_supported(config)
    device = q.device.index if q.device.index is not None else (
        torch.cuda.current_device())
    artifact = _artifact_for(config, device)
    out = torch.empty_like(q)
    lse = torch.empty((config.batch, config.heads, config.q_len),
                      dtype=torch.float32, device=q.device)
    stream = torch.cuda.current_stream(q.device).cuda_stream
    artifact.launch({"q": q, "k": k, "v": v, "o": out, "lse": lse},
                    device, stream)
    return out, lse
