//===- CodegenOptions.h - Settings of the CPU backend -----------*- C++ -*-===//
#pragma once

#include <string>

namespace snn::cpu {

/// What the CPU backend generates code for.
struct CodegenOptions {
  /// Store and compute state in double (8-byte reals) instead of float.
  bool double_precision = false;
  /// Optimisation level 0..3, as clang's -O0..-O3.
  int opt_level = 2;
  /// An LLVM CPU name (e.g. "x86-64-v3", "skylake"); "native" means the host
  /// CPU and all its features.
  std::string cpu = "x86-64-v3";
};

} // namespace snn::cpu
