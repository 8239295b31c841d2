//===- TestModels.h - Hand-built IR for backend tests -----------*- C++ -*-===//
//
// Small lowered ir::Modules of the kind the pass pipeline hands the backend
// (discretised, specialised, no parameters), and a one-call JIT for them.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "backends/cpu/Jit.h"
#include "ir/Module.h"

#include <memory>
#include <string>

namespace snn::test {

/// A State variable reference of dimension `dim`.
ir::Expr state(const std::string &name, ir::Dimension dim = {});
/// An Input variable reference of dimension `dim`.
ir::Expr input(const std::string &name, ir::Dimension dim = {});

/// LIF-like model "LIF", exact integration folded to constants:
///   v' = v * 0.99 + 0.01 * (i + 1.0),  w' = w * 0.9
///   spike when v' > 0.5;  reset v := v - 0.5, w := w + v
/// States v (V, initial 0.1) and w (V, initial 0); input i (V).
ir::NeuronModel lif_model();

/// "Poisson": u' = uniform (site 0), z' = normal (site 1); spikes when
/// u' < `p`. States u, z (dimensionless, initial 0); no inputs.
ir::NeuronModel poisson_model(double p);

/// "Noisy": initial a = uniform (site 0), b = normal (site 1), c = 2.5;
/// no update, never spikes.
ir::NeuronModel noisy_init_model();

/// "Clock": c' = t (s).
ir::NeuronModel clock_model();

/// "Relay": n' = n + (stimulus ? 1 : 0); spikes when stimulus.
ir::NeuronModel relay_model();

/// "Math": state x (dimensionless) is never updated; every other state is
/// one function of x (see the test for the list), computed each step.
ir::NeuronModel math_model();

/// A module with one population `population` of `size` neurons of `model`,
/// network "net", dt 1e-3 s, duration 0.25 s, seed 42.
ir::Module single_population(ir::NeuronModel model, const std::string &population, uint32_t size);

/// Network "lif_net": populations exc (8 LIF) and inh (5 LIF); projections
/// exc -> inh.i (input, dense) and inh -> exc.v (state, dense); a spike
/// record of exc[0:8:2] and a state record of inh.v[1:5] to "inh.npz".
ir::Module lif_network();

/// build_module + JitModel::create; reports a gtest failure and returns
/// null on error.
std::unique_ptr<cpu::JitModel> jit(const ir::Module &module, const cpu::CodegenOptions &options);

} // namespace snn::test
