//===- frontend/Frontend.cpp - Source text to a checked IR Module ---------===//
#include "frontend/Frontend.h"

#include "frontend/Delays.h"
#include "frontend/ExprLowering.h"
#include "frontend/ModelLowering.h"
#include "frontend/NetworkLowering.h"
#include "frontend/ParameterArguments.h"
#include "frontend/Parser.h"
#include "frontend/SynapseLowering.h"
#include "frontend/TrainingLowering.h"
#include "frontend/Units.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace snn::frontend {

using diag::DiagKind;

namespace fs = std::filesystem;

std::string directory_of(const std::string &path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? "" : path.substr(0, slash == 0 ? 1 : slash);
}

std::unique_ptr<ast::File> Frontend::parse(const std::string &name, std::string text) {
  const std::string &stored = sources_.add(name, std::move(text));
  return frontend::parse(name, stored, diags_);
}

/// "did you mean 'std.neurons'?" for a module whose last name is misspelt:
/// the candidates are the .snn files next to where it was looked for.
bool Frontend::suggest_module(const ast::Import &imp, const std::vector<std::string> &dirs, const std::string &dotted,
                              const SourceLocation &at) {
  std::string parent_dotted, parent_rel;
  for (size_t i = 0; i + 1 < imp.module_path.size(); ++i) {
    parent_dotted += imp.module_path[i].name + ".";
    parent_rel += imp.module_path[i].name + "/";
  }
  std::vector<std::string> candidates;
  for (const auto &d : dirs) {
    std::error_code ec;
    fs::path dir = d.empty() ? fs::path(parent_rel.empty() ? "." : parent_rel) : fs::path(d) / parent_rel;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().extension() == ".snn")
        candidates.push_back(parent_dotted + it->path().stem().string());
  }
  size_t before = diags_.all().size();
  diags_.suggest(dotted, candidates, at);
  return diags_.all().size() != before;
}

const Frontend::LoadedModule *Frontend::load_module(const ast::Import &imp) {
  if (imp.module_path.empty()) // the parser reports such imports
    return nullptr;
  std::string dotted, rel;
  for (const auto &p : imp.module_path) {
    dotted += (dotted.empty() ? "" : ".") + p.name;
    rel += (rel.empty() ? "" : "/") + p.name;
  }
  rel += ".snn";
  std::vector<std::string> dirs;
  dirs.push_back(directory_of(imp.loc.file));
  dirs.insert(dirs.end(), import_paths_.begin(), import_paths_.end());
  auto find = [&dirs](const std::string &relative) {
    for (const auto &d : dirs) {
      fs::path candidate = d.empty() ? fs::path(relative) : fs::path(d) / relative;
      std::error_code ec;
      if (fs::is_regular_file(candidate, ec))
        return candidate.lexically_normal().string();
    }
    return std::string();
  };
  std::string found = find(rel);
  SourceLocation at = imp.module_path.front().loc;
  at.length = static_cast<unsigned>(dotted.size());
  if (found.empty()) {
    diags_.report(DiagKind::unknown_import, at, dotted);
    // `import std.neurons` names a module, not a model in it.
    if (imp.names.size() == 1 && !find(rel.substr(0, rel.size() - 4) + "/" + imp.names[0].name + ".snn").empty())
      diags_.note(DiagKind::note_import_names_module, at, dotted + "." + imp.names[0].name);
    else if (!suggest_module(imp, dirs, dotted, at))
      diags_.note(DiagKind::note_import_search, at, rel);
    return nullptr;
  }
  if (loading_.count(found)) {
    diags_.report(DiagKind::import_cycle, at, dotted);
    return nullptr;
  }
  auto it = loaded_.find(found);
  if (it != loaded_.end())
    return it->second.get();
  std::ifstream in(found, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  auto mod = std::make_unique<LoadedModule>();
  loading_.insert(found);
  mod->ast = parse(found, buf.str());
  if (mod->ast)
    mod->ok = collect_models(*mod->ast, mod->models, mod->synapses, mod->functions);
  loading_.erase(found);
  if (!mod->ok)
    diags_.note(DiagKind::note_imported_here, at, dotted);
  return loaded_.emplace(found, std::move(mod)).first->second.get();
}

bool Frontend::collect_models(const ast::File &file, std::vector<ir::NeuronModel> &out,
                              std::vector<ir::SynapseModel> &synapses, FunctionTable &functions,
                              const std::vector<ast::Import> &more) {
  unsigned errors = diags_.error_count();
  std::map<std::string, SourceLocation> where, function_where;
  auto add = [&](ir::NeuronModel m, const SourceLocation &loc) {
    if (diags_.define_once(where, m.name, loc, "neuron model"))
      out.push_back(std::move(m));
  };
  auto add_synapse = [&](ir::SynapseModel m, const SourceLocation &loc) {
    if (diags_.define_once(where, m.name, loc, "synapse model"))
      synapses.push_back(std::move(m));
  };
  auto add_function = [&](const ast::FunctionDecl *f, const SourceLocation &loc) {
    if (is_builtin_function(f->name.name)) {
      diags_.report(DiagKind::duplicate_definition, loc, "built-in function", f->name.name);
      return;
    }
    if (diags_.define_once(function_where, f->name.name, loc, "function"))
      functions[f->name.name] = f;
  };
  std::vector<const ast::Import *> imports;
  for (const auto &imp : file.imports)
    imports.push_back(&imp);
  for (const auto &imp : more)
    imports.push_back(&imp);
  for (const ast::Import *each : imports) {
    const ast::Import &imp = *each;
    const LoadedModule *mod = load_module(imp);
    if (!mod || !mod->ok)
      continue;
    for (const auto &name : imp.names) {
      const ir::NeuronModel *found = nullptr;
      for (const auto &m : mod->models)
        if (m.name == name.name)
          found = &m;
      const ir::SynapseModel *synapse = nullptr;
      for (const auto &m : mod->synapses)
        if (m.name == name.name)
          synapse = &m;
      if (!found && synapse) {
        add_synapse(*synapse, name.loc);
        continue;
      }
      auto function = mod->functions.find(name.name);
      if (!found && function != mod->functions.end()) {
        add_function(function->second, name.loc);
        continue;
      }
      if (!found) {
        std::string dotted;
        for (const auto &p : imp.module_path)
          dotted += (dotted.empty() ? "" : ".") + p.name;
        diags_.report(DiagKind::missing_import, name.loc, dotted, name.name);
        std::vector<std::string> names;
        for (const auto &m : mod->models)
          names.push_back(m.name);
        for (const auto &m : mod->synapses)
          names.push_back(m.name);
        for (const auto &f : mod->functions)
          names.push_back(f.first);
        diags_.suggest(name.name, names, name.loc);
        continue;
      }
      add(*found, name.loc);
    }
  }
  for (const auto &f : file.functions) {
    if (f.constant && lookup_unit(f.name.name)) {
      diags_.report(DiagKind::duplicate_definition, f.name.loc, "unit", f.name.name);
      continue;
    }
    add_function(&f, f.name.loc);
  }
  // Each constant's value is checked once, where it is defined.
  ExprLowering exprs(diags_, &functions);
  for (const auto &f : file.functions)
    if (f.constant && functions.count(f.name.name) && functions.at(f.name.name) == &f)
      exprs.check_constant(f);
  for (const auto &n : file.neurons)
    if (auto m = lower_neuron(n, diags_, &functions))
      add(std::move(*m), n.name.loc);
  for (const auto &s : file.synapses)
    if (auto m = lower_synapse(s, diags_, &functions))
      add_synapse(std::move(*m), s.name.loc);
  // Parameter sets, in order (one may build on an earlier one).
  auto alias = [&](const ast::AliasDecl &a, auto &models, auto &&add_model, DiagKind unknown) {
    auto base = std::find_if(models.begin(), models.end(), [&](const auto &m) { return m.name == a.base.name; });
    if (base == models.end()) {
      bool other_kind =
          a.synapse ? std::any_of(out.begin(), out.end(), [&](auto &m) { return m.name == a.base.name; })
                    : std::any_of(synapses.begin(), synapses.end(), [&](auto &m) { return m.name == a.base.name; });
      if (other_kind) {
        diags_.report(DiagKind::alias_of_other_kind, a.base.loc, a.base.name, a.synapse ? "neuron" : "synapse",
                      a.synapse ? "synapse" : "neuron");
        return;
      }
      diags_.report(unknown, a.base.loc, a.base.name);
      std::vector<std::string> names;
      for (const auto &m : models)
        names.push_back(m.name);
      diags_.suggest(a.base.name, names, a.base.loc);
      return;
    }
    auto values = parameter_arguments(a.args, base->params, "model '" + base->name + "'", exprs, diags_);
    if (!values)
      return;
    auto model = *base;
    model.name = a.name.name;
    model.loc = a.name.loc;
    for (const auto &[name, value] : *values)
      for (auto &p : model.params)
        if (p.name == name)
          p.value = value;
    add_model(std::move(model), a.name.loc);
  };
  for (const auto &a : file.aliases) {
    if (a.synapse)
      alias(a, synapses, add_synapse, DiagKind::unknown_synapse_model);
    else
      alias(a, out, add, DiagKind::unknown_model);
  }
  return diags_.error_count() == errors;
}

std::optional<NirNetwork> Frontend::import_file(const ast::File &file) {
  const ast::FileImport &imp = file.file_imports[0];
  if (file.file_imports.size() > 1 || !file.networks.empty()) {
    // Each import defines the file's one network.
    const ast::FileImport *second = file.file_imports.size() > 1 ? &file.file_imports[1] : nullptr;
    SourceLocation at = second ? second->loc : file.networks[0].name.loc;
    std::string name = second ? (second->name ? second->name->name : second->path) : file.networks[0].name.name;
    diags_.report(DiagKind::duplicate_definition, at, "network", name);
    diags_.note(DiagKind::note_first_network, imp.loc);
    return std::nullopt;
  }
  if (imp.format.name != "nir") {
    diags_.report(DiagKind::unknown_import_format, imp.format.loc, imp.format.name);
    return std::nullopt;
  }
  if (!imp.name || imp.as->name != "as") {
    diags_.report(DiagKind::expected_import_name, imp.as ? imp.as->loc : imp.path_loc,
                  imp.as ? ", found '" + imp.as->name + "'" : std::string());
    return std::nullopt;
  }
  // Relative to the importing file, and absolute, so the executable finds
  // the weights wherever it runs.
  std::error_code ec;
  fs::path path = imp.path;
  if (path.is_relative())
    path = fs::absolute(fs::path(directory_of(file.name)) / path, ec);
  std::string absolute = path.lexically_normal().string(), error;
  std::optional<NirGraph> graph = read_nir_graph(absolute, error);
  if (!graph) {
    diags_.report(DiagKind::nir_unreadable, imp.path_loc, imp.path, error);
    return std::nullopt;
  }
  return import_nir(*graph, absolute, imp, imp.name->name, diags_);
}

std::optional<ir::Module> Frontend::lower(const ast::File &file) {
  unsigned errors = diags_.error_count();
  ir::Module m;
  std::optional<NirNetwork> imported;
  if (!file.file_imports.empty() && !(imported = import_file(file)))
    return std::nullopt;
  // A main file that imports itself is a cycle too.
  std::string self = fs::path(file.name).lexically_normal().string();
  loading_.insert(self);
  FunctionTable functions;
  collect_models(file, m.models, m.synapses, functions, imported ? imported->imports : std::vector<ast::Import>());
  loading_.erase(self);
  if (diags_.error_count() != errors)
    return std::nullopt;
  const ast::NetworkDecl *network = imported ? &imported->network : file.networks.empty() ? nullptr : &file.networks[0];
  if (file.networks.size() > 1) {
    diags_.report(DiagKind::duplicate_definition, file.networks[1].name.loc, "network", file.networks[1].name.name);
    diags_.note(DiagKind::note_first_network, file.networks[0].name.loc);
    return std::nullopt;
  }
  if (file.simulations.size() > 1) {
    diags_.report(DiagKind::duplicate_definition, file.simulations[1].loc, "simulate block for",
                  file.simulations[1].network.name);
    diags_.note(DiagKind::note_previous_definition, file.simulations[0].loc);
    return std::nullopt;
  }
  if (file.trainings.size() > 1) {
    diags_.report(DiagKind::duplicate_definition, file.trainings[1].loc, "train block for",
                  file.trainings[1].network.name);
    diags_.note(DiagKind::note_previous_definition, file.trainings[0].loc);
    return std::nullopt;
  }
  if (!file.simulations.empty() && !file.trainings.empty()) {
    // Reported at whichever of the two comes second.
    const SourceLocation &sim = file.simulations[0].loc, &train = file.trainings[0].loc;
    bool train_second = sim.line < train.line || (sim.line == train.line && sim.column < train.column);
    diags_.report(DiagKind::simulate_and_train, train_second ? train : sim);
    diags_.note(DiagKind::note_previous_definition, train_second ? sim : train);
    return std::nullopt;
  }
  if (network) {
    if (!lower_network(*network, m, diags_, &functions))
      return std::nullopt;
  } else if (!file.simulations.empty() || !file.trainings.empty()) {
    const ast::Ident &net = file.simulations.empty() ? file.trainings[0].network : file.simulations[0].network;
    diags_.report(DiagKind::unknown_network, net.loc, net.name);
    return std::nullopt;
  }
  if (!file.simulations.empty() &&
      !lower_simulation(file.simulations[0], directory_of(file.name), m, diags_, &functions))
    return std::nullopt;
  if (!file.trainings.empty() && !lower_training(file.trainings[0], m, diags_, &functions))
    return std::nullopt;
  // After the regime: a delay written as a time needs its dt.
  if (network && !resolve_delays(*network, m, diags_, &functions))
    return std::nullopt;
  if (m.regime.training) {
    for (const ir::Projection &pr : m.network.projections) {
      if (!pr.synapse.empty()) {
        diags_.report(DiagKind::synapse_in_training, pr.loc, pr.synapse);
        return std::nullopt;
      }
      if (pr.connectivity == ir::ConnectivityKind::Conv2D && !pr.frozen) {
        // e-prop's per-synapse gradients would untie the shared kernel.
        diags_.report(DiagKind::conv_in_training, pr.loc, pr.pre, pr.post, pr.pre, pr.post);
        return std::nullopt;
      }
    }
  }
  return m;
}

} // namespace snn::frontend
