//===- lower/Verifier.h - Checks of a lowered Program -----------*- C++ -*-===//
#pragma once

#include "lower/Program.h"

#include <string>
#include <vector>

namespace snn::lower {

/// Structural problems of `program`, empty when it is well formed:
///  - buffers: real buffers have the Program's real type, owners exist, the
///    extents of neuron, row, pre and post scopes match the network;
///  - kernels: the domain's extent, spike and row parameters exist with the
///    right types; every local is bound once, before it is read, with the
///    type it is read as; loads read readable buffer parameters and stores
///    write writable ones, with values of the element's type; model-IR
///    expressions read only locals and draw no random numbers; a Stage
///    stands at the top of the body of a domain that runs past its extent
///    (only a Neurons domain does), stages a read-only buffer that is not
///    bit-packed, and has bounds that read only scalars, built-ins and `b`;
///  - entry points: exactly init, reset_example and step, in that order;
///    every launch binds each parameter to an argument of the same kind,
///    element type, scope and batch axis, and binds one buffer to two
///    parameters only when neither writes it;
///  - populations, projections and records name existing buffers.
std::vector<std::string> verify(const Program &program);

} // namespace snn::lower
