//===- CudaErrorHint.h - What to do about a CUDA error -----------*- C++ -*-===//
//
// CUDA names an error ("no kernel image is available for execution on the
// device") but not its remedy, which for a model executable is known: build
// it for this GPU, or update the driver. The CUDA device (CudaDevice.cpp)
// appends the hint to CUDA's own words. Kept free of CUDA's headers so the
// runtime's tests check the text on machines without a toolkit.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_CUDAERRORHINT_H
#define SNN_RUNTIME_CUDAERRORHINT_H

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace snn::rt {

/// What the CUDA device knows of the machine when an error comes.
struct CudaFacts {
  std::string gpu; ///< the GPU's name; empty when it could not be asked
  int major = 0;   ///< its compute capability
  int minor = 0;   ///< ...
  /// cudaDriverGetVersion's: the newest CUDA the driver runs (12040 = 12.4);
  /// 0 where no driver is installed; -1 where it could not be asked.
  int driver_version = -1;
  int runtime_version = 0; ///< CUDART_VERSION the executable was built with
};

/// "12.4" for CUDA's version number 12040.
inline std::string cuda_version_text(int version) { return fmt::format("{}.{}", version / 1000, version % 1000 / 10); }

/// The remedy for the CUDA error named `error` (cudaGetErrorName's), as a
/// clause to append after CUDA's message; empty where there is none to add.
inline std::string cuda_error_hint(std::string_view error, const CudaFacts &facts) {
  std::string build_for_it;
  if (!facts.gpu.empty())
    build_for_it = fmt::format("snnc --target=cuda --cuda-arch=sm_{}{}", facts.major, facts.minor);
  std::string driver;
  if (facts.driver_version > 0 && facts.runtime_version > 0)
    driver = fmt::format("the NVIDIA driver runs CUDA {} programs and older, and this executable was built with "
                         "CUDA {}",
                         cuda_version_text(facts.driver_version), cuda_version_text(facts.runtime_version));
  if (error == "cudaErrorNoKernelImageForDevice" && !build_for_it.empty())
    return fmt::format("this GPU ({}, compute capability {}.{}) is not among those the executable was built for: "
                       "build it again with {}",
                       facts.gpu, facts.major, facts.minor, build_for_it);
  if (error == "cudaErrorInsufficientDriver" && facts.driver_version == 0)
    return "no NVIDIA driver is installed on this machine";
  if (error == "cudaErrorInsufficientDriver" && !driver.empty())
    return driver + ": update the driver";
  if (error == "cudaErrorUnsupportedPtxVersion" && !build_for_it.empty())
    return fmt::format("{}: update the driver, or build the executable again with {}, so that this GPU runs "
                       "native code rather than compiling the PTX",
                       driver.empty() ? "the NVIDIA driver is older than the CUDA that made the executable's PTX"
                                      : driver,
                       build_for_it);
  return "";
}

} // namespace snn::rt

#endif // SNN_RUNTIME_CUDAERRORHINT_H
