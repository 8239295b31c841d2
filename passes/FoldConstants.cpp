//===- passes/FoldConstants.cpp - Fold constant subexpressions ------------===//
#include "passes/FoldConstants.h"

#include "ir/Simplify.h"

namespace snn::passes {

bool fold_constants(ir::Module &m, PassContext &) {
  for (auto &model : m.models) {
    for (auto &p : model.params)
      p.value = ir::simplify(p.value);
    for (auto &s : model.states)
      s.initial = ir::simplify(s.initial);
    for (auto &o : model.odes)
      o.rhs = ir::simplify(o.rhs);
    for (auto &a : model.update)
      a.value = ir::simplify(a.value);
    for (auto &a : model.reset)
      a.value = ir::simplify(a.value);
    model.spike_condition = ir::simplify(model.spike_condition);
    model.surrogate = ir::simplify(model.surrogate);
    model.refractory_period = ir::simplify(model.refractory_period);
  }
  return true;
}

} // namespace snn::passes
