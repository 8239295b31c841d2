//===- lower/DeliveryStrategy.cpp - How spikes reach their targets --------===//
#include "lower/DeliveryStrategy.h"

#include "lower/Program.h"

#include <algorithm>
#include <cmath>

namespace snn::lower {

const char *name_of(DeliveryStrategy strategy) {
  return strategy == DeliveryStrategy::Presynaptic ? "presynaptic" : "postsynaptic";
}

DeliveryCost delivery_cost(uint64_t num_pre, uint64_t num_post, uint64_t synapses, double dt, bool parallel,
                           bool dense_columns) {
  double spike_probability = std::min(1.0, kAssumedRateHz * dt);
  double atomic = parallel ? kAtomicCost : 1;
  DeliveryCost cost;
  // A flag per presynaptic neuron; per spiking row, each synapse's target
  // and weight and the add into the target.
  cost.presynaptic = double(num_pre) + spike_probability * double(synapses) * (2 + atomic);
  // Per postsynaptic neuron its column bounds and its target; per synapse
  // the column's presynaptic neuron and its flag; per spike, the synapse
  // index and weight, and the add. A device's blocks each stage every flag
  // and read the column's from their copy.
  double flags = double(synapses);
  if (parallel) {
    double blocks = std::ceil(double(num_post) / kDeviceBlockPoints);
    flags = blocks * double(num_pre) + kStagedReadCost * double(synapses);
  }
  // A dense column is every presynaptic neuron: per target only its index
  // (and gate), nothing per synapse but the flag.
  double columns = dense_columns ? double(num_post) : 3.0 * double(num_post) + double(synapses);
  cost.postsynaptic = columns + flags + spike_probability * double(synapses) * 3;
  return cost;
}

DeliveryStrategy choose_delivery(DeliveryChoice choice, const DeliveryCost &cost, bool gatherable) {
  if (!gatherable || choice == DeliveryChoice::Presynaptic)
    return DeliveryStrategy::Presynaptic;
  if (choice == DeliveryChoice::Postsynaptic)
    return DeliveryStrategy::Postsynaptic;
  return cost.postsynaptic < cost.presynaptic ? DeliveryStrategy::Postsynaptic : DeliveryStrategy::Presynaptic;
}

} // namespace snn::lower
