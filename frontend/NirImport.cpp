//===- frontend/NirImport.cpp - A NIR graph as a network of std.nir models ===//
#include "frontend/NirImport.h"

#include "frontend/NirConnection.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <set>

namespace snn::frontend {

using diag::DiagKind;

namespace {

/// A parameter of a NIR neuron node and the std.nir parameter it sets.
struct ParamSpec {
  const char *name;
  bool time;     ///< in seconds: a `s` quantity
  bool required; ///< else absent means `fallback` (NIR's own default)
  double fallback = 0;
};

/// A NIR neuron node type and its std.nir model.
struct NeuronSpec {
  const char *type;
  const char *model;
  bool spikes;
  std::vector<ParamSpec> params;
};

const std::vector<NeuronSpec> &neuron_specs() {
  static const std::vector<NeuronSpec> specs = {
      {"LIF",
       "NirLIF",
       true,
       {{"tau", true, true},
        {"r", false, true},
        {"v_leak", false, true},
        {"v_threshold", false, true},
        {"v_reset", false, false, 0}}},
      {"LI", "NirLI", false, {{"tau", true, true}, {"r", false, true}, {"v_leak", false, true}}},
      {"IF", "NirIF", true, {{"r", false, true}, {"v_threshold", false, true}, {"v_reset", false, false, 0}}},
      {"I", "NirI", false, {{"r", false, true}}},
      {"CubaLIF",
       "NirCubaLIF",
       true,
       {{"tau_syn", true, true},
        {"tau_mem", true, true},
        {"r", false, true},
        {"v_leak", false, true},
        {"v_threshold", false, true},
        {"v_reset", false, false, 0},
        {"w_in", false, false, 1}}},
      {"CubaLI",
       "NirCubaLI",
       false,
       {{"tau_syn", true, true},
        {"tau_mem", true, true},
        {"r", false, true},
        {"v_leak", false, true},
        {"w_in", false, false, 1}}},
  };
  return specs;
}

const NeuronSpec *neuron_spec(const std::string &type) {
  for (const NeuronSpec &s : neuron_specs())
    if (type == s.type)
      return &s;
  return nullptr;
}

/// Nodes on a path between two populations: they change what a spike
/// carries, not who spikes.
bool is_edge_node(const NirNode &n) {
  for (const char *type :
       {"Affine", "Linear", "Scale", "Flatten", "Delay", "Conv1d", "Conv2d", "SumPool2d", "AvgPool2d"})
    if (n.type == type)
      return true;
  return n.boundary;
}

/// The words of the language a population could not be named by (`record
/// spikes(input)` would not parse).
bool is_keyword(const std::string &s) {
  static const std::set<std::string> words = {
      "amp",    "ampere",  "and",      "batch",  "batches",  "c",      "connect", "else",       "epoch",  "epochs",
      "every",  "f",       "false",    "farad",  "function", "hertz",  "if",      "import",     "init",   "input",
      "k",      "let",     "m",        "meter",  "metre",    "mol",    "molar",   "mole",       "n",      "network",
      "neuron", "not",     "ohm",      "on",     "or",       "p",      "param",   "population", "record", "s",
      "second", "siemens", "simulate", "spike",  "state",    "step",   "steps",   "synapse",    "then",   "to",
      "train",  "true",    "u",        "unless", "volt",     "weight", "when",    "while",      "with",   "x"};
  return words.count(s) != 0;
}

class Importer {
public:
  Importer(const NirGraph &g, const std::string &path, const ast::FileImport &imp, diag::Diagnostics &diags)
      : g_(g), path_(path), imp_(imp), at_(imp.path_loc), diags_(diags) {}

  std::optional<NirNetwork> run(const std::string &name) {
    unsigned errors = diags_.error_count();
    for (const NirNode &n : g_.nodes)
      classify(n);
    if (diags_.error_count() != errors)
      return std::nullopt;
    for (const NirNode &n : g_.nodes)
      for (const auto &[from, to] : g_.edges)
        if (from == n.name)
          out_[n.name].push_back(to);
    for (size_t p = 0; p < pops_.size(); ++p)
      walk(p, *pops_[p].node, {});
    if (diags_.error_count() != errors)
      return std::nullopt;
    order();
    NirNetwork net;
    net.network.name = {name, imp_.name ? imp_.name->loc : at_};
    net.network.notes = {
        fmt::format("imported from the NIR graph '{}' ({}docs/nir.md):", path_,
                    g_.version.empty() ? "" : "NIR " + g_.version + "; "),
        "a spike arriving at a node is an impulse of area dt at the end of its step (a spike of weight w adds",
        "  r w dt / tau to an LIF's v); between spikes the dynamics are exact (exponential Euler for a CubaLIF or",
        "  CubaLI whose time constants differ between neurons); a spike is v > v_threshold after the step's",
        "  update and sets v to v_reset in the same step; edges deliver within the step, but an edge closing a",
        "  cycle delivers in the next step, and a Delay node adds its time; every state starts at 0."};
    // Forward paths in declaration order, so each population's shape is
    // known before the paths that leave it; then the recurrent ones.
    for (size_t p : order_)
      for (Path &path : paths_)
        if (path.to == p && !path.recurrent)
          prepare(path);
    for (Path &path : paths_)
      if (path.recurrent)
        prepare(path);
    if (diags_.error_count() != errors)
      return std::nullopt;
    for (size_t p : order_)
      population(pops_[p], net.network);
    for (Path &path : paths_)
      connect(path, net.network);
    if (diags_.error_count() != errors)
      return std::nullopt;
    std::set<std::string> nir_models;
    bool sources = false;
    for (const Pop &p : pops_)
      (p.spec ? (void)nir_models.insert(p.spec->model) : (void)(sources = true));
    auto import = [&](std::vector<std::string> module, std::vector<std::string> names) {
      ast::Import i;
      for (const std::string &m : module)
        i.module_path.push_back({m, at_});
      for (const std::string &n : names)
        i.names.push_back({n, at_});
      i.loc = imp_.loc;
      net.imports.push_back(std::move(i));
    };
    if (!nir_models.empty())
      import({"std", "nir"}, {nir_models.begin(), nir_models.end()});
    if (sources)
      import({"std", "inputs"}, {"SpikeSource"});
    return net;
  }

private:
  struct Pop {
    const NirNode *node;
    const NeuronSpec *spec; ///< null: an Input, a spike source
    std::string ident;
    uint64_t size = 0;
    std::vector<uint64_t> shape;    ///< NIR's: [channels, rows, columns], [channels, length] or [size]
    const NirArray *bias = nullptr; ///< of the Affine or convolution node on a path into it
  };
  struct Path {
    size_t from, to;
    std::vector<const NirNode *> nodes; ///< the edge nodes between them
    bool recurrent = false;
    std::optional<NirConnection> connection; ///< what they compute, once prepare() accepted them
  };

  void invalid(const NirNode &n, const std::string &message) {
    diags_.report(DiagKind::nir_invalid_node, at_, n.name, n.type, message);
  }

  void classify(const NirNode &n) {
    if (n.type == "Output" || is_edge_node(n))
      return;
    if (n.type == "Input") {
      const NirArray *shape = n.array("shape");
      if (!shape || shape->values.empty()) {
        invalid(n, "an Input needs its 'shape'");
        return;
      }
      std::vector<uint64_t> dims;
      for (double d : shape->values) {
        if (!(d >= 1 && d <= double(1u << 30) && d == std::floor(d))) {
          invalid(n, fmt::format("its shape has the dimension {}; each must be a whole number from 1 to 2^30", d));
          return;
        }
        dims.push_back(uint64_t(d));
      }
      if (dims.size() > 3 || nir_elements(dims) > (uint64_t(1) << 30)) {
        invalid(n, fmt::format("its shape {} has more than 3 axes or 2^30 elements", nir_shape_text(dims)));
        return;
      }
      add_population(n, nullptr, dims);
      return;
    }
    if (const NeuronSpec *spec = neuron_spec(n.type)) {
      std::vector<uint64_t> shape = {1};
      for (const ParamSpec &p : spec->params) {
        const NirArray *a = n.array(p.name);
        if (!a && p.required) {
          invalid(n, fmt::format("the parameter '{}' is missing", p.name));
          return;
        }
        if (a && a->elements() > nir_elements(shape))
          shape = a->shape.size() > 1 ? a->shape : std::vector<uint64_t>{a->elements()};
      }
      if (shape.size() > 3 || nir_elements(shape) > (uint64_t(1) << 30)) {
        invalid(n, fmt::format("its shape {} has more than 3 axes or 2^30 neurons", nir_shape_text(shape)));
        return;
      }
      add_population(n, spec, shape);
      return;
    }
    const char *why = "";
    std::string what = fmt::format("a '{}' node", n.type);
    if (n.type == "Threshold")
      why = " on its own: a threshold joins the integrator before it only in LIF, IF and CubaLIF nodes";
    else
      what = fmt::format("of the unknown type '{}'", n.type);
    diags_.report(DiagKind::nir_unsupported_node, at_, n.name, what, why);
  }

  void add_population(const NirNode &n, const NeuronSpec *spec, std::vector<uint64_t> shape) {
    std::string base;
    for (char c : n.name)
      base += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
    if (base.empty() || std::isdigit(static_cast<unsigned char>(base[0])))
      base = "n" + base;
    if (is_keyword(base))
      base += "_";
    std::string ident = base;
    for (int k = 2; taken_.count(ident); ++k)
      ident = base + "_" + std::to_string(k);
    taken_.insert(ident);
    index_[n.name] = pops_.size();
    pops_.push_back({&n, spec, ident, nir_elements(shape), shape});
  }

  /// Follows the edges from `node` through edge nodes to the populations
  /// (and Outputs) they reach.
  void walk(size_t from, const NirNode &node, std::vector<const NirNode *> through) {
    auto it = out_.find(node.name);
    if (it == out_.end())
      return;
    for (const std::string &to : it->second) {
      const NirNode *next = g_.find(to);
      if (next->type == "Output" && !next->boundary) {
        auto computes = std::find_if(through.begin(), through.end(), [](const NirNode *n) {
          return !n->boundary && n->type != "Flatten" && n->type != "Delay";
        });
        if (computes != through.end()) // an Output records a neuron node's values, not a weight node's
          invalid(**computes, fmt::format("its values reach the Output '{}' without passing a neuron node; snnc "
                                          "records neuron nodes only",
                                          to));
        continue;
      }
      auto pop = index_.find(to);
      if (pop != index_.end()) {
        const Pop &source = pops_[from];
        if (source.spec && !source.spec->spikes) {
          diags_.report(DiagKind::nir_non_spiking_source, at_, source.node->name, source.node->type, to,
                        source.node->type);
          return;
        }
        paths_.push_back({from, pop->second, through, false, std::nullopt});
        continue;
      }
      if (std::find(through.begin(), through.end(), next) != through.end()) {
        invalid(*next, "it lies on a cycle of edge nodes with no neuron node in it");
        return;
      }
      std::vector<const NirNode *> longer = through;
      longer.push_back(next);
      walk(from, *next, std::move(longer));
    }
  }

  /// Declaration order: each population after those that drive it without
  /// a delay (a depth-first search from the sources); an edge closing a
  /// cycle is recurrent and takes the previous step's spikes.
  void order() {
    std::vector<int> state(pops_.size(), 0); // 0 new, 1 on the stack, 2 done
    std::vector<size_t> post;
    std::function<void(size_t)> visit = [&](size_t p) {
      state[p] = 1;
      for (Path &path : paths_) {
        if (path.from != p)
          continue;
        if (state[path.to] == 1)
          path.recurrent = true;
        else if (state[path.to] == 0)
          visit(path.to);
      }
      state[p] = 2;
      post.push_back(p);
    };
    for (size_t p = 0; p < pops_.size(); ++p)
      if (!pops_[p].spec && state[p] == 0)
        visit(p);
    for (size_t p = 0; p < pops_.size(); ++p)
      if (state[p] == 0)
        visit(p);
    order_.assign(post.rbegin(), post.rend());
  }

  ast::ExprPtr number(double v, bool time) {
    if (time)
      return std::make_unique<ast::QuantityExpr>(v, "s", at_);
    return std::make_unique<ast::NumberExpr>(v, at_);
  }

  ast::ExprPtr load(const NirArray &a, const char *layout = nullptr) {
    std::vector<ast::Arg> args;
    args.push_back({std::nullopt, std::make_unique<ast::StringExpr>(path_, at_)});
    args.push_back({ast::Ident{"name", at_}, std::make_unique<ast::StringExpr>(a.dataset, at_)});
    if (layout)
      args.push_back({ast::Ident{"layout", at_}, std::make_unique<ast::StringExpr>(layout, at_)});
    return std::make_unique<ast::CallExpr>(ast::Ident{"load", at_}, std::move(args), at_);
  }

  ast::ExprPtr pair(uint32_t a, uint32_t b) {
    return std::make_unique<ast::ShapeExpr>(std::vector<uint32_t>{a, b}, at_);
  }

  /// The snnc shape of a NIR shape: [C, H, W] -> HxWxC, [C, N] -> 1xNxC.
  static std::vector<uint32_t> snnc_shape(const std::vector<uint64_t> &nir) {
    if (nir.size() == 3)
      return {uint32_t(nir[1]), uint32_t(nir[2]), uint32_t(nir[0])};
    if (nir.size() == 2)
      return {1, uint32_t(nir[1]), uint32_t(nir[0])};
    return {};
  }

  /// Checks a per-neuron array: finite, positive where `positive`, and of
  /// one element or shape [size]. Sets the population's argument, or
  /// (values differ between neurons) a network `init ... = load(...)`.
  void value(const Pop &p, const std::string &param, const NirArray &a, bool time, bool positive,
             ast::PopulationDecl &decl, ast::NetworkDecl &net) {
    for (size_t i = 0; i < a.values.size(); ++i) {
      double v = a.values[i];
      if (!std::isfinite(v) || (positive && v <= 0)) {
        invalid(*p.node, fmt::format("'{}' is {} at element {}; it must be {}", param, v, i,
                                     positive ? "a positive number" : "a finite number"));
        return;
      }
    }
    if (a.uniform() && !a.values.empty()) {
      decl.args.push_back({ast::Ident{param, at_}, number(a.values.front(), time)});
      return;
    }
    if (p.shape.size() > 1) {
      invalid(*p.node, fmt::format("'{}' differs between the neurons of a node of shape {}, which snnc numbers row, "
                                   "column, channel; it does not import such values yet",
                                   param, nir_shape_text(p.shape)));
      return;
    }
    if (a.shape.size() != 1 || a.shape[0] != p.size) {
      invalid(*p.node, fmt::format("'{}' has shape {}; values that differ between neurons must have shape [{}]", param,
                                   nir_shape_text(a.shape), p.size));
      return;
    }
    ast::InitDecl init;
    init.targets.push_back({ast::Ident{p.ident, at_}, ast::Ident{param, at_}});
    init.value = load(a);
    init.loc = at_;
    net.inits.push_back(std::move(init));
  }

  void population(const Pop &p, ast::NetworkDecl &net) {
    ast::PopulationDecl decl;
    decl.name = {p.ident, at_};
    decl.model = {p.spec ? p.spec->model : "SpikeSource", at_};
    std::vector<uint32_t> shape = snnc_shape(p.shape);
    if (shape.empty())
      decl.size = std::make_unique<ast::NumberExpr>(double(p.size), at_);
    else
      decl.size = std::make_unique<ast::ShapeExpr>(shape, at_);
    decl.size_loc = at_;
    if (p.spec) {
      for (const ParamSpec &s : p.spec->params) {
        const NirArray *a = p.node->array(s.name);
        if (!a)
          continue; // std.nir's default is NIR's
        if (a->elements() != 1 && a->elements() != p.size) {
          invalid(*p.node,
                  fmt::format("'{}' has {} elements, but the node has {} neurons", s.name, a->elements(), p.size));
          continue;
        }
        value(p, s.name, *a, s.time, s.time, decl, net);
      }
      if (p.bias)
        value(p, "bias", *p.bias, false, false, decl, net);
    }
    net.populations.push_back(std::move(decl));
  }

  /// Follows the edge nodes of `path` (NirConnection.h) and checks what
  /// reaches its target against the target's shape, which it fixes for a
  /// node whose parameters do not say (one value for all neurons).
  void prepare(Path &path) {
    Pop &pre = pops_[path.from], &post = pops_[path.to];
    const NirNode *bad = nullptr;
    std::string message;
    std::optional<NirConnection> c = trace_connection(path.nodes, pre.shape, bad, message);
    if (!c) {
      invalid(bad ? *bad : *post.node, message);
      return;
    }
    if (nir_elements(c->out_shape) != post.size) {
      invalid(*post.node, fmt::format("'{}' sends it values of shape {}, but it has {} neurons", pre.node->name,
                                      nir_shape_text(c->out_shape), post.size));
      return;
    }
    if (post.shape.size() == 1 && c->out_shape.size() > 1)
      post.shape = c->out_shape;
    else if (c->out_shape.size() > 1 && post.shape != c->out_shape) {
      invalid(*post.node, fmt::format("'{}' sends it values of shape {}, but it has shape {}", pre.node->name,
                                      nir_shape_text(c->out_shape), nir_shape_text(post.shape)));
      return;
    }
    if (c->bias) {
      if (c->kind == NirConnection::Kind::Conv && !c->bias->uniform()) {
        invalid(*c->op, "its bias differs between channels, which snnc does not import yet");
        return;
      }
      if (post.bias) {
        invalid(*c->op, fmt::format("'{}' already receives the bias of '{}'; snnc imports one bias per node",
                                    post.node->name, post.bias->dataset));
        return;
      }
      if (c->kind == NirConnection::Kind::Matrix && c->bias->elements() != post.size) {
        invalid(*c->op, fmt::format("'bias' has {} elements for {} outputs", c->bias->elements(), post.size));
        return;
      }
      post.bias = c->bias;
    }
    bool loaded = c->kind == NirConnection::Kind::Matrix || c->kind == NirConnection::Kind::Conv;
    if (loaded && c->scale != 1) { // the weights come from the file as they are
      invalid(*c->op, fmt::format("a Scale on the same connection as a {} is not imported yet",
                                  c->kind == NirConnection::Kind::Conv ? "convolution" : "weight matrix"));
      return;
    }
    path.connection = std::move(c);
  }

  void connect(const Path &path, ast::NetworkDecl &net) {
    if (!path.connection)
      return;
    const NirConnection &c = *path.connection;
    const Pop &pre = pops_[path.from], &post = pops_[path.to];
    ast::ConnectDecl d;
    d.pre = {pre.ident, at_};
    d.targets.push_back({ast::Ident{post.ident, at_}, std::nullopt});
    switch (c.kind) {
    case NirConnection::Kind::Identity:
      d.connectivity = ast::Ident{"one_to_one", at_};
      d.weight = number(c.scale, false);
      break;
    case NirConnection::Kind::Matrix:
      d.connectivity = ast::Ident{"dense", at_};
      d.weight = load(*c.op->array("weight"), c.channels_first ? "chw" : nullptr);
      break;
    case NirConnection::Kind::Conv:
    case NirConnection::Kind::Pool: {
      bool conv = c.kind == NirConnection::Kind::Conv;
      d.connectivity = ast::Ident{conv ? "conv2d" : "avg_pool2d", at_};
      d.connectivity_args.push_back({std::nullopt, pair(c.kernel_height, c.kernel_width)});
      d.connectivity_args.push_back({ast::Ident{"stride", at_}, pair(c.stride_y, c.stride_x)});
      d.connectivity_args.push_back({ast::Ident{"padding", at_}, pair(c.pad_y, c.pad_x)});
      d.weight = conv ? load(*c.op->array("weight"), "oihw") : number(c.scale, false);
      break;
    }
    }
    d.weight_loc = at_;
    // Within the step unless the edge closes a cycle (then the default, the
    // next step) or a Delay node says how long.
    if (c.delay > 0)
      d.delay = number(c.delay, true);
    else if (!path.recurrent)
      d.delay = std::make_unique<ast::NumberExpr>(0, at_);
    d.delay_loc = at_;
    d.loc = at_;
    net.connections.push_back(std::move(d));
  }

  const NirGraph &g_;
  std::string path_;
  const ast::FileImport &imp_;
  SourceLocation at_;
  diag::Diagnostics &diags_;
  std::vector<Pop> pops_;
  std::map<std::string, size_t> index_;
  std::set<std::string> taken_;
  std::map<std::string, std::vector<std::string>> out_;
  std::vector<Path> paths_;
  std::vector<size_t> order_;
};

} // namespace

std::optional<NirNetwork> import_nir(const NirGraph &graph, const std::string &path, const ast::FileImport &imp,
                                     const std::string &name, diag::Diagnostics &diags) {
  return Importer(graph, path, imp, diags).run(name);
}

} // namespace snn::frontend
