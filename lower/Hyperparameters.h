//===- lower/Hyperparameters.h - The numbers a run may override -*- C++ -*-===//
//
// Every numeric setting of a train regime's workflow becomes a named
// hyperparameter: an element of the `train.hyper` buffer that the kernels
// of apply_gradients and train_step read, and an option of the executable
// (`--beta1 0.95`, `--clip-norm 1`, `--dropout.hidden 0.1`), checked
// against the same range the compiler checked. Host-only settings (the
// schedule's, early stopping's, the checkpoint period, the splits) are in
// the list too, so the command line overrides every one of them the same
// way.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/OptimizerKernels.h"

#include <string>
#include <vector>

namespace snn::lower {

/// The hyperparameters of `training`, in buffer order, with the slots the
/// apply_gradients kernels read (`slots`) and, per population name, the
/// slots of firing-rate regularisation (target, strength, tau) and dropout.
struct Hyperparameters {
  std::vector<HyperInfo> list;
  HyperSlots slots;
  int timesteps = -1; ///< the steps per example (`--timesteps`)
  /// The adjoint strategy's steps of history (`--history-steps`), or -1.
  int history_steps = -1;
  std::map<std::string, int> rate_target, rate_strength, rate_tau, dropout;
};
/// `adjoint` adds `history-steps`, the steps a history buffer of the
/// adjoint strategy holds (0: the runtime chooses; below the run's steps,
/// the forward pass is recomputed in segments from checkpoints).
Hyperparameters training_hyperparameters(const ir::Training &training, bool adjoint);

} // namespace snn::lower
