//===- backends/cuda/CExpr.h - Model-IR expressions as C --------*- C++ -*-===//
//
// Prints one ir::Expr DAG of a kernel body as C/CUDA expressions with the
// very semantics the CPU backend's ExprCodegen gives it: the same operations
// in the same order, the same power expansion, C's ordered comparisons except
// `!=`, fmin/fmax for min/max. A node that several parents share (RK4 stages,
// a subexpression substituted into several states) becomes one `const`
// temporary, so the printed text grows with the DAG, not with its tree.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"

#include <functional>
#include <string>
#include <unordered_map>

namespace snn::cuda {

/// The C spelling of a real literal of the Program's real type: shortest
/// round-trip digits, `f` suffix for float, INFINITY/NAN for non-finite.
std::string real_literal(double value, bool f64);

/// Prints expressions in one kernel scope.
class CExpr {
public:
  /// `variable` names the C identifier of a Local variable; `temporary`
  /// returns a fresh identifier; `line` emits one statement before the
  /// expression that needs it.
  struct Sink {
    std::function<std::string(const ir::Variable &)> variable;
    std::function<std::string()> temporary;
    std::function<void(const std::string &)> line;
  };
  CExpr(bool f64, Sink sink);

  /// The C expression of `e`, after emitting the temporaries it needs.
  std::string print(const ir::Expr &e);

private:
  std::string node(const ir::Expr &e);
  std::string binary(const ir::Binary &bin);
  std::string integer(ir::BinaryOp op, const std::string &a, const std::string &b);
  std::string power(const ir::Binary &bin);
  std::string call(const ir::Call &call);
  std::string bind(const std::string &type, const std::string &value);
  std::string type_of(const ir::Expr &e) const;
  void count_uses(const ir::Expr &root);

  bool f64_;
  Sink sink_;
  std::unordered_map<const ir::ExprNode *, int> uses_;
  std::unordered_map<const ir::ExprNode *, std::string> printed_;
};

} // namespace snn::cuda
