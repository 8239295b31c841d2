//===- ir/Module.h - The model IR: neuron models, network, regime -*- C++ -*-===//
//
// A Module is everything one .snn program says: the neuron models it uses,
// one Network (populations and projections) and the Regime that runs it.
// Models start in continuous form (ODEs) and leave DiscretizeOdes as a pure
// map: next state = f(old state, inputs), one Expr per state variable.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"
#include "ir/Window.h"
#include "ir/Workflow.h"
#include "snn/Diagnostic.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace snn::ir {

struct Parameter {
  std::string name;
  Dimension dim;
  Expr value; ///< default value; may refer to other parameters
};

struct StateVar {
  std::string name;
  Dimension dim;
  Expr initial;        ///< may refer to parameters and draw Random numbers
  bool hidden = false; ///< added by a pass (e.g. the refractory counter)
  /// Set by DiscretizeOdes for `unless refractory` states: while the neuron
  /// is refractory (and in the step it spikes) the state neither integrates
  /// nor accepts synaptic input, as Brian2's conditional writes.
  bool frozen_when_refractory = false;
  /// Real for the model's own states; Int for counters a pass adds.
  ScalarType type = ScalarType::Real;
  /// A parameter made per neuron (`init p.tau ~ uniform(...)`): constant,
  /// and drawn with the run key, so the same in every example of a batch.
  bool parameter = false;
};

struct InputVar {
  std::string name;
  Dimension dim;
};

/// d(state)/dt = rhs; `frozen_when_refractory` is the `unless refractory` mark.
struct Ode {
  std::string state;
  Expr rhs;
  bool frozen_when_refractory = false;
  SourceLocation loc;
};

/// state := value, where `value` reads the values from before the whole map.
struct Assignment {
  std::string state;
  Expr value;
};

/// How DiscretizeOdes turns ODEs into a step. Auto picks, as Brian2 does,
/// exact (linear with constant coefficients), else exponential Euler (each
/// dx/dt linear in x, as conductance and Hodgkin-Huxley models), else RK4;
/// with white noise, Euler-Maruyama (additive) or Milstein (multiplicative).
enum class IntegrationMethod : uint8_t { Auto, Exact, Euler, RK4, ExponentialEuler, Milstein };
const char *name_of(IntegrationMethod m);

struct NeuronModel {
  std::string name;
  SourceLocation loc;        ///< the model's name in its declaration
  SourceLocation method_loc; ///< the `method = ...` setting, when written
  std::vector<Parameter> params;
  std::vector<StateVar> states;
  std::vector<InputVar> inputs;

  // Continuous form (until DiscretizeOdes).
  std::vector<Ode> odes;
  IntegrationMethod method = IntegrationMethod::Auto;
  Expr refractory_period; ///< a time, or null for none
  /// `refractory while COND` (Brian2's condition): after a spike the neuron
  /// stays refractory until a step begins with COND false; null for none.
  Expr refractory_condition;
  /// Current sources (from the population's drives, by ResolveParams): each
  /// state here takes the value, a function of `t` and random draws, at the
  /// start of every step and holds it over the step. DiscretizeOdes folds
  /// them into `update` and clears this.
  std::vector<Assignment> drives;

  // Discrete form (after DiscretizeOdes): read old values, never in place.
  bool discretized = false;
  IntegrationMethod method_used = IntegrationMethod::Auto;
  std::vector<Assignment> update;
  /// The hidden step counter of the refractory period (DiscretizeOdes), or
  /// empty; the neuron is refractory while it is above 0.
  std::string refractory_counter;

  /// Spike condition over the *updated* state values; null: never spikes.
  Expr spike_condition;
  /// Applied where the condition held; reads values from before the reset.
  std::vector<Assignment> reset;
  /// Pseudo-derivative of the spike w.r.t. the membrane state, for e-prop.
  Expr surrogate;
  /// `on spike next step { ... }`: the reset acts at the next update, after
  /// the state's own dynamics and inputs (Bellec et al. 2020: `v -= v_th`
  /// subtracted undecayed in the step after the spike). DiscretizeOdes folds
  /// such a reset into the update map through VarKind::LastSpike and clears
  /// `reset`, so that after it this flag only records the timing.
  bool reset_next_step = false;

  const Parameter *find_param(const std::string &n) const;
  const StateVar *find_state(const std::string &n) const;
  const InputVar *find_input(const std::string &n) const;
  int state_index(const std::string &n) const;
  int input_index(const std::string &n) const;
};

/// One statement of an `on pre` / `on post` block. Its value reads the
/// synapse's states as they were when the block began (after their lazy
/// integration up to this step) with the block's earlier assignments
/// substituted, so the statements act in order, as Brian2's.
struct SynapseStatement;
struct SynapseModel;

/// The postsynaptic variables a synapse model writes (`post.X += ...`), in
/// order of first write.
std::vector<std::string> post_variables(const SynapseModel &model);

struct SynapseStatement {
  enum class Kind : uint8_t {
    State, ///< the synapse state `target` becomes `value`
    Post,  ///< `value` is added to variable `target` of the postsynaptic neuron
  };
  Kind kind = Kind::State;
  std::string target;
  Expr value;
  SourceLocation loc; ///< Post: the target's name in the synapse model
};

/// `post { ... }` of a synapse model: what each postsynaptic neuron keeps
/// for one projection (a conductance, a current), integrated every step
/// with the neuron's own states by the neuron's method, and the output the
/// projection adds to a parameter of the neuron (`connect a -> b.i_ext`), as
/// GeNN's postsynaptic models. Its expressions read the synapse's
/// parameters, the block's states, and the neuron variables of `reads` as
/// State variables named "post.X" (post_read_name). ResolveParams moves the
/// block into each postsynaptic model (states renamed "g@PRE") and leaves
/// the specialised synapse models without one.
struct PostsynapticBlock {
  std::vector<InputVar> reads; ///< `post.v : volt`: the neuron's variable and its dimension
  std::vector<StateVar> states;
  std::vector<Ode> odes;
  Expr output;        ///< null: the model has no post block
  SourceLocation loc; ///< `output`, where notes about the block point
  bool present() const { return static_cast<bool>(output); }
};

/// The name under which a post block's expressions read neuron variable `n`.
std::string post_read_name(const std::string &n);

/// A synapse model (`synapse NAME { ... }`): per-synapse parameters and
/// states, continuous dynamics integrated lazily (each state's ODE is
/// linear in that state alone, dx/dt = a x + c with a and c constant, so the
/// value after any time is exact: the compiler brings a synapse's states to
/// the current step only when one of its events reads them), and the
/// statements of a presynaptic and of a postsynaptic spike. After
/// resolve-params each projection has its own copy without parameters.
struct SynapseModel {
  std::string name;
  SourceLocation loc;
  std::vector<Parameter> params;
  std::vector<StateVar> states; ///< the weight's initial value is null
  std::string weight;           ///< the state the projection's `weight` initialises
  std::vector<Ode> odes;
  std::vector<SynapseStatement> on_pre, on_post;
  PostsynapticBlock post;

  const Parameter *find_param(const std::string &n) const;
  const StateVar *find_state(const std::string &n) const;
  const StateVar *find_post_state(const std::string &n) const;
};

/// `init POP.X = load("x.npz", name: "a")`: the runtime replaces X's
/// initial values (or a parameter made per neuron) with the file's, one per
/// neuron, in every example.
struct StateLoad {
  std::string state;
  std::string file;  ///< absolute
  std::string array; ///< the .npz array; empty for an .npy file
};

struct Population {
  std::string name;
  std::string model; ///< name of a NeuronModel in the module
  uint32_t size = 1;
  Shape shape; ///< `x 28x28x2` (size is its product), or absent
  /// Parameter overrides from the network, in declaration order.
  std::vector<std::pair<std::string, Expr>> overrides;
  /// Initial-value overrides from the regime (state name, value).
  std::vector<Assignment> inits;
  /// Current sources of the regime (`input POP.PARAM = EXPR`): parameter
  /// name and its value as a function of `t` (and random draws).
  std::vector<Assignment> drives;
  /// States whose initial values come from a file (kept after ResolveParams).
  std::vector<StateLoad> loads;
  SourceLocation loc; ///< the model name in the population's declaration
};

/// FixedInDegree / FixedOutDegree: each post / pre neuron gets `count`
/// distinct partners drawn uniformly; FixedTotal: `count` distinct pairs.
/// Conv2D, AvgPool2D: between shaped populations, through a Window
/// (ir/Window.h). FromList: the listed pairs.
enum class ConnectivityKind : uint8_t {
  Dense,
  FixedProbability,
  OneToOne,
  FixedInDegree,
  FixedOutDegree,
  FixedTotal,
  Conv2D,
  AvgPool2D,
  FromList
};
const char *name_of(ConnectivityKind k);

/// How a projection's synapses are stored. The math of a projection never
/// depends on it: every format gives the same synapses in the same order
/// (rows by presynaptic neuron, targets ascending), so the same sums.
///   Ragged: offsets of each presynaptic neuron's row and the postsynaptic
///           neuron of every synapse (compressed rows, any connectivity).
///   Dense:  every pair connected (but the diagonal of a projection onto
///           its own population without autapses): a synapse's
///           postsynaptic neuron is its place in its row, and no index is
///           stored.
///   Bitmask: one bit per pair (rows padded to whole u32 words), set where
///           a synapse is; every weight is one constant, so none is stored.
///   Procedural: nothing stored; each spike regenerates its row of a
///           fixed_probability projection from the counter-based RNG, by
///           the same geometric skipping the runtime connects with, and its
///           weights from their initialiser's draws.
/// Bitmask and Procedural hold only projections whose synapses nothing
/// reads but the delivery of spikes (untrained, no synapse model, no
/// delays, weights not from a file).
/// Auto until passes/Sparsify chooses; `sparse(format: ...)` forces one.
enum class SynapseStorage : uint8_t { Auto, Ragged, Dense, Bitmask, Procedural };
const char *name_of(SynapseStorage s);
/// The format named `name` ("ragged", "dense", "bitmask", "procedural"), or nullopt.
std::optional<SynapseStorage> storage_named(const std::string &name);
/// The names of the formats a user may ask for, for suggestions.
std::vector<std::string> storage_names();

/// What one storage format of a projection is estimated to cost (the
/// sparsify pass's cost model): the bytes it stores (offsets, indices or
/// mask, and weights) and the work per step and example, in memory accesses
/// (a random draw counted as what it costs the backend); `unavailable` says
/// why the format cannot hold this projection (empty when it can).
struct StorageEstimate {
  SynapseStorage format = SynapseStorage::Ragged;
  double bytes = 0, accesses = 0;
  std::string unavailable;
};

/// The firing rate cost models assume for every presynaptic neuron (Hz).
constexpr double kAssumedRateHz = 10;

enum class WeightDistribution : uint8_t { Constant, Uniform, Normal };

/// How a weight file orders its values. Default: [post, pre], a conv2d
/// kernel [height, width, in, out] (Keras's HWIO). Oihw: a conv2d kernel
/// [out, in, height, width] (PyTorch's, NIR's). Chw: [post, pre] with the
/// (shaped) pre population's neurons numbered channel, row, column, as
/// PyTorch flattens an image; snnc numbers them row, column, channel.
enum class WeightLayout : uint8_t { Default, Oihw, Chw };
const char *name_of(WeightLayout l); ///< "", "oihw", "chw"

struct WeightInit {
  WeightDistribution dist = WeightDistribution::Constant;
  double a = 0, b = 0; ///< SI: constant a; uniform [a, b); normal mean a, sd b
  Dimension dim;
};

/// Where the weights of a projection come from beyond its WeightInit: the
/// initialiser the frontend resolved into it, and a file the executable
/// loads over the drawn weights.
struct WeightOrigin {
  /// The initialiser resolved to the WeightInit (e.g. "glorot_uniform"),
  /// kept for the printer; empty for a plain distribution or constant.
  std::string initializer;
  /// The numbers it used, in order, e.g. {"fan_in", 64}, {"fan_out", 32}.
  std::vector<std::pair<std::string, double>> initializer_args;
  /// `load("file", name: "array")`: the file the executable reads the
  /// weights from after `init` (relative to its current directory); empty:
  /// none.
  std::string file;
  /// The array of an .npz `file`; empty: `file` is an .npy, read whole.
  std::string array;
  /// How `file` orders the values (`load(..., layout: "oihw")`).
  WeightLayout layout = WeightLayout::Default;
  SourceLocation layout_loc; ///< the layout as written (for diagnostics)
};

/// What a projection's synapses write: a state or an input of the post
/// model; Parameter: the parameter a synapse model's post block feeds (only
/// until ResolveParams, which retargets the projection to the block's state).
enum class TargetKind : uint8_t { State, Input, Parameter };
const char *name_of(TargetKind k); ///< "state", "input", "parameter"

/// The largest delay, in steps, of a projection (or of one of its synapses).
constexpr uint32_t kMaxDelaySteps = 1u << 20;

/// `delay ~ uniform(lo, hi)`: each synapse's delay is the whole number of
/// steps nearest a draw from [lo, hi), in steps (see lower/RandomStreams.h).
struct DelayRange {
  double lo = 1, hi = 1; ///< steps, 0.5 <= lo <= hi; round(hi) <= kMaxDelaySteps
};

struct Projection {
  std::string pre, post;
  SourceLocation loc;              ///< the `connect` statement (the pre name)
  SourceLocation connectivity_loc; ///< its connectivity as written (`loc` when implicit)
  std::string target;              ///< variable of the post model
  TargetKind target_kind = TargetKind::Input;
  ConnectivityKind connectivity = ConnectivityKind::Dense;
  double probability = 1.0;
  uint64_t count = 0; ///< the degree, or the total, of the Fixed* kinds
  bool autapses = true;
  /// Conv2D, AvgPool2D: the window. A Conv2D's weights are a kernel of
  /// window.height x window.width x pre channels x post channels values
  /// (Keras's HWIO), shared by every output position: `weight` draws each
  /// kernel value once, and a weight file holds the kernel.
  Window window;
  /// FromList: the (pre, post) pairs, ascending and distinct.
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  WeightInit weight;
  WeightOrigin weight_origin;
  /// Steps between a presynaptic spike and its effect on the target. 1 (the
  /// default): a spike of step t is consumed by the post update of step
  /// t + 1 (Input targets) or added after this step's update (State
  /// targets). 0: delivered within step t, before the post population
  /// updates, so the post update of step t sees it; the populations of a
  /// zero-delay chain update in the order of that chain, which must have no
  /// cycle.
  /// Delays of more than one step hold the spike's effect in a ring buffer
  /// of the post population (the target's value `delay_steps - 1` steps
  /// later than with the default). With `delay_range`, each synapse has its
  /// own delay and `delay_steps` is the largest one.
  uint32_t delay_steps = 1;
  std::optional<DelayRange> delay_range;
  /// `frozen`: never trained by a `train` regime.
  bool frozen = false;
  /// `synapse STDP(...)`: the SynapseModel of every synapse (empty: a delta
  /// synapse adding its weight to `target`), and its parameter overrides
  /// (until resolve-params gives the projection a model of its own).
  std::string synapse;
  std::vector<std::pair<std::string, Expr>> synapse_overrides;
  /// The storage of its synapses: Auto until the sparsify pass chooses;
  /// `storage_forced` for `sparse(format: ...)` (at `storage_loc`) and for
  /// a format read from printed IR. Printed as `, storage FORMAT`.
  SynapseStorage storage = SynapseStorage::Auto;
  bool storage_forced = false;
  SourceLocation storage_loc;
  /// The sparsify pass's estimate of each format (not printed).
  std::vector<StorageEstimate> storage_estimates;
};

/// The synapse count projection `p` from `pre` to `post` is expected to have
/// (exact unless the connectivity is random).
uint64_t expected_synapses(const Projection &p, const Population &pre, const Population &post);

struct Network {
  std::string name;   ///< empty when the file declares no network
  SourceLocation loc; ///< the network's name in its declaration
  /// What its source says about it, printed as `//` lines before it: an
  /// imported NIR graph's file and semantics (the reader skips them).
  std::vector<std::string> notes;
  std::vector<Population> populations;
  std::vector<Projection> projections;
  const Population *find_population(const std::string &n) const;
  int population_index(const std::string &n) const;
  /// The indices of the projections from `pre` to `post` (one per target
  /// variable), ascending.
  std::vector<int> projections_between(const std::string &pre, const std::string &post) const;
};

/// Spikes: each spike; State: a state variable; Rate: the mean firing rate
/// of the selected neurons over each interval.
enum class RecordKind : uint8_t { Spikes, State, Rate };

struct Record {
  RecordKind kind = RecordKind::Spikes;
  std::string population;
  std::string variable; ///< for State records
  uint32_t begin = 0, end = 0, stride = 1;
  /// `POP[0, 5, 7]`: these neurons, in this order (no repeats); empty for
  /// the range begin:end:stride.
  std::vector<uint32_t> indices;
  /// State and Rate: steps per sample (`every 1 ms`); a sample after each
  /// step k with (k + 1) % interval == 0.
  uint32_t interval = 1;
  std::string file; ///< empty: the executable's --out file
  /// Train regimes: `on example N`, the index in the training data of the
  /// one example recorded (whenever it runs); -1 in simulations.
  int64_t example = -1;
};

struct Stimulus {
  std::string population;
  std::string path;
};

// ------------------------------------------------------------- training

enum class ReadoutKind : uint8_t {
  PerStep,   ///< `readout = output.v`: the loss at every step, averaged over the steps (Bellec et al.)
  LastSteps, ///< `readout = last(output.v, steps: N)`: the per-step loss over the last N steps, averaged
  Mean,      ///< `readout = mean(output.v)`: the loss of the time average
  Max,       ///< `readout = max(output.v)`: the loss of the maximum over time
  Final,     ///< `readout = final(output.v)`: the loss of the value after the last step
  SpikeCount ///< `readout = spike_count(output)`: the loss of the spike counts
};
const char *name_of(ReadoutKind k);

enum class LossKind : uint8_t { SparseCategoricalCrossentropy, MeanSquaredError };
const char *name_of(LossKind k);

enum class FeedbackKind : uint8_t { Symmetric, Random };
const char *name_of(FeedbackKind k);

/// How dense features become input spikes (events need none).
enum class EncoderKind : uint8_t { Events, Latency, Poisson };
const char *name_of(EncoderKind k);

/// A data set of a `train` regime: `data train = dense("digits.csv.gz",
/// encode: latency(max: 16))` or `events("shd_train.h5")`.
struct DataSource {
  std::string path;        ///< as written (relative to the executable's working directory)
  std::string labels_path; ///< dense .npy features: the labels file; else empty
  EncoderKind encoder = EncoderKind::Events;
  double max_value = 1;  ///< dense: the feature value that maps to x = 1
  double max_rate = 100; ///< Poisson: Hz at x = 1
  SourceLocation loc;
  bool present() const { return !path.empty(); }
};

/// What the eprop pass derived for one trained projection, in model-IR terms
/// (names of hidden states it added to the post model). lower/ reads only
/// this and the post model's update map.
struct EligibilityTrace {
  /// The post-model state this trace follows (epsilon^k_ji = d h_k / d W_ji).
  std::string state;
  /// Per presynaptic neuron (and example) instead of per synapse: the
  /// state's own Jacobian entry is the same for every post neuron and no
  /// other state feeds it (LIF's filtered presynaptic trace).
  bool per_pre = false;
  /// The coefficient of epsilon^m (t-1) in epsilon^k (t), per source state m:
  /// names of hidden post-model states holding d h_k[t] / d h_m[t-1], or a
  /// constant, index-aligned with TrainedProjection::traces.
  std::vector<Expr> jacobian;
  /// d h_k[t] / d i[t] for the projection's target input: a hidden state
  /// name or a constant, as an Expr over the post model's states.
  Expr input_gain;
  /// The factor of epsilon^k in the learning-signal product: psi * dg/dh_k
  /// for a spiking population, d y / d h_k for the readout.
  Expr output_gain;
};

struct TrainedProjection {
  int projection = -1;  ///< index in Network::projections
  bool readout = false; ///< the post population is the readout (exact gradient)
  std::vector<EligibilityTrace> traces;
  /// Hidden post populations with symmetric feedback: the projection from
  /// the post population to the readout whose weights carry the error back.
  int feedback_projection = -1;
};

/// A `train NET with eprop { ... }` regime. Times in seconds.
struct Training {
  DataSource train, test;
  double test_split = 0;       ///< hold out this fraction of `train` as test data when `test` is absent
  double validation_split = 0; ///< hold out this fraction of the training data for validation
  uint32_t timesteps = 0;      ///< steps per example
  uint32_t epochs = 1;
  std::string input;   ///< the population the data drives (its model reads stimulus())
  std::string readout; ///< the readout population
  std::string readout_variable;
  ReadoutKind readout_kind = ReadoutKind::PerStep;
  uint32_t last_steps = 0; ///< LastSteps: N
  bool readout_bias = false;
  LossKind loss = LossKind::SparseCategoricalCrossentropy;
  /// The optimiser, schedule, regularisers, early stopping, checkpoints.
  Workflow workflow;
  FeedbackKind feedback = FeedbackKind::Symmetric;
  /// Every path differentiated, the membrane reset included (default: not
  /// through the membrane reset, Bellec et al. 2020; with `bptt`: true).
  bool differentiate_reset = false;
  /// `train NET with bptt`: exact surrogate-gradient backpropagation through
  /// time (the adjoint strategy with the terms through every projection out
  /// of a trained population, and the readout's own weights as feedback).
  bool bptt = false;
  SourceLocation loc; ///< `train` in the regime's header

  // Set by the eprop pass.
  bool derived = false;
  std::vector<TrainedProjection> trained;
  /// The readout's decay per step, kappa = d y[t] / d y[t-1]: hidden traces
  /// are filtered by it (a spike's effect on every later readout value).
  double readout_decay = 0;
  /// d y[t] / d i[t] of the readout input that hidden populations (and the
  /// bias) drive, and that input's name.
  double readout_gain = 1;
  std::string readout_input;
};

/// The largest batch a regime may ask for (the runtime's --batch has the
/// same bound, SNN_MAX_BATCH in the model ABI).
constexpr uint32_t kMaxBatch = 1u << 20;

struct Regime {
  std::string network;
  double dt = 1e-4;      ///< s
  double duration = 1.0; ///< s
  uint64_t seed = 1;
  uint32_t batch = 1; ///< examples simulated together, each with its own random numbers
  std::vector<Record> records;
  std::vector<Stimulus> stimuli;
  /// Set for `train NET with eprop { ... }`; `duration` is then timesteps * dt.
  std::optional<Training> training;
};

struct Module {
  std::vector<NeuronModel> models;
  std::vector<SynapseModel> synapses;
  Network network;
  Regime regime;
  bool has_regime = false;
  /// Whether resolve-params has run: each population has a model of its own
  /// with no parameters left. Set by that pass, and by the IR reader for a
  /// text with no parameters, overrides or inits (what snnc prints is past
  /// that pass); resolve-params skips such a module rather than specialise
  /// it again (which would rename `M@p` to `M@p@p`). Not printed.
  bool params_resolved = false;

  NeuronModel *find_model(const std::string &n);
  const NeuronModel *find_model(const std::string &n) const;
  const SynapseModel *find_synapse(const std::string &n) const;
};

/// The hidden state that holds what input `input` received in a step, for
/// recording it (`record p.i`): `i@received`, a name no source can write.
std::string received_state(const std::string &input);
/// The input whose received value state `state` holds, or "" for another.
std::string received_input(const std::string &state);

/// Calls `fn` on every non-null expression of `m`: parameter defaults, state
/// initial values, ODE right sides, the refractory period, the update map,
/// the spike condition, the reset and the surrogate. The one list of a
/// model's expression fields: a new field is added here, and every pass that
/// rewrites "all expressions" (fold-constants, resolve-params, ...) sees it.
void for_each_expr(NeuronModel &m, const std::function<void(Expr &)> &fn);
/// Read-only form of the above, in the same order.
void for_each_expr(const NeuronModel &m, const std::function<void(const Expr &)> &fn);

/// Calls `fn` on every non-null expression of `m`: those of each model (as
/// above), then each population's parameter overrides and initial values.
/// Projections and the regime hold numbers, not expressions.
void for_each_expr(Module &m, const std::function<void(Expr &)> &fn);
/// Read-only form of the above, in the same order.
void for_each_expr(const Module &m, const std::function<void(const Expr &)> &fn);

/// Whether any expression of `m` reads stimulus(): a population of the
/// model fires only when the regime (or the training data) drives it.
bool reads_stimulus(const NeuronModel &m);

} // namespace snn::ir
