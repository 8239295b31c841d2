//===- frontend/NirGraph.cpp - A NIR graph read from its HDF5 file --------===//
#include "frontend/NirGraph.h"

#include <hdf5.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <set>

namespace snn::frontend {

bool NirArray::uniform() const {
  return std::all_of(values.begin(), values.end(), [&](double v) { return v == values.front(); });
}

const NirArray *NirNode::array(const std::string &key) const {
  auto it = arrays.find(key);
  return it == arrays.end() ? nullptr : &it->second;
}

const NirNode *NirGraph::find(const std::string &name) const {
  for (const NirNode &n : nodes)
    if (n.name == name)
      return &n;
  return nullptr;
}

namespace {

/// What is wrong with the file; caught by read_nir_graph.
struct Malformed {
  std::string message;
};

/// An HDF5 identifier, closed when it goes out of scope.
class Object {
public:
  explicit Object(hid_t id, herr_t (*close)(hid_t) = H5Oclose) : id_(id), close_(close) {}
  ~Object() {
    if (id_ >= 0)
      close_(id_);
  }
  Object(const Object &) = delete;
  Object &operator=(const Object &) = delete;
  hid_t id() const { return id_; }
  bool ok() const { return id_ >= 0; }

private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// The names of the links of a group, in the file's (name) order.
std::vector<std::string> members(hid_t group) {
  std::vector<std::string> names;
  hsize_t index = 0;
  auto collect = [](hid_t, const char *name, const H5L_info_t *, void *out) -> herr_t {
    static_cast<std::vector<std::string> *>(out)->push_back(name);
    return 0;
  };
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, collect, &names);
  return names;
}

bool is_group(hid_t parent, const std::string &name) {
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) <= 0)
    return false;
  Object o(H5Oopen(parent, name.c_str(), H5P_DEFAULT));
  return o.ok() && H5Iget_type(o.id()) == H5I_GROUP;
}

/// Every string of a string dataset (fixed or variable length), in C order,
/// with its shape.
std::vector<std::string> read_strings(hid_t parent, const std::string &name, const std::string &where,
                                      std::vector<uint64_t> &shape) {
  Object set(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.ok())
    throw Malformed{fmt::format("'{}' is not a dataset", where)};
  Object type(H5Dget_type(set.id()), H5Tclose);
  Object space(H5Dget_space(set.id()), H5Sclose);
  int rank = space.ok() ? H5Sget_simple_extent_ndims(space.id()) : -1;
  if (!type.ok() || rank < 0 || rank > 2)
    throw Malformed{fmt::format("'{}' has an unreadable type or shape", where)};
  hsize_t dims[2] = {1, 1};
  H5Sget_simple_extent_dims(space.id(), dims, nullptr);
  uint64_t count = 1;
  shape.clear();
  for (int d = 0; d < rank; ++d) {
    shape.push_back(dims[d]);
    count *= dims[d];
  }
  if (H5Tget_class(type.id()) != H5T_STRING) {
    if (count == 0) // numpy writes an empty list of edges as float64 [0]
      return {};
    throw Malformed{fmt::format("'{}' must hold strings", where)};
  }
  std::vector<std::string> out;
  if (H5Tis_variable_str(type.id()) > 0) {
    Object memory(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(memory.id(), H5T_VARIABLE);
    H5Tset_cset(memory.id(), H5Tget_cset(type.id()));
    std::vector<char *> texts(count, nullptr);
    if (count > 0 && H5Dread(set.id(), memory.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, texts.data()) < 0)
      throw Malformed{fmt::format("cannot read '{}' (truncated or corrupt file)", where)};
    for (char *t : texts)
      out.emplace_back(t ? t : "");
    if (count > 0)
      H5Dvlen_reclaim(memory.id(), space.id(), H5P_DEFAULT, texts.data());
    return out;
  }
  size_t size = H5Tget_size(type.id());
  if (size == 0 || size > (1u << 20))
    throw Malformed{fmt::format("'{}' has strings of an unreadable size", where)};
  Object memory(H5Tcopy(type.id()), H5Tclose);
  std::string bytes(count * size, '\0');
  if (count > 0 && H5Dread(set.id(), memory.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()) < 0)
    throw Malformed{fmt::format("cannot read '{}' (truncated or corrupt file)", where)};
  for (uint64_t i = 0; i < count; ++i) {
    std::string s = bytes.substr(i * size, size);
    out.push_back(s.substr(0, s.find('\0')));
  }
  return out;
}

std::string read_string(hid_t parent, const std::string &name, const std::string &where) {
  std::vector<uint64_t> shape;
  std::vector<std::string> texts = read_strings(parent, name, where, shape);
  if (texts.size() != 1)
    throw Malformed{fmt::format("'{}' must be one string", where)};
  return texts[0];
}

/// A numeric dataset, or nullopt for another kind (a string, a boolean).
std::optional<NirArray> read_numbers(hid_t parent, const std::string &name, const std::string &where) {
  Object set(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (!set.ok())
    return std::nullopt;
  Object type(H5Dget_type(set.id()), H5Tclose);
  H5T_class_t type_class = type.ok() ? H5Tget_class(type.id()) : H5T_NO_CLASS;
  if (type_class != H5T_INTEGER && type_class != H5T_FLOAT)
    return std::nullopt;
  Object space(H5Dget_space(set.id()), H5Sclose);
  int rank = space.ok() ? H5Sget_simple_extent_ndims(space.id()) : -1;
  if (rank < 0 || rank > 8)
    throw Malformed{fmt::format("'{}' has an unreadable shape", where)};
  hsize_t dims[8] = {};
  H5Sget_simple_extent_dims(space.id(), dims, nullptr);
  NirArray a;
  a.dataset = where;
  uint64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    a.shape.push_back(dims[d]);
    count = dims[d] == 0 ? 0 : count * dims[d];
    if (count > (uint64_t(1) << 31))
      throw Malformed{fmt::format("'{}' has more than 2^31 elements", where)};
  }
  a.values.resize(count);
  if (count > 0 && H5Dread(set.id(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a.values.data()) < 0)
    throw Malformed{fmt::format("cannot read '{}' (truncated or corrupt file)", where)};
  return a;
}

/// Reads the graph in `group` (HDF5 path `where`), naming its nodes
/// `prefix` + name; returns the names of its Input and Output nodes.
class GraphReader {
public:
  explicit GraphReader(NirGraph &g) : g_(g) {}

  struct Ends {
    std::vector<std::string> inputs, outputs;
  };

  Ends graph(hid_t group, const std::string &where, const std::string &prefix, int depth) {
    if (depth > 16)
      throw Malformed{fmt::format("'{}': graphs nested more than 16 deep", where)};
    if (!is_group(group, "nodes"))
      throw Malformed{fmt::format("the graph '{}' has no 'nodes' group", where)};
    Object nodes(H5Gopen2(group, "nodes", H5P_DEFAULT), H5Gclose);
    Ends ends;
    for (const std::string &name : members(nodes.id())) {
      std::string path = where + "/nodes/" + name, full = prefix + name;
      if (!is_group(nodes.id(), name))
        throw Malformed{fmt::format("node '{}' ('{}') is not a group", full, path)};
      Object node(H5Gopen2(nodes.id(), name.c_str(), H5P_DEFAULT), H5Gclose);
      if (H5Lexists(node.id(), "type", H5P_DEFAULT) <= 0)
        throw Malformed{fmt::format("node '{}' has no 'type' ('{}/type')", full, path)};
      std::string type = read_string(node.id(), "type", path + "/type");
      if (type == "NIRGraph") {
        graphs_[full] = graph(node.id(), path, full + ".", depth + 1);
        continue;
      }
      NirNode n;
      n.name = full;
      n.type = type;
      n.boundary = depth > 0 && (type == "Input" || type == "Output");
      for (const std::string &key : members(node.id())) {
        if (key == "type" || is_group(node.id(), key)) // metadata and the like
          continue;
        if (auto a = read_numbers(node.id(), key, path + "/" + key)) {
          n.arrays[key] = std::move(*a);
          continue;
        }
        std::vector<uint64_t> shape;
        try {
          std::vector<std::string> texts = read_strings(node.id(), key, path + "/" + key, shape);
          if (texts.size() == 1)
            n.strings[key] = texts[0];
        } catch (const Malformed &) { // a boolean or other non-numeric entry: not a parameter snnc reads
        }
      }
      if (type == "Input")
        ends.inputs.push_back(full);
      if (type == "Output")
        ends.outputs.push_back(full);
      g_.nodes.push_back(std::move(n));
    }
    if (H5Lexists(group, "edges", H5P_DEFAULT) <= 0)
      throw Malformed{fmt::format("the graph '{}' has no 'edges'", where)};
    std::vector<uint64_t> shape;
    std::vector<std::string> names = read_strings(group, "edges", where + "/edges", shape);
    if (!names.empty() && (shape.size() != 2 || shape[1] != 2))
      throw Malformed{fmt::format("'{}/edges' must have shape [edges, 2]", where)};
    std::string graph_name = prefix.empty() ? "the graph" : "the graph '" + prefix.substr(0, prefix.size() - 1) + "'";
    for (size_t e = 0; e + 1 < names.size(); e += 2) {
      for (const std::string &from : resolve(prefix, names[e], true, graph_name))
        for (const std::string &to : resolve(prefix, names[e + 1], false, graph_name))
          g_.edges.emplace_back(from, to);
    }
    return ends;
  }

private:
  /// The nodes an edge's end names: a node, or a nested graph's Output
  /// (`source`) or Input nodes.
  std::vector<std::string> resolve(const std::string &prefix, const std::string &name, bool source,
                                   const std::string &where) {
    std::string full = prefix + name;
    if (g_.find(full))
      return {full};
    auto it = graphs_.find(full);
    if (it != graphs_.end()) {
      const auto &ends = source ? it->second.outputs : it->second.inputs;
      if (ends.empty())
        throw Malformed{fmt::format("an edge of {} {} the graph '{}', which has no {} node", where,
                                    source ? "leaves" : "enters", full, source ? "Output" : "Input")};
      return ends;
    }
    throw Malformed{fmt::format("an edge of {} names '{}', which is no node of it", where, name)};
  }

  NirGraph &g_;
  std::map<std::string, Ends> graphs_;
};

} // namespace

std::optional<NirGraph> read_nir_graph(const std::string &path, std::string &error) {
  H5E_auto2_t printer = nullptr;
  void *printer_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &printer, &printer_data);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); // every problem becomes one diagnostic
  std::optional<NirGraph> result;
  try {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
      throw Malformed{"no such file"};
    if (H5Fis_hdf5(path.c_str()) <= 0)
      throw Malformed{"it is not an HDF5 file (unreadable or of another format)"};
    Object file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.ok())
      throw Malformed{"cannot open it as an HDF5 file"};
    NirGraph g;
    g.path = path;
    if (H5Lexists(file.id(), "version", H5P_DEFAULT) > 0)
      g.version = read_string(file.id(), "version", "version");
    if (!is_group(file.id(), "node"))
      throw Malformed{"it has no 'node' group, so it holds no NIR graph"};
    Object root(H5Gopen2(file.id(), "node", H5P_DEFAULT), H5Gclose);
    if (H5Lexists(root.id(), "type", H5P_DEFAULT) <= 0)
      throw Malformed{"the root node has no 'type' ('node/type')"};
    std::string type = read_string(root.id(), "type", "node/type");
    if (type != "NIRGraph")
      throw Malformed{fmt::format("the root node is a single '{}' node, not a 'NIRGraph'", type)};
    GraphReader(g).graph(root.id(), "node", "", 0);
    result = std::move(g);
  } catch (const Malformed &m) {
    error = m.message;
  }
  H5Eset_auto2(H5E_DEFAULT, printer, printer_data);
  return result;
}

} // namespace snn::frontend
