//===- backends/cuda/CudaArchitectures.h - The GPUs an executable runs on -*- C++ -*-===//
//
// `--cuda-arch=LIST`: the GPU architectures a --target=cuda executable
// carries native code for, and the PTX it carries for every later GPU.
//
// What must hold: an executable built with the default list runs on every
// GPU the CUDA 13 toolkit supports (compute capability 7.5 and up): Turing,
// Ampere, Ada and Hopper from native code (a cubin for sm_80 also runs on
// sm_86/87/89, as NVIDIA's binary compatibility within a major version
// guarantees), Blackwell and later from the PTX, which the driver compiles
// once at the first run and caches. All of it is compiled from one PTX (the
// lowest architecture's): the printed kernels use nothing newer, so every
// GPU runs the same instructions up to register allocation, and -fmad=false
// keeps the rounding of each the CPU's.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace snn::cuda {

/// A parsed --cuda-arch list.
struct CudaArchitectures {
  /// Portable architectures ("sm_80"), in increasing order, without repeats.
  std::vector<unsigned> portable;
  /// Architecture-specific ones ("sm_90a", "sm_100f"): their code runs on
  /// that architecture (family) only, so they add no PTX for later GPUs.
  std::vector<std::string> specific;

  /// nvcc's -gencode flags: a cubin for each architecture, and the PTX of
  /// the lowest portable one for GPUs newer than all of them.
  std::vector<std::string> nvcc_flags() const;
  /// nvcc's flag for `-ptx`: the virtual architecture of the PTX the
  /// executable embeds (the lowest portable one; else the first specific).
  std::string ptx_flag() const;
};

/// Parses `list`, comma-separated `sm_NN` items with an optional `a` or `f`
/// suffix (e.g. "sm_80,sm_90a"). On a malformed item, returns nullopt and
/// sets `bad_item` to it (the whole list when it is empty).
std::optional<CudaArchitectures> parse_cuda_architectures(std::string_view list, std::string &bad_item);

} // namespace snn::cuda
