//===- test/unit/runtime/SpikeScanTest.cpp - for_each_spike ---------------===//
//
// for_each_spike visits exactly the non-zero flags of a range, in increasing
// order, whatever the range's alignment, length and flag values: compared
// with a plain loop over random flag arrays; for_each_spike_bit likewise
// over bit-packed flags.
//
//===----------------------------------------------------------------------===//
#include "SpikeScan.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace snn::rt {
namespace {

TEST(SpikeScan, VisitsTheNonZeroFlagsInOrder) {
  std::mt19937 rng(7);
  for (double density : {0.0, 0.01, 0.2, 1.0})
    for (uint32_t size : {0u, 1u, 7u, 8u, 31u, 32u, 33u, 64u, 100u, 257u}) {
      std::vector<uint8_t> flags(size + 16); // room for a misaligned start
      std::bernoulli_distribution set(density);
      std::uniform_int_distribution<int> value(1, 255); // any non-zero byte is a spike
      for (uint8_t &f : flags)
        f = set(rng) ? uint8_t(value(rng)) : 0;
      for (uint32_t offset : {0u, 1u, 5u, 8u, 13u})
        for (uint32_t begin : {0u, 3u, 9u}) {
          uint32_t end = size;
          if (begin > end)
            continue;
          const uint8_t *base = flags.data() + offset;
          std::vector<uint32_t> expected, visited;
          for (uint32_t n = begin; n < end; ++n)
            if (base[n])
              expected.push_back(n);
          for_each_spike(base, begin, end, [&](uint32_t n) { visited.push_back(n); });
          ASSERT_EQ(visited, expected) << "density " << density << " size " << size << " offset " << offset << " begin "
                                       << begin;
        }
    }
}

// for_each_spike_bit visits the set bits of bit-packed flags in order.
TEST(SpikeScan, VisitsTheSetBitsInOrder) {
  std::mt19937 rng(11);
  for (double density : {0.0, 0.01, 0.5, 1.0})
    for (uint32_t words : {0u, 1u, 2u, 5u}) {
      std::vector<uint32_t> bits(words, 0);
      std::vector<uint32_t> expected, visited;
      std::bernoulli_distribution set(density);
      for (uint32_t n = 0; n < 32 * words; ++n)
        if (set(rng)) {
          bits[n / 32] |= 1u << (n % 32);
          expected.push_back(n);
        }
      for_each_spike_bit(bits.data(), words, [&](uint32_t n) { visited.push_back(n); });
      ASSERT_EQ(visited, expected) << "density " << density << " words " << words;
    }
}

} // namespace
} // namespace snn::rt
