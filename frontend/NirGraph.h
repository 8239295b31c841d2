//===- NirGraph.h - A NIR graph read from its HDF5 file ---------*- C++ -*-===//
//
// NIR (the Neuromorphic Intermediate Representation, neuroir.org) stores a
// graph in HDF5: a `version` string and a `node` group holding the graph,
// whose `type` is "NIRGraph", whose `nodes` group holds one group per node
// (a `type` string and one dataset per parameter) and whose `edges` are an
// [E, 2] dataset of (source, target) names. A node may itself be a graph;
// reading flattens it: its nodes are named "outer.inner", an edge naming
// the graph itself reaches its Input nodes (as a target) or leaves its
// Output nodes (as a source), and its Input and Output nodes stay in the
// graph as pass-through nodes (`boundary`).
//
//===----------------------------------------------------------------------===//
#ifndef SNN_FRONTEND_NIRGRAPH_H
#define SNN_FRONTEND_NIRGRAPH_H

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace snn::frontend {

/// A numeric dataset of a node, as float64 in C order.
struct NirArray {
  std::vector<uint64_t> shape; ///< [] for a scalar
  std::vector<double> values;
  std::string dataset; ///< its HDF5 path, e.g. "node/nodes/lif1/tau"

  uint64_t elements() const { return values.size(); }
  /// Whether every element equals the first (true when empty).
  bool uniform() const;
};

struct NirNode {
  std::string name; ///< "lif1", or "rnn.lif" inside the graph "rnn"
  std::string type; ///< "LIF", "Affine", ... as the file spells it
  std::map<std::string, NirArray> arrays;
  std::map<std::string, std::string> strings; ///< string datasets but `type` (e.g. a padding "same")
  bool boundary = false;                      ///< the Input or Output node of a nested graph

  const NirArray *array(const std::string &key) const;
};

struct NirGraph {
  std::string path;
  std::string version;
  std::vector<NirNode> nodes; ///< in file order, nested graphs' nodes in place of the graph
  std::vector<std::pair<std::string, std::string>> edges;

  const NirNode *find(const std::string &name) const;
};

/// Reads the NIR graph of the HDF5 file `path`. On failure returns nullopt
/// and sets `error` to what is wrong, naming the node or dataset.
std::optional<NirGraph> read_nir_graph(const std::string &path, std::string &error);

} // namespace snn::frontend

#endif // SNN_FRONTEND_NIRGRAPH_H
