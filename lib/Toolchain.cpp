//===- lib/Toolchain.cpp - The external tools a compilation runs ----------===//
#include "lib/Toolchain.h"

#include "backends/Process.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
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

/// `name` found in a folder of $PATH (the system's default path when PATH
/// is unset, as execvp does); empty when none has it.
std::string on_path(const std::string &name) {
  std::string path;
  if (const char *value = std::getenv("PATH"))
    path = value;
  else if (std::size_t n = confstr(_CS_PATH, nullptr, 0); n > 0) {
    path.resize(n);
    confstr(_CS_PATH, path.data(), n);
    path.resize(n - 1);
  }
  for (std::size_t begin = 0, end; begin <= path.size(); begin = end + 1) {
    end = std::min(path.find(':', begin), path.size());
    fs::path candidate = fs::path(end > begin ? path.substr(begin, end - begin) : ".") / name;
    if (::access(candidate.c_str(), X_OK) == 0 && is_file(candidate))
      return candidate.string();
  }
  return "";
}

/// libcudart_static.a of the toolkit whose nvcc is `nvcc` (its bin/ is
/// beside lib64/, or targets/<arch>/lib/ on some packagings).
std::string cudart_beside(const fs::path &nvcc) {
  std::error_code ec;
  fs::path resolved = fs::canonical(nvcc, ec);
  fs::path root = (ec ? nvcc : resolved).parent_path().parent_path();
  for (const char *folder : {"lib64", "targets/x86_64-linux/lib", "targets/sbsa-linux/lib", "lib"})
    if (is_file(root / folder / "libcudart_static.a"))
      return (root / folder / "libcudart_static.a").string();
  return "";
}

/// The major version of the CUDA toolkit whose nvcc is `nvcc`: from its
/// version.json ("cuda": {"version": "13.0.1"}), else from CUDART_VERSION
/// in include/cuda_runtime_api.h (13000); 0 when neither tells.
int toolkit_major(const fs::path &nvcc) {
  std::error_code ec;
  fs::path resolved = fs::canonical(nvcc, ec);
  fs::path root = (ec ? nvcc : resolved).parent_path().parent_path();
  auto read = [](const fs::path &path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  std::string text = read(root / "version.json");
  std::size_t cuda = text.find("\"cuda\"");
  std::size_t version = cuda == std::string::npos ? cuda : text.find("\"version\"", cuda);
  std::size_t colon = version == std::string::npos ? version : text.find(':', version);
  std::size_t quote = colon == std::string::npos ? colon : text.find('"', colon);
  if (quote != std::string::npos)
    return std::atoi(text.c_str() + quote + 1);
  text = read(root / "include" / "cuda_runtime_api.h");
  const std::string define = "#define CUDART_VERSION ";
  std::size_t at = text.find(define);
  return at == std::string::npos ? 0 : std::atoi(text.c_str() + at + define.size()) / 1000;
}

/// Takes `nvcc` (named by `origin`) for `t` if its toolkit has the static
/// runtime and the major version the CUDA runtime library was built with;
/// else says why not in t.cuda_missing.
void take_toolkit(Toolchain &t, const fs::path &nvcc, const std::string &origin) {
  t.cudart_static = cudart_beside(nvcc);
  int major = toolkit_major(nvcc);
  if (t.cudart_static.empty())
    t.cuda_missing = origin + ": the CUDA toolkit of " + nvcc.string() + " has no libcudart_static.a";
  else if (major != 0 && major != SNN_CUDA_MAJOR)
    t.cuda_missing = origin + ": " + nvcc.string() + " is CUDA " + std::to_string(major) +
                     ", and this snnc's CUDA runtime library was built with CUDA " + std::to_string(SNN_CUDA_MAJOR);
  else
    t.nvcc = nvcc.string();
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
    if (!is_file(nvcc))
      t.cuda_missing = std::string(variable) + "=" + root + " names no CUDA toolkit: there is no " + nvcc.string();
    else
      take_toolkit(t, nvcc, std::string(variable) + "=" + root);
    return;
  }
  if (is_file(SNN_NVCC)) {
    take_toolkit(t, SNN_NVCC, "the build's nvcc");
    if (!t.nvcc.empty() && is_file(SNN_CUDART_STATIC))
      t.cudart_static = SNN_CUDART_STATIC; // the very file the build found
    return;
  }
  std::string nvcc = on_path("nvcc");
  if (nvcc.empty())
    t.cuda_missing = "no CUDA toolkit: the build's nvcc (" + std::string(SNN_NVCC) +
                     ") is gone and none is on PATH; set CUDA_PATH to the toolkit's folder";
  else
    take_toolkit(t, nvcc, "nvcc on PATH");
}

/// What the linker is given for the runtime's link input `entry`: the
/// file where it is; a library file that is gone by name (-l:NAME, looked
/// for in LIBRARY_PATH and the driver's folders); nothing for glibc's own
/// (libm, libpthread, libdl, librt: the driver adds -lm and -pthread, the
/// CUDA target -ldl -lrt, and static archives of them are optional);
/// anything else (a flag) as it is.
std::optional<std::string> link_input(const std::string &entry) {
  fs::path file = entry;
  if (!file.is_absolute() || is_file(file))
    return entry;
  std::string name = file.filename().string();
  for (const char *glibc : {"libm.", "libpthread.", "libdl.", "librt.", "libc."})
    if (name.rfind(glibc, 0) == 0)
      return std::nullopt;
  return "-l:" + name;
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
    if (end > begin)
      if (std::optional<std::string> input = link_input(dependencies.substr(begin, end - begin)))
        t.link_dependencies.push_back(*input);
  }
  return t;
}

} // namespace

const Toolchain &toolchain() {
  static const Toolchain located = locate();
  return located;
}

} // namespace snn
