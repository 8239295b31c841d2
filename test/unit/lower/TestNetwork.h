//===- TestNetwork.h - A small discretised module for lower/ tests -*- C++ -*-===//
//
// A module as the pass pipeline hands it to the schedule: network "net" with
// populations exc (8 "Leaky") and relay (3 "Relay", driven by the stimulus
// file "in.csv"), projections relay -> exc.i (dense, uniform weights) and
// exc -> exc.v (p = 0.25, no autapses, constant weights), a spike record of
// exc and a state record of exc.v; dt 1e-3 s, batch `batch`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"

namespace snn::test {

inline ir::Module test_network(uint32_t batch = 3) {
  ir::Dimension volt = ir::Dimension::voltage();
  auto var = [](ir::VarKind kind, const std::string &name, ir::Dimension dim) {
    return ir::Variable::make(kind, name, dim);
  };
  ir::NeuronModel leaky;
  leaky.name = "Leaky";
  leaky.discretized = true;
  leaky.states = {{"v", volt, ir::real(0.0, volt)}};
  leaky.inputs = {{"i", volt}};
  ir::Expr v = var(ir::VarKind::State, "v", volt);
  leaky.update = {{"v", v * ir::real(0.9) + var(ir::VarKind::Input, "i", volt)}};
  leaky.spike_condition = ir::Binary::make(ir::BinaryOp::Gt, v, ir::real(1.0, volt));
  leaky.reset = {{"v", ir::real(0.0, volt)}};

  ir::NeuronModel relay;
  relay.name = "Relay";
  relay.discretized = true;
  relay.spike_condition = ir::Variable::make_stimulus();

  ir::Module m;
  m.models = {leaky, relay};
  m.network.name = "net";
  ir::Population exc, rel;
  exc.name = "exc";
  exc.model = "Leaky";
  exc.size = 8;
  rel.name = "relay";
  rel.model = "Relay";
  rel.size = 3;
  m.network.populations = {exc, rel};
  ir::Projection in, rec;
  in.pre = "relay";
  in.post = "exc";
  in.target = "i";
  in.target_kind = ir::TargetKind::Input;
  in.weight = {ir::WeightDistribution::Uniform, 0.1, 0.2, volt};
  rec.pre = rec.post = "exc";
  rec.target = "v";
  rec.target_kind = ir::TargetKind::State;
  rec.connectivity = ir::ConnectivityKind::FixedProbability;
  rec.probability = 0.25;
  rec.autapses = false;
  rec.weight = {ir::WeightDistribution::Constant, 0.05, 0, volt};
  m.network.projections = {in, rec};
  m.has_regime = true;
  m.regime.network = "net";
  m.regime.dt = 1e-3;
  m.regime.duration = 0.1;
  m.regime.seed = 5;
  m.regime.batch = batch;
  m.regime.stimuli = {{"relay", "in.csv"}};
  ir::Record spikes;
  spikes.kind = ir::RecordKind::Spikes;
  spikes.population = "exc";
  spikes.begin = 0;
  spikes.end = 8;
  ir::Record voltage;
  voltage.kind = ir::RecordKind::State;
  voltage.population = "exc";
  voltage.variable = "v";
  voltage.begin = 0;
  voltage.end = 4;
  m.regime.records = {spikes, voltage};
  return m;
}

} // namespace snn::test
