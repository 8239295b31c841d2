//===- Npz.h - NumPy .npz archives (uncompressed zip of .npy) ---*- C++ -*-===//
//
// Recordings are written as NPZ so that `numpy.load` reads them with no
// extra package: a zip archive, entries stored (not deflated), each entry an
// .npy file (format 1.0, little-endian, C order). Entries or archives past
// 4 GiB use the zip64 extensions.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_NPZ_H
#define SNN_RUNTIME_NPZ_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace snn::rt {

/// CRC-32 (IEEE 802.3, the zip checksum) of `size` bytes, continuing from
/// `crc` (0 to start).
uint32_t crc32(const void *data, std::size_t size, uint32_t crc = 0);

/// The .npy header for an array: magic, version 1.0, and the dictionary
/// padded so the data starts on a 64-byte boundary.
std::string npy_header(const std::string &descr, const std::vector<uint64_t> &shape);

/// A shape as numpy prints it: "[2, 3]".
std::string shape_text(const std::vector<uint64_t> &shape);

/// Collects named arrays, then writes them as one .npz file.
class NpzWriter {
public:
  /// Adds a float64 array; the product of `shape` must equal data.size().
  void add(std::string name, std::vector<double> data, std::vector<uint64_t> shape);
  /// Adds an int32 array.
  void add(std::string name, std::vector<int32_t> data, std::vector<uint64_t> shape);
  /// Adds a uint8 array (e.g. text as bytes).
  void add(std::string name, std::vector<uint8_t> data, std::vector<uint64_t> shape);
  /// Whether an array called `name` was added.
  bool contains(const std::string &name) const;
  std::size_t size() const { return arrays_.size(); }

  /// Writes the archive to a temporary file beside `path` (see plan_output)
  /// and renames it to `path`, so a reader never sees a half-written file. Throws Error if the file cannot
  /// be written. `force_zip64` writes zip64 records even for small archives
  /// (to test the large-file path).
  /// `durable`: the file's data reach the disk (fsync) before the rename,
  /// and the rename before write returns (fsync of the directory).
  void write(const std::string &path, bool force_zip64 = false, bool durable = false) const;

private:
  struct Array {
    std::string name;
    std::vector<uint64_t> shape;
    std::variant<std::vector<double>, std::vector<int32_t>, std::vector<uint8_t>> data;
  };
  std::vector<Array> arrays_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_NPZ_H
