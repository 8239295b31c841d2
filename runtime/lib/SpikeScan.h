//===- SpikeScan.h - Visiting the neurons that spiked in a step -*- C++ -*-===//
//
// Spikes are rare (a few per thousand neurons per step), so the flags are
// read 32 at a time (four 64-bit words), all-zero chunks are skipped, and
// in a word with spikes only its non-zero bytes are visited. Bit-packed
// flags go a word of 32 neurons at a time, a set bit after another.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_SPIKESCAN_H
#define SNN_RUNTIME_SPIKESCAN_H

#include <cstdint>
#include <cstring>

namespace snn::rt {

namespace detail {

/// Calls `visit(first + k)` for each non-zero byte k of `word` (byte k of
/// the flags is bits 8k..8k+7 of a little-endian load), lowest first.
template <typename Visit> inline void visit_flag_bytes(uint64_t word, uint32_t first, Visit &visit) {
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (word != 0) {
    unsigned k = unsigned(__builtin_ctzll(word)) >> 3;
    visit(first + k);
    word &= ~(uint64_t(0xff) << (8 * k));
  }
#else
  unsigned char bytes[8]; // whatever the byte order: the bytes as they were in memory
  std::memcpy(bytes, &word, 8);
  for (uint32_t k = 0; k < 8; ++k)
    if (bytes[k])
      visit(first + k);
#endif
}

} // namespace detail

/// Calls `visit(n)`, in increasing order, for each n in [begin, end) with
/// flags[n] != 0.
template <typename Visit> void for_each_spike(const uint8_t *flags, uint32_t begin, uint32_t end, Visit &&visit) {
  uint32_t n = begin;
  for (; n < end && (n & 7u) != 0; ++n)
    if (flags[n])
      visit(n);
  for (; n + 32 <= end; n += 32) {
    // Four scalars, not an array: an array indexed in a loop goes through
    // the stack on every chunk.
    uint64_t w0, w1, w2, w3;
    std::memcpy(&w0, flags + n, 8);
    std::memcpy(&w1, flags + n + 8, 8);
    std::memcpy(&w2, flags + n + 16, 8);
    std::memcpy(&w3, flags + n + 24, 8);
    if ((w0 | w1 | w2 | w3) == 0)
      continue;
    detail::visit_flag_bytes(w0, n, visit);
    detail::visit_flag_bytes(w1, n + 8, visit);
    detail::visit_flag_bytes(w2, n + 16, visit);
    detail::visit_flag_bytes(w3, n + 24, visit);
  }
  for (; n + 8 <= end; n += 8) {
    uint64_t word;
    std::memcpy(&word, flags + n, sizeof word);
    detail::visit_flag_bytes(word, n, visit);
  }
  for (; n < end; ++n)
    if (flags[n])
      visit(n);
}

/// Calls `visit(n)`, in increasing order, for each bit n set in the
/// `count` words of bit-packed flags (neuron n at bit n % 32 of word
/// n / 32, as a device's spike blocks hold them).
template <typename Visit> void for_each_spike_bit(const uint32_t *words, uint64_t count, Visit &&visit) {
  for (uint64_t w = 0; w < count; ++w)
    for (uint32_t bits = words[w]; bits != 0; bits &= bits - 1)
      visit(uint32_t(32 * w) + uint32_t(__builtin_ctz(bits)));
}

} // namespace snn::rt

#endif // SNN_RUNTIME_SPIKESCAN_H
