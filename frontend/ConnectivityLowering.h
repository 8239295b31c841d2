//===- frontend/ConnectivityLowering.h - Connectivity of a projection -*- C++ -*-===//
//
// The connectivity clause of a `connect` statement:
//   dense | one_to_one
//   fixed_probability(p[, autapses: B])
//   fixed_in_degree(k[, autapses: B])    each post neuron from k distinct pre
//   fixed_out_degree(k[, autapses: B])   each pre neuron to k distinct post
//   fixed_total(n[, autapses: B])        n distinct pairs of all
// The runtime draws the synapses (runtime/lib/Connectivity.cpp); here the
// counts are checked against the population sizes, which are known.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "diag/Diagnostics.h"
#include "frontend/AST.h"
#include "frontend/ExprLowering.h"
#include "ir/Module.h"

namespace snn::frontend {

/// Lowers the connectivity of `c` into `pr` (between `pre` and `post`);
/// reports located errors and returns false on a mistake.
bool lower_connectivity(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post,
                        ir::Projection &pr, ExprLowering &exprs, diag::Diagnostics &diags);

/// A projection stores its synapses with 32-bit offsets; one expected to
/// exceed that is an error here, not after minutes of drawing at run time.
/// (A fixed_probability projection may be stored procedurally, without
/// offsets: passes/Sparsify checks it.)
bool check_synapse_count(const ast::ConnectDecl &c, const ir::Population &pre, const ir::Population &post,
                         const ir::Projection &pr, diag::Diagnostics &diags);

} // namespace snn::frontend
