//===- CudaErrorHintTest.cpp - The remedies the CUDA device adds to errors -===//

#include "CudaErrorHint.h"

#include <gtest/gtest.h>

namespace snn::rt {
namespace {

/// An RTX A5000 (compute capability 8.6) under a CUDA 12.4 driver, running
/// an executable built with CUDA 13.0.
CudaFacts a5000() {
  CudaFacts facts;
  facts.gpu = "NVIDIA RTX A5000";
  facts.major = 8;
  facts.minor = 6;
  facts.driver_version = 12040;
  facts.runtime_version = 13000;
  return facts;
}

TEST(CudaErrorHint, VersionsReadAsCudaWritesThem) {
  EXPECT_EQ(cuda_version_text(12040), "12.4");
  EXPECT_EQ(cuda_version_text(13000), "13.0");
  EXPECT_EQ(cuda_version_text(11080), "11.8");
}

TEST(CudaErrorHint, AGpuWithoutCodeIsNamedWithTheArchitectureToBuildFor) {
  EXPECT_EQ(cuda_error_hint("cudaErrorNoKernelImageForDevice", a5000()),
            "this GPU (NVIDIA RTX A5000, compute capability 8.6) is not among those the executable was built for: "
            "build it again with snnc --target=cuda --cuda-arch=sm_86");
  CudaFacts blackwell = a5000();
  blackwell.major = 12;
  blackwell.minor = 0;
  EXPECT_NE(cuda_error_hint("cudaErrorNoKernelImageForDevice", blackwell).find("--cuda-arch=sm_120"),
            std::string::npos);
}

TEST(CudaErrorHint, AnOldDriverIsNamedWithBothVersions) {
  EXPECT_EQ(cuda_error_hint("cudaErrorInsufficientDriver", a5000()),
            "the NVIDIA driver runs CUDA 12.4 programs and older, and this executable was built with CUDA 13.0: "
            "update the driver");
  EXPECT_EQ(cuda_error_hint("cudaErrorUnsupportedPtxVersion", a5000()),
            "the NVIDIA driver runs CUDA 12.4 programs and older, and this executable was built with CUDA 13.0: "
            "update the driver, or build the executable again with snnc --target=cuda --cuda-arch=sm_86, so that "
            "this GPU runs native code rather than compiling the PTX");
}

TEST(CudaErrorHint, AMachineWithoutADriverIsToldSo) {
  CudaFacts none;
  none.driver_version = 0; // what cudaDriverGetVersion gives without a driver
  none.runtime_version = 13000;
  EXPECT_EQ(cuda_error_hint("cudaErrorInsufficientDriver", none), "no NVIDIA driver is installed on this machine");
}

TEST(CudaErrorHint, NothingIsClaimedThatCudaCouldNotTell) {
  CudaFacts unknown;
  EXPECT_EQ(cuda_error_hint("cudaErrorNoKernelImageForDevice", unknown), "");
  EXPECT_EQ(cuda_error_hint("cudaErrorInsufficientDriver", unknown), "");
  unknown.runtime_version = 13000;
  EXPECT_EQ(cuda_error_hint("cudaErrorInsufficientDriver", unknown), "") << "the driver's version is unknown";
  // Errors with no known remedy get none.
  EXPECT_EQ(cuda_error_hint("cudaErrorMemoryAllocation", a5000()), "");
  EXPECT_EQ(cuda_error_hint("cudaErrorLaunchFailure", a5000()), "");
}

} // namespace
} // namespace snn::rt
