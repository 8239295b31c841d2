"""e2e (slow): CUBA and COBA (Vogels & Abbott 2005) mean rates against Brian2.

CUBA is examples/cuba.snn (current-based LIF, exponential currents in
volts, Brian2's CUBA example). COBA is the conductance-based LIF benchmark
of Brette et al. 2007 (std.neurons.CondLIF: C 200 pF, g_L 10 nS, E_e 0 mV,
E_i -80 mV, we 6 nS, wi 67 nS, 5 ms refractory), started from Brian2's
COBAHH initial values (v ~ uniform(-60 mV, -50 mV), ge ~ normal(40 nS,
15 nS), gi ~ normal(200 nS, 120 nS)) so that its activity sustains itself.
Both have 3200 excitatory and 800 inhibitory neurons connected with p =
0.02 and run for DURATION at dt = 0.1 ms.

A network's rate depends on its random connectivity by a few percent, so
Brian2 gets snnc's own synapses: this test recomputes them from the
documented stream (runtime/lib/Connectivity.cpp: per row pre of projection
j, uniforms from Philox blocks (pre, block, 0, tag(CONNECTIVITY, j)) under
the run key, and geometric gaps floor(ln(1 - u) / ln(1 - p))), checks the
count against snnc's summary, and connects Brian2's Synapses with them.
The initial values differ (each simulator draws its own), and the runs
diverge (the networks are chaotic): the check is on the mean rates of the
excitatory and inhibitory populations over the whole run, within 5 % of
Brian2's (numpy target, float64, same dt; method exact for CUBA and the
exponential Euler that snnc picks for COBA).
"""

import os
import sys
import time
import warnings

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DURATION = 10.0
SEED = 1
NE, NI = 3200, 800
P = 0.02
MASK = 0xFFFFFFFF
TOLERANCE = 0.05

COBA_MODEL = """
import std.neurons.CondLIF

network COBA {
  population exc = CondLIF x 3200
  population inh = CondLIF x 800
  connect exc -> exc.ge, inh.ge : fixed_probability(0.02), weight 6 nS
  connect inh -> exc.gi, inh.gi : fixed_probability(0.02), weight 67 nS
}

simulate COBA {
  dt = 0.1 ms
  duration = 1 s
  init exc.v, inh.v ~ uniform(-60 mV, -50 mV)
  init exc.ge, inh.ge ~ normal(40 nS, 15 nS)
  init exc.gi, inh.gi ~ normal(200 nS, 120 nS)
}
"""


def philox(c0, c1, c2, c3, k0, k1):
    """Philox4x32-10 on arrays of counters (snn/philox.h)."""
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) for c in (c0, c1, c2, c3))
    k0, k1 = np.uint64(k0), np.uint64(k1)
    m = np.uint64(MASK)
    for r in range(10):
        if r > 0:
            k0 = (k0 + np.uint64(0x9E3779B9)) & m
            k1 = (k1 + np.uint64(0xBB67AE85)) & m
        p0 = np.uint64(0xD2511F53) * c0
        p1 = np.uint64(0xCD9E8D57) * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ k0) & m, p1 & m, ((p0 >> np.uint64(32)) ^ c3 ^ k1) & m, p0 & m
    return c0, c1, c2, c3


def uniform01(hi, lo):
    return ((hi >> np.uint64(5)).astype(np.float64) * 67108864.0 + (lo >> np.uint64(6)).astype(np.float64)) * (
        1.0 / 9007199254740992.0)


def fixed_probability(j, num_pre, num_post, p, seed):
    """snnc's synapses (pre, post) of projection j: fixed_probability(p)."""
    tag = (2 << 28) | j  # snn_philox_tag(SNN_RNG_CONNECTIVITY, j)
    k0, k1 = seed & MASK, seed >> 32
    blocks = int(p * num_post / 2 + 8 * np.sqrt(p * num_post) + 16)
    pre = np.repeat(np.arange(num_pre), blocks)
    block = np.tile(np.arange(blocks), num_pre)
    w = philox(pre, block, np.zeros_like(pre), np.full(pre.shape, tag), k0, k1)
    u = np.stack([uniform01(w[0], w[1]), uniform01(w[2], w[3])], axis=1).reshape(num_pre, 2 * blocks)
    gaps = np.floor(np.log(1 - u) / np.log1p(-p))
    columns = np.cumsum(gaps + 1, axis=1) - 1
    if not np.all(columns[:, -1] >= num_post):
        e2e.setup_error("too few uniforms per row for the connectivity of projection %d" % j)
    keep = columns < num_post
    rows = np.repeat(np.arange(num_pre)[:, None], 2 * blocks, axis=1)
    return rows[keep], columns[keep].astype(np.int64)


def rates_snnc(args, name, model_path):
    exe = e2e.compile_model(args.snnc, model_path, args.work, name, ["--precision=double"])
    proc = e2e.run_model(exe, args.work, ["--duration", "%gs" % DURATION, "--seed", str(SEED), "--out",
                                          os.path.join(args.work, name + ".npz")], timeout=600)
    rates = e2e.summary_rates(proc.stdout)
    synapses = None
    for line in proc.stdout.splitlines():
        if " synapses" in line and line.startswith("model "):
            synapses = int(line.split(",")[-1].split()[0])
    # From the spike counts: the printed rate has two decimals.
    return {pop: rates[pop][1] / rates[pop][0] / DURATION for pop in ("exc", "inh")}, synapses


def connectivity(seed):
    """The four projections of either model, in declaration order, as
    Brian2 indices over one group of 4000 (exc 0..3199, inh 3200..)."""
    parts = []
    for j, (pre_off, n_pre, post_off, n_post) in enumerate(
            [(0, NE, 0, NE), (0, NE, NE, NI), (NE, NI, 0, NE), (NE, NI, NE, NI)]):
        i, k = fixed_probability(j, n_pre, n_post, P, seed)
        parts.append((i + pre_off, k + post_off))
    exc_i = np.concatenate([parts[0][0], parts[1][0]])
    exc_j = np.concatenate([parts[0][1], parts[1][1]])
    inh_i = np.concatenate([parts[2][0], parts[3][0]])
    inh_j = np.concatenate([parts[2][1], parts[3][1]])
    return exc_i, exc_j, inh_i, inh_j


def rates_brian2(kind, synapses):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import brian2 as b2
    from brian2 import ms, mV, nS, pF
    b2.start_scope()
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = 0.1 * ms
    b2.seed(SEED)
    if kind == "cuba":
        ns = dict(taum=20 * ms, taue=5 * ms, taui=10 * ms, Vt=-50 * mV, Vr=-60 * mV, El=-49 * mV)
        eqs = """
        dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
        dge/dt = -ge / taue : volt
        dgi/dt = -gi / taui : volt
        """
        group = b2.NeuronGroup(NE + NI, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="exact",
                               namespace=ns)
        group.v = "Vr + rand() * (Vt - Vr)"
        we, wi = "ge += 1.62 * mV", "gi += -9 * mV"
    else:
        ns = dict(C=200 * pF, gL=10 * nS, El=-60 * mV, Ee=0 * mV, Ei=-80 * mV, taue=5 * ms, taui=10 * ms,
                  Vt=-50 * mV, Vr=-60 * mV)
        eqs = """
        dv/dt = (gL * (El - v) + ge * (Ee - v) + gi * (Ei - v)) / C : volt (unless refractory)
        dge/dt = -ge / taue : siemens
        dgi/dt = -gi / taui : siemens
        """
        group = b2.NeuronGroup(NE + NI, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                               method="exponential_euler", namespace=ns)
        group.v = "Vr + rand() * (Vt - Vr)"
        group.ge = "(randn() * 15 + 40) * nS"
        group.gi = "(randn() * 120 + 200) * nS"
        we, wi = "ge += 6 * nS", "gi += 67 * nS"
    exc_i, exc_j, inh_i, inh_j = synapses
    ce = b2.Synapses(group, group, on_pre=we)
    ce.connect(i=exc_i, j=exc_j)
    ci = b2.Synapses(group, group, on_pre=wi)
    ci.connect(i=inh_i, j=inh_j)
    spikes = b2.SpikeMonitor(group)
    b2.Network(group, ce, ci, spikes).run(DURATION * b2.second, namespace={})
    i = np.asarray(spikes.i)
    return {"exc": (i < NE).sum() / NE / DURATION, "inh": (i >= NE).sum() / NI / DURATION}


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("cuba_coba_brian2")
    coba_path = os.path.join(args.work, "coba.snn")
    with open(coba_path, "w") as f:
        f.write(COBA_MODEL)
    synapses = connectivity(SEED)
    count = sum(len(x) for x in synapses[::2])
    for kind, path in (("cuba", os.path.join(e2e.SOURCE_ROOT, "examples", "cuba.snn")), ("coba", coba_path)):
        ours, theirs_count = rates_snnc(args, kind, path)
        check.check(theirs_count == count, "%s: snnc built %s synapses, the recomputed stream %d"
                    % (kind, theirs_count, count))
        start = time.time()
        ref = rates_brian2(kind, synapses)
        for pop in ("exc", "inh"):
            ratio = ours[pop] / ref[pop] if ref[pop] > 0 else float("inf")
            check.check(ref[pop] > 0.5 and abs(ratio - 1) <= TOLERANCE,
                        "%s %s: %.3f Hz, Brian2 %.3f Hz" % (kind, pop, ours[pop], ref[pop]))
            check.note("%s %s: snnc %.3f Hz, Brian2 %.3f Hz (ratio %.4f) over %g s; Brian2 ran %.0f s"
                       % (kind, pop, ours[pop], ref[pop], ratio, DURATION, time.time() - start))
    check.finish()


if __name__ == "__main__":
    main()
