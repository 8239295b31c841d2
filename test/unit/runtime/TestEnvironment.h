//===- TestEnvironment.h - Files and processes for tests --------*- C++ -*-===//
#ifndef SNN_TEST_RUNTIME_TESTENVIRONMENT_H
#define SNN_TEST_RUNTIME_TESTENVIRONMENT_H

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace snn::rt::test {

/// A fresh directory under the system temporary directory, removed with
/// everything in it when the test ends.
class ScratchDirectory {
public:
  ScratchDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "snnrt-test-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      std::abort();
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDirectory(const ScratchDirectory &) = delete;
  ScratchDirectory &operator=(const ScratchDirectory &) = delete;

  /// The path of `name` inside the directory.
  std::string file(const std::string &name) const { return (path_ / name).string(); }
  /// Writes `text` to `name` and returns its path.
  std::string write(const std::string &name, const std::string &text) const {
    std::ofstream(file(name), std::ios::binary) << text;
    return file(name);
  }
  const std::filesystem::path &path() const { return path_; }

private:
  std::filesystem::path path_;
};

/// What a shell command printed and how it ended.
struct CommandResult {
  int exit_code = -1; ///< -1 if it did not exit normally
  std::string output; ///< stdout (and stderr if the command redirects it)
};

/// Runs `command` with /bin/sh and captures its stdout.
inline CommandResult run_shell(const std::string &command) {
  CommandResult result;
  std::FILE *pipe = ::popen(command.c_str(), "r");
  if (!pipe)
    return result;
  char chunk[4096];
  std::size_t got;
  while ((got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0)
    result.output.append(chunk, got);
  int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  return result;
}

/// The python that reads NPZ files back; SNN_TEST_PYTHON comes from CMake.
inline const char *python() { return SNN_TEST_PYTHON; }

/// Whether that python can import numpy (tests that need it skip if not).
/// Asked once per test process: starting python is the slowest thing here.
inline bool python_has_numpy() {
  static const bool has_numpy = run_shell(std::string(python()) + " -c 'import numpy' 2>/dev/null").exit_code == 0;
  return has_numpy;
}

/// Quotes `text` for /bin/sh.
inline std::string shell_quote(const std::string &text) {
  std::string quoted = "'";
  for (char c : text)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

} // namespace snn::rt::test

#endif // SNN_TEST_RUNTIME_TESTENVIRONMENT_H
