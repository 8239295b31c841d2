//===- ExampleThreads.cpp - Running a batch's examples on threads ---------===//
#include "ExampleThreads.h"

#include "ModelDescription.h"

#include <algorithm>

namespace snn::rt {

ExampleThreads::~ExampleThreads() { stop(); }

void ExampleThreads::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread &t : workers_)
    t.join();
  workers_.clear();
  stopping_ = false;
}

void ExampleThreads::set_threads(uint32_t threads) {
  if (threads == this->threads())
    return;
  stop();
  for (uint32_t w = 1; w < std::max<uint32_t>(threads, 1); ++w)
    workers_.emplace_back([this, w] { work(w); });
}

namespace {
/// Spins on `ready` for about kSpins checks; whether it became true.
template <typename Ready> bool spin(Ready &&ready) {
  constexpr int kSpins = 20000;
  for (int i = 0; i < kSpins; ++i)
    if (ready())
      return true;
  return false;
}
} // namespace

void ExampleThreads::work(uint32_t worker) {
  uint64_t seen = 0;
  while (true) {
    auto woken = [&] { return stopping_.load() || generation_.load(std::memory_order_acquire) != seen; };
    if (!spin(woken)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, woken);
    }
    if (stopping_)
      return;
    seen = generation_.load(std::memory_order_acquire);
    if (worker < groups_.size())
      fn_(&groups_[worker], step_);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_); // the caller may be about to sleep
      done_.notify_one();
    }
  }
}

void ExampleThreads::run(snn_entry_fn fn, snn_state *state, uint64_t step) {
  uint32_t count = std::min(threads(), state->batch);
  // A per-example bit buffer whose examples do not start on whole words
  // cannot be split: the groups would share a word.
  for (uint32_t k = 0; count > 1 && k < model_.num_buffers; ++k)
    if (model_.buffers[k].batch == SNN_BATCH_PER_EXAMPLE && model_.buffers[k].type == SNN_ELEM_BITS &&
        state->extents[k] % 32 != 0)
      count = 1;
  if (count <= 1) {
    fn(state, step);
    return;
  }
  groups_.assign(count, *state);
  group_buffers_.resize(count);
  uint32_t first = 0;
  for (uint32_t g = 0; g < count; ++g) {
    uint32_t size = state->batch / count + (g < state->batch % count ? 1 : 0);
    std::vector<void *> &buffers = group_buffers_[g];
    buffers.assign(state->buffers, state->buffers + model_.num_buffers);
    for (uint32_t k = 0; k < model_.num_buffers; ++k)
      if (model_.buffers[k].batch == SNN_BATCH_PER_EXAMPLE && buffers[k])
        buffers[k] = static_cast<char *>(buffers[k]) + element_bytes(model_.buffers[k].type, state->extents[k]) * first;
    groups_[g].buffers = buffers.data();
    groups_[g].batch = size;
    groups_[g].first_example = state->first_example + first;
    first += size;
  }
  fn_ = fn;
  step_ = step;
  pending_.store(uint32_t(workers_.size()), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_); // a worker may be about to sleep
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  fn(&groups_[0], step); // group 0 on this thread
  auto finished = [&] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!spin(finished)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, finished);
  }
}

} // namespace snn::rt
