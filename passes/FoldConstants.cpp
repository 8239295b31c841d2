//===- passes/FoldConstants.cpp - Fold constant subexpressions ------------===//
#include "passes/FoldConstants.h"

#include "ir/Simplify.h"

namespace snn::passes {

bool fold_constants(ir::Module &m, PassContext &) {
  for (auto &model : m.models)
    ir::for_each_expr(model, [](ir::Expr &e) { e = ir::simplify(e); });
  return true;
}

} // namespace snn::passes
