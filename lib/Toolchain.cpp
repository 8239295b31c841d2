//===- lib/Toolchain.cpp - The external tools a compilation runs ----------===//
#include "lib/Toolchain.h"

#include "backends/Process.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>
#include <unistd.h>

// Set by lib/CMakeLists.txt: what the build found.
#if !defined(SNN_LINKER_DRIVER) || !defined(SNN_NVCC) || !defined(SNN_CUDART_STATIC) ||                                \
    !defined(SNN_RUNTIME_DEPENDENCIES)
#error "lib/CMakeLists.txt defines the build's tools"
#endif

namespace snn {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path &path) {
  std::error_code ec;
  return fs::is_regular_file(path, ec);
}

/// The value of environment variable `name`; empty when unset.
std::string environment(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

/// `name` found in a folder of $PATH; empty when none has it.
std::string on_path(const std::string &name) {
  std::string path = environment("PATH");
  for (std::size_t begin = 0, end; begin <= path.size(); begin = end + 1) {
    end = std::min(path.find(':', begin), path.size());
    fs::path candidate = fs::path(end > begin ? path.substr(begin, end - begin) : ".") / name;
    if (::access(candidate.c_str(), X_OK) == 0 && is_file(candidate))
      return candidate.string();
  }
  return "";
}

/// libcudart_static.a of the toolkit whose nvcc is `nvcc` (its bin/ is
/// beside lib64/, or targets/x86_64-linux/lib/ on some packagings).
std::string cudart_beside(const fs::path &nvcc) {
  fs::path root = nvcc.parent_path().parent_path();
  for (const char *folder : {"lib64", "targets/x86_64-linux/lib", "lib"})
    if (is_file(root / folder / "libcudart_static.a"))
      return (root / folder / "libcudart_static.a").string();
  return "";
}

void find_cuda(Toolchain &t) {
  if (!*SNN_NVCC) {
    t.cuda_missing = "this snnc was built without a CUDA toolkit (nvcc), so it can print CUDA (--emit=cuda) but "
                     "not compile it";
    return;
  }
  for (const char *variable : {"CUDA_PATH", "CUDA_HOME"}) {
    std::string root = environment(variable);
    if (root.empty())
      continue;
    fs::path nvcc = fs::path(root) / "bin" / "nvcc";
    if (!is_file(nvcc)) {
      t.cuda_missing = std::string(variable) + "=" + root + " names no CUDA toolkit: there is no " + nvcc.string();
      return;
    }
    t.nvcc = nvcc.string();
    t.cudart_static = cudart_beside(nvcc);
    if (t.cudart_static.empty()) {
      t.cuda_missing = std::string(variable) + "=" + root + " has nvcc but no libcudart_static.a";
      t.nvcc.clear();
    }
    return;
  }
  if (is_file(SNN_NVCC)) {
    t.nvcc = SNN_NVCC;
    t.cudart_static = SNN_CUDART_STATIC;
    return;
  }
  t.nvcc = on_path("nvcc");
  if (!t.nvcc.empty())
    t.cudart_static = cudart_beside(fs::canonical(t.nvcc));
  if (t.nvcc.empty() || t.cudart_static.empty()) {
    t.cuda_missing = "no CUDA toolkit: the build's nvcc (" + std::string(SNN_NVCC) +
                     ") is gone and none is on PATH; set CUDA_PATH to the toolkit's folder";
    t.nvcc.clear();
  }
}

Toolchain locate() {
  Toolchain t;
  t.cxx = environment("SNNC_CXX");
  if (t.cxx.empty())
    t.cxx = is_file(SNN_LINKER_DRIVER) ? SNN_LINKER_DRIVER : "c++";
  find_cuda(t);
#ifdef SNN_LINKER_FLAG
  // The driver looks for ld.gold in its own folders, then on PATH;
  // -print-prog-name answers the bare name unless the former has it.
  // (PATH first: it spares a process on most machines.)
  std::string found;
  if (!on_path("ld.gold").empty() ||
      (backends::run_process({t.cxx, "-print-prog-name=ld.gold"}, found) == 0 && found.find('/') != std::string::npos))
    t.gold_flag = SNN_LINKER_FLAG;
#endif
  std::string dependencies = SNN_RUNTIME_DEPENDENCIES;
  for (std::size_t begin = 0, end; begin < dependencies.size(); begin = end + 1) {
    end = std::min(dependencies.find('|', begin), dependencies.size());
    if (end == begin)
      continue;
    fs::path file = dependencies.substr(begin, end - begin);
    t.link_dependencies.push_back(is_file(file) ? file.string() : "-l:" + file.filename().string());
  }
  return t;
}

} // namespace

const Toolchain &toolchain() {
  static const Toolchain located = locate();
  return located;
}

} // namespace snn
