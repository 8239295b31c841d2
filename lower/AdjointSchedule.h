//===- lower/AdjointSchedule.h - The launches of adjoint e-prop --*- C++ -*-===//
//
// Internal to lower/: the buffers and launches of the adjoint strategy
// (EpropStrategy.h), for lower/TrainingSchedule:
//
//   train_step      after the forward pass, where the online strategy's
//                   trace kernels would run: each trained post
//                   population's coefficient states, each presynaptic
//                   flag buffer the gradients read, each filtered rate of
//                   a rate regulariser and (per-step readouts) the loss
//                   derivative delta, stored at the step in their
//                   histories
//   train_backward  at step t, from T - 1 down to 0: (per-step readouts)
//                   delta brought back and the learning signals computed
//                   from it; per projection the adjoint step; per
//                   presynaptic flag buffer its spikes of step t brought
//                   back; per projection the event gradients (projections
//                   into the same input of one population share their
//                   adjoint: the same traces give the same mu)
//
// BPTT adds, per trained hidden population, its spike adjoint dL/dz: set to
// 0 each backward step, it collects W^T mu through every projection out of
// the population into an input that has an adjoint: first through the
// delayed projections (mu of step t + 1, still in the buffers), then, each
// just before the adjoints of its population, through the undelayed ones
// (mu of step t, so their target's adjoints run first).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/AdjointKernels.h"
#include "lower/ProgramBuilder.h"

#include <map>

namespace snn::lower {

/// One trained projection under the adjoint strategy.
struct AdjointProjection {
  const ir::TrainedProjection *tp = nullptr;
  std::string name; ///< the parameter's, "pre->post"
  /// The post population's input the projection drives: projections into
  /// the same input of the same population have the same traces, so they
  /// share one adjoint.
  std::string target;
  int spikes = -1; ///< the presynaptic flags the gradient reads
  int signal = -1; ///< the learning signal (hidden) or delta (readout)
  int grad = -1;   ///< the per-example gradient
  RateTerm rate;
  int rate_buffer = -1; ///< the post population's filtered rate (rate.enabled)
  /// e-prop's hidden populations: the learning signal filtered by the
  /// readout's leak (BPTT's spike adjoint and the readout's delta are not).
  bool filter = false;
  /// BPTT's hidden populations: `signal` is the spike adjoint dL/dz.
  bool spike_adjoint = false;
};

class AdjointSchedule {
public:
  /// `delta` and `hyper` are the training buffers of that name.
  AdjointSchedule(ProgramBuilder &b, const LossShape &shape, double kappa, double gain, int delta, int hyper);

  /// Adds the buffers of projection `a`.
  void add(const AdjointProjection &a);
  /// BPTT: the spike adjoint dL/dz of population `population` (added once).
  int spike_adjoint(int population);
  /// BPTT: propagates the adjoint of the input `target` of projection
  /// `projection`'s post population back to its presynaptic spikes, when
  /// both exist (after every add()); `delayed` when its spikes arrive a
  /// step later.
  void add_backprop(int projection, const std::string &target, bool delayed);
  /// The records, at the end of train_step.
  void launch_records(EntryPoint &train);
  /// train_backward: `signals` (the learning-signal launches, for per-step
  /// readouts, run after delta is brought back), the adjoints, the events.
  void launch_backward(EntryPoint &backward, const std::vector<Launch> &signals);

private:
  struct Projection {
    AdjointProjection a;
    std::vector<int> carry;
    int filtered = -1, mu = -1;
    std::map<std::string, int> coefficients; ///< state -> its history
    int shares = -1;                         ///< the earlier projection whose adjoint (mu) this one reads, or -1
  };

  /// The history of per-example buffer `value` (extent `size` per step),
  /// added once.
  int history(int value, uint64_t size);
  int flags_of(int history);
  Launch history_launch(bool store, int value, int history);

  struct Backprop {
    int projection = -1, group = -1;
    bool delayed = false;
  };
  /// The adjoints in an order in which every undelayed backprop reads a
  /// group computed before the groups of its presynaptic population.
  std::vector<size_t> group_order() const;
  Launch backprop_launch(const Backprop &bp);

  ProgramBuilder &b_;
  std::map<int, int> spike_adjoint_; ///< population -> its spike adjoint
  std::vector<Backprop> backprops_;
  LossShape shape_;
  double kappa_, gain_;
  int delta_, hyper_;
  std::vector<Projection> projections_;
  std::map<int, int> history_;  ///< recorded buffer -> its history, in order of creation
  std::vector<int> recorded_;   ///< recorded buffers, in order of creation
  std::map<int, int> replayed_; ///< flag history -> the flags it brings back
};

} // namespace snn::lower
