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
  expect_layout(t.variable_desc, sizeof(snn_variable_desc),
                {offsetof(snn_variable_desc, name), offsetof(snn_variable_desc, unit)});
  expect_layout(t.population_desc, sizeof(snn_population_desc),
                {offsetof(snn_population_desc, name), offsetof(snn_population_desc, model),
                 offsetof(snn_population_desc, size), offsetof(snn_population_desc, num_state_vars),
                 offsetof(snn_population_desc, state_vars), offsetof(snn_population_desc, num_inputs),
                 offsetof(snn_population_desc, inputs), offsetof(snn_population_desc, first_buffer)});
  expect_layout(t.distribution, sizeof(snn_distribution),
                {offsetof(snn_distribution, kind), offsetof(snn_distribution, a), offsetof(snn_distribution, b)});
  expect_layout(t.projection_desc, sizeof(snn_projection_desc),
                {offsetof(snn_projection_desc, name), offsetof(snn_projection_desc, pre),
                 offsetof(snn_projection_desc, post), offsetof(snn_projection_desc, connectivity),
                 offsetof(snn_projection_desc, probability), offsetof(snn_projection_desc, autapses),
                 offsetof(snn_projection_desc, weight), offsetof(snn_projection_desc, target_kind),
                 offsetof(snn_projection_desc, target_index)});
  expect_layout(t.record_desc, sizeof(snn_record_desc),
                {offsetof(snn_record_desc, kind), offsetof(snn_record_desc, population),
                 offsetof(snn_record_desc, variable), offsetof(snn_record_desc, begin), offsetof(snn_record_desc, end),
                 offsetof(snn_record_desc, stride), offsetof(snn_record_desc, file)});
  expect_layout(t.stimulus_desc, sizeof(snn_stimulus_desc),
                {offsetof(snn_stimulus_desc, population), offsetof(snn_stimulus_desc, path)});
  expect_layout(t.synapses, sizeof(snn_synapses),
                {offsetof(snn_synapses, row_start), offsetof(snn_synapses, target), offsetof(snn_synapses, weight),
                 offsetof(snn_synapses, num_synapses)});
  expect_layout(t.state, sizeof(snn_state),
                {offsetof(snn_state, buffers), offsetof(snn_state, spiked), offsetof(snn_state, stimulus),
                 offsetof(snn_state, synapses), offsetof(snn_state, seed)});
  expect_layout(t.model_desc, sizeof(snn_model_desc),
                {offsetof(snn_model_desc, abi_version), offsetof(snn_model_desc, real_size),
                 offsetof(snn_model_desc, name), offsetof(snn_model_desc, dt), offsetof(snn_model_desc, duration),
                 offsetof(snn_model_desc, default_seed), offsetof(snn_model_desc, num_populations),
                 offsetof(snn_model_desc, populations), offsetof(snn_model_desc, num_projections),
                 offsetof(snn_model_desc, projections), offsetof(snn_model_desc, num_records),
                 offsetof(snn_model_desc, records), offsetof(snn_model_desc, num_stimuli),
                 offsetof(snn_model_desc, stimuli), offsetof(snn_model_desc, init), offsetof(snn_model_desc, step)});
}

TEST_F(AbiLayout, FieldNumbersNameTheRightFields) {
  // The enums in AbiTypes.h index these structs; spot-check the last field
  // of each against its C offset so a reordering cannot go unnoticed.
  AbiTypes t = AbiTypes::get(context_);
  EXPECT_EQ(layout_->getStructLayout(t.state)->getElementOffset(StateSeed), offsetof(snn_state, seed));
  EXPECT_EQ(layout_->getStructLayout(t.synapses)->getElementOffset(SynWeight), offsetof(snn_synapses, weight));
  EXPECT_EQ(layout_->getStructLayout(t.model_desc)->getElementOffset(ModelStep), offsetof(snn_model_desc, step));
  EXPECT_EQ(layout_->getStructLayout(t.projection_desc)->getElementOffset(ProjTargetIndex),
            offsetof(snn_projection_desc, target_index));
  EXPECT_EQ(layout_->getStructLayout(t.population_desc)->getElementOffset(PopFirstBuffer),
            offsetof(snn_population_desc, first_buffer));
  EXPECT_EQ(layout_->getStructLayout(t.record_desc)->getElementOffset(RecFile), offsetof(snn_record_desc, file));
}

TEST_F(AbiLayout, TypesAreSharedWithinAContext) {
  AbiTypes a = AbiTypes::get(context_);
  AbiTypes b = AbiTypes::get(context_);
  EXPECT_EQ(a.model_desc, b.model_desc);
  EXPECT_EQ(a.model_desc->getName(), "snn_model_desc");
}

} // namespace
} // namespace snn::cpu
