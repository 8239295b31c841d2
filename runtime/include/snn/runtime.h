//===- snn/runtime.h - Running a compiled model from C++ --------*- C++ -*-===//
//
// The embedding interface of the runtime: run a model described by
// snn_model_desc (from a compiled object or an in-process JIT) to completion
// with `run`, or drive it step by step with `Simulation`. No compiler types.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_H
#define SNN_RUNTIME_H

#include "snn/model_abi.h"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

class ExampleThreads; // runtime/lib/ExampleThreads.h

/// A failure the runtime reports instead of crashing. `what()` is the full
/// line to print: "path:line:col: error: message" when located,
/// "error: message" otherwise, "internal error: message" for broken
/// invariants (a malformed model descriptor, an impossible state).
class Error : public std::runtime_error {
public:
  enum class Kind {
    User,    ///< bad input from the person running the model (exit code 1)
    Internal ///< a bug in generated code or the runtime (exit code 70)
  };

  /// An unlocated user error.
  explicit Error(std::string message);
  /// A user error in a file: `location` is "path" or "path:line:col".
  Error(std::string location, std::string message);
  /// An internal error.
  static Error internal(std::string message);

  Kind kind() const { return kind_; }
  /// The message without location or severity.
  const std::string &message() const { return message_; }
  /// "path:line:col", "path", or empty.
  const std::string &location() const { return location_; }
  /// The process exit code for this error: 1 or 70.
  int exit_code() const { return kind_ == Kind::User ? 1 : 70; }

private:
  Error(Kind kind, std::string location, std::string message);
  Kind kind_;
  std::string location_;
  std::string message_;
};

/// Overrides of the model's regime settings for one run.
struct RunOptions {
  std::optional<double> duration; ///< simulated seconds; default: the model's
  std::optional<uint64_t> seed;   ///< default: the model's default_seed
  std::optional<uint32_t> batch;  ///< examples simulated at once; default:
                                  ///< the model's default_batch
  uint32_t threads = 1;           ///< threads that share the batch's examples
  uint64_t first_example = 0;     ///< global index of the batch's example 0
  std::string out;                ///< NPZ path for records without a file;
                                  ///< empty means "<network name>.npz"
  bool quiet = false;             ///< print no summary
  /// Run on when a state variable becomes NaN or infinite (default: stop
  /// with an error naming it; runtime/lib/NonFinite.h).
  bool allow_nonfinite = false;
  /// `--input NAME=FILE`: spike-times files that replace the regime's for
  /// the populations named, in order.
  std::vector<std::pair<std::string, std::string>> inputs;
  /// Where the summary goes (unless quiet); null means std::cout.
  std::ostream *summary = nullptr;
};

/// Spike statistics of one population over a run, summed over the examples.
struct PopulationResult {
  std::string name;
  uint32_t size = 0;
  uint64_t spikes = 0;
  double rate_hz = 0; ///< spikes / (size * batch * simulated seconds)
};

/// What a run did.
struct RunResult {
  uint64_t steps = 0;
  uint32_t batch = 1;              ///< examples simulated at once
  uint64_t first_example = 0;      ///< global index of example 0
  double sim_seconds = 0;          ///< steps * dt (per example)
  double wall_seconds = 0;         ///< wall time of init and the step loop
  uint64_t synapses = 0;           ///< over all projections
  bool synapses_estimated = false; ///< a large procedural projection counted by its expectation
  std::vector<PopulationResult> populations;
  std::vector<std::string> files_written; ///< in the order they were written
};

/// The default of max_input_bytes: 1 GiB.
constexpr uint64_t kDefaultMaxInputBytes = uint64_t(1) << 30;

/// Sets the most bytes the runtime reads from one input file (a stimulus
/// file, a data set, an .npy or .npz file) and the most bytes one compressed
/// input may inflate to, for this process. A larger input, or one that never
/// ends (/dev/zero, a FIFO), is an Error naming the file and the limit
/// instead of exhausting memory. The executable's --max-input-bytes sets it.
void set_max_input_bytes(uint64_t bytes);
/// The limit set by set_max_input_bytes (default kDefaultMaxInputBytes).
uint64_t max_input_bytes();

/// Builds the network (seeded by options.seed or the model's default seed)
/// for a batch of options.batch examples starting at options.first_example,
/// runs it for round(duration / dt) steps, records and writes the NPZ files,
/// and prints the summary unless quiet. Throws Error on any failure.
RunResult run(const snn_model_desc &model, const RunOptions &options);

/// Prints the run summary: the model line (ending in ", batch of N examples"
/// when the batch holds more than one), the timing line, one line per
/// population ("<name> <size> <spikes> <rate> Hz", spikes summed over the
/// batch) and "wrote <file>" lines.
void print_summary(const snn_model_desc &model, const RunResult &result, std::ostream &out);

/// The number of steps a run of `duration` seconds takes: round(duration/dt).
/// Throws Error when that is zero or the duration is not positive and finite.
uint64_t steps_for_duration(const snn_model_desc &model, double duration);

/// The connectivity of one projection in compressed sparse rows by pre
/// neuron: the synapses of pre neuron i are row_start[i] .. row_start[i+1]-1,
/// their post neurons target[s], ascending within a row. Points into the
/// Simulation's buffers: valid while it lives.
struct SynapseView {
  const uint32_t *row_start = nullptr; ///< num_pre + 1 offsets
  /// num_synapses post neurons; null for dense storage (SNN_STORAGE_DENSE),
  /// where a row holds every post neuron in order (but the diagonal when
  /// `skip_self`).
  const uint32_t *target = nullptr;
  uint32_t num_pre = 0;
  uint64_t num_synapses = 0;
  bool skip_self = false;

  /// The post neuron of synapse `s` of pre neuron `pre`'s row.
  uint32_t post(uint32_t pre, uint64_t s) const {
    if (target)
      return target[s];
    uint64_t place = s - row_start[pre];
    return uint32_t(place + (skip_self && place >= pre ? 1 : 0));
  }
};

/// One instance of a model simulating a batch of examples: owns every
/// buffer, the connectivity and the stimulus schedule, and steps the network.
/// The model descriptor must outlive the Simulation. Move-only.
class Simulation {
public:
  /// Checks the descriptor (ABI version, real size, indices, buffer types,
  /// scopes and roles) and the batch (1..SNN_MAX_BATCH), builds the
  /// connectivity of every projection from `seed`, checks that every buffer
  /// fits in the machine's memory, allocates them zeroed and calls the
  /// model's "init" entry (which draws the weights). Throws Error. Call
  /// `init` before the first `step`: it reads the regime's stimulus files,
  /// those that `set_stimulus` did not replace (so those need not exist).
  Simulation(const snn_model_desc &model, uint64_t seed);
  /// The same for a batch of `batch` examples whose example 0 is the global
  /// example `first_example` (which selects its random numbers), with
  /// history buffers (SNN_ROLE_HISTORY) for `steps_per_example` steps (0:
  /// the training regime's timesteps).
  Simulation(const snn_model_desc &model, uint64_t seed, uint32_t batch, uint64_t first_example = 0,
             uint32_t steps_per_example = 0);
  ~Simulation();
  Simulation(Simulation &&) noexcept;
  Simulation &operator=(Simulation &&) noexcept;
  Simulation(const Simulation &) = delete;
  Simulation &operator=(const Simulation &) = delete;

  const snn_model_desc &model() const;
  uint64_t seed() const;
  /// Examples simulated at once.
  uint32_t batch() const;
  /// Runs the entry points the compiler marked batch-separable on
  /// `threads` threads, each on its own examples (same results for any
  /// count; 1: the calling thread only).
  void set_threads(uint32_t threads);
  /// The threads of set_threads (for the runtime's own entry points).
  ExampleThreads *example_threads();
  /// Global index of example 0 of the batch.
  uint64_t first_example() const;

  /// Drives population `population` (whose model reads stimulus()) from the
  /// spike-times file at `path` instead of the regime's files, as the
  /// executable's `--input NAME=FILE`; the regime's files for it are then
  /// never opened. Throws Error for an unknown population, one without
  /// stimulus flags, or a bad file. Takes effect at `init`.
  void set_stimulus(std::string_view population, const std::string &path);
  /// What a run of `steps` steps will not deliver of the stimulus files, one
  /// line per population that loses any: spikes of one neuron in one step
  /// (merged into one) and spikes at or after the end of the run (dropped).
  /// Reads the regime's files first if `init` has not (throws Error for a
  /// bad one), so it is not safe to call from two threads at once.
  std::vector<std::string> stimulus_losses(uint64_t steps) const;

  /// Starts a new run of the examples: zeroes every per-example buffer,
  /// rewinds the stimulus, clears the spike counts, calls the model's
  /// "reset_example" entry and rewinds to step 0. Shared buffers (weights,
  /// connectivity) keep their values. Must precede the first `step`.
  void init();
  /// Sets the stimulus flags of the current step in every example, advances
  /// every example by one dt and counts the spikes.
  void step();
  /// Steps `n` times.
  void advance(uint64_t n);
  /// Number of steps taken since `init` (the index of the next step).
  uint64_t current_step() const;
  /// Simulated time reached: current_step() * dt.
  double time() const;

  /// Index of the population called `name`; throws Error if there is none.
  uint32_t population_index(std::string_view name) const;
  /// Values of a state variable or input of a population in example
  /// `example` (0..batch-1) of the batch, as double.
  std::vector<double> read(std::string_view population, std::string_view variable, uint32_t example = 0) const;
  /// Overwrites a state variable or input of one example (values.size()
  /// must equal the population size; integer variables take integers only).
  void write(std::string_view population, std::string_view variable, const std::vector<double> &values,
             uint32_t example = 0);
  /// Spike flags (0 or 1 per neuron) of the last step in one example.
  std::vector<uint8_t> spiked(std::string_view population, uint32_t example = 0) const;
  /// The neurons of population `index` that spiked in the last step of one
  /// example, in increasing order (empty before the first step). The
  /// reference stays valid until the next step.
  const std::vector<uint32_t> &last_spikes(uint32_t population, uint32_t example = 0) const;
  /// Spikes of a population since `init`, summed over the batch.
  uint64_t spike_count(std::string_view population) const;
  /// Spikes of population `index` since `init`, summed over the batch.
  uint64_t spike_count(uint32_t population) const;
  /// Spikes of a population in one example since `init`.
  uint64_t spike_count(std::string_view population, uint32_t example) const;
  /// Spikes of population `index` in one example since `init`.
  uint64_t spike_count(uint32_t population, uint32_t example) const;

  /// Calls `observer(step)` once for every step, in order, when that
  /// step's spikes are in last_spikes(): right after the step on the CPU;
  /// on a device with spike blocks (snn_model_desc::spike_block_steps)
  /// when the block is full, so up to that many steps late, or sooner when
  /// last_spikes(), spike_count() or flush_spikes() asks. An empty
  /// function stops the calls.
  void observe_spikes(std::function<void(uint64_t step)> observer);
  /// Calls `observer(step, state)` in step() right after the step's
  /// kernels were queued (or run), before step() reads or waits for
  /// anything, with the state the kernels use (without waiting for them:
  /// the host must not read its buffers there). Work it queues on a device
  /// (a copy of a state) runs behind the step and before any later one, and
  /// is done by the time observe_spikes' observer sees the step. An empty
  /// function stops the calls.
  void observe_queued_steps(std::function<void(uint64_t step, const snn_state &state)> observer);
  /// Reads the spikes of every step taken so far (calling the observer
  /// for each): a device's spike blocks are read only when full or asked.
  void flush_spikes();
  /// On a device with spike blocks, lets step() queue its kernels without
  /// waiting for them, up to a block's last step: for a caller that reads
  /// nothing between steps but through observe_spikes. Spike files reach
  /// the device through copies queued behind the steps (but where their
  /// page-locked slots would exceed 256 MiB, every step waits). Every
  /// method that reads or writes the state (read, write, spiked, state,
  /// last_spikes, spike_count, flush_spikes) waits first; a failed launch
  /// is reported there. Off by default.
  void defer_waits(bool defer);

  /// Synapses over all projections.
  uint64_t synapse_count() const;
  /// Whether synapse_count() holds the expected count of a procedural
  /// projection too large to count (Connectivity.h, kCountedSynapses).
  bool synapse_count_estimated() const;
  /// The connectivity of projection `index`.
  SynapseView synapses(uint32_t projection) const;
  /// The weights of projection `index` in synapse order, as double.
  std::vector<double> weights(uint32_t projection) const;
  /// Removes the synapses s of projection `projection` (stored
  /// SNN_STORAGE_RAGGED) with !kept[s] from every buffer of the projection's
  /// synapses (targets, weights, delays, synapse states, traces,
  /// gradients, optimiser moments; every example's), keeping the others in
  /// order, and rebuilds its rows and columns. The buffers shrink: memory
  /// and work fall with the synapse count. `kept` has one entry per synapse.
  void remove_synapses(uint32_t projection, const std::vector<uint8_t> &kept);
  /// Marks a synapse of reconnect() that no old one becomes.
  static constexpr uint64_t kNewSynapse = ~uint64_t(0);
  /// Gives projection `projection` (stored SNN_STORAGE_RAGGED) the synapses
  /// `target` in rows `row_start` (num_pre + 1 offsets; targets ascending
  /// within a row): new synapse s takes the elements of old synapse
  /// origin[s] in every buffer of the projection's synapses (every
  /// example's), or zeros where origin[s] is kNewSynapse; the columns are
  /// rebuilt. Throws an internal Error for malformed rows.
  void reconnect(uint32_t projection, const std::vector<uint32_t> &row_start, const std::vector<uint32_t> &target,
                 const std::vector<uint64_t> &origin);

  /// The state handed to generated code, for embedders that need raw access.
  snn_state &state();
  const snn_state &state() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_H
