//===- Hdf5File.h - Reading numeric datasets of HDF5 files ------*- C++ -*-===//
//
// The runtime reads HDF5 in two places: event data sets (Dataset.cpp) and
// `load("file.h5", name: "group/dataset")` of weights and per-neuron values
// (for instance a NIR graph's parameters, docs/nir.md). Both go through
// this class, with HDF5's own error printing silenced: every problem is one
// Error naming the file and the dataset.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_HDF5FILE_H
#define SNN_RUNTIME_HDF5FILE_H

#include "NpzReader.h"

#include <cstdint>
#include <string>
#include <vector>

#include <hdf5.h>

namespace snn::rt {

/// Silences HDF5's error printing while alive.
class QuietHdf5 {
public:
  QuietHdf5();
  ~QuietHdf5();
  QuietHdf5(const QuietHdf5 &) = delete;
  QuietHdf5 &operator=(const QuietHdf5 &) = delete;

private:
  H5E_auto2_t function_ = nullptr;
  void *data_ = nullptr;
};

/// An HDF5 identifier closed by `close` when it goes out of scope.
class Hdf5Handle {
public:
  Hdf5Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Hdf5Handle();
  Hdf5Handle(Hdf5Handle &&other) noexcept : id_(other.id_), close_(other.close_) { other.id_ = -1; }
  Hdf5Handle(const Hdf5Handle &) = delete;
  Hdf5Handle &operator=(const Hdf5Handle &) = delete;
  hid_t get() const { return id_; }
  bool ok() const { return id_ >= 0; }

private:
  hid_t id_;
  herr_t (*close_)(hid_t);
};

/// An HDF5 file opened read-only. Construct it inside a QuietHdf5.
class Hdf5File {
public:
  /// Throws Error when `path` is not a readable HDF5 file.
  explicit Hdf5File(const std::string &path);

  /// Whether the link `name` ("a/b/c") exists, checking each parent.
  bool exists(const std::string &name) const;

  /// A 1-D dataset of variable-length sequences of numbers, converted to
  /// `memory_base` (a native type), flattened with offsets.
  void read_vlen(const std::string &name, hid_t memory_base, bool integer, std::vector<double> &values,
                 std::vector<uint64_t> &offsets) const;

  /// A 1-D dataset of numbers as double.
  std::vector<double> read_numbers(const std::string &name) const;

  /// A numeric dataset of any rank (a scalar has shape []) as float64 in C
  /// order, `origin` "path: array 'name'"; a missing dataset's message
  /// suggests the closest dataset name of the file.
  NpyArray read_array(const std::string &name) const;

private:
  Hdf5Handle open(const std::string &name) const;
  uint64_t extent(const Hdf5Handle &set, const std::string &name) const;

  std::string path_;
  Hdf5Handle file_;
};

/// Whether `path` names an HDF5 file by its extension (.h5, .hdf5, .nir).
bool is_hdf5_path(const std::string &path);

} // namespace snn::rt

#endif // SNN_RUNTIME_HDF5FILE_H
