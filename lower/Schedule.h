//===- lower/Schedule.h - Model IR to the lowered Program -------*- C++ -*-===//
//
// The schedule decides what runs: one buffer per population variable and per
// projection array, one kernel per distinct (merged) neuron model and phase,
// one delivery kernel per gating variant, and the order of launches in each
// entry point:
//
//   init           the initial weight of every projection's synapses
//   reset_example  every population's initial state, inputs and spike flags
//   step           update every population (in network order), then deliver
//                  this step's spikes through every projection (in order),
//                  then apply the resets of the neurons that spiked
//
// Must run after the pass pipeline: every population names a discretised
// model specialised to it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/DeliveryStrategy.h"
#include "lower/Program.h"

namespace snn::lower {

struct ScheduleOptions {
  /// Reals are f64 instead of f32.
  bool double_precision = false;
  /// How spikes are delivered (DeliveryStrategy.h): auto by the cost model.
  DeliveryChoice delivery = DeliveryChoice::Auto;
  /// The backend runs a kernel's points in parallel (a GPU): atomics cost
  /// more, which the cost model weighs.
  bool parallel_device = false;
  /// How e-prop computes the gradient (EpropStrategy.h): auto by the cost
  /// model.
  EpropChoice eprop = EpropChoice::Auto;
};

/// Lowers `module` to a Program. Throws ir::InternalError for a module that
/// is not the pipeline's output; the result passes verify().
Program schedule(const ir::Module &module, const ScheduleOptions &options);

} // namespace snn::lower
