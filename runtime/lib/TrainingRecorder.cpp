//===- TrainingRecorder.cpp - Recordings of chosen training examples ------===//

#include "TrainingRecorder.h"

#include "ModelDescription.h"
#include "Npz.h"
#include "SpikeScan.h"

#include <algorithm>
#include <map>
#include <set>

namespace snn::rt {

TrainingRecorder::TrainingRecorder(const snn_model_desc &model, uint32_t steps, std::string default_path)
    : model_(model), steps_(steps) {
  for (uint32_t r = 0; r < model.num_records; ++r) {
    const snn_record_desc &desc = model.records[r];
    Channel channel{&desc, desc.file ? desc.file : default_path, {}, {}, {}, 0, {}, {}, {}, {}, {}, {}, {}, {}, {}};
    record_neurons(desc, channel.neurons, channel.listed);
    channels_.push_back(std::move(channel));
  }
}

void TrainingRecorder::begin_batch(const std::vector<int64_t> &examples, uint32_t epoch, uint32_t pass) {
  for (Channel &c : channels_) {
    c.active.clear();
    c.active_presentation.clear();
    for (std::size_t b = 0; b < examples.size(); ++b)
      if (examples[b] == c.desc->example) {
        c.active.push_back(int32_t(b));
        c.active_presentation.push_back(c.presentations++);
        c.epochs.push_back(int32_t(epoch));
        c.passes.push_back(int32_t(pass));
        c.examples.push_back(int32_t(c.desc->example));
        if (c.desc->kind == SNN_RECORD_STATE)
          c.samples.resize(c.samples.size() + std::size_t(steps_) * c.neurons.size(), 0.0);
      }
  }
}

void TrainingRecorder::record(uint32_t step, const snn_state &state) {
  for (Channel &c : channels_) {
    const snn_population_desc &population = model_.populations[c.desc->population];
    for (std::size_t a = 0; a < c.active.size(); ++a) {
      uint64_t offset = uint64_t(c.active[a]) * population.size;
      if (c.desc->kind == SNN_RECORD_SPIKES) {
        const uint8_t *flags = static_cast<const uint8_t *>(state.buffers[population.spiked]) + offset;
        for_each_spike(flags, c.desc->begin, c.desc->end, [&](uint32_t n) {
          if (!record_selects(*c.desc, c.listed, n))
            return;
          c.spike_t.push_back(double(step) * model_.dt);
          c.spike_i.push_back(int32_t(n));
          c.spike_b.push_back(c.active_presentation[a]);
          c.spike_example.push_back(int32_t(c.desc->example));
        });
        continue;
      }
      const void *values = state.buffers[c.desc->buffer];
      uint32_t type = model_.buffers[c.desc->buffer].type;
      std::size_t row = (std::size_t(c.active_presentation[a]) * steps_ + step) * c.neurons.size();
      for (std::size_t k = 0; k < c.neurons.size(); ++k)
        c.samples[row + k] = load_element(values, type, offset + c.neurons[k]);
    }
  }
}

std::vector<std::string> TrainingRecorder::write() {
  std::map<std::string, NpzWriter> files;
  std::vector<std::string> order;
  std::map<std::string, std::set<std::string>> taken;
  for (Channel &c : channels_) {
    if (!files.count(c.file))
      order.push_back(c.file);
    NpzWriter &npz = files[c.file];
    const snn_population_desc &population = model_.populations[c.desc->population];
    bool spikes = c.desc->kind == SNN_RECORD_SPIKES;
    std::string base = std::string(population.name) + "_" +
                       (spikes ? "spikes" : state_variable_name(model_, c.desc->population, c.desc->buffer));
    // A second record with the same names gets "_2" (then "_3", ...) at the
    // end of every array name, as simulation recordings do.
    std::string suffix;
    for (int k = 2; taken[c.file].count(base + suffix); ++k)
      suffix = "_" + std::to_string(k);
    taken[c.file].insert(base + suffix);
    auto named = [&](const std::string &what) { return base + (what.empty() ? "" : "_" + what) + suffix; };
    uint64_t presentations = uint64_t(c.presentations);
    if (spikes) {
      uint64_t count = c.spike_t.size();
      npz.add(named("t"), std::move(c.spike_t), {count});
      npz.add(named("i"), std::move(c.spike_i), {count});
      npz.add(named("b"), std::move(c.spike_b), {count});
      npz.add(named("example"), std::move(c.spike_example), {count});
    } else {
      npz.add(named(""), std::move(c.samples), {presentations, steps_, c.neurons.size()});
      std::vector<int32_t> neurons(c.neurons.begin(), c.neurons.end());
      npz.add(named("neurons"), std::move(neurons), {c.neurons.size()});
      npz.add(named("examples"), std::move(c.examples), {presentations});
      if (!npz.contains("t")) {
        std::vector<double> t(steps_);
        for (uint32_t s = 0; s < steps_; ++s)
          t[s] = double(s + 1) * model_.dt;
        npz.add("t", std::move(t), {steps_});
      }
    }
    npz.add(named("epoch"), std::move(c.epochs), {presentations});
    npz.add(named("pass"), std::move(c.passes), {presentations});
  }
  for (const std::string &file : order)
    files[file].write(file);
  return order;
}

} // namespace snn::rt
