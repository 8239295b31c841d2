//===- Trainer.cpp - One training run's simulation and batches ------------===//

#include "Trainer.h"

#include "ModelDescription.h"
#include "NonFinite.h"
#include "OutOfMemory.h"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>
#include <thread>
#include <utility>

namespace snn::rt {
namespace {

/// The per-example entry point of `model` that is not batch-separable, or
/// null.
const char *inseparable_example_entry(const snn_model_desc &model) {
  for (uint32_t e = 0; e < model.num_entries; ++e) {
    std::string_view name = model.entries[e].name;
    bool per_example = name == "reset_example" || name == "step" || name == "train_step" || name == "end_example" ||
                       name == "train_end_example" || name == "train_backward";
    if (per_example && !(model.entries[e].flags & SNN_ENTRY_BATCH_SEPARABLE))
      return model.entries[e].name;
  }
  return nullptr;
}

bool all_example_entries_separable(const snn_model_desc &model) { return !inseparable_example_entry(model); }

} // namespace

void check_data_parallel(const snn_model_desc &model) {
  if (const char *name = inseparable_example_entry(model))
    throw Error(std::string("the model '") + model.name + "' cannot train data-parallel under mpirun: its entry '" +
                name +
                "' writes state shared by the examples of a batch (plasticity on shared weights); run it as one "
                "process");
  if (model.num_records > 0)
    throw Error(std::string("the model '") + model.name +
                "' records examples during training, which mpirun does not support yet: remove its `record` "
                "statements or run it as one process");
}

Trainer::Trainer(const snn_model_desc &model, uint64_t seed, uint32_t batch, uint32_t steps, uint32_t history_steps,
                 uint32_t threads, const DataParallel *parallel)
    : model_(model), training_(*model.training), seed_(seed), batch_(batch), steps_(steps),
      history_steps_(history_steps), parallel_(parallel && parallel->distributed() ? parallel : nullptr),
      simulation_(model, seed, batch, 0, history_steps), rewiring_(model) {
  simulation_.set_threads(threads);
  ExampleThreads *pool = simulation_.example_threads();
  pooled_ = ExampleEntries(model, pool);
  direct_ = ExampleEntries(model, nullptr);
  reduce_gradients_ = EntryPoint(model, "reduce_gradients", pool);
  apply_gradients_ = EntryPoint(model, "apply_gradients", pool);
  neurons_ = model.populations[training_.input_population].size;
  double raster_bytes = double(batch) * double(steps_) * double(neurons_);
  try {
    // The host encodes each batch into it and the device copies a step's
    // rows in: staging memory, which neither side pulls pages of.
    raster_ = allocating(
        [&] {
          return AlignedBuffer(std::size_t(batch) * steps_ * neurons_, model.device, AlignedBuffer::Memory::Staging);
        },
        [&] { return out_of_memory("the input spikes of a batch", raster_bytes); });
  } catch (const DeviceError &e) {
    throw Error("cannot run on the " + std::string(model.device->name) + " device: " + e.message +
                " (the input spikes of a batch, " + format_bytes(raster_bytes) + ")");
  }
  if (segmented())
    checkpoints_ = SegmentCheckpoints(model, simulation_.state(), batch, segment_count(steps_, history_steps_));
  // Groups of examples may run whole on threads of their own where every
  // per-example entry is separable and a checkpoint holds no shared
  // buffer (the groups copy their own examples' parts of it).
  groups_allowed_ = !model.device && all_example_entries_separable(model);
  for (uint32_t k = 0; k < training_.num_segment_buffers; ++k)
    if (model.buffers[training_.segment_buffers[k]].batch != SNN_BATCH_PER_EXAMPLE)
      groups_allowed_ = false;
}

void Trainer::store_hypers(const Hyperparameters &hypers) {
  snn_state &state = simulation_.state();
  hypers.store(state, model_);
  for (uint32_t k = 0; k < training_.num_hypers; ++k)
    if (std::string_view(training_.hypers[k].name) == "history-steps")
      store_element(state.buffers[training_.hyper], model_.buffers[training_.hyper].type, k, history_steps_);
}

void Trainer::set_learning_rate(double lr) {
  snn_state &state = simulation_.state();
  store_element(state.buffers[training_.lr], model_.buffers[training_.lr].type, 0, lr);
}

void Trainer::run_batch(const Subset &subset, const std::vector<std::size_t> &order, std::size_t first, uint32_t count,
                        Pass pass, uint64_t first_example, const std::string &where, SetMetrics &sums) {
  snn_state &state = simulation_.state();
  state.batch = count;
  state.first_example = first_example;
  // Data-parallel: this rank simulates its share [lo, hi) of the batch
  // through `mine`, a state of those examples alone.
  auto [lo, hi] = parallel_ ? parallel_->share(count, batch_) : std::pair<uint32_t, uint32_t>{0, count};
  snn_state mine = examples_of(model_, state, lo, hi - lo, share_buffers_);
  const bool simulating = hi > lo;
  const uint32_t steps = steps_;
  const std::size_t frame = std::size_t(steps) * neurons_;
  std::vector<std::size_t> examples;
  for (uint32_t b = lo; b < hi; ++b) {
    std::size_t example = subset.indices[order[first + b]];
    store_element(state.buffers[training_.label], SNN_ELEM_I32, b, subset.set->label(example));
    examples.push_back(example);
  }
  // The CPU simulation's threads (--threads) encode too; with a device the
  // host has nothing else to do, and takes its cores.
  unsigned encoders =
      model_.device ? std::max(1u, std::thread::hardware_concurrency()) : simulation_.example_threads()->threads();
  subset.set->encode_all(examples, steps, model_.dt, seed_, static_cast<uint8_t *>(raster_.data()) + lo * frame,
                         encoders);
  if (simulating) {
    bool recording = recorder_ && !recorder_->empty() && subset.set == recorded_set_;
    if (recording) {
      std::vector<int64_t> examples(count);
      for (uint32_t b = 0; b < count; ++b)
        examples[b] = int64_t(subset.indices[order[first + b]]);
      recorder_->begin_batch(examples, epoch_, pass == Pass::Evaluate ? (subset.name[0] == 'v' ? 1 : 2) : 0);
    }
    // --threads: groups of examples run the whole example on threads of
    // their own (one meeting per batch rather than one per entry and
    // step); otherwise each entry splits its call by example.
    if (recording || !groups_allowed_ || simulation_.example_threads()->threads() <= 1)
      simulate(mine, pass, where, pooled_, recording);
    else
      simulate_in_groups(mine, pass, where);
  }
  if (parallel_) {
    // Every example's loss, scores and (training) gradients, everywhere.
    gather(training_.loss, count);
    gather(training_.scores, count);
    if (pass != Pass::Evaluate)
      for (uint32_t k = 0; k < training_.num_params; ++k)
        if (training_.params[k].example_gradient != SNN_NO_BUFFER)
          gather(training_.params[k].example_gradient, count);
  }
  uint32_t loss_type = model_.buffers[training_.loss].type;
  uint32_t scores_type = model_.buffers[training_.scores].type;
  for (uint32_t b = 0; b < count; ++b) {
    double loss = load_element(state.buffers[training_.loss], loss_type, b);
    if (!std::isfinite(loss))
      throw Error("the loss is not finite (" + fmt::format("{:g}", loss) + ") " + where + ", example " + std::to_string(b) +
                  " of the batch (example " + std::to_string(subset.indices[order[first + b]]) + " of " +
                  subset.set->source() + "); try a smaller learning rate (--lr)");
    std::size_t base = std::size_t(b) * training_.classes;
    uint32_t best = 0;
    double best_score = load_element(state.buffers[training_.scores], scores_type, base);
    for (uint32_t k = 1; k < training_.classes; ++k) {
      double score = load_element(state.buffers[training_.scores], scores_type, base + k);
      if (score > best_score) {
        best_score = score;
        best = k;
      }
    }
    sums.loss += loss;
    sums.accuracy += best == subset.set->label(subset.indices[order[first + b]]) ? 1 : 0;
    ++sums.examples;
  }
  if (pass == Pass::Evaluate)
    return;
  reduce_gradients_(&state, 0);
  if (check_finite_)
    check_gradients_finite(model_, state, where);
  if (pass == Pass::Train) {
    apply_gradients_(&state, ++optimizer_steps_);
    rewired_ += rewiring_.after_step(optimizer_steps_, simulation_);
  }
}

void Trainer::simulate_in_groups(snn_state &mine, Pass pass, const std::string &where) {
  ExampleThreads &threads = *simulation_.example_threads();
  std::vector<std::exception_ptr> errors(threads.threads());
  threads.run_groups(&mine, [&](uint32_t g, snn_state *group) {
    try {
      simulate(*group, pass, where, direct_, false);
    } catch (...) {
      errors[g] = std::current_exception();
    }
  });
  for (const std::exception_ptr &error : errors)
    if (error)
      std::rethrow_exception(error);
}

void Trainer::simulate(snn_state &mine, Pass pass, const std::string &where, const ExampleEntries &entries,
                       bool recording) {
  snn_state &state = simulation_.state();
  const uint32_t steps = steps_;
  const std::size_t frame = std::size_t(steps) * neurons_;
  const uint32_t lo = uint32_t(mine.first_example - state.first_example), hi = lo + mine.batch;
  entries.reset_example(&mine, 0);
  uint8_t *flags = static_cast<uint8_t *>(state.buffers[model_.populations[training_.input_population].stimulus]);
  const EntryPoint &advance = pass == Pass::Evaluate ? entries.step : entries.train_step;
  const bool segmented = this->segmented() && pass != Pass::Evaluate;
  const uint32_t segment = history_steps_, segments = segmented ? segment_count(steps, segment) : 1;
  const uint8_t *raster = static_cast<const uint8_t *>(raster_.data());
  // A step's input flags: on a device, copied by the device behind the
  // steps queued before, so the host neither writes them nor waits.
  auto set_stimulus = [&](uint32_t t) {
    const uint8_t *first = raster + lo * frame + std::size_t(t) * neurons_;
    uint8_t *to = flags + std::size_t(lo) * neurons_;
    char message[512] = "";
    if (!model_.device)
      for (uint32_t b = lo; b < hi; ++b)
        std::memcpy(to + std::size_t(b - lo) * neurons_, first + (b - lo) * frame, neurons_);
    else if (model_.device->copy_rows(to, neurons_, first, frame, neurons_, hi - lo, message, sizeof message) != 0)
      throw Error("the " + std::string(model_.device->name) + " device could not copy the input of step " +
                  std::to_string(t) + " " + where + ": " + message);
  };
  // The entry points are queued (on a device, behind each other) and
  // waited for only before the host reads the state: a checkpoint, the
  // NaN check, a recording, and the end of the example.
  const EntryPoint *queued = nullptr;
  auto queue = [&](const EntryPoint &entry, uint32_t t) {
    entry.queue(&mine, t);
    queued = &entry;
  };
  auto settle = [&] {
    if (queued)
      std::exchange(queued, nullptr)->wait(where);
  };
  for (uint32_t t = 0; t < steps; ++t) {
    // The state a segment starts from, but the last's (never recomputed).
    if (segmented && t % segment == 0 && t / segment + 1 < segments) {
      settle();
      checkpoints_.save(state, t / segment, lo, mine.batch);
    }
    set_stimulus(t);
    queue(advance, t);
    if (check_finite_ && checks_states_after(model_, t, steps)) {
      settle();
      check_states_finite(model_, mine, mine.batch, t, where);
    }
    if (recording) {
      settle();
      recorder_->record(t, state);
    }
  }
  settle();
  entries.end_example(&mine, 0);
  if (pass != Pass::Evaluate) {
    entries.train_end_example(&mine, 0);
    // The adjoint strategy: the reverse-time pass over the recorded
    // steps, segment by segment. Before an earlier segment the histories
    // hold a later one's steps: the state is set aside (the last slot),
    // the segment's checkpoint restored and its steps run again, and the
    // state put back, so that only the histories change.
    if (training_.backward_pass)
      for (uint32_t s = segments; s-- > 0;) {
        uint32_t begin = s * segment, end = segmented ? std::min(steps, begin + segment) : steps;
        if (s + 1 < segments) {
          settle();
          checkpoints_.save(state, segments - 1, lo, mine.batch);
          checkpoints_.restore(state, s, lo, mine.batch);
          for (uint32_t t = begin; t < end; ++t) {
            set_stimulus(t);
            queue(entries.train_step, t);
          }
          settle();
          checkpoints_.restore(state, segments - 1, lo, mine.batch);
        }
        for (uint32_t t = end; t-- > begin;)
          queue(entries.train_backward, t);
      }
    settle();
  }
}

void Trainer::gather(uint32_t k, uint32_t count) {
  snn_state &state = simulation_.state();
  parallel_->gather_examples(state.buffers[k], element_bytes(model_.buffers[k].type, state.extents[k]), count, batch_);
}

SetMetrics Trainer::evaluate(const Subset &subset, const std::string &when) {
  SetMetrics sums;
  std::vector<std::size_t> order(subset.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  uint64_t number = 0;
  for (std::size_t first = 0; first < order.size(); first += batch_) {
    uint32_t count = uint32_t(std::min<std::size_t>(batch_, order.size() - first));
    run_batch(subset, order, first, count, Pass::Evaluate, first,
              "while evaluating the " + std::string(subset.name) + " data " + when + ", batch " +
                  std::to_string(++number),
              sums);
  }
  return averaged(sums);
}

} // namespace snn::rt
