//===- test/unit/backend/BatchTest.cpp - Batches, delivery, refractoriness ===//
//
// Examples of a batch are independent simulations: example b of a batch
// starting at example E must equal a batch of one starting at E + b, bit for
// bit, and spikes of example b reach only example b's postsynaptic buffers.
// Delivery to a state frozen while refractory is gated by the integer
// refractory counter, which counts down exactly however long the period.
//
//===----------------------------------------------------------------------===//
#include "TestModels.h"
#include "TestState.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace snn::test {
namespace {

/// u, z and spike flags of population 0 of every example after each of
/// `steps` steps, for a batch of `batch` starting at `first`.
std::vector<double> poisson_trace(const cpu::JitModel &model, uint32_t size, uint32_t batch, uint64_t first,
                                  uint64_t steps) {
  TestState s(*model.model(), 2024, batch, first);
  s.init();
  s.reset_example();
  std::vector<double> trace;
  for (uint64_t step = 0; step < steps; ++step) {
    s.step(step);
    for (uint32_t b = 0; b < batch; ++b)
      for (uint32_t n = 0; n < size; ++n) {
        trace.push_back(s.value(0, "u", n, b));
        trace.push_back(s.value(0, "z", n, b));
        trace.push_back(s.spiked_byte(0, n, b));
      }
  }
  return trace;
}

/// The part of a batched trace that belongs to example `b`.
std::vector<double> example_of(const std::vector<double> &trace, uint32_t size, uint32_t batch, uint32_t b) {
  std::vector<double> out;
  size_t per_example = 3 * size, per_step = per_example * batch;
  for (size_t at = 0; at < trace.size(); at += per_step)
    out.insert(out.end(), trace.begin() + long(at + b * per_example), trace.begin() + long(at + (b + 1) * per_example));
  return out;
}

class BatchedRandom : public ::testing::TestWithParam<bool> {};

TEST_P(BatchedRandom, ExampleBOfABatchEqualsABatchOfOneStartingThere) {
  bool dp = GetParam();
  const uint32_t size = 19; // a vector remainder in every example
  const uint64_t steps = 6;
  auto model = jit(single_population(poisson_model(0.3), "noise", size), precision(dp));
  ASSERT_TRUE(model);
  for (auto [batch, first] : {std::pair<uint32_t, uint64_t>{4, 0}, {2, 5}}) {
    std::vector<double> batched = poisson_trace(*model, size, batch, first, steps);
    for (uint32_t b = 0; b < batch; ++b) {
      std::vector<double> single = poisson_trace(*model, size, 1, first + b, steps);
      EXPECT_EQ(example_of(batched, size, batch, b), single) << "example " << first + b << " of a batch of " << batch;
    }
    EXPECT_NE(example_of(batched, size, batch, 0), example_of(batched, size, batch, 1))
        << "examples must draw different numbers";
  }
}

INSTANTIATE_TEST_SUITE_P(FloatAndDouble, BatchedRandom, ::testing::Bool(),
                         [](const auto &info) { return info.param ? "Double" : "Float"; });

/// Synapses of relay (4 neurons) -> post (3 neurons), with an empty row.
const std::vector<uint32_t> kRows = {0, 2, 2, 5, 6}, kTargets = {0, 2, 0, 1, 2, 1};

/// Which relay neurons fire in example b.
bool relay_fires(uint32_t pre, uint32_t b) { return b == 0 ? pre == 0 : b == 1 ? (pre == 2 || pre == 3) : pre == 1; }

TEST(Delivery, SpikesOfAnExampleReachOnlyThatExamplesInputs) {
  const uint32_t batch = 3;
  auto model = jit(relay_network(4, 3, lif_model(), "i", ir::TargetKind::Input), precision(false));
  ASSERT_TRUE(model);
  TestState s(*model->model(), 1, batch);
  s.set_synapses(0, kRows, kTargets);
  s.init();
  for (uint64_t k = 0; k < kTargets.size(); ++k)
    s.set_weight(0, k, 0.25 * double(k + 1)); // each synapse its own weight
  s.reset_example();
  for (uint32_t b = 0; b < batch; ++b)
    for (uint32_t pre = 0; pre < 4; ++pre)
      s.set_stimulus(0, pre, relay_fires(pre, b), b);
  s.step(0);
  for (uint32_t b = 0; b < batch; ++b) {
    std::vector<double> expected(3, 0.0);
    for (uint32_t pre = 0; pre < 4; ++pre)
      if (relay_fires(pre, b))
        for (uint32_t k = kRows[pre]; k < kRows[pre + 1]; ++k)
          expected[kTargets[k]] += 0.25 * double(k + 1);
    for (uint32_t n = 0; n < 3; ++n)
      EXPECT_EQ(s.value(1, "i", n, b), expected[n]) << "example " << b << " neuron " << n;
  }
  EXPECT_TRUE(s.clobbered_guards().empty());
}

/// The Gated model of TestModels.h, one neuron, with the delivery gate.
struct Gated {
  double v;
  int32_t ref;
  bool spike = false;
  void update() {
    ref = std::max(ref - 1, 0);
    spike = v > 1 && ref <= 0;
  }
  /// Delivery is dropped while refractory and in the step the neuron spikes.
  void deliver(double w) {
    if (ref <= 0 && !spike)
      v += w;
  }
  void reset(int32_t period) {
    if (spike)
      ref = period;
  }
};

TEST(Delivery, GatedDeliveryDropsWritesToRefractoryTargetsPerExample) {
  const uint32_t batch = 2;
  const int32_t period = 4;
  auto model = jit(relay_network(4, 3, gated_model(period), "v", ir::TargetKind::State), precision(false));
  ASSERT_TRUE(model);
  TestState s(*model->model(), 1, batch);
  s.set_synapses(0, kRows, kTargets);
  s.init();
  s.reset_example();
  // Per example and neuron: (v, ref) before the step. Example 0: neuron 0
  // refractory, neuron 1 open, neuron 2 opens in this step (1 -> 0).
  // Example 1: neuron 0 open, neuron 1 spikes in this step, neuron 2
  // refractory.
  const Gated start[batch][3] = {{{0.5, 5}, {0.0, 0}, {0.25, 1}}, {{0.0, 0}, {2.0, 0}, {0.0, 3}}};
  for (uint64_t step = 0; step < 3; ++step) {
    Gated x[batch][3];
    for (uint32_t b = 0; b < batch; ++b)
      for (uint32_t n = 0; n < 3; ++n) {
        if (step == 0) {
          s.set(1, "v", n, start[b][n].v, b);
          s.set(1, "ref", n, start[b][n].ref, b);
        }
        x[b][n] = {s.value(1, "v", n, b), int32_t(s.value(1, "ref", n, b))};
        x[b][n].update();
      }
    for (uint32_t b = 0; b < batch; ++b) {
      // Every relay neuron fires in every example, so only the gate (and
      // the example's own counters) can make the examples differ.
      for (uint32_t pre = 0; pre < 4; ++pre) {
        s.set_stimulus(0, pre, true, b);
        for (uint32_t k = kRows[pre]; k < kRows[pre + 1]; ++k)
          x[b][kTargets[k]].deliver(0.25);
      }
      for (uint32_t n = 0; n < 3; ++n)
        x[b][n].reset(period);
    }
    s.step(step);
    for (uint32_t b = 0; b < batch; ++b)
      for (uint32_t n = 0; n < 3; ++n) {
        SCOPED_TRACE("step " + std::to_string(step) + " example " + std::to_string(b) + " neuron " + std::to_string(n));
        EXPECT_EQ(s.value(1, "v", n, b), x[b][n].v);
        EXPECT_EQ(s.value(1, "ref", n, b), x[b][n].ref);
        EXPECT_EQ(s.spiked(1, n, b), x[b][n].spike);
      }
    if (step == 0) {
      // Neuron 0 has two synapses: dropped in example 0 (refractory), both
      // added in example 1; neuron 1 spiked in example 1, which drops its
      // two, and neuron 2 of example 0 opened in this step, so gets its two.
      EXPECT_EQ(s.value(1, "v", 0, 0), 0.5);
      EXPECT_EQ(s.value(1, "v", 0, 1), 0.5);
      EXPECT_EQ(s.value(1, "v", 1, 1), 2.0);
      EXPECT_EQ(s.value(1, "ref", 1, 1), period);
      EXPECT_EQ(s.value(1, "v", 2, 0), 0.75);
    }
  }
  EXPECT_TRUE(s.clobbered_guards().empty());
}

TEST(Refractory, TheCounterIsAnExactIntegerForLongPeriods) {
  const int32_t period = 20000000; // above 2^24: a float counter would stick
  ASSERT_EQ(float(period) - 1.0f, float(period)) << "the premise of this test";
  auto model = jit(single_population(gated_model(period), "g", 3), precision(false));
  ASSERT_TRUE(model);
  const snn_model_desc &d = *model->model();
  ASSERT_EQ(d.populations[0].num_state_vars, 2u);
  const snn_variable_desc &ref = d.populations[0].state_vars[1];
  EXPECT_STREQ(ref.name, "ref");
  EXPECT_EQ(ref.hidden, 1u);
  EXPECT_EQ(d.buffers[ref.buffer].type, uint32_t(SNN_ELEM_I32));
  EXPECT_STREQ(d.buffers[ref.buffer].unit, "");

  TestState s(d, 1);
  s.init();
  s.reset_example();
  s.set(0, "v", 0, 2.0); // fires in step 0
  s.set(0, "v", 1, 2.0);
  s.set(0, "ref", 1, 1); // fires in step 0 too: its counter reaches 0
  s.set(0, "v", 2, 2.0);
  s.set(0, "ref", 2, 2); // still refractory in step 0
  s.step(0);
  EXPECT_TRUE(s.spiked(0, 0));
  EXPECT_TRUE(s.spiked(0, 1));
  EXPECT_FALSE(s.spiked(0, 2));
  EXPECT_EQ(s.value(0, "ref", 0), period);
  EXPECT_EQ(s.value(0, "ref", 1), period);
  EXPECT_EQ(s.value(0, "ref", 2), 1);
  for (int32_t k = 1; k <= 5; ++k) {
    s.set(0, "v", 0, 2.0); // would fire, but is refractory
    s.step(uint64_t(k));
    EXPECT_FALSE(s.spiked(0, 0)) << k;
    EXPECT_EQ(s.value(0, "ref", 0), period - k) << "step " << k;
  }
  // Near the end of the period: it fires again exactly when the counter
  // reaches 0.
  s.set(0, "ref", 0, 2);
  s.step(6);
  EXPECT_FALSE(s.spiked(0, 0));
  EXPECT_EQ(s.value(0, "ref", 0), 1);
  s.step(7);
  EXPECT_TRUE(s.spiked(0, 0));
  EXPECT_EQ(s.value(0, "ref", 0), period);
}

} // namespace
} // namespace snn::test
