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
      (*task_)(worker, &groups_[worker]);
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(mutex_); // the caller may be about to sleep
      done_.notify_one();
    }
  }
}

snn_state examples_of(const snn_model_desc &model, const snn_state &state, uint32_t first, uint32_t count,
                      std::vector<void *> &buffers) {
  buffers.assign(state.buffers, state.buffers + model.num_buffers);
  for (uint32_t k = 0; k < model.num_buffers; ++k)
    if (model.buffers[k].batch == SNN_BATCH_PER_EXAMPLE && buffers[k])
      buffers[k] = static_cast<char *>(buffers[k]) + element_bytes(model.buffers[k].type, state.extents[k]) * first;
  snn_state group = state;
  group.buffers = buffers.data();
  group.batch = count;
  group.first_example = state.first_example + first;
  return group;
}

void ExampleThreads::run(snn_entry_fn fn, snn_state *state, uint64_t step) {
  run_groups(state, [fn, step](uint32_t, snn_state *group) { fn(group, step); });
}

void ExampleThreads::run_groups(snn_state *state, const std::function<void(uint32_t, snn_state *)> &task) {
  uint32_t count = std::min(threads(), state->batch);
  // A per-example bit buffer whose examples do not start on whole words
  // cannot be split: the groups would share a word.
  for (uint32_t k = 0; count > 1 && k < model_.num_buffers; ++k)
    if (model_.buffers[k].batch == SNN_BATCH_PER_EXAMPLE && model_.buffers[k].type == SNN_ELEM_BITS &&
        state->extents[k] % 32 != 0)
      count = 1;
  if (count <= 1) {
    task(0, state);
    return;
  }
  groups_.resize(count);
  group_buffers_.resize(count);
  uint32_t first = 0;
  for (uint32_t g = 0; g < count; ++g) {
    uint32_t size = state->batch / count + (g < state->batch % count ? 1 : 0);
    groups_[g] = examples_of(model_, *state, first, size, group_buffers_[g]);
    first += size;
  }
  task_ = &task;
  pending_.store(uint32_t(workers_.size()), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_); // a worker may be about to sleep
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  task(0, &groups_[0]); // group 0 on this thread
  auto finished = [&] { return pending_.load(std::memory_order_acquire) == 0; };
  if (!spin(finished)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, finished);
  }
}

} // namespace snn::rt
