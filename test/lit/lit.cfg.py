# lit configuration of snnc's FileCheck tests.
import os
import lit.formats

config.name = "snnc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".snn", ".snnir", ".test"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)

site = lit_config.params.get("snn_site_config")
if site:
    lit_config.load_config(config, site)
else:
    lit_config.fatal("run through ctest, or pass --param snn_site_config=BUILD/test/lit/lit.site.cfg.py")

config.test_exec_root = os.path.join(config.binary_root, "test", "lit")
config.environment["PATH"] = os.pathsep.join([config.llvm_tools_dir, config.environment.get("PATH", "/usr/bin:/bin")])
# `REQUIRES: nvcc`: tests that compile the CUDA target's code with nvcc.
if getattr(config, "have_nvcc", False):
    config.available_features.add("nvcc")
# `REQUIRES: no-cuda-driver`: a machine without NVIDIA's driver (libcuda),
# where a CUDA executable must say so and exit 1.
try:
    import ctypes
    ctypes.CDLL("libcuda.so.1")
except OSError:
    config.available_features.add("no-cuda-driver")
config.substitutions.append(("%snnc", config.snnc))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%src_root", config.source_root))
