# -*- Python -*-

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "S2ATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.s2attn_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%python", config.python_executable))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [config.s2attn_tools_dir, config.llvm_tools_dir]
tools = ["s2-opt", "s2-pattern"]
for optional_tool in ["s2-run", "s2-compile"]:
    if os.path.exists(os.path.join(config.s2attn_tools_dir, optional_tool)):
        tools.append(optional_tool)
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Features for tests that need more than this machine may have.
cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
if os.path.exists(os.path.join(cuda_home, "bin", "ptxas")):
    config.available_features.add("ptxas")
    config.substitutions.append(("%cuda_home", cuda_home))
if os.path.exists("/dev/nvidia0") or shutil.which("nvidia-smi"):
    config.available_features.add("gpu")

# CPU integration tests JIT-run lowered code with mlir-runner, which loads the
# runner utilities and libomp from the LLVM library directory.
config.substitutions.append(("%mlir_lib_dir", config.mlir_lib_dir))
if all(os.path.exists(os.path.join(config.mlir_lib_dir, lib)) for lib in
       ["libmlir_c_runner_utils.so", "libmlir_runner_utils.so", "libomp.so"]):
    config.available_features.add("mlir-runner")

# SASS checks read cubins with cuobjdump: from the CUDA toolkit, or from the
# nvidia-cuda-cuobjdump wheel that scripts/install-deps.sh installs.
def find_cuobjdump():
    found = shutil.which("cuobjdump") or os.path.join(cuda_home, "bin", "cuobjdump")
    if os.path.exists(found):
        return found
    import subprocess
    try:
        site = subprocess.run(
            [config.python_executable, "-c",
             "import nvidia, os; print(list(nvidia.__path__)[0])"],
            capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    for sub in ["cu13/bin/cuobjdump", "cuda_cuobjdump/bin/cuobjdump"]:
        candidate = os.path.join(site, sub)
        if site and os.path.exists(candidate):
            return candidate
    return None

cuobjdump = find_cuobjdump()
if cuobjdump:
    config.available_features.add("cuobjdump")
    config.substitutions.append(("%cuobjdump", cuobjdump))
config.environment["CUDA_HOME"] = cuda_home
