//===- passes/EProp.h - Eligibility traces derived from the models -*- C++ -*-===//
//
// For a `train NET with eprop` regime, derives from each trained post
// population's discretised update h[t] = F(h[t-1], i[t], z[t-1]), its spike
// condition and its surrogate the quantities e-prop needs (Bellec et al.
// 2020, Methods), symbolically with ir::differentiate and ir::simplify:
//
//   J_km[t]  = dh_k[t] / dh_m[t-1]  (direct, plus the path through z[t-1]:
//              (F_k|z=1 - F_k|z=0) * psi[t-1] * dg/dh_m[t-1]; by default not
//              for the membrane, the state g increases with)
//   D_k[t]   = dh_k[t] / di[t]      (the projection's target input i)
//   O_k[t]   = psi[t] * dg/dh_k[t]  (hidden: the spike's dependence on h_k;
//              psi gated off where the condition's other conjuncts fail)
//            = dy/dh_k               (the readout, y its output state)
//
// where g is the threshold function of the spike condition (`v >= v_th +
// beta * a` gives g = v - v_th - beta * a). Each J, D or O that is not a
// constant becomes a hidden state of the post model (`eprop@J@a@v`,
// `eprop@in@v@i`, `eprop@dz@v`) whose update computes it every step, so the
// neuron update kernel evaluates it and lower/ only loads it. A trace
// eps^k exists when the input reaches state k and state k reaches the
// spike (or the readout's output) through nonzero Jacobian entries: for LIF
// only eps^v, per presynaptic neuron; for ALIF also eps^a, per synapse.
//
// The result is ir::Training::trained; the pass also checks every
// assumption of e-prop and reports a located diagnostic when one fails.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "passes/Pass.h"

namespace snn::passes {

/// The `eprop` pass; a no-op without a train regime. Returns false after
/// reporting an error.
bool eprop(ir::Module &m, PassContext &ctx);

/// The name of the hidden state holding J_km of model states k and m.
std::string jacobian_state(const std::string &k, const std::string &m);
/// The name of the hidden state holding psi * dg/dh_k.
std::string spike_gain_state(const std::string &k);
/// The name of the hidden state holding dh_k/di.
std::string input_gain_state(const std::string &k, const std::string &input);

} // namespace snn::passes
