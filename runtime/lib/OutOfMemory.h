//===- OutOfMemory.h - Allocations that say what did not fit ----*- C++ -*-===//
//
// A failed allocation of a model's memory (a buffer, a projection's
// synapses) becomes a user Error that names what was being allocated and how
// much: "out of memory: 1.5 GiB for buffer 'exc.v' (...)". The run's
// command line prints it and exits 1, like any other Error.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_OUTOFMEMORY_H
#define SNN_RUNTIME_OUTOFMEMORY_H

#include "snn/runtime.h"

#include <new>
#include <stdexcept>
#include <string>

namespace snn::rt {

/// "1.5 GiB", "8 EiB": three significant digits in binary units.
std::string format_bytes(double bytes);

/// Physical memory of the machine in bytes, or 0 when unknown.
double physical_memory();

/// The Error for `bytes` that could not be allocated for `what`.
Error out_of_memory(const std::string &what, double bytes);

/// Runs `allocate`; a failed allocation (std::bad_alloc, or a std::length_error
/// from a container asked for more than it can hold) throws the Error that
/// `explain` returns, so the message is built only when it is needed.
template <typename Allocate, typename Explain> auto allocating(Allocate allocate, Explain explain) {
  try {
    return allocate();
  } catch (const std::bad_alloc &) {
  } catch (const std::length_error &) {
  }
  throw explain();
}

} // namespace snn::rt

#endif // SNN_RUNTIME_OUTOFMEMORY_H
