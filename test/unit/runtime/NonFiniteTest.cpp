//===- NonFiniteTest.cpp - Stopping at the first NaN or infinity ----------===//
//
// The hand-written test model (TestModel.h) with a NaN or an infinity put
// into one state element or one gradient element: the check names exactly
// that population, variable, neuron, example and step, and finds nothing in
// the unchanged model.
//
//===----------------------------------------------------------------------===//

#include "NonFinite.h"
#include "TestEnvironment.h"
#include "TestHelpers.h"
#include "TestNetwork.h"
#include "TrainingModel.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace snn::rt {
namespace {

using test::error_of;
using test::ScratchDirectory;
using test::TestNetwork;
using test::TrainingModel;

TEST(NonFinite, AllFiniteSeesEveryElementOfBothTypes) {
  for (std::size_t at : {0, 1, 6, 16, 999}) {
    std::vector<double> d(1000, 1.5);
    std::vector<float> f(1000, 1.5f);
    EXPECT_TRUE(all_finite(d.data(), SNN_ELEM_F64, d.size()));
    EXPECT_TRUE(all_finite(f.data(), SNN_ELEM_F32, f.size()));
    d[at] = std::numeric_limits<double>::quiet_NaN();
    f[at] = -std::numeric_limits<float>::infinity();
    EXPECT_FALSE(all_finite(d.data(), SNN_ELEM_F64, d.size())) << at;
    EXPECT_FALSE(all_finite(f.data(), SNN_ELEM_F32, f.size())) << at;
    EXPECT_TRUE(all_finite(d.data(), SNN_ELEM_F64, at)) << "only the first " << at;
  }
  // Large finite values are finite (no overflowing sum).
  std::vector<double> big(64, std::numeric_limits<double>::max());
  EXPECT_TRUE(all_finite(big.data(), SNN_ELEM_F64, big.size()));
}

TEST(NonFinite, NamesThePopulationVariableNeuronExampleAndStep) {
  ScratchDirectory directory;
  TestNetwork network{snn_test_model_f64(), directory};
  Simulation simulation(network.desc(), 1, 2, 40);
  simulation.init();
  simulation.advance(3);
  const snn_model_desc &model = network.desc();
  EXPECT_NO_THROW(check_states_finite(model, simulation.state(), 2, 2));
  // Neuron 1 of example 1 of the batch (global example 41) of population "out".
  static_cast<double *>(simulation.state().buffers[TEST_OUT_V])[2 + 1] = std::numeric_limits<double>::infinity();
  EXPECT_STREQ(error_of([&] { check_states_finite(model, simulation.state(), 2, 2, "in the test"); }).what(),
               "error: population 'out': state 'v' of neuron 1 became +inf in example 41 at step 2 (t = 3 ms) in the "
               "test; its equations overflow or leave their domain there (an exp too large, the sqrt or log of a "
               "negative value); --allow-nonfinite runs on regardless");
}

TEST(NonFinite, NamesTheGradient) {
  ScratchDirectory directory;
  std::string data = directory.write("train.csv", "0,1,2,3,0\n4,3,2,1,1\n");
  TrainingModel model(data);
  Simulation simulation(model.desc(), 1, 1);
  simulation.init();
  EXPECT_NO_THROW(check_gradients_finite(model.desc(), simulation.state(), "x"));
  static_cast<double *>(simulation.state().buffers[test::kBiasGradient])[2] = std::nan("");
  EXPECT_STREQ(
      error_of([&] { check_gradients_finite(model.desc(), simulation.state(), "in epoch 1, batch 3"); }).what(),
      "error: the gradient of 'out.bias' (element 2) is NaN in epoch 1, batch 3; try a smaller learning rate "
      "(--lr), gradient clipping (--clip-norm), or --allow-nonfinite to run on");
}

} // namespace
} // namespace snn::rt
