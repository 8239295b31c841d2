//===- passes/OdeMethods.cpp - One-step ODE and SDE methods ---------------===//
#include "passes/OdeMethods.h"

#include "ir/Differentiate.h"
#include "ir/ExprVisitor.h"
#include "ir/Simplify.h"

#include <algorithm>
#include <cmath>

namespace snn::passes {

using ir::Dimension;
using ir::Expr;

bool OdeSystem::is_state(const ir::Variable &v) const {
  return v.var_kind == ir::VarKind::State && index.count(v.name);
}

Expr OdeSystem::state(size_t i) const {
  return ir::Variable::make(ir::VarKind::State, states[i]->name, states[i]->dim);
}

bool nonsmooth_in(const Expr &e, const std::function<bool(const ir::Variable &)> &var) {
  auto uses = [&](const Expr &x) { return ir::mentions(x, var); };
  bool smooth = ir::walk(e, [&](const Expr &x) {
    const auto *b = x.as<ir::Binary>();
    const auto *c = x.as<ir::Call>();
    // Below a comparison or a rounding without such variables, nothing can be.
    if ((b && ir::is_comparison(b->op)) || (c && (c->fn == ir::Function::Floor || c->fn == ir::Function::Ceil)))
      return uses(x) ? ir::WalkResult::Interrupt : ir::WalkResult::Skip;
    if (const auto *sel = x.as<ir::Select>(); sel && uses(sel->cond))
      return ir::WalkResult::Interrupt;
    return ir::WalkResult::Advance;
  });
  return !smooth;
}

namespace {

Expr seconds(double t) { return ir::Constant::make(t, Dimension::time()); }

/// f(Y, tau): the right sides with the system states replaced by `ys` and t by `time`.
std::vector<Expr> evaluate(const OdeSystem &s, const std::vector<Expr> &f, const std::vector<Expr> &ys,
                           const Expr &time) {
  std::vector<Expr> out;
  for (const auto &fi : f)
    out.push_back(ir::substitute(fi, [&](const ir::Variable &v) -> Expr {
      if (s.is_state(v))
        return ys[s.index.at(v.name)];
      if (v.var_kind == ir::VarKind::Time && time)
        return time;
      return {};
    }));
  return out;
}

} // namespace

std::vector<Expr> euler_step(const OdeSystem &s, const std::vector<Expr> &f, double dt) {
  std::vector<Expr> out;
  for (size_t i = 0; i < s.states.size(); ++i)
    out.push_back(s.state(i) + seconds(dt) * f[i]);
  return out;
}

std::vector<Expr> rk4_step(const OdeSystem &s, const std::vector<Expr> &f, double dt) {
  size_t n = s.states.size();
  auto axpy = [&](const std::vector<Expr> &k, const Expr &h) {
    std::vector<Expr> y;
    for (size_t i = 0; i < n; ++i)
      y.push_back(s.state(i) + h * k[i]);
    return y;
  };
  Expr t = ir::Variable::make(ir::VarKind::Time, "t", Dimension::time());
  Expr half = seconds(dt / 2), full = seconds(dt);
  std::vector<Expr> k1 = f;
  std::vector<Expr> k2 = evaluate(s, f, axpy(k1, half), t + half);
  std::vector<Expr> k3 = evaluate(s, f, axpy(k2, half), t + half);
  std::vector<Expr> k4 = evaluate(s, f, axpy(k3, full), t + full);
  Expr sixth = seconds(dt / 6);
  std::vector<Expr> out;
  for (size_t i = 0; i < n; ++i)
    out.push_back(s.state(i) + sixth * (k1[i] + ir::real(2.0) * k2[i] + ir::real(2.0) * k3[i] + k4[i]));
  return out;
}

std::optional<std::vector<Expr>> exponential_euler_step(const OdeSystem &s, const std::vector<Expr> &f, double dt,
                                                        std::string &why) {
  std::vector<Expr> out;
  for (size_t i = 0; i < s.states.size(); ++i) {
    const ir::StateVar *x = s.states[i];
    auto is_x = [&](const ir::Variable &v) { return v.var_kind == ir::VarKind::State && v.name == x->name; };
    if (nonsmooth_in(f[i], is_x)) {
      why = "d" + x->name + "/dt depends on '" + x->name + "' through a comparison or rounding";
      return std::nullopt;
    }
    Expr a = ir::simplify(ir::differentiate(f[i], ir::VarKind::State, x->name, x->dim));
    if (ir::mentions(a, is_x)) {
      why = "d" + x->name + "/dt is nonlinear in '" + x->name + "'";
      return std::nullopt;
    }
    Expr b = ir::simplify(ir::substitute(
        f[i], [&](const ir::Variable &v) { return is_x(v) ? ir::Constant::make(0.0, x->dim) : Expr(); }));
    Expr z = ir::simplify(a * seconds(dt));
    double zc = 0;
    Expr next;
    if (ir::constant_value(z, zc) && zc == 0) {
      next = s.state(i) + seconds(dt) * b; // no decay: Euler, exactly
    } else if (ir::constant_value(z, zc)) {
      next = ir::real(std::exp(zc)) * s.state(i) + ir::Constant::make(std::expm1(zc) / zc * dt, Dimension::time()) * b;
    } else {
      Expr growth = ir::Call::make(ir::Function::Exp, z);
      next = growth * s.state(i) + seconds(dt) * ir::exprel(z) * b;
    }
    out.push_back(next);
  }
  return out;
}

std::optional<NoiseTerms> split_noise(const OdeSystem &s, const std::vector<Expr> &f, NonlinearNoise &bad) {
  NoiseTerms out;
  for (const auto &fi : f)
    ir::mentions(fi, [&](const ir::Variable &v) {
      if (v.var_kind == ir::VarKind::Noise && std::find(out.names.begin(), out.names.end(), v.name) == out.names.end())
        out.names.push_back(v.name);
      return false;
    });
  auto is_noise = [](const ir::Variable &v) { return v.var_kind == ir::VarKind::Noise; };
  const Dimension noise_dim = *Dimension::frequency().sqrt();
  for (size_t i = 0; i < f.size(); ++i) {
    std::vector<Expr> g;
    for (const std::string &name : out.names) {
      Expr gk = ir::simplify(ir::differentiate(f[i], ir::VarKind::Noise, name, noise_dim));
      if (ir::mentions(gk, is_noise) || nonsmooth_in(f[i], is_noise)) {
        bad = {i, name};
        return std::nullopt;
      }
      g.push_back(ir::is_zero(gk) ? Expr() : gk);
    }
    out.factor.push_back(std::move(g));
    out.drift.push_back(ir::simplify(ir::substitute(
        f[i], [&](const ir::Variable &v) { return is_noise(v) ? ir::Constant::make(0.0, noise_dim) : Expr(); })));
  }
  return out;
}

std::optional<Multiplicative> multiplicative_noise(const OdeSystem &s, const NoiseTerms &noise) {
  for (size_t i = 0; i < noise.factor.size(); ++i)
    for (const Expr &g : noise.factor[i]) {
      std::string on;
      if (g)
        ir::mentions(g, [&](const ir::Variable &v) {
          if (s.is_state(v) && on.empty())
            on = v.name;
          return false;
        });
      if (!on.empty())
        return Multiplicative{i, on};
    }
  return std::nullopt;
}

std::vector<Expr> euler_maruyama_step(const OdeSystem &s, const NoiseTerms &noise, double dt,
                                      const std::vector<uint32_t> &sites) {
  std::vector<Expr> out = euler_step(s, noise.drift, dt);
  // dW = sqrt(dt) N: its dimension s^1/2 times xi's s^-1/2 is 1.
  Expr root_dt = ir::Constant::make(std::sqrt(dt), *Dimension::time().sqrt());
  for (size_t i = 0; i < out.size(); ++i)
    for (size_t k = 0; k < noise.names.size(); ++k)
      if (const Expr &g = noise.factor[i][k])
        out[i] = out[i] + g * root_dt * ir::Random::make(ir::Distribution::Normal01, sites[k]);
  return out;
}

std::vector<Expr> milstein_step(const OdeSystem &s, const NoiseTerms &noise, double dt, uint32_t site) {
  ir::internal_check(noise.names.size() == 1, "milstein integrates one noise");
  std::vector<Expr> out = euler_maruyama_step(s, noise, dt, {site});
  Expr normal = ir::Random::make(ir::Distribution::Normal01, site);
  // (dW^2 - dt) / 2 = dt (N^2 - 1) / 2, in seconds.
  Expr correction = seconds(dt / 2) * (normal * normal - ir::real(1.0));
  for (size_t i = 0; i < out.size(); ++i) {
    const Expr &gi = noise.factor[i][0];
    if (!gi)
      continue;
    Expr sum;
    for (size_t j = 0; j < s.states.size(); ++j) {
      const Expr &gj = noise.factor[j][0];
      if (!gj)
        continue;
      Expr dgi = ir::simplify(ir::differentiate(gi, ir::VarKind::State, s.states[j]->name, s.states[j]->dim));
      if (ir::is_zero(dgi))
        continue;
      Expr term = gj * dgi;
      sum = sum ? sum + term : term;
    }
    if (sum)
      out[i] = out[i] + sum * correction;
  }
  return out;
}

} // namespace snn::passes
