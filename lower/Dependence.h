//===- lower/Dependence.h - Which launches may run in another order -*- C++ -*-===//
//
// The buffers a launch reads and writes, found from its kernel's body (the
// loads, stores and atomic adds, mapped through the launch's arguments), and
// from them whether a launch may move earlier in its entry point. Schedules
// use this to fuse kernels (a neuron's reset into its update) only where the
// step computes the same values.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

#include <set>
#include <vector>

namespace snn::lower {

/// Buffers (indices into Program::buffers) a launch touches.
struct BufferAccess {
  std::set<int> reads, writes;
};

/// What launch `launch` reads and writes: the buffers bound to the kernel
/// parameters its body loads from, and to those it stores or adds to.
BufferAccess launch_access(const Program &program, const Launch &launch);

/// Whether launch `later` of `entry` may run right after launch `earlier`
/// (earlier < later) instead of at its own place: no launch between them
/// writes a buffer `later` reads, or reads or writes a buffer `later`
/// writes.
bool can_run_earlier(const Program &program, const EntryPoint &entry, size_t earlier, size_t later);

/// What a checkpoint of the adjoint strategy's forward pass holds, so that
/// train_step, run again from it over a segment of steps, computes what it
/// computed the first time (ascending buffer indices): every buffer
/// train_step writes but the histories (which the second run refills), and
/// every buffer it reads that end_example, train_end_example or
/// train_backward write (which the second run would otherwise read
/// changed). The runtime restores them after the second run too, so that
/// it changes nothing but the histories.
std::vector<int> segment_state(const Program &program);

} // namespace snn::lower
