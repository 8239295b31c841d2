//===- lower/KernelBuilder.cpp - Building one kernel ----------------------===//
#include "lower/KernelBuilder.h"

namespace snn::lower {

KernelBuilder::KernelBuilder(std::string name, DomainKind kind, bool batched) {
  kernel_.name = std::move(name);
  kernel_.domain.kind = kind;
  kernel_.domain.batched = batched || kind == DomainKind::BatchReduction;
  blocks_.emplace_back();
}

int KernelBuilder::buffer(const std::string &name, ElemType elem, ScopeKind scope, BatchAxis batch,
                          Param::Access access) {
  ir::internal_check(kernel_.param(name) < 0, "kernel '" + kernel_.name + "' has two parameters '" + name + "'");
  kernel_.params.push_back(Param::buffer(name, elem, scope, batch, access));
  return static_cast<int>(kernel_.params.size() - 1);
}

Value KernelBuilder::scalar(const std::string &name, Type type) {
  ir::internal_check(kernel_.param(name) < 0, "kernel '" + kernel_.name + "' has two parameters '" + name + "'");
  kernel_.params.push_back(Param::scalar(name, type));
  return Local::make(name, type);
}

void KernelBuilder::set_extent(const std::string &name) {
  kernel_.domain.extent = kernel_.param(name);
  ir::internal_check(kernel_.domain.extent >= 0, "no extent parameter '" + name + "'");
}

void KernelBuilder::set_spikes(int param) { kernel_.domain.spikes = param; }
void KernelBuilder::set_rows(int param) { kernel_.domain.rows = param; }
void KernelBuilder::set_runs_past_extent() { kernel_.domain.runs_past_extent = true; }

Value KernelBuilder::let(const std::string &name, Value value) {
  Type type = value->type;
  emit(Let::make(name, std::move(value)));
  return Local::make(name, type);
}

Type KernelBuilder::element_type(int param) const {
  ir::internal_check(param >= 0 && size_t(param) < kernel_.params.size() &&
                         kernel_.params[param].kind == Param::Kind::Buffer,
                     "kernel '" + kernel_.name + "' has no buffer parameter " + std::to_string(param));
  return value_type(kernel_.params[param].elem);
}

Value KernelBuilder::load(int param, Value index) { return Load::make(param, std::move(index), element_type(param)); }

void KernelBuilder::store(int param, Value index, Value value) {
  element_type(param); // checks the parameter
  emit(Store::make(param, std::move(index), std::move(value)));
}

void KernelBuilder::atomic_add(int param, Value index, Value value) {
  element_type(param);
  emit(AtomicAdd::make(param, std::move(index), std::move(value)));
}

void KernelBuilder::emit(Stmt stmt) { blocks_.back().push_back(std::move(stmt)); }

Stmt KernelBuilder::nested(const std::function<void()> &body) {
  blocks_.emplace_back();
  body();
  std::vector<Stmt> stmts = std::move(blocks_.back());
  blocks_.pop_back();
  return Block::make(std::move(stmts));
}

Kernel KernelBuilder::finish() {
  ir::internal_check(blocks_.size() == 1, "kernel '" + kernel_.name + "' finished inside a nested block");
  kernel_.body = Block::make(std::move(blocks_.back()));
  blocks_.clear();
  return std::move(kernel_);
}

Value real_value(double v) { return Math::make(ir::Constant::make(v)); }

Value nonzero(Value v) { return IntOp::make(IntOpKind::Ne, v, IntImm::make(v->type, 0)); }

OffsetRange offset_range(KernelBuilder &k, int offsets, const Value &i) {
  OffsetRange r;
  r.begin = k.let("begin", Cast::make(Type::I64, k.load(offsets, i)));
  r.end = k.let("end", Cast::make(Type::I64, k.load(offsets, i + i64(1))));
  return r;
}

SynapseTargets::SynapseTargets(KernelBuilder &k, ir::SynapseStorage storage) : storage_(storage) {
  ir::internal_check(storage == ir::SynapseStorage::Ragged || storage == ir::SynapseStorage::Dense,
                     "a kernel built for a projection whose storage is not chosen");
  if (storage == ir::SynapseStorage::Ragged)
    target_ = k.buffer("target", ElemType::U32, ScopeKind::Synapse, BatchAxis::Shared, Param::Access::Read);
  else
    skip_self_ = k.scalar("skip_self");
}

Value SynapseTargets::post(KernelBuilder &k, const std::string &name, const Value &s, const Value &pre,
                           const Value &row_begin) const {
  if (storage_ == ir::SynapseStorage::Ragged)
    return k.let(name, Cast::make(Type::I64, k.load(target_, s)));
  Value place = k.let(name + ".place", s - row_begin);
  Value past_diagonal = IntOp::make(IntOpKind::And, nonzero(skip_self_), IntOp::make(IntOpKind::Le, pre, place));
  return k.let(name, place + Cast::make(Type::I64, past_diagonal));
}

Value SynapseTargets::post_in_row(KernelBuilder &k, const std::string &name, const Value &s, const Value &pre,
                                  int row_start) const {
  Value begin = storage_ == ir::SynapseStorage::Dense
                    ? k.let(name + ".row", Cast::make(Type::I64, k.load(row_start, pre)))
                    : Value();
  return post(k, name, s, pre, begin);
}

std::map<std::string, Argument> target_args(const ProjectionInfo &info) {
  return {{"target", Argument{info.target, 0}}, {"skip_self", Argument{-1, info.pre == info.post && !info.autapses}}};
}

std::string SynapseTargets::suffix(ir::SynapseStorage storage) {
  return storage == ir::SynapseStorage::Dense ? ".dense" : "";
}

} // namespace snn::lower
