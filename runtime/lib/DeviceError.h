//===- DeviceError.h - Messages of the device descriptors' calls -*- C++ -*-===//
//
// The calls of snn_device_desc and snn_collective_desc (model_abi.h) report
// a failure as text in a buffer that the runtime owns (`error`,
// `error_size`): C's calling convention, so that a device library need not
// share the runtime's C++ types.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_DEVICEERROR_H
#define SNN_RUNTIME_DEVICEERROR_H

#include <fmt/format.h>

#include <cstdint>
#include <utility>

namespace snn::rt {

/// Formats a message into a device call's error buffer, cut to fit and
/// NUL-terminated. Writes nothing into a buffer of no bytes.
template <typename... Args>
void write_device_error(char *error, uint64_t error_size, fmt::format_string<Args...> format, Args &&...args) {
  if (!error || error_size == 0)
    return;
  *fmt::format_to_n(error, std::size_t(error_size - 1), format, std::forward<Args>(args)...).out = '\0';
}

} // namespace snn::rt

#endif // SNN_RUNTIME_DEVICEERROR_H
