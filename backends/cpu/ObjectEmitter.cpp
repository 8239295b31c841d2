//===- backends/cpu/ObjectEmitter.cpp - Writing object files --------------===//
#include "backends/cpu/ObjectEmitter.h"

#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

namespace snn::cpu {

bool write_object(llvm::Module &module, llvm::TargetMachine &machine, const std::string &path, std::string &error) {
  if (module.getTargetTriple().empty())
    module.setTargetTriple(machine.getTargetTriple().str());
  if (module.getDataLayout().isDefault())
    module.setDataLayout(machine.createDataLayout());

  int fd = -1;
  llvm::SmallString<256> temp_path;
  if (std::error_code ec = llvm::sys::fs::createUniqueFile(path + ".tmp-%%%%%%%%", fd, temp_path)) {
    error = "cannot create a temporary file beside '" + path + "': " + ec.message();
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

  if (emitted) {
    if (std::error_code ec = llvm::sys::fs::rename(temp_path, path)) {
      error = "cannot rename '" + std::string(temp_path) + "' to '" + path + "': " + ec.message();
      emitted = false;
    }
  }
  if (!emitted)
    llvm::sys::fs::remove(temp_path);
  return emitted;
}

} // namespace snn::cpu
