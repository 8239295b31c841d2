/*===- snn/philox.h - Counter-based random numbers (Philox4x32-10) --------===*
 *
 * Header-only Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random
 * numbers: as easy as 1, 2, 3", SC'11; the Random123 library). A counter-based
 * generator maps (counter, key) to four random words with no state, so a draw
 * depends only on *what* it is for, never on thread count or loop order. The
 * runtime, the CPU backend and the CUDA backend all draw through this one
 * definition; valid C99 and C++.
 *
 * Keys. The run key is the seed: key[0] = seed bits 0..31, key[1] = seed
 * bits 32..63 (snn_philox_key); connectivity and weights, shared by every
 * example of a batch, use it. What differs per example (initial values and
 * rand() during steps) uses the key of the example (snn_example_key): words
 * 0 and 1 of the block (example bits 0..31, example bits 32..63, 0,
 * tag(SNN_RNG_EXAMPLE, 0)) under the run key. Example e of a batch is the
 * global example first_example + b, so it draws the same numbers whichever
 * batch it is simulated in.
 *
 * Counter layout (stream domains). Every draw in a run uses a distinct counter,
 * so streams never overlap. Word 3 of the counter names the stream:
 *
 *   counter[3] = domain << 28 | index            (snn_philox_tag)
 *     bits 28..31: domain tag, one of enum snn_rng_domain
 *     bits  0..27: index within the domain
 *
 * and words 0..2 are free per domain, used as follows:
 *
 *   0 SNN_RNG_STEP: rand() in a neuron model's update during `step`
 *       (example key)
 *       index = population << 8 | call site
 *       word0 = neuron, word1 = step bits 0..31, word2 = step bits 32..63
 *   1 SNN_RNG_INIT: initial values during `reset_example` (example key)
 *       index = population << 8 | call site
 *       word0 = neuron, word1 = state variable index, word2 = 0
 *   2 SNN_RNG_CONNECTIVITY: which synapses exist (drawn by the runtime)
 *       index = projection
 *       word0 = pre neuron, word1 = block within the row, word2 = 0
 *   3 SNN_RNG_WEIGHT: initial weights (drawn by `init`)
 *       index = projection
 *       word0 = pre neuron, word1 = post neuron, word2 = 0
 *   4 SNN_RNG_RUNTIME: stimulus and other runtime use
 *       index and words free for the runtime; taken so far:
 *       index 0: Poisson input encoding (runtime/lib/Encoders.h, example
 *       key), word0 = input neuron, word1/word2 = step bits 0..31/32..63
 *   5 SNN_RNG_EXAMPLE: the key of an example (snn_example_key)
 *       index = 0
 *       word0 = example bits 0..31, word1 = example bits 32..63, word2 = 0
 *   6 SNN_RNG_FEEDBACK: random feedback weights of e-prop (drawn by `init`,
 *       run key)
 *       index = hidden population
 *       word0 = hidden neuron, word1 = readout neuron, word2 = 0
 *   7 SNN_RNG_DROPOUT: dropout of a population's spikes in train_step
 *       (example key); index = population << 8
 *       word0 = neuron, word1/word2 = step bits 0..31/32..63
 *   8 SNN_RNG_REWIRE: Deep R (run key), index = projection:
 *       the noise of apply_gradients: word0 = pre neuron, word1 = post
 *       neuron, word2 = optimiser step bits 0..31; the pairs the runtime
 *       activates: index | 1 << 27, word0/word1 = optimiser step bits
 *       0..31/32..63, word2 = the draw's number
 *
 * A "call site" numbers the rand() calls of one population's update (0..255).
 * In domain 2 a row (pre neuron) is a stream of blocks 0, 1, 2, ...; each
 * block gives two float64 uniforms, (out[0], out[1]) then (out[2], out[3]);
 * fixed_probability rows take one gap (snn_geometric_skip) per uniform.
 * In domain 3 there is one block per synapse, converted to the model's real
 * type: uniform weights use snn_uniform01_f32(out[0]) or
 * snn_uniform01_f64(out[0], out[1]); normal weights snn_normal_f32(out) or
 * snn_normal_f64(out).
 *
 * Conversions to real numbers, each in [0, 1) or standard normal:
 *   snn_uniform01_f32(x)      = (x >> 8) * 2^-24
 *   snn_uniform01_f64(hi, lo) = ((hi >> 5) * 2^26 + (lo >> 6)) * 2^-53
 *   snn_box_muller(u1, u2)    = sqrt(-2 ln(1 - u1)) cos(2 pi u2)
 * (1 - u1 lies in (0, 1], so the logarithm is always finite; only the cosine
 * output of Box-Muller is used, the sine output is discarded.)
 *===----------------------------------------------------------------------===*/
#ifndef SNN_PHILOX_H
#define SNN_PHILOX_H

#include <math.h>
#include <stdint.h>

/* Every function is usable in CUDA device code too (snn/cuda_device.h), so
   both backends draw the very same numbers. */
#if defined(__CUDACC__)
#define SNN_PHILOX_FN static inline __host__ __device__
#else
#define SNN_PHILOX_FN static inline
#endif

/** Stream domains, the tag in bits 28..31 of counter word 3. */
enum snn_rng_domain {
  SNN_RNG_STEP = 0,         /**< rand() in neuron models during step */
  SNN_RNG_INIT = 1,         /**< initial values during init */
  SNN_RNG_CONNECTIVITY = 2, /**< synapse existence */
  SNN_RNG_WEIGHT = 3,       /**< initial weights */
  SNN_RNG_RUNTIME = 4,      /**< stimulus and other runtime use */
  SNN_RNG_EXAMPLE = 5,      /**< the key of each example */
  SNN_RNG_FEEDBACK = 6,     /**< e-prop's random feedback weights */
  SNN_RNG_DROPOUT = 7,      /**< which spikes training's dropout drops */
  SNN_RNG_REWIRE = 8        /**< Deep R's noise and the pairs it activates */
};

/** Largest index that fits in bits 0..27 of counter word 3. */
#define SNN_RNG_INDEX_MASK 0x0fffffffu

/** Multipliers and Weyl key increments of Philox4x32 (Random123). */
#define SNN_PHILOX_M0 0xD2511F53u
#define SNN_PHILOX_M1 0xCD9E8D57u
#define SNN_PHILOX_W0 0x9E3779B9u
#define SNN_PHILOX_W1 0xBB67AE85u

/** Counter word 3 for a draw in `domain` with `index` (bits above 27 of index
    are dropped, so callers keep index below 2^28). */
SNN_PHILOX_FN uint32_t snn_philox_tag(uint32_t domain, uint32_t index) {
  return (domain << 28) | (index & SNN_RNG_INDEX_MASK);
}

/** The key for a run seed: low word first. */
SNN_PHILOX_FN void snn_philox_key(uint64_t seed, uint32_t key[2]) {
  key[0] = (uint32_t)seed;
  key[1] = (uint32_t)(seed >> 32);
}

/** One Philox round: two 32x32->64 multiplies, then a word permutation. */
SNN_PHILOX_FN void snn_philox4x32_round(uint32_t ctr[4], const uint32_t key[2]) {
  uint64_t p0 = (uint64_t)SNN_PHILOX_M0 * ctr[0];
  uint64_t p1 = (uint64_t)SNN_PHILOX_M1 * ctr[2];
  uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
  uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
  uint32_t c1 = ctr[1], c3 = ctr[3];
  ctr[0] = hi1 ^ c1 ^ key[0];
  ctr[1] = lo1;
  ctr[2] = hi0 ^ c3 ^ key[1];
  ctr[3] = lo0;
}

/** Philox4x32-10: ten rounds, the key bumped by the Weyl constants between
    rounds. `out` may alias `counter`. */
SNN_PHILOX_FN void snn_philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t ctr[4] = {counter[0], counter[1], counter[2], counter[3]};
  uint32_t k[2] = {key[0], key[1]};
  int round;
  for (round = 0; round < 10; ++round) {
    if (round > 0) {
      k[0] += SNN_PHILOX_W0;
      k[1] += SNN_PHILOX_W1;
    }
    snn_philox4x32_round(ctr, k);
  }
  out[0] = ctr[0];
  out[1] = ctr[1];
  out[2] = ctr[2];
  out[3] = ctr[3];
}

/** The key of global example `example` of a run with run key `run_key`. */
SNN_PHILOX_FN void snn_example_key(const uint32_t run_key[2], uint64_t example, uint32_t key[2]) {
  uint32_t counter[4];
  uint32_t out[4];
  counter[0] = (uint32_t)example;
  counter[1] = (uint32_t)(example >> 32);
  counter[2] = 0;
  counter[3] = snn_philox_tag(SNN_RNG_EXAMPLE, 0);
  snn_philox4x32(counter, run_key, out);
  key[0] = out[0];
  key[1] = out[1];
}

/** Uniform on [0, 1) from the top 24 bits of x: exact in float. */
SNN_PHILOX_FN float snn_uniform01_f32(uint32_t x) { return (float)(x >> 8) * (1.0f / 16777216.0f); }

/** Uniform on [0, 1) with 53 random bits: 27 from hi, 26 from lo. */
SNN_PHILOX_FN double snn_uniform01_f64(uint32_t hi, uint32_t lo) {
  return ((double)(hi >> 5) * 67108864.0 + (double)(lo >> 6)) * (1.0 / 9007199254740992.0);
}

/** Box-Muller, cosine branch: a standard normal from two uniforms on [0, 1).
    Uses 1 - u1 (in (0, 1]) inside the logarithm so the result is finite. */
SNN_PHILOX_FN double snn_box_muller(double u1, double u2) {
  const double two_pi = 6.283185307179586476925286766559;
  return sqrt(-2.0 * log(1.0 - u1)) * cos(two_pi * u2);
}

/** Geometric skipping (fixed_probability connectivity): the number of
    candidate pairs a row passes over before its next synapse,
    floor(ln(1 - u) / log_q) for the uniform u = snn_uniform01_f64(hi, lo)
    and log_q = log1p(-p), 0 < p < 1, in double whatever the model's real
    type, capped at 2^62 (far past any row) so that it converts exactly.
    The runtime connects with it, and procedural storage regenerates rows
    with it in generated code. */
SNN_PHILOX_FN int64_t snn_geometric_skip(uint32_t hi, uint32_t lo, double log_q) {
  double gap = floor(log(1.0 - snn_uniform01_f64(hi, lo)) / log_q);
  return gap < 4611686018427387904.0 ? (int64_t)gap : (int64_t)4611686018427387904LL;
}

/** Single-precision Box-Muller, cosine branch; same conventions. */
SNN_PHILOX_FN float snn_box_muller_f32(float u1, float u2) {
  const float two_pi = 6.28318530717958647692f;
  return sqrtf(-2.0f * logf(1.0f - u1)) * cosf(two_pi * u2);
}

/** A standard normal from one Philox output: u1 = f64(out[0], out[1]),
    u2 = f64(out[2], out[3]). */
SNN_PHILOX_FN double snn_normal_f64(const uint32_t out[4]) {
  return snn_box_muller(snn_uniform01_f64(out[0], out[1]), snn_uniform01_f64(out[2], out[3]));
}

/** A standard normal in float: u1 = f32(out[0]), u2 = f32(out[1]);
    out[2] and out[3] are left for the caller. */
SNN_PHILOX_FN float snn_normal_f32(const uint32_t out[4]) {
  return snn_box_muller_f32(snn_uniform01_f32(out[0]), snn_uniform01_f32(out[1]));
}

#endif /* SNN_PHILOX_H */
