//===- backends/cpu/ObjectEmitter.cpp - Writing object files --------------===//
#include "backends/cpu/ObjectEmitter.h"

#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace snn::cpu {

bool write_object(llvm::Module &module, llvm::TargetMachine &machine, const std::string &path, std::string &error) {
  if (module.getTargetTriple().empty())
    module.setTargetTriple(machine.getTargetTriple().str());
  if (module.getDataLayout().isDefault())
    module.setDataLayout(machine.createDataLayout());

  // A device (e.g. /dev/null) is written in place; anything else through a
  // temporary file beside the target (a symlink's target, not the link).
  OutputPlan plan = plan_output(path);
  bool in_place = plan.temporary.empty();
  int fd = -1;
  llvm::SmallString<256> temp_path;
  temp_path = in_place ? plan.target : plan.temporary;
  TemporaryFile marked(plan.temporary);
  std::error_code ec = llvm::sys::fs::openFileForWrite(
      temp_path, fd, in_place ? llvm::sys::fs::CD_OpenExisting : llvm::sys::fs::CD_CreateAlways);
  if (ec) {
    error = "cannot write '" + path + "': " + ec.message();
    return false;
  }

  bool emitted = false;
  {
    llvm::raw_fd_ostream out(fd, /*shouldClose=*/true);
    // Code generation still runs on the legacy pass manager in LLVM 19.
    llvm::legacy::PassManager passes;
    if (machine.addPassesToEmitFile(passes, out, nullptr, llvm::CodeGenFileType::ObjectFile)) {
      error = "the target cannot emit object files";
    } else {
      passes.run(module);
      out.flush();
      if (out.has_error()) {
        error = "cannot write '" + std::string(temp_path) + "': " + out.error().message();
        out.clear_error();
      } else {
        emitted = true;
      }
    }
  }

  if (emitted && !in_place) {
    if (std::error_code rename_error = llvm::sys::fs::rename(temp_path, plan.target)) {
      error = "cannot rename '" + std::string(temp_path) + "' to '" + plan.target + "': " + rename_error.message();
      emitted = false;
    }
  }
  if (!emitted && !in_place)
    llvm::sys::fs::remove(temp_path);
  return emitted;
}

} // namespace snn::cpu
