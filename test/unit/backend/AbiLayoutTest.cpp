//===- AbiLayoutTest.cpp - LLVM ABI types vs the C structs ----------------===//
//
// The descriptor and the snn_state accesses are only correct if the LLVM
// struct types lay out exactly as the C structs of model_abi.h; check every
// field offset and every size against the C compiler's.
//
//===----------------------------------------------------------------------===//
#include "backends/cpu/AbiTypes.h"
#include "backends/cpu/TargetSetup.h"

#include "snn/model_abi.h"

#include "llvm/IR/DataLayout.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

namespace snn::cpu {
namespace {

class AbiLayout : public ::testing::Test {
protected:
  void SetUp() override {
    std::string error;
    auto machine = create_target_machine(CodegenOptions{}, error);
    ASSERT_TRUE(machine) << error;
    layout_ = std::make_unique<llvm::DataLayout>(machine->createDataLayout());
  }

  /// Checks the size of `type` and the offset of each field, in order.
  void expect_layout(llvm::StructType *type, size_t size, const std::vector<size_t> &offsets) {
    const llvm::StructLayout *layout = layout_->getStructLayout(type);
    ASSERT_EQ(type->getNumElements(), offsets.size()) << type->getName().str();
    EXPECT_EQ(layout->getSizeInBytes(), size) << type->getName().str();
    for (unsigned i = 0; i < offsets.size(); ++i)
      EXPECT_EQ(layout->getElementOffset(i), offsets[i]) << type->getName().str() << " field " << i;
  }

  llvm::LLVMContext context_;
  std::unique_ptr<llvm::DataLayout> layout_;
};

TEST_F(AbiLayout, MatchesCStructs) {
  AbiTypes t = AbiTypes::get(context_);
  expect_layout(t.buffer_desc, sizeof(snn_buffer_desc),
                {offsetof(snn_buffer_desc, name), offsetof(snn_buffer_desc, unit), offsetof(snn_buffer_desc, type),
                 offsetof(snn_buffer_desc, scope), offsetof(snn_buffer_desc, owner), offsetof(snn_buffer_desc, batch),
                 offsetof(snn_buffer_desc, role), offsetof(snn_buffer_desc, extent)});
  expect_layout(t.variable_desc, sizeof(snn_variable_desc),
                {offsetof(snn_variable_desc, name), offsetof(snn_variable_desc, buffer),
                 offsetof(snn_variable_desc, hidden), offsetof(snn_variable_desc, file),
                 offsetof(snn_variable_desc, array)});
  expect_layout(t.population_desc, sizeof(snn_population_desc),
                {offsetof(snn_population_desc, name), offsetof(snn_population_desc, model),
                 offsetof(snn_population_desc, size), offsetof(snn_population_desc, num_state_vars),
                 offsetof(snn_population_desc, state_vars), offsetof(snn_population_desc, num_inputs),
                 offsetof(snn_population_desc, inputs), offsetof(snn_population_desc, spiked),
                 offsetof(snn_population_desc, stimulus), offsetof(snn_population_desc, spike_block),
                 offsetof(snn_population_desc, nonfinite)});
  expect_layout(t.projection_desc, sizeof(snn_projection_desc),
                {offsetof(snn_projection_desc, name),         offsetof(snn_projection_desc, pre),
                 offsetof(snn_projection_desc, post),         offsetof(snn_projection_desc, connectivity),
                 offsetof(snn_projection_desc, probability),  offsetof(snn_projection_desc, count),
                 offsetof(snn_projection_desc, autapses),     offsetof(snn_projection_desc, row_start),
                 offsetof(snn_projection_desc, target),       offsetof(snn_projection_desc, weight),
                 offsetof(snn_projection_desc, weight_file),  offsetof(snn_projection_desc, weight_array),
                 offsetof(snn_projection_desc, window),       offsetof(snn_projection_desc, list_pre),
                 offsetof(snn_projection_desc, list_post),    offsetof(snn_projection_desc, weight_layout),
                 offsetof(snn_projection_desc, pre_height),   offsetof(snn_projection_desc, pre_width),
                 offsetof(snn_projection_desc, pre_channels), offsetof(snn_projection_desc, storage),
                 offsetof(snn_projection_desc, mask)});
  expect_layout(t.window_desc, sizeof(snn_window_desc),
                {offsetof(snn_window_desc, pre_height), offsetof(snn_window_desc, pre_width),
                 offsetof(snn_window_desc, pre_channels), offsetof(snn_window_desc, post_height),
                 offsetof(snn_window_desc, post_width), offsetof(snn_window_desc, post_channels),
                 offsetof(snn_window_desc, kernel_height), offsetof(snn_window_desc, kernel_width),
                 offsetof(snn_window_desc, stride_y), offsetof(snn_window_desc, stride_x),
                 offsetof(snn_window_desc, pad_y), offsetof(snn_window_desc, pad_x)});
  expect_layout(t.record_desc, sizeof(snn_record_desc),
                {offsetof(snn_record_desc, kind), offsetof(snn_record_desc, population),
                 offsetof(snn_record_desc, buffer), offsetof(snn_record_desc, begin), offsetof(snn_record_desc, end),
                 offsetof(snn_record_desc, stride), offsetof(snn_record_desc, interval),
                 offsetof(snn_record_desc, file), offsetof(snn_record_desc, example),
                 offsetof(snn_record_desc, num_indices), offsetof(snn_record_desc, indices)});
  expect_layout(t.stimulus_desc, sizeof(snn_stimulus_desc),
                {offsetof(snn_stimulus_desc, population), offsetof(snn_stimulus_desc, path)});
  expect_layout(t.state, sizeof(snn_state),
                {offsetof(snn_state, buffers), offsetof(snn_state, extents), offsetof(snn_state, batch),
                 offsetof(snn_state, first_example), offsetof(snn_state, seed)});
  expect_layout(t.entry_desc, sizeof(snn_entry_desc),
                {offsetof(snn_entry_desc, name), offsetof(snn_entry_desc, fn), offsetof(snn_entry_desc, flags)});
  expect_layout(t.data_desc, sizeof(snn_data_desc),
                {offsetof(snn_data_desc, path), offsetof(snn_data_desc, labels_path), offsetof(snn_data_desc, encoder),
                 offsetof(snn_data_desc, max_value), offsetof(snn_data_desc, max_rate)});
  expect_layout(t.param_desc, sizeof(snn_param_desc),
                {offsetof(snn_param_desc, name), offsetof(snn_param_desc, kind), offsetof(snn_param_desc, index),
                 offsetof(snn_param_desc, value), offsetof(snn_param_desc, gradient),
                 offsetof(snn_param_desc, example_gradient)});
  expect_layout(t.training_desc, sizeof(snn_training_desc),
                {offsetof(snn_training_desc, timesteps),
                 offsetof(snn_training_desc, epochs),
                 offsetof(snn_training_desc, test_split),
                 offsetof(snn_training_desc, validation_split),
                 offsetof(snn_training_desc, train),
                 offsetof(snn_training_desc, test),
                 offsetof(snn_training_desc, input_population),
                 offsetof(snn_training_desc, readout_population),
                 offsetof(snn_training_desc, classes),
                 offsetof(snn_training_desc, label),
                 offsetof(snn_training_desc, loss),
                 offsetof(snn_training_desc, scores),
                 offsetof(snn_training_desc, lr),
                 offsetof(snn_training_desc, default_lr),
                 offsetof(snn_training_desc, loss_name),
                 offsetof(snn_training_desc, readout_name),
                 offsetof(snn_training_desc, optimizer_name),
                 offsetof(snn_training_desc, num_params),
                 offsetof(snn_training_desc, params),
                 offsetof(snn_training_desc, hyper),
                 offsetof(snn_training_desc, num_hypers),
                 offsetof(snn_training_desc, hypers),
                 offsetof(snn_training_desc, schedule),
                 offsetof(snn_training_desc, schedule_unit),
                 offsetof(snn_training_desc, schedule_monitor),
                 offsetof(snn_training_desc, warmup_unit),
                 offsetof(snn_training_desc, early_stopping),
                 offsetof(snn_training_desc, early_stopping_monitor),
                 offsetof(snn_training_desc, checkpoint_unit),
                 offsetof(snn_training_desc, checkpoint_dir),
                 offsetof(snn_training_desc, backward_pass),
                 offsetof(snn_training_desc, num_segment_buffers),
                 offsetof(snn_training_desc, segment_buffers),
                 offsetof(snn_training_desc, num_prune_rules),
                 offsetof(snn_training_desc, prune_rules),
                 offsetof(snn_training_desc, num_rewire_rules),
                 offsetof(snn_training_desc, rewire_rules)});
  expect_layout(t.rewire_desc, sizeof(snn_rewire_desc),
                {offsetof(snn_rewire_desc, projection), offsetof(snn_rewire_desc, l1),
                 offsetof(snn_rewire_desc, temperature), offsetof(snn_rewire_desc, dormant)});
  expect_layout(t.prune_desc, sizeof(snn_prune_desc),
                {offsetof(snn_prune_desc, projection), offsetof(snn_prune_desc, density),
                 offsetof(snn_prune_desc, gradual), offsetof(snn_prune_desc, epochs)});
  expect_layout(t.hyper_desc, sizeof(snn_hyper_desc),
                {offsetof(snn_hyper_desc, name), offsetof(snn_hyper_desc, help), offsetof(snn_hyper_desc, value),
                 offsetof(snn_hyper_desc, min), offsetof(snn_hyper_desc, max), offsetof(snn_hyper_desc, flags)});
  expect_layout(t.model_desc, sizeof(snn_model_desc),
                {offsetof(snn_model_desc, abi_version),   offsetof(snn_model_desc, real_size),
                 offsetof(snn_model_desc, name),          offsetof(snn_model_desc, dt),
                 offsetof(snn_model_desc, duration),      offsetof(snn_model_desc, default_seed),
                 offsetof(snn_model_desc, default_batch), offsetof(snn_model_desc, num_buffers),
                 offsetof(snn_model_desc, buffers),       offsetof(snn_model_desc, num_populations),
                 offsetof(snn_model_desc, populations),   offsetof(snn_model_desc, num_projections),
                 offsetof(snn_model_desc, projections),   offsetof(snn_model_desc, num_records),
                 offsetof(snn_model_desc, records),       offsetof(snn_model_desc, num_stimuli),
                 offsetof(snn_model_desc, stimuli),       offsetof(snn_model_desc, num_entries),
                 offsetof(snn_model_desc, entries),       offsetof(snn_model_desc, training),
                 offsetof(snn_model_desc, device),        offsetof(snn_model_desc, spike_block_steps)});
}

TEST_F(AbiLayout, FieldNumbersNameTheRightFields) {
  // The enums in AbiTypes.h index these structs; check the fields the
  // generated code reads or the descriptor fills by number against their C
  // offsets, so a reordering cannot go unnoticed.
  AbiTypes t = AbiTypes::get(context_);
  auto offset = [&](llvm::StructType *type, unsigned field) {
    return layout_->getStructLayout(type)->getElementOffset(field);
  };
  EXPECT_EQ(offset(t.state, StateBuffers), offsetof(snn_state, buffers));
  EXPECT_EQ(offset(t.state, StateExtents), offsetof(snn_state, extents));
  EXPECT_EQ(offset(t.state, StateBatch), offsetof(snn_state, batch));
  EXPECT_EQ(offset(t.state, StateFirstExample), offsetof(snn_state, first_example));
  EXPECT_EQ(offset(t.state, StateSeed), offsetof(snn_state, seed));
  EXPECT_EQ(offset(t.buffer_desc, BufExtent), offsetof(snn_buffer_desc, extent));
  EXPECT_EQ(offset(t.buffer_desc, BufRole), offsetof(snn_buffer_desc, role));
  EXPECT_EQ(offset(t.variable_desc, VarHidden), offsetof(snn_variable_desc, hidden));
  EXPECT_EQ(offset(t.variable_desc, VarArray), offsetof(snn_variable_desc, array));
  EXPECT_EQ(offset(t.population_desc, PopStimulus), offsetof(snn_population_desc, stimulus));
  EXPECT_EQ(offset(t.projection_desc, ProjWeight), offsetof(snn_projection_desc, weight));
  EXPECT_EQ(offset(t.projection_desc, ProjProbability), offsetof(snn_projection_desc, probability));
  EXPECT_EQ(offset(t.projection_desc, ProjCount), offsetof(snn_projection_desc, count));
  EXPECT_EQ(offset(t.record_desc, RecFile), offsetof(snn_record_desc, file));
  EXPECT_EQ(offset(t.stimulus_desc, StimPath), offsetof(snn_stimulus_desc, path));
  EXPECT_EQ(offset(t.entry_desc, EntryFn), offsetof(snn_entry_desc, fn));
  EXPECT_EQ(offset(t.model_desc, ModelDefaultBatch), offsetof(snn_model_desc, default_batch));
  EXPECT_EQ(offset(t.model_desc, ModelBuffers), offsetof(snn_model_desc, buffers));
  EXPECT_EQ(offset(t.model_desc, ModelEntries), offsetof(snn_model_desc, entries));
  EXPECT_EQ(offset(t.data_desc, DataMaxRate), offsetof(snn_data_desc, max_rate));
  EXPECT_EQ(offset(t.param_desc, ParamGradient), offsetof(snn_param_desc, gradient));
  EXPECT_EQ(offset(t.training_desc, TrainTestData), offsetof(snn_training_desc, test));
  EXPECT_EQ(offset(t.training_desc, TrainLr), offsetof(snn_training_desc, lr));
  EXPECT_EQ(offset(t.training_desc, TrainDefaultLr), offsetof(snn_training_desc, default_lr));
  EXPECT_EQ(offset(t.training_desc, TrainParams), offsetof(snn_training_desc, params));
  EXPECT_EQ(offset(t.model_desc, ModelTraining), offsetof(snn_model_desc, training));
}

TEST_F(AbiLayout, TypesAreSharedWithinAContext) {
  AbiTypes a = AbiTypes::get(context_);
  AbiTypes b = AbiTypes::get(context_);
  EXPECT_EQ(a.model_desc, b.model_desc);
  EXPECT_EQ(a.model_desc->getName(), "snn_model_desc");
}

} // namespace
} // namespace snn::cpu
