//===- Npz.cpp - NumPy .npz archives (uncompressed zip of .npy) -----------===//

#include "Npz.h"
#include "ZipFormat.h"

#include "snn/output_file.h"
#include "snn/temporary_file.h"

#include "snn/runtime.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <utility>
#include <variant>

#include <fcntl.h>
#include <unistd.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Npz.cpp writes array data as it lies in memory: little-endian only"
#endif

namespace snn::rt {
namespace {

using namespace zip;

// 1980-01-01 00:00, the zip epoch: a fixed stamp keeps archives of equal
// data byte-identical.
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (1 << 5) | 1;

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
  return table;
}

/// Little-endian serialisation of zip records.
class Record {
public:
  Record &u16(uint16_t v) { return bytes(&v, 2); }
  Record &u32(uint32_t v) { return bytes(&v, 4); }
  Record &u64(uint64_t v) { return bytes(&v, 8); }
  Record &text(const std::string &s) { return bytes(s.data(), s.size()); }
  const std::string &str() const { return data_; }

private:
  Record &bytes(const void *p, std::size_t n) {
    data_.append(static_cast<const char *>(p), n);
    return *this;
  }
  std::string data_;
};

/// An archive file being written; every failure becomes an Error naming the
/// final path.
class ArchiveFile {
public:
  ArchiveFile(std::string temporary, std::string path, bool durable)
      : temporary_(std::move(temporary)), path_(std::move(path)), durable_(durable) {
    file_ = std::fopen(temporary_.c_str(), "wb");
    if (!file_)
      fail();
  }
  ~ArchiveFile() {
    if (file_) {
      std::fclose(file_);
      discard();
    }
  }
  ArchiveFile(const ArchiveFile &) = delete;
  ArchiveFile &operator=(const ArchiveFile &) = delete;

  void write(const void *data, std::size_t size) {
    if (size > 0 && std::fwrite(data, 1, size, file_) != size)
      fail();
    offset_ += size;
  }
  void write(const std::string &bytes) { write(bytes.data(), bytes.size()); }
  uint64_t offset() const { return offset_; }

  /// Closes the file and renames it into place.
  void commit() {
    std::FILE *file = file_;
    file_ = nullptr;
    bool synced = !durable_ || (std::fflush(file) == 0 && ::fsync(::fileno(file)) == 0);
    if (!synced) {
      int error = errno;
      std::fclose(file);
      discard();
      errno = error;
      fail();
    }
    if (std::fclose(file) != 0) {
      int error = errno;
      discard();
      errno = error;
      fail();
    }
    if (temporary_ != path_ && std::rename(temporary_.c_str(), path_.c_str()) != 0) {
      int error = errno;
      discard();
      errno = error;
      fail();
    }
    if (durable_)
      sync_directory();
  }

private:
  /// Makes the rename durable: fsync of the directory that holds the file.
  void sync_directory() {
    std::string directory = path_.substr(0, path_.find_last_of('/') == std::string::npos ? 0 : path_.find_last_of('/'));
    if (directory.empty())
      directory = path_.find('/') == 0 ? "/" : ".";
    int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
      return; // the data are in place; only durability across a crash is weaker
    ::fsync(fd);
    ::close(fd);
  }

  /// Removes a partial temporary file; a file written in place (a device) stays.
  void discard() {
    if (temporary_ != path_)
      std::remove(temporary_.c_str());
  }
  [[noreturn]] void fail() { throw Error("cannot write '" + path_ + "': " + std::strerror(errno)); }
  std::string temporary_, path_;
  /// Removed by SIGINT/SIGTERM until renamed (nothing to mark when the
  /// target, a device, is written in place).
  TemporaryFile marked_{temporary_ != path_ ? temporary_ : std::string()};
  std::FILE *file_ = nullptr;
  uint64_t offset_ = 0;
  bool durable_ = false;
};

struct Entry {
  std::string name;
  uint32_t crc;
  uint64_t size;
  uint64_t offset;
  bool zip64;
};

} // namespace

uint32_t crc32(const void *data, std::size_t size, uint32_t crc) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  const unsigned char *bytes = static_cast<const unsigned char *>(data);
  crc = ~crc;
  for (std::size_t i = 0; i < size; ++i)
    crc = table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string npy_header(const std::string &descr, const std::vector<uint64_t> &shape) {
  // numpy's own spelling of shapes: "()", "(3,)", "(3, 2)".
  std::string extents;
  for (std::size_t d = 0; d < shape.size(); ++d)
    extents += (d > 0 ? ", " : "") + std::to_string(shape[d]);
  if (shape.size() == 1)
    extents += ",";
  std::string dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + extents + "), }";
  // magic (6) + version (2) + length (2) + dict + padding + '\n'
  std::size_t unpadded = 10 + dict.size() + 1;
  std::size_t padded = (unpadded + 63) / 64 * 64;
  dict.append(padded - unpadded, ' ');
  dict += '\n';
  std::string header("\x93NUMPY\x01\x00", 8);
  uint16_t length = uint16_t(dict.size());
  header.append(reinterpret_cast<const char *>(&length), 2);
  return header + dict;
}

std::string shape_text(const std::vector<uint64_t> &shape) {
  std::string text = "[";
  for (std::size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

void NpzWriter::add(std::string name, std::vector<double> data, std::vector<uint64_t> shape) {
  arrays_.push_back({std::move(name), std::move(shape), std::move(data)});
}

void NpzWriter::add(std::string name, std::vector<int32_t> data, std::vector<uint64_t> shape) {
  arrays_.push_back({std::move(name), std::move(shape), std::move(data)});
}

void NpzWriter::add(std::string name, std::vector<uint8_t> data, std::vector<uint64_t> shape) {
  arrays_.push_back({std::move(name), std::move(shape), std::move(data)});
}

bool NpzWriter::contains(const std::string &name) const {
  for (const Array &array : arrays_)
    if (array.name == name)
      return true;
  return false;
}

void NpzWriter::write(const std::string &path, bool force_zip64, bool durable) const {
  OutputPlan plan = plan_output(path);
  ArchiveFile file(plan.temporary.empty() ? plan.target : plan.temporary, plan.target, durable);
  std::vector<Entry> entries;
  for (const Array &array : arrays_) {
    uint64_t elements = 1;
    for (uint64_t extent : array.shape)
      elements *= extent;
    const void *data = nullptr;
    uint64_t bytes = 0;
    std::string descr;
    std::visit(
        [&](const auto &values) {
          using Value = typename std::decay_t<decltype(values)>::value_type;
          data = values.data();
          bytes = values.size() * sizeof(Value);
          descr = sizeof(Value) == 8 ? "<f8" : sizeof(Value) == 4 ? "<i4" : "|u1";
          if (values.size() != elements)
            throw Error::internal("array '" + array.name + "' has " + std::to_string(values.size()) +
                                  " elements but its shape holds " + std::to_string(elements));
        },
        array.data);
    std::string header = npy_header(descr, array.shape);
    Entry entry;
    entry.name = array.name + ".npy";
    entry.crc = crc32(data, bytes, crc32(header.data(), header.size()));
    entry.size = header.size() + bytes;
    entry.offset = file.offset();
    entry.zip64 = force_zip64 || entry.size >= kMax32 || entry.offset >= kMax32;

    Record local;
    local.u32(kLocalHeader).u16(entry.zip64 ? 45 : 20).u16(0).u16(0);
    local.u16(kDosTime).u16(kDosDate).u32(entry.crc);
    local.u32(entry.zip64 ? kMax32 : uint32_t(entry.size));
    local.u32(entry.zip64 ? kMax32 : uint32_t(entry.size));
    local.u16(uint16_t(entry.name.size())).u16(entry.zip64 ? 20 : 0);
    local.text(entry.name);
    if (entry.zip64)
      local.u16(kZip64ExtraId).u16(16).u64(entry.size).u64(entry.size);
    file.write(local.str());
    file.write(header);
    file.write(data, bytes);
    entries.push_back(std::move(entry));
  }

  uint64_t central_offset = file.offset();
  for (const Entry &entry : entries) {
    Record central;
    central.u32(kCentralHeader).u16(45).u16(entry.zip64 ? 45 : 20);
    central.u16(0).u16(0).u16(kDosTime).u16(kDosDate).u32(entry.crc);
    central.u32(entry.zip64 ? kMax32 : uint32_t(entry.size));
    central.u32(entry.zip64 ? kMax32 : uint32_t(entry.size));
    central.u16(uint16_t(entry.name.size())).u16(entry.zip64 ? 28 : 0);
    central.u16(0).u16(0).u16(0).u32(0);
    central.u32(entry.zip64 ? kMax32 : uint32_t(entry.offset));
    central.text(entry.name);
    if (entry.zip64)
      central.u16(kZip64ExtraId).u16(24).u64(entry.size).u64(entry.size).u64(entry.offset);
    file.write(central.str());
  }
  uint64_t central_size = file.offset() - central_offset;

  uint64_t count = entries.size();
  bool zip64 = force_zip64 || count >= kMax16 || central_size >= kMax32 || central_offset >= kMax32;
  Record end;
  if (zip64) {
    uint64_t zip64_end_offset = file.offset();
    end.u32(kZip64EndOfCentral).u64(44).u16(45).u16(45).u32(0).u32(0);
    end.u64(count).u64(count).u64(central_size).u64(central_offset);
    end.u32(kZip64Locator).u32(0).u64(zip64_end_offset).u32(1);
  }
  uint16_t count16 = zip64 ? kMax16 : uint16_t(count);
  end.u32(kEndOfCentral).u16(0).u16(0).u16(count16).u16(count16);
  end.u32(zip64 ? kMax32 : uint32_t(central_size));
  end.u32(zip64 ? kMax32 : uint32_t(central_offset)).u16(0);
  file.write(end.str());
  file.commit();
}

} // namespace snn::rt
