//===- test/unit/runtime/DataParallelTest.cpp - Shares of a batch ----------===//
//
// example_share: the ranks' shares tile the batch's examples in order,
// follow the slots (the same rank keeps a slot whatever the batch's size),
// and may be empty for a partial batch. Outside mpirun a run is one rank.
// --exchange's values, and the ranks that share a device unit.
//
//===----------------------------------------------------------------------===//
#include "DataParallel.h"

#include "snn/runtime.h"

#include <gtest/gtest.h>

namespace snn::rt {
namespace {

TEST(DataParallel, SharesTileTheBatchInOrder) {
  for (uint32_t ranks : {1u, 2u, 3u, 5u})
    for (uint32_t capacity : {1u, 4u, 7u, 32u})
      for (uint32_t count = 1; count <= capacity; ++count) {
        uint32_t next = 0;
        for (uint32_t r = 0; r < ranks; ++r) {
          auto [first, end] = example_share(r, ranks, count, capacity);
          EXPECT_EQ(first, next) << ranks << " ranks, " << count << " of " << capacity;
          EXPECT_LE(first, end);
          next = end;
        }
        EXPECT_EQ(next, count);
      }
}

TEST(DataParallel, ASlotStaysOnItsRank) {
  // Batch slots of 4 over 3 ranks: 0 | 1 | 2 3; a last batch of 2 leaves
  // rank 2 without an example and slots 0 and 1 where they were.
  EXPECT_EQ(example_share(0, 3, 4, 4), std::make_pair(0u, 1u));
  EXPECT_EQ(example_share(1, 3, 4, 4), std::make_pair(1u, 2u));
  EXPECT_EQ(example_share(2, 3, 4, 4), std::make_pair(2u, 4u));
  EXPECT_EQ(example_share(0, 3, 2, 4), std::make_pair(0u, 1u));
  EXPECT_EQ(example_share(1, 3, 2, 4), std::make_pair(1u, 2u));
  EXPECT_EQ(example_share(2, 3, 2, 4), std::make_pair(2u, 2u));
}

TEST(DataParallel, OutsideMpirunARunIsOneRank) {
  if (launched_as_mpi_job())
    GTEST_SKIP() << "running under an MPI launcher";
  DataParallel parallel;
  EXPECT_EQ(parallel.rank(), 0u);
  EXPECT_EQ(parallel.size(), 1u);
  EXPECT_FALSE(parallel.distributed());
  EXPECT_EQ(parallel.share(5, 8), std::make_pair(0u, 5u));
}

TEST(DataParallel, ExchangeOption) {
  EXPECT_EQ(parse_exchange("auto"), Exchange::Auto);
  EXPECT_EQ(parse_exchange("mpi"), Exchange::Mpi);
  EXPECT_EQ(parse_exchange("nccl"), Exchange::Device);
  for (const char *bad : {"", "NCCL", "gloo", "mpi "}) {
    try {
      parse_exchange(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error &e) {
      EXPECT_EQ(std::string(e.what()),
                "error: option '--exchange' needs auto, mpi or nccl, not '" + std::string(bad) + "'");
    }
  }
}

// NCCL refuses two ranks on one GPU: the first pair that shares one.
TEST(DataParallel, RanksSharingAUnit) {
  auto unit = [](uint8_t id) {
    UnitIdentity u{};
    u[15] = id;
    return u;
  };
  EXPECT_EQ(shared_unit({}), std::nullopt);
  EXPECT_EQ(shared_unit({unit(1)}), std::nullopt);
  EXPECT_EQ(shared_unit({unit(1), unit(2), unit(3), unit(4)}), std::nullopt);
  EXPECT_EQ(shared_unit({unit(1), unit(2), unit(1), unit(2)}), std::make_pair(0u, 2u));
  EXPECT_EQ(shared_unit({unit(1), unit(2), unit(3), unit(2)}), std::make_pair(1u, 3u));
  EXPECT_EQ(shared_unit({unit(7), unit(7)}), std::make_pair(0u, 1u));
}

// Outside mpirun nothing is exchanged, whatever is asked, and no device
// unit is selected (the run's one process uses the default GPU).
TEST(DataParallel, OneProcessChoosesNoExchange) {
  if (launched_as_mpi_job())
    GTEST_SKIP() << "running under an MPI launcher";
  DataParallel parallel;
  parallel.choose_exchange(nullptr, Exchange::Device);
  EXPECT_EQ(parallel.exchange(), "MPI");
}

} // namespace
} // namespace snn::rt
