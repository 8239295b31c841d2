//===- ExampleThreads.h - Running a batch's examples on threads -*- C++ -*-===//
//
// `--threads N`: an entry point the compiler marked batch-separable
// (SNN_ENTRY_BATCH_SEPARABLE: every kernel works on each example on its own
// and writes no shared buffer) runs on contiguous groups of examples, one
// group per thread. Each group gets a state whose per-example buffers start
// at its first example, `batch` its size and `first_example` advanced, so
// every example runs exactly the instructions it runs unsplit: the results
// are the same bits for any thread count. Entries that are not separable
// (init, the reductions over the batch, the optimiser, a model with
// plasticity on shared weights) run on the calling thread.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_EXAMPLETHREADS_H
#define SNN_RUNTIME_EXAMPLETHREADS_H

#include "snn/model_abi.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace snn::rt {

/// The state of examples [first, first + count) of the batch in `state`:
/// its per-example buffers advanced to example `first`, `batch` count,
/// `first_example` advanced. `buffers` receives the buffer table and must
/// outlive the returned state. (A per-example bit buffer's examples must
/// start on whole words.)
snn_state examples_of(const snn_model_desc &model, const snn_state &state, uint32_t first, uint32_t count,
                      std::vector<void *> &buffers);

class ExampleThreads {
public:
  explicit ExampleThreads(const snn_model_desc &model) : model_(model) {}
  ~ExampleThreads();
  ExampleThreads(const ExampleThreads &) = delete;
  ExampleThreads &operator=(const ExampleThreads &) = delete;

  /// Use `threads` threads (the calling one included; 1: no workers).
  void set_threads(uint32_t threads);
  uint32_t threads() const { return uint32_t(workers_.size()) + 1; }

  /// fn(state, step), on groups of the batch's examples at once where that
  /// can give the same bits (see the file comment); returns when every
  /// group is done.
  void run(snn_entry_fn fn, snn_state *state, uint64_t step);

  /// task(g, group state) for each group g of the batch's examples, group 0
  /// on the calling thread, where the groups' words of bit buffers are
  /// their own (else one group: the whole state); returns when every group
  /// is done. `task` must not throw. A task may run batch-separable work of
  /// its group (whole examples), but not call run() itself.
  void run_groups(snn_state *state, const std::function<void(uint32_t, snn_state *)> &task);

private:
  void work(uint32_t worker);
  void stop();

  const snn_model_desc &model_;
  std::vector<std::thread> workers_;
  // Entry points of small models take microseconds: the threads spin a
  // while on these atomics before they sleep on the condition variables.
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::atomic<uint64_t> generation_{0}; ///< bumped for each run the workers take part in
  std::atomic<uint32_t> pending_{0};    ///< workers still running this generation
  std::atomic<bool> stopping_{false};
  // This run's work: one state (and its buffer table) per group.
  const std::function<void(uint32_t, snn_state *)> *task_ = nullptr;
  std::vector<snn_state> groups_;
  std::vector<std::vector<void *>> group_buffers_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_EXAMPLETHREADS_H
