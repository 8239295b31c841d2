//===- lib/Toolchain.h - The external tools a compilation runs -*- C++ -*-===//
//
// snnc builds an executable by running tools outside it: a C++ compiler
// driver links the model's object with the runtime (and compiles the CUDA
// target's printed code in host emulation), nvcc compiles the CUDA target's
// code, and executables of that target link the static CUDA runtime. The
// build records where it found each; an install moved to another machine,
// or a machine whose CUDA toolkit lives elsewhere, names others through the
// environment.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <string>
#include <vector>

namespace snn {

/// Where this process finds the tools and link inputs a compilation needs.
struct Toolchain {
  /// The C++ compiler driver: $SNNC_CXX, else the build's when it exists,
  /// else `c++` on PATH.
  std::string cxx;
  /// nvcc: $CUDA_PATH/bin/nvcc (else $CUDA_HOME's), else the build's when
  /// it exists, else `nvcc` on PATH. Empty when this snnc was built
  /// without a CUDA toolkit, or the toolkit found has no static runtime or
  /// another major version than the build's (the runtime's CUDA library
  /// was compiled against its headers); `cuda_missing` says why.
  std::string nvcc;
  std::string cuda_missing;
  /// libcudart_static.a of the same toolkit as nvcc (the build's when nvcc
  /// is).
  std::string cudart_static;
  /// The flag that makes the driver link with gold (about twice as fast as
  /// BFD) when the build's driver took it and this one finds ld.gold; else
  /// empty.
  std::string gold_flag;
  /// What executables link for the runtime's data readers (zlib, HDF5,
  /// MPI): the build's files where they exist, else `-l:NAME`, which the
  /// driver looks for in $LIBRARY_PATH and its own folders (none for
  /// glibc's own libraries, which the link names otherwise).
  std::vector<std::string> link_dependencies;
};

/// Looks the tools up once (thread-safe), from the environment of the
/// first call.
const Toolchain &toolchain();

} // namespace snn
