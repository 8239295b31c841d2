//===- lower/RandomStreams.h - The counters of every random draw -*- C++ -*-===//
//
// Every random number of generated code is one Philox4x32-10 block (see
// runtime/include/snn/philox.h) whose counter and key say what is drawn, so
// no result depends on evaluation order, thread count, backend or launch
// configuration. The layout, with tag(d, x) = d << 28 | x:
//
//   example key  e = first_example + b, for all per-example draws:
//                philox((e, e >> 32, 0, tag(EXAMPLE, 0)), run key), words 0 and 1
//   step draws   rand()/randn() at call site s of population p, neuron n:
//                philox((n, step, step >> 32, tag(STEP, p << 8 | s)), example key)
//   initial      state k's initial value, call site s, population p, neuron n:
//                philox((n, k, 0, tag(INIT, p << 8 | s)), example key)
//   parameters   a parameter made per neuron (state k, `init p.tau ~ ...`):
//                philox((n, k, 0, tag(INIT, p << 8 | s)), run key)
//   weights      synapse pre -> post of projection j:
//                philox((pre, post, 0, tag(WEIGHT, j)), run key)
//   delays       synapse pre -> post of projection j (`delay ~ uniform`):
//                philox((pre, post, 1, tag(WEIGHT, j)), run key)
//
// So example b of a batch that starts at example E draws exactly what a
// batch of one starting at E + b draws; connectivity and weights use the run
// key alone and are the same for every example.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "lower/KernelBuilder.h"

#include <array>

namespace snn::lower {

/// Call sites and populations share counter word 3: population << 8 | site.
constexpr uint32_t kMaxRandomSites = 256;
constexpr uint32_t kMaxRandomPopulations = 1u << 20;

/// The two key words of the run (the built-ins key.0, key.1).
std::array<Value, 2> run_key();

/// Emits the derivation of the current example's key (needs `b`); returns
/// its two words.
std::array<Value, 2> emit_example_key(KernelBuilder &k);

/// Counter word 3 for `domain` (an snn_rng_domain), stream `stream` (I64,
/// e.g. a population index) and call site `site`.
Value random_tag(uint32_t domain, Value stream, uint32_t site);

/// The low and high 32 bits of an I64 value, as U32 words.
std::array<Value, 2> split_words(Value v);

/// Emits one Philox block named `name` over `counter` and `key` and the real
/// of distribution `dist` drawn from it; returns the local holding the real.
Value emit_draw(KernelBuilder &k, const std::string &name, std::array<Value, 4> counter, std::array<Value, 2> key,
                ir::Distribution dist);

} // namespace snn::lower
