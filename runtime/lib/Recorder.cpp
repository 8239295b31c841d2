//===- Recorder.cpp - Spike and state recordings of a run -----------------===//

#include "Recorder.h"

#include <filesystem>

#include "ModelDescription.h"
#include "Npz.h"
#include "OutOfMemory.h"
#include "snn/runtime.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>

namespace snn::rt {
namespace {

/// The array names of one record with a disambiguating suffix: the data
/// arrays first, the index arrays after.
std::vector<std::string> array_names(const snn_model_desc &model, const snn_record_desc &record,
                                     const std::string &suffix) {
  const snn_population_desc &population = model.populations[record.population];
  std::string stem = population.name;
  if (record.kind == SNN_RECORD_SPIKES)
    return {stem + "_spikes_t" + suffix, stem + "_spikes_i" + suffix, stem + "_spikes_b" + suffix};
  if (record.kind == SNN_RECORD_RATE)
    return {stem + "_rate" + suffix, stem + "_rate_t" + suffix};
  std::string var = stem + "_" + state_variable_name(model, record.population, record.buffer);
  if (record.interval > 1)
    return {var + suffix, var + "_neurons" + suffix, var + "_t" + suffix};
  return {var + suffix, var + "_neurons" + suffix};
}

} // namespace

Recorder::Recorder(const snn_model_desc &model, std::string default_path, uint64_t expected_steps, uint32_t batch)
    : model_(model), batch_(batch) {
  bool any_state = false;
  std::unordered_map<std::string, std::size_t> file_index; ///< absolute normal form -> index into files_
  for (uint32_t r = 0; r < model.num_records; ++r) {
    const snn_record_desc &desc = model.records[r];
    std::string path = desc.file ? desc.file : default_path;
    // "x.npz" and "./x.npz" are one file: group records by the normal form
    // of the absolute path, so that neither write loses the other.
    std::error_code ec;
    std::string key = std::filesystem::absolute(path, ec).lexically_normal().string();
    auto [found, added] = file_index.emplace(key, files_.size());
    std::size_t file = found->second;
    if (added)
      files_.push_back(path);
    Channel channel{&desc, file, {}, {}, {}, {}, {}, {}, {}, {}, 0, 0, 0, {}};
    record_neurons(desc, channel.neurons, channel.listed);
    if (!channel.neurons.empty()) {
      auto [lo, hi] = std::minmax_element(channel.neurons.begin(), channel.neurons.end());
      channel.first = *lo;
      channel.width = *hi - *lo + 1;
    }
    if (desc.kind == SNN_RECORD_RATE) {
      channel.counts.assign(batch, 0);
      channel.samples.resize(batch);
    }
    if (desc.kind == SNN_RECORD_STATE) {
      uint64_t samples_expected = expected_steps / desc.interval; // a sample after every interval-th step
      // The whole matrix up front, so it is never copied while growing;
      // untouched pages cost nothing. Capped so an absurd run length fails
      // later, when memory really runs out, not here.
      uint64_t per_example = std::min<uint64_t>(samples_expected * channel.neurons.size(), (uint64_t(1) << 28) / batch);
      allocating(
          [&] {
            channel.samples.resize(batch);
            for (std::vector<double> &samples : channel.samples)
              samples.reserve(per_example);
          },
          [&] {
            return out_of_memory("the recording of '" + std::string(model.buffers[desc.buffer].name) + "' (" +
                                     std::to_string(channel.neurons.size()) + " neurons, " +
                                     std::to_string(samples_expected) + (desc.interval == 1 ? " steps" : " samples") +
                                     (batch > 1 ? ", " + std::to_string(batch) + " examples)" : ")"),
                                 double(per_example) * batch * sizeof(double));
          });
      any_state = any_state || desc.interval == 1;
    }
    records_.push_back(std::move(channel));
  }
  if (any_state)
    state_steps_.reserve(std::min<uint64_t>(expected_steps, uint64_t(1) << 28));
}

Recorder::SpikeLists Recorder::last_spikes_of(const Simulation &simulation) {
  return [&simulation](uint32_t population, uint32_t example) -> const std::vector<uint32_t> & {
    return simulation.last_spikes(population, example);
  };
}

bool Recorder::records_states() const {
  for (const Channel &channel : records_)
    if (channel.desc->kind == SNN_RECORD_STATE)
      return true;
  return false;
}

void Recorder::record(uint64_t step, const snn_state &state, const SpikeLists &spikes) {
  record_spikes(step, spikes);
  record_states(step, state);
}

void Recorder::record_spikes(uint64_t step, const SpikeLists &spikes) {
  guarded(step, [&] { take_spikes(step, spikes); });
}

void Recorder::record_states(uint64_t step, const snn_state &state) {
  guarded(step, [&] {
    take_states(step, [&](const Channel &channel, uint32_t b) {
      const snn_record_desc &desc = *channel.desc;
      return Samples{state.buffers[desc.buffer], int64_t(b) * model_.populations[desc.population].size};
    });
  });
}

template <typename Take> void Recorder::guarded(uint64_t step, Take take) {
  try {
    take();
  } catch (const std::bad_alloc &) {
    // A growing vector asks for about as much again as it holds.
    throw out_of_memory("the recordings, which hold " + format_bytes(held_bytes()) + " after " + std::to_string(step) +
                            " steps (record fewer neurons or a shorter run)",
                        held_bytes());
  }
}

double Recorder::held_bytes() const {
  double bytes = double(state_steps_.size()) * sizeof(uint64_t);
  for (const Channel &channel : records_) {
    bytes += double(channel.spike_steps.size()) * (sizeof(uint64_t) + 2 * sizeof(int32_t));
    bytes += double(channel.steps.size()) * sizeof(uint64_t);
    for (const std::vector<double> &samples : channel.samples)
      bytes += double(samples.size()) * sizeof(double);
  }
  return bytes;
}

void Recorder::take_spikes(uint64_t step, const SpikeLists &spikes) {
  for (Channel &channel : records_) {
    const snn_record_desc &desc = *channel.desc;
    if (desc.kind == SNN_RECORD_STATE)
      continue;
    for (uint32_t b = 0; b < batch_; ++b) {
      const std::vector<uint32_t> &fired = spikes(desc.population, b);
      for (auto n = std::lower_bound(fired.begin(), fired.end(), desc.begin); n != fired.end() && *n < desc.end; ++n) {
        if (!record_selects(desc, channel.listed, *n))
          continue;
        if (desc.kind == SNN_RECORD_RATE) {
          ++channel.counts[b];
          continue;
        }
        channel.spike_steps.push_back(step);
        channel.spike_neurons.push_back(int32_t(*n));
        channel.spike_examples.push_back(int32_t(b));
      }
    }
    if (desc.kind == SNN_RECORD_SPIKES || (step + 1) % desc.interval != 0)
      continue;
    // A rate: spikes per neuron and second over the bin.
    double seconds = double(desc.interval) * model_.dt * double(channel.neurons.size());
    for (uint32_t b = 0; b < batch_; ++b) {
      channel.samples[b].push_back(double(channel.counts[b]) / seconds);
      channel.counts[b] = 0;
    }
    channel.steps.push_back(step);
  }
}

template <typename Locate> void Recorder::take_states(uint64_t step, Locate locate) {
  bool any_state = false;
  for (Channel &channel : records_) {
    const snn_record_desc &desc = *channel.desc;
    if (desc.kind != SNN_RECORD_STATE || (step + 1) % desc.interval != 0)
      continue;
    uint32_t type = model_.buffers[desc.buffer].type;
    for (uint32_t b = 0; b < batch_ && !channel.neurons.empty(); ++b) {
      Samples at = locate(channel, b);
      for (uint32_t n : channel.neurons)
        channel.samples[b].push_back(load_element(at.values, type, std::size_t(at.index + int64_t(n))));
    }
    if (desc.interval == 1)
      any_state = true;
    else
      channel.steps.push_back(step);
  }
  if (any_state)
    state_steps_.push_back(step);
}

uint64_t Recorder::staging_bytes(uint32_t slots) const {
  uint64_t bytes = 0;
  for (const Channel &channel : records_)
    if (channel.desc->kind == SNN_RECORD_STATE)
      bytes += uint64_t(slots) * batch_ * element_bytes(model_.buffers[channel.desc->buffer].type, channel.width);
  return bytes;
}

char *Recorder::staged_slot(const Channel &channel, uint64_t step) const {
  const snn_record_desc &desc = *channel.desc;
  return static_cast<char *>(channel.staged.data()) +
         (step / desc.interval % channel.slots) * batch_ *
             element_bytes(model_.buffers[desc.buffer].type, channel.width);
}

void Recorder::stage_states(uint64_t step, const snn_state &state, uint32_t slots) {
  const snn_device_desc &device = *model_.device;
  for (Channel &channel : records_) {
    const snn_record_desc &desc = *channel.desc;
    if (desc.kind != SNN_RECORD_STATE || (step + 1) % desc.interval != 0 || channel.neurons.empty())
      continue;
    const uint32_t type = model_.buffers[desc.buffer].type;
    if (channel.slots == 0) {
      channel.slots = slots;
      channel.staged = AlignedBuffer(std::size_t(slots) * batch_ * element_bytes(type, channel.width), &device,
                                     AlignedBuffer::Memory::Staging);
    }
    const uint64_t row = element_bytes(type, channel.width);
    char *slot = staged_slot(channel, step);
    const char *from = static_cast<const char *>(state.buffers[desc.buffer]) + element_bytes(type, channel.first);
    const uint64_t pitch = element_bytes(type, model_.populations[desc.population].size);
    char message[512] = "";
    if (device.copy_rows(slot, row, from, pitch, row, batch_, message, sizeof message) != 0)
      throw Error("the " + std::string(device.name) + " device could not copy the recorded '" +
                  model_.buffers[desc.buffer].name + "' of step " + std::to_string(step) + ": " + message);
  }
}

void Recorder::record_staged_states(uint64_t step) {
  guarded(step, [&] {
    take_states(step, [&](const Channel &channel, uint32_t b) {
      return Samples{staged_slot(channel, step), int64_t(b) * channel.width - int64_t(channel.first)};
    });
  });
}

std::vector<double> Recorder::sample_times(const std::vector<uint64_t> &steps) const {
  std::vector<double> times;
  times.reserve(steps.size());
  for (uint64_t step : steps)
    times.push_back(double(step + 1) * model_.dt);
  return times;
}

std::vector<std::string> Recorder::write() {
  std::vector<std::string> written;
  // The records of each file, in model order.
  std::vector<std::vector<Channel *>> by_file(files_.size());
  for (Channel &channel : records_)
    by_file[channel.file].push_back(&channel);
  for (std::size_t file = 0; file < files_.size(); ++file) {
    NpzWriter archive;
    std::set<std::string> taken;
    bool any_state = false;
    for (const Channel *channel : by_file[file])
      if (channel->desc->kind == SNN_RECORD_STATE && channel->desc->interval == 1)
        any_state = true;
    if (any_state)
      taken.insert("t");
    // A record gets the smallest suffix k (none for k = 1, else "_k") whose
    // names are all free. Names are only ever added to `taken`, so every k
    // below the one a record got stays unusable for the next record with
    // the same unsuffixed names: probing resumes there, which keeps many
    // records of one population from probing 1, 2, 3, ... each time.
    std::map<std::vector<std::string>, int> next_suffix;
    for (Channel *channel_pointer : by_file[file]) {
      Channel &channel = *channel_pointer;
      int &k = next_suffix.try_emplace(array_names(model_, *channel.desc, ""), 1).first->second;
      std::vector<std::string> names;
      for (;; ++k) {
        names = array_names(model_, *channel.desc, k == 1 ? "" : "_" + std::to_string(k));
        if (std::none_of(names.begin(), names.end(), [&](const std::string &name) { return taken.count(name); }))
          break;
      }
      ++k;
      taken.insert(names.begin(), names.end());
      std::vector<int32_t> neurons(channel.neurons.begin(), channel.neurons.end());
      if (channel.desc->kind == SNN_RECORD_SPIKES) {
        std::vector<double> times;
        times.reserve(channel.spike_steps.size());
        for (uint64_t step : channel.spike_steps)
          times.push_back(double(step) * model_.dt);
        uint64_t count = times.size();
        archive.add(names[0], std::move(times), {count});
        archive.add(names[1], std::move(channel.spike_neurons), {count});
        archive.add(names[2], std::move(channel.spike_examples), {count});
      } else {
        // Example-major: example 0's whole history, then example 1's, ...
        std::vector<double> samples = std::move(channel.samples[0]);
        for (uint32_t b = 1; b < batch_; ++b) {
          samples.insert(samples.end(), channel.samples[b].begin(), channel.samples[b].end());
          std::vector<double>().swap(channel.samples[b]);
        }
        bool own_times = channel.desc->kind == SNN_RECORD_RATE || channel.desc->interval > 1;
        uint64_t rows = own_times ? channel.steps.size() : state_steps_.size();
        if (channel.desc->kind == SNN_RECORD_RATE) {
          archive.add(names[0], std::move(samples), {batch_, rows});
        } else {
          archive.add(names[0], std::move(samples), {batch_, rows, channel.neurons.size()});
          uint64_t columns = neurons.size();
          archive.add(names[1], std::move(neurons), {columns});
        }
        if (own_times)
          archive.add(names.back(), sample_times(channel.steps), {rows});
      }
    }
    if (any_state) {
      uint64_t rows = state_steps_.size();
      archive.add("t", sample_times(state_steps_), {rows});
    }
    archive.write(files_[file]);
    written.push_back(files_[file]);
  }
  return written;
}

} // namespace snn::rt
