//===- Simulation.cpp - One instance of a compiled model ------------------===//
//
// Owns every buffer generated code touches, builds the connectivity and the
// stimulus schedules, and steps the batch of examples.
//
//===----------------------------------------------------------------------===//

#include "AlignedBuffer.h"
#include "Connectivity.h"
#include "Duration.h"
#include "EntryPoint.h"
#include "ModelDescription.h"
#include "OutOfMemory.h"
#include "PretrainedWeights.h"
#include "SpikeScan.h"
#include "StateFiles.h"
#include "Stimulus.h"
#include "StimulusStaging.h"

#include "snn/runtime.h"

#include <fmt/format.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <utility>

#include <unistd.h>

namespace snn::rt {
namespace {

std::string examples(uint64_t count) { return std::to_string(count) + (count == 1 ? " example" : " examples"); }

} // namespace

struct Simulation::Impl {
  const snn_model_desc *model;
  uint64_t seed;
  uint32_t batch;
  uint64_t first_example;
  uint32_t history_steps;             ///< steps per example a history buffer holds
  ExampleThreads threads;             ///< --threads: separable entries split by example
  std::vector<uint64_t> extents;      ///< elements per example, per buffer
  std::vector<AlignedBuffer> storage; ///< per buffer
  std::vector<void *> buffers;
  std::vector<uint64_t> synapse_counts;                   ///< per projection
  bool synapse_counts_estimated = false;                  ///< some are expectations (ProjectionSynapses::estimated)
  std::vector<LoadedState> state_files;                   ///< `init p.v = load(...)`, read and checked once
  std::vector<std::optional<StimulusSchedule>> schedules; ///< per population
  std::vector<std::string> stimulus_files;                ///< per population: its files, for messages
  /// Per population with spike files, on a device: their page-locked path
  /// to the flags (made at the first init; none where it would be large).
  std::vector<std::unique_ptr<StimulusStaging>> stimulus_staging;
  /// Per population: set_stimulus replaced the regime's files, which are
  /// then never opened (an executable run away from its .snn file's folder).
  std::vector<bool> stimulus_replaced;
  bool stimuli_loaded = false;          ///< the regime's files were read (load_stimuli)
  std::vector<uint64_t> spike_totals;   ///< per population, since init
  std::vector<uint64_t> example_spikes; ///< [population * batch + example]
  /// The neurons that spiked in the last step, [population * batch + example].
  std::vector<std::vector<uint32_t>> last_spikes;
  /// Steps whose spikes are counted and were observed: all of them on the
  /// CPU; on a device up to model->spike_block_steps behind `step`.
  uint64_t decoded = 0;
  bool decoding = false; ///< in flush(): the observer reads the lists as they are
  bool defer = false;    ///< defer_waits: step() may queue without waiting
  bool pending = false;  ///< steps queued on the device and not waited for
  std::function<void(uint64_t)> observer;
  std::function<void(uint64_t, const snn_state &)> queued_observer; ///< observe_queued_steps
  EntryPoint reset_example;
  EntryPoint step_entry;
  snn_state state{};
  uint64_t step = 0;
  bool initialised = false;

  Impl(const snn_model_desc &desc, uint64_t run_seed, uint32_t batch_size, uint64_t first, uint32_t steps);
  /// Waits for queued steps before the buffers go (a failure is not news
  /// any more: the run already ended).
  ~Impl() {
    char message[256];
    if (pending && model->device)
      model->device->finish(message, sizeof message);
  }
  Impl(Impl &&) = delete;
  void allocate(std::vector<ProjectionSynapses> &projections);
  /// Reads the regime's spike files, once, for the populations whose
  /// stimulus set_stimulus did not replace; before the first init() or
  /// stimulus_losses(), so that a replaced file need not exist.
  void load_stimuli();
  void collect_spikes();
  /// The spikes of step `s` (within the last block) from the spike blocks.
  void decode_block_step(uint64_t s);
  /// Decodes (on a device) and observes every step up to `step`.
  void flush();
  /// Waits for the steps queued without waiting (defer_waits).
  void settle();
  /// At init: on a device with spike blocks, the spike files' staging
  /// (StimulusStaging, made once; up to 256 MiB in all, else the host
  /// writes the flags and every step waits), its flags cleared.
  void stage_stimuli();
  void check_population(uint32_t population) const;
  uint32_t population(std::string_view name) const;
  uint32_t variable(uint32_t population, std::string_view name) const;
  void check_example(uint32_t example) const;

  /// The synapses of projection `j` (in range) in the buffers.
  SynapseView view(uint32_t j) const {
    const snn_projection_desc &desc = model->projections[j];
    SynapseView v;
    v.row_start = static_cast<const uint32_t *>(buffers[desc.row_start]);
    if (desc.storage == SNN_STORAGE_RAGGED)
      v.target = static_cast<const uint32_t *>(buffers[desc.target]);
    v.skip_self = desc.pre == desc.post && !desc.autapses;
    v.num_pre = model->populations[desc.pre].size;
    v.num_synapses = synapse_counts[j];
    return v;
  }
};

Simulation::Impl::Impl(const snn_model_desc &desc, uint64_t run_seed, uint32_t batch_size, uint64_t first,
                       uint32_t steps)
    : model(&desc), seed(run_seed), batch(batch_size), first_example(first),
      history_steps(steps > 0       ? steps
                    : desc.training ? desc.training->timesteps
                                    : 1),
      threads(desc) {
  validate_model(desc);
  check_batch(batch, first_example);
  std::vector<ProjectionSynapses> projections;
  for (uint32_t j = 0; j < desc.num_projections; ++j) {
    projections.push_back(build_synapses(desc, j, seed));
    synapse_counts.push_back(projections.back().count());
    synapse_counts_estimated = synapse_counts_estimated || projections.back().estimated;
  }
  allocate(projections);
  schedules.resize(desc.num_populations);
  stimulus_staging.resize(desc.num_populations);
  stimulus_files.assign(desc.num_populations, "");
  stimulus_replaced.assign(desc.num_populations, false);
  state_files = read_state_files(desc);
  state.buffers = buffers.data();
  state.extents = extents.data();
  state.batch = batch;
  state.first_example = first_example;
  state.seed = seed;
  reset_example = EntryPoint(desc, "reset_example", &threads);
  step_entry = EntryPoint(desc, "step", &threads);
  spike_totals.assign(desc.num_populations, 0);
  example_spikes.assign(std::size_t(desc.num_populations) * batch, 0);
  last_spikes.assign(std::size_t(desc.num_populations) * batch, {});
  // The weights and every other shared buffer, once: they do not change
  // from one run of the examples to the next.
  EntryPoint(desc, "init")(&state, 0);
  // `weight load(...)`: pretrained weights replace the drawn ones.
  for (uint32_t j = 0; j < desc.num_projections; ++j) {
    const snn_projection_desc &projection = desc.projections[j];
    if (!projection.weight_file)
      continue;
    load_pretrained_weights(desc, j, view(j), buffers[projection.weight]);
  }
}

void Simulation::Impl::allocate(std::vector<ProjectionSynapses> &projections) {
  const snn_model_desc &desc = *model;
  extents.resize(desc.num_buffers);
  // Sum first, allocate after: a batch too large for the machine is a user
  // error with a remedy, not an allocation failure or the OOM killer.
  double shared = 0, per_example = 0;
  for (uint32_t k = 0; k < desc.num_buffers; ++k) {
    const snn_buffer_desc &buffer = desc.buffers[k];
    switch (buffer.scope) {
    case SNN_SCOPE_NEURON:
      extents[k] = desc.populations[buffer.owner].size;
      break;
    case SNN_SCOPE_SYNAPSE:
      extents[k] = synapse_counts[buffer.owner];
      break;
    case SNN_SCOPE_PRE:
      extents[k] = desc.populations[desc.projections[buffer.owner].pre].size;
      break;
    case SNN_SCOPE_POST:
      extents[k] = desc.populations[desc.projections[buffer.owner].post].size;
      break;
    case SNN_SCOPE_ROW:
      extents[k] = uint64_t(desc.populations[desc.projections[buffer.owner].pre].size) + 1;
      break;
    case SNN_SCOPE_COLUMN:
      extents[k] = uint64_t(desc.populations[desc.projections[buffer.owner].post].size) + 1;
      break;
    default: // SNN_SCOPE_GLOBAL
      extents[k] = buffer.role == SNN_ROLE_HISTORY ? saturating_multiply(buffer.extent, history_steps) : buffer.extent;
    }
    double bytes = double(element_bytes(buffer.type, extents[k]));
    (buffer.batch == SNN_BATCH_PER_EXAMPLE ? per_example : shared) += bytes;
  }
  double needed = shared + per_example * batch;
  double available = physical_memory();
  if (available > 0 && needed > available) {
    std::string message = "the model needs " + format_bytes(needed) + " of memory for a batch of " + examples(batch) +
                          " but this machine has " + format_bytes(available);
    if (shared >= available)
      message += "; its shared buffers alone need " + format_bytes(shared) + ", so no batch size fits";
    else if (uint64_t fit = uint64_t((available - shared) / per_example); fit == 0)
      message += "; not even one example fits";
    else
      message += "; use a smaller --batch (at most " + std::to_string(fit) + " fit)";
    throw Error(message);
  }

  // Per projection with `on post` events: column offsets and synapse order.
  struct Columns {
    std::vector<uint32_t> start, synapse, pre;
  };
  std::map<uint32_t, Columns> columns;
  storage.resize(desc.num_buffers);
  buffers.assign(desc.num_buffers, nullptr);
  for (uint32_t k = 0; k < desc.num_buffers; ++k) {
    const snn_buffer_desc &buffer = desc.buffers[k];
    uint64_t copies = buffer.batch == SNN_BATCH_PER_EXAMPLE ? batch : 1;
    uint64_t bytes = element_bytes(buffer.type, saturating_multiply(extents[k], copies));
    try {
      storage[k] =
          allocating([&] { return AlignedBuffer(bytes, desc.device); },
                     [&] {
                       return out_of_memory("buffer '" + std::string(buffer.name) + "'" +
                                                (copies > 1 ? " (a batch of " + examples(copies) + ")" : std::string()),
                                            double(bytes));
                     });
    } catch (const DeviceError &e) {
      // The first allocation is where a machine without the device finds out.
      // (Naming the buffer, unless the device failed before any.)
      throw Error("cannot run on the " + std::string(desc.device->name) + " device: " + e.message +
                  (k == 0 ? std::string()
                          : " (buffer '" + std::string(buffer.name) + "'" +
                                (copies > 1 ? ", a batch of " + examples(copies) : std::string()) + ")"));
    }
    buffers[k] = storage[k].data();
    if (buffer.role == SNN_ROLE_ROW_START || buffer.role == SNN_ROLE_TARGET) {
      // Validation fixed the type (u32) and the extent to the CSR's sizes.
      std::vector<uint32_t> &source =
          buffer.role == SNN_ROLE_ROW_START ? projections[buffer.owner].row_start : projections[buffer.owner].target;
      std::copy(source.begin(), source.end(), static_cast<uint32_t *>(buffers[k]));
    }
    if (buffer.role == SNN_ROLE_BITMASK) {
      // Validation fixed the extent to num_pre rows of whole words; the
      // buffer starts zeroed.
      const ProjectionSynapses &synapses = projections[buffer.owner];
      uint64_t words = (uint64_t(desc.populations[desc.projections[buffer.owner].post].size) + 31) / 32;
      auto *mask = static_cast<uint32_t *>(buffers[k]);
      std::fill(mask, mask + extents[k], 0u);
      for (uint64_t i = 0; i + 1 < synapses.row_start.size(); ++i)
        for (uint64_t s = synapses.row_start[i]; s < synapses.row_start[i + 1]; ++s)
          mask[i * words + synapses.target[s] / 32] |= 1u << (synapses.target[s] % 32);
    }
    if (buffer.role == SNN_ROLE_COLUMN_START || buffer.role == SNN_ROLE_COLUMN_SYNAPSE ||
        buffer.role == SNN_ROLE_COLUMN_PRE) {
      // The buffers of a projection come from one sort, built once.
      auto [entry, fresh] = columns.try_emplace(buffer.owner);
      Columns &c = entry->second;
      if (fresh)
        build_columns(projections[buffer.owner], desc.populations[desc.projections[buffer.owner].post].size, c.start,
                      c.synapse, c.pre);
      const std::vector<uint32_t> &source = buffer.role == SNN_ROLE_COLUMN_START     ? c.start
                                            : buffer.role == SNN_ROLE_COLUMN_SYNAPSE ? c.synapse
                                                                                     : c.pre;
      std::copy(source.begin(), source.end(), static_cast<uint32_t *>(buffers[k]));
    }
  }
}

void Simulation::Impl::load_stimuli() {
  if (stimuli_loaded)
    return;
  const snn_model_desc &desc = *model;
  // Several files may drive one population: merge them into one schedule so
  // that clearing one file's flags never clears another's.
  std::vector<std::vector<SpikeEvent>> events(desc.num_populations);
  std::vector<std::string> files(desc.num_populations); // assigned once all were read
  std::vector<bool> driven(desc.num_populations, false);
  for (uint32_t s = 0; s < desc.num_stimuli; ++s) {
    const snn_stimulus_desc &stimulus_desc = desc.stimuli[s];
    if (stimulus_replaced[stimulus_desc.population])
      continue;
    const snn_population_desc &population = desc.populations[stimulus_desc.population];
    std::vector<SpikeEvent> file = read_spike_times(stimulus_desc.path, population.name, population.size);
    auto &merged = events[stimulus_desc.population];
    merged.insert(merged.end(), file.begin(), file.end());
    driven[stimulus_desc.population] = true;
    std::string &names = files[stimulus_desc.population];
    names += (names.empty() ? "" : ", ") + std::string(stimulus_desc.path);
  }
  for (uint32_t p = 0; p < desc.num_populations; ++p)
    if (driven[p]) {
      schedules[p].emplace(events[p], desc.dt);
      stimulus_files[p] = files[p];
    }
  stimuli_loaded = true;
}

// One scan of the flags per step: the recorder and the embedding program
// read the lists (last_spikes) instead of scanning again.
void Simulation::Impl::collect_spikes() {
  for (uint32_t p = 0; p < model->num_populations; ++p) {
    uint32_t size = model->populations[p].size;
    const uint8_t *flags = static_cast<const uint8_t *>(buffers[model->populations[p].spiked]);
    for (uint32_t b = 0; b < batch; ++b) {
      std::vector<uint32_t> &fired = last_spikes[std::size_t(p) * batch + b];
      fired.clear();
      for_each_spike(flags + uint64_t(b) * size, 0, size, [&](uint32_t n) { fired.push_back(n); });
      example_spikes[std::size_t(p) * batch + b] += fired.size();
      spike_totals[p] += fired.size();
    }
  }
}

// A device's spikes of step s: row s % steps of each population's block, a
// word of 32 neurons at a time (lower/SpikeBlocks.h).
void Simulation::Impl::decode_block_step(uint64_t s) {
  const uint32_t steps = model->spike_block_steps;
  for (uint32_t p = 0; p < model->num_populations; ++p) {
    const snn_population_desc &population = model->populations[p];
    const uint64_t words = (uint64_t(population.size) + 31) / 32;
    const uint32_t *block = static_cast<const uint32_t *>(buffers[population.spike_block]);
    for (uint32_t b = 0; b < batch; ++b) {
      std::vector<uint32_t> &fired = last_spikes[std::size_t(p) * batch + b];
      fired.clear();
      const uint32_t *row = block + (uint64_t(b) * steps + s % steps) * words;
      for_each_spike_bit(row, words, [&](uint32_t n) { fired.push_back(n); });
      example_spikes[std::size_t(p) * batch + b] += fired.size();
      spike_totals[p] += fired.size();
    }
  }
}

void Simulation::Impl::settle() {
  if (!pending)
    return;
  pending = false;
  step_entry.wait("(a step up to " + std::to_string(step - 1) + ")");
}

void Simulation::Impl::stage_stimuli() {
  const uint32_t slots = model->spike_block_steps;
  if (!model->device || slots == 0)
    return;
  uint64_t bytes = 0;
  for (uint32_t p = 0; p < model->num_populations; ++p)
    if (schedules[p])
      bytes += StimulusStaging::bytes(model->populations[p].size, batch, slots);
  for (uint32_t p = 0; p < model->num_populations; ++p) {
    if (schedules[p] && !stimulus_staging[p] && bytes <= AlignedBuffer::kMaxStagingBytes)
      stimulus_staging[p] = std::make_unique<StimulusStaging>(*model->device, model->populations[p].size, batch, slots);
    if (stimulus_staging[p])
      stimulus_staging[p]->rewind();
  }
}

void Simulation::Impl::flush() {
  settle();
  if (decoding)
    return;
  decoding = true;
  try {
    // A step is decoded and counted once, even when its observer throws
    // (the next flush goes on from the step after it).
    while (decoded < step) {
      uint64_t s = decoded++;
      if (model->spike_block_steps > 0)
        decode_block_step(s);
      if (observer) {
        std::function<void(uint64_t)> call = observer; // it may replace itself
        call(s);
      }
    }
  } catch (...) {
    decoding = false;
    throw;
  }
  decoding = false;
}

void Simulation::Impl::check_population(uint32_t population) const {
  if (population >= model->num_populations)
    throw Error::internal("population index " + std::to_string(population) + " out of range");
}

uint32_t Simulation::Impl::population(std::string_view name) const {
  if (std::optional<uint32_t> index = find_population(*model, name))
    return *index;
  throw Error("the network has no population '" + std::string(name) + "'");
}

uint32_t Simulation::Impl::variable(uint32_t population, std::string_view name) const {
  if (std::optional<uint32_t> buffer = find_variable_buffer(*model, population, name))
    return *buffer;
  throw Error("population '" + std::string(model->populations[population].name) + "' has no variable '" +
              std::string(name) + "'");
}

void Simulation::Impl::check_example(uint32_t example) const {
  if (example >= batch)
    throw Error("example " + std::to_string(example) + " is out of range: the batch holds " + examples(batch) +
                (batch == 1 ? " (0)" : " (0 to " + std::to_string(batch - 1) + ")"));
}

Simulation::Simulation(const snn_model_desc &model, uint64_t seed) : Simulation(model, seed, model.default_batch, 0) {}
Simulation::Simulation(const snn_model_desc &model, uint64_t seed, uint32_t batch, uint64_t first_example,
                       uint32_t steps_per_example)
    : impl_(std::make_unique<Impl>(model, seed, batch, first_example, steps_per_example)) {}
Simulation::~Simulation() = default;
Simulation::Simulation(Simulation &&) noexcept = default;
Simulation &Simulation::operator=(Simulation &&) noexcept = default;

const snn_model_desc &Simulation::model() const { return *impl_->model; }
uint64_t Simulation::seed() const { return impl_->seed; }
uint32_t Simulation::batch() const { return impl_->batch; }
void Simulation::set_threads(uint32_t threads) { impl_->threads.set_threads(threads); }
ExampleThreads *Simulation::example_threads() { return &impl_->threads; }
uint64_t Simulation::first_example() const { return impl_->first_example; }

void Simulation::set_stimulus(std::string_view population, const std::string &path) {
  Impl &s = *impl_;
  uint32_t p = s.population(population);
  const snn_population_desc &desc = s.model->populations[p];
  if (desc.stimulus == SNN_NO_BUFFER)
    throw Error("population '" + std::string(population) +
                "' has no stimulus: its model never reads stimulus() (use a spike source such as "
                "std.inputs.SpikeSource)");
  s.schedules[p].emplace(read_spike_times(path, desc.name, desc.size), s.model->dt);
  s.stimulus_files[p] = path;
  s.stimulus_replaced[p] = true;
  s.initialised = false;
}

std::vector<std::string> Simulation::stimulus_losses(uint64_t steps) const {
  Impl &s = *impl_; // reads the regime's files if init() has not yet
  s.load_stimuli();
  std::vector<std::string> lines;
  for (uint32_t p = 0; p < s.model->num_populations; ++p) {
    if (!s.schedules[p])
      continue;
    std::size_t merged = s.schedules[p]->merged(), late = s.schedules[p]->from_step(steps);
    if (merged == 0 && late == 0)
      continue;
    auto spikes = [](std::size_t n) { return std::to_string(n) + (n == 1 ? " spike" : " spikes"); };
    std::string line =
        "stimulus of population '" + std::string(s.model->populations[p].name) + "' (" + s.stimulus_files[p] + "): ";
    if (merged > 0)
      line += spikes(merged) +
              " fell in a step where the same neuron already spikes and merged with it "
              "(a neuron spikes at most once per step of " +
              format_seconds(s.model->dt) + ")";
    if (late > 0)
      line += std::string(merged > 0 ? "; " : "") + spikes(late) + " at or after the end of the run (" +
              format_seconds(double(steps) * s.model->dt) + ") never arrived";
    lines.push_back(line);
  }
  return lines;
}

void Simulation::init() {
  Impl &s = *impl_;
  s.load_stimuli();
  s.settle();
  for (uint32_t k = 0; k < s.model->num_buffers; ++k)
    if (s.model->buffers[k].batch == SNN_BATCH_PER_EXAMPLE)
      s.storage[k].clear();
  for (std::optional<StimulusSchedule> &schedule : s.schedules)
    if (schedule)
      schedule->rewind();
  s.stage_stimuli();
  std::fill(s.spike_totals.begin(), s.spike_totals.end(), 0);
  std::fill(s.example_spikes.begin(), s.example_spikes.end(), 0);
  for (std::vector<uint32_t> &fired : s.last_spikes)
    fired.clear();
  s.decoded = 0;
  s.reset_example(&s.state, 0);
  apply_state_files(*s.model, s.state_files, s.buffers.data(), s.batch);
  s.step = 0;
  s.initialised = true;
}

void Simulation::step() {
  Impl &s = *impl_;
  if (!s.initialised)
    throw Error::internal("Simulation::step called before init");
  bool stimulated = false; // the host writes flags the last step may still read
  for (uint32_t p = 0; p < s.model->num_populations; ++p)
    if (s.schedules[p]) {
      const snn_population_desc &population = s.model->populations[p];
      uint8_t *flags = static_cast<uint8_t *>(s.buffers[population.stimulus]);
      if (s.stimulus_staging[p]) {
        s.stimulus_staging[p]->queue(*s.schedules[p], s.step, flags);
        continue;
      }
      if (!stimulated)
        s.settle();
      stimulated = true;
      s.schedules[p]->apply(s.step, flags, s.batch, population.size);
    }
  // A device's steps queue behind each other when nothing reads them
  // before the block is full (defer_waits): the host no longer waits for
  // the device every step.
  if (s.defer && s.model->spike_block_steps > 0 && !stimulated) {
    s.step_entry.queue(&s.state, s.step);
    s.pending = true;
  } else {
    s.step_entry(&s.state, s.step);
  }
  // Work the observer queues (a copy of a recorded state) is waited for
  // before anything reads, as a queued step is, even after a step that
  // waited (spike files).
  if (s.queued_observer) {
    s.queued_observer(s.step, s.state);
    s.pending = true;
  }
  // The CPU's flags are read where they are, every step; a device's spike
  // blocks once full (reading them waits for the device and moves them).
  if (s.model->spike_block_steps == 0)
    s.collect_spikes();
  ++s.step;
  if (s.model->spike_block_steps == 0 || s.step - s.decoded >= s.model->spike_block_steps)
    s.flush();
}

void Simulation::observe_spikes(std::function<void(uint64_t step)> observer) { impl_->observer = std::move(observer); }

void Simulation::observe_queued_steps(std::function<void(uint64_t step, const snn_state &state)> observer) {
  impl_->queued_observer = std::move(observer);
}

void Simulation::flush_spikes() { impl_->flush(); }

void Simulation::defer_waits(bool defer) {
  impl_->settle();
  impl_->defer = defer;
}

void Simulation::advance(uint64_t n) {
  for (uint64_t k = 0; k < n; ++k)
    step();
}

uint64_t Simulation::current_step() const { return impl_->step; }

double Simulation::time() const { return double(impl_->step) * impl_->model->dt; }

uint32_t Simulation::population_index(std::string_view name) const { return impl_->population(name); }

std::vector<double> Simulation::read(std::string_view population, std::string_view variable, uint32_t example) const {
  impl_->settle();
  const Impl &s = *impl_;
  uint32_t p = s.population(population);
  uint32_t k = s.variable(p, variable);
  s.check_example(example);
  uint32_t size = s.model->populations[p].size;
  uint64_t offset = uint64_t(example) * size;
  std::vector<double> values(size);
  for (uint32_t n = 0; n < size; ++n)
    values[n] = load_element(s.buffers[k], s.model->buffers[k].type, offset + n);
  return values;
}

void Simulation::write(std::string_view population, std::string_view variable, const std::vector<double> &values,
                       uint32_t example) {
  Impl &s = *impl_;
  s.settle();
  uint32_t p = s.population(population);
  uint32_t k = s.variable(p, variable);
  s.check_example(example);
  uint32_t size = s.model->populations[p].size;
  std::string name = "'" + std::string(population) + "." + std::string(variable) + "'";
  if (values.size() != size)
    throw Error("cannot write " + std::to_string(values.size()) + " values to " + name + " of " + std::to_string(size) +
                " neurons");
  uint32_t type = s.model->buffers[k].type;
  for (double value : values)
    if (!representable(type, value))
      throw Error(fmt::format("cannot write {:g} to {}, which holds {} values", value, name, element_type_name(type)));
  uint64_t offset = uint64_t(example) * size;
  for (uint32_t n = 0; n < size; ++n)
    store_element(s.buffers[k], type, offset + n, values[n]);
}

std::vector<uint8_t> Simulation::spiked(std::string_view population, uint32_t example) const {
  impl_->settle();
  const Impl &s = *impl_;
  uint32_t p = s.population(population);
  s.check_example(example);
  uint32_t size = s.model->populations[p].size;
  const uint8_t *flags = static_cast<const uint8_t *>(s.buffers[s.model->populations[p].spiked]);
  flags += uint64_t(example) * size;
  return std::vector<uint8_t>(flags, flags + size);
}

const std::vector<uint32_t> &Simulation::last_spikes(uint32_t population, uint32_t example) const {
  impl_->check_population(population);
  impl_->check_example(example);
  impl_->flush();
  return impl_->last_spikes[std::size_t(population) * impl_->batch + example];
}

uint64_t Simulation::spike_count(std::string_view population) const {
  return spike_count(impl_->population(population));
}

uint64_t Simulation::spike_count(uint32_t population) const {
  impl_->check_population(population);
  impl_->flush();
  return impl_->spike_totals[population];
}

uint64_t Simulation::spike_count(std::string_view population, uint32_t example) const {
  return spike_count(impl_->population(population), example);
}

uint64_t Simulation::spike_count(uint32_t population, uint32_t example) const {
  impl_->check_population(population);
  impl_->check_example(example);
  impl_->flush();
  return impl_->example_spikes[std::size_t(population) * impl_->batch + example];
}

bool Simulation::synapse_count_estimated() const { return impl_->synapse_counts_estimated; }

uint64_t Simulation::synapse_count() const {
  uint64_t count = 0;
  for (uint64_t synapses : impl_->synapse_counts)
    count += synapses;
  return count;
}

void Simulation::remove_synapses(uint32_t projection, const std::vector<uint8_t> &kept) {
  impl_->settle();
  SynapseView view = synapses(projection);
  if (kept.size() != view.num_synapses || !view.target)
    throw Error::internal("removing synapses of projection " + std::to_string(projection) +
                          ", which is not ragged or of another size");
  std::vector<uint32_t> rows(uint64_t(view.num_pre) + 1, 0), target;
  std::vector<uint64_t> origin;
  for (uint32_t i = 0; i < view.num_pre; ++i) {
    for (uint64_t s = view.row_start[i]; s < view.row_start[i + 1]; ++s)
      if (kept[s]) {
        target.push_back(view.target[s]);
        origin.push_back(s);
      }
    rows[i + 1] = uint32_t(target.size());
  }
  reconnect(projection, rows, target, origin);
}

void Simulation::reconnect(uint32_t projection, const std::vector<uint32_t> &row_start,
                           const std::vector<uint32_t> &target, const std::vector<uint64_t> &origin) {
  impl_->settle();
  Impl &s = *impl_;
  const snn_model_desc &desc = *s.model;
  if (projection >= s.synapse_counts.size() || desc.projections[projection].storage != SNN_STORAGE_RAGGED)
    throw Error::internal("reconnecting projection " + std::to_string(projection) + ", which is not ragged");
  const snn_projection_desc &pr = desc.projections[projection];
  uint32_t num_pre = desc.populations[pr.pre].size, num_post = desc.populations[pr.post].size;
  uint64_t before = s.synapse_counts[projection], after = target.size();
  bool valid = row_start.size() == uint64_t(num_pre) + 1 && row_start.front() == 0 && row_start.back() == after &&
               origin.size() == after;
  for (uint32_t i = 0; valid && i < num_pre; ++i)
    for (uint64_t k = row_start[i]; valid && k < row_start[i + 1]; ++k)
      valid = target[k] < num_post && (k == row_start[i] || target[k - 1] < target[k]) &&
              (origin[k] == kNewSynapse || origin[k] < before);
  if (!valid)
    throw Error::internal("reconnecting projection " + std::string(pr.name) + " to malformed rows");
  // Every per-synapse buffer: each new synapse's elements from its origin
  // (0 for a new one), every copy, into a buffer of the new size. The
  // rows, targets and columns are indices: rewritten below.
  for (uint32_t k = 0; k < desc.num_buffers; ++k) {
    const snn_buffer_desc &buffer = desc.buffers[k];
    if (buffer.scope != SNN_SCOPE_SYNAPSE || buffer.owner != projection || buffer.role == SNN_ROLE_TARGET ||
        buffer.role == SNN_ROLE_COLUMN_SYNAPSE || buffer.role == SNN_ROLE_COLUMN_PRE)
      continue;
    uint64_t copies = buffer.batch == SNN_BATCH_PER_EXAMPLE ? s.batch : 1;
    uint64_t size = element_bytes(buffer.type, 1);
    AlignedBuffer fresh(element_bytes(buffer.type, after * copies), desc.device);
    const auto *from = static_cast<const unsigned char *>(s.buffers[k]);
    auto *to = static_cast<unsigned char *>(fresh.data());
    for (uint64_t b = 0; b < copies; ++b)
      for (uint64_t i = 0; i < after; ++i) {
        unsigned char *out = to + (b * after + i) * size;
        if (origin[i] == kNewSynapse)
          std::memset(out, 0, size);
        else
          std::memcpy(out, from + (b * before + origin[i]) * size, size);
      }
    s.storage[k] = std::move(fresh);
    s.buffers[k] = s.storage[k].data();
    s.extents[k] = after;
  }
  std::copy(row_start.begin(), row_start.end(), static_cast<uint32_t *>(s.buffers[pr.row_start]));
  s.storage[pr.target] = AlignedBuffer(element_bytes(SNN_ELEM_U32, after), desc.device);
  s.buffers[pr.target] = s.storage[pr.target].data();
  s.extents[pr.target] = after;
  std::copy(target.begin(), target.end(), static_cast<uint32_t *>(s.buffers[pr.target]));
  s.synapse_counts[projection] = after;
  ProjectionSynapses synapses{row_start, target};
  std::vector<uint32_t> start, order, pre;
  bool built = false;
  for (uint32_t k = 0; k < desc.num_buffers; ++k) {
    const snn_buffer_desc &buffer = desc.buffers[k];
    if (buffer.owner != projection || (buffer.role != SNN_ROLE_COLUMN_START && buffer.role != SNN_ROLE_COLUMN_SYNAPSE &&
                                       buffer.role != SNN_ROLE_COLUMN_PRE))
      continue;
    if (!built)
      build_columns(synapses, num_post, start, order, pre);
    built = true;
    const std::vector<uint32_t> &source = buffer.role == SNN_ROLE_COLUMN_START     ? start
                                          : buffer.role == SNN_ROLE_COLUMN_SYNAPSE ? order
                                                                                   : pre;
    if (buffer.role != SNN_ROLE_COLUMN_START) {
      s.storage[k] = AlignedBuffer(element_bytes(buffer.type, source.size()), desc.device);
      s.buffers[k] = s.storage[k].data();
      s.extents[k] = source.size();
    }
    std::copy(source.begin(), source.end(), static_cast<uint32_t *>(s.buffers[k]));
  }
}

namespace {
/// Refuses projections stored without rows and weights (bitmask and
/// procedural storage), which nothing but spike delivery reads.
void check_stored(const snn_projection_desc &desc) {
  if (desc.storage == SNN_STORAGE_BITMASK || desc.storage == SNN_STORAGE_PROCEDURAL)
    throw Error("the synapses of projection '" + std::string(desc.name) + "' are stored " +
                (desc.storage == SNN_STORAGE_BITMASK ? "as a bitmask" : "procedurally") +
                ", without rows or weights to read; store it ragged (sparse(format: ragged)) to read them");
}
} // namespace

SynapseView Simulation::synapses(uint32_t projection) const {
  impl_->settle();
  const Impl &s = *impl_;
  if (projection >= s.synapse_counts.size())
    throw Error::internal("projection index " + std::to_string(projection) + " out of range");
  check_stored(s.model->projections[projection]);
  return s.view(projection);
}

std::vector<double> Simulation::weights(uint32_t projection) const {
  impl_->settle();
  const Impl &s = *impl_;
  if (projection >= s.synapse_counts.size())
    throw Error::internal("projection index " + std::to_string(projection) + " out of range");
  check_stored(s.model->projections[projection]);
  uint32_t k = s.model->projections[projection].weight;
  std::vector<double> values(s.extents[k]);
  for (uint64_t i = 0; i < values.size(); ++i)
    values[i] = load_element(s.buffers[k], s.model->buffers[k].type, i);
  return values;
}

snn_state &Simulation::state() {
  impl_->settle();
  return impl_->state;
}

const snn_state &Simulation::state() const {
  impl_->settle();
  return impl_->state;
}

} // namespace snn::rt
