"""e2e: delays longer than one step against Brian2 (models/delays.snn).

Ten spike sources drive two LIF populations through four projections: one
delay per projection (2.5 ms one-to-one onto a.v, which is frozen while a is
refractory; 3.3 ms dense a -> b.v) and one per synapse (`delay ~ uniform(1
ms, 5 ms)` onto the impulse input b.i; `uniform(0.5 ms, 2.25 ms)` b -> a.v).
The per-synapse delays are recomputed here from the documented random
stream (lower/RandomStreams.h: philox((pre, post, 1, tag(WEIGHT, j)), run
key), the nearest step of lo + (hi - lo) u, u = snn_uniform01_f64), with a
Philox4x32-10 written for this test, and given to Brian2.

snnc counts a delay from the step of the spike to the state it changes, so
the default (1 step) acts on the next update; Brian2 counts from the same
step plus one: Brian2's `delay = (d - 1) dt` is snnc's d steps.

Checks (float64): the spike steps of both populations exactly, every
voltage sample to 1e-6 relative (1e-9 V absolute), and that each
per-synapse range was covered (its shortest delay and one of its two
longest drawn).
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 3000
MV = 1e-3
N = 10
SEED = 7
# name -> (tau_mem, v_rest, v_th, v_reset, t_ref, v_initial)
POPS = {
    "a": (10e-3, 0.0, 10 * MV, 0.0, 2e-3, 0.0),
    "b": (20e-3, -5 * MV, 10 * MV, -5 * MV, 0.0, -5 * MV),
}
# (pre, post, target, connectivity, weight, delay): delay is steps, or
# (lo, hi) in steps for `delay ~ uniform`. Index = projection index j.
PROJECTIONS = [
    ("stim", "a", "v", "one_to_one", 12 * MV, 25),
    ("stim", "b", "i", "dense", 2.5 * MV, (10.0, 50.0)),
    ("a", "b", "v", "dense", 1.5 * MV, 33),
    ("b", "a", "v", "dense", 1 * MV, (5.0, 22.5)),
]

MASK = 0xFFFFFFFF


def philox4x32_10(counter, key):
    """Philox4x32-10 (Salmon et al. 2011), as runtime/include/snn/philox.h."""
    c = list(counter)
    k0, k1 = key
    for r in range(10):
        if r > 0:
            k0 = (k0 + 0x9E3779B9) & MASK
            k1 = (k1 + 0xBB67AE85) & MASK
        p0 = 0xD2511F53 * c[0]
        p1 = 0xCD9E8D57 * c[2]
        c = [((p1 >> 32) ^ c[1] ^ k0) & MASK, p1 & MASK, ((p0 >> 32) ^ c[3] ^ k1) & MASK, p0 & MASK]
    return c


def uniform01_f64(hi, lo):
    return ((hi >> 5) * 67108864.0 + (lo >> 6)) * (1.0 / 9007199254740992.0)


def synapse_delays(j, lo, hi, pairs):
    """The delay in steps of each synapse (pre, post) of projection j."""
    key = (SEED & MASK, SEED >> 32)
    tag = (3 << 28) | j  # snn_philox_tag(SNN_RNG_WEIGHT, j)
    longest = int(np.floor(hi + 0.5))
    out = []
    for pre, post in pairs:
        w = philox4x32_10((pre, post, 1, tag), key)
        u = uniform01_f64(w[0], w[1])
        out.append(int(min(longest, max(1.0, np.floor(lo + (hi - lo) * u + 0.5)))))
    return np.array(out, dtype=np.int64)


def write_stimulus(path):
    rng = np.random.default_rng(20261203)
    times, neurons = [], []
    for n in range(N):
        steps = np.sort(rng.choice(STEPS - 100, size=rng.poisson(30 * STEPS * DT), replace=False))
        for step in steps:
            times.append(step * DT)
            neurons.append(n)
    with open(path, "w") as f:
        f.write("time,neuron\n")
        for t, n in zip(times, neurons):
            f.write("%.4f,%d\n" % (t, n))
    return np.array(times), np.array(neurons, dtype=np.int64)


def pairs_of(kind):
    if kind == "one_to_one":
        return [(i, i) for i in range(N)]
    return [(i, j) for i in range(N) for j in range(N)]


def run_brian2(times, neurons, delays):
    import brian2 as b2  # noqa: imported late: slow, and only here
    b2.prefs.codegen.target = "numpy"
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = DT * b2.second
    b2.start_scope()
    eqs = """
    dv/dt = (v_rest - v) / tau : volt (unless refractory)
    i_in : volt
    tau : second (constant)
    v_rest : volt (constant)
    v_th : volt (constant)
    v_reset : volt (constant)
    t_ref : second (constant)
    """
    groups = {}
    for name, (tau, v_rest, v_th, v_reset, t_ref, v0) in POPS.items():
        g = b2.NeuronGroup(N, eqs, threshold="v > v_th", reset="v = v_reset", refractory="t_ref",
                           method="exact", name=name)
        g.tau = tau * b2.second
        g.v_rest = v_rest * b2.volt
        g.v_th = v_th * b2.volt
        g.v_reset = v_reset * b2.volt
        g.t_ref = t_ref * b2.second
        g.v = v0 * b2.volt
        # The impulse input, as test_brian2_xcheck.py: added to v after the
        # decay (unless refractory), then zeroed.
        g.run_regularly("v += int(not_refractory) * i_in", when="groups", order=1)
        g.run_regularly("i_in = 0*volt", when="after_groups")
        groups[name] = g
    groups["stim"] = b2.SpikeGeneratorGroup(N, neurons, times * b2.second)
    synapses = []
    for j, (pre, post, target, kind, weight, _) in enumerate(PROJECTIONS):
        var = "v" if target == "v" else "i_in"
        syn = b2.Synapses(groups[pre], groups[post], model="w : volt", on_pre="%s_post += w" % var)
        pairs = pairs_of(kind)
        syn.connect(i=[p for p, _ in pairs], j=[q for _, q in pairs])
        syn.w = weight * b2.volt
        syn.delay = (delays[j] - 1) * DT * b2.second
        synapses.append(syn)
    states = {n: b2.StateMonitor(groups[n], "v", record=True, when="end") for n in POPS}
    spikes = {n: b2.SpikeMonitor(groups[n]) for n in POPS}
    net = b2.Network(*groups.values(), *synapses, *states.values(), *spikes.values())
    net.run(STEPS * DT * b2.second, namespace={})
    return {n: (np.asarray(states[n].v_[:]), np.asarray(spikes[n].i[:]), np.asarray(spikes[n].t_[:]))
            for n in POPS}


def events_of(t, i):
    steps = np.rint(np.asarray(t) / DT).astype(np.int64)
    return sorted(zip(steps.tolist(), np.asarray(i).astype(np.int64).tolist()))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    checker = e2e.Checker("e2e_delays_brian2")
    model = e2e.copy_model("delays.snn", args.work)
    times, neurons = write_stimulus(os.path.join(args.work, "spikes.csv"))
    exe = e2e.compile_model(args.snnc, model, args.work, "delays", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    ours = e2e.load_npz(os.path.join(args.work, "delays.npz"))

    delays = []
    for j, (_, _, _, kind, _, delay) in enumerate(PROJECTIONS):
        if isinstance(delay, tuple):
            d = synapse_delays(j, delay[0], delay[1], pairs_of(kind))
            # Draws are below hi, so the top step is reached only when hi is
            # half a step above a whole one.
            shortest, longest = int(np.floor(delay[0] + 0.5)), int(np.ceil(delay[1] - 0.5))
            checker.check(d.min() == shortest and d.max() >= longest - 1,
                          "projection %d: delays drawn from %d to %d steps only" % (j, d.min(), d.max()))
            checker.note("projection %d: per-synapse delays %d..%d steps, mean %.2f"
                         % (j, d.min(), d.max(), d.mean()))
            delays.append(d)
        else:
            delays.append(np.full(len(pairs_of(kind)), delay, dtype=np.int64))
    ref = run_brian2(times, neurons, delays)

    for name in POPS:
        v_ref, i_ref, t_ref = ref[name]
        want = events_of(t_ref, i_ref)
        got = events_of(ours[name + "_spikes_t"], ours[name + "_spikes_i"])
        if got != want:
            missing = sorted(set(want) - set(got))
            extra = sorted(set(got) - set(want))
            checker.check(False, "population %s: %d spikes, Brian2 %d; missing (step, neuron) %s; "
                          "unexpected %s" % (name, len(got), len(want), missing[:5], extra[:5]))
        checker.check(len(want) >= 20, "population %s fires %d times: the test covers too little"
                      % (name, len(want)))
        err = e2e.compare_traces(checker, "population %s v" % name, ours[name + "_v"][0], v_ref.T,
                                 rtol=1e-6, atol=1e-9, times=ours["t"])
        checker.note("population %s: %d spikes (Brian2 %d), max rel voltage error %.3g"
                     % (name, len(got), len(want), err))
    checker.finish()


if __name__ == "__main__":
    main()
