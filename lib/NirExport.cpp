//===- lib/NirExport.cpp - A checked model as a NIR graph -----------------===//
#include "lib/NirExport.h"

#include "ir/Simplify.h"
#include "runtime/lib/NpzReader.h"
#include "runtime/lib/PretrainedWeights.h"
#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include <hdf5.h>

#include <cmath>
#include <cstdio>
#include <fmt/format.h>
#include <functional>
#include <map>
#include <set>

namespace snn {

using diag::DiagKind;

namespace {

/// Where a model was declared: its standard-library module, or "".
std::string stdlib_module(const ir::NeuronModel &m) {
  const std::string &file = m.loc.file;
  for (const char *module : {"std/nir.snn", "std/neurons.snn", "std/inputs.snn"}) {
    std::string suffix = std::string("/") + module;
    if (file.size() >= suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
      return module;
  }
  return "";
}

/// One dataset of a node: float64 values of a shape (int64 for `shape`).
struct Dataset {
  std::string key;
  std::vector<double> values;
  std::vector<uint64_t> shape;
  bool integer = false;
};

struct Node {
  std::string name, type;
  std::vector<Dataset> data;
};

/// Thrown with a diagnostic already reported.
struct Reported {};

class Exporter {
public:
  Exporter(const ir::Module &m, const std::string &weights_file, diag::Diagnostics &diags)
      : m_(m), weights_file_(weights_file), diags_(diags) {}

  /// Builds the graph; false after errors.
  bool build() {
    unsigned errors = diags_.error_count();
    for (const ir::Population &p : m_.network.populations)
      try {
        population(p);
      } catch (const Reported &) {
      }
    if (diags_.error_count() != errors)
      return false;
    classify_recurrent();
    for (size_t k = 0; k < m_.network.projections.size(); ++k)
      try {
        projection(k);
      } catch (const Reported &) {
      }
    if (diags_.error_count() != errors)
      return false;
    for (const ir::Population &p : m_.network.populations)
      try {
        attach_bias(p);
      } catch (const Reported &) {
      }
    outputs();
    return diags_.error_count() == errors;
  }

  const std::vector<Node> &nodes() const { return nodes_; }
  const std::vector<std::pair<std::string, std::string>> &edges() const { return edges_; }

private:
  [[noreturn]] void values_error(const ir::Population &p, const std::string &what, const std::string &why) {
    diags_.report(DiagKind::nir_export_values, p.loc, p.name + "." + what, why);
    throw Reported{};
  }

  /// The value of parameter `name` of `p`: its override, else its model's
  /// default, with the other parameters and dt substituted.
  double scalar(const ir::Population &p, const std::string &name, int depth = 0) {
    const ir::NeuronModel *model = m_.find_model(p.model);
    const ir::Parameter *param = model->find_param(name);
    if (!param || depth > 64)
      values_error(p, name, "it has no value");
    ir::Expr e = param->value;
    for (const auto &[n, v] : p.overrides)
      if (n == name)
        e = v;
    if (!e)
      values_error(p, name, "it has no value");
    ir::Expr resolved = ir::simplify(ir::substitute(e, [&](const ir::Variable &v) -> ir::Expr {
      if (v.var_kind == ir::VarKind::Param)
        return ir::Constant::make(scalar(p, v.name, depth + 1), v.dim);
      if (v.var_kind == ir::VarKind::Dt)
        return ir::Constant::make(m_.regime.dt, v.dim);
      return ir::Expr();
    }));
    const auto *c = resolved.as<ir::Constant>();
    if (!c)
      values_error(p, name, "its value is not a constant");
    return c->value;
  }

  /// Parameter `name` of each neuron of `p`: a loaded file's values, or
  /// the population's value for all.
  std::vector<double> values(const ir::Population &p, const std::string &name) {
    for (const ir::Assignment &a : p.inits)
      if (a.state == name)
        values_error(p, name, "it is drawn per neuron when the executable starts; NIR stores values");
    for (const ir::StateLoad &l : p.loads) {
      if (l.state != name)
        continue;
      try {
        std::string which = l.array.empty() ? "the array" : "array '" + l.array + "'";
        std::vector<double> v =
            rt::read_npy_array(l.file, l.array.empty() ? nullptr : l.array.c_str(), which).to_doubles();
        if (v.size() != p.size)
          values_error(p, name, fmt::format("'{}' holds {} values for {} neurons", l.file, v.size(), p.size));
        return v;
      } catch (const rt::Error &e) {
        values_error(p, name, fmt::format("'{}': {}", l.file, e.message()));
      }
    }
    return std::vector<double>(p.size, scalar(p, name));
  }

  /// NIR's shape of a population: [channels, rows, columns] for a shaped one.
  static std::vector<uint64_t> nir_shape(const ir::Population &p) {
    if (!p.shape.present())
      return {p.size};
    return {p.shape.channels, p.shape.height, p.shape.width};
  }

  /// Per-neuron values in NIR's order (channel first) from snnc's (row,
  /// column, channel).
  static std::vector<double> channels_first(const ir::Population &p, const std::vector<double> &v) {
    if (!p.shape.present())
      return v;
    uint64_t h = p.shape.height, w = p.shape.width, c = p.shape.channels;
    std::vector<double> out(v.size());
    for (uint64_t y = 0; y < h; ++y)
      for (uint64_t x = 0; x < w; ++x)
        for (uint64_t ch = 0; ch < c; ++ch)
          out[(ch * h + y) * w + x] = v[(y * w + x) * c + ch];
    return out;
  }

  void node(const std::string &name, const std::string &type, std::vector<Dataset> data) {
    nodes_.push_back({name, type, std::move(data)});
    taken_.insert(name);
  }

  std::string unique(const std::string &base) {
    std::string name = base;
    for (int k = 2; taken_.count(name) || populations_.count(name); ++k)
      name = base + "_" + std::to_string(k);
    return name;
  }

  void population(const ir::Population &p) {
    populations_.insert(p.name);
    const ir::NeuronModel *model = m_.find_model(p.model);
    std::string module = stdlib_module(*model);
    auto per_neuron = [&](const std::string &key, std::vector<double> v) {
      return Dataset{key, channels_first(p, v), nir_shape(p), false};
    };
    std::vector<Dataset> data;
    std::string type;
    if (module == "std/inputs.snn" && model->name == "SpikeSource") {
      std::vector<uint64_t> shape = nir_shape(p);
      node(p.name, "Input", {Dataset{"shape", std::vector<double>(shape.begin(), shape.end()), {shape.size()}, true}});
      return;
    }
    if (module == "std/nir.snn") {
      static const std::map<std::string, std::pair<std::string, std::vector<std::string>>> types = {
          {"NirLIF", {"LIF", {"tau", "r", "v_leak", "v_threshold", "v_reset"}}},
          {"NirLI", {"LI", {"tau", "r", "v_leak"}}},
          {"NirIF", {"IF", {"r", "v_threshold", "v_reset"}}},
          {"NirI", {"I", {"r"}}},
          {"NirCubaLIF", {"CubaLIF", {"tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"}}},
          {"NirCubaLI", {"CubaLI", {"tau_syn", "tau_mem", "r", "v_leak", "w_in"}}},
      };
      auto it = types.find(model->name);
      if (it != types.end()) {
        type = it->second.first;
        for (const std::string &key : it->second.second)
          data.push_back(per_neuron(key, values(p, key)));
      }
    } else if (module == "std/neurons.snn" && model->name == "LIF") {
      // dv/dt = (v_rest - v + i_offset) / tau_mem + i, and a spike of weight
      // w moves v by w: NIR's LIF with v_leak = v_rest + i_offset and
      // r = tau / dt (NIR's impulse moves v by r w dt / tau).
      for (double t : values(p, "t_ref"))
        if (t != 0)
          values_error(p, "t_ref", "NIR's LIF has no refractory period");
      std::vector<double> tau = values(p, "tau_mem"), rest = values(p, "v_rest"), offset = values(p, "i_offset"), r;
      for (size_t i = 0; i < tau.size(); ++i) {
        r.push_back(tau[i] / m_.regime.dt);
        rest[i] += offset[i];
      }
      type = "LIF";
      data = {per_neuron("tau", tau), per_neuron("r", r), per_neuron("v_leak", rest),
              per_neuron("v_threshold", values(p, "v_th")), per_neuron("v_reset", values(p, "v_reset"))};
    } else if (module == "std/neurons.snn" && (model->name == "LeakyIntegrator" || model->name == "Readout")) {
      std::vector<double> tau = values(p, "tau_mem"), r;
      for (double t : tau)
        r.push_back(t / m_.regime.dt);
      type = "LI";
      data = {per_neuron("tau", tau), per_neuron("r", r), per_neuron("v_leak", std::vector<double>(p.size, 0.0))};
    }
    if (type.empty()) {
      diags_.report(DiagKind::nir_export_model, p.loc, p.name, model->name,
                    module.empty() ? "" : fmt::format(" (from {})", module));
      throw Reported{};
    }
    node(p.name, type, std::move(data));
  }

  /// Marks the projections that close a cycle, as import reads them: a
  /// depth-first search from the spike sources over the projections.
  void classify_recurrent() {
    const auto &pops = m_.network.populations;
    const auto &prs = m_.network.projections;
    recurrent_.assign(prs.size(), false);
    std::vector<int> state(pops.size(), 0);
    std::function<void(size_t)> visit = [&](size_t p) {
      state[p] = 1;
      for (size_t k = 0; k < prs.size(); ++k) {
        if (prs[k].pre != pops[p].name)
          continue;
        size_t q = size_t(m_.network.population_index(prs[k].post));
        if (state[q] == 1)
          recurrent_[k] = true;
        else if (state[q] == 0)
          visit(q);
      }
      state[p] = 2;
    };
    for (size_t p = 0; p < pops.size(); ++p)
      if (nodes_by_name(pops[p].name) == "Input" && state[p] == 0)
        visit(p);
    for (size_t p = 0; p < pops.size(); ++p)
      if (state[p] == 0)
        visit(p);
  }

  std::string nodes_by_name(const std::string &name) const {
    for (const Node &n : nodes_)
      if (n.name == name)
        return n.type;
    return "";
  }

  [[noreturn]] void projection_error(const ir::Projection &pr, const std::string &why) {
    diags_.report(DiagKind::nir_export_projection, pr.loc, pr.pre, pr.post, why);
    throw Reported{};
  }

  /// The dense [post, pre] weights of `pr`, or nullopt for a one_to_one
  /// projection of one constant weight (`scale`).
  std::optional<std::vector<double>> weights(const ir::Projection &pr, uint64_t n_pre, uint64_t n_post, double &scale) {
    auto read = [&](const std::string &file, const char *array) {
      try {
        rt::NpyArray a = rt::read_npy_array(file, array, array ? fmt::format("array '{}'", array) : "the array");
        if (a.shape != std::vector<uint64_t>{n_post, n_pre})
          projection_error(
              pr, fmt::format("'{}' holds weights of {} values, not [{}, {}]", file, a.elements(), n_post, n_pre));
        return a.to_doubles();
      } catch (const rt::Error &e) {
        projection_error(pr, fmt::format("'{}': {}", file, e.message()));
      }
    };
    std::string trained = pr.pre + "->" + pr.post;
    weights_file_used_ = !weights_file_.empty() && weights_in_file().count(trained);
    if (weights_file_used_)
      return read(weights_file_, trained.c_str());
    if (!pr.weight_origin.file.empty())
      return read(pr.weight_origin.file, pr.weight_origin.array.empty() ? nullptr : pr.weight_origin.array.c_str());
    if (pr.weight.dist != ir::WeightDistribution::Constant)
      projection_error(pr, weights_file_.empty()
                               ? "its weights are drawn when the executable starts; give the file --weights-out "
                                 "wrote with --weights FILE"
                               : fmt::format("its weights are drawn when the executable starts, and '{}' has no "
                                             "array '{}'",
                                             weights_file_, trained));
    if (pr.connectivity == ir::ConnectivityKind::OneToOne) {
      scale = pr.weight.a;
      return std::nullopt;
    }
    if (pr.connectivity != ir::ConnectivityKind::Dense)
      projection_error(pr, "its synapses are drawn when the executable starts; give the file --weights-out wrote "
                           "with --weights FILE");
    return std::vector<double>(n_pre * n_post, pr.weight.a);
  }

  /// A [post, pre] matrix with snnc's pre numbering, its columns put in
  /// NIR's (channel first).
  static std::vector<double> columns_channels_first(const ir::Population &pre, const std::vector<double> &w,
                                                    uint64_t num_post) {
    std::vector<double> out(w.size());
    for (uint64_t post = 0; post < num_post; ++post) {
      std::vector<double> row(w.begin() + post * pre.size, w.begin() + (post + 1) * pre.size);
      std::vector<double> moved = channels_first(pre, row);
      std::copy(moved.begin(), moved.end(), out.begin() + post * pre.size);
    }
    return out;
  }

  /// A Conv2d node's datasets: the kernel in NIR's [out, in, height, width]
  /// order from the projection's kernel file, its window, no bias.
  std::vector<Dataset> convolution(const ir::Projection &pr, const ir::Population &pre, const ir::Population &post) {
    const ir::Window &win = pr.window;
    uint64_t kh = win.height, kw = win.width, ci = pre.shape.channels, co = post.shape.channels;
    if (pr.weight_origin.file.empty())
      projection_error(pr, "its kernel is drawn when the executable starts; NIR stores values (load it from a file)");
    bool oihw = pr.weight_origin.layout == ir::WeightLayout::Oihw;
    std::vector<double> k;
    try {
      const char *array = pr.weight_origin.array.empty() ? nullptr : pr.weight_origin.array.c_str();
      rt::NpyArray a = rt::read_npy_array(pr.weight_origin.file, array, array ? array : "the kernel");
      k = a.to_doubles();
      if (k.size() != kh * kw * ci * co)
        projection_error(pr, fmt::format("'{}' holds {} values for a {}x{} kernel from {} to {} channels",
                                         pr.weight_origin.file, k.size(), kh, kw, ci, co));
    } catch (const rt::Error &e) {
      projection_error(pr, fmt::format("'{}': {}", pr.weight_origin.file, e.message()));
    }
    std::vector<double> w(k.size());
    if (oihw)
      w = k;
    else
      for (uint64_t o = 0; o < co; ++o)
        for (uint64_t i = 0; i < ci; ++i)
          for (uint64_t y = 0; y < kh; ++y)
            for (uint64_t x = 0; x < kw; ++x)
              w[((o * ci + i) * kh + y) * kw + x] = k[((y * kw + x) * ci + i) * co + o];
    auto pair = [](uint32_t a, uint32_t b) { return std::vector<double>{double(a), double(b)}; };
    return {Dataset{"weight", std::move(w), {co, ci, kh, kw}, false},
            Dataset{"bias", std::vector<double>(co, 0.0), {co}, false},
            Dataset{"stride", pair(win.stride_y, win.stride_x), {2}, true},
            Dataset{"padding", pair(win.pad_y, win.pad_x), {2}, true},
            Dataset{"dilation", pair(1, 1), {2}, true},
            Dataset{"groups", {1}, {}, true},
            Dataset{"input_shape", pair(pre.shape.height, pre.shape.width), {2}, true}};
  }

  /// The arrays of the --weights file (read once).
  const std::set<std::string> &weights_in_file() {
    if (!weights_listed_) {
      weights_listed_ = true;
      try {
        for (const std::string &name : rt::NpzArchive(weights_file_).names())
          in_file_.insert(name);
      } catch (const rt::Error &e) {
        diags_.report(DiagKind::nir_weights_file, m_.network.loc, weights_file_, e.message());
        throw Reported{};
      }
    }
    return in_file_;
  }

  void projection(size_t k) {
    const ir::Projection &pr = m_.network.projections[k];
    const ir::Population &pre = m_.network.populations[size_t(m_.network.population_index(pr.pre))];
    const ir::Population &post = m_.network.populations[size_t(m_.network.population_index(pr.post))];
    if (!pr.synapse.empty())
      projection_error(pr, fmt::format("it has the synapse model '{}'; NIR's edges are delta synapses", pr.synapse));
    if (pr.target_kind != ir::TargetKind::Input)
      projection_error(pr, fmt::format("it adds to the state '{}'; NIR's nodes take one input", pr.target));
    if (pr.delay_range)
      projection_error(pr, "its delays differ between synapses; NIR's Delay node delays each element");
    std::string base = unique(pr.pre + "_" + pr.post), first = base;
    std::vector<uint64_t> post_shape = nir_shape(post);
    if (pr.connectivity == ir::ConnectivityKind::Conv2D) {
      node(base, "Conv2d", convolution(pr, pre, post));
    } else if (pr.connectivity == ir::ConnectivityKind::AvgPool2D) {
      if (pr.weight.dist != ir::WeightDistribution::Constant || !pr.weight_origin.file.empty())
        projection_error(pr, "its pooling weights are drawn or loaded; NIR pools with one weight");
      const ir::Window &win = pr.window;
      double area = double(win.height) * win.width;
      bool average = std::fabs(pr.weight.a * area - 1) < 1e-12;
      auto pair = [](uint32_t a, uint32_t b) { return std::vector<double>{double(a), double(b)}; };
      node(base, average ? "AvgPool2d" : "SumPool2d",
           {Dataset{"kernel_size", pair(win.height, win.width), {2}, true},
            Dataset{"stride", pair(win.stride_y, win.stride_x), {2}, true},
            Dataset{"padding", pair(win.pad_y, win.pad_x), {2}, true}});
      if (!average && pr.weight.a != 1) {
        std::string s = unique(base + "_scale");
        node(s, "Scale", {Dataset{"scale", std::vector<double>(post.size, pr.weight.a), post_shape, false}});
        edges_.emplace_back(base, s);
        base = s;
      }
    } else {
      double scale = 1;
      std::optional<std::vector<double>> w = weights(pr, pre.size, post.size, scale);
      if (w && post.shape.present())
        projection_error(pr, fmt::format("it maps {} values onto the shaped population '{}', and NIR has no node "
                                         "that gives a matrix's outputs a shape",
                                         pre.size, post.name));
      if (w && pre.shape.present()) {
        // NIR flattens channel first: a Flatten node, then the matrix with
        // its columns in that order.
        std::string flat = base + "_flatten";
        base = unique(base);
        std::vector<uint64_t> in = nir_shape(pre);
        node(unique(flat), "Flatten",
             {Dataset{"input_type", std::vector<double>(in.begin(), in.end()), {3}, true},
              Dataset{"start_dim", {0}, {}, true}, Dataset{"end_dim", {-1}, {}, true}});
        first = nodes_.back().name;
        if (pr.weight_origin.layout != ir::WeightLayout::Chw || weights_file_used_)
          *w = columns_channels_first(pre, *w, post.size);
      }
      if (w)
        node(base, "Linear", {Dataset{"weight", std::move(*w), {post.size, pre.size}, false}});
      else
        node(base, "Scale", {Dataset{"scale", std::vector<double>(post.size, scale), post_shape, false}});
      if (first != base)
        edges_.emplace_back(first, base);
    }
    incoming_[post.name].push_back(nodes_.size() - 1);
    edges_.emplace_back(pre.name, first);
    std::string last = base;
    uint32_t implicit = recurrent_[k] ? 1 : 0;
    if (pr.delay_steps != implicit) {
      if (recurrent_[k] && pr.delay_steps == 0)
        projection_error(pr, "it closes a cycle without a delay");
      std::string d = unique(base + "_delay");
      node(d, "Delay",
           {Dataset{"delay", std::vector<double>(post.size, pr.delay_steps * m_.regime.dt), post_shape, false}});
      edges_.emplace_back(base, d);
      last = d;
    }
    edges_.emplace_back(last, post.name);
  }

  /// A population's nonzero `bias` goes to the first Linear node into it,
  /// which becomes an Affine node.
  void attach_bias(const ir::Population &p) {
    const ir::NeuronModel *model = m_.find_model(p.model);
    if (stdlib_module(*model) != "std/nir.snn" || !model->find_param("bias"))
      return;
    std::vector<double> b = values(p, "bias");
    if (std::all_of(b.begin(), b.end(), [](double v) { return v == 0; }))
      return;
    for (size_t index : incoming_[p.name]) {
      Node &n = nodes_[index];
      if (n.type == "Linear") {
        n.type = "Affine";
        n.data.push_back(Dataset{"bias", std::move(b), {p.size}, false});
        return;
      }
      bool uniform = std::all_of(b.begin(), b.end(), [&](double v) { return v == b.front(); });
      if (n.type == "Conv2d" && uniform) // one bias per output channel
        for (Dataset &d : n.data)
          if (d.key == "bias") {
            std::fill(d.values.begin(), d.values.end(), b.front());
            return;
          }
    }
    values_error(p, "bias", "NIR carries a bias on an Affine node, and no projection with weights reaches it");
  }

  /// An Output node for each population that no projection leaves.
  void outputs() {
    std::vector<const ir::Population *> sinks;
    for (const ir::Population &p : m_.network.populations) {
      bool leaves = false;
      for (const ir::Projection &pr : m_.network.projections)
        leaves = leaves || pr.pre == p.name;
      if (!leaves && nodes_by_name(p.name) != "Input")
        sinks.push_back(&p);
    }
    for (const ir::Population *p : sinks) {
      std::string name = unique(sinks.size() == 1 ? "output" : p->name + "_output");
      node(name, "Output", {Dataset{"shape", {double(p->size)}, {1}, true}});
      edges_.emplace_back(p->name, name);
    }
  }

  const ir::Module &m_;
  std::string weights_file_;
  diag::Diagnostics &diags_;
  std::vector<Node> nodes_;
  std::vector<std::pair<std::string, std::string>> edges_;
  std::set<std::string> taken_, populations_;
  std::vector<bool> recurrent_;
  std::map<std::string, std::vector<size_t>> incoming_; ///< population -> indices of its edge nodes
  bool weights_listed_ = false;
  bool weights_file_used_ = false; ///< the last weights() came from --weights (snnc's numbering)
  std::set<std::string> in_file_;
};

/// An HDF5 identifier closed when it goes out of scope.
class Id {
public:
  Id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Id() {
    if (id_ >= 0)
      close_(id_);
  }
  Id(const Id &) = delete;
  Id &operator=(const Id &) = delete;
  hid_t get() const { return id_; }

private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// Writes NIR's HDF5 layout; every call reports failure by its result.
class Hdf5Writer {
public:
  explicit Hdf5Writer(hid_t file) : file_(file) {}

  bool text(hid_t parent, const std::string &key, const std::vector<std::string> &values,
            const std::vector<hsize_t> &shape) {
    Id type(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(type.get(), H5T_VARIABLE);
    H5Tset_cset(type.get(), H5T_CSET_UTF8);
    Id space(shape.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(shape.size()), shape.data(), nullptr),
             H5Sclose);
    Id set(H5Dcreate2(parent, key.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    std::vector<const char *> pointers;
    for (const std::string &v : values)
      pointers.push_back(v.c_str());
    return set.get() >= 0 &&
           (pointers.empty() || H5Dwrite(set.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) >= 0);
  }

  bool numbers(hid_t parent, const Dataset &d) {
    std::vector<hsize_t> shape(d.shape.begin(), d.shape.end());
    Id space(shape.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(int(shape.size()), shape.data(), nullptr),
             H5Sclose);
    hid_t file_type = d.integer ? H5T_STD_I64LE : H5T_IEEE_F64LE;
    Id set(H5Dcreate2(parent, d.key.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose);
    if (set.get() < 0)
      return false;
    if (d.values.empty())
      return true;
    if (d.integer) {
      std::vector<int64_t> ints(d.values.begin(), d.values.end());
      return H5Dwrite(set.get(), H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, ints.data()) >= 0;
    }
    return H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.values.data()) >= 0;
  }

  bool graph(const std::vector<Node> &nodes, const std::vector<std::pair<std::string, std::string>> &edges) {
    if (!text(file_, "version", {"1.0.6"}, {}))
      return false;
    Id root(H5Gcreate2(file_, "node", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    Id all(H5Gcreate2(root.get(), "nodes", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
    if (root.get() < 0 || all.get() < 0 || !text(root.get(), "type", {"NIRGraph"}, {}))
      return false;
    for (const Node &n : nodes) {
      Id group(H5Gcreate2(all.get(), n.name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose);
      if (group.get() < 0 || !text(group.get(), "type", {n.type}, {}))
        return false;
      for (const Dataset &d : n.data)
        if (!numbers(group.get(), d))
          return false;
    }
    std::vector<std::string> names;
    for (const auto &[from, to] : edges) {
      names.push_back(from);
      names.push_back(to);
    }
    return text(root.get(), "edges", names, {hsize_t(edges.size()), 2});
  }

private:
  hid_t file_;
};

} // namespace

bool write_nir(const ir::Module &module, const std::string &path, const std::string &weights_file,
               diag::Diagnostics &diags) {
  Exporter exporter(module, weights_file, diags);
  if (!exporter.build())
    return false;
  OutputPlan plan = plan_output(path);
  if (plan.temporary.empty()) {
    diags.report(DiagKind::nir_write_failed, module.network.loc, path, "it is not a regular file");
    return false;
  }
  TemporaryFile marked(plan.temporary);
  H5E_auto2_t printer = nullptr;
  void *printer_data = nullptr;
  H5Eget_auto2(H5E_DEFAULT, &printer, &printer_data);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  bool ok;
  {
    Id file(H5Fcreate(plan.temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
    ok = file.get() >= 0 && Hdf5Writer(file.get()).graph(exporter.nodes(), exporter.edges());
  }
  H5Eset_auto2(H5E_DEFAULT, printer, printer_data);
  if (!ok || std::rename(plan.temporary.c_str(), plan.target.c_str()) != 0) {
    std::remove(plan.temporary.c_str());
    diags.report(DiagKind::nir_write_failed, module.network.loc, path,
                 ok ? "cannot rename the temporary file over it" : "HDF5 could not create or write it");
    return false;
  }
  marked.release();
  return true;
}

} // namespace snn
