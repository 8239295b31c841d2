//===- passes/MergePopulations.cpp - One model per distinct dynamics ------===//
#include "passes/MergePopulations.h"

#include "ir/Printer.h"

#include <map>

namespace snn::passes {

namespace {

std::string base_name(const std::string &model) { return model.substr(0, model.find('@')); }

/// The model's text without its name. The printer is the canonical form: it
/// prints every field, reals read back to the same double, and shared
/// subexpressions are named in a fixed order, so equal text means the same
/// computation.
std::string canonical_text(const ir::NeuronModel &model) {
  ir::Module alone;
  alone.models.push_back(model);
  alone.models.back().name = "";
  return ir::to_string(alone);
}

} // namespace

bool merge_populations(ir::Module &m, PassContext &) {
  struct Group {
    const ir::NeuronModel *model;
    std::vector<size_t> populations;
  };
  std::vector<Group> groups;
  std::map<std::string, size_t> group_of_text;
  std::map<std::string, size_t> populations_of_base;
  for (size_t p = 0; p < m.network.populations.size(); ++p) {
    const ir::Population &pop = m.network.populations[p];
    const ir::NeuronModel *model = m.find_model(pop.model);
    ir::internal_check(model != nullptr, "population '" + pop.name + "' names unknown model '" + pop.model + "'");
    ir::internal_check(model->discretized, "merge-populations runs after discretize-odes");
    ++populations_of_base[base_name(model->name)];
    auto [it, fresh] = group_of_text.emplace(canonical_text(*model), groups.size());
    if (fresh)
      groups.push_back({model, {}});
    groups[it->second].populations.push_back(p);
  }
  std::vector<ir::NeuronModel> merged;
  for (const Group &g : groups) {
    ir::NeuronModel model = *g.model;
    std::string base = base_name(model.name);
    if (g.populations.size() == populations_of_base[base])
      model.name = base;
    for (size_t p : g.populations)
      m.network.populations[p].model = model.name;
    merged.push_back(std::move(model));
  }
  m.models = std::move(merged);
  return true;
}

} // namespace snn::passes
