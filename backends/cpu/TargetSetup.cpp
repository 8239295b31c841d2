//===- backends/cpu/TargetSetup.cpp - Target machines for the CPU backend -===//
#include "backends/cpu/TargetSetup.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

namespace snn::cpu {

void initialize_native_target() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

llvm::CodeGenOptLevel codegen_opt_level(int opt_level) {
  if (opt_level <= 0)
    return llvm::CodeGenOptLevel::None;
  if (opt_level == 1)
    return llvm::CodeGenOptLevel::Less;
  if (opt_level == 2)
    return llvm::CodeGenOptLevel::Default;
  return llvm::CodeGenOptLevel::Aggressive;
}

std::unique_ptr<llvm::TargetMachine> create_target_machine(const CodegenOptions &options, std::string &error) {
  initialize_native_target();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;

  std::string cpu = options.cpu;
  std::string features;
  if (cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures host_features;
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      host_features.AddFeature(feature.first(), feature.second);
    features = host_features.getString();
  } else {
    // An unknown CPU name would silently fall back to a generic CPU and
    // drop the vector units the user asked for, so reject it.
    std::unique_ptr<llvm::MCSubtargetInfo> info(target->createMCSubtargetInfo(triple, "", ""));
    if (!info || !info->isCPUStringValid(cpu)) {
      error = "unknown CPU '" + cpu + "' for target " + triple;
      return nullptr;
    }
    // A 32-bit CPU (i686, pentium4, ...) is a valid name, but LLVM aborts
    // when asked for 64-bit code on it.
    std::unique_ptr<llvm::MCSubtargetInfo> chosen(target->createMCSubtargetInfo(triple, cpu, ""));
    if (llvm::Triple(triple).isArch64Bit() && (!chosen || !chosen->checkFeatures("+64bit"))) {
      error = "CPU '" + cpu + "' cannot run 64-bit code for target " + triple;
      return nullptr;
    }
  }

  llvm::TargetOptions target_options;
  // Align loop headers to a cache line. The neuron and synapse loops are a
  // few dozen instructions each; where their branches fall relative to 32-
  // and 64-byte boundaries changed CUBA's step time by 20 % between builds
  // that differed only in unrelated code (bench/cuba.py at -O3: 0.058 s per
  // biological second unaligned, 0.046 aligned). The padding costs a few
  // bytes per loop.
  target_options.LoopAlignment = 64;
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, cpu, features, target_options, llvm::Reloc::PIC_, std::nullopt, codegen_opt_level(options.opt_level)));
  if (!machine)
    error = "cannot create a target machine for " + triple + " (" + cpu + ")";
  return machine;
}

} // namespace snn::cpu
