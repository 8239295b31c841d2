//===- frontend/NirConnection.cpp - The edge nodes between two NIR neuron nodes ===//
#include "frontend/NirConnection.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace snn::frontend {

std::string nir_shape_text(const std::vector<uint64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

uint64_t nir_elements(const std::vector<uint64_t> &shape) {
  uint64_t n = 1;
  for (uint64_t d : shape)
    n *= d;
  return n;
}

namespace {

/// What is wrong with a node of the path.
struct Fail {
  const NirNode *node;
  std::string message;
};

/// Whether the values of a shape [channels, ...positions] are numbered
/// differently by NIR (channel first) and snnc (channel last).
bool orders_differ(const std::vector<uint64_t> &shape) {
  return shape.size() >= 2 && shape[0] > 1 && nir_elements(shape) / shape[0] > 1;
}

/// A window, stride or padding: one whole number for both axes, or two
/// (rows, columns); `fallback` when absent and `optional`.
std::pair<uint32_t, uint32_t> pair_of(const NirNode &n, const char *key, uint32_t fallback, uint32_t min, bool optional,
                                      size_t axes = 2) {
  const NirArray *a = n.array(key);
  if (!a) {
    if (optional)
      return {fallback, fallback};
    throw Fail{&n, fmt::format("the parameter '{}' is missing", key)};
  }
  if (a->values.empty() || a->values.size() > axes)
    throw Fail{
        &n, fmt::format("'{}' must be {} whole number{}", key, axes == 1 ? "one" : "one or two", axes == 1 ? "" : "s")};
  for (double v : a->values)
    if (!(v >= min && v <= double(1u << 30) && v == std::floor(v)))
      throw Fail{&n, fmt::format("'{}' holds {}; each must be a whole number of at least {}", key, v, min)};
  return {uint32_t(a->values.front()), uint32_t(a->values.back())};
}

/// The uniform value of `key`, which must exist.
double uniform(const NirNode &n, const char *key) {
  const NirArray *a = n.array(key);
  if (!a || a->values.empty())
    throw Fail{&n, fmt::format("the parameter '{}' is missing", key)};
  if (!a->uniform())
    throw Fail{&n, fmt::format("its '{}' differs between elements, which snnc does not import yet", key)};
  if (!std::isfinite(a->values.front()))
    throw Fail{&n, fmt::format("'{}' is {}", key, a->values.front())};
  return a->values.front();
}

const NirArray *nonzero(const NirArray *a) {
  return a && std::any_of(a->values.begin(), a->values.end(), [](double v) { return v != 0; }) ? a : nullptr;
}

class Tracer {
public:
  Tracer(NirConnection &c, std::vector<uint64_t> in) : c_(c), in_(in), cur_(std::move(in)) {}

  void node(const NirNode &n) {
    const std::string &t = n.type;
    if (n.boundary)
      return;
    if (t == "Flatten") {
      cur_ = {nir_elements(cur_)};
      flattened_ = true;
      return;
    }
    if (t == "Scale") {
      c_.scale *= uniform(n, "scale");
      return;
    }
    if (t == "Delay") {
      double d = uniform(n, "delay");
      if (d < 0)
        throw Fail{&n, fmt::format("'delay' is {}", d)};
      c_.delay += d;
      return;
    }
    if (c_.kind != NirConnection::Kind::Identity)
      throw Fail{&n, fmt::format("it follows '{}' on the same connection; snnc imports one weight, convolution or "
                                 "pooling node per connection",
                                 c_.op->name)};
    c_.op = &n;
    if (t == "Affine" || t == "Linear")
      matrix(n);
    else if (t == "Conv2d" || t == "Conv1d")
      conv(n, t == "Conv1d");
    else if (t == "SumPool2d" || t == "AvgPool2d")
      pool(n, t == "AvgPool2d");
    else
      throw Fail{&n, "it is not an edge node"};
  }

  void finish() {
    if (c_.kind == NirConnection::Kind::Identity && flattened_ && orders_differ(in_))
      throw Fail{nullptr, fmt::format("values of shape {} reach it through a Flatten without a weight matrix; NIR "
                                      "numbers them channel first and snnc channel last, so snnc does not import "
                                      "this yet",
                                      nir_shape_text(in_))};
    c_.out_shape = cur_;
  }

private:
  void matrix(const NirNode &n) {
    const NirArray *w = n.array("weight");
    if (!w)
      throw Fail{&n, "the parameter 'weight' is missing"};
    if (cur_.size() != 1)
      throw Fail{&n, fmt::format("it receives values of shape {}, and acts on their last axis only; snnc imports "
                                 "weight matrices on flat inputs (put a Flatten before it)",
                                 nir_shape_text(cur_))};
    if (w->shape.size() != 2 || w->shape[1] != cur_[0])
      throw Fail{&n, fmt::format("'weight' has shape {}, but {} values reach it: expected [outputs, {}]",
                                 nir_shape_text(w->shape), cur_[0], cur_[0])};
    c_.kind = NirConnection::Kind::Matrix;
    c_.channels_first = orders_differ(in_);
    if (n.type == "Affine")
      c_.bias = nonzero(n.array("bias"));
    cur_ = {w->shape[0]};
  }

  /// Output positions along one axis, as PyTorch and snnc's window count them.
  static uint64_t positions(uint64_t in, uint32_t k, uint32_t stride, uint32_t pad) {
    uint64_t span = in + 2 * uint64_t(pad);
    return span < k ? 0 : (span - k) / stride + 1;
  }

  void window(const NirNode &n, uint32_t channels_out) {
    uint64_t h = positions(cur_[1], c_.kernel_height, c_.stride_y, c_.pad_y);
    uint64_t w = positions(cur_[2], c_.kernel_width, c_.stride_x, c_.pad_x);
    if (h == 0 || w == 0)
      throw Fail{&n, fmt::format("its window {}x{} does not fit its input of shape {}", c_.kernel_height,
                                 c_.kernel_width, nir_shape_text(cur_))};
    if (c_.pad_y >= c_.kernel_height || c_.pad_x >= c_.kernel_width)
      throw Fail{&n, "its padding is as large as its window, which snnc does not import"};
    bool one_d = cur_.size() == 3 && cur_[1] == 1 && conv1d_;
    cur_ = one_d ? std::vector<uint64_t>{channels_out, w} : std::vector<uint64_t>{channels_out, h, w};
  }

  void conv(const NirNode &n, bool one_d) {
    conv1d_ = one_d;
    size_t rank = one_d ? 2 : 3;
    if (cur_.size() != rank)
      throw Fail{&n, fmt::format("it receives values of shape {}; a {} needs [channels, {}]", nir_shape_text(cur_),
                                 n.type, one_d ? "length" : "rows, columns")};
    if (one_d)
      cur_ = {cur_[0], 1, cur_[1]};
    const NirArray *w = n.array("weight");
    if (!w || w->shape.size() != rank + 1 || w->shape[1] != cur_[0])
      throw Fail{&n, fmt::format("'weight' has shape {}; expected [out channels, {}, {}]",
                                 w ? nir_shape_text(w->shape) : "none", cur_[0], one_d ? "length" : "height, width")};
    for (const char *key : {"groups", "dilation"})
      if (const NirArray *a = n.array(key))
        for (double v : a->values)
          if (v != 1)
            throw Fail{&n, fmt::format("its '{}' is {}; snnc imports convolutions with {} 1", key, v, key)};
    c_.kind = NirConnection::Kind::Conv;
    c_.kernel_height = one_d ? 1 : uint32_t(w->shape[2]);
    c_.kernel_width = uint32_t(w->shape[rank]);
    auto stride = pair_of(n, "stride", 1, 1, true, one_d ? 1 : 2);
    c_.stride_y = one_d ? 1 : stride.first;
    c_.stride_x = stride.second;
    auto padding = n.strings.find("padding");
    if (padding != n.strings.end() && padding->second == "same") {
      if (c_.stride_y != 1 || c_.stride_x != 1 || c_.kernel_height % 2 == 0 || c_.kernel_width % 2 == 0)
        throw Fail{&n, "its \"same\" padding is imported for a stride of 1 and an odd kernel only"};
      c_.pad_y = (c_.kernel_height - 1) / 2;
      c_.pad_x = (c_.kernel_width - 1) / 2;
    } else if (padding == n.strings.end() || padding->second != "valid") {
      if (padding != n.strings.end())
        throw Fail{&n, fmt::format("its padding is '{}'; NIR's are \"same\", \"valid\" or numbers", padding->second)};
      auto pad = pair_of(n, "padding", 0, 0, true, one_d ? 1 : 2);
      c_.pad_y = one_d ? 0 : pad.first;
      c_.pad_x = pad.second;
    }
    c_.bias = nonzero(n.array("bias"));
    window(n, uint32_t(w->shape[0]));
  }

  void pool(const NirNode &n, bool average) {
    if (cur_.size() != 3)
      throw Fail{&n, fmt::format("it receives values of shape {}; a {} needs [channels, rows, columns]",
                                 nir_shape_text(cur_), n.type)};
    c_.kind = NirConnection::Kind::Pool;
    auto k = pair_of(n, "kernel_size", 1, 1, false);
    auto stride = pair_of(n, "stride", 1, 1, true);
    auto pad = pair_of(n, "padding", 0, 0, true);
    c_.kernel_height = k.first;
    c_.kernel_width = k.second;
    if (!n.array("stride")) {
      c_.stride_y = k.first;
      c_.stride_x = k.second;
    } else {
      c_.stride_y = stride.first;
      c_.stride_x = stride.second;
    }
    c_.pad_y = pad.first;
    c_.pad_x = pad.second;
    if (average) // PyTorch's default: padded zeros count
      c_.scale /= double(k.first) * k.second;
    window(n, uint32_t(cur_[0]));
  }

  NirConnection &c_;
  std::vector<uint64_t> in_, cur_;
  bool flattened_ = false, conv1d_ = false;
};

} // namespace

std::optional<NirConnection> trace_connection(const std::vector<const NirNode *> &nodes,
                                              const std::vector<uint64_t> &in, const NirNode *&bad,
                                              std::string &message) {
  NirConnection c;
  try {
    Tracer t(c, in);
    for (const NirNode *n : nodes)
      t.node(*n);
    t.finish();
  } catch (const Fail &f) {
    bad = f.node;
    message = f.message;
    return std::nullopt;
  }
  return c;
}

} // namespace snn::frontend
