"""e2e: the nonlinear Izhikevich example (RK4) against Brian2's RK4.

examples/izhikevich.snn holds four Izhikevich (2003) neurons of different
firing classes under constant drive; snnc integrates the nonlinear system
with RK4 (its default for nonlinear models). Brian2 (runtime device, numpy
target, method 'rk4', same dt) integrates the same equations: an
independent implementation of the same scheme. The two differ in rounding
(snnc folds 0.04 / mV into one constant), and for some parameters the spike
upstroke amplifies rounding differences until a threshold crossing moves by
a step. So Brian2 runs twice, with two algebraically equal forms of dv/dt,
and for each neuron the comparison covers the steps where those two runs
agree to 1e-12 V (required to be at least MIN_HORIZON steps). Checks
(float64) on that horizon: the spike steps exactly, every voltage sample to
1e-6 relative (1e-9 V absolute).
"""

import os
import sys
import warnings

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 0.05e-3
STEPS = 10000
MIN_HORIZON = 2000  # steps (100 ms)
FORMS = ("0.04 * v**2 / mV", "(40 / volt) * v * v")
# Keep in sync with examples/izhikevich.snn: population -> (a, b, c, d).
NEURONS = {
    "regular": (0.02, 0.2, -65e-3, 8e-3),
    "bursting": (0.02, 0.2, -50e-3, 2e-3),
    "fast": (0.1, 0.2, -65e-3, 2e-3),
    "resonator": (0.1, 0.26, -65e-3, 2e-3),
}


def run_brian2(form):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import brian2 as b2
    except ImportError:
        e2e.skip("brian2 is not importable by this python")
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT * b2.second
    eqs = """
    dv/dt = (FORM + 5 * v + 140 * mV - u + i_ext) / ms : volt
    du/dt = a * (b * v - u) / ms : volt
    a : 1 (constant)
    b : 1 (constant)
    c : volt (constant)
    d : volt (constant)
    i_ext : volt (constant)
    """.replace("FORM", form)
    group = b2.NeuronGroup(len(NEURONS), eqs, threshold="v >= 30 * mV", reset="v = c; u += d", method="rk4")
    params = np.array(list(NEURONS.values()))
    group.a = params[:, 0]
    group.b = params[:, 1]
    group.c = params[:, 2] * b2.volt
    group.d = params[:, 3] * b2.volt
    group.i_ext = 10e-3 * b2.volt
    group.v = -65e-3 * b2.volt
    group.u = -13e-3 * b2.volt
    states = b2.StateMonitor(group, "v", record=True, when="end")
    spikes = b2.SpikeMonitor(group)
    b2.run(STEPS * DT * b2.second)
    v = np.asarray(states.v / b2.volt)  # [neurons, steps]
    steps = np.rint(np.asarray(spikes.t / b2.second) / DT).astype(np.int64)
    return v, np.asarray(spikes.i), steps


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("izhikevich_brian2")
    model = os.path.join(e2e.SOURCE_ROOT, "examples", "izhikevich.snn")
    exe = e2e.compile_model(args.snnc, model, args.work, "izhikevich", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    ours = e2e.load_npz(os.path.join(args.work, "izhikevich.npz"))
    v_ref, spike_i, spike_steps = run_brian2(FORMS[0])
    v_alt = run_brian2(FORMS[1])[0]
    for k, name in enumerate(NEURONS):
        apart = np.abs(v_ref[k] - v_alt[k]) > 1e-12
        horizon = int(np.argmax(apart)) if apart.any() else v_ref.shape[1]
        check.check(horizon >= MIN_HORIZON, "%s: Brian2 agrees with itself for only %d steps" % (name, horizon))
        v = ours[name + "_v"][0, :horizon, 0]  # example 0 of [examples, steps, neurons]
        ref = v_ref[k][:horizon]
        check.check(v.shape == ref.shape, "%s: %d samples, Brian2 has %d" % (name, v.shape[0], ref.shape[0]))
        if v.shape != ref.shape:
            continue
        err = np.abs(v - ref)
        bad = err > np.maximum(1e-6 * np.abs(ref), 1e-9)
        check.check(not bad.any(), "%s: %d samples differ; first at step %d: %g V vs %g V"
                    % (name, bad.sum(), int(np.argmax(bad)), v[np.argmax(bad)], ref[np.argmax(bad)]))
        ours_steps = np.rint(ours[name + "_spikes_t"] / DT).astype(np.int64)
        ours_steps = ours_steps[ours_steps < horizon]
        theirs = np.sort(spike_steps[(spike_i == k) & (spike_steps < horizon)])
        check.check(np.array_equal(ours_steps, theirs),
                    "%s: spike steps differ: %s vs Brian2 %s" % (name, ours_steps[:8], theirs[:8]))
        check.note("%s: %d spikes in %d steps, max |dv| %.3g V" % (name, len(ours_steps), horizon, err.max()))
    check.finish()


if __name__ == "__main__":
    main()
