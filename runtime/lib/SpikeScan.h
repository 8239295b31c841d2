//===- SpikeScan.h - Visiting the neurons that spiked in a step -*- C++ -*-===//
//
// Spikes are rare (a few per thousand neurons per step), so the flags are
// read eight at a time and all-zero words are skipped.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_SPIKESCAN_H
#define SNN_RUNTIME_SPIKESCAN_H

#include <cstdint>
#include <cstring>

namespace snn::rt {

/// Calls `visit(n)`, in increasing order, for each n in [begin, end) with
/// flags[n] != 0.
template <typename Visit> void for_each_spike(const uint8_t *flags, uint32_t begin, uint32_t end, Visit &&visit) {
  uint32_t n = begin;
  for (; n < end && (n & 7u) != 0; ++n)
    if (flags[n])
      visit(n);
  for (; n + 8 <= end; n += 8) {
    uint64_t word;
    std::memcpy(&word, flags + n, sizeof word);
    if (word == 0)
      continue;
    for (uint32_t k = n; k < n + 8; ++k)
      if (flags[k])
        visit(k);
  }
  for (; n < end; ++n)
    if (flags[n])
      visit(n);
}

} // namespace snn::rt

#endif // SNN_RUNTIME_SPIKESCAN_H
