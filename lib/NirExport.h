//===- NirExport.h - A checked model as a NIR graph -------------*- C++ -*-===//
//
// `snnc --emit=nir model.snn -o model.nir.h5 [--weights W.npz]` (docs/nir.md):
// the network of the checked model IR (before the passes, so that every
// parameter still has its value) as a NIR graph in NIR's HDF5 format.
//
// Spike sources become Input nodes, populations of std.nir models the node
// type they came from (NirLIF -> LIF, ...), std.neurons' LIF,
// LeakyIntegrator and Readout LIF and LI nodes (with r = tau / dt, so that a
// spike of weight w still moves v by w), and each projection a Linear node
// (an Affine one carrying its target's `bias`), or a Scale node for a
// one_to_one projection of one weight, followed by a Delay node where it
// waits longer than import would give it: 0 steps forward, 1 step on an
// edge closing a cycle. Populations no projection leaves get Output nodes.
// Weights come from the file --weights-out wrote (arrays "PRE->POST"), from
// the projection's own `weight load(...)`, or from a constant weight.
// Anything NIR cannot say is an error naming it, and nothing is written.
//
//===----------------------------------------------------------------------===//
#ifndef SNN_LIB_NIREXPORT_H
#define SNN_LIB_NIREXPORT_H

#include "diag/Diagnostics.h"
#include "ir/Module.h"

#include <string>

namespace snn {

/// Writes the NIR graph of `module`'s network to `path` (atomically: a
/// temporary file renamed over it), weights from `weights_file` (an .npz
/// of --weights-out, or empty). Reports errors to `diags`; false then.
bool write_nir(const ir::Module &module, const std::string &path, const std::string &weights_file,
               diag::Diagnostics &diags);

} // namespace snn

#endif // SNN_LIB_NIREXPORT_H
