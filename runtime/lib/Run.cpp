//===- Run.cpp - A whole run: build, step, record, summarise --------------===//

#include "Duration.h"
#include "ModelDescription.h"
#include "NonFinite.h"
#include "Recorder.h"

#include "snn/runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <iostream>

namespace snn::rt {
namespace {

std::string plural(uint64_t count, const char *noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

} // namespace

uint64_t steps_for_duration(const snn_model_desc &model, double duration) {
  if (!(std::isfinite(duration) && duration > 0))
    throw Error(fmt::format("the duration must be a positive, finite time, not {:g} s", duration));
  double steps = std::round(duration / model.dt);
  if (steps < 1)
    throw Error("the duration " + format_seconds(duration) + " is shorter than one time step (" +
                format_seconds(model.dt) + ")");
  // The compiler refuses regimes past 10^12 steps (days of wall time for
  // any network); the command line keeps to the same bound.
  if (steps > 1e12)
    throw Error("the duration " + format_seconds(duration) + " needs more than 10^12 time steps");
  return uint64_t(steps);
}

RunResult run(const snn_model_desc &model, const RunOptions &options) {
  validate_model(model);
  uint64_t steps = steps_for_duration(model, options.duration.value_or(model.duration));
  std::string out = options.out.empty() ? std::string(model.name) + ".npz" : options.out;
  Simulation simulation(model, options.seed.value_or(model.default_seed), options.batch.value_or(model.default_batch),
                        options.first_example);
  simulation.set_threads(options.threads);
  for (const auto &[population, path] : options.inputs)
    simulation.set_stimulus(population, path);
  // Spikes the run merges or never reaches are not dropped silently.
  for (const std::string &loss : simulation.stimulus_losses(steps))
    std::cerr << "warning: " << loss << "\n";
  Recorder recorder(model, out, steps, simulation.batch());
  Recorder::SpikeLists spikes = Recorder::last_spikes_of(simulation);

  // A device's spikes arrive a block of steps at a time (Simulation::
  // observe_spikes), and its states are checked for NaN once per block
  // (its kernels note the exact step). Its recorded states are copied
  // behind each step into page-locked slots, a block of steps of them, and
  // read with the step's spikes: a step's samples are taken before the step
  // a block later is queued (Simulation::step flushes a full block), so a
  // slot is free when it is reused. Where the slots would take too much
  // page-locked memory, the states are read every step, which waits.
  const bool records_states = recorder.records_states();
  const uint32_t slots = model.spike_block_steps;
  const bool staged =
      records_states && model.device && slots > 0 && recorder.staging_bytes(slots) <= AlignedBuffer::kMaxStagingBytes;
  if (staged)
    simulation.observe_queued_steps(
        [&](uint64_t step, const snn_state &state) { recorder.stage_states(step, state, slots); });
  simulation.observe_spikes([&](uint64_t step) {
    recorder.record_spikes(step, spikes);
    if (staged)
      recorder.record_staged_states(step);
  });
  simulation.defer_waits(!records_states || staged);
  auto start = std::chrono::steady_clock::now();
  simulation.init();
  for (uint64_t step = 0; step < steps; ++step) {
    simulation.step();
    if (!options.allow_nonfinite && checks_states_after(model, step, steps))
      check_states_finite(model, simulation.state(), simulation.batch(), step);
    if (records_states && !staged)
      recorder.record_states(step, simulation.state());
  }
  simulation.flush_spikes();
  simulation.observe_spikes(nullptr);
  simulation.observe_queued_steps(nullptr);
  auto stop = std::chrono::steady_clock::now();

  RunResult result;
  result.steps = steps;
  result.batch = simulation.batch();
  result.first_example = simulation.first_example();
  result.sim_seconds = double(steps) * model.dt;
  result.wall_seconds = std::chrono::duration<double>(stop - start).count();
  result.synapses = simulation.synapse_count();
  result.synapses_estimated = simulation.synapse_count_estimated();
  for (uint32_t p = 0; p < model.num_populations; ++p) {
    const snn_population_desc &population = model.populations[p];
    PopulationResult entry;
    entry.name = population.name;
    entry.size = population.size;
    entry.spikes = simulation.spike_count(p);
    double neuron_seconds = double(population.size) * result.batch * result.sim_seconds;
    entry.rate_hz = population.size == 0 ? 0 : double(entry.spikes) / neuron_seconds;
    result.populations.push_back(entry);
  }
  result.files_written = recorder.write();
  if (!options.quiet)
    print_summary(model, result, options.summary ? *options.summary : std::cout);
  return result;
}

void print_summary(const snn_model_desc &model, const RunResult &result, std::ostream &out) {
  out << "model " << model.name << ": " << plural(model.num_populations, "population") << ", "
      << plural(neuron_count(model), "neuron") << ", " << plural(model.num_projections, "projection") << ", "
      << (result.synapses_estimated ? "about " : "") << plural(result.synapses, "synapse");
  if (result.batch > 1)
    out << ", batch of " << plural(result.batch, "example");
  if (result.first_example > 0)
    out << (result.batch > 1 ? " from example " : ", example ") << result.first_example;
  out << "\n";
  double per_second = result.sim_seconds > 0 ? result.wall_seconds / result.sim_seconds : 0;
  out << "simulated " << format_seconds(result.sim_seconds) << " (" << plural(result.steps, "step") << " of "
      << format_seconds(model.dt) << ") in " << fmt::format("{:.4g}", result.wall_seconds)
      << " s wall: " << fmt::format("{:.4g}", per_second) << " s per biological second\n";

  // Columns: name left-aligned, numbers right-aligned under their headers.
  std::size_t name_width = std::string("population").size();
  std::size_t size_width = 4, spikes_width = 6, rate_width = 4;
  for (const PopulationResult &population : result.populations) {
    name_width = std::max(name_width, population.name.size());
    size_width = std::max(size_width, fmt::formatted_size("{}", population.size));
    spikes_width = std::max(spikes_width, fmt::formatted_size("{}", population.spikes));
    rate_width = std::max(rate_width, fmt::formatted_size("{:.2f}", population.rate_hz));
  }
  out << fmt::format("{:<{}}  {:>{}}  {:>{}}  {:>{}}\n", "population", name_width, "size", size_width, "spikes",
                     spikes_width, "rate", rate_width);
  for (const PopulationResult &population : result.populations)
    out << fmt::format("{:<{}}  {:>{}}  {:>{}}  {:>{}.2f} Hz\n", population.name, name_width, population.size,
                       size_width, population.spikes, spikes_width, population.rate_hz, rate_width);
  for (const std::string &file : result.files_written)
    out << "wrote " << file << "\n";
  out.flush();
}

} // namespace snn::rt
