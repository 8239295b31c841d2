"""e2e: the STDP rules of std.synapses against Brian2 (models/stdp.snn).

Twelve presynaptic and twelve postsynaptic neurons fire from scripted spike
files: neurons 0-7 repeat one pre/post pair each (post after pre by -20,
-10, -5, -2, 2, 5, 10, 20 ms), 8 and 9 post-pre-post and pre-post-pre
triplets, 10 and 11 independent 25 Hz Poisson trains (all-to-all
interactions, some pre and post spikes in one step). Each of pair STDP
(all-to-all, hard bounds), nearest-neighbour STDP, soft-bound STDP and
triplet STDP (Pfister & Gerstner 2006) drives one target population through
a one-to-one projection, adding its weight to the target's g at every
presynaptic spike, so g's trace holds the weight at each of them.

Brian2 runs the same rules as Synapses with event-driven traces (numpy
target, float64, same dt); its StateMonitor in the 'end' slot samples
what snnc records after each step. Checks (float64): every sample of every
g within 1e-6 relative (1e-15 S absolute), and that the rules changed the
weights (so the test covers plasticity, not only the delivery).

Two more projections run the pair rule with delays: 3 ms (30 steps) for
every synapse, and `delay ~ uniform(1 ms, 8 ms)` per synapse (recomputed
here from the documented random stream, as test_delays_brian2.py does).
The delay holds back the whole `on pre` pathway (traces, weight update and
delivery; `on post` is not delayed), as Brian2's `Synapses.delay`, which
is (d - 1) dt for snnc's d steps.

The homeostatic rule of Vogels et al. 2011 (std.synapses.VogelsISTDP)
runs the same way, and one more pair-rule projection targets `.ge`: the
model's `post.g` stands for the target's ge there (g must stay 0).
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
from test_delays_brian2 import philox4x32_10, uniform01_f64  # noqa: E402

DT = 1e-4
STEPS = 10000
N = 12
NS = 1e-9
W0 = 5 * NS

# Brian2 code of each rule, with the parameters models/stdp.snn gives it
# (the std.synapses defaults otherwise).
RULES = {
    "pair": dict(
        params=dict(tau_pre=20e-3, tau_post=20e-3, a_plus=0.02, a_minus=0.0105, w_max=10 * NS),
        on_pre="g_post += w; x_pre += 1; w = clip(w - a_minus * x_post * w_max, 0*nS, w_max)",
        on_post="x_post += 1; w = clip(w + a_plus * x_pre * w_max, 0*nS, w_max)"),
    "nearest": dict(
        params=dict(tau_pre=20e-3, tau_post=30e-3, a_plus=0.01, a_minus=0.0105, w_max=10 * NS),
        on_pre="g_post += w; x_pre = 1; w = clip(w - a_minus * x_post * w_max, 0*nS, w_max)",
        on_post="x_post = 1; w = clip(w + a_plus * x_pre * w_max, 0*nS, w_max)"),
    "soft": dict(
        params=dict(tau_pre=20e-3, tau_post=20e-3, a_plus=0.05, a_minus=0.04, w_max=10 * NS),
        on_pre="g_post += w; x_pre += 1; w -= a_minus * x_post * w",
        on_post="x_post += 1; w += a_plus * x_pre * (w_max - w)"),
    "triplet": dict(
        params=dict(tau_plus=16.8e-3, tau_minus=33.7e-3, tau_x=101e-3, tau_y=125e-3, a2_plus=5e-10,
                    a3_plus=6.2e-3, a2_minus=7e-3, a3_minus=2.3e-4, w_max=10 * NS),
        on_pre="g_post += w; w = clip(w - o1 * (a2_minus + a3_minus * r2) * w_max, 0*nS, w_max); "
               "r1 += 1; r2 += 1",
        on_post="w = clip(w + r1 * (a2_plus + a3_plus * o2) * w_max, 0*nS, w_max); o1 += 1; o2 += 1"),
}
RULES["vogels"] = dict(
    params=dict(tau=20e-3, eta=0.1 * NS, rho0=10.0, w_max=10 * NS, alpha=2 * 10.0 * 20e-3),
    on_pre="g_post += w; apre += 1; w = clip(w + eta * (apost - alpha), 0*nS, w_max)",
    on_post="apost += 1; w = clip(w + eta * apre, 0*nS, w_max)")
# The pair rule with its post.g standing for the target's ge.
RULES["pair_ge"] = dict(RULES["pair"], on_pre=RULES["pair"]["on_pre"].replace("g_post", "ge_post"), var="ge")
RULES["pair_delay"] = dict(RULES["pair"])
RULES["pair_spread"] = dict(RULES["pair"])
SEED = 1  # models/stdp.snn's (the default)
# Projection index, and the delay in steps: one, or (lo, hi) drawn per synapse.
DELAYS = {"pair_delay": (4, 30), "pair_spread": (5, (10.0, 80.0))}


def synapse_delays(j, lo, hi):
    """The delay in steps of each one-to-one synapse (i, i) of projection j."""
    key = (SEED & 0xFFFFFFFF, SEED >> 32)
    tag = (3 << 28) | j  # snn_philox_tag(SNN_RNG_WEIGHT, j)
    out = []
    for i in range(N):
        w = philox4x32_10((i, i, 1, tag), key)
        u = uniform01_f64(w[0], w[1])
        out.append(int(min(np.floor(hi + 0.5), max(1.0, np.floor(lo + (hi - lo) * u + 0.5)))))
    return np.array(out, dtype=np.int64)


def steps_of_delay(name):
    j, d = DELAYS[name]
    return synapse_delays(j, *d) if isinstance(d, tuple) else np.full(N, d)


# Brian2 reserves the suffixes _pre and _post: its traces are apre, apost.
VOGELS_TRACES = """
dapre/dt = -apre / tau : 1 (event-driven)
dapost/dt = -apost / tau : 1 (event-driven)
"""
PAIR_TRACES = """
dapre/dt = -apre / tau_pre : 1 (event-driven)
dapost/dt = -apost / tau_post : 1 (event-driven)
"""
TRIPLET_TRACES = """
dr1/dt = -r1 / tau_plus : 1 (event-driven)
dr2/dt = -r2 / tau_x : 1 (event-driven)
do1/dt = -o1 / tau_minus : 1 (event-driven)
do2/dt = -o2 / tau_y : 1 (event-driven)
"""


def protocols():
    """(pre steps, post steps) per neuron."""
    rng = np.random.default_rng(20261203)
    pre, post = [[] for _ in range(N)], [[] for _ in range(N)]
    for i, lag in enumerate([-20, -10, -5, -2, 2, 5, 10, 20]):
        for rep in range(8):
            t0 = 400 + rep * 1100  # steps: 110 ms apart
            pre[i].append(t0)
            post[i].append(t0 + lag * 10)
    for rep in range(8):
        t0 = 400 + rep * 1100
        post[8] += [t0, t0 + 100]    # post, pre 5 ms later, post 10 ms later
        pre[8].append(t0 + 50)
        pre[9] += [t0, t0 + 100]     # pre, post, pre
        post[9].append(t0 + 50)
    for i in (10, 11):
        pre[i] = sorted(set(rng.choice(STEPS, size=rng.poisson(25 * STEPS * DT), replace=False).tolist()))
        post[i] = sorted(set(rng.choice(STEPS, size=rng.poisson(25 * STEPS * DT), replace=False).tolist()))
    return pre, post


def write_spikes(path, steps):
    with open(path, "w") as f:
        f.write("time_ms,neuron\n")
        for i, times in enumerate(steps):
            for s in times:
                f.write("%.1f,%d\n" % (s * DT * 1e3, i))


def run_brian2(pre, post):
    import brian2 as b2  # noqa: imported late: slow, and only here
    b2.prefs.codegen.target = "numpy"
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = DT * b2.second
    b2.start_scope()
    times = np.concatenate([np.array(p, dtype=float) for p in pre]) * DT
    index = np.concatenate([np.full(len(p), n) for n, p in enumerate(pre)])
    source = b2.SpikeGeneratorGroup(N, index, times * b2.second)
    flags = np.zeros((STEPS, N))
    for n, steps in enumerate(post):
        flags[np.array(steps, dtype=int), n] = 1
    stim = b2.TimedArray(flags, dt=DT * b2.second)
    objects, monitors = [source], {}
    for name, rule in RULES.items():
        target = b2.NeuronGroup(N, "g : siemens\nge : siemens", threshold="stim(t, i) > 0.5", reset="",
                                name=name, namespace={"stim": stim})
        traces = TRIPLET_TRACES if name == "triplet" else VOGELS_TRACES if name == "vogels" else PAIR_TRACES
        params = {k: (v * b2.second if k.startswith("tau") else v * b2.siemens if k in ("w_max", "eta")
                      else v * b2.hertz if k == "rho0" else v)
                  for k, v in rule["params"].items()}
        code = {k: rule[k].replace("x_pre", "apre").replace("x_post", "apost") for k in ("on_pre", "on_post")}
        syn = b2.Synapses(source, target, model="w : siemens" + traces, on_pre=code["on_pre"],
                          on_post=code["on_post"], namespace=params, name="syn_" + name)
        syn.connect(j="i")
        syn.w = W0 * b2.siemens
        if name in DELAYS:
            syn.delay = (steps_of_delay(name) - 1) * DT * b2.second
        monitors[name] = b2.StateMonitor(target, rule.get("var", "g"), record=True, when="end")
        objects += [target, syn, monitors[name]]
    b2.Network(*objects).run(STEPS * DT * b2.second, namespace={})
    return {name: np.asarray(getattr(m, RULES[name].get("var", "g") + "_")[:]).T  # [steps x neurons]
            for name, m in monitors.items()}


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    checker = e2e.Checker("e2e_stdp_brian2")
    model = e2e.copy_model("stdp.snn", args.work)
    pre, post = protocols()
    write_spikes(os.path.join(args.work, "pre.csv"), pre)
    write_spikes(os.path.join(args.work, "post.csv"), post)
    exe = e2e.compile_model(args.snnc, model, args.work, "rules", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    ours = e2e.load_npz(os.path.join(args.work, "rules.npz"))
    ref = run_brian2(pre, post)
    spread = steps_of_delay("pair_spread")
    checker.check(len(set(spread.tolist())) >= 4, "pair_spread: only delays %s drawn" % sorted(set(spread.tolist())))
    checker.note("pair_spread: delays %s steps" % spread.tolist())
    # The retargeted rule writes ge only.
    checker.check(not np.any(ours["pair_ge_g"]), "pair_ge: g changed, though the projection targets ge")
    for name in RULES:
        got = ours[name + "_" + RULES[name].get("var", "g")][0]
        want = ref[name]
        checker.check(got.shape == want.shape, "%s: %s samples, Brian2 %s" % (name, got.shape, want.shape))
        if got.shape != want.shape:
            continue
        err = e2e.compare_traces(checker, name + " g", got, want, rtol=1e-6, atol=1e-15, times=ours["t"])
        # The weights at the presynaptic spikes: g's steps.
        steps = np.diff(np.vstack([np.zeros((1, N)), want]), axis=0)
        weights = steps[steps > 0]
        spread = (weights.max() - weights.min()) / W0
        checker.check(spread > 0.01, "%s: the weights barely changed (spread %.3g of w0)" % (name, spread))
        checker.note("%s: %d presynaptic spikes, weights %.4g..%.4g nS, max rel error %.3g"
                     % (name, weights.size, weights.min() / NS, weights.max() / NS, err))
    checker.finish()


if __name__ == "__main__":
    main()
