/*===- TestModel.h - A hand-written model implementing the ABI ------------===*
 *
 * Two populations, written by hand in C the way snnc's backends generate
 * them (model ABI version 2), so the runtime is tested without the compiler.
 * Every example b of a batch runs the same dynamics on its own slice of each
 * per-example buffer (element i of example b at b * extent + i):
 *
 *   "in"  3 neurons, state v. Each step: v += 0.375 where the stimulus has a
 *         spike; spike when v >= 1, then v = 0.
 *   "out" 2 neurons, state v and u, input i. Each step: v = v / 2 + i; i = 0;
 *         spike when v >= 1, then v = 0. u is drawn by reset_example:
 *         snn_uniform01_f64 of Philox block (neuron, 1, 0, tag(INIT, 1 << 8))
 *         under the key of the example, snn_example_key(run key,
 *         first_example + b).
 *   "in -> out.i" dense, weight 0.75 (stored by init), delivered after both
 *         updates, so a spike of "in" in step s moves "out" in step s + 1.
 *
 * dt = 1 ms, default duration 10 ms, default seed 42, default batch 1.
 * Stimulus "stimulus.csv" (relative to the working directory) drives "in".
 * Records, both to the --out file: spikes of in[0:3:1], state v of
 * out[0:2:1]. Entries: "init", "reset_example", "step".
 *
 * Buffers (REAL is float or double; per example unless marked shared):
 *   0 in.v  1 out.v  2 out.u  3 out.i                 REAL, neuron scope
 *   4 in.spiked  5 out.spiked  6 in.stimulus           u8, neuron scope
 *   7 row_start (u32, row), 8 target (u32, synapse),
 *   9 weight (REAL, synapse) of projection 0           shared
 *===----------------------------------------------------------------------===*/
#ifndef SNN_TEST_MODEL_H
#define SNN_TEST_MODEL_H

#include "snn/model_abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Buffer indices of the test model. */
enum snn_test_model_buffer {
  TEST_IN_V = 0,
  TEST_OUT_V = 1,
  TEST_OUT_U = 2,
  TEST_OUT_I = 3,
  TEST_IN_SPIKED = 4,
  TEST_OUT_SPIKED = 5,
  TEST_IN_STIMULUS = 6,
  TEST_ROW_START = 7,
  TEST_TARGET = 8,
  TEST_WEIGHT = 9,
  TEST_NUM_BUFFERS = 10
};

/** The model with double state (real_size 8). */
const snn_model_desc *snn_test_model_f64(void);
/** The same model with float state (real_size 4). */
const snn_model_desc *snn_test_model_f32(void);

#ifdef __cplusplus
}
#endif
#endif /* SNN_TEST_MODEL_H */
