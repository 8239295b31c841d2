"""e2e: std.neurons CurrLIF and AlphaLIF (PyNN's IF_curr_exp and
IF_curr_alpha) under scripted spikes, against Brian2.

Five excitatory sources (+2 nA onto i_e, or onto x_e for the alpha
current) and two inhibitory ones (-3 nA onto i_i or x_i) fire at random
steps; two parameter sets per model (defaults, and tau_e = 8 ms, tau_i =
2 ms, t_ref = 2 ms). Brian2 (numpy target, float64, method exact, dt = 0.1
ms) runs the same equations, with the synaptic pathway in its default slot,
so that a spike of step k makes the current jump at the end of step k, as
snnc's default delay of one step does for a state (Brian2's delay 0 is
snnc's one step), and v `(unless refractory)`.

Checks (float64): the spike steps exactly, and v, i_e, i_i to 1e-9 of their
ranges.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 3000
EXC, INH = 5, 2  # sources, each firing with probability 0.006 per step
W_EXC, W_INH = 2e-9, -3e-9
# population -> (model, tau_e, tau_i, t_ref)
POPS = {"curr": ("CurrLIF", 5e-3, 5e-3, 0.1e-3), "curr2": ("CurrLIF", 8e-3, 2e-3, 2e-3),
        "alpha": ("AlphaLIF", 5e-3, 5e-3, 0.1e-3), "alpha2": ("AlphaLIF", 8e-3, 2e-3, 2e-3)}
MODEL = """
import std.neurons.{CurrLIF, AlphaLIF}
import std.inputs.SpikeSource
network N {
  population exc = SpikeSource x 5
  population inh = SpikeSource x 2
  population curr = CurrLIF x 1
  population curr2 = CurrLIF(tau_e: 8 ms, tau_i: 2 ms, t_ref: 2 ms) x 1
  population alpha = AlphaLIF x 1
  population alpha2 = AlphaLIF(tau_e: 8 ms, tau_i: 2 ms, t_ref: 2 ms) x 1
  connect exc -> curr.i_e, curr2.i_e : dense, weight 2 nA
  connect inh -> curr.i_i, curr2.i_i : dense, weight -3 nA
  connect exc -> alpha.x_e, alpha2.x_e : dense, weight 2 nA
  connect inh -> alpha.x_i, alpha2.x_i : dense, weight -3 nA
}
simulate N {
  dt = 0.1 ms
  duration = 300 ms
  input exc = spike_times("exc.csv")
  input inh = spike_times("inh.csv")
  record spikes(curr), spikes(curr2), spikes(alpha), spikes(alpha2) to "out.npz"
  record curr.v, curr2.v, alpha.v, alpha2.v, curr.i_e, curr2.i_i, alpha.i_e, alpha2.i_i to "out.npz"
}
"""
EQS = {
    "CurrLIF": """
    dv/dt = (v_rest - v) / tau_m + (i_e + i_i) / C : volt (unless refractory)
    di_e/dt = -i_e / tau_e : amp
    di_i/dt = -i_i / tau_i : amp
    """,
    "AlphaLIF": """
    dv/dt = (v_rest - v) / tau_m + (i_e + i_i) / C : volt (unless refractory)
    dx_e/dt = -x_e / tau_e : amp
    di_e/dt = (2.718281828459045 * x_e - i_e) / tau_e : amp
    dx_i/dt = -x_i / tau_i : amp
    di_i/dt = (2.718281828459045 * x_i - i_i) / tau_i : amp
    """,
}


def run_brian2(exc, inh):
    b2 = e2e.brian2(DT)
    sources = {name: e2e.spike_generator(b2, fired, DT) for name, fired in (("exc", exc), ("inh", inh))}
    objects = list(sources.values())
    monitors = {}
    for pop, (model, exc_tau, inh_tau, refractory) in POPS.items():
        ns = {"C": 1 * b2.nF, "tau_m": 20 * b2.ms, "v_rest": -65 * b2.mV, "tau_e": exc_tau * b2.second,
              "tau_i": inh_tau * b2.second}
        g = b2.NeuronGroup(1, EQS[model], threshold="v > -50 * mV", reset="v = -65 * mV",
                           refractory=refractory * b2.second, method="exact", namespace=ns)
        g.v = -65 * b2.mV
        target = "i" if model == "CurrLIF" else "x"
        for name, weight in (("exc", W_EXC), ("inh", W_INH)):
            kind = "e" if name == "exc" else "i"
            syn = b2.Synapses(sources[name], g, on_pre="%s_%s_post += %r * amp" % (target, kind, weight))
            syn.connect()
            objects.append(syn)
        monitors[pop] = (b2.StateMonitor(g, ["v", "i_e", "i_i"], record=True, when="end"), b2.SpikeMonitor(g))
        objects += [g, *monitors[pop]]
    b2.Network(*objects).run(STEPS * DT * b2.second)
    out = {}
    for pop, (states, spikes) in monitors.items():
        out[pop] = {"v": np.asarray(states.v_[0]), "i_e": np.asarray(states.i_e_[0]),
                    "i_i": np.asarray(states.i_i_[0]),
                    "spikes": np.sort(np.rint(np.asarray(spikes.t_) / DT).astype(np.int64))}
    return out


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("synaptic_currents_brian2")
    fired = e2e.scripted_sources(args.work, 11, STEPS, (("exc", EXC), ("inh", INH)), 0.006, DT)
    exc, inh = fired["exc"], fired["inh"]
    ours = e2e.simulate_model(args.snnc, args.work, MODEL)
    theirs = run_brian2(exc, inh)
    recorded = {"curr": ["v", "i_e"], "curr2": ["v", "i_i"], "alpha": ["v", "i_e"], "alpha2": ["v", "i_i"]}
    for pop, variables in recorded.items():
        steps = np.sort(np.rint(ours[pop + "_spikes_t"] / DT).astype(np.int64))
        want = theirs[pop]["spikes"]
        check.check(len(want) >= 3, "%s: only %d Brian2 spikes" % (pop, len(want)))
        check.check(np.array_equal(steps, want), "%s: spike steps %s, Brian2 %s" % (pop, steps[:6], want[:6]))
        for var in variables:
            got, ref = ours["%s_%s" % (pop, var)][0, :, 0], theirs[pop][var]
            err = np.max(np.abs(got - ref)) / (ref.max() - ref.min())
            check.check(err < 1e-9, "%s.%s: max |snnc - Brian2| %.3g of the range" % (pop, var, err))
            check.note("%s.%s: max |snnc - Brian2| %.2g of the range" % (pop, var, err))
        check.note("%s: %d spikes, as Brian2's" % (pop, len(steps)))
    check.finish()


if __name__ == "__main__":
    main()
