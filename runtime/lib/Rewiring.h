//===- Rewiring.h - Deep R's rewiring after each optimiser step -*- C++ -*-===//
//
// The runtime's half of Deep R (snn_rewire_desc; the generated half is the
// kernel of apply_gradients, lower/RewiringKernels.h): after each optimiser
// step the synapses that kernel flagged dormant leave the projection, and
// as many pairs that are not synapses, drawn uniformly by rejection from
// the rewiring stream (snn/philox.h, SNN_RNG_REWIRE, keyed by the optimiser
// step), become synapses with w = 0 and every other per-synapse value 0.
// The draws depend on the seed, the step and the weights only, which every
// MPI rank holds identically, so every rank rewires alike, whatever the
// thread count.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_RUNTIME_REWIRING_H
#define SNN_RUNTIME_REWIRING_H

#include "snn/model_abi.h"
#include "snn/runtime.h"

#include <cstdint>
#include <vector>

namespace snn::rt {

class Rewiring {
public:
  explicit Rewiring(const snn_model_desc &model);

  bool enabled() const { return !rules_.empty(); }
  /// After optimiser step `step` of `simulation`: replaces the dormant
  /// synapses of every rewired projection. Returns how many it replaced.
  uint64_t after_step(uint64_t step, Simulation &simulation) const;

private:
  const snn_model_desc &model_;
  std::vector<snn_rewire_desc> rules_;
};

} // namespace snn::rt

#endif // SNN_RUNTIME_REWIRING_H
