//===- PretrainedWeights.cpp - `weight load(...)` at run time -------------===//

#include "PretrainedWeights.h"
#include "Hdf5File.h"

#include "ModelDescription.h"
#include "Npz.h"
#include "NpzReader.h"
#include "QuotedText.h"
#include "WindowConnectivity.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <fmt/format.h>

namespace snn::rt {
namespace {

bool starts_with(const std::string &data, std::string_view prefix) {
  return data.size() >= prefix.size() && std::string_view(data).substr(0, prefix.size()) == prefix;
}

/// Levenshtein distance of `a` and `b`.
std::size_t edit_distance(const std::string &a, const std::string &b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

} // namespace

namespace {

/// The values of a weight file in the layout the runtime uses: a kernel in
/// HWIO order, a matrix [post, pre] with snnc's pre numbering.
std::vector<double> to_default_layout(const snn_projection_desc &desc, const snn_window_desc *kernel,
                                      std::vector<double> values, uint64_t num_post, uint64_t num_pre) {
  std::vector<double> out(values.size());
  if (kernel && desc.weight_layout == SNN_LAYOUT_OIHW) {
    uint64_t kh = kernel->kernel_height, kw = kernel->kernel_width, ci = kernel->pre_channels,
             co = kernel->post_channels;
    for (uint64_t o = 0; o < co; ++o)
      for (uint64_t i = 0; i < ci; ++i)
        for (uint64_t y = 0; y < kh; ++y)
          for (uint64_t x = 0; x < kw; ++x)
            out[((y * kw + x) * ci + i) * co + o] = values[((o * ci + i) * kh + y) * kw + x];
    return out;
  }
  if (!kernel && desc.weight_layout == SNN_LAYOUT_CHW) {
    uint64_t h = desc.pre_height, w = desc.pre_width, c = desc.pre_channels;
    for (uint64_t post = 0; post < num_post; ++post)
      for (uint64_t ch = 0; ch < c; ++ch)
        for (uint64_t y = 0; y < h; ++y)
          for (uint64_t x = 0; x < w; ++x)
            out[post * num_pre + (y * w + x) * c + ch] = values[post * num_pre + (ch * h + y) * w + x];
    return out;
  }
  return values;
}

} // namespace

NpyArray read_npy_array(const std::string &path, const char *array_name, const std::string &which) {
  if (is_hdf5_path(path)) { // the compiler requires a dataset name for these
    if (!array_name)
      throw Error("an HDF5 file needs the dataset's name (load(\"file.h5\", name: \"group/dataset\"))");
    QuietHdf5 quiet;
    return Hdf5File(path).read_array(array_name);
  }
  std::string data = read_file_bytes(path);
  if (!array_name) {
    if (!starts_with(data, "\x93NUMPY"))
      throw Error("the file is not an .npy file (it does not start with \\x93NUMPY)");
    return parse_npy(data, path);
  }
  if (!starts_with(data, "PK"))
    throw Error("the file is not an .npz archive (a zip file)");
  NpzArchive archive(path);
  if (archive.contains(array_name))
    return archive.array(array_name);
  std::vector<std::string> names = archive.names();
  std::string list;
  for (const std::string &name : names)
    list += (list.empty() ? "'" : ", '") + quoted_text(name) + "'";
  std::string message = "the file has no " + which + " (its arrays: " + (list.empty() ? "none" : list) + ")";
  std::string close = closest_array_name(array_name, names);
  if (!close.empty())
    message += "; did you mean '" + quoted_text(close) + "'?";
  throw Error(message);
}

std::string closest_array_name(const std::string &name, const std::vector<std::string> &candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, std::min<std::size_t>(3, name.size() / 3 + 1)) + 1;
  for (const std::string &candidate : candidates) {
    std::size_t d = edit_distance(name, candidate);
    if (d < best_distance && d < std::max(name.size(), candidate.size())) {
      best = candidate;
      best_distance = d;
    }
  }
  return best;
}

void load_pretrained_weights(const snn_model_desc &model, uint32_t projection, const SynapseView &synapses,
                             void *weights) {
  const snn_projection_desc &desc = model.projections[projection];
  if (!desc.weight_file)
    throw Error::internal("projection " + std::to_string(projection) + " has no weight file");
  std::string path = desc.weight_file;
  std::string which = desc.weight_array ? "array '" + quoted_text(desc.weight_array) + "'" : std::string("the array");
  std::string context = "cannot load the weights of projection '" + std::string(desc.name) + "': ";
  try {
    NpyArray array = read_npy_array(path, desc.weight_array, which);
    uint64_t num_post = model.populations[desc.post].size, num_pre = model.populations[desc.pre].size;
    if (array.type != NpyType::F64 && array.type != NpyType::F32)
      throw Error(which + " has dtype " + array.type_name() + "; weights must be float64 or float32");
    // A conv2d projection's file holds its kernel (Keras's HWIO layout, or
    // PyTorch's OIHW).
    const snn_window_desc *kernel = desc.connectivity == SNN_CONNECT_CONV2D ? desc.window : nullptr;
    bool oihw = kernel && desc.weight_layout == SNN_LAYOUT_OIHW;
    std::vector<uint64_t> expected = {num_post, num_pre};
    if (kernel)
      expected = {kernel->kernel_height, kernel->kernel_width, kernel->pre_channels, kernel->post_channels};
    if (oihw)
      expected = {kernel->post_channels, kernel->pre_channels, kernel->kernel_height, kernel->kernel_width};
    if (oihw && kernel->kernel_height == 1 && array.shape.size() == 3) // a Conv1d's [out, in, length]
      array.shape.insert(array.shape.begin() + 2, 1);
    if (array.shape != expected)
      throw Error(which + " has shape " + shape_text(array.shape) + ", expected " +
                  (oihw     ? "[out channels, in channels, kernel height, kernel width] = "
                   : kernel ? "[kernel height, kernel width, in channels, out channels] = "
                            : "[n_post, n_pre] = ") +
                  shape_text(expected));
    std::vector<double> values = array.to_doubles();
    auto element = [&](uint64_t i) {
      if (oihw) {
        uint64_t kx = i % kernel->kernel_width, ky = i / kernel->kernel_width % kernel->kernel_height;
        uint64_t ci = i / (uint64_t(kernel->kernel_width) * kernel->kernel_height) % kernel->pre_channels;
        uint64_t co = i / (uint64_t(kernel->kernel_width) * kernel->kernel_height * kernel->pre_channels);
        return which + ": element [" + std::to_string(co) + ", " + std::to_string(ci) + ", " + std::to_string(ky) +
               ", " + std::to_string(kx) + "]";
      }
      if (kernel) {
        uint64_t co = i % kernel->post_channels, ci = i / kernel->post_channels % kernel->pre_channels;
        uint64_t kx = i / (uint64_t(kernel->post_channels) * kernel->pre_channels) % kernel->kernel_width;
        uint64_t ky = i / (uint64_t(kernel->post_channels) * kernel->pre_channels * kernel->kernel_width);
        return which + ": element [" + std::to_string(ky) + ", " + std::to_string(kx) + ", " + std::to_string(ci) +
               ", " + std::to_string(co) + "]";
      }
      return which + ": element [" + std::to_string(i / num_pre) + ", " + std::to_string(i % num_pre) + "]";
    };
    for (uint64_t i = 0; i < values.size(); ++i)
      if (!std::isfinite(values[i]))
        throw Error(fmt::format("{} is {:g}, not a finite number", element(i), values[i]));
      else if (model.real_size == 4 && std::fabs(values[i]) > double(FLT_MAX))
        throw Error(fmt::format("{} is {:g}, beyond float32, the model's real type", element(i), values[i]));
    values = to_default_layout(desc, kernel, std::move(values), num_post, num_pre);
    uint32_t type = model.buffers[desc.weight].type;
    if (kernel) { // every entry is used by some output position, or by none, harmlessly
      for (uint32_t pre = 0; pre < synapses.num_pre; ++pre)
        for (uint32_t s = synapses.row_start[pre]; s < synapses.row_start[pre + 1]; ++s)
          store_element(weights, type, s, values[kernel_entry(*kernel, pre, synapses.post(pre, s))]);
      return;
    }
    std::vector<bool> synapse(values.size(), false);
    for (uint32_t pre = 0; pre < synapses.num_pre; ++pre)
      for (uint32_t s = synapses.row_start[pre]; s < synapses.row_start[pre + 1]; ++s)
        synapse[uint64_t(synapses.post(pre, s)) * num_pre + pre] = true;
    for (uint64_t i = 0; i < values.size(); ++i)
      if (values[i] != 0 && !synapse[i])
        throw Error(fmt::format("{} is {:g} but the projection has no synapse from {} to {} (it must be 0)", element(i),
                                values[i], i % num_pre, i / num_pre));
    for (uint32_t pre = 0; pre < synapses.num_pre; ++pre)
      for (uint32_t s = synapses.row_start[pre]; s < synapses.row_start[pre + 1]; ++s)
        store_element(weights, type, s, values[uint64_t(synapses.post(pre, s)) * num_pre + pre]);
  } catch (const Error &e) {
    if (e.kind() != Error::Kind::User)
      throw;
    throw Error(path, context + e.message());
  }
}

} // namespace snn::rt
