//===- frontend/NirImport.cpp - A NIR graph as a network of std.nir models ===//
#include "frontend/NirImport.h"

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
  return n.boundary || n.type == "Affine" || n.type == "Linear" || n.type == "Scale" || n.type == "Flatten" ||
         n.type == "Delay";
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

std::string shape_text(const std::vector<uint64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
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
    for (Path &path : paths_)
      prepare(path);
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
    const NirArray *bias = nullptr; ///< of the Affine node on a path into it
  };
  struct Path {
    size_t from, to;
    std::vector<const NirNode *> nodes; ///< the edge nodes between them
    bool recurrent = false;
    bool ok = false;                 ///< prepare() accepted it
    const NirNode *matrix = nullptr; ///< its Affine or Linear node
    double scale = 1, delay = 0;     ///< of its Scale and Delay nodes
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
      uint64_t size = 1;
      for (double d : shape->values) {
        if (!(d >= 1 && d <= double(1u << 30) && d == std::floor(d))) {
          invalid(n, fmt::format("its shape has the dimension {}; each must be a whole number from 1 to 2^30", d));
          return;
        }
        size *= uint64_t(d);
      }
      add_population(n, nullptr, size);
      return;
    }
    if (const NeuronSpec *spec = neuron_spec(n.type)) {
      uint64_t size = 1;
      for (const ParamSpec &p : spec->params) {
        const NirArray *a = n.array(p.name);
        if (!a && p.required) {
          invalid(n, fmt::format("the parameter '{}' is missing", p.name));
          return;
        }
        if (a)
          size = std::max<uint64_t>(size, a->elements());
      }
      if (size > (uint64_t(1) << 30)) {
        invalid(n, fmt::format("{} neurons are more than 2^30", size));
        return;
      }
      add_population(n, spec, size);
      return;
    }
    const char *why = "";
    std::string what = fmt::format("a '{}' node", n.type);
    if (n.type == "Conv1d" || n.type == "Conv2d" || n.type == "SumPool2d" || n.type == "AvgPool2d")
      why = " yet";
    else if (n.type == "Threshold")
      why = " on its own: a threshold joins the integrator before it only in LIF, IF and CubaLIF nodes";
    else
      what = fmt::format("of the unknown type '{}'", n.type);
    diags_.report(DiagKind::nir_unsupported_node, at_, n.name, what, why);
  }

  void add_population(const NirNode &n, const NeuronSpec *spec, uint64_t size) {
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
    pops_.push_back({&n, spec, ident, size});
  }

  /// Follows the edges from `node` through edge nodes to the populations
  /// (and Outputs) they reach.
  void walk(size_t from, const NirNode &node, std::vector<const NirNode *> through) {
    auto it = out_.find(node.name);
    if (it == out_.end())
      return;
    for (const std::string &to : it->second) {
      const NirNode *next = g_.find(to);
      if (next->type == "Output" && !next->boundary)
        continue;
      auto pop = index_.find(to);
      if (pop != index_.end()) {
        const Pop &source = pops_[from];
        if (source.spec && !source.spec->spikes) {
          diags_.report(DiagKind::nir_non_spiking_source, at_, source.node->name, source.node->type, to,
                        source.node->type);
          return;
        }
        paths_.push_back({from, pop->second, through});
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

  ast::ExprPtr load(const NirArray &a) {
    std::vector<ast::Arg> args;
    args.push_back({std::nullopt, std::make_unique<ast::StringExpr>(path_, at_)});
    args.push_back({ast::Ident{"name", at_}, std::make_unique<ast::StringExpr>(a.dataset, at_)});
    return std::make_unique<ast::CallExpr>(ast::Ident{"load", at_}, std::move(args), at_);
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
    if (a.shape.size() != 1 || a.shape[0] != p.size) {
      invalid(*p.node, fmt::format("'{}' has shape {}; values that differ between neurons must have shape [{}]", param,
                                   shape_text(a.shape), p.size));
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
    decl.size = std::make_unique<ast::NumberExpr>(double(p.size), at_);
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

  /// Checks the edge nodes of `path` and gathers its weight matrix, scale,
  /// delay and its target's bias.
  void prepare(Path &path) {
    Pop &pre = pops_[path.from], &post = pops_[path.to];
    const NirNode *&matrix = path.matrix;
    double &scale = path.scale, &delay = path.delay;
    for (const NirNode *n : path.nodes) {
      if (n->type == "Affine" || n->type == "Linear") {
        if (matrix) {
          invalid(*n, fmt::format("it follows '{}' on the way from '{}' to '{}'; snnc imports one weight matrix "
                                  "per connection",
                                  matrix->name, pre.node->name, post.node->name));
          return;
        }
        matrix = n;
        const NirArray *w = n->array("weight");
        if (!w) {
          invalid(*n, "the parameter 'weight' is missing");
          return;
        }
        if (w->shape != std::vector<uint64_t>{post.size, pre.size}) {
          invalid(*n, fmt::format("'weight' has shape {}, but it connects '{}' ({} neurons) to '{}' ({}): "
                                  "expected [{}, {}]",
                                  shape_text(w->shape), pre.node->name, pre.size, post.node->name, post.size, post.size,
                                  pre.size));
          return;
        }
        if (const NirArray *b = n->array("bias");
            b && n->type == "Affine" &&
            std::any_of(b->values.begin(), b->values.end(), [](double v) { return v != 0; })) {
          if (post.bias) {
            invalid(*n, fmt::format("'{}' already receives the bias of '{}'; snnc imports one bias per node",
                                    post.node->name, post.bias->dataset));
            return;
          }
          post.bias = b;
        }
      } else if (n->type == "Scale" || n->type == "Delay") {
        const char *key = n->type == "Scale" ? "scale" : "delay";
        const NirArray *a = n->array(key);
        if (!a || a->values.empty()) {
          invalid(*n, fmt::format("the parameter '{}' is missing", key));
          return;
        }
        if (!a->uniform()) {
          invalid(*n, fmt::format("its '{}' differs between elements, which snnc does not import yet", key));
          return;
        }
        double v = a->values.front();
        if (!std::isfinite(v) || (n->type == "Delay" && v < 0)) {
          invalid(*n, fmt::format("'{}' is {}", key, v));
          return;
        }
        (n->type == "Scale" ? scale : delay) = n->type == "Scale" ? scale * v : delay + v;
      }
    }
    if (matrix && scale != 1) {
      invalid(*matrix, "a Scale on the same connection as a weight matrix is not imported yet");
      return;
    }
    if (!matrix && pre.size != post.size) {
      invalid(*post.node, fmt::format("'{}' ({} neurons) reaches it ({} neurons) without a weight matrix",
                                      pre.node->name, pre.size, post.size));
      return;
    }
    path.ok = true;
  }

  void connect(const Path &path, ast::NetworkDecl &net) {
    if (!path.ok)
      return;
    const Pop &pre = pops_[path.from], &post = pops_[path.to];
    const NirNode *matrix = path.matrix;
    ast::ConnectDecl c;
    c.pre = {pre.ident, at_};
    c.targets.push_back({ast::Ident{post.ident, at_}, std::nullopt});
    c.connectivity = ast::Ident{matrix ? "dense" : "one_to_one", at_};
    c.weight = matrix ? load(*matrix->array("weight")) : number(path.scale, false);
    c.weight_loc = at_;
    // Within the step unless the edge closes a cycle (then the default, the
    // next step) or a Delay node says how long.
    if (path.delay > 0)
      c.delay = number(path.delay, true);
    else if (!path.recurrent)
      c.delay = std::make_unique<ast::NumberExpr>(0, at_);
    c.delay_loc = at_;
    c.loc = at_;
    net.connections.push_back(std::move(c));
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
