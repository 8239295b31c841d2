/*===- TestModel.h - A hand-written model implementing the ABI ------------===*
 *
 * Two populations, written by hand in C the way snnc's backends generate
 * them, so the runtime is tested without the compiler:
 *
 *   "in"  3 neurons, state v. Each step: v += 0.375 where the stimulus has a
 *         spike; spike when v >= 1, then v = 0.
 *   "out" 2 neurons, state v and u, input i. Each step: v = v / 2 + i; i = 0;
 *         spike when v >= 1, then v = 0. u is drawn once in init:
 *         snn_uniform01_f64 of Philox block (neuron, 1, 0, tag(INIT, 1 << 8)).
 *   "in -> out.i" dense, weight 0.75, delivered after both updates, so a
 *         spike of "in" in step s moves "out" in step s + 1.
 *
 * dt = 1 ms, default duration 10 ms, default seed 42. Stimulus "stimulus.csv"
 * (relative to the working directory) drives "in". Records, both to the
 * --out file: spikes of in[0:3:1], state v of out[0:2:1].
 * Buffers: 0 in.v, 1 out.v, 2 out.u, 3 out.i.
 *===----------------------------------------------------------------------===*/
#ifndef SNN_TEST_MODEL_H
#define SNN_TEST_MODEL_H

#include "snn/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The model with double state (real_size 8). */
const snn_model_desc *snn_test_model_f64(void);
/** The same model with float state (real_size 4). */
const snn_model_desc *snn_test_model_f32(void);

#ifdef __cplusplus
}
#endif
#endif /* SNN_TEST_MODEL_H */
