//===- lib/LargeStack.cpp - Running deep recursion safely -----------------===//
#include "lib/LargeStack.h"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <pthread.h>
#include <utility>

namespace snn {

namespace {
/// Whether this thread is a LargeStackWorker's: work it runs that calls
/// run_on_large_stack again runs in place.
thread_local bool on_large_stack = false;

/// One thread with a 512 MiB stack that runs the jobs of the thread that
/// owns it, one at a time. Kept for the owner's lifetime, so a process that
/// compiles many models (a test, a fuzzer, a notebook) starts one such
/// thread per calling thread rather than one per compile.
class LargeStackWorker {
public:
  LargeStackWorker() {
    pthread_attr_t attr;
    started_ = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, 512u << 20) == 0 &&
               pthread_create(&thread_, &attr, &LargeStackWorker::loop, this) == 0;
    pthread_attr_destroy(&attr);
  }
  ~LargeStackWorker() {
    if (!started_)
      return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    pthread_join(thread_, nullptr);
  }
  LargeStackWorker(const LargeStackWorker &) = delete;
  LargeStackWorker &operator=(const LargeStackWorker &) = delete;

  bool started() const { return started_; }

  /// Runs `work` on the worker and waits; rethrows what it threw.
  void run(const std::function<void()> &work) {
    std::unique_lock<std::mutex> lock(mutex_);
    job_ = &work;
    error_ = nullptr;
    wake_.notify_all();
    wake_.wait(lock, [&] { return job_ == nullptr; });
    if (error_)
      std::rethrow_exception(std::exchange(error_, nullptr));
  }

private:
  static void *loop(void *self) {
    auto *worker = static_cast<LargeStackWorker *>(self);
    on_large_stack = true;
    std::unique_lock<std::mutex> lock(worker->mutex_);
    for (;;) {
      worker->wake_.wait(lock, [&] { return worker->stopping_ || worker->job_ != nullptr; });
      if (worker->job_ == nullptr)
        return nullptr; // stopping, nothing left to run
      const std::function<void()> *job = worker->job_;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*job)();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      worker->error_ = error;
      worker->job_ = nullptr;
      worker->wake_.notify_all();
    }
  }

  pthread_t thread_{};
  bool started_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void()> *job_ = nullptr;
  std::exception_ptr error_;
  bool stopping_ = false;
};
} // namespace

void run_on_large_stack(const std::function<void()> &work) {
  if (on_large_stack) {
    work();
    return;
  }
  thread_local LargeStackWorker worker;
  if (!worker.started()) { // no thread to be had: run here, with the normal stack
    work();
    return;
  }
  worker.run(work);
}

} // namespace snn
