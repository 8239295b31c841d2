//===- backends/Backend.h - The seam between lower/ and a target -*- C++ -*-===//
//
// A backend translates a lowered Program into code for one target. It reads
// nothing but the Program: every semantic decision (phase order, layout,
// random counters, gating) was made by lower/. The driver picks one with
// --target; the rest of the compiler sees only this interface, which names
// no LLVM or CUDA types.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/StageTimes.h"
#include "lower/Program.h"

#include "snn/model_abi.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace snn::backends {

enum class Target { Cpu, Cuda };
const char *name_of(Target target);
/// The target called `name` ("cpu", "cuda"), if any.
std::optional<Target> parse_target(std::string_view name);

struct BackendOptions {
  bool double_precision = false; ///< must match the Program's real type
  int opt_level = 2;             ///< 0..3, as clang's -O0..-O3
  std::string cpu = "x86-64-v3"; ///< LLVM CPU name, or "native" (cpu target;
                                 ///< the cuda target's host descriptor too)
  // The cuda target.
  /// The GPU architectures the executable carries code for, comma-separated
  /// (backends/cuda/CudaArchitectures.h): "sm_75,sm_80,sm_90" runs on every
  /// GPU that CUDA 13 supports.
  std::string cuda_arch = "sm_75,sm_80,sm_90";
  /// Compile the printed CUDA as host C++ (snn/cuda_device.h's emulation)
  /// instead of with nvcc: for testing the printed kernels without a GPU.
  bool cuda_host_emulation = false;
  std::string nvcc;            ///< nvcc's path; empty: no CUDA toolkit
  std::string nvcc_missing;    ///< why `nvcc` is empty, for the error
  std::string host_compiler;   ///< the C++ compiler (emulation, relocatable links)
  std::string runtime_include; ///< the folder holding snn/cuda_device.h
};

/// A request the backend cannot serve, caused by the user's choices or
/// environment rather than by a compiler bug: a target not available in this
/// build, a CPU LLVM does not know, an object file that cannot be written, a
/// model that cannot be loaded. The caller turns it into a diagnostic.
class BackendError : public std::runtime_error {
public:
  enum class Reason {
    TargetUnavailable, ///< detail: the target's name
    UnknownCpu,        ///< detail: LLVM's reason
    UnknownCudaArch,   ///< detail: the malformed item of the --cuda-arch list
    ObjectEmission,    ///< detail: why the object file could not be written
    Load,              ///< detail: why the in-process compile failed
    Toolchain,         ///< detail: what an external tool (nvcc, the host compiler) reported
  };
  BackendError(Reason reason, std::string detail)
      : std::runtime_error(detail), reason_(reason), detail_(std::move(detail)) {}
  Reason reason() const { return reason_; }
  const std::string &detail() const { return detail_; }

private:
  Reason reason_;
  std::string detail_;
};

/// Generated code loaded into this process; the descriptor lives as long
/// as this object.
class LoadedModel {
public:
  virtual ~LoadedModel() = default;
  virtual const snn_model_desc &model() const = 0;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual Target target() const = 0;
  /// The optimised generated code as text (LLVM IR for the CPU, CUDA C++
  /// for CUDA).
  virtual std::string code_text(const lower::Program &program, StageTimes &times) = 0;
  /// The target's assembly (PTX for CUDA); throws BackendError when the
  /// target has none to show.
  virtual std::string assembly_text(const lower::Program &program, StageTimes &times) = 0;
  /// Writes an object file implementing snn/model_abi.h, atomically.
  virtual void write_object(const lower::Program &program, const std::string &path, StageTimes &times) = 0;
  /// Compiles the Program into this process.
  virtual std::unique_ptr<LoadedModel> load(const lower::Program &program, StageTimes &times) = 0;
};

/// The backend for `target`. Throws BackendError when `options` are not
/// valid for it.
std::unique_ptr<Backend> make_backend(Target target, const BackendOptions &options);

} // namespace snn::backends
