//===- ir/Verifier.cpp - Structural checks of a Module --------------------===//
#include "ir/Verifier.h"

#include "ir/Simplify.h"

#include <cmath>
#include <map>
#include <optional>
#include <set>

namespace snn::ir {

namespace {

class ModelVerifier {
public:
  ModelVerifier(const NeuronModel &m, std::vector<std::string> &problems) : m_(m), problems_(problems) {}

  void run() {
    std::set<std::string> names;
    auto unique = [&](const std::string &n) {
      if (!names.insert(n).second)
        fail("name '" + n + "' declared twice");
    };
    for (const auto &p : m_.params) {
      unique(p.name);
      check_expr(p.value, "param " + p.name, p.dim, ScalarType::Real);
    }
    for (const auto &s : m_.states) {
      unique(s.name);
      check_expr(s.initial, "initial value of " + s.name, s.dim, s.type);
    }
    for (const auto &i : m_.inputs)
      unique(i.name);
    if (m_.discretized) {
      if (!m_.odes.empty())
        fail("discretized model still has ODEs");
      if (!m_.params.empty())
        fail("discretized model still has parameters");
      check_assignments(m_.update, "update");
    } else {
      for (const auto &o : m_.odes) {
        const StateVar *s = m_.find_state(o.state);
        if (!s) {
          fail("ODE of unknown state '" + o.state + "'");
          continue;
        }
        check_expr(o.rhs, "d" + o.state + "/dt", s->dim / Dimension::time(), ScalarType::Real);
      }
    }
    if (m_.refractory_condition) {
      if (m_.discretized)
        fail("discretized model still has a refractory condition");
      else
        check_expr(m_.refractory_condition, "refractory condition", Dimension(), ScalarType::Bool);
    }
    if (m_.refractory_period) {
      if (m_.discretized)
        fail("discretized model still has a refractory period");
      else
        check_expr(m_.refractory_period, "refractory period", Dimension::time(), ScalarType::Real);
    }
    if (m_.spike_condition) {
      if (!m_.spike_condition->is_bool())
        fail("spike condition is not boolean");
      check_vars(m_.spike_condition, "spike condition");
    }
    check_assignments(m_.reset, "reset");
    if (m_.surrogate)
      check_expr(m_.surrogate, "surrogate", Dimension(), ScalarType::Real);
  }

private:
  void fail(const std::string &what) { problems_.push_back("model " + m_.name + ": " + what); }

  void check_assignments(const std::vector<Assignment> &as, const std::string &what) {
    std::set<std::string> seen;
    for (const auto &a : as) {
      const StateVar *s = m_.find_state(a.state);
      if (!s) {
        fail(what + " of unknown state '" + a.state + "'");
        continue;
      }
      if (!seen.insert(a.state).second)
        fail(what + " assigns '" + a.state + "' twice");
      check_expr(a.value, what + " of " + a.state, s->dim, s->type);
    }
  }

  void check_expr(const Expr &e, const std::string &what, Dimension dim, ScalarType type) {
    if (!e) {
      fail(what + " is missing");
      return;
    }
    if (e->type != type)
      fail(what + " has type " + name_of(e->type) + ", expected " + name_of(type));
    else if (e->dim != dim)
      fail(what + " has dimension " + e->dim.str() + ", expected " + dim.str());
    check_vars(e, what);
  }

  void check_vars(const Expr &e, const std::string &what) {
    mentions(e, [&](const Variable &v) {
      Dimension expected;
      bool known = true;
      switch (v.var_kind) {
      case VarKind::State: {
        const StateVar *s = m_.find_state(v.name);
        known = s != nullptr;
        if (s) {
          expected = s->dim;
          if (v.type != s->type)
            fail(what + " reads state '" + v.name + "' as " + name_of(v.type) + ", but it is " + name_of(s->type));
        }
        break;
      }
      case VarKind::Param: {
        const Parameter *p = m_.find_param(v.name);
        known = p != nullptr && !m_.discretized;
        if (p)
          expected = p->dim;
        break;
      }
      case VarKind::Input: {
        const InputVar *i = m_.find_input(v.name);
        known = i != nullptr;
        if (i)
          expected = i->dim;
        break;
      }
      case VarKind::Time:
        expected = Dimension::time();
        break;
      case VarKind::Dt:
        known = !m_.discretized;
        expected = Dimension::time();
        break;
      case VarKind::Stimulus:
      case VarKind::LastSpike:
        break;
      case VarKind::Noise:
        known = !m_.discretized && is_noise_name(v.name);
        expected = *Dimension::frequency().sqrt();
        break;
      case VarKind::Local:
        known = false; // only the lowered Program binds locals
        break;
      }
      if (!known)
        fail(what + " reads unknown or removed " + name_of(v.var_kind) + " '" + v.name + "'");
      else if (v.var_kind != VarKind::Stimulus && v.var_kind != VarKind::LastSpike && v.dim != expected)
        fail(what + " reads '" + v.name + "' with dimension " + v.dim.str());
      return false;
    });
  }

  const NeuronModel &m_;
  std::vector<std::string> &problems_;
};

} // namespace

std::vector<std::string> verify(const Module &m) {
  std::vector<std::string> problems;
  std::set<std::string> model_names;
  for (const auto &model : m.models) {
    if (!model_names.insert(model.name).second)
      problems.push_back("model '" + model.name + "' defined twice");
    ModelVerifier(model, problems).run();
  }
  const Network &n = m.network;
  std::set<std::string> pops;
  for (const auto &p : n.populations) {
    if (!pops.insert(p.name).second)
      problems.push_back("population '" + p.name + "' defined twice");
    if (!m.find_model(p.model))
      problems.push_back("population '" + p.name + "' uses unknown model '" + p.model + "'");
    if (p.size == 0)
      problems.push_back("population '" + p.name + "' is empty");
    if (p.shape.present() && p.shape.size() != p.size)
      problems.push_back("population '" + p.name + "' has " + std::to_string(p.size) + " neurons but shape " +
                         p.shape.str());
  }
  for (const auto &pr : n.projections) {
    const Population *pre = n.find_population(pr.pre);
    const Population *post = n.find_population(pr.post);
    if (!pre || !post) {
      problems.push_back("projection " + pr.pre + " -> " + pr.post + " names an unknown population");
      continue;
    }
    const NeuronModel *model = m.find_model(post->model);
    if (!model)
      continue;
    std::optional<Dimension> target_dim; // none when the target is unknown
    if (pr.target_kind == TargetKind::State) {
      const StateVar *s = model->find_state(pr.target);
      if (!s)
        problems.push_back("projection targets unknown state '" + pr.target + "'");
      else
        target_dim = s->dim;
    } else if (pr.target_kind == TargetKind::Input) {
      const InputVar *i = model->find_input(pr.target);
      if (!i)
        problems.push_back("projection targets unknown input '" + pr.target + "'");
      else
        target_dim = i->dim * Dimension::time(); // an impulse
    } else {
      const SynapseModel *syn = m.find_synapse(pr.synapse);
      if (m.params_resolved || !syn || !syn->post.present() || !model->find_param(pr.target))
        problems.push_back("projection feeds parameter '" + pr.target + "' without a post block to do it");
    }
    // A synapse model's weight has its weight state's dimension.
    if (const SynapseModel *syn = m.find_synapse(pr.synapse)) {
      if (m.params_resolved && syn->post.present())
        problems.push_back("synapse model '" + syn->name + "' keeps its post block after resolve-params");
      const StateVar *w = syn->find_state(syn->weight);
      target_dim = w ? std::optional<Dimension>(w->dim) : std::nullopt;
    }
    if (pr.delay_steps > kMaxDelaySteps)
      problems.push_back("projection " + pr.pre + " -> " + pr.post + " has a delay of " +
                         std::to_string(pr.delay_steps) + " steps (at most " + std::to_string(kMaxDelaySteps) + ")");
    if (pr.delay_range && !(pr.delay_range->lo >= 0.5 && pr.delay_range->lo <= pr.delay_range->hi &&
                            pr.delay_steps == uint32_t(std::llround(pr.delay_range->hi))))
      problems.push_back("projection " + pr.pre + " -> " + pr.post + " has an invalid delay range");
    if (pr.delay_steps > 1 && m.regime.training)
      problems.push_back("projection " + pr.pre + " -> " + pr.post + " of a train regime has a delay over one step");
    if (target_dim && pr.weight.dim != *target_dim)
      problems.push_back("projection " + pr.pre + " -> " + pr.post + " weight dimension " + pr.weight.dim.str() +
                         " differs from its target's " + target_dim->str());
    if (pr.connectivity == ConnectivityKind::OneToOne && pre->size != post->size)
      problems.push_back("one_to_one projection between populations of different sizes");
    if (pr.connectivity == ConnectivityKind::Conv2D || pr.connectivity == ConnectivityKind::AvgPool2D) {
      const Window &w = pr.window;
      const Shape &a = pre->shape, &b = post->shape;
      bool fits = a.present() && b.present() && window_fits(a.height, b.height, w.height, w.stride_y, w.pad_y) &&
                  window_fits(a.width, b.width, w.width, w.stride_x, w.pad_x) &&
                  (pr.connectivity == ConnectivityKind::Conv2D || a.channels == b.channels);
      if (!fits)
        problems.push_back("the window of projection " + pr.pre + " -> " + pr.post +
                           " does not fit its populations' shapes");
    }
  }
  // Zero-delay projections must not form a cycle: peel off populations
  // without waiting zero-delay inputs until none is left.
  std::map<std::string, int> waiting;
  for (const auto &pr : n.projections)
    if (pr.delay_steps == 0)
      ++waiting[pr.post];
  std::set<std::string> updated;
  for (bool progress = true; progress;) {
    progress = false;
    for (const auto &p : n.populations)
      if (!updated.count(p.name) && waiting[p.name] == 0) {
        updated.insert(p.name);
        progress = true;
        for (const auto &pr : n.projections)
          if (pr.delay_steps == 0 && pr.pre == p.name)
            --waiting[pr.post];
      }
  }
  if (updated.size() < pops.size())
    problems.push_back("the zero-delay projections form a cycle");
  if (m.has_regime) {
    for (const auto &r : m.regime.records) {
      const Population *p = n.find_population(r.population);
      if (!p) {
        problems.push_back("record of unknown population '" + r.population + "'");
        continue;
      }
      if (r.end > p->size || r.begin >= r.end || r.stride == 0)
        problems.push_back("record of " + r.population + " has an invalid neuron range");
      const NeuronModel *model = m.find_model(p->model);
      // Before ResolveParams, a parameter `init` makes per neuron.
      if (r.kind == RecordKind::State && model && !model->find_state(r.variable) &&
          !(model->find_param(r.variable) && !m.params_resolved))
        problems.push_back("record of unknown state '" + r.variable + "'");
    }
    if (!(m.regime.dt > 0))
      problems.push_back("regime dt must be positive");
  }
  return problems;
}

} // namespace snn::ir
