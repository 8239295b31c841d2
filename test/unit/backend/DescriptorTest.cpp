//===- test/unit/backend/DescriptorTest.cpp - snn_model_desc contents -----===//
#include "TestModels.h"

#include "backends/cpu/ProgramCodegen.h"

#include <gtest/gtest.h>

#include <cstring>

namespace snn::test {
namespace {

/// The error that scheduling and generating code for `module` throws.
std::string error_of(const ir::Module &module) {
  llvm::LLVMContext context;
  try {
    cpu::build_module(lowered(module, cpu::CodegenOptions{}), context, cpu::CodegenOptions{});
  } catch (const ir::InternalError &e) {
    return e.what();
  }
  return "(no error)";
}

/// Index of the buffer called `name` in `d`, or SNN_NO_BUFFER.
uint32_t buffer_named(const snn_model_desc &d, const std::string &name) {
  for (uint32_t k = 0; k < d.num_buffers; ++k)
    if (name == d.buffers[k].name)
      return k;
  return SNN_NO_BUFFER;
}

/// The name of buffer `index` of `d`, or "<none>".
std::string name_of_buffer(const snn_model_desc &d, uint32_t index) {
  return index < d.num_buffers ? d.buffers[index].name : "<none>";
}

/// lif_network with a stimulated Relay population, a longer duration, a
/// seed with high bits and a default batch.
ir::Module described_network() {
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
  module.regime.batch = 6;
  return module;
}

TEST(Descriptor, DescribesTheRegime) {
  auto model = jit(described_network(), cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  EXPECT_EQ(d.abi_version, SNN_MODEL_ABI_VERSION);
  EXPECT_EQ(d.real_size, 4u);
  EXPECT_STREQ(d.name, "lif_net");
  EXPECT_EQ(d.dt, 1e-3);
  EXPECT_EQ(d.duration, 0.5);
  EXPECT_EQ(d.default_seed, 0x123456789abcull);
  EXPECT_EQ(d.default_batch, 6u);
  ASSERT_EQ(d.num_entries, 9u);
  const char *names[] = {"init",           "reset_example",    "step",
                         "train_step",     "end_example",      "train_end_example",
                         "train_backward", "reduce_gradients", "apply_gradients"};
  for (uint32_t e = 0; e < 9; ++e) {
    EXPECT_STREQ(d.entries[e].name, names[e]);
    EXPECT_NE(d.entries[e].fn, nullptr) << names[e];
  }
}

TEST(Descriptor, DescribesWeightFiles) {
  ir::Module module = lif_network();
  ASSERT_EQ(module.network.projections.size(), 2u);
  module.network.projections[0].weight_origin.file = "pretrained.npz";
  module.network.projections[0].weight_origin.array = "input->hidden";
  module.network.projections[1].weight_origin.file = "dir/w.npy";
  auto model = jit(module, cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  ASSERT_EQ(d.num_projections, 2u);
  EXPECT_STREQ(d.projections[0].weight_file, "pretrained.npz");
  EXPECT_STREQ(d.projections[0].weight_array, "input->hidden");
  EXPECT_STREQ(d.projections[1].weight_file, "dir/w.npy");
  EXPECT_EQ(d.projections[1].weight_array, nullptr);
}

TEST(Descriptor, DescribesEveryBuffer) {
  auto model = jit(described_network(), cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  struct Expected {
    const char *name, *unit;
    uint32_t type, scope, owner, batch, role;
    uint64_t extent;
  };
  const uint32_t F32 = SNN_ELEM_F32, U32 = SNN_ELEM_U32, U8 = SNN_ELEM_U8;
  const uint32_t NEURON = SNN_SCOPE_NEURON, SYN = SNN_SCOPE_SYNAPSE, ROW = SNN_SCOPE_ROW;
  const uint32_t EX = SNN_BATCH_PER_EXAMPLE, SH = SNN_BATCH_SHARED;
  // exc 8 neurons, inh 5, relay 3; exc -> inh dense (8 x 5 synapses),
  // inh -> exc with p = 0.5 (5 x 8 / 2 expected).
  const std::vector<Expected> expected = {
      {"exc.v", "V", F32, NEURON, 0, EX, SNN_ROLE_STATE, 8},
      {"exc.w", "V", F32, NEURON, 0, EX, SNN_ROLE_STATE, 8},
      {"exc.i", "V", F32, NEURON, 0, EX, SNN_ROLE_INPUT, 8},
      {"exc.spiked", "", U8, NEURON, 0, EX, SNN_ROLE_SPIKED, 8},
      {"inh.v", "V", F32, NEURON, 1, EX, SNN_ROLE_STATE, 5},
      {"inh.w", "V", F32, NEURON, 1, EX, SNN_ROLE_STATE, 5},
      {"inh.i", "V", F32, NEURON, 1, EX, SNN_ROLE_INPUT, 5},
      {"inh.spiked", "", U8, NEURON, 1, EX, SNN_ROLE_SPIKED, 5},
      {"relay.n", "1", F32, NEURON, 2, EX, SNN_ROLE_STATE, 3},
      {"relay.spiked", "", U8, NEURON, 2, EX, SNN_ROLE_SPIKED, 3},
      {"relay.stimulus", "", U8, NEURON, 2, EX, SNN_ROLE_STIMULUS, 3},
      {"exc -> inh.i.row_start", "", U32, ROW, 0, SH, SNN_ROLE_ROW_START, 9},
      {"exc -> inh.i.target", "", U32, SYN, 0, SH, SNN_ROLE_TARGET, 40},
      {"exc -> inh.i.weight", "V", F32, SYN, 0, SH, SNN_ROLE_WEIGHT, 40},
      {"inh -> exc.v.row_start", "", U32, ROW, 1, SH, SNN_ROLE_ROW_START, 6},
      {"inh -> exc.v.target", "", U32, SYN, 1, SH, SNN_ROLE_TARGET, 20},
      {"inh -> exc.v.weight", "V", F32, SYN, 1, SH, SNN_ROLE_WEIGHT, 20},
  };
  ASSERT_EQ(d.num_buffers, expected.size());
  for (const Expected &e : expected) {
    SCOPED_TRACE(e.name);
    uint32_t k = buffer_named(d, e.name);
    ASSERT_NE(k, SNN_NO_BUFFER);
    const snn_buffer_desc &b = d.buffers[k];
    EXPECT_STREQ(b.unit, e.unit);
    EXPECT_EQ(b.type, e.type);
    EXPECT_EQ(b.scope, e.scope);
    EXPECT_EQ(b.owner, e.owner);
    EXPECT_EQ(b.batch, e.batch);
    EXPECT_EQ(b.role, e.role);
    EXPECT_EQ(b.extent, e.extent);
  }
}

TEST(Descriptor, PopulationsProjectionsAndRecordsNameTheirBuffers) {
  auto model = jit(described_network(), cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  ASSERT_EQ(d.num_populations, 3u);
  const snn_population_desc &exc = d.populations[0], &inh = d.populations[1], &rel = d.populations[2];
  EXPECT_STREQ(exc.name, "exc");
  EXPECT_STREQ(exc.model, "LIF");
  EXPECT_EQ(exc.size, 8u);
  ASSERT_EQ(exc.num_state_vars, 2u);
  EXPECT_STREQ(exc.state_vars[0].name, "v");
  EXPECT_EQ(name_of_buffer(d, exc.state_vars[0].buffer), "exc.v");
  EXPECT_EQ(exc.state_vars[0].hidden, 0u);
  EXPECT_STREQ(exc.state_vars[1].name, "w");
  EXPECT_EQ(name_of_buffer(d, exc.state_vars[1].buffer), "exc.w");
  ASSERT_EQ(exc.num_inputs, 1u);
  EXPECT_STREQ(exc.inputs[0].name, "i");
  EXPECT_EQ(name_of_buffer(d, exc.inputs[0].buffer), "exc.i");
  EXPECT_EQ(name_of_buffer(d, exc.spiked), "exc.spiked");
  EXPECT_EQ(exc.stimulus, SNN_NO_BUFFER);
  EXPECT_STREQ(inh.name, "inh");
  EXPECT_EQ(inh.size, 5u);
  EXPECT_EQ(name_of_buffer(d, inh.state_vars[0].buffer), "inh.v");
  EXPECT_EQ(name_of_buffer(d, inh.spiked), "inh.spiked");
  EXPECT_STREQ(rel.model, "Relay");
  EXPECT_EQ(rel.num_inputs, 0u);
  EXPECT_EQ(rel.inputs, nullptr);
  EXPECT_EQ(name_of_buffer(d, rel.state_vars[0].buffer), "relay.n");
  EXPECT_EQ(name_of_buffer(d, rel.stimulus), "relay.stimulus");

  ASSERT_EQ(d.num_projections, 2u);
  const snn_projection_desc &p0 = d.projections[0], &p1 = d.projections[1];
  EXPECT_STREQ(p0.name, "exc -> inh.i");
  EXPECT_EQ(p0.pre, 0u);
  EXPECT_EQ(p0.post, 1u);
  EXPECT_EQ(p0.connectivity, uint32_t(SNN_CONNECT_DENSE));
  EXPECT_EQ(p0.probability, 1.0);
  EXPECT_EQ(p0.autapses, 1u);
  EXPECT_EQ(name_of_buffer(d, p0.row_start), "exc -> inh.i.row_start");
  EXPECT_EQ(name_of_buffer(d, p0.target), "exc -> inh.i.target");
  EXPECT_EQ(name_of_buffer(d, p0.weight), "exc -> inh.i.weight");
  EXPECT_STREQ(p1.name, "inh -> exc.v");
  EXPECT_EQ(p1.pre, 1u);
  EXPECT_EQ(p1.post, 0u);
  EXPECT_EQ(p1.connectivity, uint32_t(SNN_CONNECT_FIXED_PROBABILITY));
  EXPECT_EQ(p1.probability, 0.5);
  EXPECT_EQ(p1.autapses, 0u);
  EXPECT_EQ(name_of_buffer(d, p1.row_start), "inh -> exc.v.row_start");
  EXPECT_EQ(name_of_buffer(d, p1.target), "inh -> exc.v.target");
  EXPECT_EQ(name_of_buffer(d, p1.weight), "inh -> exc.v.weight");
  EXPECT_EQ(p0.weight_file, nullptr);
  EXPECT_EQ(p0.weight_array, nullptr);

  ASSERT_EQ(d.num_records, 2u);
  EXPECT_EQ(d.records[0].kind, uint32_t(SNN_RECORD_SPIKES));
  EXPECT_EQ(d.records[0].population, 0u);
  EXPECT_EQ(d.records[0].buffer, SNN_NO_BUFFER);
  EXPECT_EQ(d.records[0].begin, 0u);
  EXPECT_EQ(d.records[0].end, 8u);
  EXPECT_EQ(d.records[0].stride, 2u);
  EXPECT_EQ(d.records[0].file, nullptr);
  EXPECT_EQ(d.records[1].kind, uint32_t(SNN_RECORD_STATE));
  EXPECT_EQ(d.records[1].population, 1u);
  EXPECT_EQ(name_of_buffer(d, d.records[1].buffer), "inh.v");
  EXPECT_EQ(d.records[1].begin, 1u);
  EXPECT_EQ(d.records[1].end, 5u);
  EXPECT_EQ(d.records[1].stride, 1u);
  EXPECT_STREQ(d.records[1].file, "inh.npz");

  ASSERT_EQ(d.num_stimuli, 1u);
  EXPECT_EQ(d.stimuli[0].population, 2u);
  EXPECT_STREQ(d.stimuli[0].path, "spikes.csv");
}

TEST(Descriptor, BuffersFollowTheProgramInOrder) {
  ir::Module module = described_network();
  lower::Program program = lowered(module, cpu::CodegenOptions{});
  auto model = jit(program, cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  ASSERT_EQ(d.num_buffers, program.buffers.size());
  for (uint32_t k = 0; k < d.num_buffers; ++k) {
    EXPECT_EQ(d.buffers[k].name, program.buffers[k].name) << k;
    EXPECT_EQ(d.buffers[k].extent, program.buffers[k].extent) << k;
  }
}

/// Appends a buffer to `program` and returns its index.
int add_buffer(lower::Program &program, const std::string &name, lower::ElemType type, lower::ScopeKind scope,
               int owner, lower::BatchAxis batch, lower::BufferRole role, uint64_t extent) {
  lower::Buffer buffer;
  buffer.name = name;
  buffer.type = type;
  buffer.scope = {scope, owner};
  buffer.batch = batch;
  buffer.role = role;
  buffer.unit = "1";
  buffer.extent = extent;
  program.buffers.push_back(buffer);
  return int(program.buffers.size()) - 1;
}

TEST(Descriptor, SimulationsHaveNoTrainingDescriptor) {
  auto model = jit(described_network(), cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  EXPECT_EQ(model->model()->training, nullptr);
}

TEST(Descriptor, DescribesTheTrainingRegime) {
  using lower::BatchAxis;
  using lower::BufferRole;
  using lower::ElemType;
  using lower::ScopeKind;
  lower::Program program = lowered(described_network(), cpu::CodegenOptions{});
  lower::TrainingInfo &t = program.training;
  t.enabled = true;
  t.timesteps = 20;
  t.epochs = 7;
  t.test_split = 0.25;
  t.validation_split = 0.125;
  t.train = {"train.csv.gz", "", ir::EncoderKind::Latency, 16, 100};
  t.test = {"test.npy", "test_labels.npy", ir::EncoderKind::Poisson, 2.5, 80};
  t.input = 2;
  t.readout = 1;
  t.classes = 5;
  t.label =
      add_buffer(program, "label", ElemType::I32, ScopeKind::Global, -1, BatchAxis::PerExample, BufferRole::Label, 1);
  t.loss =
      add_buffer(program, "loss", ElemType::F32, ScopeKind::Global, -1, BatchAxis::PerExample, BufferRole::Loss, 1);
  t.scores =
      add_buffer(program, "scores", ElemType::F32, ScopeKind::Global, -1, BatchAxis::PerExample, BufferRole::Scores, 5);
  t.lr = add_buffer(program, "lr", ElemType::F32, ScopeKind::Global, -1, BatchAxis::Shared, BufferRole::Hyper, 1);
  t.lr_default = 5e-3;
  t.loss_name = "sparse_categorical_crossentropy";
  t.readout_name = "mean";
  t.optimizer_name = "adam";
  int gradient = add_buffer(program, "exc -> inh.i.gradient", ElemType::F32, ScopeKind::Synapse, 0, BatchAxis::Shared,
                            BufferRole::Gradient, program.buffers[program.projections[0].weight].extent);
  int bias =
      add_buffer(program, "inh.bias", ElemType::F32, ScopeKind::Neuron, 1, BatchAxis::Shared, BufferRole::Bias, 5);
  int bias_gradient = add_buffer(program, "inh.bias.gradient", ElemType::F32, ScopeKind::Neuron, 1, BatchAxis::Shared,
                                 BufferRole::Gradient, 5);
  int feedback = add_buffer(program, "exc.feedback", ElemType::F32, ScopeKind::Global, -1, BatchAxis::Shared,
                            BufferRole::Training, 8 * 5);
  int example_gradient =
      add_buffer(program, "exc -> inh.i.grad", ElemType::F32, ScopeKind::Synapse, 0, BatchAxis::PerExample,
                 BufferRole::Training, program.buffers[program.projections[0].weight].extent);
  int bias_example_gradient = add_buffer(program, "inh.bias.grad", ElemType::F32, ScopeKind::Neuron, 1,
                                         BatchAxis::PerExample, BufferRole::Training, 5);
  lower::TrainedParamInfo weights{"exc->inh", false,           0, program.projections[0].weight, gradient,
                                  false,      example_gradient};
  lower::TrainedParamInfo bias_param{"inh.bias", true, 1, bias, bias_gradient, false, bias_example_gradient};
  lower::TrainedParamInfo feedback_param{"exc.feedback", false, 0, feedback, -1, true};
  t.params = {weights, bias_param, feedback_param};

  auto model = jit(program, cpu::CodegenOptions{});
  ASSERT_TRUE(model);
  const snn_training_desc *training = model->model()->training;
  ASSERT_NE(training, nullptr);
  const snn_model_desc &d = *model->model();
  EXPECT_EQ(training->timesteps, 20u);
  EXPECT_EQ(training->epochs, 7u);
  EXPECT_EQ(training->test_split, 0.25);
  EXPECT_EQ(training->validation_split, 0.125);
  EXPECT_STREQ(training->train.path, "train.csv.gz");
  EXPECT_EQ(training->train.labels_path, nullptr);
  EXPECT_EQ(training->train.encoder, uint32_t(SNN_ENCODE_LATENCY));
  EXPECT_EQ(training->train.max_value, 16.0);
  EXPECT_STREQ(training->test.path, "test.npy");
  EXPECT_STREQ(training->test.labels_path, "test_labels.npy");
  EXPECT_EQ(training->test.encoder, uint32_t(SNN_ENCODE_POISSON));
  EXPECT_EQ(training->test.max_value, 2.5);
  EXPECT_EQ(training->test.max_rate, 80.0);
  EXPECT_EQ(training->input_population, 2u);
  EXPECT_EQ(training->readout_population, 1u);
  EXPECT_EQ(training->classes, 5u);
  EXPECT_EQ(name_of_buffer(d, training->label), "label");
  EXPECT_EQ(name_of_buffer(d, training->loss), "loss");
  EXPECT_EQ(name_of_buffer(d, training->scores), "scores");
  EXPECT_EQ(name_of_buffer(d, training->lr), "lr");
  EXPECT_EQ(d.buffers[training->label].role, uint32_t(SNN_ROLE_LABEL));
  EXPECT_EQ(d.buffers[training->lr].role, uint32_t(SNN_ROLE_HYPER));
  EXPECT_EQ(training->default_lr, 5e-3);
  EXPECT_STREQ(training->loss_name, "sparse_categorical_crossentropy");
  EXPECT_STREQ(training->readout_name, "mean");
  EXPECT_STREQ(training->optimizer_name, "adam");
  ASSERT_EQ(training->num_params, 3u);
  const snn_param_desc &w = training->params[0], &b = training->params[1], &f = training->params[2];
  EXPECT_STREQ(w.name, "exc->inh");
  EXPECT_EQ(w.kind, uint32_t(SNN_PARAM_WEIGHTS));
  EXPECT_EQ(w.index, 0u);
  EXPECT_EQ(name_of_buffer(d, w.value), "exc -> inh.i.weight");
  EXPECT_EQ(name_of_buffer(d, w.gradient), "exc -> inh.i.gradient");
  EXPECT_EQ(name_of_buffer(d, w.example_gradient), "exc -> inh.i.grad");
  EXPECT_EQ(name_of_buffer(d, b.example_gradient), "inh.bias.grad");
  EXPECT_STREQ(b.name, "inh.bias");
  EXPECT_EQ(b.kind, uint32_t(SNN_PARAM_BIAS));
  EXPECT_EQ(b.index, 1u);
  EXPECT_EQ(name_of_buffer(d, b.value), "inh.bias");
  EXPECT_EQ(d.buffers[b.gradient].role, uint32_t(SNN_ROLE_GRADIENT));
  EXPECT_STREQ(f.name, "exc.feedback");
  EXPECT_EQ(f.kind, uint32_t(SNN_PARAM_FEEDBACK));
  EXPECT_EQ(name_of_buffer(d, f.value), "exc.feedback");
  EXPECT_EQ(f.gradient, SNN_NO_BUFFER);
  EXPECT_EQ(f.example_gradient, SNN_NO_BUFFER);
}

TEST(Descriptor, EmptyTablesAreNullAndDoubleSetsRealSize) {
  cpu::CodegenOptions options;
  options.double_precision = true;
  auto model = jit(single_population(clock_model(), "clock", 2), options);
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  EXPECT_EQ(d.real_size, 8u);
  EXPECT_STREQ(d.name, "net");
  EXPECT_EQ(d.default_batch, 1u);
  uint32_t c = d.populations[0].state_vars[0].buffer;
  EXPECT_STREQ(d.buffers[c].unit, "s");
  EXPECT_EQ(d.buffers[c].type, uint32_t(SNN_ELEM_F64));
  EXPECT_EQ(d.num_projections, 0u);
  EXPECT_EQ(d.projections, nullptr);
  EXPECT_EQ(d.num_records, 0u);
  EXPECT_EQ(d.records, nullptr);
  EXPECT_EQ(d.num_stimuli, 0u);
  EXPECT_EQ(d.stimuli, nullptr);
  EXPECT_EQ(d.num_entries, 9u) << "every model has all nine entry points";
}

TEST(Descriptor, RejectsIrThePipelineShouldHaveLowered) {
  ir::Module with_param = single_population(lif_model(), "exc", 4);
  ir::Expr tau = ir::Variable::make(ir::VarKind::Param, "tau", {});
  with_param.models[0].update[1].value = state("w", ir::Dimension::voltage()) * tau;
  EXPECT_EQ(error_of(with_param), "param 'tau' of model 'LIF' reached lower/");

  ir::Module with_dt = single_population(clock_model(), "clock", 1);
  with_dt.models[0].update[0].value = ir::Variable::make(ir::VarKind::Dt, "dt", ir::Dimension::time());
  EXPECT_EQ(error_of(with_dt), "dt 'dt' of model 'Clock' reached lower/");

  ir::Module continuous = single_population(lif_model(), "exc", 4);
  continuous.models[0].discretized = false;
  EXPECT_EQ(error_of(continuous), "model 'LIF' reached lower/ in continuous form");

  ir::Module unknown_state = single_population(lif_model(), "exc", 4);
  unknown_state.models[0].update[0].state = "u";
  EXPECT_EQ(error_of(unknown_state), "model 'LIF' assigns unknown state 'u'");

  ir::Module bad_target = lif_network();
  bad_target.network.projections[0].target = "g";
  EXPECT_EQ(error_of(bad_target), "projection exc -> inh.g targets an unknown variable");

  ir::Module overrides = single_population(lif_model(), "exc", 4);
  overrides.network.populations[0].overrides.push_back({"tau", ir::real(1.0)});
  EXPECT_EQ(error_of(overrides), "population 'exc' still has parameter overrides or inits (not specialised)");

  ir::Module many_sites = single_population(poisson_model(0.1), "p", 4);
  many_sites.models[0].update[0].value = ir::Random::make(ir::Distribution::Uniform01, 300);
  EXPECT_EQ(error_of(many_sites), "random call site 300 exceeds 255");
}

TEST(Descriptor, RejectsAProgramThatDoesNotVerify) {
  lower::Program program = lowered(single_population(lif_model(), "exc", 4), cpu::CodegenOptions{});
  program.entries.pop_back();
  llvm::LLVMContext context;
  try {
    cpu::build_module(program, context, cpu::CodegenOptions{});
    ADD_FAILURE() << "no error";
  } catch (const ir::InternalError &e) {
    EXPECT_EQ(std::string(e.what()), "the CPU backend was given an invalid Program: it has 8 entry points");
  }
}

} // namespace
} // namespace snn::test
