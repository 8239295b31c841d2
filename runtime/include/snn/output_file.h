//===- snn/output_file.h - Replacing output files safely --------*- C++ -*-===//
//
// Shared by the compiler (objects, executables, printed IR) and the runtime
// (NPZ recordings): every output is written completely before it replaces
// what was there, and never replaces a device or a symbolic link itself.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_OUTPUT_FILE_H
#define SNN_OUTPUT_FILE_H

#include <atomic>
#include <filesystem>
#include <string>
#include <system_error>
#include <unistd.h>

namespace snn {

/// How to replace the file at a path without leaving partial output.
struct OutputPlan {
  std::string target;    ///< the file to replace: the path with symlinks resolved
  std::string temporary; ///< where to write first, then rename over target;
                         ///< empty: write target in place
};

/// Counts the temporary names handed out by this process, so that two plans
/// made by one process never share a temporary file.
inline std::atomic<unsigned long> output_temporary_counter{0};

/// Symlinks are followed, so the file a link names is replaced and the link
/// stays. An existing file that is not a regular file (/dev/null, a FIFO, a
/// terminal) is written in place: renaming over it would replace the device.
/// Otherwise the content goes to a fresh temporary file beside the target,
/// named `.snn-tmp-<pid>-<counter>`: short, so that any target name that is
/// legal (up to 255 bytes) still has a legal temporary name, and unique among
/// live processes and within this one.
inline OutputPlan plan_output(const std::string &path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path target = path;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) {
    fs::path next = fs::read_symlink(target, ec);
    if (ec)
      break;
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  OutputPlan plan;
  plan.target = target.string();
  fs::file_status status = fs::status(target, ec);
  if (!ec && fs::exists(status) && !fs::is_regular_file(status))
    return plan;
  unsigned long serial = output_temporary_counter.fetch_add(1, std::memory_order_relaxed);
  std::string name = ".snn-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(serial);
  plan.temporary = (target.parent_path() / name).string();
  return plan;
}

/// `name` in the directory for temporary files: $TMPDIR where that is a
/// directory, else /tmp (for files that have no target beside which to live:
/// the compiler's object file, the linker's log).
inline std::string temporary_path(const std::string &name) {
  std::error_code ec;
  std::filesystem::path directory = std::filesystem::temp_directory_path(ec);
  if (ec || directory.empty())
    directory = "/tmp";
  return (directory / name).string();
}

} // namespace snn

#endif // SNN_OUTPUT_FILE_H
