//===- passes/DiscretizeOdes.cpp - ODEs to a per-step update map ----------===//
#include "passes/DiscretizeOdes.h"

#include "ir/Bounds.h"

#include "ir/Differentiate.h"
#include "ir/ExprVisitor.h"
#include "ir/Printer.h"
#include "ir/Simplify.h"
#include "passes/MatrixExponential.h"
#include "passes/OdeMethods.h"

#include <cmath>
#include <functional>
#include <map>
#include <optional>

namespace snn::passes {

namespace {

using diag::DiagKind;
using ir::Dimension;
using ir::Expr;

/// dx/dt = A x + r with constant A; r may read inputs and other states.
struct Linear {
  Matrix a;
  std::vector<Expr> drive;
};

using System = OdeSystem;

/// Random call sites per model: the RNG counter keeps 8 bits for them
/// (as the frontend's limit on rand() and randn()).
constexpr uint32_t kMaxRandomSites = 255;

bool is_system_var(const System &s, const ir::Variable &v) { return s.is_state(v); }

std::string first_variable(const Expr &e) {
  std::string name;
  ir::mentions(e, [&](const ir::Variable &v) {
    if (name.empty())
      name = v.name;
    return false;
  });
  return name;
}

/// The linear form of the system, or the reason it has none.
std::optional<Linear> linearize(const System &s, std::string &why) {
  size_t n = s.states.size();
  Linear lin{Matrix(n), {}};
  for (size_t i = 0; i < n; ++i) {
    const std::string &xi = s.states[i]->name;
    if (nonsmooth_in(s.rhs[i], [&](const ir::Variable &v) { return is_system_var(s, v); })) {
      why = "d" + xi + "/dt depends on a state through a comparison or rounding";
      return std::nullopt;
    }
    for (size_t j = 0; j < n; ++j) {
      const ir::StateVar *xj = s.states[j];
      Expr c = ir::simplify(ir::differentiate(s.rhs[i], ir::VarKind::State, xj->name, xj->dim));
      double value = 0;
      if (!ir::constant_value(c, value)) {
        if (ir::mentions(c, [&](const ir::Variable &v) { return is_system_var(s, v); }))
          why = "d" + xi + "/dt is nonlinear in '" + xj->name + "'";
        else
          why = "the coefficient of '" + xj->name + "' in d" + xi + "/dt depends on '" + first_variable(c) + "'";
        return std::nullopt;
      }
      if (!std::isfinite(value)) {
        why = "the coefficient of '" + xj->name + "' in d" + xi + "/dt is not finite";
        return std::nullopt;
      }
      lin.a.at(i, j) = value;
    }
    Expr r = ir::simplify(ir::substitute(s.rhs[i], [&](const ir::Variable &v) -> Expr {
      return is_system_var(s, v) ? ir::Constant::make(0.0, v.dim) : Expr();
    }));
    if (ir::mentions(r, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::Time; })) {
      why = "d" + xi + "/dt depends on the time t";
      return std::nullopt;
    }
    lin.drive.push_back(r);
  }
  return lin;
}

/// Coefficients of the exact step: rows of [Phi | Gamma].
Matrix exact_step(const Linear &lin, double dt) {
  size_t n = lin.a.n;
  Matrix aug(2 * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j)
      aug.at(i, j) = lin.a.at(i, j) * dt;
    aug.at(i, n + i) = dt;
  }
  return matrix_exponential(aug);
}

Expr exact_update(const System &s, const Linear &lin, const Matrix &step, size_t i) {
  size_t n = s.states.size();
  Dimension di = s.states[i]->dim;
  Expr sum;
  auto add = [&](Expr term) { sum = sum ? sum + term : term; };
  for (size_t j = 0; j < n; ++j) {
    const ir::StateVar *xj = s.states[j];
    double phi = step.at(i, j), gamma = step.at(i, n + j);
    if (phi != 0)
      add(ir::Constant::make(phi, di / xj->dim) * ir::Variable::make(ir::VarKind::State, xj->name, xj->dim));
    if (gamma != 0 && !ir::is_zero(lin.drive[j]))
      add(ir::Constant::make(gamma, di * Dimension::time() / xj->dim) * lin.drive[j]);
  }
  return sum ? ir::simplify(sum) : ir::Constant::make(0.0, di);
}

class Discretizer {
public:
  Discretizer(ir::NeuronModel &model, double dt, PassContext &ctx) : m_(model), dt_(dt), ctx_(ctx) {}

  bool run() {
    substitute_dt();
    if (!refractory())
      return false;
    System s;
    for (const auto &o : m_.odes) {
      s.index[o.state] = s.states.size();
      s.states.push_back(m_.find_state(o.state));
      s.rhs.push_back(o.rhs);
      s.frozen.push_back(o.frozen_when_refractory && frozen_cond_);
    }
    if (!split_impulses(s))
      return false;
    std::vector<ir::Assignment> update;
    if (!s.states.empty()) {
      if (!integrate(s, update))
        return false;
    } else {
      m_.method_used = m_.method == ir::IntegrationMethod::Auto ? ir::IntegrationMethod::Exact : m_.method;
    }
    add_jumps(s, update);
    if (m_.reset_next_step)
      fold_next_step_reset(update);
    if (frozen_cond_) {
      m_.refractory_counter = counter_name_;
      for (const auto &o : m_.odes)
        if (o.frozen_when_refractory)
          for (auto &st : m_.states)
            if (st.name == o.state)
              st.frozen_when_refractory = true;
      Expr c = counter();
      Expr zero = ir::Constant::make_int(0);
      if (by_condition_) // still refractory at the end of this step
        update.push_back({counter_name_, ir::Select::make(frozen_cond_, ir::Constant::make_int(1), zero)});
      else
        update.push_back({counter_name_, ir::Binary::make(ir::BinaryOp::Max, c - ir::Constant::make_int(1), zero)});
      Expr over = ir::Binary::make(ir::BinaryOp::Le, c, zero); // read as the new value
      m_.spike_condition = ir::Binary::make(ir::BinaryOp::And, m_.spike_condition, over);
      m_.reset.push_back({counter_name_, ir::Constant::make_int(refractory_steps_)});
    }
    if (!fold_drives(update))
      return false;
    // A recorded input (ResolveParams): the sum of the weights this update
    // received, as the jumps read it.
    for (const ir::StateVar &st : m_.states)
      if (const ir::InputVar *in = m_.find_input(ir::received_input(st.name)))
        update.push_back({st.name, ir::Variable::make(ir::VarKind::Input, in->name, in->dim) *
                                       ir::Constant::make(1.0, Dimension::time())});
    for (auto &a : update)
      a.value = ir::simplify(a.value);
    if (!finite_constants(update) || !finite_constants(m_.reset))
      return false;
    m_.update = std::move(update);
    m_.odes.clear();
    m_.refractory_period = Expr();
    m_.refractory_condition = Expr();
    m_.discretized = true;
    return true;
  }

private:
  using Method = ir::IntegrationMethod;

  std::string base_name() const { return m_.name.substr(0, m_.name.find('@')); }

  /// The first random site after every draw of the model and of `update`.
  uint32_t next_random_site(const std::vector<ir::Assignment> &update) const {
    uint32_t first = 0;
    auto after = [&first](const Expr &e) {
      ir::walk(e, [&first](const Expr &x) {
        if (const auto *r = x.as<ir::Random>())
          first = std::max(first, r->site + 1);
        return ir::WalkResult::Advance;
      });
    };
    ir::for_each_expr(m_, after);
    for (const auto &a : update)
      after(a.value);
    return first;
  }

  /// Current sources: each driven state takes its source's value at the
  /// start of the step (t as the update binds it), and the step's
  /// integration reads that value too, held over the step; the spike
  /// condition and the reset then see it as the state's new value. The
  /// sources' draws get sites after every other draw of the model.
  bool fold_drives(std::vector<ir::Assignment> &update) {
    if (m_.drives.empty())
      return true;
    uint32_t first = next_random_site(update);
    std::map<std::string, Expr> value;
    for (const auto &d : m_.drives) {
      uint32_t used = 0;
      value[d.state] = ir::substitute_random(d.value, [&](const ir::Random &r) {
        used = std::max(used, r.site + 1);
        return ir::Random::make(r.dist, first + r.site);
      });
      first += used;
    }
    if (first > kMaxRandomSites) {
      ctx_.diags.report(DiagKind::too_many_random_draws, m_.loc, kMaxRandomSites);
      return false;
    }
    for (auto &a : update)
      a.value = ir::substitute(a.value, [&](const ir::Variable &v) -> Expr {
        auto found = v.var_kind == ir::VarKind::State ? value.find(v.name) : value.end();
        return found == value.end() ? Expr() : found->second;
      });
    for (const auto &d : m_.drives)
      update.push_back({d.state, value.at(d.state)});
    m_.drives.clear();
    return true;
  }
  SourceLocation method_loc() const { return m_.method_loc.valid() ? m_.method_loc : m_.loc; }

  /// The update map of the ODE system, by the method asked for or, for
  /// Auto, the first of exact, exponential Euler and RK4 that applies (as
  /// Brian2 chooses); with white noise, Euler-Maruyama or Milstein.
  bool integrate(const System &s, std::vector<ir::Assignment> &update) {
    std::vector<Expr> f = s.rhs; // frozen rows stopped while refractory
    for (size_t i = 0; i < f.size(); ++i)
      if (s.frozen[i])
        f[i] = ir::Select::make(frozen_cond_, ir::Constant::make(0.0, f[i]->dim), f[i]);
    NonlinearNoise bad{};
    std::optional<NoiseTerms> noise = split_noise(s, f, bad);
    if (!noise) {
      ctx_.diags.report(DiagKind::nonlinear_noise, m_.odes[bad.state].loc, s.states[bad.state]->name, bad.noise,
                        bad.noise);
      return false;
    }
    std::vector<Expr> next;
    if (!noise->empty()) {
      if (!stochastic(s, *noise, next))
        return false;
    } else {
      std::string why;
      std::optional<Linear> lin;
      if (m_.method == Method::Exact || m_.method == Method::Auto)
        lin = linearize(s, why);
      if (m_.method == Method::Exact && !lin) {
        ctx_.diags.report(DiagKind::nonlinear_exact, method_loc(), base_name(), why);
        ctx_.diags.note(DiagKind::note_exact_needs_linear, method_loc());
        return false;
      }
      if (lin) {
        m_.method_used = Method::Exact;
        update = exact(s, *lin);
        return true;
      }
      std::optional<std::vector<Expr>> conditionally_linear;
      if (m_.method == Method::ExponentialEuler || m_.method == Method::Auto)
        conditionally_linear = exponential_euler_step(s, f, dt_, why);
      if (m_.method == Method::ExponentialEuler && !conditionally_linear) {
        ctx_.diags.report(DiagKind::not_conditionally_linear, method_loc(), base_name(), why);
        ctx_.diags.note(DiagKind::note_exponential_euler_needs, method_loc());
        return false;
      }
      if (conditionally_linear) {
        m_.method_used = Method::ExponentialEuler;
        next = std::move(*conditionally_linear);
      } else if (m_.method == Method::Euler || m_.method == Method::Milstein) { // Milstein without noise is Euler
        m_.method_used = Method::Euler;
        next = euler_step(s, f, dt_);
      } else {
        m_.method_used = Method::RK4;
        next = rk4_step(s, f, dt_);
      }
    }
    for (size_t i = 0; i < next.size(); ++i)
      update.push_back({s.states[i]->name, next[i]});
    return true;
  }

  /// White noise: Euler-Maruyama for additive noise, Milstein for
  /// multiplicative (from one source); each noise draws a standard normal
  /// per neuron and step at a random site of its own.
  bool stochastic(const System &s, const NoiseTerms &noise, std::vector<Expr> &next) {
    if (m_.method == Method::Exact || m_.method == Method::RK4 || m_.method == Method::ExponentialEuler) {
      ctx_.diags.report(DiagKind::noise_method, method_loc(), ir::name_of(m_.method), base_name());
      ctx_.diags.note(DiagKind::note_noise_methods, method_loc());
      return false;
    }
    std::optional<Multiplicative> mult = multiplicative_noise(s, noise);
    if (mult && m_.method == Method::Euler) {
      ctx_.diags.report(DiagKind::multiplicative_noise_euler, m_.odes[mult->state].loc, s.states[mult->state]->name,
                        base_name(), mult->on);
      ctx_.diags.note(DiagKind::note_noise_methods, method_loc());
      return false;
    }
    if (mult && noise.names.size() > 1) {
      ctx_.diags.report(DiagKind::milstein_several_noises, m_.odes[mult->state].loc, base_name(), noise.names.size(),
                        noise.names[0], noise.names[1]);
      return false;
    }
    // Sites after every draw of the model's own (rand(), randn()).
    uint32_t first = next_random_site({});
    if (first + noise.names.size() > kMaxRandomSites) {
      ctx_.diags.report(DiagKind::too_many_random_draws, m_.loc, kMaxRandomSites);
      return false;
    }
    std::vector<uint32_t> sites;
    for (size_t k = 0; k < noise.names.size(); ++k)
      sites.push_back(first + static_cast<uint32_t>(k));
    if (mult || m_.method == Method::Milstein) {
      m_.method_used = Method::Milstein;
      next = mult ? milstein_step(s, noise, dt_, sites[0]) : euler_maruyama_step(s, noise, dt_, sites);
    } else {
      m_.method_used = Method::Euler;
      next = euler_maruyama_step(s, noise, dt_, sites);
    }
    return true;
  }

  /// Inputs are impulses: takes them out of the right sides (which are then
  /// integrated without them) and keeps, per state, the coefficient
  /// d(dx/dt)/di of each input, the jump per unit of arriving weight.
  bool split_impulses(System &s) {
    jumps_.assign(s.states.size(), {});
    for (size_t k = 0; k < s.states.size(); ++k) {
      for (const ir::InputVar &in : m_.inputs) {
        Expr c = ir::simplify(ir::differentiate(s.rhs[k], ir::VarKind::Input, in.name, in.dim));
        double value = 0;
        if (ir::constant_value(c, value) && value == 0)
          continue;
        if (ir::mentions(c, [](const ir::Variable &v) { return v.var_kind == ir::VarKind::Input; })) {
          std::string base = m_.name.substr(0, m_.name.find('@'));
          ctx_.diags.report(DiagKind::nonlinear_input, m_.odes[k].loc, in.name, base, s.states[k]->name);
          return false;
        }
        jumps_[k].push_back({in.name, c, in.dim});
      }
      if (jumps_[k].empty())
        continue;
      s.rhs[k] = ir::simplify(ir::substitute(s.rhs[k], [](const ir::Variable &v) -> Expr {
        return v.var_kind == ir::VarKind::Input ? ir::Constant::make(0.0, v.dim) : Expr();
      }));
    }
    return true;
  }

  /// Adds to each state's update the jump `c * I` of its impulse inputs,
  /// with c read at the decayed state values; none while the state is
  /// frozen by `unless refractory`.
  void add_jumps(const System &s, std::vector<ir::Assignment> &update) {
    auto decayed = [&](const ir::Variable &v) -> Expr {
      if (!is_system_var(s, v))
        return {};
      return update[s.index.at(v.name)].value;
    };
    for (size_t k = 0; k < s.states.size(); ++k) {
      Expr jump;
      for (const Jump &j : jumps_[k]) {
        // The accumulator holds the sum of the weights, dim(i) * s.
        Expr weight =
            ir::Variable::make(ir::VarKind::Input, j.input, j.dim) * ir::Constant::make(1.0, Dimension::time());
        Expr term = ir::substitute(j.coefficient, decayed) * weight;
        jump = jump ? jump + term : term;
      }
      if (!jump)
        continue;
      const auto *held = update[k].value.as<ir::Select>();
      if (s.frozen[k] && held && held->cond.same_as(frozen_cond_)) // select(frozen, x, decayed + jump)
        update[k].value = ir::Select::make(held->cond, held->t, held->f + jump);
      else if (s.frozen[k])
        update[k].value = update[k].value + ir::Select::make(frozen_cond_, ir::Constant::make(0.0, jump->dim), jump);
      else
        update[k].value = update[k].value + jump;
    }
  }

  /// `on spike next step`: x' = select(last_spike(), R_x(U), U_x), with U the
  /// ordinary update and R_x the reset read at the updated values.
  void fold_next_step_reset(std::vector<ir::Assignment> &update) {
    std::map<std::string, Expr> next;
    for (const auto &a : update)
      next[a.state] = a.value;
    auto updated = [&](const ir::Variable &v) -> Expr {
      if (v.var_kind != ir::VarKind::State)
        return {};
      auto found = next.find(v.name);
      return found == next.end() ? Expr() : found->second;
    };
    Expr fired = ir::Variable::make_last_spike();
    for (const auto &r : m_.reset) {
      const ir::StateVar *st = m_.find_state(r.state);
      Expr stay =
          next.count(r.state) ? next.at(r.state) : ir::Variable::make(ir::VarKind::State, st->name, st->dim, st->type);
      Expr value = ir::Select::make(fired, ir::substitute(r.value, updated), stay);
      bool found = false;
      for (auto &a : update)
        if (a.state == r.state) {
          a.value = value;
          found = true;
        }
      if (!found)
        update.push_back({r.state, value});
    }
    m_.reset.clear();
  }

  /// Binds `dt` to the regime's step wherever the model reads it.
  void substitute_dt() {
    Expr dt = ir::Constant::make(dt_, Dimension::time());
    ir::for_each_expr(m_, [&](Expr &e) {
      e = ir::simplify(
          ir::substitute(e, [&](const ir::Variable &v) { return v.var_kind == ir::VarKind::Dt ? dt : Expr(); }));
    });
  }

  /// A parameter value such as a zero time constant makes the update divide
  /// by zero; report it here rather than simulate NaNs.
  bool finite_constants(const std::vector<ir::Assignment> &update) {
    for (const auto &a : update) {
      bool bad = !ir::walk(a.value, [](const Expr &e) {
        double divisor = 1;
        if (const auto *c = e.as<ir::Constant>(); c && !std::isfinite(c->value))
          return ir::WalkResult::Interrupt;
        if (const auto *b = e.as<ir::Binary>();
            b && b->op == ir::BinaryOp::Div && ir::constant_value(b->b, divisor) && divisor == 0)
          return ir::WalkResult::Interrupt;
        return ir::WalkResult::Advance;
      });
      if (bad) {
        std::string base = m_.name.substr(0, m_.name.find('@'));
        ctx_.diags.report(DiagKind::non_finite_update, m_.loc, a.state, base);
        ctx_.diags.note(DiagKind::note_zero_divisor, m_.loc);
        return false;
      }
    }
    return true;
  }

  /// The refractory step counter: an integer, so that it counts down exactly
  /// however long the period (a float stops at 2^24 steps).
  Expr counter() const {
    return ir::Variable::make(ir::VarKind::State, counter_name_, Dimension(), ir::ScalarType::Int);
  }

  bool refractory() {
    if (m_.refractory_condition) {
      if (m_.spike_condition) {
        // A flag (0 or 1) that a spike sets; the neuron is refractory in a
        // step when the flag is set and the step begins with the condition
        // true, as Brian2's `not_refractory = not_refractory or not (cond)`.
        add_counter("refractory_flag");
        frozen_cond_ = ir::Binary::make(ir::BinaryOp::And,
                                        ir::Binary::make(ir::BinaryOp::Gt, counter(), ir::Constant::make_int(0)),
                                        m_.refractory_condition);
        refractory_steps_ = 1;
        by_condition_ = true;
      }
      return true;
    }
    if (!m_.refractory_period)
      return true;
    double t = 0;
    ir::internal_check(ir::constant_value(ir::simplify(m_.refractory_period), t),
                       "refractory period of " + m_.name + " is not constant after FoldConstants");
    std::string base = m_.name.substr(0, m_.name.find('@'));
    if (!(t >= 0) || !std::isfinite(t)) {
      ctx_.diags.report(DiagKind::negative_refractory_period, m_.loc, "model", base, ir::format_real(t));
      return false;
    }
    if (t / dt_ >= INT32_MAX + 0.5) { // the step counter is a 32-bit integer
      ctx_.diags.report(DiagKind::refractory_too_long, m_.loc, base, ir::format_real(t), INT32_MAX,
                        ir::format_real(dt_));
      return false;
    }
    refractory_steps_ = std::llround(t / dt_);
    if (refractory_steps_ == 0 || !m_.spike_condition)
      return true;
    add_counter("refractory_steps");
    // While more than one step is left after this one, the neuron is refractory.
    frozen_cond_ = ir::Binary::make(ir::BinaryOp::Gt, counter(), ir::Constant::make_int(1));
    return true;
  }

  /// The hidden integer state that says whether the neuron is refractory.
  void add_counter(const std::string &name) {
    counter_name_ = name;
    while (m_.find_state(counter_name_))
      counter_name_ += "_";
    ir::StateVar state{counter_name_, Dimension(), ir::Constant::make_int(0), true};
    state.type = ir::ScalarType::Int;
    m_.states.push_back(std::move(state));
  }

  std::vector<ir::Assignment> exact(const System &s, const Linear &lin) {
    Matrix free_step = exact_step(lin, dt_);
    bool any_frozen = false;
    for (bool f : s.frozen)
      any_frozen = any_frozen || f;
    std::optional<Linear> held;
    std::optional<Matrix> held_step;
    if (any_frozen) { // the same system with the frozen rows stopped
      held = lin;
      for (size_t i = 0; i < s.states.size(); ++i)
        if (s.frozen[i]) {
          for (size_t j = 0; j < s.states.size(); ++j)
            held->a.at(i, j) = 0;
          held->drive[i] = ir::Constant::make(0.0, s.states[i]->dim / Dimension::time());
        }
      held_step = exact_step(*held, dt_);
    }
    std::vector<ir::Assignment> out;
    size_t n = s.states.size();
    for (size_t i = 0; i < n; ++i) {
      Expr next = exact_update(s, lin, free_step, i);
      if (held_step) {
        bool same = true;
        for (size_t j = 0; j < 2 * n; ++j)
          same = same && held_step->at(i, j) == free_step.at(i, j);
        for (size_t j = 0; j < n && same; ++j)
          same = held->drive[j].same_as(lin.drive[j]) || held_step->at(i, n + j) == 0;
        if (!same)
          next = ir::Select::make(frozen_cond_, exact_update(s, *held, *held_step, i), next);
      }
      out.push_back({s.states[i]->name, next});
    }
    return out;
  }

  struct Jump {
    std::string input;
    Expr coefficient; ///< d(dx/dt)/di, may read the states
    Dimension dim;    ///< of the input
  };

  ir::NeuronModel &m_;
  std::vector<std::vector<Jump>> jumps_; ///< per ODE
  double dt_;
  PassContext &ctx_;
  Expr frozen_cond_;
  std::string counter_name_;
  long long refractory_steps_ = 0;
  bool by_condition_ = false; ///< `refractory while COND`: the counter is a flag
};

/// The probability per step p of a spike condition `rand() < p` (or <=),
/// as std.inputs.Poisson's `rate * dt`; null for any other condition.
Expr spike_probability(const ir::NeuronModel &model) {
  const auto *cond = model.spike_condition.as<ir::Binary>();
  if (!cond || (cond->op != ir::BinaryOp::Lt && cond->op != ir::BinaryOp::Le))
    return {};
  const auto *draw = cond->a.as<ir::Random>();
  if (!draw || draw->dist != ir::Distribution::Uniform01)
    return {};
  return ir::simplify(cond->b);
}

/// The largest value the probability `p` can take in a run of `duration`:
/// the states it reads are a current source's (over 0 <= t <= duration) or
/// a parameter made per neuron (over its initial value's draws); infinite
/// when anything else bounds it no better.
double largest_probability(const Expr &p, const std::vector<ir::Assignment> &drives,
                           const std::vector<ir::StateVar> &states, double duration) {
  std::function<std::optional<ir::Interval>(const ir::Variable &)> variable =
      [&](const ir::Variable &v) -> std::optional<ir::Interval> {
    if (v.var_kind == ir::VarKind::Time)
      return ir::Interval{0, duration};
    if (v.var_kind != ir::VarKind::State)
      return std::nullopt;
    for (const auto &d : drives)
      if (d.state == v.name)
        return ir::bounds(d.value, variable);
    for (const auto &s : states)
      if (s.name == v.name && s.parameter && s.initial)
        return ir::bounds(s.initial, variable);
    return std::nullopt;
  };
  return ir::bounds(p, variable).hi;
}

} // namespace

bool discretize_odes(ir::Module &m, PassContext &ctx) {
  bool ok = true;
  for (auto &model : m.models) {
    if (model.discretized)
      continue;
    std::vector<ir::Assignment> drives = model.drives; // folded into the update by run()
    ok = Discretizer(model, m.regime.dt, ctx).run() && ok;
    // rate * dt above 1 fires every step: the rate asked for is not the
    // rate simulated (at most 1 / dt).
    Expr p = spike_probability(model);
    double constant = 0;
    if (!p)
      continue;
    bool known = ir::constant_value(p, constant);
    double largest = known ? constant : largest_probability(p, drives, model.states, m.regime.duration);
    if (!(largest > 1) || std::isinf(largest))
      continue;
    for (const ir::Population &pop : m.network.populations)
      if (pop.model == model.name && known)
        ctx.diags.report(DiagKind::saturated_rate, pop.loc, pop.name, ir::format_real(largest),
                         ir::format_real(1 / m.regime.dt), ir::format_real(m.regime.dt));
      else if (pop.model == model.name)
        ctx.diags.report(DiagKind::saturated_rate_bound, pop.loc, pop.name, ir::format_real(largest),
                         ir::format_real(1 / m.regime.dt), ir::format_real(m.regime.dt));
  }
  return ok;
}

} // namespace snn::passes
