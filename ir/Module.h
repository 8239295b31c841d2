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
#include "snn/Diagnostic.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
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

enum class IntegrationMethod : uint8_t { Auto, Exact, Euler, RK4 };
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

  const Parameter *find_param(const std::string &n) const;
  const StateVar *find_state(const std::string &n) const;
  const InputVar *find_input(const std::string &n) const;
  int state_index(const std::string &n) const;
  int input_index(const std::string &n) const;
};

struct Population {
  std::string name;
  std::string model; ///< name of a NeuronModel in the module
  uint32_t size = 1;
  /// Parameter overrides from the network, in declaration order.
  std::vector<std::pair<std::string, Expr>> overrides;
  /// Initial-value overrides from the regime (state name, value).
  std::vector<Assignment> inits;
  SourceLocation loc; ///< the model name in the population's declaration
};

enum class ConnectivityKind : uint8_t { Dense, FixedProbability, OneToOne };
const char *name_of(ConnectivityKind k);

enum class WeightDistribution : uint8_t { Constant, Uniform, Normal };

struct WeightInit {
  WeightDistribution dist = WeightDistribution::Constant;
  double a = 0, b = 0; ///< SI: constant a; uniform [a, b); normal mean a, sd b
  Dimension dim;
};

enum class TargetKind : uint8_t { State, Input };

struct Projection {
  std::string pre, post;
  std::string target; ///< variable of the post model
  TargetKind target_kind = TargetKind::Input;
  ConnectivityKind connectivity = ConnectivityKind::Dense;
  double probability = 1.0;
  bool autapses = true;
  WeightInit weight;
};

struct Network {
  std::string name;   ///< empty when the file declares no network
  SourceLocation loc; ///< the network's name in its declaration
  std::vector<Population> populations;
  std::vector<Projection> projections;
  const Population *find_population(const std::string &n) const;
  int population_index(const std::string &n) const;
};

enum class RecordKind : uint8_t { Spikes, State };

struct Record {
  RecordKind kind = RecordKind::Spikes;
  std::string population;
  std::string variable; ///< for State records
  uint32_t begin = 0, end = 0, stride = 1;
  std::string file; ///< empty: the executable's --out file
};

struct Stimulus {
  std::string population;
  std::string path;
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
};

struct Module {
  std::vector<NeuronModel> models;
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
};

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

} // namespace snn::ir
