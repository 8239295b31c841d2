//===- test/unit/backend/TestModels.cpp - Hand-built IR for backend tests -===//
#include "TestModels.h"

#include "backends/cpu/ProgramCodegen.h"
#include "lower/Schedule.h"

#include <gtest/gtest.h>

namespace snn::test {

using ir::BinaryOp;
using ir::Dimension;
using ir::Expr;

ir::Expr state(const std::string &name, Dimension dim) { return ir::Variable::make(ir::VarKind::State, name, dim); }

ir::Expr input(const std::string &name, Dimension dim) { return ir::Variable::make(ir::VarKind::Input, name, dim); }

namespace {
ir::NeuronModel discrete_model(const std::string &name) {
  ir::NeuronModel model;
  model.name = name;
  model.discretized = true;
  model.method_used = ir::IntegrationMethod::Exact;
  return model;
}
} // namespace

ir::NeuronModel lif_model() {
  Dimension volt = Dimension::voltage();
  ir::NeuronModel m = discrete_model("LIF");
  m.states = {{"v", volt, ir::real(0.1, volt)}, {"w", volt, ir::real(0.0, volt)}};
  m.inputs = {{"i", volt}};
  Expr v = state("v", volt), w = state("w", volt), i = input("i", volt);
  m.update = {{"v", v * ir::real(0.99) + ir::real(0.01) * (i + ir::real(1.0, volt))}, {"w", w * ir::real(0.9)}};
  m.spike_condition = ir::Binary::make(BinaryOp::Gt, v, ir::real(0.5, volt));
  m.reset = {{"v", v - ir::real(0.5, volt)}, {"w", w + v}};
  return m;
}

ir::NeuronModel poisson_model(double p) {
  ir::NeuronModel m = discrete_model("Poisson");
  m.states = {{"u", {}, ir::real(0.0)}, {"z", {}, ir::real(0.0)}};
  m.update = {{"u", ir::Random::make(ir::Distribution::Uniform01, 0)},
              {"z", ir::Random::make(ir::Distribution::Normal01, 1)}};
  m.spike_condition = ir::Binary::make(BinaryOp::Lt, state("u"), ir::real(p));
  return m;
}

ir::NeuronModel noisy_init_model() {
  ir::NeuronModel m = discrete_model("Noisy");
  m.states = {{"a", {}, ir::Random::make(ir::Distribution::Uniform01, 0)},
              {"b", {}, ir::Random::make(ir::Distribution::Normal01, 1)},
              {"c", {}, ir::real(2.5)}};
  return m;
}

ir::NeuronModel clock_model() {
  ir::NeuronModel m = discrete_model("Clock");
  m.states = {{"c", Dimension::time(), ir::real(-1.0, Dimension::time())}};
  m.update = {{"c", ir::Variable::make(ir::VarKind::Time, "t", Dimension::time())}};
  return m;
}

ir::NeuronModel relay_model() {
  ir::NeuronModel m = discrete_model("Relay");
  m.states = {{"n", {}, ir::real(0.0)}};
  Expr stim = ir::Variable::make_stimulus();
  m.update = {{"n", state("n") + ir::Select::make(stim, ir::real(1.0), ir::real(0.0))}};
  m.spike_condition = stim;
  return m;
}

ir::NeuronModel math_model() {
  using ir::Call;
  using ir::Function;
  ir::NeuronModel m = discrete_model("Math");
  Expr x = state("x");
  auto pow = [&](double e) { return ir::Binary::make(BinaryOp::Pow, x, ir::real(e)); };
  auto cmp = [&](BinaryOp op, double c) { return ir::Binary::make(op, x, ir::real(c)); };
  // (x > 0.25 and not x == 0.45) or x <= 0.1 or (x >= 2 and x != 2.5) or x < -1
  Expr cond = ir::Binary::make(
      BinaryOp::Or,
      ir::Binary::make(BinaryOp::And, cmp(BinaryOp::Gt, 0.25),
                       ir::Unary::make(ir::UnaryOp::Not, cmp(BinaryOp::Eq, 0.45))),
      ir::Binary::make(BinaryOp::Or, cmp(BinaryOp::Le, 0.1),
                       ir::Binary::make(BinaryOp::Or,
                                        ir::Binary::make(BinaryOp::And, cmp(BinaryOp::Ge, 2.0), cmp(BinaryOp::Ne, 2.5)),
                                        cmp(BinaryOp::Lt, -1.0))));
  std::vector<std::pair<std::string, Expr>> outputs = {
      {"exp", Call::make(Function::Exp, x)},
      {"log", Call::make(Function::Log, x)},
      {"sqrt", Call::make(Function::Sqrt, x)},
      {"abs", Call::make(Function::Abs, -x)},
      {"sin", Call::make(Function::Sin, x)},
      {"cos", Call::make(Function::Cos, x)},
      {"tanh", Call::make(Function::Tanh, x)},
      {"floor", Call::make(Function::Floor, x * ir::real(10.0))},
      {"ceil", Call::make(Function::Ceil, x * ir::real(10.0))},
      {"pow3", pow(3)},
      {"pow_m2", pow(-2)},
      {"pow0", pow(0)},
      {"pow_half", pow(0.5)},
      {"pow_m_half", pow(-0.5)},
      {"pow_1_7", pow(1.7)},
      {"pow_x", ir::Binary::make(BinaryOp::Pow, ir::real(2.0), x)},
      {"min", ir::Binary::make(BinaryOp::Min, x, ir::real(0.4))},
      {"max", ir::Binary::make(BinaryOp::Max, x, ir::real(0.4))},
      {"select", ir::Select::make(cond, x * x, ir::real(7.0) - x)},
      {"div", ir::real(1.0) / (x + ir::real(1.0))},
  };
  m.states.push_back({"x", {}, ir::real(0.5)});
  for (const auto &[name, value] : outputs) {
    m.states.push_back({name, {}, ir::real(0.0)});
    m.update.push_back({name, value});
  }
  return m;
}

ir::NeuronModel gated_model(int32_t period) {
  Dimension volt = Dimension::voltage();
  ir::NeuronModel m = discrete_model("Gated");
  m.states = {{"v", volt, ir::real(0.0, volt)}, {"ref", {}, ir::Constant::make_int(0), true}};
  m.states[0].frozen_when_refractory = true;
  m.states[1].type = ir::ScalarType::Int;
  m.refractory_counter = "ref";
  Expr ref = ir::Variable::make(ir::VarKind::State, "ref", {}, ir::ScalarType::Int);
  Expr zero = ir::Constant::make_int(0);
  m.update = {{"v", state("v", volt)}, {"ref", ir::Binary::make(BinaryOp::Max, ref - ir::Constant::make_int(1), zero)}};
  m.spike_condition =
      ir::Binary::make(BinaryOp::And, ir::Binary::make(BinaryOp::Gt, state("v", volt), ir::real(1.0, volt)),
                       ir::Binary::make(BinaryOp::Le, ref, zero));
  m.reset = {{"ref", ir::Constant::make_int(period)}};
  return m;
}

ir::Module single_population(ir::NeuronModel model, const std::string &population, uint32_t size) {
  ir::Module module;
  ir::Population pop;
  pop.name = population;
  pop.model = model.name;
  pop.size = size;
  module.models.push_back(std::move(model));
  module.network.name = "net";
  module.network.populations.push_back(pop);
  module.has_regime = true;
  module.regime.network = "net";
  module.regime.dt = 1e-3;
  module.regime.duration = 0.25;
  module.regime.seed = 42;
  return module;
}

ir::Module lif_network() {
  ir::Module module = single_population(lif_model(), "exc", 8);
  module.network.name = "lif_net";
  module.regime.network = "lif_net";
  ir::Population inh;
  inh.name = "inh";
  inh.model = "LIF";
  inh.size = 5;
  module.network.populations.push_back(inh);

  ir::Projection to_inh;
  to_inh.pre = "exc";
  to_inh.post = "inh";
  to_inh.target = "i";
  to_inh.target_kind = ir::TargetKind::Input;
  to_inh.weight = {ir::WeightDistribution::Uniform, 0.25, 0.75, Dimension::voltage()};
  ir::Projection to_exc;
  to_exc.pre = "inh";
  to_exc.post = "exc";
  to_exc.target = "v";
  to_exc.target_kind = ir::TargetKind::State;
  to_exc.connectivity = ir::ConnectivityKind::FixedProbability;
  to_exc.probability = 0.5;
  to_exc.autapses = false;
  to_exc.weight = {ir::WeightDistribution::Normal, -0.05, 0.01, Dimension::voltage()};
  module.network.projections = {to_inh, to_exc};

  ir::Record spikes;
  spikes.kind = ir::RecordKind::Spikes;
  spikes.population = "exc";
  spikes.begin = 0;
  spikes.end = 8;
  spikes.stride = 2;
  ir::Record voltage;
  voltage.kind = ir::RecordKind::State;
  voltage.population = "inh";
  voltage.variable = "v";
  voltage.begin = 1;
  voltage.end = 5;
  voltage.file = "inh.npz";
  module.regime.records = {spikes, voltage};
  return module;
}

ir::Module relay_network(uint32_t pre, uint32_t post, ir::NeuronModel post_model, const std::string &target,
                         ir::TargetKind kind) {
  ir::Module module = single_population(relay_model(), "relay", pre);
  module.network.name = "relay_net";
  module.regime.network = "relay_net";
  ir::Population p;
  p.name = "post";
  p.model = post_model.name;
  p.size = post;
  if (post_model.name != "Relay")
    module.models.push_back(std::move(post_model));
  module.network.populations.push_back(p);
  ir::Projection projection;
  projection.pre = "relay";
  projection.post = "post";
  projection.target = target;
  projection.target_kind = kind;
  projection.weight = {ir::WeightDistribution::Constant, 0.25, 0, Dimension::voltage()};
  module.network.projections = {projection};
  module.regime.stimuli = {{"relay", "in.csv"}};
  return module;
}

lower::Program lowered(const ir::Module &module, const cpu::CodegenOptions &options) {
  lower::ScheduleOptions schedule;
  schedule.double_precision = options.double_precision;
  return lower::schedule(module, schedule);
}

std::unique_ptr<cpu::JitModel> jit(const ir::Module &module, const cpu::CodegenOptions &options) {
  return jit(lowered(module, options), options);
}

std::unique_ptr<cpu::JitModel> jit(const lower::Program &program, const cpu::CodegenOptions &options) {
  auto context = std::make_unique<llvm::LLVMContext>();
  std::unique_ptr<llvm::Module> llvm_module = cpu::build_module(program, *context, options);
  std::string error;
  auto model = cpu::JitModel::create(std::move(llvm_module), std::move(context), options, error);
  if (!model)
    ADD_FAILURE() << "JIT failed: " << error;
  return model;
}

} // namespace snn::test
