"""e2e: recording an input accumulator (`record cells.i`).

Two spike sources drive two std.neurons.LIF cells through their impulse
input `i`: densely with 0.5 mV and the default delay of one step, and one
to one with 2 mV and a delay of three steps. `record cells.i` writes, after
each step, the sum of the weights that step's update received: for cell j
in step n, 0.5 mV times the sources that fired in step n - 1, plus 2 mV if
source j fired in step n - 3 (a numpy reference from the scripted spike
steps). The membrane, v_n = exp(-dt / tau) v_(n-1) + received_n (no
threshold reached, no offset), must follow the recorded input to 1e-12.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 400
TAU = 20e-3
MODEL = """
import std.neurons.LIF
import std.inputs.SpikeSource
network N {
  population src = SpikeSource x 2
  population cells = LIF(v_th: 1000 mV) x 2
  connect src -> cells.i : dense, weight 0.5 mV
  connect src -> cells.i : one_to_one, weight 2 mV, delay 3
}
simulate N {
  dt = 0.1 ms
  duration = 40 ms
  input src = spike_times("spikes.csv")
  record cells.i, cells.v to "out.npz"
}
"""


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("record_inputs")
    rng = np.random.default_rng(8)
    fired = rng.random((STEPS, 2)) < 0.1
    e2e.write_spike_times(os.path.join(args.work, "spikes.csv"), fired, DT)
    out = e2e.simulate_model(args.snnc, args.work, MODEL)
    want = np.zeros((STEPS, 2))
    want[1:] += 0.5e-3 * fired[:-1].sum(axis=1, keepdims=True)
    want[3:] += 2e-3 * fired[:-3]
    got = out["cells_i"][0]
    check.check(got.shape == want.shape, "cells_i has shape %s, not %s" % (got.shape, want.shape))
    err = np.max(np.abs(got - want))
    check.check(err < 1e-15, "recorded input differs from the reference by %.3g V (first at step %s)"
                % (err, np.argwhere(np.abs(got - want) > 1e-15)[:2].tolist()))
    a = np.exp(-DT / TAU)
    v = np.zeros(2)
    vs = []
    for n in range(STEPS):
        v = a * v + got[n]
        vs.append(v)
    verr = np.max(np.abs(out["cells_v"][0] - np.array(vs)))
    check.check(verr < 1e-12 * np.max(np.abs(vs)), "v does not follow the recorded input: %.3g V" % verr)
    check.note("input: %d nonzero steps, max |recorded - reference| %.2g V; v from it %.2g V"
               % (int(np.count_nonzero(want)), err, verr))
    check.finish()


if __name__ == "__main__":
    main()
