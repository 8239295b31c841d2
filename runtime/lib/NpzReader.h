//===- NpzReader.h - Reading .npy files and .npz archives -------*- C++ -*-===//
//
// The reading side of Npz.h, for data sets: an .npy file (format 1.0, 2.0 or
// 3.0, little-endian or byte-sized types, C or Fortran order) and an .npz
// archive, a zip of .npy entries either stored (numpy.savez) or deflated
// (numpy.savez_compressed), zip64 records included. Every malformation is
// an Error located at the file's path, naming the entry; nothing is trusted
// before it is bounds-checked.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_NPZREADER_H
#define SNN_RUNTIME_NPZREADER_H

#include "snn/runtime.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace snn::rt {

/// Element types a data set array may have.
enum class NpyType { F32, F64, U8, U16, U32, I32, I64 };

/// One array read from an .npy file or an .npz entry: C order, converted
/// from Fortran order if the file had it.
struct NpyArray {
  NpyType type = NpyType::F64;
  std::vector<uint64_t> shape;
  std::string bytes;  ///< the elements, little-endian, C order
  std::string origin; ///< "path" or "path: array 'name'", for messages

  uint64_t elements() const;
  /// Every element as double (exact for all types but int64 above 2^53).
  std::vector<double> to_doubles() const;
  /// numpy's name of the type: "float32", "int64", ...
  std::string type_name() const;
  bool is_integer() const { return type != NpyType::F32 && type != NpyType::F64; }
};

/// Parses the bytes of an .npy file. `path` and `what` (empty, or "array
/// 'x'") locate messages. Throws Error located at `path`.
NpyArray parse_npy(std::string_view data, const std::string &path, const std::string &what = "");

/// Reads an .npy file.
NpyArray read_npy(const std::string &path);

/// The entries of an .npz archive, read whole into memory at construction.
class NpzArchive {
public:
  /// Reads the archive and its directory; throws Error located at `path`.
  explicit NpzArchive(const std::string &path);

  /// Whether the archive holds an array called `name` (entry "name.npy").
  bool contains(const std::string &name) const;
  /// The names of the arrays, in archive order.
  std::vector<std::string> names() const;
  /// Inflates (if needed), checks the CRC of and parses array `name`;
  /// throws Error if it is missing or corrupt.
  NpyArray array(const std::string &name) const;
  const std::string &path() const { return path_; }

private:
  struct Entry {
    std::string name; ///< without ".npy"
    uint16_t method;
    uint32_t crc;
    uint64_t compressed, size, offset;
  };
  std::string path_;
  std::string data_;
  std::vector<Entry> entries_;
};

/// Reads a whole file; an unreadable one, or one larger than
/// max_input_bytes(), is an Error located at `path`.
std::string read_file_bytes(const std::string &path);

/// The Error for an input at `path` beyond max_input_bytes(): `what` (e.g.
/// "the file holds") followed by "more than the input limit of N bytes".
Error input_too_large(const std::string &path, const std::string &what);

/// Inflates `data`, raw deflate (`gzip` false; output beyond `expected_size`
/// bytes is an Error) or gzip members (`gzip` true, concatenated members
/// allowed, `expected_size` only a hint). Truncated or corrupt input is an
/// Error located at `path`; `what` names the entry in messages.
std::string inflate_bytes(std::string_view data, bool gzip, uint64_t expected_size, const std::string &path,
                          const std::string &what);

} // namespace snn::rt

#endif // SNN_RUNTIME_NPZREADER_H
