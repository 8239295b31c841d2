//===- lower/Program.h - What every backend reads ---------------*- C++ -*-===//
//
// The lowered Program: buffers with a scope, an extent and a batch axis;
// kernels whose bodies are statements over those buffers; and entry points,
// each an ordered list of kernel launches. It also carries what the runtime
// needs to know of the network (populations, projections, records, stimuli,
// the regime's settings), so a backend reads nothing but the Program.
//
// Semantics are decided here, once: the order of phases within a step, the
// layout of every buffer, the counters of every random draw, refractory
// gating, stimulus handling. A backend only translates.
//
// Layout: a per-example buffer holds `batch` consecutive copies of its
// extent, example-major: element i of example b is at b * extent + i.
//
// Built-in locals, readable in every kernel body:
//   batch          I64   examples in this batch (>= 1)
//   first_example  I64   global index of example 0 of the batch
//   key.0, key.1   U32   the run's Philox key (snn_philox_key of the seed)
//   step           I64   the step being taken (0 outside `step`)
//   t              Real  the time at the start of the step: step * dt
//                        computed in double and rounded once (0 outside `step`)
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/DeliveryStrategy.h"
#include "lower/EpropStrategy.h"
#include "lower/Stmt.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace snn::lower {

/// How a buffer's elements are stored.
enum class ElemType : uint8_t {
  F32,
  F64,
  I32,
  U32,
  U8,
  Bits, ///< one bit per element, packed into u32 words (bit i % 32 of word i / 32)
};
const char *name_of(ElemType type);
/// The value type of a loaded element (see Load).
Type value_type(ElemType type);
/// Bytes taken by `count` elements (Bits: whole u32 words).
uint64_t storage_bytes(ElemType type, uint64_t count);

/// What one element of a buffer belongs to.
enum class ScopeKind : uint8_t {
  Neuron,  ///< a neuron of population `owner`
  Synapse, ///< a synapse of projection `owner` (the count is known when the runtime builds it)
  Pre,     ///< a presynaptic neuron of projection `owner`
  Post,    ///< a postsynaptic neuron of projection `owner`
  Row,     ///< a row boundary of projection `owner`'s synapses: num_pre + 1 of them
  Global,  ///< `extent` elements belonging to the whole network
  Column,  ///< a column boundary of projection `owner`'s synapses (by post neuron): num_post + 1 of them
};
const char *name_of(ScopeKind scope);

enum class BatchAxis : uint8_t {
  Shared,     ///< one copy for the whole batch (weights, connectivity)
  PerExample, ///< one copy per example (states, spikes, inputs)
};

/// What the runtime does with a buffer, beyond allocating it.
enum class BufferRole : uint8_t {
  State,         ///< a state variable of a population (readable, recordable)
  Input,         ///< an input accumulator of a population
  Spiked,        ///< 1 where a neuron spiked in the last step (the runtime counts and records them)
  Stimulus,      ///< set by the runtime before every step from the regime's spike files
  RowStart,      ///< CSR row offsets, built by the runtime
  Target,        ///< CSR postsynaptic neuron of each synapse, built by the runtime
  Weight,        ///< a synaptic weight, initialised by `init`
  Label,         ///< I32 per example, extent 1: the example's label, set by the runtime (training)
  Loss,          ///< Real per example, extent 1: the example's loss, accumulated by step / end_example
  Scores,        ///< Real per example, extent = classes: the prediction is their argmax
  Gradient,      ///< Real, shared: a trained parameter's gradient summed over the batch (reduce_gradients)
  Hyper,         ///< Real, global, extent 1: the learning rate, set by the runtime
  Training,      ///< traces, gradients, learning signals, optimiser moments, arrival flags: owned by kernels
  Bias,          ///< Real, shared, per neuron: a trained bias of the readout
  Running,       ///< Real, per example: training state kept across examples (a filtered rate), checkpointed
  Delay,         ///< U32, shared, per synapse: the synapse's delay in steps, drawn by `init`
  Delayed,       ///< Real, per example, global: a projection's ring of delayed effects, cleared by reset_example
  SynapseState,  ///< per synapse and example: a synapse model's state (or its last update's step, i32)
  ColumnStart,   ///< U32, shared, column scope: offsets of each post neuron's synapses, built by the runtime
  ColumnSynapse, ///< U32, shared, per synapse: the synapses by post neuron (indices into rows), built by the runtime
  ColumnPre,     ///< U32, shared, per synapse: the pre neuron of each synapse in column order, built by the runtime
  History,       ///< per example, global: `extent` elements per step of an example, allocated for the run's steps
  Bitmask, ///< U32, shared, global: a bitmask-stored projection's synapses (ProjectionInfo::mask), built by the runtime
  SpikeBlock, ///< Bits, per example, global: a device's spikes of the last Program::spike_block_steps steps
  /// I32, per example, global, one element per real state of the
  /// population: 0, or 1 + the slot in the spike block of the first step
  /// after which the state was not finite (lower/SpikeBlocks.h)
  NonfiniteStep,
};
const char *name_of(BufferRole role);

struct Scope {
  ScopeKind kind = ScopeKind::Global;
  int owner = -1; ///< population or projection index
};

struct Buffer {
  std::string name; ///< e.g. "exc.v", "exc->inh.ge.weight"
  ElemType type = ElemType::F32;
  Scope scope;
  BatchAxis batch = BatchAxis::PerExample;
  BufferRole role = BufferRole::State;
  std::string unit; ///< SI unit of the values, e.g. "V"; "1" when dimensionless; "" for indices
  /// Elements per example (per batch when shared). For Synapse scope, the
  /// count the connectivity is expected to have; the runtime uses the real one.
  uint64_t extent = 0;
  bool extent_is_estimate = false; ///< a Synapse extent of random connectivity
};

/// A formal parameter of a kernel: a buffer, or a scalar (I64, I32, U32).
struct Param {
  enum class Kind : uint8_t { Buffer, Scalar };
  enum class Access : uint8_t { Read, Write, ReadWrite };
  Kind kind = Kind::Buffer;
  std::string name;
  // Buffers
  ElemType elem = ElemType::F32;
  ScopeKind scope = ScopeKind::Neuron;
  BatchAxis batch = BatchAxis::PerExample;
  Access access = Access::Read;
  // Scalars
  Type type = Type::I64;

  static Param buffer(std::string name, ElemType elem, ScopeKind scope, BatchAxis batch, Access access);
  static Param scalar(std::string name, Type type);
};

/// The points a kernel's body runs at. Index locals (I64) are bound by the
/// domain; `b` (the example) only for batched domains.
enum class DomainKind : uint8_t {
  /// (b, n) for n < `extent`: every neuron of a population, every example.
  Neurons,
  /// (b, pre) for pre < `extent` where spikes[b * extent + pre] != 0: the
  /// rows of the presynaptic neurons that spiked, in increasing order.
  SpikingRows,
  /// (b, pre, s) for pre < `extent` and rows[pre] <= s < rows[pre + 1]:
  /// every synapse of a projection, row by row.
  Synapses,
  /// (i, b) for i < `extent`, and for each i every example b = 0, 1, ...,
  /// batch - 1 in order: a reduction over the batch into shared buffers.
  /// Points of different i may run in parallel, those of one i never do,
  /// so the sum is the same whatever the thread count.
  BatchReduction,
};
const char *name_of(DomainKind kind);

struct Domain {
  DomainKind kind = DomainKind::Neurons;
  /// Whether the domain also runs over examples (`b`); always true for a
  /// BatchReduction, whose reduction is over examples.
  bool batched = true;
  int extent = -1; ///< the scalar parameter (I64) giving the count
  int spikes = -1; ///< SpikingRows: the u8 buffer parameter of spike flags (per example)
  int rows = -1;   ///< Synapses: the u32 buffer parameter of row offsets (shared)
  /// Neurons only: a device may also run the body at points n >= extent,
  /// up to a whole block of kDeviceBlockPoints, so that every point of a
  /// block reaches the body's Stage (Stmt.h). The body then has no effect
  /// and reads nothing out of bounds at those points: it guards itself. A
  /// CPU runs n < extent only.
  bool runs_past_extent = false;
};

/// The points of a domain a device runs as one block: on CUDA, the threads
/// of a block, which share a Stage's copy of its tile (Stmt.h).
constexpr int kDeviceBlockPoints = 128;

struct Kernel {
  std::string name; ///< e.g. "update.LIF", "deliver"
  Domain domain;
  std::vector<Param> params;
  Stmt body;
  /// Index of the parameter called `name`, or -1.
  int param(const std::string &name) const;
};

/// An argument of a launch: a buffer index, or an integer for a scalar.
struct Argument {
  int buffer = -1;
  int64_t scalar = 0;
};

struct Launch {
  int kernel = -1;
  std::vector<Argument> args; ///< one per kernel parameter, in order
  std::string what;           ///< for printing, e.g. "population exc"
};

/// An entry point of the model ABI: its launches, in order.
struct EntryPoint {
  std::string name; ///< "init", "reset_example", "step"
  std::vector<Launch> launches;
  /// Every launch works on each example on its own (batched domains, no
  /// write to a shared buffer, per-example bit buffers in whole words), so
  /// the runtime may run groups of examples on different threads and get
  /// the same bits (set by mark_batch_separable).
  bool batch_separable = false;
};

// What the runtime needs of the network (the model ABI's descriptors).

struct VariableInfo {
  std::string name; ///< as the model writes it
  int buffer = -1;
  bool hidden = false; ///< added by a pass (e.g. a refractory counter)
  /// `init p.v = load(...)`: the file (and .npz array) whose values replace
  /// the state's initial ones in every example; empty for none.
  std::string file, array;
};

struct PopulationInfo {
  std::string name, model;
  uint32_t size = 0;
  std::vector<VariableInfo> states, inputs;
  int spiked = -1;
  int stimulus = -1; ///< -1 when no spike file drives it
  /// On a device: its spikes of the last Program::spike_block_steps steps
  /// (lower/SpikeBlocks.h); -1 on the CPU.
  int spike_block = -1;
  /// On a device, with a spike block and real states: per real state, the
  /// first step of the block after which it was not finite (NonfiniteStep).
  int nonfinite = -1;
};

/// How a projection's synapses are chosen: as the model IR says.
using Connectivity = ir::ConnectivityKind;

struct ProjectionInfo {
  std::string name; ///< e.g. "exc -> inh.ge"
  int pre = -1, post = -1;
  Connectivity connectivity = Connectivity::Dense;
  double probability = 1;
  uint64_t count = 0; ///< FixedInDegree, FixedOutDegree: the degree; FixedTotal: the synapses
  bool autapses = true;
  /// Conv2D, AvgPool2D: the populations' shapes and the window (ir/Window.h).
  ir::Shape pre_shape, post_shape;
  ir::Window window;
  /// FromList: the (pre, post) pairs, ascending.
  std::vector<std::pair<uint32_t, uint32_t>> pairs;
  int row_start = -1, target = -1, weight = -1;
  /// Delays over one step: the ring of delayed effects (BufferRole::Delayed)
  /// and its rows (DelayKernels.h), and with per-synapse delays the delay of
  /// each synapse (BufferRole::Delay); -1 and 0 without.
  int ring = -1, delay = -1;
  uint64_t ring_slots = 0;
  /// A synapse model with a delay over one step: U8 per presynaptic neuron
  /// and example, 1 where the spike of step t - (d - 1) arrives now (one
  /// delay d for the projection) or may (a delay per synapse: a spike in the
  /// delays' window), so that `on pre` visits those rows only
  /// (BufferRole::Training, owned by its kernels); -1 otherwise.
  int arrived = -1;
  /// A synapse model's states (name, buffer; BufferRole::SynapseState), the
  /// step of each synapse's last event, and for `on post` the synapses by
  /// post neuron (SynapseModelKernels.h); empty and -1 without.
  std::vector<std::pair<std::string, int>> synapse_states;
  int last_event = -1, col_start = -1, col_synapse = -1;
  /// How its spikes reach the target (DeliveryStrategy.h), what the cost
  /// model estimated, and for the postsynaptic strategy the presynaptic
  /// neuron of each column entry (BufferRole::ColumnPre; -1 otherwise).
  DeliveryStrategy delivery = DeliveryStrategy::Presynaptic;
  DeliveryCost delivery_cost;
  int col_pre = -1;
  /// `weight load(...)`: the file the runtime reads the weights from after
  /// `init` (empty: none) and its .npz array (empty: an .npy, read whole).
  std::string weight_file, weight_array;
  ir::WeightLayout weight_layout = ir::WeightLayout::Default; ///< how weight_file orders its values
  /// How its synapses are stored (passes/Sparsify.h): ragged storage has
  /// the `target` buffer, dense none (-1); and the cost model's estimates.
  ir::SynapseStorage storage = ir::SynapseStorage::Ragged;
  std::vector<ir::StorageEstimate> storage_estimates;
  /// Bitmask storage (no row_start, target or weight buffer): the mask
  /// (BufferRole::Bitmask), `words_per_row` u32 words per presynaptic
  /// neuron, bit j % 32 of word pre * words_per_row + j / 32 set where pre
  /// -> j is a synapse; -1 otherwise. Procedural storage has no buffer.
  int mask = -1;
  uint64_t words_per_row = 0;
};

struct RecordInfo {
  bool spikes = true; ///< spikes or a rate: no buffer
  bool rate = false;
  uint32_t interval = 1;         ///< state and rate: steps per sample
  std::vector<uint32_t> indices; ///< a list of neurons, or empty for begin:end:stride
  int population = -1;
  int buffer = -1; ///< the state's buffer, for state records
  uint32_t begin = 0, end = 0, stride = 1;
  std::string file;     ///< empty: the executable's --out file
  int64_t example = -1; ///< train regimes: the training example recorded
};

struct StimulusInfo {
  int population = -1;
  std::string path;
};

/// A dense data set or an event data set of a training regime.
struct DataInfo {
  std::string path; ///< empty when absent
  std::string labels_path;
  ir::EncoderKind encoder = ir::EncoderKind::Events;
  double max_value = 1, max_rate = 100;
};

/// A parameter of the weight files: the trained weights of a projection, the
/// trained bias of a population, or (`feedback`) the random feedback matrix
/// of a hidden population: a Global buffer of n_hidden * n_readout reals,
/// row-major [hidden, readout], read and written by weight files, never
/// trained (gradient -1).
struct TrainedParamInfo {
  std::string name;      ///< "<pre>-><post>" or "<population>.bias"
  bool bias = false;     ///< false: projection weights
  int index = -1;        ///< projection (weights) or population (bias)
  int value = -1;        ///< buffer of the values
  int gradient = -1;     ///< buffer of the batch-summed gradient, same layout as `value`
  bool feedback = false; ///< a random feedback matrix of hidden population `index`
  /// Buffer of the per-example gradients reduce_gradients sums into
  /// `gradient` (per example, same layout); -1 for a feedback matrix.
  int example_gradient = -1;
};

/// One hyperparameter, as the model ABI describes it (snn_hyper_desc).
struct HyperInfo {
  std::string name; ///< the executable's option without "--"
  std::string help;
  double value = 0; ///< the regime's value
  double min = 0, max = 0;
  bool min_open = false, max_open = false, integer = false, boolean = false;
};

/// A prune rule (ir::PruneRule) of one projection, as the runtime applies
/// it (snn_prune_desc).
struct PruneInfo {
  int projection = -1;
  double density = 0;
  bool gradual = true;
  uint32_t epochs = 1;
};

/// A Deep R rule (ir::RewireRule) of one projection (snn_rewire_desc): the
/// kernel of apply_gradients flags the synapses that turned dormant in
/// `dormant` (U8, per synapse, shared), which the runtime replaces.
struct RewireInfo {
  int projection = -1;
  double l1 = 0, temperature = 0;
  int dormant = -1;
};

/// What the runtime needs to train (enabled only for a `train` regime).
struct TrainingInfo {
  bool enabled = false;
  uint32_t timesteps = 0, epochs = 1;
  double test_split = 0, validation_split = 0;
  DataInfo train, test;
  int input = -1, readout = -1; ///< populations
  uint32_t classes = 0;
  int label = -1, loss = -1, scores = -1, lr = -1; ///< buffers
  double lr_default = 1e-3;
  std::string loss_name, readout_name, optimizer_name;
  std::vector<TrainedParamInfo> params;
  /// The `train.hyper` buffer and its elements (lower/Hyperparameters.h).
  int hyper = -1;
  std::vector<HyperInfo> hypers;
  /// What the runtime's loop does with them (ir::Workflow).
  ir::ScheduleKind schedule = ir::ScheduleKind::Constant;
  ir::PeriodUnit schedule_unit = ir::PeriodUnit::Epochs, warmup_unit = ir::PeriodUnit::Epochs;
  ir::Metric schedule_monitor = ir::Metric::ValidationLoss;
  bool early_stopping = false;
  ir::Metric early_stopping_monitor = ir::Metric::ValidationLoss;
  ir::PeriodUnit checkpoint_unit = ir::PeriodUnit::Epochs;
  std::string checkpoint_dir; ///< empty: none unless the run asks
  /// How the gradient is computed (EpropStrategy.h), what the cost model
  /// estimated, and why the adjoint strategy was out of reach (empty when
  /// it was not).
  EpropStrategy strategy = EpropStrategy::Online;
  bool bptt = false; ///< `train ... with bptt`: the adjoint strategy and the terms through every projection
  EpropCost strategy_cost;
  std::string adjoint_unsupported;
  /// The adjoint strategy: the runtime calls train_backward per step, in
  /// reverse, after each example.
  bool backward_pass = false;
  /// The adjoint strategy: the buffers a checkpoint of the forward pass
  /// holds (lower/Dependence.h, segment_state), for runs whose histories
  /// hold fewer steps than an example has.
  std::vector<int> segment_state;
  /// The regime's prune rules, one per pruned projection.
  std::vector<PruneInfo> prune;
  /// The regime's Deep R rules, one per rewired projection.
  std::vector<RewireInfo> rewire;
};

struct Program {
  std::string name;
  ElemType real = ElemType::F32; ///< F32 or F64: the type of every Real
  double dt = 1e-4;              ///< s
  double duration = 1;           ///< s
  uint64_t seed = 1;
  uint32_t batch = 1; ///< default number of examples per batch

  std::vector<Buffer> buffers;
  std::vector<Kernel> kernels;
  std::vector<EntryPoint> entries; ///< init, reset_example, step, in that order

  std::vector<PopulationInfo> populations;
  std::vector<ProjectionInfo> projections;
  std::vector<RecordInfo> records;
  std::vector<StimulusInfo> stimuli;
  TrainingInfo training;
  /// Steps of a population's spike block; 0 without (the CPU).
  uint32_t spike_block_steps = 0;

  /// The entry point called `name`; throws ir::InternalError if none.
  const EntryPoint &entry(const std::string &name) const;
  /// Bytes of buffer `index` for `batch` examples (Synapse extents as
  /// estimated; histories for the regime's steps per example).
  uint64_t bytes(int index, uint32_t batch) const;
  /// Bytes of all buffers for `batch` examples.
  uint64_t total_bytes(uint32_t batch) const;
};

/// A launch of kernel `kernel` of `program` binding each of its parameters
/// to `args[name]`; throws ir::InternalError naming `what` (e.g. "population
/// exc") when a parameter is left unbound.
Launch bind_launch(const Program &program, int kernel, std::string what, const std::map<std::string, Argument> &args);

/// Sets EntryPoint::batch_separable of every entry point of `program`.
void mark_batch_separable(Program &program);

/// Removes the kernels no entry point launches and renumbers the launches.
void drop_unlaunched_kernels(Program &program);

/// The names of the entry points, in ABI order.
const std::vector<std::string> &entry_point_names();

/// How the runtime calls the entry point `name` in the model ABI: at
/// consecutive steps `stride` apart within an example (1 for "step" and
/// "train_step", -1 for the reverse-time "train_backward"), or 0 for once
/// at a time. A device may replay a step's launches from one capture.
int consecutive_step_stride(const std::string &name);

} // namespace snn::lower
