//===- passes/OdeMethods.h - One-step ODE and SDE methods ------*- C++ -*-===//
//
// The explicit methods DiscretizeOdes chooses from when a system is not
// linear with constant coefficients: Euler, RK4, exponential Euler, and for
// white noise Euler-Maruyama and Milstein. Each returns, per state, the new
// value as an expression of the old values (the update map); a state frozen
// while refractory is handled by the caller, which gates the right sides.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace snn::passes {

/// The ODE system of one model: states x_i with right sides f_i.
struct OdeSystem {
  std::vector<const ir::StateVar *> states;
  std::vector<ir::Expr> rhs;
  std::vector<bool> frozen;
  std::map<std::string, size_t> index;

  /// Whether `v` reads one of the system's states.
  bool is_state(const ir::Variable &v) const;
  /// The old value of state `i`.
  ir::Expr state(size_t i) const;
};

/// Whether a variable `var` accepts feeds a comparison or rounding inside
/// `e`, where a zero derivative would hide the nonlinearity.
bool nonsmooth_in(const ir::Expr &e, const std::function<bool(const ir::Variable &)> &var);

/// x + dt f(x), per state.
std::vector<ir::Expr> euler_step(const OdeSystem &s, const std::vector<ir::Expr> &f, double dt);

/// The classical fourth-order Runge-Kutta step; `t` advances within it.
std::vector<ir::Expr> rk4_step(const OdeSystem &s, const std::vector<ir::Expr> &f, double dt);

/// Exponential Euler (Brian2's `exponential_euler`): each dx/dt = A x + B
/// with A and B read at the old values of the other states, and
/// x' = x e^(A dt) + B dt exprel(A dt), which is -B/A + (x + B/A) e^(A dt)
/// without its 0/0 at A = 0. Nothing when some dx/dt is not linear in x
/// (then `why` says which).
std::optional<std::vector<ir::Expr>> exponential_euler_step(const OdeSystem &s, const std::vector<ir::Expr> &f,
                                                            double dt, std::string &why);

/// dx_i = f_i dt + sum_k g_ik dW_k: the right sides split into the drift
/// f_i and a factor g_ik per white noise `xi_k` (null where it is absent).
struct NoiseTerms {
  std::vector<std::string> names; ///< `xi`, `xi_a`, ... in order of first use
  std::vector<ir::Expr> drift;
  std::vector<std::vector<ir::Expr>> factor; ///< [state][noise]

  bool empty() const { return names.empty(); }
};

/// Where a right side is not of the form f + g * xi.
struct NonlinearNoise {
  size_t state;
  std::string noise;
};

/// Splits the right sides `f` into drift and noise factors; a right side
/// that is not linear in a noise (xi * xi, exp(xi)) is returned instead.
std::optional<NoiseTerms> split_noise(const OdeSystem &s, const std::vector<ir::Expr> &f, NonlinearNoise &bad);

/// Multiplicative noise: the factor of some noise in d(state)/dt reads the
/// system's state `on`.
struct Multiplicative {
  size_t state;
  std::string on;
};

/// The first multiplicative noise factor, or nothing when all noise is additive.
std::optional<Multiplicative> multiplicative_noise(const OdeSystem &s, const NoiseTerms &noise);

/// Euler-Maruyama: x + f dt + sum_k g_k sqrt(dt) N_k, with N_k the standard
/// normal draw of random site `sites[k]` (one per noise, shared by every
/// equation that reads it, as Brian2's `xi` is one process per neuron).
std::vector<ir::Expr> euler_maruyama_step(const OdeSystem &s, const NoiseTerms &noise, double dt,
                                          const std::vector<uint32_t> &sites);

/// Milstein (Ito, one noise): the Euler-Maruyama step plus
/// 1/2 sum_j g_j dg_i/dx_j (dW^2 - dt), strong order 1 for multiplicative
/// noise; for additive noise it is Euler-Maruyama.
std::vector<ir::Expr> milstein_step(const OdeSystem &s, const NoiseTerms &noise, double dt, uint32_t site);

} // namespace snn::passes
