//===- backends/Backend.cpp - The seam between lower/ and a target --------===//
#include "backends/Backend.h"

#include "backends/cpu/CpuBackend.h"
#include "backends/cuda/CudaBackend.h"

namespace snn::backends {

const char *name_of(Target target) {
  switch (target) {
  case Target::Cpu:
    return "cpu";
  case Target::Cuda:
    return "cuda";
  }
  return "?";
}

std::optional<Target> parse_target(std::string_view name) {
  if (name == "cpu")
    return Target::Cpu;
  if (name == "cuda")
    return Target::Cuda;
  return std::nullopt;
}

std::unique_ptr<Backend> make_backend(Target target, const BackendOptions &options) {
  switch (target) {
  case Target::Cpu:
    return cpu::make_cpu_backend(options);
  case Target::Cuda:
    return cuda::make_cuda_backend(options);
  }
  throw BackendError(BackendError::Reason::TargetUnavailable, "?");
}

} // namespace snn::backends
