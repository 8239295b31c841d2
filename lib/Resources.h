//===- lib/Resources.h - Where libsnnc finds its run-time files -*- C++ -*-===//
//
// libsnnc needs files besides its own code while it runs: the standard
// library of .snn models (`import std.*`) and the runtime archives that
// executables are linked with. They are found relative to the library's own
// file, so an installed tree works wherever it is moved.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace snn {

/// The run-time files of this copy of libsnnc.
struct Resources {
  std::string stdlib_dir;          ///< the folder holding std/*.snn
  std::string runtime_lib;         ///< libsnnrt.a: the runtime
  std::string runtime_main_lib;    ///< libsnnrt_main.a: main() of a model executable
  std::string runtime_include_dir; ///< the runtime's headers (snn/cuda_device.h for printed CUDA)
  /// What a --target=cuda executable links after the runtime: the CUDA
  /// device and the static CUDA runtime (empty without a CUDA toolkit), or
  /// the host-emulated device.
  std::vector<std::string> cuda_libs, cuda_emulation_libs;
  bool installed = false; ///< true: found relative to an installed library
};

/// Locates the resources once (thread-safe). A library loaded from the
/// folder it was built in uses the build and source trees; any other copy
/// (an install, however relocated) uses what `cmake --install` lays out
/// beside it: <libdir>/snnc/libsnnrt*.a and <datadir>/snnc/stdlib.
const Resources &resources();

} // namespace snn
