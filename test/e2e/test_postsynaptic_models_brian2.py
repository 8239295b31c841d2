"""e2e: the postsynaptic synapse models of std.synapses (Delta, ExpCurr,
AlphaCurr, ExpCond) onto std.neurons models, against Brian2.

Each population receives an excitatory and an inhibitory projection with
the same model and different parameters, so one neuron holds two states of
one synapse model: CurrLIF with ExpCurr (5 ms, +2 nA; 2 ms, -3 nA), AlphaLIF
with AlphaCurr (8 ms, +2 nA; 2 ms, -3 nA; t_ref 2 ms), CondLIF with ExpCond
(5 ms at 0 mV, 6 nS; 10 ms at -80 mV, 10 nS), and AdEx with ExpCond (5 ms
at 0 mV, 25 nS; 10 ms at -80 mV, 10 nS), all onto `i_ext`, LIF with
Delta onto `v` (+3 mV; -2 mV), and CurrLIF with ExpCurr again, its
excitatory projection delayed by 2 ms (snnc's delay d is Brian2's d - dt)
through the ring buffer of a synapse model's delayed `on pre`. Brian2 (numpy target, float64,
dt = 0.1 ms) runs the neuron's equations with the synaptic states written
into them by hand, with the method snnc chose (read from --emit=ir), and
its pathways in the default slot, as snnc's default delay of one step does
for a state.

Checks (float64): identical spike steps (at least 3 per population), v to
1e-9 of its range, and snnc's IR: each projection's states are named after
it (`i@exc`, `g@inh`).
"""

import os
import re
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 3000
EXC, INH = 5, 2  # sources, each firing with probability 0.006 per step
MODEL = """
import std.neurons.{CurrLIF, AlphaLIF, CondLIF, AdEx, LIF}
import std.inputs.SpikeSource
import std.synapses.{ExpCurr, AlphaCurr, ExpCond, Delta}
network N {
  population exc = SpikeSource x 5
  population inh = SpikeSource x 2
  population curr = CurrLIF x 1
  population alpha = AlphaLIF(t_ref: 2 ms) x 1
  population cond = CondLIF x 1
  population adex = AdEx x 1
  population delta = LIF x 1
  population delayed = CurrLIF x 1
  connect exc -> curr.i_ext : dense, synapse ExpCurr(tau: 5 ms), weight 2 nA
  connect inh -> curr.i_ext : dense, synapse ExpCurr(tau: 2 ms), weight -3 nA
  connect exc -> alpha.i_ext : dense, synapse AlphaCurr(tau: 8 ms), weight 2 nA
  connect inh -> alpha.i_ext : dense, synapse AlphaCurr(tau: 2 ms), weight -3 nA
  connect exc -> cond.i_ext : dense, synapse ExpCond(tau: 5 ms, E: 0 mV), weight 6 nS
  connect inh -> cond.i_ext : dense, synapse ExpCond(tau: 10 ms, E: -80 mV), weight 10 nS
  connect exc -> adex.i_ext : dense, synapse ExpCond(tau: 5 ms, E: 0 mV), weight 25 nS
  connect inh -> adex.i_ext : dense, synapse ExpCond(tau: 10 ms, E: -80 mV), weight 10 nS
  connect exc -> delta : dense, synapse Delta, weight 3 mV
  connect inh -> delta : dense, synapse Delta, weight -2 mV
  connect exc -> delayed.i_ext : dense, synapse ExpCurr(tau: 5 ms), weight 2 nA, delay 2 ms
  connect inh -> delayed.i_ext : dense, synapse ExpCurr(tau: 2 ms), weight -3 nA
}
simulate N {
  dt = 0.1 ms
  duration = 300 ms
  input exc = spike_times("exc.csv")
  input inh = spike_times("inh.csv")
  record spikes(curr), spikes(alpha), spikes(cond), spikes(adex), spikes(delta), spikes(delayed) to "out.npz"
  record curr.v, alpha.v, cond.v, adex.v, delta.v, delayed.v to "out.npz"
}
"""
E = 2.718281828459045
# population -> (equations, threshold, reset, refractory, namespace, the
# synaptic states excitatory and inhibitory spikes add to, weights and
# their unit, tolerance)
POPS = {
    "curr": ("""
    dv/dt = (v_rest - v) / tau_m + (ie + ii) / C : volt (unless refractory)
    die/dt = -ie / (5 * ms) : amp
    dii/dt = -ii / (2 * ms) : amp
    """, "v > -50 * mV", "v = -65 * mV", 0.1e-3, {"C": 1e-9, "tau_m": 20e-3, "v_rest": -65e-3},
        ("ie", "ii"), (2e-9, -3e-9), "amp", 1e-9),
    "alpha": ("""
    dv/dt = (v_rest - v) / tau_m + (ie + ii) / C : volt (unless refractory)
    dye/dt = -ye / (8 * ms) : amp
    die/dt = (%r * ye - ie) / (8 * ms) : amp
    dyi/dt = -yi / (2 * ms) : amp
    dii/dt = (%r * yi - ii) / (2 * ms) : amp
    """ % (E, E), "v > -50 * mV", "v = -65 * mV", 2e-3, {"C": 1e-9, "tau_m": 20e-3, "v_rest": -65e-3},
        ("ye", "yi"), (2e-9, -3e-9), "amp", 1e-9),
    "cond": ("""
    dv/dt = (g_L * (E_L - v) + ge * (0 * mV - v) + gi * (-80 * mV - v)) / C : volt (unless refractory)
    dge/dt = -ge / (5 * ms) : siemens
    dgi/dt = -gi / (10 * ms) : siemens
    """, "v > -50 * mV", "v = -60 * mV", 5e-3, {"C": 200e-12, "g_L": 10e-9, "E_L": -60e-3},
        ("ge", "gi"), (6e-9, 10e-9), "siemens", 1e-9),
    "adex": ("""
    dv/dt = (g_L * (E_L - v) + g_L * Delta_T * exp((v_cut - V_T) / Delta_T) - w
             + ge * (0 * mV - v) + gi * (-80 * mV - v)) / C : volt
    dw/dt = (a * (v_cut - E_L) - w) / tau_w : amp
    v_cut = clip(v, -inf * volt, 0 * mV) : volt
    dge/dt = -ge / (5 * ms) : siemens
    dgi/dt = -gi / (10 * ms) : siemens
    """, "v > 0 * mV", "v = E_L; w += 80.5 * pA", 0.0,
        {"C": 281e-12, "g_L": 30e-9, "E_L": -70.6e-3, "V_T": -50.4e-3, "Delta_T": 2e-3, "a": 4e-9,
         "tau_w": 144e-3}, ("ge", "gi"), (25e-9, 10e-9), "siemens", 1e-9),
    "delta": ("""
    dv/dt = -v / tau_m : volt (unless refractory)
    """, "v > 10 * mV", "v = 0 * mV", 0.0, {"tau_m": 20e-3, "v_rest": 0.0}, ("v", "v"), (3e-3, -2e-3), "volt",
        1e-9),
}
POPS["delayed"] = POPS["curr"]
# Brian2's delay of the (excitatory, inhibitory) pathway: snnc's 20 steps.
DELAYS = {"delayed": (19 * DT, 0.0)}
UNITS = {"C": "farad", "tau_m": "second", "v_rest": "volt", "g_L": "siemens", "E_L": "volt", "V_T": "volt",
         "Delta_T": "volt", "a": "siemens", "tau_w": "second"}


def snnc_methods(snnc, work):
    """snnc's IR, and population -> the method snnc discretized its model with."""
    proc = e2e.run_process([snnc, "--emit=ir", "net.snn"], cwd=work)
    if proc.returncode != 0:
        print(proc.stderr)
        e2e.setup_error("snnc --emit=ir failed (exit %d)" % proc.returncode)
    methods = dict(re.findall(r"^neuron (\S+) \{[^}]*?discretized with (\w+)", proc.stdout, re.M))
    populations = {pop: methods[model]
                   for pop, model in re.findall(r"^\s+population (\w+) = (\S+) x \d+", proc.stdout, re.M)
                   if model in methods and pop in POPS}
    return proc.stdout, populations


def run_brian2(exc, inh, methods):
    b2 = e2e.brian2(DT)
    sources = {name: e2e.spike_generator(b2, fired, DT) for name, fired in (("exc", exc), ("inh", inh))}
    objects = list(sources.values())
    monitors = {}
    for pop, (eqs, threshold, reset, refractory, ns, targets, weights, unit, _) in POPS.items():
        namespace = {k: v * getattr(b2, UNITS[k]) for k, v in ns.items()}
        g = b2.NeuronGroup(1, eqs, threshold=threshold, reset=reset, refractory=refractory * b2.second,
                           method=methods[pop], namespace=namespace)
        g.v = namespace.get("v_rest", namespace.get("E_L"))
        for k, (source, target, weight) in enumerate(zip(("exc", "inh"), targets, weights)):
            syn = b2.Synapses(sources[source], g, on_pre="%s_post += %r * %s" % (target, weight, unit))
            syn.connect()
            syn.delay = DELAYS.get(pop, (0.0, 0.0))[k] * b2.second
            objects.append(syn)
        monitors[pop] = (b2.StateMonitor(g, "v", record=True, when="end"), b2.SpikeMonitor(g))
        objects += [g, *monitors[pop]]
    b2.Network(*objects).run(STEPS * DT * b2.second)
    return {pop: (np.asarray(states.v_[0]), np.sort(np.rint(np.asarray(spikes.t_) / DT).astype(np.int64)))
            for pop, (states, spikes) in monitors.items()}


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("postsynaptic_models_brian2")
    fired = e2e.scripted_sources(args.work, 5, STEPS, (("exc", EXC), ("inh", INH)), 0.006, DT)
    exc, inh = fired["exc"], fired["inh"]
    ours = e2e.simulate_model(args.snnc, args.work, MODEL)
    ir, methods = snnc_methods(args.snnc, args.work)
    check.check(set(methods) == set(POPS), "methods read from the IR: %s" % methods)
    for state in ("i@exc", "i@inh", "x@exc", "g@inh"):
        check.check(("state %s :" % state) in ir, "no state %s in the IR" % state)
    theirs = run_brian2(exc, inh, methods)
    for pop, (v_ref, spikes_ref) in theirs.items():
        tolerance = POPS[pop][-1]
        steps = np.sort(np.rint(ours[pop + "_spikes_t"] / DT).astype(np.int64))
        check.check(len(spikes_ref) >= 3, "%s: only %d Brian2 spikes" % (pop, len(spikes_ref)))
        check.check(np.array_equal(steps, spikes_ref),
                    "%s: spike steps %s, Brian2 %s" % (pop, steps[:6], spikes_ref[:6]))
        v = ours[pop + "_v"][0, :, 0]
        err = np.max(np.abs(v - v_ref)) / (v_ref.max() - v_ref.min())
        check.check(err < tolerance, "%s.v: max |snnc - Brian2| %.3g of the range" % (pop, err))
        check.note("%s (%s): %d spikes as Brian2's, v within %.2g of the range" % (pop, methods[pop], len(steps),
                                                                                  err))
    shift = np.max(np.abs(ours["delayed_v"] - ours["curr_v"]))
    check.check(shift > 1e-3, "the delay changes v by only %.3g V" % shift)
    check.finish()


if __name__ == "__main__":
    main()
