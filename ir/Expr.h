//===- ir/Expr.h - Immutable typed expression trees ------------*- C++ -*-===//
//
// Expressions of the model IR, in the manner of Halide's IR.h: every node is
// immutable and reference counted, carries a scalar type and a physical
// dimension, and is built through a `make` that checks its invariants. Nodes
// are shared, so a rewrite that substitutes one subtree in many places yields
// a DAG, not a blow-up; consumers that walk an Expr memoise on the node.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Dimension.h"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace snn::ir {

/// Thrown when an IR invariant is broken: always a compiler bug, never a
/// user mistake (the frontend reports those before building IR).
class InternalError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// Checks an IR invariant; throws InternalError with `what` when it fails.
void internal_check(bool condition, const std::string &what);

/// The type of an expression's value. `Int` is a 32-bit signed integer, for
/// what counts (steps of a refractory period): it is dimensionless and exact,
/// where a float would stop counting at 2^24.
enum class ScalarType : uint8_t { Real, Bool, Int };

const char *name_of(ScalarType type);

// X-macro of node kinds: kind name and node struct.
#define SNN_IR_EXPR_NODES(X)                                                                                           \
  X(Constant)                                                                                                          \
  X(Variable)                                                                                                          \
  X(Unary)                                                                                                             \
  X(Binary)                                                                                                            \
  X(Select)                                                                                                            \
  X(Call)                                                                                                              \
  X(Random)

enum class ExprKind : uint8_t {
#define SNN_KIND(N) N,
  SNN_IR_EXPR_NODES(SNN_KIND)
#undef SNN_KIND
};

struct ExprNode;

/// A handle to an immutable expression node (null when absent).
class Expr {
public:
  Expr() = default;
  Expr(std::shared_ptr<const ExprNode> node) : node_(std::move(node)) {}

  const ExprNode *get() const { return node_.get(); }
  const ExprNode *operator->() const { return node_.get(); }
  const ExprNode &operator*() const { return *node_; }
  explicit operator bool() const { return node_ != nullptr; }
  bool same_as(const Expr &o) const { return node_ == o.node_; }

  /// The node as `T` when it is one, else null.
  template <typename T> const T *as() const;

private:
  std::shared_ptr<const ExprNode> node_;
};

struct ExprNode {
  ExprKind kind;
  ScalarType type;
  Dimension dim;
  ExprNode(ExprKind k, ScalarType t, Dimension d) : kind(k), type(t), dim(d) {}
  virtual ~ExprNode() = default;
  bool is_bool() const { return type == ScalarType::Bool; }
  bool is_int() const { return type == ScalarType::Int; }
  bool is_real() const { return type == ScalarType::Real; }
};

/// A real (double at compile time), boolean or integer literal. An integer
/// literal holds an integral value within the range of a 32-bit integer.
struct Constant : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Constant;
  double value;
  Constant(double v, ScalarType t, Dimension d) : ExprNode(Kind, t, d), value(v) {}
  static Expr make(double value, Dimension dim = {});
  static Expr make_bool(bool value);
  static Expr make_int(int64_t value);
  /// A literal of `type` (and `dim`, for reals): the one builder for code
  /// that folds values of any type.
  static Expr make_typed(double value, ScalarType type, Dimension dim);
};

/// What a variable names. Parameters exist only until ResolveParams;
/// `Dt` until DiscretizeOdes.
enum class VarKind : uint8_t {
  State,     ///< a per-neuron state variable (its value before this step's update)
  Param,     ///< a model parameter
  Input,     ///< a per-neuron input accumulator (sum of arriving weights this step)
  Time,      ///< `t`: the simulated time at the start of the step
  Dt,        ///< `dt`: the regime's timestep
  Stimulus,  ///< `stimulus()`: whether the regime's spike file fires this neuron now
  LastSpike, ///< Bool: whether this neuron spiked in the step before (for `on spike next step`)
  Noise,     ///< white noise `xi` or `xi_NAME` (dimension s^-1/2) in an ODE; until DiscretizeOdes
  Local,     ///< a value bound by the lowered Program (lower/); never in a Module
};

struct Variable : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Variable;
  VarKind var_kind;
  std::string name;
  Variable(VarKind k, std::string n, ScalarType t, Dimension d)
      : ExprNode(Kind, t, d), var_kind(k), name(std::move(n)) {}
  static Expr make(VarKind kind, const std::string &name, Dimension dim, ScalarType type = ScalarType::Real);
  static Expr make_stimulus();
  /// `last_spike()`: the neuron's spike flag of the step before.
  static Expr make_last_spike();
  /// White noise `name` (`xi` or `xi_SUFFIX`), of dimension s^-1/2.
  static Expr make_noise(const std::string &name);
};

enum class UnaryOp : uint8_t { Neg, Not };

struct Unary : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Unary;
  UnaryOp op;
  Expr a;
  Unary(UnaryOp o, Expr x, ScalarType t, Dimension d) : ExprNode(Kind, t, d), op(o), a(std::move(x)) {}
  static Expr make(UnaryOp op, Expr a);
};

enum class BinaryOp : uint8_t { Add, Sub, Mul, Div, Pow, Min, Max, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

bool is_comparison(BinaryOp op);
bool is_logical(BinaryOp op);

struct Binary : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Binary;
  BinaryOp op;
  Expr a, b;
  Binary(BinaryOp o, Expr x, Expr y, ScalarType t, Dimension d)
      : ExprNode(Kind, t, d), op(o), a(std::move(x)), b(std::move(y)) {}
  /// Checks operand types and dimensions: + - min max and comparisons need
  /// equal dimensions; a power with a dimensioned base needs a constant
  /// integer (or half-integer for even dimensions) exponent. Integers take
  /// + - * min max and comparisons with integers only (no implicit
  /// conversions), and give integers.
  static Expr make(BinaryOp op, Expr a, Expr b);
};

/// `cond ? t : f`, evaluated without branches.
struct Select : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Select;
  Expr cond, t, f;
  Select(Expr c, Expr x, Expr y, ScalarType ty, Dimension d)
      : ExprNode(Kind, ty, d), cond(std::move(c)), t(std::move(x)), f(std::move(y)) {}
  static Expr make(Expr cond, Expr t, Expr f);
};

/// Elementary functions of one real argument.
/// Expm1 is exp(x) - 1 without the cancellation near 0 (for exprel).
enum class Function : uint8_t { Exp, Log, Sqrt, Abs, Sin, Cos, Tanh, Floor, Ceil, Expm1 };

struct Call : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Call;
  Function fn;
  Expr arg;
  Call(Function f, Expr x, Dimension d) : ExprNode(Kind, ScalarType::Real, d), fn(f), arg(std::move(x)) {}
  /// exp, log, sin, cos, tanh need a dimensionless argument; sqrt halves
  /// the dimension; abs, floor, ceil keep it.
  static Expr make(Function fn, Expr arg);
};

enum class Distribution : uint8_t { Uniform01, Normal01 };

/// A fresh random number per neuron, step and call site, drawn from the
/// counter-based generator (runtime/include/snn/philox.h), so its value does
/// not depend on evaluation order or threads.
struct Random : ExprNode {
  static constexpr ExprKind Kind = ExprKind::Random;
  Distribution dist;
  uint32_t site; ///< distinct per draw within one model (or one population's init)
  Random(Distribution d, uint32_t s) : ExprNode(Kind, ScalarType::Real, {}), dist(d), site(s) {}
  static Expr make(Distribution dist, uint32_t site);
};

template <typename T> const T *Expr::as() const {
  if (node_ && node_->kind == T::Kind)
    return static_cast<const T *>(node_.get());
  return nullptr;
}

// Convenience builders (all go through the checking `make`s).
Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator/(Expr a, Expr b);
Expr operator-(Expr a);
Expr real(double v, Dimension dim = {});

const char *name_of(BinaryOp op);
const char *name_of(UnaryOp op);
const char *name_of(Function fn);
const char *name_of(VarKind kind);

/// Whether `name` names white noise: `xi` or `xi_` followed by a suffix.
bool is_noise_name(const std::string &name);

/// The constant value of `e`, when it is a Constant.
bool constant_value(const Expr &e, double &out);

/// Whether `e` is the constant 0 (of any dimension).
bool is_zero(const Expr &e);

/// exprel(x) = (e^x - 1) / x, and 1 at x = 0 (Brian2's exprel), from
/// expm1 so that it loses nothing near 0; `x` is dimensionless.
Expr exprel(const Expr &x);

} // namespace snn::ir
