//===- test/unit/backend/VectorizeTest.cpp - Optimised IR and objects -----===//
#include "TestModels.h"

#include "backends/cpu/ObjectEmitter.h"
#include "backends/cpu/Optimizer.h"
#include "backends/cpu/ProgramCodegen.h"
#include "backends/cpu/TargetSetup.h"

#include "llvm/IR/Module.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace snn::test {
namespace {

/// The module for `module`, optimised at -O2 for x86-64-v3, and its machine.
struct Optimised {
  llvm::LLVMContext context;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<llvm::Module> module;

  Optimised(const ir::Module &source, bool double_precision) {
    cpu::CodegenOptions options;
    options.double_precision = double_precision;
    std::string error;
    machine = cpu::create_target_machine(options, error);
    EXPECT_TRUE(machine) << error;
    module = cpu::build_module(lowered(source, options), context, options);
    if (machine)
      cpu::optimize(*module, *machine, options.opt_level);
  }

  /// The module as --emit=llvm prints it.
  std::string text() const {
    std::string out;
    llvm::raw_string_ostream stream(out);
    module->print(stream, nullptr);
    return out;
  }

  /// The optimised code of kernel `kernel` (e.g. "update.LIF") as text:
  /// its function "snn.<kernel>" if it survived optimisation, else the
  /// function of entry point `entry`, into which the inliner folded it (a
  /// kernel launched once is inlined and its function deleted at -O2). ""
  /// and a test failure if neither exists.
  std::string kernel_code(const std::string &kernel, const std::string &entry) const {
    llvm::Function *fn = module->getFunction("snn." + kernel);
    if (!fn)
      fn = module->getFunction("snn.entry." + entry);
    EXPECT_TRUE(fn) << "neither snn." << kernel << " nor snn.entry." << entry << " in\n" << text();
    if (!fn)
      return "";
    std::string out;
    llvm::raw_string_ostream stream(out);
    fn->print(stream);
    return out;
  }
};

TEST(Vectorize, LifUpdateUsesEightFloatLanes) {
  Optimised o(single_population(lif_model(), "exc", 1024), false);
  ASSERT_TRUE(o.machine);
  std::string ir = o.kernel_code("update.LIF", "step");
  EXPECT_NE(ir.find("fmul <8 x float>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("fcmp ogt <8 x float>"), std::string::npos) << ir;
}

TEST(Vectorize, LifUpdateUsesFourDoubleLanes) {
  Optimised o(single_population(lif_model(), "exc", 1024), true);
  ASSERT_TRUE(o.machine);
  std::string ir = o.kernel_code("update.LIF", "step");
  EXPECT_NE(ir.find("fmul <4 x double>"), std::string::npos) << ir;
}

TEST(Vectorize, PhiloxDrawsVectorise) {
  Optimised o(single_population(poisson_model(0.1), "noise", 1024), false);
  ASSERT_TRUE(o.machine);
  std::string ir = o.kernel_code("update.Poisson", "step");
  EXPECT_NE(ir.find("mul nuw <8 x i64>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("store <8 x float>"), std::string::npos) << ir;
}

// Spike delivery compares the presynaptic flags 32 at a time and visits the
// set ones of a chunk through its bit mask (count trailing zeros).
TEST(Vectorize, SpikeScanComparesThirtyTwoFlagsAtOnce) {
  ir::Module module = lif_network();
  module.network.populations[0].size = 1024; // exc, the pre of exc -> inh
  Optimised o(module, false);
  ASSERT_TRUE(o.machine);
  std::string ir = o.kernel_code("deliver", "step");
  EXPECT_NE(ir.find("icmp ne <32 x i8>"), std::string::npos) << ir;
  EXPECT_NE(ir.find("@llvm.cttz.i32"), std::string::npos) << ir;
}

TEST(ObjectEmission, WritesAnElfObjectAtomically) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("snn-backend-test", dir));
  std::string path = std::string(dir) + "/model.o";

  Optimised o(lif_network(), false);
  ASSERT_TRUE(o.machine);
  std::string error;
  ASSERT_TRUE(cpu::write_object(*o.module, *o.machine, path, error)) << error;

  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 64u);
  const std::string elf_magic = {'\x7f', 'E', 'L', 'F'};
  EXPECT_EQ(bytes.substr(0, 4), elf_magic);
  EXPECT_NE(bytes.find("snn_model"), std::string::npos) << "exported symbol missing";

  // Only model.o is left: the temporary file was renamed, not copied.
  std::error_code ec;
  int entries = 0;
  for (llvm::sys::fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec))
    ++entries;
  EXPECT_EQ(entries, 1);

  llvm::sys::fs::remove(path);
  llvm::sys::fs::remove(dir);
}

TEST(ObjectEmission, ReportsUnwritablePaths) {
  Optimised o(single_population(clock_model(), "clock", 2), false);
  ASSERT_TRUE(o.machine);
  std::string error;
  EXPECT_FALSE(cpu::write_object(*o.module, *o.machine, "/nonexistent-dir/model.o", error));
  EXPECT_NE(error.find("cannot write '/nonexistent-dir/model.o': No such file or directory"), std::string::npos)
      << error;
}

TEST(TargetSetup, RejectsUnknownCpus) {
  cpu::CodegenOptions options;
  options.cpu = "pentium-9000";
  std::string error;
  EXPECT_EQ(cpu::create_target_machine(options, error), nullptr);
  EXPECT_NE(error.find("unknown CPU 'pentium-9000'"), std::string::npos) << error;
}

} // namespace
} // namespace snn::test
