"""e2e: single LIF neurons under constant input against the analytic solution.

models/lif_analytic.snn holds five one-neuron populations of std.neurons.LIF:
    dv/dt = (v_rest - v + i + i_offset) / tau_mem  unless refractory
    spike when v > v_th;  on spike { v = v_reset }
With constant drive I = i_offset the exact solution from (t0, v0) is
    v(t) = v_inf + (v0 - v_inf) exp(-(t - t0) / tau),  v_inf = v_rest + I.

Step semantics (passes/DiscretizeOdes.cpp, backends/cpu, runtime Recorder):
  * step k advances v over [k dt, (k+1) dt]; the sample recorded for step k is
    the state after the step, after any reset, at time t = (k+1) dt;
  * the threshold is tested on the updated value; when v > v_th the neuron
    spikes in step k (spike time k dt) and v becomes v_reset;
  * with R = round(t_ref / dt) refractory steps, v is held at v_reset for the
    R - 1 steps after the spike step (Brian2 semantics) and integrates again
    from the end of step k + R - 1, i.e. from time (k + max(R, 1)) dt.

Checks: every sample to 1e-6 relative (1e-9 V absolute near zero) and the
spike steps exactly at float64; 1e-5 relative (1e-8 V absolute) and the
same spike steps at float32; the NPZ layout;
and that --duration shortens the run to a prefix of the same trajectory.
"""

import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
DURATION = 0.3
MV = 1e-3

# name: (tau_mem, v_rest, v_th, v_reset, i_offset, t_ref, v_initial); keep in
# sync with models/lif_analytic.snn.
NEURONS = {
    "free": (10e-3, 0.0, 10 * MV, 0.0, 12 * MV, 0.0, 0.0),
    "refr": (10e-3, 0.0, 10 * MV, 0.0, 12 * MV, 2e-3, 0.0),
    "shifted": (20e-3, -65 * MV, -50 * MV, -70 * MV, 25 * MV, 3.33e-3, -55 * MV),
    "one_step": (5e-3, -10 * MV, 5 * MV, -20 * MV, 30 * MV, 0.1e-3, -10 * MV),
    "sub": (15e-3, -60 * MV, -50 * MV, -60 * MV, 8 * MV, 0.0, -80 * MV),
}


def expected_trajectory(steps, tau, v_rest, v_th, v_reset, drive, t_ref, v0):
    """Samples after each step, spike steps, and the smallest |v - v_th| seen
    at a threshold test (how unambiguous the spike decisions are)."""
    refractory_steps = int(math.floor(t_ref / DT + 0.5))
    v_inf = v_rest + drive
    samples = np.empty(steps)
    spikes = []
    margin = math.inf
    anchor_step, anchor_v = 0, v0  # integrating from time anchor_step * dt
    k = 0
    while k < steps:
        elapsed = (k + 1 - anchor_step) * DT
        value = v_inf + (anchor_v - v_inf) * math.exp(-elapsed / tau)
        margin = min(margin, abs(value - v_th))
        if value > v_th:
            spikes.append(k)
            resume = k + max(refractory_steps, 1)
            samples[k:min(resume, steps)] = v_reset
            anchor_step, anchor_v = resume, v_reset
            k = resume
        else:
            samples[k] = value
            k += 1
    return samples, np.array(spikes, dtype=np.int64), margin


def check_run(checker, data, label, steps, rtol, atol):
    """Compares one run's NPZ with the analytic truth; returns max rel error."""
    t = data.get("t")
    want_t = (np.arange(steps) + 1) * DT
    if checker.check(t is not None and t.shape == (steps,),
                     "%s: 't' has shape %s, expected (%d,)"
                     % (label, None if t is None else t.shape, steps)):
        checker.check(np.allclose(t, want_t, rtol=1e-12, atol=0),
                      "%s: 't' is not (step + 1) * dt" % label)
    worst = 0.0
    for name, params in NEURONS.items():
        want_v, want_spikes, margin = expected_trajectory(steps, *params)
        tag = "%s %s" % (label, name)
        checker.check(margin > 1e-6, "%s: reference ambiguous, |v - v_th| = %.3g V at a "
                      "threshold test" % (tag, margin))
        v = data.get(name + "_v")
        if not checker.check(v is not None, "%s: no array %s_v" % (tag, name)):
            continue
        # [examples, steps, neurons]: one example of one neuron.
        checker.check(v.shape == (1, steps, 1), "%s: %s_v has shape %s, expected (1, %d, 1)"
                      % (tag, name, v.shape, steps))
        neurons = data.get(name + "_v_neurons")
        checker.check(neurons is not None and list(neurons) == [0],
                      "%s: %s_v_neurons is %s, expected [0]" % (tag, name, neurons))
        spike_t = data.get(name + "_spikes_t")
        spike_i = data.get(name + "_spikes_i")
        if checker.check(spike_t is not None and spike_i is not None,
                         "%s: spike arrays missing" % tag):
            got_steps = np.rint(spike_t / DT).astype(np.int64)
            checker.check(np.allclose(spike_t, got_steps * DT, rtol=1e-12, atol=1e-15),
                          "%s: spike times are not multiples of dt: %s" % (tag, spike_t[:5]))
            checker.check(np.all(spike_i == 0), "%s: spike indices not all 0" % tag)
            if not np.array_equal(got_steps, want_spikes):
                first = next((j for j in range(min(len(got_steps), len(want_spikes)))
                              if got_steps[j] != want_spikes[j]),
                             min(len(got_steps), len(want_spikes)))
                checker.check(False, "%s: %d spikes, expected %d; first difference at spike "
                              "#%d: got step %s, expected step %s"
                              % (tag, len(got_steps), len(want_spikes), first,
                                 got_steps[first] if first < len(got_steps) else "-",
                                 want_spikes[first] if first < len(want_spikes) else "-"))
        if v.shape == (1, steps, 1):
            err = e2e.compare_traces(checker, tag + " v", v[0, :, 0], want_v, rtol, atol,
                                     times=want_t)
            worst = max(worst, err)
            checker.note("%s: %d spikes, max rel error %.3g, threshold margin %.3g V"
                         % (tag, len(want_spikes), err, margin))
    return worst


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    checker = e2e.Checker("e2e_lif_analytic")
    model = os.path.join(e2e.MODELS, "lif_analytic.snn")
    steps = int(round(DURATION / DT))

    exe64 = e2e.compile_model(args.snnc, model, args.work, "lif64", ["--precision=double"])
    proc = e2e.run_model(exe64, args.work, ["--quiet"])
    checker.check(proc.stdout == "", "--quiet printed %r" % proc.stdout)
    data = e2e.load_npz(os.path.join(args.work, "lif.npz"))
    checker.check(data["free_v"].dtype == np.float64, "float64 run records %s"
                  % data["free_v"].dtype)
    worst64 = check_run(checker, data, "float64", steps, rtol=1e-6, atol=1e-9)
    checker.note("float64: max relative error %.3g (bound 1e-6)" % worst64)

    # --duration shortens the run; the trajectory is a prefix of the full one.
    short_steps = 500
    os.rename(os.path.join(args.work, "lif.npz"), os.path.join(args.work, "lif_full.npz"))
    e2e.run_model(exe64, args.work, ["--duration", "50 ms", "--quiet"])
    short = e2e.load_npz(os.path.join(args.work, "lif.npz"))
    check_run(checker, short, "float64 --duration 50ms", short_steps, rtol=1e-6, atol=1e-9)
    checker.check(np.array_equal(short["refr_v"], data["refr_v"][:, :short_steps]),
                  "--duration 50ms: refr_v is not a prefix of the 300 ms run")

    exe32 = e2e.compile_model(args.snnc, model, args.work, "lif32", ["--precision=float"])
    e2e.run_model(exe32, args.work, ["--quiet"])
    data32 = e2e.load_npz(os.path.join(args.work, "lif.npz"))
    # Near v = 0 a float32 sample is the difference of terms of ~10 mV, so its
    # error is ~1e-9 V whatever its own size: allow 1e-5 of 1 mV absolute.
    worst32 = check_run(checker, data32, "float32", steps, rtol=1e-5, atol=1e-8)
    checker.note("float32: max relative error %.3g (bound 1e-5)" % worst32)
    checker.finish()


if __name__ == "__main__":
    main()
