//===- backends/cpu/Loops.h - Counted loops in LLVM IR ----------*- C++ -*-===//
#pragma once

#include "llvm/IR/IRBuilder.h"

#include <functional>

namespace snn::cpu {

/// Emits `for (i = begin; i < end; ++i) body(i)` (unsigned compare, integer
/// type of `begin`) at the builder's insertion point, in the canonical shape
/// LLVM's loop passes expect (header with the induction phi, one latch). The
/// body may add blocks, e.g. nested loops; the builder is left in the exit
/// block.
void emit_counted_loop(llvm::IRBuilderBase &b, llvm::Value *begin, llvm::Value *end, const llvm::Twine &name,
                       const std::function<void(llvm::Value *index)> &body);

/// Emits `for each set bit k of mask, lowest first: body(k)` for an i32
/// `mask` (k is an i32). Nothing runs when the mask is zero; each bit
/// costs a count-trailing-zeros and a clear, so sparse masks are cheap.
void emit_set_bit_loop(llvm::IRBuilderBase &b, llvm::Value *mask, const llvm::Twine &name,
                       const std::function<void(llvm::Value *bit)> &body);

} // namespace snn::cpu
