//===- backends/cpu/Philox.cpp - Philox4x32-10 as inline LLVM IR ----------===//
#include "backends/cpu/Philox.h"

#include "snn/philox.h"

namespace snn::cpu {

PhiloxKey emit_philox_key(llvm::IRBuilderBase &b, llvm::Value *seed) {
  llvm::Type *i32 = b.getInt32Ty();
  return {b.CreateTrunc(seed, i32, "key0"), b.CreateTrunc(b.CreateLShr(seed, 32), i32, "key1")};
}

PhiloxBlock emit_philox4x32(llvm::IRBuilderBase &b, const PhiloxBlock &counter, const PhiloxKey &key) {
  llvm::Type *i32 = b.getInt32Ty();
  llvm::Type *i64 = b.getInt64Ty();
  llvm::Value *m0 = b.getInt64(SNN_PHILOX_M0);
  llvm::Value *m1 = b.getInt64(SNN_PHILOX_M1);
  PhiloxBlock ctr = counter;
  PhiloxKey k = key;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] = b.CreateAdd(k[0], b.getInt32(SNN_PHILOX_W0));
      k[1] = b.CreateAdd(k[1], b.getInt32(SNN_PHILOX_W1));
    }
    // A 32x32->64 multiply as zext + mul: x86 has it as one vector
    // instruction (pmuludq), so this vectorises.
    llvm::Value *p0 = b.CreateMul(b.CreateZExt(ctr[0], i64), m0);
    llvm::Value *p1 = b.CreateMul(b.CreateZExt(ctr[2], i64), m1);
    llvm::Value *hi0 = b.CreateTrunc(b.CreateLShr(p0, 32), i32);
    llvm::Value *lo0 = b.CreateTrunc(p0, i32);
    llvm::Value *hi1 = b.CreateTrunc(b.CreateLShr(p1, 32), i32);
    llvm::Value *lo1 = b.CreateTrunc(p1, i32);
    PhiloxBlock next = {b.CreateXor(b.CreateXor(hi1, ctr[1]), k[0]), lo1, b.CreateXor(b.CreateXor(hi0, ctr[3]), k[1]),
                        lo0};
    ctr = next;
  }
  return ctr;
}

namespace {
// Shifted words are below 2^31, so a signed conversion is exact; x86 has
// vector signed conversions but no unsigned ones before AVX-512.
llvm::Value *word_to_real(llvm::IRBuilderBase &b, llvm::Value *word, unsigned shift, llvm::Type *real) {
  return b.CreateSIToFP(b.CreateLShr(word, shift), real);
}

llvm::Value *uniform_f32(llvm::IRBuilderBase &b, llvm::Value *word) {
  llvm::Type *f32 = b.getFloatTy();
  return b.CreateFMul(word_to_real(b, word, 8, f32), llvm::ConstantFP::get(f32, 1.0 / 16777216.0));
}

llvm::Value *uniform_f64(llvm::IRBuilderBase &b, llvm::Value *hi, llvm::Value *lo) {
  llvm::Type *f64 = b.getDoubleTy();
  llvm::Value *high = b.CreateFMul(word_to_real(b, hi, 5, f64), llvm::ConstantFP::get(f64, 67108864.0));
  llvm::Value *sum = b.CreateFAdd(high, word_to_real(b, lo, 6, f64));
  return b.CreateFMul(sum, llvm::ConstantFP::get(f64, 1.0 / 9007199254740992.0));
}

// The cosine branch of Box-Muller, with 1 - u1 in (0, 1] under the log.
llvm::Value *box_muller(llvm::IRBuilderBase &b, llvm::Value *u1, llvm::Value *u2) {
  llvm::Type *real = u1->getType();
  llvm::Value *one_minus = b.CreateFSub(llvm::ConstantFP::get(real, 1.0), u1);
  llvm::Value *log = b.CreateUnaryIntrinsic(llvm::Intrinsic::log, one_minus);
  llvm::Value *radius =
      b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, b.CreateFMul(llvm::ConstantFP::get(real, -2.0), log));
  llvm::Value *angle = b.CreateFMul(llvm::ConstantFP::get(real, 6.283185307179586476925286766559), u2);
  return b.CreateFMul(radius, b.CreateUnaryIntrinsic(llvm::Intrinsic::cos, angle));
}
} // namespace

llvm::Value *emit_uniform01(llvm::IRBuilderBase &b, const PhiloxBlock &out, llvm::Type *real) {
  if (real->isFloatTy())
    return uniform_f32(b, out[0]);
  return uniform_f64(b, out[0], out[1]);
}

llvm::Value *emit_normal01(llvm::IRBuilderBase &b, const PhiloxBlock &out, llvm::Type *real) {
  if (real->isFloatTy())
    return box_muller(b, uniform_f32(b, out[0]), uniform_f32(b, out[1]));
  return box_muller(b, uniform_f64(b, out[0], out[1]), uniform_f64(b, out[2], out[3]));
}

llvm::Value *emit_geometric_skip(llvm::IRBuilderBase &b, llvm::Value *hi, llvm::Value *lo, double log_q) {
  llvm::Type *f64 = b.getDoubleTy();
  llvm::Value *one_minus = b.CreateFSub(llvm::ConstantFP::get(f64, 1.0), uniform_f64(b, hi, lo));
  llvm::Value *ratio =
      b.CreateFDiv(b.CreateUnaryIntrinsic(llvm::Intrinsic::log, one_minus), llvm::ConstantFP::get(f64, log_q));
  llvm::Value *gap = b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, ratio);
  const double cap = 4611686018427387904.0; // 2^62
  llvm::Value *below = b.CreateFCmpOLT(gap, llvm::ConstantFP::get(f64, cap));
  return b.CreateSelect(below, b.CreateFPToSI(gap, b.getInt64Ty()), b.getInt64(int64_t(1) << 62));
}

llvm::Value *emit_distribution(llvm::IRBuilderBase &b, ir::Distribution dist, const PhiloxBlock &out,
                               llvm::Type *real) {
  switch (dist) {
  case ir::Distribution::Uniform01:
    return emit_uniform01(b, out, real);
  case ir::Distribution::Normal01:
    return emit_normal01(b, out, real);
  }
  throw ir::InternalError("unknown random distribution");
}

} // namespace snn::cpu
