//===- test/unit/ir/TestModule.h - A small hand-built ir::Module -*- C++ -*-===//
#pragma once

#include "ir/Module.h"

namespace snn::test {

/// A discretised LIF population `p` of 10 neurons with a recurrent dense
/// projection onto its impulse input `i` (in V/s, weights in V), a regime
/// and two records.
inline ir::Module small_module() {
  using namespace ir;
  const Dimension V = Dimension::voltage();
  Expr v = Variable::make(VarKind::State, "v", V);
  const Dimension V_per_s = V / Dimension::time();
  Expr i = Variable::make(VarKind::Input, "i", V_per_s);
  NeuronModel m;
  m.name = "LIF@p";
  m.states.push_back({"v", V, real(-0.065, V), false});
  m.inputs.push_back({"i", V_per_s});
  m.discretized = true;
  m.method_used = IntegrationMethod::Exact;
  m.update.push_back({"v", real(0.9900498337491681) * v + real(0.009950166250831945, Dimension::time()) * i});
  m.spike_condition = Binary::make(BinaryOp::Gt, v, real(-0.05, V));
  m.reset.push_back({"v", real(-0.07, V)});
  m.surrogate = Binary::make(BinaryOp::Max, real(0.0), real(1.0) - Call::make(Function::Abs, v / real(0.01, V)));

  Module mod;
  mod.models.push_back(m);
  mod.network.name = "Net";
  Population p;
  p.name = "p";
  p.model = "LIF@p";
  p.size = 10;
  mod.network.populations.push_back(p);
  Projection pr;
  pr.pre = "p";
  pr.post = "p";
  pr.target = "i";
  pr.connectivity = ConnectivityKind::FixedProbability;
  pr.probability = 0.25;
  pr.autapses = false;
  pr.weight = {WeightDistribution::Normal, 1e-3, 2.5e-4, V};
  mod.network.projections.push_back(pr);
  mod.has_regime = true;
  mod.regime.network = "Net";
  mod.regime.dt = 1e-4;
  mod.regime.duration = 0.5;
  mod.regime.seed = 42;
  mod.regime.records.push_back({RecordKind::Spikes, "p", "", 0, 10, 1, {}, 1, ""});
  mod.regime.records.push_back({RecordKind::State, "p", "v", 0, 10, 3, {}, 10, "v.npz"});
  mod.regime.records.push_back({RecordKind::Rate, "p", "", 2, 8, 2, {}, 5, ""});
  return mod;
}

} // namespace snn::test
