//===- backends/cpu/Optimizer.cpp - The LLVM optimisation pipeline --------===//
#include "backends/cpu/Optimizer.h"

#include "ir/Expr.h"

#include "llvm/IR/Verifier.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/raw_ostream.h"

namespace snn::cpu {

void verify_or_throw(const llvm::Module &module) {
  std::string report;
  llvm::raw_string_ostream out(report);
  if (llvm::verifyModule(module, &out)) {
    out.flush();
    throw ir::InternalError("generated LLVM module '" + module.getModuleIdentifier() + "' does not verify:\n" + report);
  }
}

void optimize(llvm::Module &module, llvm::TargetMachine &machine, int opt_level) {
  ir::internal_check(opt_level >= 0 && opt_level <= 3,
                     "optimisation level " + std::to_string(opt_level) + " is not in 0..3");
  verify_or_throw(module);
  if (module.getTargetTriple().empty())
    module.setTargetTriple(machine.getTargetTriple().str());
  if (module.getDataLayout().isDefault())
    module.setDataLayout(machine.createDataLayout());

  // clang enables the vectorisers from -O2 on; do the same.
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = opt_level >= 2;
  tuning.SLPVectorization = opt_level >= 2;
  tuning.LoopInterleaving = opt_level >= 2;
  tuning.LoopUnrolling = opt_level >= 1;

  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager sccs;
  llvm::ModuleAnalysisManager modules;
  // Given the machine, the pass builder registers its TargetIRAnalysis.
  llvm::PassBuilder builder(&machine, tuning);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(sccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, sccs, modules);

  llvm::ModulePassManager pipeline;
  switch (opt_level) {
  case 0:
    pipeline = builder.buildO0DefaultPipeline(llvm::OptimizationLevel::O0);
    break;
  case 1:
    pipeline = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O1);
    break;
  case 2:
    pipeline = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O2);
    break;
  default:
    pipeline = builder.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
    break;
  }
  pipeline.run(module, modules);
}

} // namespace snn::cpu
