//===- snn/temporary_file.h - Temporary files removed on SIGINT/SIGTERM -*- C++ -*-===//
//
// Shared by the compiler and the runtime. Every output is first written to a
// temporary file (see output_file.h); a TemporaryFile marks one for the
// lifetime of the write, so that an interrupt (Ctrl-C, SIGINT) or a
// termination request (SIGTERM) removes it before the process dies, instead
// of leaving `.snn-tmp-*` files behind. A SIGKILL leaves them; the next
// writer of a checkpoint removes its stale ones.
//
// The signal handler may run at any moment on any thread, so the live paths
// sit in fixed slots it reads without locks, and it calls only
// async-signal-safe functions (kill, waitpid, unlink, sigaction, raise).
// After cleaning up it runs the handler that was installed before (another
// copy of this header's handler in a shared library, say) or, for the
// default action, re-raises the signal so that the process still dies by it.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_TEMPORARY_FILE_H
#define SNN_TEMPORARY_FILE_H

#include "snn/output_file.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace snn {

namespace temporary_file_detail {
constexpr int kSlots = 64;
constexpr std::size_t kPathBytes = 4096;
enum : int { Free, Claimed, Live };

struct Slot {
  std::atomic<int> state{Free};
  char path[kPathBytes];
};
inline Slot slots[kSlots];
/// A child process writing a temporary file (the linker): stopped before
/// the file is removed, so that it cannot recreate it.
inline std::atomic<pid_t> writer{0};
inline struct sigaction previous[2];
inline std::atomic<bool> installed{false};

inline void on_signal(int signo) {
  if (pid_t child = writer.load(); child > 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  for (Slot &slot : slots)
    if (slot.state.load() == Live)
      ::unlink(slot.path);
  const struct sigaction &before = previous[signo == SIGINT ? 0 : 1];
  if (before.sa_flags & SA_SIGINFO) {
    if (before.sa_sigaction) {
      before.sa_sigaction(signo, nullptr, nullptr);
      return;
    }
  } else if (before.sa_handler != SIG_DFL && before.sa_handler != SIG_IGN) {
    before.sa_handler(signo);
    return;
  }
  struct sigaction fallback {};
  fallback.sa_handler = SIG_DFL;
  sigemptyset(&fallback.sa_mask);
  ::sigaction(signo, &fallback, nullptr);
  ::raise(signo); // delivered when this handler returns: the process dies by it
}

/// Installs on_signal for SIGINT and SIGTERM once; a signal the process
/// ignores (nohup) stays ignored.
inline void install() {
  if (installed.exchange(true))
    return;
  int signals[2] = {SIGINT, SIGTERM};
  for (int k = 0; k < 2; ++k) {
    ::sigaction(signals[k], nullptr, &previous[k]);
    if (!(previous[k].sa_flags & SA_SIGINFO) && previous[k].sa_handler == SIG_IGN)
      continue;
    struct sigaction action {};
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(signals[k], &action, nullptr);
  }
}
} // namespace temporary_file_detail

/// Marks `path` for removal by SIGINT or SIGTERM while this object lives.
/// Destroy it (or call release) once the file is renamed into place or
/// removed. Paths longer than 4095 bytes, and files beyond 64 at once, are
/// not marked (no output of snnc makes either).
class TemporaryFile {
public:
  /// Marks nothing yet (see create).
  TemporaryFile() = default;
  explicit TemporaryFile(const std::string &path) { mark(path); }
  ~TemporaryFile() { release(); }

  /// Creates a new, empty file `$TMPDIR/<stem>-<pid>-<n><suffix>` (the
  /// first n not taken, opened O_EXCL), marked before it exists so that no
  /// signal can leave it behind; returns its descriptor and sets `path`, or
  /// returns -1 with errno set.
  int create(const std::string &stem, const std::string &suffix, std::string &path) {
    release();
    for (int attempt = 0; attempt < 1000; ++attempt) {
      unsigned long serial = output_temporary_counter.fetch_add(1, std::memory_order_relaxed);
      path = temporary_path(stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(serial) + suffix);
      mark(path);
      int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0)
        return fd;
      release(); // not ours
      if (errno != EEXIST)
        return -1;
    }
    errno = EEXIST;
    return -1;
  }
  TemporaryFile(const TemporaryFile &) = delete;
  TemporaryFile &operator=(const TemporaryFile &) = delete;

  /// Stops marking the path (it was renamed or removed).
  void release() {
    if (slot_ >= 0)
      temporary_file_detail::slots[slot_].state.store(temporary_file_detail::Free);
    slot_ = -1;
  }

private:
  void mark(const std::string &path) {
    namespace d = temporary_file_detail;
    if (path.empty() || path.size() >= d::kPathBytes)
      return;
    d::install();
    for (int k = 0; k < d::kSlots; ++k) {
      int expected = d::Free;
      if (d::slots[k].state.compare_exchange_strong(expected, d::Claimed)) {
        std::memcpy(d::slots[k].path, path.c_str(), path.size() + 1);
        d::slots[k].state.store(d::Live);
        slot_ = k;
        return;
      }
    }
  }

  int slot_ = -1;
};

/// Marks child process `pid` as the writer of the marked temporary files
/// until destroyed: a signal stops it before removing them.
class TemporaryFileWriter {
public:
  explicit TemporaryFileWriter(pid_t pid) { temporary_file_detail::writer.store(pid); }
  ~TemporaryFileWriter() { temporary_file_detail::writer.store(0); }
  TemporaryFileWriter(const TemporaryFileWriter &) = delete;
  TemporaryFileWriter &operator=(const TemporaryFileWriter &) = delete;
};

} // namespace snn

#endif // SNN_TEMPORARY_FILE_H
