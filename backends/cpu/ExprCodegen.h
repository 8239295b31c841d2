//===- ExprCodegen.h - IR expressions to LLVM values ------------*- C++ -*-===//
//
// Lowers one ir::Expr DAG to straight-line LLVM IR in the builder's current
// block: reals become `float` or `double`, booleans `i1`, integers `i32`,
// and selects stay selects, so a neuron loop built from these values has no
// branches and vectorises.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/ExprVisitor.h"

#include "llvm/IR/IRBuilder.h"

#include <functional>
#include <unordered_map>

namespace snn::cpu {

/// How the leaves of an expression get their values in one evaluation
/// context (e.g. "state means the old value" in an update, "the new value"
/// in a spike condition). Each callback may throw ir::InternalError for a
/// leaf the context does not allow.
struct ExprBindings {
  /// The value of a State, Input, Time (real) or Stimulus (i1) variable.
  std::function<llvm::Value *(const ir::Variable &)> variable;
  /// The value of a Random draw (real).
  std::function<llvm::Value *(const ir::Random &)> random;
};

/// Emits the values of expressions in one evaluation context, memoised on
/// the expression node: a node shared by many parents (RK4 stages, a
/// subexpression substituted into several states) is emitted once.
class ExprCodegen : private ir::ExprVisitor<ExprCodegen, llvm::Value *> {
public:
  /// `real` is the LLVM type of real values (float or double).
  ExprCodegen(llvm::IRBuilderBase &builder, llvm::Type *real, ExprBindings bindings);

  /// The value of `e` (i1 for booleans, `real` for reals). Throws
  /// ir::InternalError for a parameter, a `dt` or a null expression, which
  /// the pass pipeline should have removed.
  llvm::Value *emit(const ir::Expr &e);

private:
  friend class ir::ExprVisitor<ExprCodegen, llvm::Value *>;
  llvm::Value *visitConstant(const ir::Constant &c, const ir::Expr &);
  llvm::Value *visitVariable(const ir::Variable &v, const ir::Expr &);
  llvm::Value *visitUnary(const ir::Unary &u, const ir::Expr &);
  llvm::Value *visitBinary(const ir::Binary &bin, const ir::Expr &);
  llvm::Value *visitSelect(const ir::Select &s, const ir::Expr &);
  llvm::Value *visitCall(const ir::Call &call, const ir::Expr &);
  llvm::Value *visitRandom(const ir::Random &r, const ir::Expr &);
  llvm::Value *visitExpr(const ir::Expr &);
  llvm::Value *emit_power(const ir::Binary &bin);
  llvm::Value *emit_integer(ir::BinaryOp op, llvm::Value *a, llvm::Value *c);

  llvm::IRBuilderBase &b_;
  llvm::Type *real_;
  ExprBindings bindings_;
  std::unordered_map<const ir::ExprNode *, llvm::Value *> memo_;
};

} // namespace snn::cpu
