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
#include <iosfwd>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

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
  std::string out;                ///< NPZ path for records without a file;
                                  ///< empty means "<network name>.npz"
  bool quiet = false;             ///< print no summary
  /// Where the summary goes (unless quiet); null means std::cout.
  std::ostream *summary = nullptr;
};

/// Spike statistics of one population over a run.
struct PopulationResult {
  std::string name;
  uint32_t size = 0;
  uint64_t spikes = 0;
  double rate_hz = 0; ///< spikes / (size * simulated seconds)
};

/// What a run did.
struct RunResult {
  uint64_t steps = 0;
  double sim_seconds = 0;  ///< steps * dt
  double wall_seconds = 0; ///< wall time of init and the step loop
  uint64_t synapses = 0;   ///< over all projections
  std::vector<PopulationResult> populations;
  std::vector<std::string> files_written; ///< in the order they were written
};

/// Builds the network (seeded by options.seed or the model's default seed),
/// runs it for round(duration / dt) steps, records and writes the NPZ files,
/// and prints the summary unless quiet. Throws Error on any failure.
RunResult run(const snn_model_desc &model, const RunOptions &options);

/// Prints the run summary: the model line, the timing line, one line per
/// population ("<name> <size> <spikes> <rate> Hz") and "wrote <file>" lines.
void print_summary(const snn_model_desc &model, const RunResult &result, std::ostream &out);

/// The number of steps a run of `duration` seconds takes: round(duration/dt).
/// Throws Error when that is zero or the duration is not positive and finite.
uint64_t steps_for_duration(const snn_model_desc &model, double duration);

/// One instance of a model: owns the state buffers, the synapses and the
/// stimulus schedule, and steps the network. The model descriptor must
/// outlive the Simulation. Move-only.
class Simulation {
public:
  /// Checks the descriptor (ABI version, real size, indices), allocates every
  /// buffer, builds the synapses of every projection from `seed` and loads
  /// every stimulus file. Throws Error. Does not call `init`.
  Simulation(const snn_model_desc &model, uint64_t seed);
  ~Simulation();
  Simulation(Simulation &&) noexcept;
  Simulation &operator=(Simulation &&) noexcept;
  Simulation(const Simulation &) = delete;
  Simulation &operator=(const Simulation &) = delete;

  const snn_model_desc &model() const;
  uint64_t seed() const;

  /// Zeroes every state buffer and spike flag, calls the model's `init`,
  /// clears the spike counts and rewinds to step 0 (and the stimulus with
  /// it). Synapse weights keep their values. Must precede the first `step`.
  void init();
  /// Sets the stimulus flags of the current step, advances the network by
  /// one dt and counts the spikes.
  void step();
  /// Steps `n` times.
  void advance(uint64_t n);
  /// Number of steps taken since `init` (the index of the next step).
  uint64_t current_step() const;
  /// Simulated time reached: current_step() * dt.
  double time() const;

  /// Index of the population called `name`; throws Error if there is none.
  uint32_t population_index(std::string_view name) const;
  /// Values of a state variable or input of a population, as double.
  std::vector<double> read(std::string_view population, std::string_view variable) const;
  /// Overwrites a state variable or input (values.size() must equal the
  /// population size); converts to the model's real type.
  void write(std::string_view population, std::string_view variable, const std::vector<double> &values);
  /// Spike flags (0 or 1 per neuron) of the last step.
  std::vector<uint8_t> spiked(std::string_view population) const;
  /// Spikes of a population since `init`.
  uint64_t spike_count(std::string_view population) const;
  /// Spikes of population `index` since `init`.
  uint64_t spike_count(uint32_t population) const;

  /// Synapses over all projections.
  uint64_t synapse_count() const;
  /// The CSR synapses of projection `index`.
  // TEMP

  /// The state handed to generated code, for embedders that need raw access.
  snn_state &state();
  const snn_state &state() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_H
