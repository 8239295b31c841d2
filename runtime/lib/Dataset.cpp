//===- Dataset.cpp - Labelled training and test data ----------------------===//

#include "Dataset.h"
#include "Hdf5File.h"
#include "OutOfMemory.h"

#include "QuotedText.h"

#include "NpzReader.h"

#include "snn/runtime.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>
#include <new>
#include <stdexcept>
#include <utility>

namespace snn::rt {
namespace {

bool ends_with(const std::string &text, const std::string &suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shown(std::string_view text) { return quoted_text(text); }

/// The label `value` of example `example` as an index below `classes`, or
/// the message saying why it is not one (empty when it is).
std::string label_problem(double value, uint32_t classes) {
  if (!std::isfinite(value) || value != std::floor(value))
    return fmt::format("label {} is not an integer", value);
  if (value < 0 || value >= double(classes))
    return fmt::format("label {} is out of range: expected 0..{}-1 ({} classes)", value, classes, classes);
  return {};
}

void check_classes(const std::string &path, uint32_t classes) {
  if (classes == 0)
    throw Error(path, "the class count must be at least 1");
}

/// Labels read from an array: 1-D, `examples` long, integer values below
/// `classes`.
std::vector<uint32_t> labels_of(const NpyArray &array, uint64_t examples, uint32_t classes, const std::string &path,
                                const std::string &name) {
  if (array.shape.size() != 1 || array.shape[0] != examples)
    throw Error(path,
                "array '" + name + "' must have shape (" + std::to_string(examples) + ",), one label per example");
  std::vector<double> values = array.to_doubles();
  std::vector<uint32_t> labels(values.size());
  for (std::size_t e = 0; e < values.size(); ++e) {
    std::string problem = label_problem(values[e], classes);
    if (!problem.empty())
      throw Error(path, "example " + std::to_string(e) + ": " + problem);
    labels[e] = uint32_t(values[e]);
  }
  return labels;
}

/// Features from a 2-D array, every value finite.
void features_of(const NpyArray &array, DenseDataset &data, const std::string &path, const std::string &name) {
  if (array.shape.size() != 2 || array.shape[1] == 0 || array.shape[1] > UINT32_MAX)
    throw Error(path, "array '" + name + "' must be 2-D [examples, features] with at least one feature");
  data.features = uint32_t(array.shape[1]);
  data.values = array.to_doubles();
  for (std::size_t i = 0; i < data.values.size(); ++i)
    if (!std::isfinite(data.values[i]))
      throw Error(path, fmt::format("example {}, feature {}: value {} is not finite", i / data.features,
                                    i % data.features, data.values[i]));
}

/// Parses one CSV field as a decimal number; throws a located Error.
double parse_field(std::string_view field, const std::string &where, std::size_t example, bool label) {
  std::string text(field);
  std::string what = label ? "label" : "value";
  std::string prefix = "example " + std::to_string(example) + ": ";
  if (text.empty())
    throw Error(where, prefix + "missing " + what);
  bool decimal = text.find_first_not_of("0123456789.eE+-") == std::string::npos;
  char *end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  bool consumed = end == text.c_str() + text.size();
  if (consumed && !std::isfinite(value))
    throw Error(where, prefix + what + " '" + shown(text) + "' is not a finite number");
  if (!decimal || !consumed)
    throw Error(where, prefix + "invalid " + what + " '" + shown(text) + "': expected a number");
  return value;
}

/// Checks the events of `data` (times, unit values as read, offsets,
/// label values) and stores the unit ids and labels.
void check_events(EventDataset &data, const std::vector<double> &units, const std::vector<double> &labels,
                  uint32_t classes) {
  const std::string &path = data.source;
  std::size_t examples = labels.size();
  if (data.offsets.size() != examples + 1 || data.offsets.front() != 0 || data.offsets.back() != data.times.size() ||
      units.size() != data.times.size())
    throw Error::internal("event offsets inconsistent");
  data.unit_ids.resize(units.size());
  data.labels.resize(examples);
  for (std::size_t e = 0; e < examples; ++e) {
    std::string problem = label_problem(labels[e], classes);
    if (!problem.empty())
      throw Error(path, "example " + std::to_string(e) + ": " + problem);
    data.labels[e] = uint32_t(labels[e]);
    for (uint64_t s = data.offsets[e]; s < data.offsets[e + 1]; ++s) {
      std::string where = "example " + std::to_string(e) + ", spike " + std::to_string(s - data.offsets[e]) + ": ";
      double t = data.times[s];
      if (!std::isfinite(t))
        throw Error(path, fmt::format("{}time {} is not finite", where, t));
      if (t < 0)
        throw Error(path, fmt::format("{}time {} is negative", where, t));
      double u = units[s];
      if (u != std::floor(u) || u < 0 || u >= double(data.units))
        throw Error(path,
                    fmt::format("{}unit {} is out of range: the input population has {} units", where, u, data.units));
      data.unit_ids[s] = uint32_t(u);
    }
  }
}

EventDataset read_events_npz(const std::string &path, uint32_t units, uint32_t classes) {
  NpzArchive archive(path);
  for (const char *name : {"times", "units", "offsets", "labels"})
    if (!archive.contains(name))
      throw Error(path,
                  std::string("missing array '") + name + "' (an event .npz holds times, units, offsets, labels)");
  NpyArray times = archive.array("times"), unit_ids = archive.array("units");
  NpyArray offsets = archive.array("offsets"), labels = archive.array("labels");
  for (const NpyArray *a : {&times, &unit_ids, &offsets, &labels})
    if (a->shape.size() != 1)
      throw Error(a->origin, "must be 1-D, found " + std::to_string(a->shape.size()) + " dimensions");
  if (!unit_ids.is_integer())
    throw Error(unit_ids.origin, "must hold integers, found " + unit_ids.type_name());
  if (!offsets.is_integer())
    throw Error(offsets.origin, "must hold integers, found " + offsets.type_name());
  uint64_t examples = labels.shape[0];
  if (offsets.shape[0] != examples + 1)
    throw Error(offsets.origin, "must have " + std::to_string(examples + 1) + " entries (examples + 1), found " +
                                    std::to_string(offsets.shape[0]));
  if (unit_ids.shape[0] != times.shape[0])
    throw Error(path, "arrays 'times' and 'units' differ in length (" + std::to_string(times.shape[0]) + " and " +
                          std::to_string(unit_ids.shape[0]) + ")");
  EventDataset data;
  data.source = path;
  data.units = units;
  data.times = times.to_doubles();
  std::vector<double> offset_values = offsets.to_doubles();
  double previous = 0;
  for (std::size_t e = 0; e < offset_values.size(); ++e) {
    double o = offset_values[e];
    bool bad = e == 0 ? o != 0 : o < previous || o > double(data.times.size());
    if (e + 1 == offset_values.size() && o != double(data.times.size()))
      bad = true;
    if (bad)
      throw Error(offsets.origin,
                  fmt::format("entry {} is {}: offsets must start at 0, never decrease and end at the spike count {}",
                              e, o, data.times.size()));
    previous = o;
    data.offsets.push_back(uint64_t(o));
  }
  check_events(data, unit_ids.to_doubles(), labels.to_doubles(), classes);
  return data;
}

EventDataset read_events_hdf5(const std::string &path, uint32_t units, uint32_t classes) {
  QuietHdf5 quiet;
  Hdf5File file(path);
  EventDataset data;
  data.source = path;
  data.units = units;
  std::vector<double> unit_values;
  std::vector<uint64_t> unit_offsets;
  file.read_vlen("spikes/times", H5T_NATIVE_DOUBLE, false, data.times, data.offsets);
  file.read_vlen("spikes/units", H5T_NATIVE_INT64, true, unit_values, unit_offsets);
  std::vector<double> labels = file.read_numbers("labels");
  std::size_t examples = data.offsets.size() - 1;
  if (unit_offsets.size() - 1 != examples || labels.size() != examples)
    throw Error(path, "'spikes/times', 'spikes/units' and 'labels' must have one entry per example (found " +
                          std::to_string(examples) + ", " + std::to_string(unit_offsets.size() - 1) + " and " +
                          std::to_string(labels.size()) + ")");
  for (std::size_t e = 0; e < examples; ++e)
    if (unit_offsets[e + 1] - unit_offsets[e] != data.offsets[e + 1] - data.offsets[e])
      throw Error(path, "example " + std::to_string(e) + ": " + std::to_string(data.offsets[e + 1] - data.offsets[e]) +
                            " spike times but " + std::to_string(unit_offsets[e + 1] - unit_offsets[e]) + " units");
  check_events(data, unit_values, labels, classes);
  return data;
}

/// The Error for a failed allocation while reading `path`: a corrupt size
/// field asking for more than the machine has, usually.
Error read_out_of_memory(const std::string &path) {
  return Error(path, "not enough memory to read the file (or a size in it is corrupt)");
}

} // namespace

DenseDataset parse_dense_csv(std::string_view text, const std::string &path, uint32_t classes) {
  check_classes(path, classes);
  DenseDataset data;
  data.source = path;
  std::size_t fields_expected = 0, first_line = 0, line = 0;
  std::vector<std::pair<std::string_view, std::size_t>> fields;
  for (std::size_t begin = 0; begin < text.size();) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view row = text.substr(begin, end - begin);
    begin = end + 1;
    ++line;
    if (!row.empty() && row.back() == '\r')
      row.remove_suffix(1);
    if (row.find_first_not_of(" \t") == std::string_view::npos)
      continue;
    fields.clear();
    for (std::size_t start = 0;;) {
      std::size_t comma = row.find(',', start);
      std::string_view field = row.substr(start, comma == std::string_view::npos ? row.size() - start : comma - start);
      std::size_t column = start + 1;
      while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) {
        field.remove_prefix(1);
        ++column;
      }
      while (!field.empty() && (field.back() == ' ' || field.back() == '\t'))
        field.remove_suffix(1);
      fields.emplace_back(field, column);
      if (comma == std::string_view::npos)
        break;
      start = comma + 1;
    }
    std::size_t example = data.labels.size();
    std::string at_line = path + ":" + std::to_string(line) + ":";
    if (fields_expected == 0) {
      if (fields.size() < 2)
        throw Error(at_line + "1", "example 0: a row needs at least one feature and a label");
      fields_expected = fields.size();
      first_line = line;
      data.features = uint32_t(fields.size() - 1);
    } else if (fields.size() != fields_expected) {
      throw Error(at_line + "1", "example " + std::to_string(example) + ": row has " + std::to_string(fields.size()) +
                                     " fields, expected " + std::to_string(fields_expected) + " like line " +
                                     std::to_string(first_line));
    }
    for (std::size_t f = 0; f < fields.size(); ++f) {
      bool label = f + 1 == fields.size();
      std::string where = at_line + std::to_string(fields[f].second);
      double value = parse_field(fields[f].first, where, example, label);
      if (!label) {
        data.values.push_back(value);
        continue;
      }
      std::string problem = label_problem(value, classes);
      if (!problem.empty())
        throw Error(where, "example " + std::to_string(example) + ": " + problem);
      data.labels.push_back(uint32_t(value));
    }
  }
  if (data.labels.empty())
    throw Error(path, "no examples in the file");
  return data;
}

std::string read_gzip_file(const std::string &path) {
  std::string compressed = read_file_bytes(path);
  if (compressed.size() < 2 || uint8_t(compressed[0]) != 0x1f || uint8_t(compressed[1]) != 0x8b)
    throw Error(path, compressed.empty() ? "truncated gzip file (empty)" : "not a gzip file (bad magic)");
  return inflate_bytes(compressed, true, 0, path, "");
}

namespace {

DenseDataset read_dense_file(const std::string &path, uint32_t classes) {
  check_classes(path, classes);
  if (ends_with(path, ".csv.gz"))
    return parse_dense_csv(read_gzip_file(path), path, classes);
  if (ends_with(path, ".csv"))
    return parse_dense_csv(read_file_bytes(path), path, classes);
  if (!ends_with(path, ".npz"))
    throw Error(path, "unknown dense data set format: expected a name ending in .csv, .csv.gz or .npz (for .npy "
                      "features, name the labels file too)");
  NpzArchive archive(path);
  for (const char *name : {"x", "y"})
    if (!archive.contains(name))
      throw Error(path, std::string("missing array '") + name + "' (a dense .npz holds x [examples, features] and y)");
  DenseDataset data;
  data.source = path;
  features_of(archive.array("x"), data, path, "x");
  data.labels = labels_of(archive.array("y"), data.values.size() / data.features, classes, path, "y");
  return data;
}

DenseDataset read_dense_npy_files(const std::string &features_path, const std::string &labels_path, uint32_t classes) {
  check_classes(features_path, classes);
  DenseDataset data;
  data.source = features_path;
  features_of(read_npy(features_path), data, features_path, "features");
  uint64_t examples = data.values.size() / data.features;
  if (ends_with(labels_path, ".npz")) {
    NpzArchive archive(labels_path);
    if (!archive.contains("y"))
      throw Error(labels_path, "missing array 'y' (the labels)");
    data.labels = labels_of(archive.array("y"), examples, classes, labels_path, "y");
  } else {
    data.labels = labels_of(read_npy(labels_path), examples, classes, labels_path, "labels");
  }
  return data;
}

EventDataset read_events_file(const std::string &path, uint32_t units, uint32_t classes) {
  check_classes(path, classes);
  if (units == 0)
    throw Error(path, "the input population size must be at least 1");
  if (ends_with(path, ".npz"))
    return read_events_npz(path, units, classes);
  if (ends_with(path, ".h5") || ends_with(path, ".hdf5"))
    return read_events_hdf5(path, units, classes);
  throw Error(path, "unknown event data set format: expected a name ending in .npz, .h5 or .hdf5");
}

} // namespace

DenseDataset read_dense(const std::string &path, uint32_t classes) {
  return allocating([&] { return read_dense_file(path, classes); }, [&] { return read_out_of_memory(path); });
}

DenseDataset read_dense_npy(const std::string &features_path, const std::string &labels_path, uint32_t classes) {
  return allocating([&] { return read_dense_npy_files(features_path, labels_path, classes); },
                    [&] { return read_out_of_memory(features_path); });
}

EventDataset read_events(const std::string &path, uint32_t units, uint32_t classes) {
  return allocating([&] { return read_events_file(path, units, classes); }, [&] { return read_out_of_memory(path); });
}

} // namespace snn::rt
