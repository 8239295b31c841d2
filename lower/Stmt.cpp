//===- lower/Stmt.cpp - Statements of kernel bodies -----------------------===//
#include "lower/Stmt.h"

namespace snn::lower {

using ir::internal_check;

namespace {
void check_index(const Value &index) { internal_check(index && index->type == Type::I64, "an index must be i64"); }
} // namespace

Stmt Block::make(std::vector<Stmt> stmts) {
  for (const Stmt &s : stmts)
    internal_check(bool(s), "null statement in a block");
  return Stmt(std::make_shared<Block>(std::move(stmts)));
}

Stmt Let::make(const std::string &name, Value value) {
  internal_check(!name.empty(), "a let needs a name");
  internal_check(bool(value), "let '" + name + "' of null");
  return Stmt(std::make_shared<Let>(name, std::move(value)));
}

Stmt Store::make(int param, Value index, Value value) {
  internal_check(param >= 0, "store to an unknown parameter");
  check_index(index);
  internal_check(bool(value), "store of null");
  return Stmt(std::make_shared<Store>(param, std::move(index), std::move(value)));
}

Stmt AtomicAdd::make(int param, Value index, Value value) {
  internal_check(param >= 0, "atomic add to an unknown parameter");
  check_index(index);
  internal_check(value && value->type == Type::Real, "atomic add of a non-real");
  return Stmt(std::make_shared<AtomicAdd>(param, std::move(index), std::move(value)));
}

Stmt If::make(Value cond, Stmt then_body, Stmt else_body) {
  internal_check(cond && cond->type == Type::Bool, "an if needs a boolean condition");
  internal_check(bool(then_body), "an if needs a body");
  return Stmt(std::make_shared<If>(std::move(cond), std::move(then_body), std::move(else_body)));
}

Stmt For::make(const std::string &var, Value begin, Value end, Stmt body, bool parallel) {
  internal_check(!var.empty(), "a loop needs a variable");
  check_index(begin);
  check_index(end);
  internal_check(bool(body), "a loop needs a body");
  return Stmt(std::make_shared<For>(var, std::move(begin), std::move(end), std::move(body), parallel));
}

Stmt Philox::make(const std::string &name, std::array<Value, 4> counter, std::array<Value, 2> key) {
  internal_check(!name.empty(), "a Philox block needs a name");
  for (const Value &c : counter)
    internal_check(c && c->type == Type::U32, "Philox counter words must be u32");
  for (const Value &k : key)
    internal_check(k && k->type == Type::U32, "Philox key words must be u32");
  return Stmt(std::make_shared<Philox>(name, std::move(counter), std::move(key)));
}

Stmt Var::make(const std::string &name, Value value) {
  internal_check(!name.empty(), "a var needs a name");
  internal_check(value && is_integer(value->type), "var '" + name + "' must be an integer");
  return Stmt(std::make_shared<Var>(name, std::move(value)));
}

Stmt Assign::make(const std::string &name, Value value) {
  internal_check(!name.empty(), "an assignment needs a name");
  internal_check(bool(value), "assignment of null to '" + name + "'");
  return Stmt(std::make_shared<Assign>(name, std::move(value)));
}

Stmt While::make(Value cond, Stmt body) {
  internal_check(cond && cond->type == Type::Bool, "a while needs a boolean condition");
  internal_check(bool(body), "a while needs a body");
  return Stmt(std::make_shared<While>(std::move(cond), std::move(body)));
}

Stmt Stage::make(const std::string &var, int param, Value base, Value extent, int64_t tile, Stmt body) {
  internal_check(!var.empty(), "a stage needs a variable");
  internal_check(param >= 0, "a stage of an unknown parameter");
  check_index(base);
  check_index(extent);
  internal_check(tile > 0, "a stage needs a positive tile");
  internal_check(bool(body), "a stage needs a body");
  return Stmt(std::make_shared<Stage>(var, param, std::move(base), std::move(extent), tile, std::move(body)));
}

Value Philox::word(const std::string &name, int k) {
  internal_check(k >= 0 && k < 4, "a Philox block has four words");
  return Local::make(name + "." + std::to_string(k), Type::U32);
}

} // namespace snn::lower
