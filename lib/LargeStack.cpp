//===- lib/LargeStack.cpp - Running deep recursion safely -----------------===//
#include "lib/LargeStack.h"

#include <exception>
#include <pthread.h>

namespace snn {

namespace {
struct Job {
  const std::function<void()> *work;
  std::exception_ptr error;
};

void *run_job(void *arg) {
  auto *job = static_cast<Job *>(arg);
  try {
    (*job->work)();
  } catch (...) {
    job->error = std::current_exception();
  }
  return nullptr;
}
} // namespace

void run_on_large_stack(const std::function<void()> &work) {
  Job job{&work, nullptr};
  pthread_attr_t attr;
  pthread_t thread;
  bool started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, 512u << 20) == 0 &&
                 pthread_create(&thread, &attr, run_job, &job) == 0;
  pthread_attr_destroy(&attr);
  if (!started) { // no thread to be had: run here, with the normal stack
    work();
    return;
  }
  pthread_join(thread, nullptr);
  if (job.error)
    std::rethrow_exception(job.error);
}

} // namespace snn
