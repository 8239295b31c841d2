//===- lib/Resources.cpp - Where libsnnc finds its run-time files ---------===//
#include "lib/Resources.h"
#include "lib/Toolchain.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

// Set by lib/CMakeLists.txt: where the build put the library and the
// resources, and where an install puts the resources relative to the library.
#if !defined(SNN_BUILD_LIBDIR) || !defined(SNN_BUILD_STDLIB_DIR) || !defined(SNN_BUILD_RUNTIME_LIB) ||                 \
    !defined(SNN_BUILD_RUNTIME_MAIN_LIB) || !defined(SNN_INSTALL_STDLIB_REL) || !defined(SNN_INSTALL_RUNTIME_REL)
#error "lib/CMakeLists.txt defines the resource locations"
#endif

namespace snn {

namespace fs = std::filesystem;

namespace {

/// The folder of the file holding this code: libsnnc.so, or the executable
/// libsnnc was linked into. Empty when it cannot be told.
fs::path own_directory() {
  std::error_code ec;
  Dl_info info{};
  fs::path file;
  if (dladdr(reinterpret_cast<const void *>(&resources), &info) != 0 && info.dli_fname &&
      fs::path(info.dli_fname).has_parent_path())
    file = info.dli_fname;
  else
    file = "/proc/self/exe"; // a static link: dli_fname may be a bare argv[0]
  fs::path resolved = fs::canonical(file, ec);
  return ec ? fs::path() : resolved.parent_path();
}

/// Whether `a` and `b` name the same existing folder.
bool same_directory(const fs::path &a, const fs::path &b) {
  std::error_code ec;
  return !a.empty() && fs::equivalent(a, b, ec) && !ec;
}

/// What a CUDA executable links after the runtime: the CUDA device library
/// `device` and the static CUDA runtime; none when built without a toolkit.
std::vector<std::string> cuda_libs(std::string device) {
  if (!*SNN_BUILD_RUNTIME_CUDA_LIB)
    return {};
  return {std::move(device), toolchain().cudart_static, "-ldl", "-lrt"};
}

Resources locate() {
  Resources r;
  fs::path dir = own_directory();
  if (dir.empty() || same_directory(dir, SNN_BUILD_LIBDIR)) {
    r.stdlib_dir = SNN_BUILD_STDLIB_DIR;
    r.runtime_lib = SNN_BUILD_RUNTIME_LIB;
    r.runtime_main_lib = SNN_BUILD_RUNTIME_MAIN_LIB;
    r.runtime_include_dir = SNN_BUILD_RUNTIME_INCLUDE;
    r.cuda_emulation_libs = {SNN_BUILD_RUNTIME_CUDA_EMULATION_LIB};
    r.cuda_libs = cuda_libs(SNN_BUILD_RUNTIME_CUDA_LIB);
    return r;
  }
  fs::path runtime = dir / SNN_INSTALL_RUNTIME_REL;
  r.stdlib_dir = (dir / SNN_INSTALL_STDLIB_REL).lexically_normal().string();
  r.runtime_lib = (runtime / "libsnnrt.a").lexically_normal().string();
  r.runtime_main_lib = (runtime / "libsnnrt_main.a").lexically_normal().string();
  r.runtime_include_dir = (dir / SNN_INSTALL_INCLUDE_REL).lexically_normal().string();
  r.cuda_emulation_libs = {(runtime / "libsnnrt_cuda_emulation.a").lexically_normal().string()};
  r.cuda_libs = cuda_libs((runtime / "libsnnrt_cuda.a").lexically_normal().string());
  r.installed = true;
  return r;
}

} // namespace

const Resources &resources() {
  static const Resources located = locate();
  return located;
}

} // namespace snn
