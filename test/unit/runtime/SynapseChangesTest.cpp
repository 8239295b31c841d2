//===- SynapseChangesTest.cpp - Pruning and rewiring the synapses ---------===//
//
// Simulation::remove_synapses and reconnect on the hand-written model (3
// `in` neurons to 2 `out` neurons, dense, weights 0.75), the choice of the
// synapses pruning keeps, and the density a prune rule asks for, each
// against values worked out by hand.
//
//===----------------------------------------------------------------------===//

#include "ModelDescription.h"
#include "Pruning.h"
#include "TestEnvironment.h"
#include "TestHelpers.h"
#include "TestModel.h"
#include "TestNetwork.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace snn::rt {
namespace {

using test::error_of;
using test::ScratchDirectory;
using test::TestNetwork;

std::vector<uint32_t> rows_of(const SynapseView &v) { return {v.row_start, v.row_start + v.num_pre + 1}; }
std::vector<uint32_t> targets_of(const SynapseView &v) { return {v.target, v.target + v.num_synapses}; }

class SynapseChangesTest : public ::testing::TestWithParam<const snn_model_desc *> {
protected:
  ScratchDirectory directory;
  TestNetwork network{GetParam(), directory};
};

TEST_P(SynapseChangesTest, RemovedSynapsesLeaveRowsTargetsAndWeights) {
  Simulation simulation(network.desc(), 42, 2);
  auto *weight = static_cast<unsigned char *>(simulation.state().buffers[TEST_WEIGHT]);
  uint32_t type = network.desc().buffers[TEST_WEIGHT].type;
  for (uint64_t s = 0; s < 6; ++s)
    store_element(weight, type, s, double(s) + 1); // 1 .. 6 in synapse order
  // Rows {0, 1 | 0, 1 | 0, 1}: drop (0 -> 0) and (1 -> 1).
  simulation.remove_synapses(0, {0, 1, 1, 0, 1, 1});
  SynapseView v = simulation.synapses(0);
  EXPECT_EQ(rows_of(v), (std::vector<uint32_t>{0, 1, 2, 4}));
  EXPECT_EQ(targets_of(v), (std::vector<uint32_t>{1, 0, 0, 1}));
  EXPECT_EQ(simulation.weights(0), (std::vector<double>{2, 3, 5, 6}));
  EXPECT_EQ(simulation.state().extents[TEST_WEIGHT], 4u);
  EXPECT_EQ(simulation.state().extents[TEST_TARGET], 4u);
  EXPECT_EQ(simulation.synapse_count(), 4u);
  // The model steps over the smaller rows: after 3 steps `in` 0 and 2 have
  // spiked (SimulationTest: 0.75 + 0.75 into each `out` with every synapse),
  // now out 0 takes (2 -> 0) = 5 and out 1 (0 -> 1) + (2 -> 1) = 2 + 6.
  simulation.init();
  simulation.advance(3);
  EXPECT_EQ(simulation.spiked("in"), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(simulation.read("out", "i", 0), (std::vector<double>{5, 8}));
  EXPECT_EQ(simulation.read("out", "i", 1), (std::vector<double>{5, 8}));
}

TEST_P(SynapseChangesTest, ReconnectTakesOldElementsAndZerosNewOnes) {
  Simulation simulation(network.desc(), 42);
  auto *weight = static_cast<unsigned char *>(simulation.state().buffers[TEST_WEIGHT]);
  uint32_t type = network.desc().buffers[TEST_WEIGHT].type;
  for (uint64_t s = 0; s < 6; ++s)
    store_element(weight, type, s, double(s) + 1);
  constexpr uint64_t kNew = Simulation::kNewSynapse;
  // Row 0 keeps (0 -> 1) only, row 1 is empty, row 2 gets (2 -> 0) anew and
  // keeps (2 -> 1).
  simulation.reconnect(0, {0, 1, 1, 3}, {1, 0, 1}, {1, kNew, 5});
  SynapseView v = simulation.synapses(0);
  EXPECT_EQ(rows_of(v), (std::vector<uint32_t>{0, 1, 1, 3}));
  EXPECT_EQ(targets_of(v), (std::vector<uint32_t>{1, 0, 1}));
  EXPECT_EQ(simulation.weights(0), (std::vector<double>{2, 0, 6}));
  // Malformed rows (targets not ascending, an origin out of range) are
  // internal errors and change nothing.
  EXPECT_EQ(error_of([&] { simulation.reconnect(0, {0, 2, 2, 2}, {1, 0}, {0, 1}); }).kind(), Error::Kind::Internal);
  EXPECT_EQ(error_of([&] { simulation.reconnect(0, {0, 1, 1, 1}, {0}, {7}); }).kind(), Error::Kind::Internal);
  EXPECT_EQ(simulation.weights(0), (std::vector<double>{2, 0, 6}));
}

INSTANTIATE_TEST_SUITE_P(RealSizes, SynapseChangesTest, ::testing::Values(snn_test_model_f64(), snn_test_model_f32()),
                         [](const auto &info) { return info.index == 0 ? "f64" : "f32"; });

TEST(Pruning, KeepsTheLargestMagnitudesTiesToTheEarlier) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(keep_largest({0.5, -0.9, 0.1, -0.5, 0.2}, 3), (std::vector<uint8_t>{1, 1, 0, 1, 0}));
  EXPECT_EQ(keep_largest({0.5, -0.5, 0.5}, 2), (std::vector<uint8_t>{1, 1, 0}));
  EXPECT_EQ(keep_largest({0.1, nan, 0.3}, 1), (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(keep_largest({0.1, 0.2}, 5), (std::vector<uint8_t>{1, 1}));
  EXPECT_EQ(keep_largest({0.1, 0.2}, 0), (std::vector<uint8_t>{0, 0}));
}

TEST(Pruning, GradualScheduleReachesTheDensityAtTheLastMultiple) {
  snn_prune_desc every{0, 0.1, 1, 2}; // every 2 epochs, to 10 %
  // 6 epochs: K = 3 events at 2, 4, 6: 0.1 + 0.9 (1 - k/3)^3.
  EXPECT_NEAR(*prune_target(every, 2, 6, 1.0), 0.1 + 0.9 * 8.0 / 27, 1e-15);
  EXPECT_NEAR(*prune_target(every, 4, 6, 1.0), 0.1 + 0.9 / 27, 1e-15);
  EXPECT_EQ(*prune_target(every, 6, 6, 1.0), 0.1);
  EXPECT_FALSE(prune_target(every, 3, 6, 1.0));
  // 7 epochs: still K = 3; epoch 7 is no multiple, epoch 8 past the run.
  EXPECT_EQ(*prune_target(every, 6, 7, 1.0), 0.1);
  EXPECT_FALSE(prune_target(every, 7, 7, 1.0));
  EXPECT_FALSE(prune_target(every, 8, 7, 1.0));
  // A period longer than the run never prunes.
  EXPECT_FALSE(prune_target(every, 2, 1, 1.0));
  snn_prune_desc after{0, 0.25, 0, 3};
  EXPECT_EQ(*prune_target(after, 3, 10, 0.5), 0.25);
  EXPECT_FALSE(prune_target(after, 2, 10, 0.5));
  EXPECT_FALSE(prune_target(after, 6, 10, 0.5));
}

} // namespace
} // namespace snn::rt
