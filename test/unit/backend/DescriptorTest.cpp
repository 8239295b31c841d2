//===- test/unit/backend/DescriptorTest.cpp - snn_model_desc contents -----===//
#include "TestModels.h"

#include "backends/cpu/ModelCodegen.h"

#include <gtest/gtest.h>

#include <cstring>

namespace snn::test {
namespace {

std::string error_of(const ir::Module &module) {
  llvm::LLVMContext context;
  try {
    cpu::build_module(module, context, cpu::CodegenOptions{});
  } catch (const ir::InternalError &e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Descriptor, DescribesNetworkRegimeAndBuffers) {
  ir::Module module = lif_network();
  ir::Population relay;
  relay.name = "relay";
  relay.model = "Relay";
  relay.size = 3;
  module.models.push_back(relay_model());
  module.network.populations.push_back(relay);
  module.regime.stimuli = {{"relay", "spikes.csv"}};
  module.regime.duration = 0.5;
  module.regime.seed = 0x123456789abcull;

  auto model = jit(module, cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  EXPECT_EQ(d.abi_version, SNN_MODEL_ABI_VERSION);
  EXPECT_EQ(d.real_size, 4u);
  EXPECT_STREQ(d.name, "lif_net");
  EXPECT_EQ(d.dt, 1e-3);
  EXPECT_EQ(d.duration, 0.5);
  EXPECT_EQ(d.default_seed, 0x123456789abcull);
  ASSERT_NE(d.init, nullptr);
  ASSERT_NE(d.step, nullptr);

  ASSERT_EQ(d.num_populations, 3u);
  const snn_population_desc &exc = d.populations[0], &inh = d.populations[1], &rel = d.populations[2];
  EXPECT_STREQ(exc.name, "exc");
  EXPECT_STREQ(exc.model, "LIF");
  EXPECT_EQ(exc.size, 8u);
  ASSERT_EQ(exc.num_state_vars, 2u);
  EXPECT_STREQ(exc.state_vars[0].name, "v");
  EXPECT_STREQ(exc.state_vars[0].unit, "V");
  EXPECT_STREQ(exc.state_vars[1].name, "w");
  ASSERT_EQ(exc.num_inputs, 1u);
  EXPECT_STREQ(exc.inputs[0].name, "i");
  EXPECT_STREQ(exc.inputs[0].unit, "V");
  EXPECT_EQ(exc.first_buffer, 0u);
  EXPECT_STREQ(inh.name, "inh");
  EXPECT_EQ(inh.size, 5u);
  EXPECT_EQ(inh.first_buffer, 3u);
  EXPECT_STREQ(rel.model, "Relay");
  EXPECT_EQ(rel.first_buffer, 6u);
  EXPECT_EQ(rel.num_inputs, 0u);
  EXPECT_EQ(rel.inputs, nullptr);
  EXPECT_STREQ(rel.state_vars[0].unit, "1");

  ASSERT_EQ(d.num_projections, 2u);
  const snn_projection_desc &p0 = d.projections[0], &p1 = d.projections[1];
  EXPECT_STREQ(p0.name, "exc -> inh.i");
  EXPECT_EQ(p0.pre, 0u);
  EXPECT_EQ(p0.post, 1u);
  EXPECT_EQ(p0.connectivity, uint32_t(SNN_CONNECT_DENSE));
  EXPECT_EQ(p0.probability, 1.0);
  EXPECT_EQ(p0.autapses, 1u);
  EXPECT_EQ(p0.weight.kind, uint32_t(SNN_DIST_UNIFORM));
  EXPECT_EQ(p0.weight.a, 0.25);
  EXPECT_EQ(p0.weight.b, 0.75);
  EXPECT_EQ(p0.target_kind, uint32_t(SNN_TARGET_INPUT));
  EXPECT_EQ(p0.target_index, 0u);
  EXPECT_STREQ(p1.name, "inh -> exc.v");
  EXPECT_EQ(p1.connectivity, uint32_t(SNN_CONNECT_FIXED_PROBABILITY));
  EXPECT_EQ(p1.probability, 0.5);
  EXPECT_EQ(p1.autapses, 0u);
  EXPECT_EQ(p1.weight.kind, uint32_t(SNN_DIST_NORMAL));
  EXPECT_EQ(p1.weight.a, -0.05);
  EXPECT_EQ(p1.weight.b, 0.01);
  EXPECT_EQ(p1.target_kind, uint32_t(SNN_TARGET_STATE));
  EXPECT_EQ(p1.target_index, 0u);

  ASSERT_EQ(d.num_records, 2u);
  EXPECT_EQ(d.records[0].kind, uint32_t(SNN_RECORD_SPIKES));
  EXPECT_EQ(d.records[0].population, 0u);
  EXPECT_EQ(d.records[0].begin, 0u);
  EXPECT_EQ(d.records[0].end, 8u);
  EXPECT_EQ(d.records[0].stride, 2u);
  EXPECT_EQ(d.records[0].file, nullptr);
  EXPECT_EQ(d.records[1].kind, uint32_t(SNN_RECORD_STATE));
  EXPECT_EQ(d.records[1].population, 1u);
  EXPECT_EQ(d.records[1].variable, 0u);
  EXPECT_EQ(d.records[1].begin, 1u);
  EXPECT_EQ(d.records[1].end, 5u);
  EXPECT_EQ(d.records[1].stride, 1u);
  EXPECT_STREQ(d.records[1].file, "inh.npz");

  ASSERT_EQ(d.num_stimuli, 1u);
  EXPECT_EQ(d.stimuli[0].population, 2u);
  EXPECT_STREQ(d.stimuli[0].path, "spikes.csv");
}

TEST(Descriptor, EmptyTablesAreNullAndDoubleSetsRealSize) {
  cpu::CodegenOptions options;
  options.double_precision = true;
  auto model = jit(single_population(clock_model(), "clock", 2), options);
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  EXPECT_EQ(d.real_size, 8u);
  EXPECT_STREQ(d.name, "net");
  EXPECT_STREQ(d.populations[0].state_vars[0].unit, "s");
  EXPECT_EQ(d.num_projections, 0u);
  EXPECT_EQ(d.projections, nullptr);
  EXPECT_EQ(d.num_records, 0u);
  EXPECT_EQ(d.records, nullptr);
  EXPECT_EQ(d.num_stimuli, 0u);
  EXPECT_EQ(d.stimuli, nullptr);
}

TEST(Descriptor, RejectsIrThePipelineShouldHaveLowered) {
  ir::Module with_param = single_population(lif_model(), "exc", 4);
  ir::Expr tau = ir::Variable::make(ir::VarKind::Param, "tau", {});
  with_param.models[0].update[1].value = state("w", ir::Dimension::voltage()) * tau;
  EXPECT_NE(error_of(with_param).find("parameter 'tau' reached the CPU backend"), std::string::npos)
      << error_of(with_param);

  ir::Module with_dt = single_population(clock_model(), "clock", 1);
  with_dt.models[0].update[0].value = ir::Variable::make(ir::VarKind::Dt, "dt", ir::Dimension::time());
  EXPECT_NE(error_of(with_dt).find("'dt' reached the CPU backend"), std::string::npos) << error_of(with_dt);

  ir::Module continuous = single_population(lif_model(), "exc", 4);
  continuous.models[0].discretized = false;
  EXPECT_EQ(error_of(continuous), "model 'LIF' reached the CPU backend in continuous form");

  ir::Module unknown_state = single_population(lif_model(), "exc", 4);
  unknown_state.models[0].update[0].state = "u";
  EXPECT_EQ(error_of(unknown_state), "model 'LIF' has no state 'u'");

  ir::Module bad_target = lif_network();
  bad_target.network.projections[0].target = "g";
  EXPECT_EQ(error_of(bad_target), "projection exc -> inh targets 'g', which is not an input of 'LIF'");

  ir::Module overrides = single_population(lif_model(), "exc", 4);
  overrides.network.populations[0].overrides.push_back({"tau", ir::real(1.0)});
  EXPECT_EQ(error_of(overrides), "population 'exc' still has parameter "
                                 "overrides or inits (not specialised)");

  ir::Module many_sites = single_population(poisson_model(0.1), "p", 4);
  many_sites.models[0].update[0].value = ir::Random::make(ir::Distribution::Uniform01, 300);
  EXPECT_EQ(error_of(many_sites), "random call site 300 of model 'Poisson' exceeds 255");
}

} // namespace
} // namespace snn::test
