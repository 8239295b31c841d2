//===- Dataset.h - Labelled training and test data --------------*- C++ -*-===//
//
// The data a training or evaluation loop iterates over, read and checked
// once, whole, into memory. Two kinds:
//
// Dense data sets: each example a row of `features` real values and an
// integer label. Formats:
//   - CSV text, `v1,v2,...,vN,label` per line (".csv"); blank lines are
//     skipped, every line has the same number of fields, every field is a
//     decimal number, the label an integer;
//   - the same compressed with gzip (".csv.gz");
//   - NPZ (".npz") with arrays `x` [examples, features] and `y` [examples];
//   - NPY (".npy"): a 2-D array of features, labels from a second file, an
//     .npy [examples] or an .npz holding `y`.
// Feature arrays may be float32, float64, uint8, uint16, uint32, int32 or
// int64; label arrays any of those, with integer values.
//
// Event data sets, the Spiking Heidelberg Digits layout: each example a
// ragged list of spikes (time in seconds, input unit) and a label. Formats:
//   - NPZ (".npz"): `times` [spikes] (seconds) and `units` [spikes], the
//     spikes of all examples concatenated; `offsets` [examples + 1] of
//     integers, example e's spikes being times[offsets[e] .. offsets[e+1]-1]
//     (offsets[0] = 0, non-decreasing, offsets[examples] = spikes); and
//     `labels` [examples];
//   - HDF5 (".h5", ".hdf5"): `spikes/times` and `spikes/units`, 1-D
//     datasets of variable-length sequences (float and unsigned/integer),
//     one sequence per example, equal lengths per example; `labels`
//     [examples].
//
// Checks, each an Error naming the file (with line:col for CSV text) and the
// example: missing arrays, wrong shapes or types, rows of differing width,
// non-numeric fields, non-finite features, labels that are not integers or
// not below the class count, times that are negative or not finite, unit ids
// not below the input population size, and truncated or corrupt files.
// CSV, gzip, NPY and NPZ input is parsed here and bounds-checked throughout
// (zip entries and gzip streams are CRC-checked). HDF5 files are parsed by
// libhdf5: a truncated file is an Error, but libhdf5 1.10 can crash on some
// deliberately corrupted bytes inside a file (e.g. a global heap address).
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_DATASET_H
#define SNN_RUNTIME_DATASET_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

/// Examples of `features` values each, with labels.
struct DenseDataset {
  std::string source;           ///< the file read, for messages
  uint32_t features = 0;        ///< values per example
  std::vector<double> values;   ///< examples x features, row-major
  std::vector<uint32_t> labels; ///< one per example, < the class count

  std::size_t size() const { return labels.size(); }
  /// The features of example `e` (features() values).
  const double *row(std::size_t e) const { return values.data() + e * features; }
};

/// Examples of ragged spike lists, with labels.
struct EventDataset {
  std::string source;             ///< the file read, for messages
  uint32_t units = 0;             ///< size of the input population
  std::vector<uint64_t> offsets;  ///< examples + 1; example e is [offsets[e], offsets[e+1])
  std::vector<double> times;      ///< seconds, finite, >= 0
  std::vector<uint32_t> unit_ids; ///< < units
  std::vector<uint32_t> labels;   ///< one per example, < the class count

  std::size_t size() const { return labels.size(); }
  /// Number of spikes of example `e`.
  std::size_t spikes(std::size_t e) const { return std::size_t(offsets[e + 1] - offsets[e]); }
};

/// Parses dense CSV text (see above); `path` locates messages. Labels must
/// be below `classes`.
DenseDataset parse_dense_csv(std::string_view text, const std::string &path, uint32_t classes);

/// Reads a dense data set, the format chosen by the name: ".csv",
/// ".csv.gz" or ".npz". Throws Error.
DenseDataset read_dense(const std::string &path, uint32_t classes);

/// Reads dense features from an .npy file and labels from `labels_path`
/// (.npy [examples], or .npz with `y`).
DenseDataset read_dense_npy(const std::string &features_path, const std::string &labels_path, uint32_t classes);

/// Reads an event data set, the format chosen by the name: ".npz", ".h5"
/// or ".hdf5". Unit ids must be below `units`, labels below `classes`.
EventDataset read_events(const std::string &path, uint32_t units, uint32_t classes);

/// Reads gzip-compressed text (concatenated members allowed); a truncated or
/// corrupt stream is an Error located at `path`.
std::string read_gzip_file(const std::string &path);

} // namespace snn::rt

#endif // SNN_RUNTIME_DATASET_H
