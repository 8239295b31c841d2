//===- backends/cpu/Philox.h - Philox4x32-10 as inline LLVM IR --*- C++ -*-===//
//
// Generated code draws random numbers with the same counter-based generator
// and the same conversions as the runtime (runtime/include/snn/philox.h), as
// straight-line integer IR (zext, mul, lshr, trunc, xor) with no calls and
// no state, so loops that draw random numbers still vectorise.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"

#include "llvm/IR/IRBuilder.h"

#include <array>

namespace snn::cpu {

/// Four i32 words: a Philox counter or its output block.
using PhiloxBlock = std::array<llvm::Value *, 4>;
/// Two i32 words: a Philox key.
using PhiloxKey = std::array<llvm::Value *, 2>;

/// The key for a run seed (i64): low word first, as snn_philox_key.
PhiloxKey emit_philox_key(llvm::IRBuilderBase &b, llvm::Value *seed);

/// Philox4x32-10 of `counter` under `key`, as snn_philox4x32.
PhiloxBlock emit_philox4x32(llvm::IRBuilderBase &b, const PhiloxBlock &counter, const PhiloxKey &key);

/// A uniform real on [0, 1) of type `real` (float or double) from one output
/// block: snn_uniform01_f32(out[0]) for float, snn_uniform01_f64(out[0],
/// out[1]) for double.
llvm::Value *emit_uniform01(llvm::IRBuilderBase &b, const PhiloxBlock &out, llvm::Type *real);

/// A standard normal of type `real` from one output block: snn_normal_f32
/// (u1 from out[0], u2 from out[1]) for float, snn_normal_f64 (u1 from
/// out[0..1], u2 from out[2..3]) for double.
llvm::Value *emit_normal01(llvm::IRBuilderBase &b, const PhiloxBlock &out, llvm::Type *real);

/// snn_geometric_skip(hi, lo, log_q) (i64): the gap of geometric skipping,
/// in double whatever the model's real type, through the same C library
/// `log` the runtime calls.
llvm::Value *emit_geometric_skip(llvm::IRBuilderBase &b, llvm::Value *hi, llvm::Value *lo, double log_q);

/// emit_uniform01 or emit_normal01, as `dist` says.
llvm::Value *emit_distribution(llvm::IRBuilderBase &b, ir::Distribution dist, const PhiloxBlock &out, llvm::Type *real);

} // namespace snn::cpu
