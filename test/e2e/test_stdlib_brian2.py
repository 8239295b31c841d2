"""e2e: the stdlib neuron models of issue 8.8 (and IF) under a current step, against Brian2.

models/stdlib_neurons.snn holds one population per model of std.neurons
added by issue 8.8: the Izhikevich (2003) classes RS, IB, CH, FS and LTS,
the AdEx firing patterns of Naud et al. (2008, Table 1, each with the
table's step current), the Traub-Miles Hodgkin-Huxley neuron of Brian2's
COBAHH example and the conductance-based LIF, the last two also with
scripted spikes onto their conductances ge and gi (the *_syn populations).
Every drive is a constant offset current from t = 0.

Brian2 (runtime device, numpy target, float64, same dt) integrates the
same equations with the method snnc chose for each population, read from
`snnc --emit=ir` ("discretized with exact|euler|rk4|exponential_euler"), so
the test follows snnc's automatic choice. Brian2's StateMonitor runs in the
'end' slot: it samples what snnc records after step k (snnc's t is
(k + 1) dt, Brian2's k dt). HodgkinHuxley fires when v > -20 mV outside a
3 ms refractory period, as COBAHH does, so both sides define spikes alike.

Chaos and the spike upstroke amplify rounding: the irregular AdEx pattern
is chaotic, and an Izhikevich or AdEx threshold crossing can move by a step
late in the run. So (as test_izhikevich_brian2.py does) Brian2 runs the
Izhikevich and AdEx groups a second time with algebraically equal forms of
dv/dt, and for each of those populations the comparison covers the steps
where the two Brian2 runs agree to 1e-6 of the trace's range (required to
be at least MIN_HORIZON steps); the HH and CondLIF populations are compared
over the whole run. Checks (float64) per population: the membrane trace's
max |snnc - Brian2| at most 1e-4 of the trace's range (max - min), the
spike steps exactly, at least one spike, and for HH the number of upward
crossings of -20 mV in both traces equal to the spike count.
"""

import os
import re
import sys
import time

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 2e-5
STEPS = 15000  # 300 ms
MIN_HORIZON = 5000  # steps (100 ms)
HORIZON_TOL = 1e-6  # of the trace's range: the two Brian2 runs agree
TRACE_TOL = 1e-4  # of the trace's range: snnc against Brian2
MV, PA, NA, NS, PF, MS = 1e-3, 1e-12, 1e-9, 1e-9, 1e-12, 1e-3

# Keep in sync with models/stdlib_neurons.snn and stdlib/std/neurons.snn.
# Izhikevich (2003) Fig. 2: population -> (a, b, c, d, i_ext); v starts at
# -65 mV, u at b * -65 mV.
IZHIKEVICH = {
    "izh_rs": (0.02, 0.2, -65 * MV, 8 * MV, 10 * MV),
    "izh_ib": (0.02, 0.2, -55 * MV, 4 * MV, 10 * MV),
    "izh_ch": (0.02, 0.2, -50 * MV, 2 * MV, 10 * MV),
    "izh_fs": (0.1, 0.2, -65 * MV, 2 * MV, 10 * MV),
    "izh_lts": (0.02, 0.25, -65 * MV, 2 * MV, 10 * MV),
}
# Naud et al. (2008) Table 1: population -> (C, g_L, E_L, V_T, Delta_T, a,
# tau_w, b, V_reset, I); V_peak = 0 mV; v starts at E_L, w at 0.
ADEX = {
    "adex_tonic": (200 * PF, 10 * NS, -70 * MV, -50 * MV, 2 * MV, 2 * NS, 30 * MS, 0 * PA, -58 * MV, 500 * PA),
    "adex_adapting": (200 * PF, 12 * NS, -70 * MV, -50 * MV, 2 * MV, 2 * NS, 300 * MS, 60 * PA, -58 * MV, 500 * PA),
    "adex_initial_burst": (130 * PF, 18 * NS, -58 * MV, -50 * MV, 2 * MV, 4 * NS, 150 * MS, 120 * PA, -50 * MV,
                           400 * PA),
    "adex_bursting": (200 * PF, 10 * NS, -58 * MV, -50 * MV, 2 * MV, 2 * NS, 120 * MS, 100 * PA, -46 * MV, 210 * PA),
    "adex_accelerating": (200 * PF, 12 * NS, -70 * MV, -50 * MV, 2 * MV, -10 * NS, 300 * MS, 0 * PA, -58 * MV,
                          300 * PA),
    "adex_delayed_bursting": (100 * PF, 10 * NS, -65 * MV, -50 * MV, 2 * MV, -10 * NS, 90 * MS, 30 * PA, -47 * MV,
                              110 * PA),
    "adex_transient": (100 * PF, 10 * NS, -65 * MV, -50 * MV, 2 * MV, 10 * NS, 90 * MS, 100 * PA, -47 * MV, 180 * PA),
    "adex_irregular": (100 * PF, 12 * NS, -60 * MV, -50 * MV, 2 * MV, -11 * NS, 130 * MS, 30 * PA, -48 * MV, 160 * PA),
}
ADEX_V_PEAK = 0.0
# HodgkinHuxley (std.neurons defaults = COBAHH): population -> i_ext.
HH = {"hh": 0.5 * NA, "hh_syn": 0.1 * NA}
HH_V_SPIKE = -20 * MV
# CondLIF (std.neurons defaults = COBA): population -> (i_ext, ge(0), gi(0)).
COND = {"cond": (0.3 * NA, 4 * NS, 10 * NS), "cond_syn": (0.12 * NA, 0.0, 0.0)}
# IF (std.neurons defaults: c_mem 250 pF, v_th 10 mV, v_reset 0): population
# -> (i_offset, t_ref).
IF = {"if_plain": (0.9 * NA, 0.0), "if_ref": (1.3 * NA, 2 * MS)}
# Scripted spikes onto the conductances: population -> (w onto ge, w onto gi).
SYNAPTIC = {"hh_syn": (6 * NS, 20 * NS), "cond_syn": (3 * NS, 5 * NS)}
STIMULUS_RATES = {"exc": 80.0, "inh": 40.0}  # Hz

IZHIKEVICH_FORMS = ("0.04 * v**2 / mV", "(40 / volt) * v * v")
ADEX_FORMS = ("exp((v_cut - V_T) / Delta_T)", "exp(v_cut / Delta_T - V_T / Delta_T)")


def write_stimulus(work):
    """Writes exc.csv and inh.csv (one spike source each, spikes inside their
    steps); returns name -> the sorted steps."""
    rng = np.random.default_rng(20240817)
    steps = {}
    for name, rate in STIMULUS_RATES.items():
        count = rng.poisson(rate * STEPS * DT)
        steps[name] = np.sort(rng.choice(STEPS, size=count, replace=False))
        with open(os.path.join(work, name + ".csv"), "w") as f:
            f.write("time,neuron\n")
            for step in steps[name]:
                f.write("%.6f,0\n" % ((step + 0.5) * DT))
    return steps


def snnc_methods(snnc, model, work):
    """population -> the method snnc discretized its (specialised) model with."""
    proc = e2e.run_process([snnc, model, "--emit=ir"], cwd=work)
    if proc.returncode != 0:
        print(proc.stderr)
        e2e.setup_error("snnc --emit=ir failed (exit %d)" % proc.returncode)
    methods, model_name = {}, None
    for line in proc.stdout.splitlines():
        m = re.match(r"neuron (\S+) \{", line)
        if m:
            model_name = m.group(1)
        m = re.match(r"\s+discretized with (\w+)", line)
        if m and model_name:
            methods[model_name] = m.group(1)
    populations = {}
    for m in re.finditer(r"^\s+population (\w+) = (\S+) x \d+", proc.stdout, re.M):
        if m.group(2) in methods:
            populations[m.group(1)] = methods[m.group(2)]
    return populations


def izhikevich_group(b2, pops, form, method):
    eqs = """
    dv/dt = (FORM + 5 * v + 140 * mV - u + i_ext) / ms : volt
    du/dt = a * (b * v - u) / ms : volt
    a : 1 (constant)
    b : 1 (constant)
    c : volt (constant)
    d : volt (constant)
    i_ext : volt (constant)
    """.replace("FORM", form)
    group = b2.NeuronGroup(len(pops), eqs, threshold="v >= 30 * mV", reset="v = c; u += d",
                           method=method, namespace={})
    params = np.array([IZHIKEVICH[p] for p in pops])
    group.a = params[:, 0]
    group.b = params[:, 1]
    group.c = params[:, 2] * b2.volt
    group.d = params[:, 3] * b2.volt
    group.i_ext = params[:, 4] * b2.volt
    group.v = -65 * MV * b2.volt
    group.u = params[:, 1] * -65 * MV * b2.volt
    return group


def adex_group(b2, pops, form, method):
    eqs = """
    dv/dt = (g_L * (E_L - v) + g_L * Delta_T * FORM - w + i_ext) / C : volt
    dw/dt = (a * (v_cut - E_L) - w) / tau_w : amp
    v_cut = clip(v, -inf * volt, V_peak) : volt
    C : farad (constant)
    g_L : siemens (constant)
    E_L : volt (constant)
    V_T : volt (constant)
    Delta_T : volt (constant)
    a : siemens (constant)
    tau_w : second (constant)
    b : amp (constant)
    V_reset : volt (constant)
    i_ext : amp (constant)
    """.replace("FORM", form)
    group = b2.NeuronGroup(len(pops), eqs, threshold="v > V_peak", reset="v = V_reset; w += b",
                           method=method, namespace={"V_peak": ADEX_V_PEAK * b2.volt})
    params = np.array([ADEX[p] for p in pops])
    for k, (name, unit) in enumerate([("C", b2.farad), ("g_L", b2.siemens), ("E_L", b2.volt),
                                      ("V_T", b2.volt), ("Delta_T", b2.volt), ("a", b2.siemens),
                                      ("tau_w", b2.second), ("b", b2.amp), ("V_reset", b2.volt),
                                      ("i_ext", b2.amp)]):
        setattr(group, name, params[:, k] * unit)
    group.v = params[:, 2] * b2.volt
    group.w = 0 * b2.amp
    return group


def hh_group(b2, pops, method):
    area = 20000 * b2.umetre ** 2
    namespace = {
        "C_m": 1 * b2.ufarad * b2.cm ** -2 * area, "g_l": 5e-5 * b2.siemens * b2.cm ** -2 * area,
        "E_l": -60 * b2.mV, "E_K": -90 * b2.mV, "E_Na": 50 * b2.mV,
        "g_na": 100 * b2.msiemens * b2.cm ** -2 * area, "g_kd": 30 * b2.msiemens * b2.cm ** -2 * area,
        "V_T": -63 * b2.mV, "E_e": 0 * b2.mV, "E_i": -80 * b2.mV, "tau_e": 5 * b2.ms,
        "tau_i": 10 * b2.ms, "v_spike": HH_V_SPIKE * b2.volt,
    }
    eqs = """
    dv/dt = (g_l * (E_l - v) + ge * (E_e - v) + gi * (E_i - v) - g_na * m * m * m * h * (v - E_Na)
             - g_kd * n * n * n * n * (v - E_K) + i_ext) / C_m : volt
    dm/dt = alpha_m * (1 - m) - beta_m * m : 1
    dn/dt = alpha_n * (1 - n) - beta_n * n : 1
    dh/dt = alpha_h * (1 - h) - beta_h * h : 1
    dge/dt = -ge / tau_e : siemens
    dgi/dt = -gi / tau_i : siemens
    i_ext : amp (constant)
    """ + e2e.HH_RATES
    group = b2.NeuronGroup(len(pops), eqs, threshold="v > v_spike", refractory=3 * b2.ms,
                           method=method, namespace=namespace)
    group.i_ext = np.array([HH[p] for p in pops]) * b2.amp
    group.v = -60 * b2.mV
    return group


def cond_group(b2, pops, method):
    namespace = {
        "C": 200 * b2.pF, "g_L": 10 * b2.nS, "E_L": -60 * b2.mV, "E_e": 0 * b2.mV,
        "E_i": -80 * b2.mV, "tau_e": 5 * b2.ms, "tau_i": 10 * b2.ms, "v_th": -50 * b2.mV,
        "v_reset": -60 * b2.mV,
    }
    eqs = """
    dv/dt = (g_L * (E_L - v) + ge * (E_e - v) + gi * (E_i - v) + i_ext) / C : volt (unless refractory)
    dge/dt = -ge / tau_e : siemens
    dgi/dt = -gi / tau_i : siemens
    i_ext : amp (constant)
    """
    group = b2.NeuronGroup(len(pops), eqs, threshold="v > v_th", reset="v = v_reset",
                           refractory=5 * b2.ms, method=method, namespace=namespace)
    params = np.array([COND[p] for p in pops])
    group.i_ext = params[:, 0] * b2.amp
    group.ge = params[:, 1] * b2.siemens
    group.gi = params[:, 2] * b2.siemens
    group.v = -60 * b2.mV
    return group


def if_group(b2, pops, method):
    eqs = """
    dv/dt = i_offset / (250 * pF) : volt (unless refractory)
    i_offset : amp (constant)
    t_ref : second (constant)
    """
    # Brian2's linear solver refuses a right side free of v; for a constant
    # derivative Euler's step v + dt i / C is the exact solution.
    group = b2.NeuronGroup(len(pops), eqs, threshold="v > 10 * mV", reset="v = 0 * mV", refractory="t_ref",
                           method="euler" if method == "exact" else method)
    params = np.array([IF[p] for p in pops])
    group.i_offset = params[:, 0] * b2.amp
    group.t_ref = params[:, 1] * b2.second
    return group


def run_brian2(methods, stimulus, alternative):
    """Runs the populations in Brian2: all of them with the first forms, or
    (alternative) the Izhikevich and AdEx ones with the second forms.
    Returns population -> (v trace, spike steps)."""
    b2 = e2e.brian2(DT)
    families = [(IZHIKEVICH, lambda p, m: izhikevich_group(b2, p, IZHIKEVICH_FORMS[alternative], m)),
                (ADEX, lambda p, m: adex_group(b2, p, ADEX_FORMS[alternative], m))]
    if not alternative:
        families += [(HH, lambda p, m: hh_group(b2, p, m)), (COND, lambda p, m: cond_group(b2, p, m)),
                     (IF, lambda p, m: if_group(b2, p, m))]
    objects, where = [], {}  # population -> (group, state monitor, spike monitor, index)
    for family, make in families:
        for method in sorted({methods[p] for p in family}):
            pops = [p for p in family if methods[p] == method]
            group = make(pops, method)
            states = b2.StateMonitor(group, "v", record=True, when="end")
            spikes = b2.SpikeMonitor(group)
            objects += [group, states, spikes]
            for k, p in enumerate(pops):
                where[p] = (group, states, spikes, k)
    if not alternative:
        sources = {}
        for name, steps in stimulus.items():
            sources[name] = b2.SpikeGeneratorGroup(1, np.zeros(len(steps), dtype=int),
                                                   (steps + 0.5) * DT * b2.second)
            objects.append(sources[name])
        for pop, weights in SYNAPTIC.items():
            group, _, _, k = where[pop]
            for name, target, weight in (("exc", "ge", weights[0]), ("inh", "gi", weights[1])):
                syn = b2.Synapses(sources[name], group, "w : siemens", on_pre="%s_post += w" % target)
                syn.connect(i=0, j=k)
                syn.w = weight * b2.siemens
                objects.append(syn)
    net = b2.Network(*objects)
    net.run(STEPS * DT * b2.second)
    result = {}
    for p, (group, states, spikes, k) in where.items():
        v = np.asarray(states.v_[k])
        mine = np.asarray(spikes.i) == k
        steps = np.sort(np.rint(np.asarray(spikes.t_)[mine] / DT).astype(np.int64))
        result[p] = (v, steps)
    return result


def upward_crossings(v, level):
    return int(v[0] > level) + int(np.count_nonzero((v[:-1] <= level) & (v[1:] > level)))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("stdlib_brian2")
    model = e2e.copy_model("stdlib_neurons.snn", args.work)
    stimulus = write_stimulus(args.work)
    methods = snnc_methods(args.snnc, model, args.work)
    populations = list(IZHIKEVICH) + list(ADEX) + list(HH) + list(COND) + list(IF)
    missing = [p for p in populations if p not in methods]
    if missing:
        e2e.setup_error("snnc --emit=ir names no method for %s" % ", ".join(missing))
    exe = e2e.compile_model(args.snnc, model, args.work, "stdlib", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    ours = e2e.load_npz(os.path.join(args.work, "stdlib.npz"))

    start = time.time()
    ref = run_brian2(methods, stimulus, alternative=0)
    alt = run_brian2(methods, stimulus, alternative=1)
    check.note("Brian2 ran in %.1f s" % (time.time() - start))

    for p in populations:
        v_ref, ref_steps = ref[p]
        horizon = STEPS
        span = float(v_ref.max() - v_ref.min())
        if p in alt:
            apart = np.abs(v_ref - alt[p][0]) > HORIZON_TOL * span
            horizon = int(np.argmax(apart)) if apart.any() else STEPS
            check.check(horizon >= MIN_HORIZON, "%s: Brian2 agrees with itself for only %d steps"
                        % (p, horizon))
        v = ours[p + "_v"][0, :, 0]  # example 0 of [examples, steps, neurons]
        if not check.check(v.shape == v_ref.shape, "%s: %d samples, Brian2 has %d"
                           % (p, v.shape[0], v_ref.shape[0])):
            continue
        err = np.abs(v[:horizon] - v_ref[:horizon])
        worst = int(np.argmax(err))
        check.check(err[worst] <= TRACE_TOL * span,
                    "%s (%s): max |dv| %.3g V at step %d (%.6g V vs Brian2 %.6g V) exceeds %g of the "
                    "range %.3g V" % (p, methods[p], err[worst], worst, v[worst], v_ref[worst], TRACE_TOL,
                                      span))
        our_steps = np.sort(np.rint(ours[p + "_spikes_t"] / DT).astype(np.int64))
        mine, theirs = our_steps[our_steps < horizon], ref_steps[ref_steps < horizon]
        check.check(np.array_equal(mine, theirs), "%s: spike steps differ: %s vs Brian2 %s"
                    % (p, mine[:10], theirs[:10]))
        check.check(len(mine) > 0, "%s never fires: the test covers too little" % p)
        extra = ""
        if p in HH:
            ours_up, ref_up = upward_crossings(v, HH_V_SPIKE), upward_crossings(v_ref, HH_V_SPIKE)
            check.check(ours_up == len(our_steps) and ref_up == len(ref_steps),
                        "%s: %d and %d upward crossings of -20 mV (snnc, Brian2), %d and %d spikes"
                        % (p, ours_up, ref_up, len(our_steps), len(ref_steps)))
            extra = ", %d upward crossings of -20 mV" % ours_up
        check.note("%s (%s): %d spikes (Brian2 %d) in %d steps, max |dv| %.3g V = %.2g of the range%s"
                   % (p, methods[p], len(mine), len(theirs), horizon, err.max(), err.max() / span, extra))
    check.finish()


if __name__ == "__main__":
    main()
