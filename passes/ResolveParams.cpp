//===- passes/ResolveParams.cpp - Specialise models per population --------===//
#include "passes/ResolveParams.h"

#include "ir/Simplify.h"

#include <map>

namespace snn::passes {

namespace {

ir::Expr bind_params(const ir::Expr &e, const std::map<std::string, ir::Expr> &values) {
  return ir::substitute(e, [&](const ir::Variable &v) -> ir::Expr {
    if (v.var_kind != ir::VarKind::Param)
      return {};
    auto it = values.find(v.name);
    return it == values.end() ? ir::Expr() : it->second;
  });
}

} // namespace

bool resolve_params(ir::Module &m, PassContext &ctx) {
  std::vector<ir::NeuronModel> specialised;
  for (auto &pop : m.network.populations) {
    const ir::NeuronModel *generic = m.find_model(pop.model);
    ir::internal_check(generic != nullptr, "population '" + pop.name + "' has no model");
    std::map<std::string, ir::Expr> values;
    for (const auto &p : generic->params) {
      ir::Expr v;
      for (const auto &[name, value] : pop.overrides)
        if (name == p.name)
          v = value;
      if (!v)
        v = ir::simplify(bind_params(p.value, values));
      values[p.name] = v;
    }
    ir::NeuronModel s = *generic;
    s.name = generic->name + "@" + pop.name;
    // Problems of the specialised model come from this population's values.
    if (pop.loc.valid())
      s.loc = pop.loc;
    s.params.clear();
    for (auto &st : s.states) {
      st.initial = bind_params(st.initial, values);
      for (const auto &init : pop.inits)
        if (init.state == st.name)
          st.initial = init.value;
    }
    for (auto &o : s.odes)
      o.rhs = bind_params(o.rhs, values);
    for (auto &a : s.update)
      a.value = bind_params(a.value, values);
    for (auto &a : s.reset)
      a.value = bind_params(a.value, values);
    s.spike_condition = bind_params(s.spike_condition, values);
    s.surrogate = bind_params(s.surrogate, values);
    s.refractory_period = bind_params(s.refractory_period, values);
    pop.model = s.name;
    pop.overrides.clear();
    pop.inits.clear();
    specialised.push_back(std::move(s));
  }
  m.models = std::move(specialised);
  (void)ctx;
  return true;
}

} // namespace snn::passes
