//===- lower/Value.h - Scalar values of the lowered Program -----*- C++ -*-===//
//
// The expressions of kernel bodies: integers for indices, counters and random
// words, loads from buffers, and model-IR expressions (ir::Expr) for the
// model's arithmetic. A model-IR expression inside a kernel reads only
// `VarKind::Local` variables, each bound by a `Let`, a loop, a domain index
// or a built-in of the Program, so every backend evaluates exactly the
// arithmetic that the passes produced.
//
// Like ir::Expr, values are immutable, reference counted and typed; `make`
// checks the invariants. The node list is the X-macro SNN_LOWER_VALUE_NODES.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "ir/Expr.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace snn::lower {

/// The type of a lowered value. `Real` is the Program's real type (f32 or
/// f64, one per Program); integers wrap on overflow, as in C's unsigned
/// arithmetic, and the signed ones compare signed.
enum class Type : uint8_t { Bool, I32, I64, U32, Real };

const char *name_of(Type type);
bool is_integer(Type type);

#define SNN_LOWER_VALUE_NODES(X)                                                                                       \
  X(IntImm)                                                                                                            \
  X(Local)                                                                                                             \
  X(IntOp)                                                                                                             \
  X(Cast)                                                                                                              \
  X(Load)                                                                                                              \
  X(Math)                                                                                                              \
  X(RandomReal)                                                                                                        \
  X(GeometricSkip)

enum class ValueKind : uint8_t {
#define SNN_KIND(N) N,
  SNN_LOWER_VALUE_NODES(SNN_KIND)
#undef SNN_KIND
};

struct ValueNode;

/// A handle to an immutable value node (null when absent).
class Value {
public:
  Value() = default;
  Value(std::shared_ptr<const ValueNode> node) : node_(std::move(node)) {}
  const ValueNode *get() const { return node_.get(); }
  const ValueNode *operator->() const { return node_.get(); }
  const ValueNode &operator*() const { return *node_; }
  explicit operator bool() const { return node_ != nullptr; }
  /// The node as `T` when it is one, else null.
  template <typename T> const T *as() const;

private:
  std::shared_ptr<const ValueNode> node_;
};

struct ValueNode {
  ValueKind kind;
  Type type;
  ValueNode(ValueKind k, Type t) : kind(k), type(t) {}
  virtual ~ValueNode() = default;
};

/// An integer or boolean literal of `type`.
struct IntImm : ValueNode {
  static constexpr ValueKind Kind = ValueKind::IntImm;
  int64_t value;
  IntImm(Type t, int64_t v) : ValueNode(Kind, t), value(v) {}
  /// `value` must be representable in `type` (for U32: 0 .. 2^32 - 1).
  static Value make(Type type, int64_t value);
};

/// A name bound by a Let, a Var (read as its value at that point), a For, a
/// Philox statement (`name.0` .. `name.3`), a
/// kernel's domain (`b`, `n`, `pre`, `s`, `i`), a scalar parameter, or a
/// built-in of the Program (see Program.h).
struct Local : ValueNode {
  static constexpr ValueKind Kind = ValueKind::Local;
  std::string name;
  Local(std::string n, Type t) : ValueNode(Kind, t), name(std::move(n)) {}
  static Value make(const std::string &name, Type type);
};

/// Div and Rem truncate (C's `/` and `%`); their divisor must not be 0.
enum class IntOpKind : uint8_t { Add, Sub, Mul, Div, Rem, Shl, Shr, And, Or, Xor, Lt, Le, Eq, Ne };
const char *name_of(IntOpKind op);

/// Integer arithmetic on two operands of the same integer type (`Shr` is
/// logical for U32 and arithmetic for the signed types). Comparisons give
/// Bool; `And`/`Or` also take two Bools.
struct IntOp : ValueNode {
  static constexpr ValueKind Kind = ValueKind::IntOp;
  IntOpKind op;
  Value a, b;
  IntOp(IntOpKind o, Value x, Value y, Type t) : ValueNode(Kind, t), op(o), a(std::move(x)), b(std::move(y)) {}
  static Value make(IntOpKind op, Value a, Value b);
};

/// A conversion: between integer types (truncation, or extension by the
/// source's signedness), from an integer to Real (exact below 2^24 for f32),
/// from Bool to an integer (0 or 1), from an integer to Bool (`!= 0`), or
/// from Real to I32 (toward zero; the value must be within I32's range, so
/// the schedule clamps it first).
struct Cast : ValueNode {
  static constexpr ValueKind Kind = ValueKind::Cast;
  Value a;
  Cast(Value x, Type t) : ValueNode(Kind, t), a(std::move(x)) {}
  static Value make(Type type, Value a);
};

/// Element `index` (I64) of the kernel's buffer parameter `param`. The value
/// has the element's type: Real for f32/f64, I32 for i32 and u8 (zero
/// extended), U32 for u32, Bool for bit-packed spikes.
struct Load : ValueNode {
  static constexpr ValueKind Kind = ValueKind::Load;
  int param;
  Value index;
  Load(int p, Value i, Type t) : ValueNode(Kind, t), param(p), index(std::move(i)) {}
  /// `type` is the value type of the parameter's element type.
  static Value make(int param, Value index, Type type);
};

/// A model-IR expression over Local variables (Real, Bool or Int, which is
/// I32 here). No State, Input, Param, Time, Dt, Stimulus or Random remains:
/// the schedule has bound each to a local.
struct Math : ValueNode {
  static constexpr ValueKind Kind = ValueKind::Math;
  ir::Expr expr;
  Math(ir::Expr e, Type t) : ValueNode(Kind, t), expr(std::move(e)) {}
  static Value make(ir::Expr expr);
};

/// A random real from one Philox4x32 output block `words` (U32), exactly as
/// runtime/include/snn/philox.h converts it for the Program's real type:
/// Uniform01 is snn_uniform01_f32(w0) or snn_uniform01_f64(w0, w1); Normal01
/// is snn_normal_f32(w) or snn_normal_f64(w) (Box-Muller, cosine branch).
struct RandomReal : ValueNode {
  static constexpr ValueKind Kind = ValueKind::RandomReal;
  ir::Distribution dist;
  std::array<Value, 4> words;
  RandomReal(ir::Distribution d, std::array<Value, 4> w) : ValueNode(Kind, Type::Real), dist(d), words(std::move(w)) {}
  static Value make(ir::Distribution dist, std::array<Value, 4> words);
};

/// The gap of geometric skipping over the candidates of a fixed-probability
/// row (I64): snn_geometric_skip(hi, lo, log_q) of runtime/include/snn/
/// philox.h, floor(ln(1 - u) / log_q) for u = snn_uniform01_f64(hi, lo),
/// computed in double whatever the Program's real type and capped at 2^62,
/// exactly as the runtime connects the projection; `log_q` = log1p(-p) < 0.
struct GeometricSkip : ValueNode {
  static constexpr ValueKind Kind = ValueKind::GeometricSkip;
  Value hi, lo;
  double log_q;
  GeometricSkip(Value h, Value l, double q)
      : ValueNode(Kind, Type::I64), hi(std::move(h)), lo(std::move(l)), log_q(q) {}
  static Value make(Value hi, Value lo, double log_q);
};

template <typename T> const T *Value::as() const {
  if (node_ && node_->kind == T::Kind)
    return static_cast<const T *>(node_.get());
  return nullptr;
}

/// The lowered type of a model-IR scalar type (Int is I32).
Type type_of(ir::ScalarType type);

// Builders for readable schedules (all go through the checking `make`s).
Value i64(int64_t value);
Value u32(uint32_t value);
Value local(const std::string &name, Type type);
Value operator+(Value a, Value b);
Value operator-(Value a, Value b);
Value operator*(Value a, Value b);
Value operator/(Value a, Value b); ///< truncating; the divisor must not be 0
Value operator%(Value a, Value b); ///< truncating; the divisor must not be 0

/// Calls `visit(node)` for every kind of value node, on the node's own type,
/// e.g. `visit_value(v, [&](const auto &node) { ... })`: a walk written with
/// it handles every kind in SNN_LOWER_VALUE_NODES or does not compile.
template <typename F> decltype(auto) visit_value(const Value &v, F &&visit) {
  switch (v->kind) {
#define SNN_CASE(N)                                                                                                    \
  case ValueKind::N:                                                                                                   \
    return visit(static_cast<const N &>(*v));
    SNN_LOWER_VALUE_NODES(SNN_CASE)
#undef SNN_CASE
  }
  throw ir::InternalError("unknown lowered value kind");
}

} // namespace snn::lower
