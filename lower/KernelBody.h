//===- lower/KernelBody.h - Model-IR arithmetic in kernels -------*- C++ -*-===//
//
// Internal to lower/: a KernelBuilder whose locals are written as model-IR
// expressions (ir::Expr), so the training kernels read like their equations.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"
#include "lower/KernelBuilder.h"

#include <functional>
#include <string>

namespace snn::lower {

inline ir::Expr real_local(const std::string &name) {
  return ir::Variable::make(ir::VarKind::Local, name, ir::Dimension(), ir::ScalarType::Real);
}
inline ir::Expr bool_local(const std::string &name) {
  return ir::Variable::make(ir::VarKind::Local, name, ir::Dimension(), ir::ScalarType::Bool);
}
inline ir::Expr num(double v) { return ir::Constant::make(v); }
inline Value to_index(Value v) { return Cast::make(Type::I64, std::move(v)); }

/// A KernelBuilder with model-IR arithmetic on real locals.
class Body {
public:
  Body(std::string name, DomainKind kind, bool batched) : k(std::move(name), kind, batched) {}

  /// `let name = e`, readable as a real local in later expressions.
  ir::Expr let(const std::string &name, const ir::Expr &e) {
    k.let(name, Math::make(e));
    return real_local(name);
  }
  /// `let name = buffer[index]` (a real buffer).
  ir::Expr load(const std::string &name, int buffer, const Value &index) {
    k.let(name, k.load(buffer, index));
    return real_local(name);
  }
  /// A bool Value bound to a local, usable in model-IR expressions.
  ir::Expr flag(const std::string &name, const Value &value) {
    k.let(name, value);
    return bool_local(name);
  }
  void store(int buffer, const Value &index, const ir::Expr &e) { k.store(buffer, index, Math::make(e)); }
  void add(int buffer, const Value &index, const ir::Expr &e) { k.atomic_add(buffer, index, Math::make(e)); }
  void loop(const std::string &var, const Value &begin, const Value &end, const std::function<void()> &body) {
    k.emit(For::make(var, begin, end, k.nested(body)));
  }
  void when(const Value &cond, const std::function<void()> &then, const std::function<void()> &otherwise = {}) {
    Stmt t = k.nested(then);
    Stmt e = otherwise ? k.nested(otherwise) : Stmt();
    k.emit(If::make(cond, t, e));
  }
  int real_buffer(const std::string &name, ElemType real, ScopeKind scope, BatchAxis batch, Param::Access access) {
    return k.buffer(name, real, scope, batch, access);
  }

  KernelBuilder k;
};

/// The run's steps per example T (the `timesteps` hyperparameter), and
/// whether this step is the last, T - 1, or among the last `n`: compared as
/// reals (exact: both are whole numbers far below 2^24).
struct Steps {
  ir::Expr count, step;
  Value within_last(uint32_t n) const {
    return Math::make(ir::Binary::make(ir::BinaryOp::Ge, step, count - num(double(n))));
  }
  Value is_last() const { return within_last(1); }
};

/// T from element `timesteps_slot` of the kernel's `hyper` buffer (added
/// if the kernel has none yet), and this step as a real.
inline Steps steps_of(Body &body, int timesteps_slot, ElemType real) {
  int hyper = body.k.kernel().param("hyper");
  if (hyper < 0)
    hyper = body.k.buffer("hyper", real, ScopeKind::Global, BatchAxis::Shared, Param::Access::Read);
  ir::Expr count = body.load("T", hyper, i64(timesteps_slot));
  body.k.let("step.real", Cast::make(Type::Real, local("step", Type::I64)));
  return {count, real_local("step.real")};
}

} // namespace snn::lower
