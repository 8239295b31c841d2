//===- NpzReader.cpp - Reading .npy files and .npz archives ---------------===//

#include "NpzReader.h"

#include "Npz.h"

#include "snn/runtime.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "ZipFormat.h"

#include <zlib.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "NpzReader.cpp reads array data as it lies in memory: little-endian only"
#endif

namespace snn::rt {
namespace {

using namespace zip;

std::size_t type_size(NpyType type) {
  switch (type) {
  case NpyType::U8:
    return 1;
  case NpyType::U16:
    return 2;
  case NpyType::F32:
  case NpyType::U32:
  case NpyType::I32:
    return 4;
  case NpyType::F64:
  case NpyType::I64:
    return 8;
  }
  return 8;
}

/// Bounds-checked little-endian reads from a byte range; a read past the
/// end throws the Error `fail` builds.
class Cursor {
public:
  Cursor(std::string_view data, std::size_t at, std::string path, std::string what)
      : data_(data), at_(at), path_(std::move(path)), what_(std::move(what)) {}
  uint16_t u16() { return uint16_t(take(2)); }
  uint32_t u32() { return uint32_t(take(4)); }
  uint64_t u64() { return take(8); }
  std::string_view bytes(std::size_t n) {
    need(n);
    std::string_view out = data_.substr(at_, n);
    at_ += n;
    return out;
  }
  void skip(std::size_t n) { bytes(n); }

private:
  void need(std::size_t n) const {
    if (at_ > data_.size() || data_.size() - at_ < n)
      throw Error(path_, "truncated or corrupt zip archive: " + what_ + " runs past the end of the file");
  }
  uint64_t take(std::size_t n) {
    need(n);
    uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
      v |= uint64_t(static_cast<unsigned char>(data_[at_ + i])) << (8 * i);
    at_ += n;
    return v;
  }
  std::string_view data_;
  std::size_t at_;
  std::string path_, what_;
};

/// The value of `key` in an .npy header dictionary: the text up to the next
/// top-level comma or closing brace, or empty if the key is absent.
std::string dict_value(const std::string &dict, const std::string &key) {
  std::size_t k = dict.find("'" + key + "'");
  if (k == std::string::npos)
    return {};
  std::size_t colon = dict.find(':', k);
  if (colon == std::string::npos)
    return {};
  std::size_t begin = colon + 1;
  while (begin < dict.size() && dict[begin] == ' ')
    ++begin;
  int depth = 0;
  std::size_t end = begin;
  for (; end < dict.size(); ++end) {
    char c = dict[end];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  return dict.substr(begin, end - begin);
}

} // namespace

uint64_t NpyArray::elements() const {
  uint64_t n = 1;
  for (uint64_t extent : shape)
    n *= extent;
  return n;
}

std::string NpyArray::type_name() const {
  switch (type) {
  case NpyType::F32:
    return "float32";
  case NpyType::F64:
    return "float64";
  case NpyType::U8:
    return "uint8";
  case NpyType::U16:
    return "uint16";
  case NpyType::U32:
    return "uint32";
  case NpyType::I32:
    return "int32";
  case NpyType::I64:
    return "int64";
  }
  return "?";
}

std::vector<double> NpyArray::to_doubles() const {
  std::size_t count = bytes.size() / type_size(type);
  std::vector<double> out(count);
  const char *p = bytes.data();
  auto convert = [&](auto zero) {
    using T = decltype(zero);
    for (std::size_t i = 0; i < count; ++i) {
      T v;
      std::memcpy(&v, p + i * sizeof(T), sizeof(T));
      out[i] = double(v);
    }
  };
  switch (type) {
  case NpyType::F32:
    convert(float());
    break;
  case NpyType::F64:
    convert(double());
    break;
  case NpyType::U8:
    convert(uint8_t());
    break;
  case NpyType::U16:
    convert(uint16_t());
    break;
  case NpyType::U32:
    convert(uint32_t());
    break;
  case NpyType::I32:
    convert(int32_t());
    break;
  case NpyType::I64:
    convert(int64_t());
    break;
  }
  return out;
}

NpyArray parse_npy(std::string_view data, const std::string &path, const std::string &what) {
  std::string prefix = what.empty() ? "" : what + ": ";
  auto fail = [&](const std::string &message) -> Error { return Error(path, prefix + message); };
  if (data.size() < 10 || data.substr(0, 6) != std::string_view("\x93NUMPY", 6))
    throw fail(data.size() < 10 ? "truncated .npy data (no header)" : "not an .npy array (bad magic)");
  unsigned major = static_cast<unsigned char>(data[6]);
  std::size_t length, start;
  if (major == 1) {
    length = uint8_t(data[8]) | std::size_t(uint8_t(data[9])) << 8;
    start = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      throw fail("truncated .npy data (no header)");
    length = uint8_t(data[8]) | std::size_t(uint8_t(data[9])) << 8 | std::size_t(uint8_t(data[10])) << 16 |
             std::size_t(uint8_t(data[11])) << 24;
    start = 12;
  } else {
    throw fail("unsupported .npy format version " + std::to_string(major));
  }
  if (data.size() - start < length)
    throw fail("truncated .npy data (header runs past the end)");
  std::string dict(data.substr(start, length));
  std::string descr = dict_value(dict, "descr");
  std::string order = dict_value(dict, "fortran_order");
  std::string shape_text = dict_value(dict, "shape");
  if (descr.empty() || order.empty() || shape_text.empty())
    throw fail("corrupt .npy header (needs 'descr', 'fortran_order' and 'shape')");
  NpyArray array;
  array.origin = what.empty() ? path : path + ": " + what;
  static const std::pair<const char *, NpyType> kTypes[] = {
      {"'<f4'", NpyType::F32}, {"'<f8'", NpyType::F64}, {"'|u1'", NpyType::U8},  {"'<u1'", NpyType::U8},
      {"'<u2'", NpyType::U16}, {"'<u4'", NpyType::U32}, {"'<i4'", NpyType::I32}, {"'<i8'", NpyType::I64}};
  bool known = false;
  for (const auto &[name, type] : kTypes)
    if (descr == name) {
      array.type = type;
      known = true;
    }
  if (!known)
    throw fail("unsupported dtype " + descr +
               " (expected little-endian float32, float64, uint8, uint16, uint32, int32 or int64)");
  if (order != "False" && order != "True")
    throw fail("corrupt .npy header (fortran_order is " + order + ")");
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')')
    throw fail("corrupt .npy header (shape " + shape_text + ")");
  std::stringstream extents(shape_text.substr(1, shape_text.size() - 2));
  std::string item;
  uint64_t elements = 1;
  bool overflow = false;
  while (std::getline(extents, item, ',')) {
    std::size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    if (b == std::string::npos)
      continue; // the empty item after a trailing comma
    item = item.substr(b, e - b + 1);
    if (item.find_first_not_of("0123456789") != std::string::npos || item.size() > 18)
      throw fail("corrupt .npy header (shape " + shape_text + ")");
    uint64_t extent = std::stoull(item);
    array.shape.push_back(extent);
    if (extent != 0 && elements > std::numeric_limits<uint64_t>::max() / 16 / extent)
      overflow = true;
    else
      elements *= extent;
  }
  std::string_view body = data.substr(start + length);
  uint64_t size = type_size(array.type);
  if (overflow || elements * size != body.size())
    throw fail("truncated or corrupt .npy data: shape " + shape_text + " of " + array.type_name() + " needs " +
               (overflow ? std::string("more") : std::to_string(elements * size)) + " bytes, found " +
               std::to_string(body.size()));
  array.bytes.assign(body);
  if (order == "True" && array.shape.size() >= 2) {
    // Fortran order: index (i0, i1, ...) lies at i0 + e0 * (i1 + e1 * ...).
    std::string c_order(array.bytes.size(), '\0');
    std::size_t rank = array.shape.size();
    std::vector<uint64_t> index(rank, 0);
    for (uint64_t c = 0; c < elements; ++c) {
      uint64_t f = 0;
      for (std::size_t d = rank; d-- > 0;)
        f = f * array.shape[d] + index[d];
      std::memcpy(&c_order[c * size], &array.bytes[f * size], size);
      for (std::size_t d = rank; d-- > 0;) {
        if (++index[d] < array.shape[d])
          break;
        index[d] = 0;
      }
    }
    array.bytes = std::move(c_order);
  }
  return array;
}

namespace {
std::atomic<uint64_t> input_limit{kDefaultMaxInputBytes};
} // namespace

void set_max_input_bytes(uint64_t bytes) { input_limit.store(bytes, std::memory_order_relaxed); }

uint64_t max_input_bytes() { return input_limit.load(std::memory_order_relaxed); }

Error input_too_large(const std::string &path, const std::string &what) {
  return Error(path, what + " more than the input limit of " + std::to_string(max_input_bytes()) +
                         " bytes (see --max-input-bytes)");
}

std::string read_file_bytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(path, std::string("cannot read the file: ") + std::strerror(errno));
  uint64_t limit = max_input_bytes();
  std::string out;
  char chunk[1 << 16];
  while (in) {
    in.read(chunk, sizeof chunk);
    out.append(chunk, std::size_t(in.gcount()));
    if (out.size() > limit)
      throw input_too_large(path, "the file holds");
  }
  if (in.bad())
    throw Error(path, "cannot read the file");
  return out;
}

NpyArray read_npy(const std::string &path) { return parse_npy(read_file_bytes(path), path); }

std::string inflate_bytes(std::string_view data, bool gzip, uint64_t expected_size, const std::string &path,
                          const std::string &what) {
  bool limit = !gzip; // a zip entry's size is known: inflate no further
  std::string prefix = what.empty() ? "" : what + ": ";
  z_stream stream{};
  if (inflateInit2(&stream, gzip ? 16 + MAX_WBITS : -MAX_WBITS) != Z_OK)
    throw Error::internal("cannot initialise zlib");
  std::string out;
  out.reserve(std::size_t(std::min({expected_size, uint64_t(1) << 30, max_input_bytes()})));
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  stream.avail_in = uInt(std::min<std::size_t>(data.size(), std::numeric_limits<uInt>::max()));
  std::size_t fed = stream.avail_in;
  char chunk[65536];
  for (;;) {
    stream.next_out = reinterpret_cast<Bytef *>(chunk);
    stream.avail_out = sizeof chunk;
    int status = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - stream.avail_out);
    if (out.size() > max_input_bytes()) {
      inflateEnd(&stream);
      throw input_too_large(path, prefix + "the compressed data inflates to");
    }
    if (limit && out.size() > expected_size) {
      inflateEnd(&stream);
      throw Error(path, prefix + "corrupt compressed data: inflates to more than the " + std::to_string(expected_size) +
                            " bytes its directory entry says");
    }
    if (stream.avail_in == 0 && fed < data.size()) {
      std::size_t more = std::min<std::size_t>(data.size() - fed, std::numeric_limits<uInt>::max());
      stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data() + fed));
      stream.avail_in = uInt(more);
      fed += more;
    }
    if (status == Z_STREAM_END) {
      std::size_t left = stream.avail_in + (data.size() - fed);
      if (!gzip || left == 0)
        break;
      inflateReset(&stream); // another gzip member follows
      continue;
    }
    if (status == Z_OK)
      continue;
    if (status == Z_BUF_ERROR && stream.avail_in == 0) {
      inflateEnd(&stream);
      throw Error(path, prefix + "truncated compressed data (the stream ends early)");
    }
    std::string message = stream.msg ? stream.msg : "zlib error " + std::to_string(status);
    inflateEnd(&stream);
    throw Error(path, prefix + "corrupt compressed data: " + message);
  }
  inflateEnd(&stream);
  return out;
}

NpzArchive::NpzArchive(const std::string &path) : path_(path), data_(read_file_bytes(path)) {
  // The end-of-central-directory record: 22 bytes plus a comment of up to
  // 65535 bytes at the end of the file.
  if (data_.size() < 22)
    throw Error(path, "truncated or corrupt zip archive: too short for an .npz file");
  std::size_t lowest = data_.size() >= 22 + 65535 ? data_.size() - 22 - 65535 : 0;
  std::size_t end = std::string::npos;
  for (std::size_t at = data_.size() - 22 + 1; at-- > lowest;)
    if (std::memcmp(&data_[at], &kEndOfCentral, 4) == 0) {
      end = at;
      break;
    }
  if (end == std::string::npos)
    throw Error(path, "truncated or corrupt zip archive: no end-of-central-directory record");
  Cursor eocd(data_, end + 10, path, "the end record");
  uint64_t count = eocd.u16();
  uint64_t central_size = eocd.u32();
  uint64_t central_offset = eocd.u32();
  if ((count == 0xffff || central_size == kMax32 || central_offset == kMax32) && end >= 20) {
    Cursor locator(data_, end - 20, path, "the zip64 locator");
    if (locator.u32() == kZip64Locator) {
      locator.skip(4);
      Cursor record(data_, std::size_t(std::min<uint64_t>(locator.u64(), data_.size())), path, "the zip64 end record");
      if (record.u32() != kZip64EndOfCentral)
        throw Error(path, "truncated or corrupt zip archive: bad zip64 end record");
      record.skip(8 + 2 + 2 + 4 + 4 + 8);
      count = record.u64();
      central_size = record.u64();
      central_offset = record.u64();
    }
  }
  if (central_offset > data_.size() || data_.size() - central_offset < central_size)
    throw Error(path, "truncated or corrupt zip archive: the central directory lies outside the file");
  Cursor central(data_, std::size_t(central_offset), path, "the central directory");
  for (uint64_t i = 0; i < count; ++i) {
    if (central.u32() != kCentralHeader)
      throw Error(path, "truncated or corrupt zip archive: bad central directory entry " + std::to_string(i));
    central.skip(2 + 2);
    uint16_t flags = central.u16();
    Entry entry;
    entry.method = central.u16();
    central.skip(4);
    entry.crc = central.u32();
    entry.compressed = central.u32();
    entry.size = central.u32();
    uint16_t name_length = central.u16(), extra_length = central.u16(), comment_length = central.u16();
    central.skip(2 + 2 + 4);
    entry.offset = central.u32();
    std::string name(central.bytes(name_length));
    Cursor extra(central.bytes(extra_length), 0, path, "a zip64 extra field");
    for (std::size_t used = 0; used + 4 <= extra_length;) {
      uint16_t id = extra.u16(), length = extra.u16();
      used += 4 + length;
      if (id != 0x0001) {
        extra.skip(length);
        continue;
      }
      if (entry.size == kMax32)
        entry.size = extra.u64();
      if (entry.compressed == kMax32)
        entry.compressed = extra.u64();
      if (entry.offset == kMax32)
        entry.offset = extra.u64();
      break;
    }
    central.skip(comment_length);
    if (flags & 1)
      throw Error(path, "entry '" + name + "' is encrypted");
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0)
      name.resize(name.size() - 4);
    entry.name = std::move(name);
    entries_.push_back(std::move(entry));
  }
}

bool NpzArchive::contains(const std::string &name) const {
  for (const Entry &entry : entries_)
    if (entry.name == name)
      return true;
  return false;
}

std::vector<std::string> NpzArchive::names() const {
  std::vector<std::string> out;
  for (const Entry &entry : entries_)
    out.push_back(entry.name);
  return out;
}

NpyArray NpzArchive::array(const std::string &name) const {
  const Entry *found = nullptr;
  for (const Entry &entry : entries_)
    if (entry.name == name)
      found = &entry;
  std::string what = "array '" + name + "'";
  if (!found)
    throw Error(path_, "missing array '" + name + "'");
  Cursor local(data_, std::size_t(std::min<uint64_t>(found->offset, data_.size())), path_, what);
  if (local.u32() != kLocalHeader)
    throw Error(path_, "truncated or corrupt zip archive: bad local header of " + what);
  local.skip(22);
  uint16_t name_length = local.u16(), extra_length = local.u16();
  local.skip(std::size_t(name_length) + extra_length);
  if (found->compressed > data_.size())
    throw Error(path_, "truncated or corrupt zip archive: " + what + " runs past the end of the file");
  std::string_view stored = local.bytes(std::size_t(found->compressed));
  std::string inflated;
  if (found->method == 8)
    inflated = inflate_bytes(stored, false, found->size, path_, what);
  else if (found->method != 0)
    throw Error(path_, what + ": unsupported zip compression method " + std::to_string(found->method));
  std::string_view contents = found->method == 8 ? std::string_view(inflated) : stored;
  if (contents.size() != found->size)
    throw Error(path_, "truncated or corrupt zip archive: " + what + " has " + std::to_string(contents.size()) +
                           " bytes, its directory says " + std::to_string(found->size));
  if (crc32(contents.data(), contents.size()) != found->crc)
    throw Error(path_, "corrupt zip archive: CRC mismatch in " + what);
  return parse_npy(contents, path_, what);
}

} // namespace snn::rt
