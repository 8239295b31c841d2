//===- test/fuzz/ScratchFile.h - Fuzz inputs written to files --*- C++ -*-===//
//
// The runtime's readers take paths and choose the format by the extension,
// as the executables do; a fuzz target writes its input to a file of the
// right name in a directory private to the process, removed at exit.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace snn::fuzz {

/// The private directory, created on first use.
inline const std::string &scratch_directory() {
  static const std::string directory = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "snn-fuzz-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      std::perror("mkdtemp");
      std::abort();
    }
    static std::string removed_at_exit;
    removed_at_exit = pattern;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(removed_at_exit, ec);
    });
    return pattern;
  }();
  return directory;
}

/// Writes `bytes` to `name` in the scratch directory; returns its path.
inline std::string write_scratch_file(const std::string &name, std::string_view bytes) {
  std::string path = scratch_directory() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out.flush()) {
    std::perror(path.c_str());
    std::abort();
  }
  return path;
}

/// Stops the run: a reader broke a promise on `input`.
[[noreturn]] inline void broken(const char *target, const std::string &what) {
  std::fprintf(stderr, "%s fuzz target: %s\n", target, what.c_str());
  std::abort();
}

} // namespace snn::fuzz
