//===- TestModels.h - Hand-built IR for backend tests -----------*- C++ -*-===//
//
// Small ir::Modules of the kind the pass pipeline hands the schedule
// (discretised, specialised, no parameters), and one-call ways to lower them
// to a Program and JIT-compile that Program.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "backends/cpu/Jit.h"
#include "ir/Module.h"
#include "lower/Program.h"

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

/// "Gated", as DiscretizeOdes leaves a model with `unless refractory` and a
/// refractory period of `period` steps: states v (V, frozen when
/// refractory) and the hidden i32 counter "ref" (the refractory counter).
///   v' = v,  ref' = max(ref - 1, 0)
///   spike when v' > 1 and ref' <= 0;  reset ref := period
/// The reset leaves v alone, so a delivery dropped in the step of a spike
/// stays visible.
ir::NeuronModel gated_model(int32_t period);

/// A module with one population `population` of `size` neurons of `model`,
/// network "net", dt 1e-3 s, duration 0.25 s, seed 42.
ir::Module single_population(ir::NeuronModel model, const std::string &population, uint32_t size);

/// Network "lif_net": populations exc (8 LIF) and inh (5 LIF); projections
/// exc -> inh.i (input, dense, uniform weights in [0.25, 0.75)) and
/// inh -> exc.v (state, p = 0.5 without autapses, normal weights of mean
/// -0.05 and sd 0.01); a spike record of exc[0:8:2] and a state record of
/// inh.v[1:5] to "inh.npz".
ir::Module lif_network();

/// Network "relay_net": population "relay" (`pre` Relay neurons, driven by
/// the stimulus file "in.csv") and "post" (`post` neurons of `post_model`),
/// one dense projection relay -> post.`target` with constant weight 0.25 V.
ir::Module relay_network(uint32_t pre, uint32_t post, ir::NeuronModel post_model, const std::string &target,
                         ir::TargetKind kind);

/// lower::schedule of `module`, with the precision of `options`.
lower::Program lowered(const ir::Module &module, const cpu::CodegenOptions &options);

/// build_module + JitModel::create of `program`; reports a gtest failure and
/// returns null on error.
std::unique_ptr<cpu::JitModel> jit(const lower::Program &program, const cpu::CodegenOptions &options);

/// jit(lowered(module, options), options).
std::unique_ptr<cpu::JitModel> jit(const ir::Module &module, const cpu::CodegenOptions &options);

/// Options for float (or double) reals at `opt_level`.
inline cpu::CodegenOptions precision(bool double_precision, int opt_level = 2) {
  cpu::CodegenOptions options;
  options.double_precision = double_precision;
  options.opt_level = opt_level;
  return options;
}

} // namespace snn::test
