//===- lower/ProgramBuilder.cpp - Adding buffers, kernels and launches ----===//
#include "lower/ProgramBuilder.h"

namespace snn::lower {

int ProgramBuilder::add_buffer(std::string name, ElemType type, Scope scope, BatchAxis batch, BufferRole role,
                               uint64_t extent, bool zero_per_example) {
  Buffer b;
  b.name = std::move(name);
  b.type = type;
  b.scope = scope;
  b.batch = batch;
  b.role = role;
  b.unit = type == ElemType::I32 || type == ElemType::U8 ? "" : "1";
  b.extent = extent;
  if (scope.kind == ScopeKind::Synapse) {
    const Buffer &weight = p_.buffers[p_.projections[scope.owner].weight];
    b.extent = weight.extent;
    b.extent_is_estimate = weight.extent_is_estimate;
  }
  p_.buffers.push_back(std::move(b));
  int index = int(p_.buffers.size() - 1);
  if (batch == BatchAxis::PerExample && zero_per_example)
    per_example_.push_back(index);
  return index;
}

EntryPoint &ProgramBuilder::entry(const std::string &name) {
  for (EntryPoint &e : p_.entries)
    if (e.name == name)
      return e;
  throw ir::InternalError("no entry point " + name);
}

} // namespace snn::lower
