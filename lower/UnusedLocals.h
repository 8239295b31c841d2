//===- lower/UnusedLocals.h - Drop locals that nothing reads ----*- C++ -*-===//
//
// The schedule binds some locals in every kernel of a kind whether or not
// the kernel's model reads them (a neuron update's time `t`, a trace's old
// value, a hyperparameter an optimizer leaves unused). The CPU backend's
// LLVM drops them, but the CUDA backend prints them, where they are noise
// to a reader and warnings to nvcc. So the Program drops them itself,
// once, for every backend.
//
// What must hold: values have no side effects (a Load reads, a Math
// computes, a random word is a pure function of its counter), so dropping a
// Let or a Philox block whose locals no statement reads changes no store,
// atomic add or loop; Vars are kept (an Assign may read one).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/Program.h"

namespace snn::lower {

/// Removes from every kernel of `program` each Let, and each Philox block,
/// whose locals nothing reads, including those read only by removed ones.
/// Returns how many statements it removed.
size_t remove_unused_locals(Program &program);

/// The same for one kernel body.
Stmt remove_unused_locals(const Stmt &body, size_t &removed);

} // namespace snn::lower
