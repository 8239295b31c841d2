//===- NirImport.h - A NIR graph as a network of std.nir models -*- C++ -*-===//
//
// `import nir "graph.nir.h5" as Net` (docs/nir.md): the graph's Input nodes
// become spike sources, its neuron nodes populations of the std.nir models
// (NirLIF, NirLI, NirIF, NirI, NirCubaLIF, NirCubaLI), and each path of
// Affine, Linear, Scale, Flatten, Delay and nested-graph boundary nodes
// from a spiking node to a neuron node a projection. The network is built
// as the AST a user would have written, so it is checked and lowered like
// one; weights and per-neuron values that differ between neurons are
// `load()`ed from the graph's file by the executable.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_FRONTEND_NIRIMPORT_H
#define SNN_FRONTEND_NIRIMPORT_H

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/NirGraph.h"

#include <optional>
#include <string>
#include <vector>

namespace snn::frontend {

/// The network of an imported NIR graph and the models it uses.
struct NirNetwork {
  ast::NetworkDecl network;
  /// The imports the network needs (std.nir models, std.inputs.SpikeSource),
  /// located at the import.
  std::vector<ast::Import> imports;
};

/// Builds the network `name` from `graph`, read from the file `path`
/// (absolute) that `imp` names. Reports every node snnc cannot express at
/// `imp`'s file name, naming the node, and returns nullopt.
std::optional<NirNetwork> import_nir(const NirGraph &graph, const std::string &path, const ast::FileImport &imp,
                                     const std::string &name, diag::Diagnostics &diags);

} // namespace snn::frontend

#endif // SNN_FRONTEND_NIRIMPORT_H
