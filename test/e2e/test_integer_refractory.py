"""e2e: refractory counters are integers.

models/long_refractory.snn: one LIF neuron driven above threshold
(i_offset 20 mV, v_th 10 mV, tau 10 ms) with t_ref = 1700 s at dt = 0.1 ms,
simulated for 1700.05 s. Analytically the membrane, starting at 0, crosses
10 mV at t1 = tau ln(2) = 6.93 ms; it then stays clamped at the reset value
for 1.7e7 steps and crosses again the same t1 later. So there are exactly
two spikes, the second 1.7e7 steps + the first's step after the first (to
within one step of the counter's convention). A float32 step counter can
never count down from 1.7e7 (17e6 - 1 rounds back to 17e6 in float), so
before the counter became an integer the float run gave one spike. Checked
for float and double, which must agree exactly.
"""

import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
REFRACTORY_STEPS = 17000000
T1 = 10e-3 * math.log(2.0)  # 0 -> 10 mV under a 20 mV drive


def main():
    args = e2e.parse_args(__doc__)
    checker = e2e.Checker("integer refractory")
    model = e2e.copy_model("long_refractory.snn", args.work)
    first_step = int(math.floor(T1 / DT))  # the step whose update crosses threshold
    steps = {}
    for label, flags in (("float", []), ("double", ["--precision=double"])):
        exe = e2e.compile_model(args.snnc, model, args.work, "refractory_" + label, flags)
        e2e.run_model(exe, args.work, ["--quiet"], timeout=300)
        data = e2e.load_npz(os.path.join(args.work, "refractory.npz"))
        got = np.rint(data["cell_spikes_t"] / DT).astype(np.int64)
        steps[label] = got
        if not checker.check(got.size == 2, "%s: %d spikes (steps %s), expected 2" % (label, got.size, got[:5])):
            continue
        checker.check(abs(int(got[0]) - first_step) <= 1,
                      "%s: first spike at step %d, expected %d (t = tau ln 2)" % (label, got[0], first_step))
        gap = int(got[1] - got[0])
        want = REFRACTORY_STEPS + first_step
        checker.check(abs(gap - want) <= 2,
                      "%s: second spike %d steps after the first, expected %d +- 2" % (label, gap, want))
    if "float" in steps and "double" in steps:
        checker.check(np.array_equal(steps["float"], steps["double"]),
                      "float spikes at %s, double at %s" % (steps["float"], steps["double"]))
        checker.note("spikes at steps %s" % steps["double"])
    checker.finish()


if __name__ == "__main__":
    main()
