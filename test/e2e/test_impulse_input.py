"""e2e: an input is an impulse, so the effect of a spike does not depend on dt.

A LIF neuron at rest (v_rest = 0, threshold out of reach) receives one spike
of weight 10 mV from a SpikeSource at t = 1 ms. Written `dv/dt = (v_rest - v
+ i_offset) / tau_mem + i`, its membrane must jump by exactly 10 mV in the
update after the spike (the default delay of one step), then decay as
10 mV * exp(-k dt / tau_mem). Checked at dt = 0.1 ms and dt = 0.01 ms, in
double (to 1e-12 relative) and float (the jump to 1e-6, the decay, whose
rounding accumulates over 300 steps, to 2e-5).
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

TAU = 10e-3
WEIGHT = 10e-3
SPIKE_TIME = 1e-3
DURATION = 3e-3

MODEL = """import std.neurons.LIF
import std.inputs.SpikeSource

network Impulse {
  population src = SpikeSource x 1
  population cell = LIF(tau_mem: 10 ms, v_rest: 0 mV, v_th: 100 mV) x 1
  connect src -> cell : dense, weight 10 mV
}

simulate Impulse {
  dt = %s
  duration = 3 ms
  input src = spike_times("impulse.csv")
  record cell.v to "impulse.npz"
}
"""


def main():
    args = e2e.parse_args(__doc__)
    checker = e2e.Checker("impulse input")
    with open(os.path.join(args.work, "impulse.csv"), "w") as f:
        f.write("%.17g,0\n" % SPIKE_TIME)
    for dt, dt_text in ((1e-4, "0.1 ms"), (1e-5, "0.01 ms")):
        model = os.path.join(args.work, "impulse.snn")
        with open(model, "w") as f:
            f.write(MODEL % dt_text)
        steps = int(round(DURATION / dt))
        spike_step = int(round(SPIKE_TIME / dt))
        k = np.arange(steps) - (spike_step + 1)  # steps since the jump
        want = np.where(k >= 0, WEIGHT * np.exp(-np.maximum(k, 0) * dt / TAU), 0.0)
        for precision, rtol in (("double", 1e-12), ("float", 1e-6)):
            exe = e2e.compile_model(args.snnc, model, args.work, "impulse_" + precision,
                                    ["--precision=" + precision])
            e2e.run_model(exe, args.work, ["--quiet"])
            v = e2e.load_npz(os.path.join(args.work, "impulse.npz"))["cell_v"][0, :, 0]
            label = "dt %s, %s" % (dt_text, precision)
            jump = float(v[spike_step + 1] - v[spike_step])
            checker.check(abs(jump - WEIGHT) <= rtol * WEIGHT,
                          "%s: v jumps by %.17g V, expected 0.01 V" % (label, jump))
            # float: the decay's rounding accumulates over the steps
            e2e.compare_traces(checker, label, v, want, rtol if precision == "double" else 2e-5, 1e-15)
            checker.note("%s: jump %.17g V" % (label, jump))
    checker.finish()


if __name__ == "__main__":
    main()
