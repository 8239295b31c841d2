//===- test/unit/lower/EpropStrategyTest.cpp - online or adjoint ----------===//
//
// The strategy choice (lower/EpropStrategy.h): a forced choice wins, an
// adjoint strategy that cannot compute the regime's gradient is never
// chosen, `auto` takes the cheaper unless the history would pass the
// budget; and the cost model's history is the bytes the adjoint strategy
// records, counted here by hand for a small network.
//
//===----------------------------------------------------------------------===//
#include "lower/EpropStrategy.h"
#include "lower/DeliveryStrategy.h"

#include <gtest/gtest.h>

namespace snn::test {
namespace {

using lower::EpropChoice;
using lower::EpropCost;
using lower::EpropStrategy;

ir::Expr state(const std::string &name) {
  return ir::Variable::make(ir::VarKind::State, name, ir::Dimension(), ir::ScalarType::Real);
}

TEST(EpropStrategy, ForcedChoicesWinAndUnsupportedAdjointIsNeverChosen) {
  EpropCost adjoint_cheaper{100, 10, 1000};
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, adjoint_cheaper, 32, ""), EpropStrategy::Adjoint);
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Online, adjoint_cheaper, 32, ""), EpropStrategy::Online);
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, adjoint_cheaper, 32, "max"), EpropStrategy::Online);
  EpropCost online_cheaper{10, 100, 1000};
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, online_cheaper, 32, ""), EpropStrategy::Online);
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Adjoint, online_cheaper, 32, ""), EpropStrategy::Adjoint);
}

TEST(EpropStrategy, OverTheHistoryBudgetTheAdjointStrategyPaysASecondForwardPass) {
  // 1 GiB per example: 8 examples fill the 8 GiB budget, 9 pass it, and
  // the adjoint strategy then recomputes segments: 10 + forward.
  EpropCost cheap_forward{100, 10, uint64_t(1) << 30, 50};
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, cheap_forward, 8, ""), EpropStrategy::Adjoint);
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, cheap_forward, 9, ""), EpropStrategy::Adjoint);
  EpropCost costly_forward{100, 10, uint64_t(1) << 30, 95};
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, costly_forward, 8, ""), EpropStrategy::Adjoint);
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Auto, costly_forward, 9, ""), EpropStrategy::Online);
  EXPECT_EQ(lower::choose_eprop(EpropChoice::Adjoint, costly_forward, 9, ""), EpropStrategy::Adjoint);
}

TEST(EpropStrategy, MaxAndCountReadoutsAreOnlineOnly) {
  ir::Training t;
  for (ir::ReadoutKind kind :
       {ir::ReadoutKind::PerStep, ir::ReadoutKind::LastSteps, ir::ReadoutKind::Mean, ir::ReadoutKind::Final}) {
    t.readout_kind = kind;
    EXPECT_EQ(lower::adjoint_unsupported(t), "");
  }
  t.readout_kind = ir::ReadoutKind::Max;
  EXPECT_NE(lower::adjoint_unsupported(t).find("max readout"), std::string::npos);
  t.readout_kind = ir::ReadoutKind::SpikeCount;
  EXPECT_NE(lower::adjoint_unsupported(t).find("spike-count readout"), std::string::npos);
}

TEST(EpropStrategy, HistoryCountsEachRecordOnce) {
  // ALIF-like traces: v (gains J_vv = 0.9 constant, J_va a state, out a
  // state) and a (J_aa a state, J_av = 0, out a state), input gain 1.
  ir::EligibilityTrace v, a;
  v.state = "v";
  v.jacobian = {ir::Constant::make(0.9), state("J_va")};
  v.input_gain = ir::Constant::make(1.0);
  v.output_gain = state("dz_v");
  a.state = "a";
  a.jacobian = {ir::Constant::make(0.0), state("J_aa")};
  a.input_gain = ir::Constant::make(0.0);
  a.output_gain = state("dz_a");
  ir::TrainedProjection in, rec;
  in.traces = rec.traces = {v, a};
  EXPECT_EQ(lower::coefficient_states(in), (std::vector<std::string>{"J_va", "dz_v", "J_aa", "dz_a"}));
  ir::Training t;
  t.readout_kind = ir::ReadoutKind::PerStep;
  t.timesteps = 10;
  t.trained = {in, rec};
  // Input (population 0, 3 neurons) and recurrent (population 1, 4 neurons,
  // delayed) projections into population 1; 2 classes; f32.
  std::vector<lower::TrainedSizes> sizes = {{3, 4, 12, 0, 1, false}, {4, 4, 16, 1, 1, true}};
  EpropCost cost = lower::eprop_cost(t, sizes, 2, 1e-3, 4);
  // Per step: 4 coefficients x 4 neurons x 4 B (once for both projections),
  // 3 + 4 flags, delta 2 x 4 B.
  EXPECT_EQ(cost.history_bytes, uint64_t(10 * (4 * 4 * 4 + 3 + 4 + 2 * 4)));
  EXPECT_GT(cost.online, cost.adjoint);
  // Forward: 3 memory operations per synaptic event (12 + 16 synapses),
  // the 3 + 4 presynaptic flags, and population 1 updated once: 4 neurons x
  // (4 coefficient states + v, read and written, and the input).
  double p = lower::kAssumedRateHz * 1e-3;
  EXPECT_DOUBLE_EQ(cost.forward, p * 28 * 3 + 7 + 4 * (2 * 5 + 1));
}

} // namespace
} // namespace snn::test
