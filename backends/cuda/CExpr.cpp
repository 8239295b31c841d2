//===- backends/cuda/CExpr.cpp - Model-IR expressions as C ----------------===//
#include "backends/cuda/CExpr.h"

#include "ir/ExprVisitor.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

namespace snn::cuda {

namespace {
/// As the CPU backend: integer exponents up to this size become
/// multiplications, larger ones go to pow.
constexpr double MaxUnrolledPower = 64;

/// `a OP b` for a comparison: C's operators on reals and on ints alike.
std::string comparison(ir::BinaryOp op, const std::string &a, const std::string &b) {
  const char *symbol = op == ir::BinaryOp::Lt   ? "<"
                       : op == ir::BinaryOp::Le ? "<="
                       : op == ir::BinaryOp::Gt ? ">"
                       : op == ir::BinaryOp::Ge ? ">="
                       : op == ir::BinaryOp::Eq ? "=="
                                                : "!=";
  return "(" + a + " " + symbol + " " + b + ")";
}

bool is_leaf(const ir::Expr &e) { return e->kind == ir::ExprKind::Constant || e->kind == ir::ExprKind::Variable; }
} // namespace

std::string real_literal(double value, bool f64) {
  if (std::isnan(value))
    return f64 ? "(double)NAN" : "NAN";
  if (std::isinf(value))
    return std::string(value < 0 ? "-" : "") + (f64 ? "(double)INFINITY" : "INFINITY");
  std::string digits = f64 ? fmt::format("{}", value) : fmt::format("{}", static_cast<float>(value));
  if (digits.find_first_of(".e") == std::string::npos)
    digits += ".0";
  if (!f64)
    digits += "f";
  return digits[0] == '-' ? "(" + digits + ")" : digits;
}

CExpr::CExpr(bool f64, Sink sink) : f64_(f64), sink_(std::move(sink)) {}

std::string CExpr::print(const ir::Expr &e) {
  ir::internal_check(bool(e), "cannot print a null expression");
  count_uses(e);
  return node(e);
}

void CExpr::count_uses(const ir::Expr &root) {
  // In-edges of each distinct node of the DAG reachable from `root`.
  ir::walk(root, [&](const ir::Expr &node) {
    ir::for_each_child(node, [&](const ir::Expr &child) { ++uses_[child.get()]; });
  });
}

std::string CExpr::type_of(const ir::Expr &e) const {
  if (e->is_bool())
    return "bool";
  if (e->is_int())
    return "int32_t";
  return f64_ ? "double" : "float";
}

std::string CExpr::bind(const std::string &type, const std::string &value) {
  std::string name = sink_.temporary();
  sink_.line(fmt::format("const {} {} = {};", type, name, value));
  return name;
}

std::string CExpr::node(const ir::Expr &e) {
  auto found = printed_.find(e.get());
  if (found != printed_.end())
    return found->second;
  std::string text;
  switch (e->kind) {
  case ir::ExprKind::Constant: {
    const auto &c = static_cast<const ir::Constant &>(*e);
    if (c.is_bool())
      text = c.value != 0 ? "true" : "false";
    else if (c.is_int())
      text = fmt::format("({}", static_cast<int32_t>(c.value)) + ")";
    else
      text = real_literal(c.value, f64_);
    break;
  }
  case ir::ExprKind::Variable: {
    const auto &v = static_cast<const ir::Variable &>(*e);
    ir::internal_check(v.var_kind == ir::VarKind::Local,
                       std::string(ir::name_of(v.var_kind)) + " variable '" + v.name + "' reached the CUDA backend");
    text = sink_.variable(v);
    break;
  }
  case ir::ExprKind::Unary: {
    const auto &u = static_cast<const ir::Unary &>(*e);
    std::string a = node(u.a);
    if (u.op == ir::UnaryOp::Not)
      text = "(!" + a + ")";
    else if (u.is_int()) // wraps, as LLVM's sub 0, a
      text = "((int32_t)(0u - (uint32_t)" + a + "))";
    else
      text = "(-" + a + ")";
    break;
  }
  case ir::ExprKind::Binary:
    text = binary(static_cast<const ir::Binary &>(*e));
    break;
  case ir::ExprKind::Select: {
    const auto &s = static_cast<const ir::Select &>(*e);
    // Both arms are pure: C's conditional evaluates one, with the same value.
    std::string c = node(s.cond), t = node(s.t), f = node(s.f);
    text = "(" + c + " ? " + t + " : " + f + ")";
    break;
  }
  case ir::ExprKind::Call:
    text = call(static_cast<const ir::Call &>(*e));
    break;
  default:
    throw ir::InternalError("a random draw or an unknown expression reached the CUDA backend");
  }
  if (!is_leaf(e) && uses_[e.get()] > 1)
    text = bind(type_of(e), text);
  printed_.emplace(e.get(), text);
  return text;
}

std::string CExpr::binary(const ir::Binary &bin) {
  if (bin.op == ir::BinaryOp::Pow)
    return power(bin);
  std::string a = node(bin.a), b = node(bin.b);
  // C's comparisons, on reals and ints alike: ordered, except != (true for
  // NaN), as the CPU backend.
  if (ir::is_comparison(bin.op))
    return comparison(bin.op, a, b);
  if (bin.a->is_int())
    return integer(bin.op, a, b);
  const char *suffix = f64_ ? "" : "f";
  switch (bin.op) {
  case ir::BinaryOp::Add:
    return "(" + a + " + " + b + ")";
  case ir::BinaryOp::Sub:
    return "(" + a + " - " + b + ")";
  case ir::BinaryOp::Mul:
    return "(" + a + " * " + b + ")";
  case ir::BinaryOp::Div:
    return "(" + a + " / " + b + ")";
  // llvm.minnum / maxnum: the other operand when one is NaN, as fmin/fmax.
  case ir::BinaryOp::Min:
    return fmt::format("fmin{}({}, {})", suffix, a, b);
  case ir::BinaryOp::Max:
    return fmt::format("fmax{}({}, {})", suffix, a, b);
  case ir::BinaryOp::And:
    return "(" + a + " && " + b + ")";
  case ir::BinaryOp::Or:
    return "(" + a + " || " + b + ")";
  default: // Pow and the comparisons are handled above
    break;
  }
  throw ir::InternalError(std::string("unknown binary operator '") + ir::name_of(bin.op) + "'");
}

std::string CExpr::integer(ir::BinaryOp op, const std::string &a, const std::string &b) {
  // Two's-complement wrap-around, as LLVM's add/sub/mul without nsw.
  auto wrapped = [&](const char *sign) { return fmt::format("((int32_t)((uint32_t){} {} (uint32_t){}))", a, sign, b); };
  switch (op) {
  case ir::BinaryOp::Add:
    return wrapped("+");
  case ir::BinaryOp::Sub:
    return wrapped("-");
  case ir::BinaryOp::Mul:
    return wrapped("*");
  case ir::BinaryOp::Min:
    return fmt::format("({0} < {1} ? {0} : {1})", a, b);
  case ir::BinaryOp::Max:
    return fmt::format("({0} > {1} ? {0} : {1})", a, b);
  default:
    break;
  }
  throw ir::InternalError(std::string("integer operator '") + ir::name_of(op) + "'");
}

std::string CExpr::power(const ir::Binary &bin) {
  const char *suffix = f64_ ? "" : "f";
  std::string base = node(bin.a);
  double e = 0;
  if (!ir::constant_value(bin.b, e))
    return fmt::format("pow{}({}, {})", suffix, base, node(bin.b));
  std::string one = real_literal(1.0, f64_);
  if (e == 0.5)
    return fmt::format("sqrt{}({})", suffix, base);
  if (e == -0.5)
    return fmt::format("({} / sqrt{}({}))", one, suffix, base);
  if (e != std::floor(e) || std::fabs(e) > MaxUnrolledPower)
    return fmt::format("pow{}({}, {})", suffix, base, real_literal(e, f64_));
  // Square and multiply in the CPU backend's order, so the roundings agree.
  std::string type = f64_ ? "double" : "float";
  auto n = static_cast<unsigned>(std::fabs(e));
  std::string result, square = base;
  while (n != 0) {
    if (n & 1u)
      result = result.empty() ? square : bind(type, "(" + result + " * " + square + ")");
    n >>= 1;
    if (n != 0)
      square = bind(type, "(" + square + " * " + square + ")");
  }
  if (result.empty())
    return one; // x ** 0 is 1 for every x, as C's pow
  return e < 0 ? "(" + one + " / " + result + ")" : result;
}

std::string CExpr::call(const ir::Call &c) {
  std::string x = node(c.arg);
  // C's names of ir::Function's members, in their order.
  static const char *const names[] = {"exp", "log", "sqrt", "fabs", "sin", "cos", "tanh", "floor", "ceil", "expm1"};
  auto index = static_cast<size_t>(c.fn);
  const char *name = index < std::size(names) ? names[index] : nullptr;
  ir::internal_check(name != nullptr, std::string("unknown function '") + ir::name_of(c.fn) + "'");
  return fmt::format("{}{}({})", name, f64_ ? "" : "f", x);
}

} // namespace snn::cuda
