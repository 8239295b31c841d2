//===- ZipFormat.h - Record signatures and limits of zip files --*- C++ -*-===//
//
// What the NPZ writer (Npz.cpp) and reader (NpzReader.cpp) agree on: the
// signatures of zip records (PKWARE APPNOTE 6.3) and the field limits past
// which zip64 records are used.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_ZIPFORMAT_H
#define SNN_RUNTIME_ZIPFORMAT_H

#include <cstdint>

namespace snn::rt::zip {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentral = 0x06054b50;
constexpr uint32_t kZip64EndOfCentral = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kMax32 = 0xffffffffu;
constexpr uint16_t kMax16 = 0xffffu;

} // namespace snn::rt::zip

#endif // SNN_RUNTIME_ZIPFORMAT_H
