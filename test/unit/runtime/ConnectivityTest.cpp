//===- ConnectivityTest.cpp - Synapses built from projection descriptors --===//

#include "Connectivity.h"

#include "snn/philox.h"
#include "snn/runtime.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace snn::rt {
namespace {

/// A model descriptor with populations of the given sizes and projections
/// added one at a time; only what build_synapses reads is filled in.
class Network {
public:
  explicit Network(std::vector<uint32_t> sizes) {
    for (uint32_t size : sizes)
      populations_.push_back(
          {"pop", "LIF", size, 0, nullptr, 0, nullptr, 0, SNN_NO_BUFFER, SNN_NO_BUFFER, SNN_NO_BUFFER});
    populations_[0].name = "a";
    if (populations_.size() > 1)
      populations_[1].name = "b";
    desc_ = {};
    desc_.abi_version = SNN_MODEL_ABI_VERSION;
    desc_.real_size = 8;
    desc_.name = "net";
    desc_.dt = 1e-4;
  }

  /// Adds a projection and returns its index.
  /// The buffer indices are never read by build_synapses.
  uint32_t add(uint32_t pre, uint32_t post, snn_connectivity_kind kind, double probability = 0, bool autapses = true,
               uint64_t count = 0) {
    projections_.push_back({"a -> b",
                            pre,
                            post,
                            uint32_t(kind),
                            probability,
                            count,
                            autapses ? 1u : 0u,
                            0,
                            0,
                            0,
                            nullptr,
                            nullptr,
                            nullptr,
                            nullptr,
                            nullptr,
                            SNN_LAYOUT_DEFAULT,
                            0,
                            0,
                            0,
                            SNN_STORAGE_RAGGED,
                            SNN_NO_BUFFER});
    return uint32_t(projections_.size() - 1);
  }

  /// A from_list projection over `pre` and `post` (kept alive by the caller).
  uint32_t add_list(const std::vector<uint32_t> &pre, const std::vector<uint32_t> &post) {
    uint32_t j = add(0, 1, SNN_CONNECT_FROM_LIST, 0, true, pre.size());
    projections_[j].list_pre = pre.data();
    projections_[j].list_post = post.data();
    return j;
  }

  /// Gives projection `j` storage `storage` (enum snn_synapse_storage).
  void store(uint32_t j, uint32_t storage) { projections_[j].storage = storage; }

  const snn_model_desc &desc() {
    desc_.num_populations = uint32_t(populations_.size());
    desc_.populations = populations_.data();
    desc_.num_projections = uint32_t(projections_.size());
    desc_.projections = projections_.data();
    return desc_;
  }

  ProjectionSynapses build(uint32_t projection, uint64_t seed = 7) { return build_synapses(desc(), projection, seed); }

private:
  std::vector<snn_population_desc> populations_;
  std::vector<snn_projection_desc> projections_;
  snn_model_desc desc_;
};

/// Row starts are monotone and targets strictly ascending within a row.
void expect_well_formed(const ProjectionSynapses &synapses, uint32_t num_pre, uint32_t num_post) {
  ASSERT_EQ(synapses.row_start.size(), num_pre + 1u);
  EXPECT_EQ(synapses.row_start[0], 0u);
  EXPECT_EQ(synapses.row_start[num_pre], synapses.count());
  for (uint32_t i = 0; i < num_pre; ++i) {
    ASSERT_LE(synapses.row_start[i], synapses.row_start[i + 1]);
    for (uint32_t s = synapses.row_start[i]; s < synapses.row_start[i + 1]; ++s) {
      ASSERT_LT(synapses.target[s], num_post);
      if (s > synapses.row_start[i]) {
        ASSERT_LT(synapses.target[s - 1], synapses.target[s]);
      }
    }
  }
}

TEST(Connectivity, DenseConnectsEveryPair) {
  Network network({5, 7});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_DENSE));
  expect_well_formed(synapses, 5, 7);
  EXPECT_EQ(synapses.count(), 35u);
  for (uint32_t i = 0; i < 5; ++i)
    for (uint32_t j = 0; j < 7; ++j)
      EXPECT_EQ(synapses.target[i * 7 + j], j);
}

TEST(Connectivity, DenseRecurrentHonoursAutapses) {
  Network network({6});
  ProjectionSynapses with = network.build(network.add(0, 0, SNN_CONNECT_DENSE));
  EXPECT_EQ(with.count(), 36u);
  ProjectionSynapses without = network.build(network.add(0, 0, SNN_CONNECT_DENSE, 0, false));
  expect_well_formed(without, 6, 6);
  EXPECT_EQ(without.count(), 30u);
  for (uint32_t i = 0; i < 6; ++i)
    for (uint32_t s = without.row_start[i]; s < without.row_start[i + 1]; ++s)
      EXPECT_NE(without.target[s], i);
}

TEST(Connectivity, DenseBetweenDifferentPopulationsKeepsDiagonal) {
  // autapses = 0 only matters when pre and post are the same population.
  Network network({4, 4});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_DENSE, 0, false));
  EXPECT_EQ(synapses.count(), 16u);
}

TEST(Connectivity, OneToOneConnectsMatchingIndices) {
  Network network({4, 4});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_ONE_TO_ONE));
  expect_well_formed(synapses, 4, 4);
  ASSERT_EQ(synapses.count(), 4u);
  for (uint32_t i = 0; i < 4; ++i) {
    EXPECT_EQ(synapses.row_start[i], i);
    EXPECT_EQ(synapses.target[i], i);
  }
}

TEST(Connectivity, OneToOneOntoItselfWithoutAutapsesIsEmpty) {
  Network network({4});
  ProjectionSynapses synapses = network.build(network.add(0, 0, SNN_CONNECT_ONE_TO_ONE, 0, false));
  expect_well_formed(synapses, 4, 4);
  EXPECT_EQ(synapses.count(), 0u);
}

TEST(Connectivity, OneToOneRejectsDifferentSizes) {
  Network network({4, 5});
  network.add(0, 1, SNN_CONNECT_ONE_TO_ONE);
  try {
    network.build(0);
    FAIL() << "expected an error";
  } catch (const Error &error) {
    EXPECT_EQ(error.kind(), Error::Kind::User);
    EXPECT_STREQ(error.what(), "error: projection 'a -> b': one-to-one connectivity needs "
                               "equal sizes, but 'a' has 4 neurons and 'b' has 5");
  }
}

TEST(Connectivity, RejectsProbabilityOutsideUnitInterval) {
  for (double p : {-0.1, 1.5, std::nan("")}) {
    Network network({4, 5});
    network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, p);
    try {
      network.build(0);
      FAIL() << "expected an error for p = " << p;
    } catch (const Error &error) {
      EXPECT_NE(std::string(error.what()).find("connection probability"), std::string::npos);
      EXPECT_NE(std::string(error.what()).find("is not in [0, 1]"), std::string::npos);
    }
  }
}

TEST(Connectivity, FixedProbabilityCountIsBinomial) {
  // 1000 x 1000 pairs at p = 0.1: mean 100000, sigma = sqrt(n p (1 - p)) = 300.
  Network network({1000, 1000});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.1));
  expect_well_formed(synapses, 1000, 1000);
  EXPECT_NEAR(double(synapses.count()), 100000.0, 4 * 300.0);
  // Geometric skipping must not favour any column: each post neuron's
  // in-degree is Binomial(1000, 0.1), sigma 9.5; 6 sigma over 1000 columns.
  std::vector<int> in_degree(1000, 0);
  for (uint32_t target : synapses.target)
    ++in_degree[target];
  for (int degree : in_degree)
    EXPECT_NEAR(degree, 100.0, 6 * 9.5);
  // The first and the last column carry the same share (no edge bias).
  long first_half = 0;
  for (uint32_t target : synapses.target)
    first_half += target < 500;
  EXPECT_NEAR(double(first_half) / synapses.count(), 0.5, 0.01);
}

TEST(Connectivity, ProceduralRowsAreCountedNotStored) {
  // The same rows as the stored projection's, counted: generated code
  // regenerates them (lower/GeneratedRows.h).
  // (Projection 0 of two networks: the rows are drawn per projection index.)
  Network stored({300, 300}), procedural({300, 300});
  ProjectionSynapses rows = stored.build(stored.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.1, false));
  procedural.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.1, false);
  procedural.store(0, SNN_STORAGE_PROCEDURAL);
  ProjectionSynapses counted = procedural.build(0);
  EXPECT_GT(rows.count(), 8000u);
  EXPECT_EQ(counted.count(), rows.count());
  EXPECT_TRUE(counted.row_start.empty() && counted.target.empty());
  EXPECT_FALSE(counted.estimated);
  // Too many to count in a second: the expectation, flagged as such.
  Network large({200000, 200000});
  uint32_t j = large.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.01);
  large.store(j, SNN_STORAGE_PROCEDURAL);
  ProjectionSynapses expected = large.build(j);
  EXPECT_TRUE(expected.estimated);
  EXPECT_EQ(expected.count(), 400000000u);
  EXPECT_TRUE(expected.row_start.empty() && expected.target.empty());
}

TEST(Connectivity, FixedProbabilityExcludesAutapses) {
  Network network({300});
  ProjectionSynapses synapses = network.build(network.add(0, 0, SNN_CONNECT_FIXED_PROBABILITY, 0.5, false));
  expect_well_formed(synapses, 300, 300);
  for (uint32_t i = 0; i < 300; ++i)
    for (uint32_t s = synapses.row_start[i]; s < synapses.row_start[i + 1]; ++s)
      ASSERT_NE(synapses.target[s], i);
  // 300 * 299 pairs at p = 0.5: mean 44850, sigma 106.
  EXPECT_NEAR(double(synapses.count()), 44850.0, 4 * 106.0);
}

TEST(Connectivity, FixedProbabilityExtremes) {
  Network network({30, 40});
  EXPECT_EQ(network.build(network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0)).count(), 0u);
  ProjectionSynapses all = network.build(network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 1));
  expect_well_formed(all, 30, 40);
  EXPECT_EQ(all.count(), 1200u);
  Network recurrent({30});
  EXPECT_EQ(recurrent.build(recurrent.add(0, 0, SNN_CONNECT_FIXED_PROBABILITY, 1, false)).count(), 870u);
}

bool same_network(const ProjectionSynapses &a, const ProjectionSynapses &b) {
  return a.row_start == b.row_start && a.target == b.target;
}

/// Synapses per post neuron.
std::vector<uint32_t> in_degrees(const ProjectionSynapses &synapses, uint32_t num_post) {
  std::vector<uint32_t> degree(num_post, 0);
  for (uint32_t target : synapses.target)
    ++degree[target];
  return degree;
}

TEST(Connectivity, FixedOutDegreeGivesEveryRowKDistinctTargets) {
  Network network({300, 200});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_FIXED_OUT_DEGREE, 0, true, 25));
  expect_well_formed(synapses, 300, 200); // strictly ascending rows: no multapses
  for (uint32_t i = 0; i < 300; ++i)
    ASSERT_EQ(synapses.row_start[i + 1] - synapses.row_start[i], 25u);
  // Uniform targets: each post's in-degree is Binomial(300, 25/200),
  // mean 37.5, sigma 5.7; 6 sigma over 200 columns, and no edge bias.
  std::vector<uint32_t> degree = in_degrees(synapses, 200);
  for (uint32_t d : degree)
    EXPECT_NEAR(d, 37.5, 6 * 5.7);
  long first_half = 0;
  for (uint32_t target : synapses.target)
    first_half += target < 100;
  EXPECT_NEAR(double(first_half) / synapses.count(), 0.5, 0.02);
}

TEST(Connectivity, FixedInDegreeGivesEveryColumnKDistinctSources) {
  Network network({200, 300});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_FIXED_IN_DEGREE, 0, true, 40));
  expect_well_formed(synapses, 200, 300);
  for (uint32_t d : in_degrees(synapses, 300))
    ASSERT_EQ(d, 40u);
  // Out-degrees Binomial(300, 40/200): mean 60, sigma 6.9.
  for (uint32_t i = 0; i < 200; ++i)
    EXPECT_NEAR(double(synapses.row_start[i + 1] - synapses.row_start[i]), 60.0, 6 * 6.9);
}

TEST(Connectivity, FixedDegreesWithoutAutapsesCanTakeEveryOtherNeuron) {
  Network network({50});
  for (auto kind : {SNN_CONNECT_FIXED_IN_DEGREE, SNN_CONNECT_FIXED_OUT_DEGREE}) {
    ProjectionSynapses synapses = network.build(network.add(0, 0, kind, 0, false, 49));
    expect_well_formed(synapses, 50, 50);
    EXPECT_EQ(synapses.count(), 50u * 49u);
    for (uint32_t i = 0; i < 50; ++i)
      for (uint32_t s = synapses.row_start[i]; s < synapses.row_start[i + 1]; ++s)
        ASSERT_NE(synapses.target[s], i);
  }
  // One more than there are: an error, not a hang or a duplicate.
  EXPECT_THROW(network.build(network.add(0, 0, SNN_CONNECT_FIXED_OUT_DEGREE, 0, false, 50)), Error);
  EXPECT_THROW(network.build(network.add(0, 0, SNN_CONNECT_FIXED_IN_DEGREE, 0, false, 50)), Error);
}

TEST(Connectivity, FixedTotalDrawsDistinctPairsUniformly) {
  Network network({100, 80});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_FIXED_TOTAL, 0, true, 4000));
  expect_well_formed(synapses, 100, 80);
  EXPECT_EQ(synapses.count(), 4000u);
  // Row sizes are hypergeometric around 40 (sigma 4.5), columns around 50.
  for (uint32_t i = 0; i < 100; ++i)
    EXPECT_NEAR(double(synapses.row_start[i + 1] - synapses.row_start[i]), 40.0, 6 * 4.5);
  for (uint32_t d : in_degrees(synapses, 80))
    EXPECT_NEAR(d, 50.0, 6 * 5.0);
  Network recurrent({20});
  ProjectionSynapses all = recurrent.build(recurrent.add(0, 0, SNN_CONNECT_FIXED_TOTAL, 0, false, 380));
  expect_well_formed(all, 20, 20);
  EXPECT_EQ(all.count(), 380u); // every pair but the 20 autapses
  for (uint32_t i = 0; i < 20; ++i)
    for (uint32_t s = all.row_start[i]; s < all.row_start[i + 1]; ++s)
      ASSERT_NE(all.target[s], i);
  EXPECT_THROW(recurrent.build(recurrent.add(0, 0, SNN_CONNECT_FIXED_TOTAL, 0, false, 381)), Error);
}

TEST(Connectivity, FixedCountsAreDeterministicPerSeed) {
  Network network({100, 100});
  for (auto kind : {SNN_CONNECT_FIXED_IN_DEGREE, SNN_CONNECT_FIXED_OUT_DEGREE, SNN_CONNECT_FIXED_TOTAL}) {
    uint32_t j = network.add(0, 1, kind, 0, true, kind == SNN_CONNECT_FIXED_TOTAL ? 500 : 10);
    EXPECT_TRUE(same_network(network.build(j, 5), network.build(j, 5)));
    EXPECT_NE(network.build(j, 5).target, network.build(j, 6).target);
  }
}

TEST(Connectivity, SameSeedGivesBitIdenticalNetwork) {
  Network network({200, 300});
  uint32_t j = network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.05);
  ProjectionSynapses first = network.build(j, 12345);
  ProjectionSynapses second = network.build(j, 12345);
  EXPECT_TRUE(same_network(first, second));
  ProjectionSynapses other = network.build(j, 12346);
  EXPECT_NE(first.target, other.target);
  // Seeds that differ only in the high word give different networks too.
  ProjectionSynapses high = network.build(j, 12345 + (1ull << 32));
  EXPECT_NE(first.target, high.target);
}

TEST(Connectivity, FromListBuildsTheListedRows) {
  Network network({4, 3});
  std::vector<uint32_t> pre = {0, 0, 2, 3}, post = {1, 2, 2, 0};
  ProjectionSynapses synapses = network.build(network.add_list(pre, post));
  expect_well_formed(synapses, 4, 3);
  EXPECT_EQ(synapses.row_start, (std::vector<uint32_t>{0, 2, 2, 3, 4}));
  EXPECT_EQ(synapses.target, (std::vector<uint32_t>{1, 2, 2, 0}));
  // A list out of order or range is a broken model, not a user's mistake.
  std::vector<uint32_t> unsorted_pre = {2, 0}, unsorted_post = {0, 0};
  EXPECT_THROW(network.build(network.add_list(unsorted_pre, unsorted_post)), Error);
  std::vector<uint32_t> far_pre = {0}, far_post = {3};
  EXPECT_THROW(network.build(network.add_list(far_pre, far_post)), Error);
}

TEST(Connectivity, ProjectionsDrawFromDifferentStreams) {
  Network network({200, 300});
  uint32_t a = network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.05);
  uint32_t b = network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.05);
  EXPECT_NE(network.build(a).target, network.build(b).target);
}

TEST(Connectivity, FirstSynapseFollowsDocumentedStream) {
  // Row 0 of projection 0: the first gap is floor(ln(1 - u) / ln(1 - p)) with
  // u from block (0, 0, 0, tag(CONNECTIVITY, 0)), words 0 and 1.
  const uint64_t seed = 99;
  const double p = 0.01;
  Network network({1, 100000});
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, p), seed);
  uint32_t key[2], out[4];
  snn_philox_key(seed, key);
  uint32_t counter[4] = {0, 0, 0, snn_philox_tag(SNN_RNG_CONNECTIVITY, 0)};
  snn_philox4x32(counter, key, out);
  double u = snn_uniform01_f64(out[0], out[1]);
  uint32_t first = uint32_t(std::floor(std::log(1 - u) / std::log1p(-p)));
  ASSERT_GT(synapses.count(), 0u);
  EXPECT_EQ(synapses.target[0], first);
}

TEST(Connectivity, CubaSizedProjectionIsFast) {
  // 3200 x 4000 at p = 0.02: 256000 synapses expected, sigma 500.
  Network network({3200, 4000});
  auto start = std::chrono::steady_clock::now();
  ProjectionSynapses synapses = network.build(network.add(0, 1, SNN_CONNECT_FIXED_PROBABILITY, 0.02));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_NEAR(double(synapses.count()), 256000.0, 4 * 500.0);
  // Generous: geometric skipping takes milliseconds; one draw per pair
  // (12.8 million) would not.
  EXPECT_LT(seconds, 1.0);
}

TEST(Connectivity, ColumnsListEachTargetsSynapsesInPresynapticOrder) {
  // Rows: pre 0 -> {1, 2}, pre 1 -> {}, pre 2 -> {0, 2}, pre 3 -> {2}.
  ProjectionSynapses synapses;
  synapses.row_start = {0, 2, 2, 4, 5};
  synapses.target = {1, 2, 0, 2, 2};
  std::vector<uint32_t> start, order, pre;
  build_columns(synapses, 3, start, order, pre);
  EXPECT_EQ(start, (std::vector<uint32_t>{0, 1, 2, 5}));
  EXPECT_EQ(order, (std::vector<uint32_t>{2, 0, 1, 3, 4})); // synapse indices, by target
  EXPECT_EQ(pre, (std::vector<uint32_t>{2, 0, 0, 2, 3}));   // their rows, ascending within a target
}

} // namespace
} // namespace snn::rt
