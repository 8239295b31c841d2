//===- lower/LaunchFusion.h - Fewer launches per step -----------*- C++ -*-===//
//
// On a device every launch costs the host a call and the GPU a kernel's
// start, and a step is many small kernels: a training step of the
// DVS-shaped model made 18 launches, 8 of them a store into a history, each
// a few microseconds over 512 neurons of 512 examples. Launches over the
// same points (a neurons domain of the same extent, over the examples or
// not) whose buffers do not meet, or that only read the same ones, compute
// the same values as one kernel that runs the first one's body and then
// the second one's at each point. fuse_launches merges them, moving a
// launch up to its partner where no launch between them conflicts with it
// (Dependence.h), as a scheduler of a GPU framework fuses elementwise
// operations.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

namespace snn::lower {

/// Merges, in every entry point, launches over the same points that may run
/// at once into one launch each: launches of kernels over neurons (without
/// a Stage, whose barriers want blocks of their own) with the same extent
/// and examples, where no buffer one of them writes is read or written by
/// another, and which can_run_earlier lets move up to the first of them.
/// The merged kernel runs its parts' bodies at each point, in their order,
/// with their locals and parameters renamed apart. Returns the launches
/// saved.
int fuse_launches(Program &program);

} // namespace snn::lower
