# -*- Python -*-

import os
import shutil

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "S2ATTN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
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
