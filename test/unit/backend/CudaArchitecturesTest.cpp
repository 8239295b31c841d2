//===- CudaArchitecturesTest.cpp - --cuda-arch lists and nvcc's flags ------===//

#include "backends/cuda/CudaArchitectures.h"
#include "backends/Backend.h"

#include "snn/Compiler.h"

#include <gtest/gtest.h>

namespace snn::cuda {
namespace {

using Flags = std::vector<std::string>;

CudaArchitectures parsed(std::string_view list) {
  std::string bad;
  std::optional<CudaArchitectures> archs = parse_cuda_architectures(list, bad);
  EXPECT_TRUE(archs) << "'" << bad << "' of '" << list << "'";
  return archs.value_or(CudaArchitectures{});
}

std::string rejected(std::string_view list) {
  std::string bad = "(accepted)";
  EXPECT_FALSE(parse_cuda_architectures(list, bad)) << list;
  return bad;
}

TEST(CudaArchitectures, TheDefaultRunsOnEveryGpuOfCuda13) {
  // Native code for 7.5, 8.x and 9.0 from one PTX, and that PTX for the
  // GPUs after them.
  EXPECT_EQ(parsed(snn::CompileOptions{}.cuda_arch).nvcc_flags(),
            Flags{"-gencode=arch=compute_75,code=[sm_75,sm_80,sm_90,compute_75]"});
  EXPECT_EQ(snn::CompileOptions{}.cuda_arch, backends::BackendOptions{}.cuda_arch);
}

TEST(CudaArchitectures, OneArchitectureIsNvccsArch) {
  EXPECT_EQ(parsed("sm_80").nvcc_flags(), Flags{"-gencode=arch=compute_80,code=[sm_80,compute_80]"});
  EXPECT_EQ(parsed("sm_80").ptx_flag(), "-arch=compute_80");
}

TEST(CudaArchitectures, ListsAreSortedAndRepeatsDropped) {
  CudaArchitectures archs = parsed("sm_90,sm_86,sm_90,sm_120");
  EXPECT_EQ(archs.portable, (std::vector<unsigned>{86, 90, 120}));
  EXPECT_EQ(archs.nvcc_flags(), Flags{"-gencode=arch=compute_86,code=[sm_86,sm_90,sm_120,compute_86]"});
  EXPECT_EQ(archs.ptx_flag(), "-arch=compute_86");
}

TEST(CudaArchitectures, SpecificArchitecturesGetCodeButNoPtx) {
  CudaArchitectures archs = parsed("sm_90a,sm_80,sm_100f,sm_90a");
  EXPECT_EQ(archs.nvcc_flags(),
            (Flags{"-gencode=arch=compute_80,code=[sm_80,compute_80]", "-gencode=arch=compute_90a,code=sm_90a",
                   "-gencode=arch=compute_100f,code=sm_100f"}));
  EXPECT_EQ(parsed("sm_90a").nvcc_flags(), Flags{"-gencode=arch=compute_90a,code=sm_90a"});
  EXPECT_EQ(parsed("sm_90a").ptx_flag(), "-arch=compute_90a");
}

TEST(CudaArchitectures, MalformedItemsAreNamed) {
  EXPECT_EQ(rejected(""), "");
  EXPECT_EQ(rejected("90"), "90");
  EXPECT_EQ(rejected("sm_9"), "sm_9");
  EXPECT_EQ(rejected("sm_80,"), "");
  EXPECT_EQ(rejected("sm_80,,sm_90"), "");
  EXPECT_EQ(rejected("sm_80, sm_90"), " sm_90");
  EXPECT_EQ(rejected("sm_80;sm_90"), "sm_80;sm_90");
  EXPECT_EQ(rejected("compute_80"), "compute_80");
  EXPECT_EQ(rejected("sm_080"), "sm_080");
  EXPECT_EQ(rejected("sm_1000"), "sm_1000");
  EXPECT_EQ(rejected("sm_90b"), "sm_90b");
  EXPECT_EQ(rejected("sm_90aa"), "sm_90aa");
  EXPECT_EQ(rejected("SM_90"), "SM_90");
}

} // namespace
} // namespace snn::cuda
