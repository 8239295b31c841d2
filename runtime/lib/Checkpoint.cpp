//===- Checkpoint.cpp - Training checkpoints that survive kill -9 ---------===//

#include "Checkpoint.h"

#include "ModelDescription.h"
#include "Npz.h"
#include "NpzReader.h"

#include "snn/temporary_file.h"

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace snn::rt {
namespace {

constexpr double kFormat = 1; ///< progress[0]: the layout of this file

/// What outlives a batch: shared buffers, and the per-example state kept
/// across examples (SNN_ROLE_RUNNING). Other per-example buffers are reset
/// by reset_example and need no saving.
bool saved(const snn_buffer_desc &b) { return b.batch == SNN_BATCH_SHARED || b.role == SNN_ROLE_RUNNING; }

/// Connectivity is rebuilt from the seed; a checkpoint's must match it.
bool compared(const snn_buffer_desc &b) { return b.role == SNN_ROLE_ROW_START || b.role == SNN_ROLE_TARGET; }

/// Elements of buffer k as allocated (per-example buffers: for every slot).
uint64_t elements(const Simulation &simulation, uint32_t k) {
  bool per_example = simulation.model().buffers[k].batch == SNN_BATCH_PER_EXAMPLE;
  return simulation.state().extents[k] * (per_example ? simulation.batch() : 1);
}

std::vector<double> buffer_values(const Simulation &simulation, uint32_t k) {
  const snn_state &state = simulation.state();
  uint32_t type = simulation.model().buffers[k].type;
  std::vector<double> values(elements(simulation, k));
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i] = load_element(state.buffers[k], type, i);
  return values;
}

double split_high(uint64_t v) { return double(v >> 32); }
double split_low(uint64_t v) { return double(v & 0xffffffffu); }

/// A test hook: SNN_CHECKPOINT_TEST_DELAY_MS pauses between writing the
/// partial file and renaming it, so a test can kill a run mid-write.
void test_delay() {
  const char *text = std::getenv("SNN_CHECKPOINT_TEST_DELAY_MS");
  if (!text)
    return;
  long ms = std::strtol(text, nullptr, 10);
  if (ms > 0 && ms < 60000)
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

[[noreturn]] void malformed(const std::string &path, const std::string &what) {
  throw Error(path, "not a checkpoint of this model: " + what);
}

} // namespace

std::string checkpoint_path(const std::string &directory) {
  return (std::filesystem::path(directory) / "checkpoint.npz").string();
}

void write_checkpoint(const std::string &directory, const Simulation &simulation, const TrainingProgress &p) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(directory, ec);
  if (ec)
    throw Error("cannot create the checkpoint directory '" + directory + "': " + ec.message());
  const snn_model_desc &model = simulation.model();
  NpzWriter npz;
  std::vector<double> progress = {kFormat,
                                  double(p.epoch),
                                  double(p.batches_done),
                                  double(p.optimizer_steps),
                                  split_high(p.seed),
                                  split_low(p.seed),
                                  p.loss_sum,
                                  p.hits,
                                  double(p.examples),
                                  p.seconds};
  npz.add("progress", progress, {progress.size()});
  std::vector<int32_t> order(p.order.begin(), p.order.end());
  npz.add("order", order, {order.size()});
  npz.add("schedule", p.schedule, {p.schedule.size()});
  npz.add("stopping", p.stopping, {p.stopping.size()});
  npz.add("hypers", p.hypers, {p.hypers.size()});
  npz.add("run", p.run, {p.run.size()});
  npz.add("metrics", std::vector<uint8_t>(p.metrics.begin(), p.metrics.end()), {p.metrics.size()});
  for (uint32_t k = 0; k < model.num_buffers; ++k)
    if (saved(model.buffers[k])) {
      std::vector<double> values = buffer_values(simulation, k);
      uint64_t n = values.size();
      npz.add(std::string("buffer.") + model.buffers[k].name, std::move(values), {n});
    }
  for (std::size_t i = 0; i < p.best.size() && model.training; ++i)
    if (!p.best[i].empty())
      npz.add(std::string("best.") + model.training->params[i].name, p.best[i], {p.best[i].size()});
  std::string partial = (fs::path(directory) / ".checkpoint.npz.partial").string();
  TemporaryFile marked(partial);
  npz.write(partial, false, true);
  test_delay();
  std::string target = checkpoint_path(directory);
  if (std::rename(partial.c_str(), target.c_str()) != 0)
    throw Error("cannot write '" + target + "': " + std::strerror(errno));
  // The rename is durable once the directory is (NpzWriter synced the file).
  int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::optional<TrainingProgress> read_checkpoint(const std::string &directory, Simulation &simulation) {
  std::string path = checkpoint_path(directory);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::nullopt;
  NpzArchive npz(path);
  auto doubles = [&](const std::string &name) {
    if (!npz.contains(name))
      malformed(path, "it has no array '" + name + "'");
    return npz.array(name).to_doubles();
  };
  const snn_model_desc &model = simulation.model();
  std::vector<double> progress = doubles("progress");
  if (progress.size() != 10 || progress[0] != kFormat)
    malformed(path, "its progress record has another layout");
  TrainingProgress p;
  p.epoch = uint32_t(progress[1]);
  p.batches_done = uint64_t(progress[2]);
  p.optimizer_steps = uint64_t(progress[3]);
  p.seed = (uint64_t(progress[4]) << 32) | uint64_t(progress[5]);
  p.loss_sum = progress[6];
  p.hits = progress[7];
  p.examples = uint64_t(progress[8]);
  p.seconds = progress[9];
  if (p.seed != simulation.seed())
    throw Error(path, "the checkpoint was written by a run with seed " + std::to_string(p.seed) + ", not " +
                          std::to_string(simulation.seed()) + "; resume with --seed " + std::to_string(p.seed));
  for (double v : doubles("order")) {
    if (!(v >= 0) || v != std::floor(v))
      malformed(path, "its example order holds " + std::to_string(v));
    p.order.push_back(std::size_t(v));
  }
  p.schedule = doubles("schedule");
  p.stopping = doubles("stopping");
  p.hypers = doubles("hypers");
  p.run = doubles("run");
  if (!npz.contains("metrics"))
    malformed(path, "it has no array 'metrics'");
  NpyArray metrics = npz.array("metrics");
  for (double c : metrics.to_doubles())
    p.metrics.push_back(char(uint8_t(c)));
  // Pruning and Deep R change a projection's synapses: the checkpoint's
  // rows and targets replace the ones this run built from the seed, and the
  // loop below restores every shared per-synapse buffer (the per-example
  // ones are cleared before they are read).
  std::vector<uint32_t> changing;
  for (uint32_t r = 0; model.training && r < model.training->num_prune_rules; ++r)
    changing.push_back(model.training->prune_rules[r].projection);
  for (uint32_t r = 0; model.training && r < model.training->num_rewire_rules; ++r)
    changing.push_back(model.training->rewire_rules[r].projection);
  for (uint32_t j : changing) {
    const snn_projection_desc &pr = model.projections[j];
    std::vector<double> rows = doubles(std::string("buffer.") + model.buffers[pr.row_start].name);
    std::vector<double> targets = doubles(std::string("buffer.") + model.buffers[pr.target].name);
    uint32_t num_pre = model.populations[pr.pre].size, num_post = model.populations[pr.post].size;
    bool valid = rows.size() == uint64_t(num_pre) + 1 && rows.front() == 0 && rows.back() == double(targets.size());
    for (std::size_t i = 1; valid && i < rows.size(); ++i)
      valid = rows[i] >= rows[i - 1] && rows[i] == std::floor(rows[i]);
    for (std::size_t i = 0; valid && i + 1 < rows.size(); ++i)
      for (std::size_t k = std::size_t(rows[i]); valid && k < std::size_t(rows[i + 1]); ++k)
        valid = targets[k] >= 0 && targets[k] < num_post && targets[k] == std::floor(targets[k]) &&
                (k == std::size_t(rows[i]) || targets[k - 1] < targets[k]);
    if (!valid)
      malformed(path, "its connectivity ('" + std::string(pr.name) + "') is malformed");
    simulation.reconnect(j, std::vector<uint32_t>(rows.begin(), rows.end()),
                         std::vector<uint32_t>(targets.begin(), targets.end()),
                         std::vector<uint64_t>(targets.size(), Simulation::kNewSynapse));
  }
  snn_state &state = simulation.state();
  for (uint32_t k = 0; k < model.num_buffers; ++k) {
    const snn_buffer_desc &b = model.buffers[k];
    if (!saved(b))
      continue;
    std::vector<double> values = doubles(std::string("buffer.") + b.name);
    if (values.size() != elements(simulation, k))
      malformed(path,
                "buffer '" + std::string(b.name) + "' has " + std::to_string(values.size()) + " elements, this model " +
                    std::to_string(elements(simulation, k)) +
                    (b.batch == SNN_BATCH_PER_EXAMPLE ? " (a per-example buffer: resume with the same --batch)" : ""));
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (compared(b)) {
        if (load_element(state.buffers[k], b.type, i) != values[i])
          malformed(path, "its connectivity ('" + std::string(b.name) + "') differs from this model's");
        continue;
      }
      store_element(state.buffers[k], b.type, i, values[i]);
    }
  }
  if (model.training) {
    p.best.resize(model.training->num_params);
    for (uint32_t i = 0; i < model.training->num_params; ++i) {
      std::string name = std::string("best.") + model.training->params[i].name;
      if (npz.contains(name))
        p.best[i] = doubles(name);
    }
  }
  return p;
}

} // namespace snn::rt
