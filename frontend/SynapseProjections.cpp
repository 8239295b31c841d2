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

/// Each `post.X += value` against the postsynaptic model (the states of a
/// post block were checked with their model).
bool post_writes(const ast::ConnectDecl &c, const ir::SynapseModel &model, const ir::NeuronModel &post,
                 const ast::Ident *retarget, ir::Projection &pr, diag::Diagnostics &diags) {
  std::vector<std::string> written = ir::post_variables(model);
  if (model.post.present() && written.empty()) {
    diags.report(DiagKind::synapse_without_effect, c.synapse->loc, model.name);
    return false;
  }
  if (retarget && written.size() != 1) {
    diags.report(DiagKind::synapse_with_target, retarget->loc, retarget->name, model.name, written.size());
    return false;
  }
  bool ok = true;
  for (const auto *block : {&model.on_pre, &model.on_post})
    for (const ir::SynapseStatement &s : *block) {
      if (s.kind != ir::SynapseStatement::Kind::Post || model.find_post_state(s.target))
        continue;
      const std::string &target = retarget ? retarget->name : s.target;
      const SourceLocation &at = retarget ? retarget->loc : c.synapse->loc;
      const ir::StateVar *state = post.find_state(target);
      const ir::InputVar *input = post.find_input(target);
      if ((!state || state->hidden) && !input) {
        diags.report(DiagKind::unknown_variable, at, post.name, "state or input", target);
        diags.note(DiagKind::note_synapse_writes_here, s.loc, model.name, s.target);
        ok = false;
        continue;
      }
      // An input takes an impulse: a weight per unit of time.
      Dimension want = input ? input->dim * Dimension::time() : state->dim;
      if (s.value->dim != want) {
        diags.report(DiagKind::synapse_write_dimension, at, model.name, describe(s.value->dim), target, post.name,
                     describe(want));
        diags.note(DiagKind::note_synapse_writes_here, s.loc, model.name, s.target);
        ok = false;
        continue;
      }
      if (pr.target.empty()) {
        pr.target = target;
        pr.target_kind = input ? ir::TargetKind::Input : ir::TargetKind::State;
      }
    }
  if (ok && pr.target.empty() && !model.post.present()) {
    diags.report(DiagKind::synapse_without_effect, c.synapse->loc, model.name);
    ok = false;
  }
  return ok;
}

/// A post block's output feeds the parameter `.X` names, and the neuron
/// variables it reads exist with the dimensions it declares.
bool post_block(const ast::ConnectDecl &c, const ir::SynapseModel &model, const ir::NeuronModel &post,
                const ast::Ident *param, ir::Projection &pr, diag::Diagnostics &diags) {
  const ir::PostsynapticBlock &b = model.post;
  bool ok = true;
  SourceLocation at = param ? param->loc : c.synapse->loc;
  for (const ir::InputVar &r : b.reads) {
    const ir::StateVar *state = post.find_state(r.name);
    const ir::Parameter *p = post.find_param(r.name);
    if ((!state || state->hidden) && !p) {
      diags.report(DiagKind::unknown_variable, at, post.name, "state or parameter", r.name);
      diags.note(DiagKind::note_post_block_here, b.loc, model.name, "reads 'post." + r.name + "' in its post block");
      ok = false;
    } else if (Dimension d = state ? state->dim : p->dim; d != r.dim) {
      diags.report(DiagKind::post_read_dimension, at, model.name, r.name, describe(r.dim), r.name, post.name,
                   describe(d));
      ok = false;
    }
  }
  if (!param) {
    diags.report(DiagKind::post_output_without_parameter, c.synapse->loc, model.name, post.name, c.pre.name, pr.post);
    return false;
  }
  const ir::Parameter *target = post.find_param(param->name);
  if (!target) {
    const ir::StateVar *state = post.find_state(param->name);
    if ((state && !state->hidden) || post.find_input(param->name)) {
      diags.report(DiagKind::post_output_not_parameter, param->loc, param->name, state ? "a state" : "an input",
                   post.name, model.name);
    } else {
      diags.report(DiagKind::unknown_variable, param->loc, post.name, "parameter", param->name);
      std::vector<std::string> names;
      for (const auto &p : post.params)
        names.push_back(p.name);
      diags.suggest(param->name, names, param->loc);
    }
    return false;
  }
  if (target->dim != b.output->dim) {
    diags.report(DiagKind::post_output_dimension, param->loc, model.name, describe(b.output->dim), target->name,
                 post.name, describe(target->dim));
    diags.note(DiagKind::note_post_block_here, b.loc, model.name, "defines its output");
    return false;
  }
  pr.target = target->name;
  pr.target_kind = ir::TargetKind::Parameter;
  return ok;
}

} // namespace

std::optional<Dimension> bind_synapse_model(const ast::ConnectDecl &c, const ir::Module &module,
                                            const ir::NeuronModel &post, const ast::Ident *retarget, ir::Projection &pr,
                                            ExprLowering &exprs, diag::Diagnostics &diags) {
  if (!known_model(*c.synapse, module, diags))
    return std::nullopt;
  const ir::SynapseModel &model = *module.find_synapse(c.synapse->name);
  pr.synapse = model.name;
  bool ok = arguments(c, model, pr, exprs, diags);
  if (model.post.present())
    ok = post_block(c, model, post, retarget, pr, diags) && ok;
  ok = post_writes(c, model, post, model.post.present() ? nullptr : retarget, pr, diags) && ok;
  if (!ok)
    return std::nullopt;
  return model.find_state(model.weight)->dim;
}

} // namespace snn::frontend
