//===- Pruning.h - Magnitude pruning at the end of epochs -------*- C++ -*-===//
//
// The regime's prune rules (snn_prune_desc): at the end of a pruning epoch
// (after its training batches, before its evaluation), each pruned
// projection keeps the synapses with the largest |w| and the others leave
// every buffer of its synapses (Simulation::remove_synapses), so that the
// memory and the work of the projection fall with its density. Pruning
// reads only the weights, which every MPI rank holds identically, so every
// rank removes the same synapses.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_PRUNING_H
#define SNN_RUNTIME_PRUNING_H

#include "snn/model_abi.h"
#include "snn/runtime.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace snn::rt {

/// The density rule `rule` asks for at the end of epoch `epoch` of a run of
/// `epochs` epochs that began at density `initial`; nullopt when the rule
/// does not prune then (model_abi.h: the gradual cubic schedule, or once).
std::optional<double> prune_target(const snn_prune_desc &rule, uint32_t epoch, uint32_t epochs, double initial);

/// The `keep` synapses with the largest |weights[s]| (a NaN counts as the
/// largest), ties to the earlier synapse: 1 for kept, 0 for removed.
std::vector<uint8_t> keep_largest(const std::vector<double> &weights, uint64_t keep);

/// The pairs of projection `j` (num_pre * num_post less the diagonal of a
/// projection onto its own pre population without autapses).
uint64_t projection_pairs(const snn_model_desc &model, uint32_t j);
/// Projection `j`'s synapses over its pairs in `simulation` now (0 without pairs).
double projection_density(const Simulation &simulation, uint32_t j);

class Pruning {
public:
  /// The rules of `model` for a run of `epochs` epochs, with the density of
  /// each pruned projection before training read from `simulation` (built,
  /// not yet pruned or restored from a checkpoint).
  Pruning(const snn_model_desc &model, const Simulation &simulation, uint32_t epochs);

  bool enabled() const { return !rules_.empty(); }
  /// Prunes what the rules ask at the end of epoch `epoch`.
  void end_epoch(uint32_t epoch, Simulation &simulation) const;
  /// Each pruned projection's name and density (synapses over pairs) now.
  std::vector<std::pair<std::string, double>> densities(const Simulation &simulation) const;

private:
  struct Rule {
    snn_prune_desc desc;
    double initial = 0; ///< the density before training
    uint64_t pairs = 0;
  };
  const snn_model_desc &model_;
  uint32_t epochs_;
  std::vector<Rule> rules_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_PRUNING_H
