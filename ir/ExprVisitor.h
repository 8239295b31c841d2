//===- ir/ExprVisitor.h - The one traversal of expression trees -*- C++ -*-===//
//
// Every walk over expression node kinds goes through this file, which is
// generated from the SNN_IR_EXPR_NODES X-macro:
//  - ExprVisitor<Derived, R>: dispatch on the node kind to `visitConstant`,
//    `visitVariable`, ... (CRTP, as LLVM's InstVisitor); a kind the derived
//    class does not handle falls back to `visitExpr`.
//  - ExprMutator<Derived>: rebuilds a node from its mutated operands and
//    keeps the very same node when no operand changed (as Halide's
//    IRMutator), memoised on the node, so a shared DAG is rewritten once.
//  - for_each_child and walk: the operands of a node, and each distinct node
//    of a DAG once (as MLIR's walkers, with WalkResult-like control).
// A pass never switches on ExprKind itself.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"

#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace snn::ir {

/// The number of node kinds in SNN_IR_EXPR_NODES.
constexpr int kExprKindCount = 0
#define SNN_COUNT_KIND(N) +1
    SNN_IR_EXPR_NODES(SNN_COUNT_KIND)
#undef SNN_COUNT_KIND
    ;

// ExprMutator and for_each_child spell out the operands of every kind; a new
// kind must be added to both (and to the printer and reader) before this holds.
static_assert(kExprKindCount == 7, "a node kind was added: teach ExprMutator and for_each_child its operands");

/// Dispatches on an expression's kind. `Derived` defines any of
/// `R visitConstant(const Constant &node, const Expr &self)` (one per kind in
/// SNN_IR_EXPR_NODES); the kinds it leaves out go to
/// `R visitExpr(const Expr &self)`, which returns `R()` unless redefined.
/// `self` is the handle of `node`, for results that reuse the node itself.
template <typename Derived, typename R = void> class ExprVisitor {
public:
  /// Calls the `visit<Kind>` of `e`'s kind; `e` must not be null.
  R visit(const Expr &e) {
    internal_check(bool(e), "visiting a null expression");
    switch (e->kind) {
#define SNN_VISIT_CASE(N)                                                                                              \
  case ExprKind::N:                                                                                                    \
    return derived().visit##N(static_cast<const N &>(*e), e);
      SNN_IR_EXPR_NODES(SNN_VISIT_CASE)
#undef SNN_VISIT_CASE
    }
    internal_check(false, "expression of an unknown kind");
    return derived().visitExpr(e);
  }

  // Default handlers: every kind falls back to visitExpr.
#define SNN_VISIT_DEFAULT(N)                                                                                           \
  R visit##N(const N &, const Expr &self) { return derived().visitExpr(self); }
  SNN_IR_EXPR_NODES(SNN_VISIT_DEFAULT)
#undef SNN_VISIT_DEFAULT

  /// What a kind without its own handler gives.
  R visitExpr(const Expr &) {
    if constexpr (!std::is_void_v<R>)
      return R();
  }

protected:
  Derived &derived() { return static_cast<Derived &>(*this); }
};

/// Rewrites expressions bottom-up. `mutate(e)` gives the rewritten `e`,
/// memoised on the node; by default each kind rebuilds its node from its
/// mutated operands through the checking `make`, and returns `self` itself
/// when every operand came back unchanged (so unchanged trees keep pointer
/// identity). `Derived` overrides `visit<Kind>` to rewrite a kind; it may
/// call `ExprMutator::visit<Kind>` first to get the rebuilt node.
template <typename Derived> class ExprMutator : public ExprVisitor<Derived, Expr> {
public:
  /// The rewritten `e`; null stays null.
  Expr mutate(const Expr &e) {
    if (!e)
      return e;
    auto found = memo_.find(e.get());
    if (found != memo_.end())
      return found->second.second;
    Expr out = this->visit(e);
    // Keep the original alive with its result: a freed node's address may
    // be reused by a new node, which must not hit this entry.
    memo_.emplace(e.get(), std::make_pair(e, out));
    return out;
  }

  Expr visitConstant(const Constant &, const Expr &self) { return self; }
  Expr visitVariable(const Variable &, const Expr &self) { return self; }
  Expr visitRandom(const Random &, const Expr &self) { return self; }

  Expr visitUnary(const Unary &node, const Expr &self) {
    Expr a = mutate(node.a);
    return a.same_as(node.a) ? self : Unary::make(node.op, std::move(a));
  }

  Expr visitBinary(const Binary &node, const Expr &self) {
    Expr a = mutate(node.a), b = mutate(node.b);
    return a.same_as(node.a) && b.same_as(node.b) ? self : Binary::make(node.op, std::move(a), std::move(b));
  }

  Expr visitSelect(const Select &node, const Expr &self) {
    Expr c = mutate(node.cond), t = mutate(node.t), f = mutate(node.f);
    if (c.same_as(node.cond) && t.same_as(node.t) && f.same_as(node.f))
      return self;
    return Select::make(std::move(c), std::move(t), std::move(f));
  }

  Expr visitCall(const Call &node, const Expr &self) {
    Expr a = mutate(node.arg);
    return a.same_as(node.arg) ? self : Call::make(node.fn, std::move(a));
  }

  /// Reached only by a kind this class does not know (see the static_assert).
  Expr visitExpr(const Expr &self) {
    internal_check(false, "ExprMutator does not know the operands of this node kind");
    return self;
  }

private:
  std::unordered_map<const ExprNode *, std::pair<Expr, Expr>> memo_;
};

namespace detail {
/// Calls `fn` on each operand of a node, left to right.
template <typename Fn> class ChildVisitor : public ExprVisitor<ChildVisitor<Fn>> {
public:
  explicit ChildVisitor(Fn &fn) : fn_(fn) {}
  void visitConstant(const Constant &, const Expr &) {}
  void visitVariable(const Variable &, const Expr &) {}
  void visitRandom(const Random &, const Expr &) {}
  void visitUnary(const Unary &node, const Expr &) { fn_(node.a); }
  void visitBinary(const Binary &node, const Expr &) {
    fn_(node.a);
    fn_(node.b);
  }
  void visitSelect(const Select &node, const Expr &) {
    fn_(node.cond);
    fn_(node.t);
    fn_(node.f);
  }
  void visitCall(const Call &node, const Expr &) { fn_(node.arg); }
  void visitExpr(const Expr &) { internal_check(false, "for_each_child does not know the operands of this node kind"); }

private:
  Fn &fn_;
};
} // namespace detail

/// Calls `fn(const Expr &operand)` on each operand of `e`, left to right
/// (none for leaves); `e` must not be null.
template <typename Fn> void for_each_child(const Expr &e, Fn &&fn) { detail::ChildVisitor<Fn>(fn).visit(e); }

/// What a `walk` callback asks for next.
enum class WalkResult : uint8_t {
  Advance,   ///< go on into this node's operands
  Skip,      ///< leave out this node's operands
  Interrupt, ///< stop the whole walk
};

/// Calls `fn(const Expr &)` once per distinct node of the DAG of `e`, parents
/// before their operands, operands left to right. `fn` returns void (walk
/// everything) or a WalkResult. Returns false when `fn` interrupted the walk.
/// Iterative, so deep trees do not exhaust the stack. A null `e` is empty.
template <typename Fn> bool walk(const Expr &e, Fn &&fn) {
  std::unordered_set<const ExprNode *> seen;
  std::vector<Expr> work;
  if (e)
    work.push_back(e);
  while (!work.empty()) {
    Expr node = std::move(work.back());
    work.pop_back();
    if (!seen.insert(node.get()).second)
      continue;
    WalkResult next = WalkResult::Advance;
    if constexpr (std::is_void_v<decltype(fn(node))>)
      fn(node);
    else
      next = fn(node);
    if (next == WalkResult::Interrupt)
      return false;
    if (next == WalkResult::Skip)
      continue;
    size_t first = work.size();
    for_each_child(node, [&](const Expr &child) { work.push_back(child); });
    std::reverse(work.begin() + static_cast<std::ptrdiff_t>(first), work.end()); // leftmost on top
  }
  return true;
}

} // namespace snn::ir
