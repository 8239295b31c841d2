//===- frontend/SynapseProjections.cpp - A projection's synapse model -----===//
#include "frontend/SynapseProjections.h"

#include "frontend/ParameterArguments.h"

#include <set>

namespace snn::frontend {

using diag::DiagKind;
using ir::Dimension;

namespace {

bool known_model(const ast::Ident &name, const ir::Module &module, diag::Diagnostics &diags) {
  if (module.find_synapse(name.name))
    return true;
  if (module.find_model(name.name)) {
    diags.report(DiagKind::not_a_synapse_model, name.loc, name.name);
    return false;
  }
  diags.report(DiagKind::unknown_synapse_model, name.loc, name.name);
  std::vector<std::string> names;
  for (const auto &s : module.synapses)
    names.push_back(s.name);
  diags.suggest(name.name, names, name.loc);
  return false;
}

/// The named arguments as parameter values, and every required one given;
/// false after an error.
bool arguments(const ast::ConnectDecl &c, const ir::SynapseModel &model, ir::Projection &pr, ExprLowering &exprs,
               diag::Diagnostics &diags) {
  auto values = parameter_arguments(c.synapse_args, model.params, "model '" + model.name + "'", exprs, diags);
  if (!values)
    return false;
  pr.synapse_overrides = *values;
  bool ok = true;
  for (const auto &param : model.params) {
    bool given = false;
    for (const auto &value : *values)
      given = given || value.first == param.name;
    if (!param.value && !given) {
      diags.report(DiagKind::missing_argument, c.synapse->loc, "synapse model '" + model.name + "'", param.name);
      ok = false;
    }
  }
  return ok;
}

/// Each `post.X += value` against the postsynaptic model.
bool post_writes(const ast::ConnectDecl &c, const ir::SynapseModel &model, const ir::NeuronModel &post,
                 ir::Projection &pr, diag::Diagnostics &diags) {
  bool ok = true;
  for (const auto *block : {&model.on_pre, &model.on_post})
    for (const ir::SynapseStatement &s : *block) {
      if (s.kind != ir::SynapseStatement::Kind::Post)
        continue;
      const ir::StateVar *state = post.find_state(s.target);
      const ir::InputVar *input = post.find_input(s.target);
      if ((!state || state->hidden) && !input) {
        diags.report(DiagKind::unknown_variable, c.synapse->loc, post.name, "state or input", s.target);
        diags.note(DiagKind::note_synapse_writes_here, s.loc, model.name, s.target);
        ok = false;
        continue;
      }
      // An input takes an impulse: a weight per unit of time.
      Dimension want = input ? input->dim * Dimension::time() : state->dim;
      if (s.value->dim != want) {
        diags.report(DiagKind::synapse_write_dimension, c.synapse->loc, model.name, describe(s.value->dim), s.target,
                     post.name, describe(want));
        diags.note(DiagKind::note_synapse_writes_here, s.loc, model.name, s.target);
        ok = false;
        continue;
      }
      if (pr.target.empty()) {
        pr.target = s.target;
        pr.target_kind = input ? ir::TargetKind::Input : ir::TargetKind::State;
      }
    }
  if (ok && pr.target.empty()) {
    diags.report(DiagKind::synapse_without_effect, c.synapse->loc, model.name);
    ok = false;
  }
  return ok;
}

} // namespace

std::optional<Dimension> bind_synapse_model(const ast::ConnectDecl &c, const ir::Module &module,
                                            const ir::NeuronModel &post, ir::Projection &pr, ExprLowering &exprs,
                                            diag::Diagnostics &diags) {
  if (!known_model(*c.synapse, module, diags))
    return std::nullopt;
  const ir::SynapseModel &model = *module.find_synapse(c.synapse->name);
  pr.synapse = model.name;
  bool ok = arguments(c, model, pr, exprs, diags);
  ok = post_writes(c, model, post, pr, diags) && ok;
  if (!ok)
    return std::nullopt;
  return model.find_state(model.weight)->dim;
}

} // namespace snn::frontend
