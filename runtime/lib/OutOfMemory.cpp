//===- OutOfMemory.cpp - Allocations that say what did not fit ------------===//
#include "OutOfMemory.h"

#include <fmt/format.h>
#include <cstdio>

#include <unistd.h>

namespace snn::rt {

std::string format_bytes(double bytes) {
  const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  std::size_t unit = 0;
  while (bytes >= 1024 && unit + 1 < sizeof units / sizeof *units) {
    bytes /= 1024;
    ++unit;
  }
  return fmt::format("{:.3g} {}", bytes, units[unit]);
}

double physical_memory() {
  long pages = ::sysconf(_SC_PHYS_PAGES);
  long page_size = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page_size > 0 ? double(pages) * double(page_size) : 0;
}

Error out_of_memory(const std::string &what, double bytes) {
  return Error("out of memory: " + format_bytes(bytes) + " for " + what + " could not be allocated");
}

} // namespace snn::rt
