//===- lower/Value.cpp - Scalar values of the lowered Program -------------===//
#include "lower/Value.h"

namespace snn::lower {

using ir::internal_check;

const char *name_of(Type type) {
  switch (type) {
  case Type::Bool:
    return "bool";
  case Type::I32:
    return "i32";
  case Type::I64:
    return "i64";
  case Type::U32:
    return "u32";
  case Type::Real:
    return "real";
  }
  return "?";
}

bool is_integer(Type type) { return type == Type::I32 || type == Type::I64 || type == Type::U32; }

const char *name_of(IntOpKind op) {
  switch (op) {
  case IntOpKind::Add:
    return "+";
  case IntOpKind::Sub:
    return "-";
  case IntOpKind::Mul:
    return "*";
  case IntOpKind::Div:
    return "/";
  case IntOpKind::Rem:
    return "%";
  case IntOpKind::Shl:
    return "<<";
  case IntOpKind::Shr:
    return ">>";
  case IntOpKind::And:
    return "&";
  case IntOpKind::Or:
    return "|";
  case IntOpKind::Xor:
    return "^";
  case IntOpKind::Lt:
    return "<";
  case IntOpKind::Le:
    return "<=";
  case IntOpKind::Eq:
    return "==";
  case IntOpKind::Ne:
    return "!=";
  }
  return "?";
}

Value IntImm::make(Type type, int64_t value) {
  switch (type) {
  case Type::Bool:
    internal_check(value == 0 || value == 1, "boolean literal other than 0 or 1");
    break;
  case Type::I32:
    internal_check(value >= INT32_MIN && value <= INT32_MAX, "i32 literal out of range");
    break;
  case Type::U32:
    internal_check(value >= 0 && value <= int64_t(UINT32_MAX), "u32 literal out of range");
    break;
  case Type::I64:
    break;
  case Type::Real:
    internal_check(false, "an integer literal cannot be real");
  }
  return Value(std::make_shared<IntImm>(type, value));
}

Value Local::make(const std::string &name, Type type) {
  internal_check(!name.empty(), "a local needs a name");
  return Value(std::make_shared<Local>(name, type));
}

Value IntOp::make(IntOpKind op, Value a, Value b) {
  internal_check(a && b, "integer operand is null");
  internal_check(a->type == b->type,
                 std::string("'") + name_of(op) + "' of " + name_of(a->type) + " and " + name_of(b->type));
  bool logical = op == IntOpKind::And || op == IntOpKind::Or;
  if (a->type == Type::Bool) {
    internal_check(logical || op == IntOpKind::Eq || op == IntOpKind::Ne,
                   std::string("'") + name_of(op) + "' of booleans");
    return Value(std::make_shared<IntOp>(op, std::move(a), std::move(b), Type::Bool));
  }
  internal_check(is_integer(a->type), std::string("'") + name_of(op) + "' needs integers");
  bool comparison = op == IntOpKind::Lt || op == IntOpKind::Le || op == IntOpKind::Eq || op == IntOpKind::Ne;
  Type type = comparison ? Type::Bool : a->type;
  return Value(std::make_shared<IntOp>(op, std::move(a), std::move(b), type));
}

Value Cast::make(Type type, Value a) {
  internal_check(bool(a), "cast of null");
  Type from = a->type;
  bool ok = (is_integer(from) && (is_integer(type) || type == Type::Real || type == Type::Bool)) ||
            (from == Type::Bool && is_integer(type)) || (from == Type::Real && type == Type::I32);
  internal_check(ok, std::string("no conversion from ") + name_of(from) + " to " + name_of(type));
  return Value(std::make_shared<Cast>(std::move(a), type));
}

Value Load::make(int param, Value index, Type type) {
  internal_check(param >= 0, "load of an unknown parameter");
  internal_check(index && index->type == Type::I64, "a load index must be i64");
  return Value(std::make_shared<Load>(param, std::move(index), type));
}

Type type_of(ir::ScalarType type) {
  switch (type) {
  case ir::ScalarType::Real:
    return Type::Real;
  case ir::ScalarType::Bool:
    return Type::Bool;
  case ir::ScalarType::Int:
    return Type::I32;
  }
  return Type::Real;
}

Value Math::make(ir::Expr expr) {
  internal_check(bool(expr), "math of a null expression");
  Type type = type_of(expr->type);
  return Value(std::make_shared<Math>(std::move(expr), type));
}

Value RandomReal::make(ir::Distribution dist, std::array<Value, 4> words) {
  for (const Value &w : words)
    internal_check(w && w->type == Type::U32, "random words must be u32");
  return Value(std::make_shared<RandomReal>(dist, std::move(words)));
}

Value GeometricSkip::make(Value hi, Value lo, double log_q) {
  internal_check(hi && hi->type == Type::U32 && lo && lo->type == Type::U32, "geometric skip words must be u32");
  internal_check(log_q < 0, "geometric skip needs log(1 - p) < 0");
  return Value(std::make_shared<GeometricSkip>(std::move(hi), std::move(lo), log_q));
}

Value i64(int64_t value) { return IntImm::make(Type::I64, value); }
Value u32(uint32_t value) { return IntImm::make(Type::U32, value); }
Value local(const std::string &name, Type type) { return Local::make(name, type); }
Value operator+(Value a, Value b) { return IntOp::make(IntOpKind::Add, std::move(a), std::move(b)); }
Value operator-(Value a, Value b) { return IntOp::make(IntOpKind::Sub, std::move(a), std::move(b)); }
Value operator*(Value a, Value b) { return IntOp::make(IntOpKind::Mul, std::move(a), std::move(b)); }
Value operator/(Value a, Value b) { return IntOp::make(IntOpKind::Div, std::move(a), std::move(b)); }
Value operator%(Value a, Value b) { return IntOp::make(IntOpKind::Rem, std::move(a), std::move(b)); }

} // namespace snn::lower
