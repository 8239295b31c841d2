//===- backends/cpu/ExprCodegen.cpp - IR expressions to LLVM values -------===//
#include "backends/cpu/ExprCodegen.h"

#include "llvm/IR/Module.h"

#include <cmath>

namespace snn::cpu {

namespace {
/// Integer exponents up to this size become multiplications (at most
/// 2 * log2 of it); larger ones are rare and go to llvm.pow.
constexpr double MaxUnrolledPower = 64;
} // namespace

ExprCodegen::ExprCodegen(llvm::IRBuilderBase &builder, llvm::Type *real, ExprBindings bindings)
    : b_(builder), real_(real), bindings_(std::move(bindings)) {}

llvm::Value *ExprCodegen::emit(const ir::Expr &e) {
  ir::internal_check(bool(e), "cannot generate code for a null expression");
  auto found = memo_.find(e.get());
  if (found != memo_.end())
    return found->second;
  llvm::Value *value = visit(e);
  memo_.emplace(e.get(), value);
  return value;
}

llvm::Value *ExprCodegen::visitConstant(const ir::Constant &c, const ir::Expr &) {
  if (c.is_bool())
    return b_.getInt1(c.value != 0);
  if (c.is_int())
    return b_.getInt32(static_cast<uint32_t>(static_cast<int32_t>(c.value)));
  return llvm::ConstantFP::get(real_, c.value);
}

llvm::Value *ExprCodegen::visitUnary(const ir::Unary &u, const ir::Expr &) {
  llvm::Value *a = emit(u.a);
  if (u.op == ir::UnaryOp::Not)
    return b_.CreateNot(a);
  return u.is_int() ? b_.CreateNeg(a) : b_.CreateFNeg(a);
}

llvm::Value *ExprCodegen::visitSelect(const ir::Select &s, const ir::Expr &) {
  return b_.CreateSelect(emit(s.cond), emit(s.t), emit(s.f));
}

llvm::Value *ExprCodegen::visitRandom(const ir::Random &r, const ir::Expr &) {
  ir::internal_check(bool(bindings_.random), "random numbers are not allowed in this context");
  return bindings_.random(r);
}

llvm::Value *ExprCodegen::visitExpr(const ir::Expr &) { throw ir::InternalError("unknown expression kind"); }

llvm::Value *ExprCodegen::visitVariable(const ir::Variable &v, const ir::Expr &) {
  switch (v.var_kind) {
  case ir::VarKind::Param:
    throw ir::InternalError("parameter '" + v.name + "' reached the CPU backend (ResolveParams did not run?)");
  case ir::VarKind::Dt:
    throw ir::InternalError("'dt' reached the CPU backend (DiscretizeOdes did not run?)");
  default:
    break;
  }
  ir::internal_check(bool(bindings_.variable), std::string(ir::name_of(v.var_kind)) + " variable '" + v.name +
                                                   "' is not allowed in this context");
  return bindings_.variable(v);
}

llvm::Value *ExprCodegen::visitBinary(const ir::Binary &bin, const ir::Expr &) {
  if (bin.op == ir::BinaryOp::Pow)
    return emit_power(bin);
  llvm::Value *a = emit(bin.a);
  llvm::Value *c = emit(bin.b);
  if (bin.a->is_int())
    return emit_integer(bin.op, a, c);
  switch (bin.op) {
  case ir::BinaryOp::Add:
    return b_.CreateFAdd(a, c);
  case ir::BinaryOp::Sub:
    return b_.CreateFSub(a, c);
  case ir::BinaryOp::Mul:
    return b_.CreateFMul(a, c);
  case ir::BinaryOp::Div:
    return b_.CreateFDiv(a, c);
  case ir::BinaryOp::Min:
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, a, c);
  case ir::BinaryOp::Max:
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, a, c);
  // Ordered comparisons: false when either side is NaN, as in C.
  case ir::BinaryOp::Lt:
    return b_.CreateFCmpOLT(a, c);
  case ir::BinaryOp::Le:
    return b_.CreateFCmpOLE(a, c);
  case ir::BinaryOp::Gt:
    return b_.CreateFCmpOGT(a, c);
  case ir::BinaryOp::Ge:
    return b_.CreateFCmpOGE(a, c);
  case ir::BinaryOp::Eq:
    return b_.CreateFCmpOEQ(a, c);
  // C's != is the one unordered comparison (true for NaN); keep it so the
  // CPU backend agrees with the C++ the CUDA backend prints.
  case ir::BinaryOp::Ne:
    return b_.CreateFCmpUNE(a, c);
  // Both sides are pure and already computed: no short circuit needed.
  case ir::BinaryOp::And:
    return b_.CreateAnd(a, c);
  case ir::BinaryOp::Or:
    return b_.CreateOr(a, c);
  case ir::BinaryOp::Pow:
    break;
  }
  throw ir::InternalError(std::string("unknown binary operator '") + ir::name_of(bin.op) + "'");
}

llvm::Value *ExprCodegen::emit_integer(ir::BinaryOp op, llvm::Value *a, llvm::Value *c) {
  switch (op) {
  case ir::BinaryOp::Add:
    return b_.CreateAdd(a, c);
  case ir::BinaryOp::Sub:
    return b_.CreateSub(a, c);
  case ir::BinaryOp::Mul:
    return b_.CreateMul(a, c);
  case ir::BinaryOp::Min:
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, a, c);
  case ir::BinaryOp::Max:
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, a, c);
  case ir::BinaryOp::Lt:
    return b_.CreateICmpSLT(a, c);
  case ir::BinaryOp::Le:
    return b_.CreateICmpSLE(a, c);
  case ir::BinaryOp::Gt:
    return b_.CreateICmpSGT(a, c);
  case ir::BinaryOp::Ge:
    return b_.CreateICmpSGE(a, c);
  case ir::BinaryOp::Eq:
    return b_.CreateICmpEQ(a, c);
  case ir::BinaryOp::Ne:
    return b_.CreateICmpNE(a, c);
  default:
    break;
  }
  throw ir::InternalError(std::string("integer operator '") + ir::name_of(op) + "'");
}

llvm::Value *ExprCodegen::emit_power(const ir::Binary &bin) {
  llvm::Value *base = emit(bin.a);
  double e = 0;
  if (!ir::constant_value(bin.b, e))
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, base, emit(bin.b));

  llvm::Value *one = llvm::ConstantFP::get(real_, 1.0);
  if (e == 0.5)
    return b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, base);
  if (e == -0.5)
    return b_.CreateFDiv(one, b_.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, base));
  if (e != std::floor(e) || std::fabs(e) > MaxUnrolledPower)
    return b_.CreateBinaryIntrinsic(llvm::Intrinsic::pow, base, llvm::ConstantFP::get(real_, e));

  // Square and multiply, as llvm.powi would, but visible to the vectoriser.
  auto n = static_cast<unsigned>(std::fabs(e));
  llvm::Value *result = nullptr;
  llvm::Value *square = base;
  while (n != 0) {
    if (n & 1u)
      result = result ? b_.CreateFMul(result, square) : square;
    n >>= 1;
    if (n != 0)
      square = b_.CreateFMul(square, square);
  }
  if (!result)
    return one; // x ** 0 is 1 for every x, as C's pow.
  return e < 0 ? b_.CreateFDiv(one, result) : result;
}

llvm::Value *ExprCodegen::visitCall(const ir::Call &call, const ir::Expr &) {
  llvm::Value *x = emit(call.arg);
  llvm::Intrinsic::ID id = llvm::Intrinsic::not_intrinsic;
  switch (call.fn) {
  case ir::Function::Exp:
    id = llvm::Intrinsic::exp;
    break;
  case ir::Function::Log:
    id = llvm::Intrinsic::log;
    break;
  case ir::Function::Sqrt:
    id = llvm::Intrinsic::sqrt;
    break;
  case ir::Function::Abs:
    id = llvm::Intrinsic::fabs;
    break;
  case ir::Function::Sin:
    id = llvm::Intrinsic::sin;
    break;
  case ir::Function::Cos:
    id = llvm::Intrinsic::cos;
    break;
  // llvm.tanh is new in LLVM 19; x86 lowers it to a tanh/tanhf call.
  case ir::Function::Tanh:
    id = llvm::Intrinsic::tanh;
    break;
  case ir::Function::Floor:
    id = llvm::Intrinsic::floor;
    break;
  case ir::Function::Ceil:
    id = llvm::Intrinsic::ceil;
    break;
  case ir::Function::Expm1: {
    // No intrinsic: C's expm1 (libm), which reads no memory and sets no
    // errno for finite arguments, so it may be reordered like one.
    llvm::Module *m = b_.GetInsertBlock()->getModule();
    const char *name = real_->isFloatTy() ? "expm1f" : "expm1";
    llvm::FunctionCallee fn = m->getOrInsertFunction(name, llvm::FunctionType::get(real_, {real_}, false));
    if (auto *f = llvm::dyn_cast<llvm::Function>(fn.getCallee())) {
      f->setDoesNotThrow();
      f->setDoesNotAccessMemory();
    }
    llvm::CallInst *call_inst = b_.CreateCall(fn, {x});
    call_inst->setDoesNotAccessMemory();
    return call_inst;
  }
  }
  ir::internal_check(id != llvm::Intrinsic::not_intrinsic,
                     std::string("unknown function '") + ir::name_of(call.fn) + "'");
  return b_.CreateUnaryIntrinsic(id, x);
}

} // namespace snn::cpu
