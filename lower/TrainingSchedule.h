//===- lower/TrainingSchedule.h - A train regime's buffers and launches -*- C++ -*-===//
//
// Lowers what the eprop pass derived (ir::Training::trained) into the
// Program: the training buffers (labels, loss, scores, loss derivatives,
// learning signals, eligibility vectors, filtered traces, per-example
// gradients, batch gradients, optimiser moments, the learning rate, the
// readout bias, random feedback) and the launches of the training entry
// points, in the order the model ABI documents (snn_training_desc):
//
//   init              ... random feedback matrices
//   reset_example     ... every per-example training buffer set to 0
//   step              forward step, the readout bias added before the
//                     readout updates, then the loss kernel
//   train_step        the previous step's spike flags saved (for delay-1
//                     projections), step, learning signals (per-step
//                     losses), then per projection the trace kernel and the
//                     per-presynaptic trace kernel (the adjoint strategy:
//                     the records instead), and the bias trace
//   end_example       the loss of deferred readouts (mean, final)
//   train_end_example learning signals and gradients of deferred readouts
//   train_backward    the adjoint strategy's reverse-time step
//                     (AdjointSchedule.h); empty for the online strategy
//   reduce_gradients  per parameter: sum of the per-example gradients
//   apply_gradients   per parameter: the optimiser
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Module.h"
#include "lower/Program.h"

namespace snn::lower {

/// Adds the training of `module` (which must have a derived train regime)
/// to `program`, whose populations, projections and forward entry points
/// the schedule has built.
/// `choice` picks the e-prop strategy (EpropStrategy.h); a forced adjoint
/// choice must apply (adjoint_unsupported() empty).
void schedule_training(const ir::Module &module, Program &program, EpropChoice choice);

} // namespace snn::lower
