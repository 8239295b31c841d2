//===- passes/EProp.cpp - Eligibility traces derived from the models ------===//
#include "passes/EProp.h"

#include "ir/Differentiate.h"
#include "ir/ExprVisitor.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace snn::passes {

// '@' cannot appear in a .snn name, so these never clash with a user's.
std::string jacobian_state(const std::string &k, const std::string &m) { return "eprop@J@" + k + "@" + m; }
std::string spike_gain_state(const std::string &k) { return "eprop@dz@" + k; }
std::string input_gain_state(const std::string &k, const std::string &input) { return "eprop@in@" + k + "@" + input; }

namespace {

using diag::DiagKind;
using ir::Expr;

/// A model's name as the user wrote it (resolve-params specialises `M` to
/// `M@population`).
std::string written(const std::string &model) { return model.substr(0, model.find('@')); }

using ir::is_zero;

bool is_constant(const Expr &e) {
  double v = 0;
  return ir::constant_value(e, v);
}

Expr state_var(const ir::StateVar &s) { return ir::Variable::make(ir::VarKind::State, s.name, s.dim, s.type); }

/// `e` with last_spike() fixed to `value`.
Expr with_last_spike(const Expr &e, bool value) {
  return ir::substitute(e, [&](const ir::Variable &v) -> Expr {
    return v.var_kind == ir::VarKind::LastSpike ? ir::Constant::make_bool(value) : Expr();
  });
}

bool mentions_last_spike(const Expr &e) {
  return ir::mentions(e, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::LastSpike; });
}

/// `e` simplified, and free of last_spike() when both of its values give
/// the same expression (a derivative of `select(last_spike(), U - c, U)`).
Expr simplified(const Expr &e) {
  Expr s = ir::simplify(e);
  if (!mentions_last_spike(s))
    return s;
  Expr spiked = ir::simplify(with_last_spike(s, true)), quiet = ir::simplify(with_last_spike(s, false));
  return ir::to_string(spiked) == ir::to_string(quiet) ? quiet : s;
}

/// The conjuncts of a boolean expression (`a and b and c`).
void conjuncts(const Expr &e, std::vector<Expr> &out) {
  if (const auto *b = e.as<ir::Binary>(); b && b->op == ir::BinaryOp::And) {
    conjuncts(b->a, out);
    conjuncts(b->b, out);
    return;
  }
  out.push_back(e);
}

/// The calculus of one post model for one target input: every derivative
/// e-prop needs, as simplified model-IR expressions.
struct Calculus {
  std::vector<const ir::StateVar *> states;                    ///< the real states, in declaration order
  std::map<std::string, Expr> next;                            ///< F_k over the old values (every state, counters too)
  std::map<std::string, Expr> input_gain;                      ///< D_k
  std::map<std::string, std::map<std::string, Expr>> jacobian; ///< J[k][m]
  std::map<std::string, Expr> output_gain;                     ///< O_k over the values at t (before substitution)
  std::vector<std::string> traces;                             ///< the states with an eligibility trace
};

class EPropDeriver {
public:
  EPropDeriver(ir::Module &m, PassContext &ctx) : m_(m), tr_(*m.regime.training), ctx_(ctx) {}

  bool run() {
    const ir::Network &net = m_.network;
    int readout = net.population_index(tr_.readout);
    ir::internal_check(readout >= 0, "the readout population '" + tr_.readout + "' does not exist");
    const ir::Population &out = net.populations[readout];
    const ir::NeuronModel &out_model = model(out);
    bool count = tr_.readout_kind == ir::ReadoutKind::SpikeCount;
    if (count && !out_model.spike_condition) {
      ctx_.diags.report(DiagKind::eprop_count_readout, tr_.loc, out.name,
                        "counts spikes, but the model '" + written(out_model.name) + "' of '" + out.name +
                            "' never spikes");
      return false;
    }
    if (count && tr_.readout_bias) {
      ctx_.diags.report(DiagKind::eprop_count_readout, tr_.loc, out.name,
                        "takes no readout bias: remove 'readout_bias = true'");
      return false;
    }
    if (!count && out_model.spike_condition) {
      ctx_.diags.report(DiagKind::eprop_readout_spikes, out.loc, out.name);
      return false;
    }
    if (tr_.loss == ir::LossKind::SparseCategoricalCrossentropy && out.size < 2) {
      ctx_.diags.report(DiagKind::eprop_too_few_classes, out.loc, out.name, out.size);
      return false;
    }
    std::vector<int> trained;
    for (size_t j = 0; j < net.projections.size(); ++j) {
      const ir::Projection &p = net.projections[j];
      if (p.frozen)
        continue;
      if (p.target_kind == ir::TargetKind::State) {
        ctx_.diags.report(DiagKind::eprop_target_not_input, p.loc, describe(p), p.target);
        return false;
      }
      trained.push_back(int(j));
    }
    if (trained.empty()) {
      ctx_.diags.report(DiagKind::eprop_nothing_trained, tr_.loc, net.name);
      return false;
    }
    if (count) {
      // A spike counts once, whenever it comes: no readout filter.
      tr_.readout_decay = 0;
      tr_.readout_gain = 1;
    } else if (!derive_readout_filter(readout)) {
      return false;
    }
    for (int j : trained)
      if (!derive_projection(j, readout))
        return false;
    if (count) {
      bool trained_readout = false, hidden = false;
      for (const ir::TrainedProjection &tp : tr_.trained)
        (tp.readout ? trained_readout : hidden) = true;
      if (hidden && !trained_readout) {
        ctx_.diags.report(DiagKind::eprop_count_readout, tr_.loc, out.name,
                          "reaches the hidden populations through the readout's own spikes, which need a trained "
                          "projection into '" +
                              out.name + "'");
        return false;
      }
    }
    if (tr_.bptt && !check_bptt_paths(readout))
      return false;
    add_hidden_states();
    tr_.derived = true;
    return true;
  }

  /// BPTT propagates the gradient of a trained population's spikes through
  /// every projection out of it into a population that reaches the
  /// readout; each such projection's target needs an adjoint, which exists
  /// where a trained projection drives the same input.
  bool check_bptt_paths(int readout) {
    const ir::Network &net = m_.network;
    const std::string &out = net.populations[readout].name;
    std::set<std::string> trained_posts;
    std::set<std::pair<std::string, std::string>> adjoints; // (post, target)
    for (const ir::TrainedProjection &tp : tr_.trained) {
      const ir::Projection &p = net.projections[tp.projection];
      adjoints.emplace(p.post, p.target);
      if (!tp.readout)
        trained_posts.insert(p.post);
    }
    for (const ir::Projection &p : net.projections) {
      if (!trained_posts.count(p.pre) || adjoints.count({p.post, p.target}) || !reaches(p.post, out))
        continue;
      ctx_.diags.report(DiagKind::bptt_untrained_path, p.loc, p.pre, p.pre + " -> " + p.post + "." + p.target,
                        p.post + "." + p.target);
      return false;
    }
    return true;
  }

  /// Whether spikes of `from` reach population `to` (itself included).
  bool reaches(const std::string &from, const std::string &to) const {
    std::set<std::string> seen{from};
    std::deque<std::string> work{from};
    while (!work.empty()) {
      std::string x = work.front();
      work.pop_front();
      if (x == to)
        return true;
      for (const ir::Projection &p : m_.network.projections)
        if (p.pre == x && seen.insert(p.post).second)
          work.push_back(p.post);
    }
    return false;
  }

private:
  const ir::NeuronModel &model(const ir::Population &p) const {
    const ir::NeuronModel *model = m_.find_model(p.model);
    ir::internal_check(model != nullptr, "population '" + p.name + "' names unknown model '" + p.model + "'");
    ir::internal_check(model->discretized, "eprop ran before discretize-odes");
    return *model;
  }

  static std::string describe(const ir::Projection &p) { return "'" + p.pre + " -> " + p.post + "." + p.target + "'"; }

  /// F, D and the direct Jacobian of `model` for input `input`.
  Calculus calculus(const ir::NeuronModel &model, const std::string &input) const {
    Calculus c;
    for (const ir::StateVar &s : model.states) {
      c.next[s.name] = state_var(s);
      if (s.type == ir::ScalarType::Real && s.name.rfind("eprop@", 0) != 0)
        c.states.push_back(&s);
    }
    for (const ir::Assignment &a : model.update)
      c.next[a.state] = a.value;
    const ir::InputVar *in = model.find_input(input);
    ir::internal_check(in != nullptr, "model '" + model.name + "' has no input '" + input + "'");
    for (const ir::StateVar *k : c.states) {
      const Expr &f = c.next[k->name];
      c.input_gain[k->name] = simplified(ir::differentiate(f, ir::VarKind::Input, input, in->dim));
      for (const ir::StateVar *m : c.states)
        c.jacobian[k->name][m->name] = simplified(ir::differentiate(f, ir::VarKind::State, m->name, m->dim));
    }
    return c;
  }

  /// States reachable from `start` along nonzero Jacobian entries (forward:
  /// m -> k when J[k][m] != 0; backward: k -> m).
  static std::set<std::string> reach(const Calculus &c, std::set<std::string> start, bool forward) {
    std::deque<std::string> work(start.begin(), start.end());
    while (!work.empty()) {
      std::string x = work.front();
      work.pop_front();
      for (const ir::StateVar *s : c.states) {
        const Expr &entry = forward ? c.jacobian.at(s->name).at(x) : c.jacobian.at(x).at(s->name);
        if (!is_zero(entry) && start.insert(s->name).second)
          work.push_back(s->name);
      }
    }
    return start;
  }

  static void select_traces(Calculus &c) {
    std::set<std::string> driven, observed;
    for (const ir::StateVar *s : c.states) {
      if (!is_zero(c.input_gain[s->name]))
        driven.insert(s->name);
      if (!is_zero(c.output_gain[s->name]))
        observed.insert(s->name);
    }
    std::set<std::string> from_input = reach(c, driven, true), to_output = reach(c, observed, false);
    for (const ir::StateVar *s : c.states)
      if (from_input.count(s->name) && to_output.count(s->name))
        c.traces.push_back(s->name);
  }

  /// kappa and the readout's input gain, from the readout model.
  bool derive_readout_filter(int readout) {
    const ir::Population &out = m_.network.populations[readout];
    const ir::NeuronModel &model = this->model(out);
    // The readout input: the target of the first projection into the readout.
    std::string input;
    for (const ir::Projection &p : m_.network.projections)
      if (p.post == out.name && p.target_kind == ir::TargetKind::Input) {
        input = p.target;
        break;
      }
    if (input.empty() && !model.inputs.empty())
      input = model.inputs.front().name;
    const ir::StateVar *y = model.find_state(tr_.readout_variable);
    ir::internal_check(y != nullptr, "readout variable '" + tr_.readout_variable + "' is not a state");
    if (input.empty()) {
      ctx_.diags.report(DiagKind::eprop_readout_not_linear, out.loc, written(model.name), y->name, "it has no input");
      return false;
    }
    Calculus c = calculus(model, input);
    double kappa = 0, gain = 0;
    for (const ir::StateVar *s : c.states) {
      if (s->name == y->name)
        continue;
      if (!is_zero(c.jacobian[y->name][s->name])) {
        ctx_.diags.report(DiagKind::eprop_readout_not_linear, out.loc, written(model.name), y->name,
                          "its update depends on '" + s->name + "'");
        return false;
      }
    }
    if (!ir::constant_value(c.jacobian[y->name][y->name], kappa) || !ir::constant_value(c.input_gain[y->name], gain)) {
      ctx_.diags.report(DiagKind::eprop_readout_not_linear, out.loc, written(model.name), y->name,
                        "its decay or its input gain is not a constant");
      return false;
    }
    if (mentions_last_spike(c.next[y->name])) {
      ctx_.diags.report(DiagKind::eprop_readout_not_linear, out.loc, written(model.name), y->name, "it has a reset");
      return false;
    }
    tr_.readout_decay = kappa;
    tr_.readout_gain = gain;
    tr_.readout_input = input;
    return true;
  }

  bool derive_projection(int j, int readout) {
    const ir::Projection &p = m_.network.projections[j];
    const ir::Population &post = *m_.network.find_population(p.post);
    const ir::NeuronModel &model = this->model(post);
    ir::TrainedProjection tp;
    tp.projection = j;
    tp.readout = post.name == m_.network.populations[readout].name;
    Calculus c = calculus(model, p.target);
    bool driven = false;
    for (const ir::StateVar *s : c.states)
      driven = driven || !is_zero(c.input_gain[s->name]);
    if (!driven) {
      ctx_.diags.report(DiagKind::eprop_input_unused, p.loc, describe(p), written(model.name), p.target);
      return false;
    }
    std::map<std::string, Expr> hidden; // hidden states to add: name -> update (over old values)
    if (tp.readout && tr_.readout_kind == ir::ReadoutKind::SpikeCount) {
      // A spiking readout: its own spikes are what counts.
      if (!derive_spike(model, p, c, hidden))
        return false;
    } else if (tp.readout) {
      for (const ir::StateVar *s : c.states)
        c.output_gain[s->name] =
            ir::Constant::make(s->name == tr_.readout_variable ? 1.0 : 0.0, ir::Dimension() / s->dim);
    } else if (!derive_spike(model, p, c, hidden) || !check_path(post, readout, tp)) {
      return false;
    }
    select_traces(c);
    // A leaky readout's output gain is a constant; a spiking neuron's is a
    // hidden state its update computes.
    bool leaky_readout = tp.readout && tr_.readout_kind != ir::ReadoutKind::SpikeCount;
    for (const std::string &k : c.traces) {
      ir::EligibilityTrace t;
      t.state = k;
      bool row_alone = true;
      for (const std::string &m : c.traces) {
        const Expr &entry = c.jacobian[k][m];
        if (m != k && !is_zero(entry))
          row_alone = false;
        t.jacobian.push_back(materialise(entry, jacobian_state(k, m), hidden));
      }
      t.input_gain = materialise(c.input_gain[k], input_gain_state(k, p.target), hidden);
      const Expr &out = c.output_gain[k];
      t.output_gain =
          leaky_readout || is_zero(out) ? out : ir::Variable::make(ir::VarKind::State, spike_gain_state(k), out->dim);
      t.per_pre = row_alone && is_constant(c.jacobian[k][k]) && is_constant(c.input_gain[k]);
      tp.traces.push_back(std::move(t));
    }
    for (auto &[name, update] : hidden)
      additions_[model.name].emplace(name, update);
    tr_.trained.push_back(std::move(tp));
    return true;
  }

  /// A constant stays a constant; anything else becomes hidden state `name`.
  Expr materialise(const Expr &e, const std::string &name, std::map<std::string, Expr> &hidden) const {
    if (is_constant(e))
      return e;
    hidden.emplace(name, e);
    return ir::Variable::make(ir::VarKind::State, name, e->dim);
  }

  /// g, psi and the spike path: O_k, and the z[t-1] terms of the Jacobian.
  bool derive_spike(const ir::NeuronModel &model, const ir::Projection &p, Calculus &c,
                    std::map<std::string, Expr> &hidden) {
    const ir::Population &post = *m_.network.find_population(p.post);
    if (!model.reset.empty()) {
      ctx_.diags.report(DiagKind::eprop_immediate_reset, model.loc, written(model.name));
      return false;
    }
    if (!model.spike_condition) {
      ctx_.diags.report(DiagKind::eprop_never_spikes, post.loc, post.name, written(model.name));
      return false;
    }
    if (!model.surrogate) {
      ctx_.diags.report(DiagKind::eprop_no_surrogate, post.loc, post.name, written(model.name));
      return false;
    }
    // States the input reaches through the dynamics alone.
    std::set<std::string> driven;
    for (const ir::StateVar *s : c.states)
      if (!is_zero(c.input_gain[s->name]))
        driven.insert(s->name);
    driven = reach(c, driven, true);
    std::vector<Expr> parts;
    conjuncts(model.spike_condition, parts);
    Expr g, gate;
    for (const Expr &part : parts) {
      const auto *cmp = part.as<ir::Binary>();
      bool threshold = !g && cmp && ir::is_comparison(cmp->op) && cmp->op != ir::BinaryOp::Eq &&
                       cmp->op != ir::BinaryOp::Ne && cmp->a->type == ir::ScalarType::Real &&
                       ir::mentions(part, [&](const ir::Variable &v) {
                         return v.var_kind == ir::VarKind::State && driven.count(v.name);
                       });
      if (threshold) {
        bool above = cmp->op == ir::BinaryOp::Gt || cmp->op == ir::BinaryOp::Ge;
        g = ir::simplify(above ? cmp->a - cmp->b : cmp->b - cmp->a);
      } else {
        gate = gate ? ir::Binary::make(ir::BinaryOp::And, gate, part) : part;
      }
    }
    if (!g) {
      ctx_.diags.report(DiagKind::eprop_no_threshold, model.loc, written(model.name), p.target);
      return false;
    }
    // The surrogate is the pseudo-derivative per unit of g.
    Expr psi = model.surrogate * ir::Constant::make(1.0, ir::Dimension() / g->dim);
    if (gate)
      psi = ir::Select::make(gate, psi, ir::Constant::make(0.0, psi->dim));
    std::string membrane;
    std::map<std::string, Expr> dg;
    for (const ir::StateVar *s : c.states) {
      dg[s->name] = ir::simplify(ir::differentiate(g, ir::VarKind::State, s->name, s->dim));
      double value = 0;
      if (membrane.empty() && ir::constant_value(dg[s->name], value) && value > 0)
        membrane = s->name;
      c.output_gain[s->name] =
          is_zero(dg[s->name]) ? ir::Constant::make(0.0, ir::Dimension() / s->dim) : ir::simplify(psi * dg[s->name]);
    }
    // The values at t are the updates of the values at t - 1.
    auto at_new = [&](const Expr &e) {
      return ir::simplify(ir::substitute(e, [&](const ir::Variable &v) -> Expr {
        if (v.var_kind != ir::VarKind::State)
          return Expr();
        auto found = c.next.find(v.name);
        return found == c.next.end() ? Expr() : found->second;
      }));
    };
    for (const ir::StateVar *k : c.states) {
      const Expr &f = c.next[k->name];
      if (!mentions_last_spike(f))
        continue;
      Expr jump = ir::simplify(with_last_spike(f, true) - with_last_spike(f, false));
      if (is_zero(jump) || (k->name == membrane && !tr_.differentiate_reset))
        continue;
      for (const ir::StateVar *m : c.states) {
        if (is_zero(c.output_gain[m->name]))
          continue;
        Expr previous = ir::Variable::make(ir::VarKind::State, spike_gain_state(m->name), c.output_gain[m->name]->dim);
        c.jacobian[k->name][m->name] = ir::simplify(c.jacobian[k->name][m->name] + jump * previous);
      }
    }
    for (const ir::StateVar *s : c.states)
      if (!is_zero(c.output_gain[s->name]))
        hidden.emplace(spike_gain_state(s->name), at_new(c.output_gain[s->name]));
    return true;
  }

  /// A hidden population needs a way for the readout's error to reach it.
  bool check_path(const ir::Population &hidden, int readout, ir::TrainedProjection &tp) {
    const ir::Network &net = m_.network;
    const std::string &out = net.populations[readout].name;
    for (size_t j = 0; j < net.projections.size(); ++j)
      if (net.projections[j].pre == hidden.name && net.projections[j].post == out) {
        tp.feedback_projection = int(j);
        return true;
      }
    if (!reaches(hidden.name, out)) {
      ctx_.diags.report(DiagKind::eprop_no_path_to_readout, hidden.loc, hidden.name, out);
      return false;
    }
    if (tr_.feedback == ir::FeedbackKind::Symmetric && !tr_.bptt) { // BPTT goes through the other layers
      ctx_.diags.report(DiagKind::eprop_symmetric_needs_projection, hidden.loc, hidden.name, out);
      return false;
    }
    return true;
  }

  /// Adds the hidden states the traces read, each updated every step.
  void add_hidden_states() {
    for (auto &[model_name, states] : additions_) {
      ir::NeuronModel *model = m_.find_model(model_name);
      for (auto &[name, update] : states) {
        if (model->find_state(name))
          continue;
        ir::StateVar s;
        s.name = name;
        s.dim = update->dim;
        s.initial = ir::Constant::make(0.0, update->dim);
        s.hidden = true;
        model->states.push_back(std::move(s));
        model->update.push_back({name, update});
      }
    }
  }

  ir::Module &m_;
  ir::Training &tr_;
  PassContext &ctx_;
  std::map<std::string, std::map<std::string, Expr>> additions_;
};

} // namespace

bool eprop(ir::Module &m, PassContext &ctx) {
  if (!m.has_regime || !m.regime.training)
    return true;
  return EPropDeriver(m, ctx).run();
}

} // namespace snn::passes
