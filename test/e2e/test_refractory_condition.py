"""e2e: refractoriness by a condition (`refractory while v > 5 mV`) against Brian2.

A neuron driven by dv/dt = 2 pi f A cos(2 pi f t) follows v = A sin(2 pi f
t) and fires when v > 5 mV. With `refractory while v > 5 mV` it stays
refractory from its spike until a step begins below 5 mV again: so it fires
once per upward crossing (an event-driven threshold), while a plain
threshold would fire on every step above it. A second state,
dw/dt = 1 Hz unless refractory, counts the time spent not refractory.
Three populations with different A and f run 300 ms; Brian2 runs the same
equations (numpy target, method euler, which is what snnc's exponential
Euler is with a zero rate, `refractory='v > 5*mV'`).

Checks (float64): the spike steps equal Brian2's and the analytic upward
crossings of 5 mV (one per period, each in the step after the crossing),
and w matches Brian2's to 1e-12 (so the states freeze in the same steps).
"""

import os
import sys
import warnings

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 3000
THRESHOLD = 5e-3
# population -> (A in V, f in Hz)
WAVES = {"a": (10e-3, 50.0), "b": (8e-3, 30.0), "c": (12e-3, 70.0)}
MODEL = """
neuron Wave {
  param A = 10 mV
  param f = 50 Hz
  state v = 0 mV
  state w = 0
  dv/dt = 6.283185307179586 * f * A * cos(6.283185307179586 * f * t)
  dw/dt = 1 Hz  unless refractory
  refractory while v > 5 mV
  spike when v > 5 mV
}
network N {
  population a = Wave(A: 10 mV, f: 50 Hz) x 1
  population b = Wave(A: 8 mV, f: 30 Hz) x 1
  population c = Wave(A: 12 mV, f: 70 Hz) x 1
}
simulate N {
  dt = 0.1 ms
  duration = 300 ms
  record a.w, b.w, c.w, spikes(a), spikes(b), spikes(c) to "wave.npz"
}
"""


def run_brian2():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT * b2.second
    eqs = """
    dv/dt = 6.283185307179586 * f * A * cos(6.283185307179586 * f * t) : volt
    dw/dt = 1 * Hz : 1 (unless refractory)
    A : volt (constant)
    f : Hz (constant)
    """
    group = b2.NeuronGroup(len(WAVES), eqs, threshold="v > 5 * mV", refractory="v > 5 * mV", method="euler")
    group.A = [a for a, _ in WAVES.values()] * b2.volt
    group.f = [f for _, f in WAVES.values()] * b2.Hz
    w = b2.StateMonitor(group, "w", record=True, when="end")
    spikes = b2.SpikeMonitor(group)
    b2.run(STEPS * DT * b2.second)
    steps = np.rint(np.asarray(spikes.t / b2.second) / DT).astype(np.int64)
    return np.asarray(w.w), np.asarray(spikes.i), steps


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("refractory_condition")
    path = os.path.join(args.work, "wave.snn")
    with open(path, "w") as f:
        f.write(MODEL)
    exe = e2e.compile_model(args.snnc, path, args.work, "wave", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    ours = e2e.load_npz(os.path.join(args.work, "wave.npz"))
    w_ref, spike_i, spike_steps = run_brian2()
    for k, (name, (amplitude, freq)) in enumerate(WAVES.items()):
        steps = np.rint(ours[name + "_spikes_t"] / DT).astype(np.int64)
        theirs = np.sort(spike_steps[spike_i == k])
        check.check(np.array_equal(steps, theirs), "%s: spike steps %s, Brian2 %s" % (name, steps[:6], theirs[:6]))
        # Upward crossings of the threshold: sin(2 pi f t) = 5 mV / A.
        first = np.arcsin(THRESHOLD / amplitude) / (2 * np.pi * freq)
        crossings = first + np.arange(int(STEPS * DT * freq) + 1) / freq
        crossings = crossings[crossings < STEPS * DT - DT]
        check.check(len(steps) == len(crossings), "%s: %d spikes for %d upward crossings"
                    % (name, len(steps), len(crossings)))
        if len(steps) == len(crossings):
            # Euler's v lags the true sine by well under a step per period.
            lag = steps * DT - crossings
            check.check(np.all((lag > -DT) & (lag < 3 * DT)), "%s: spikes vs crossings lag %s s" % (name, lag[:4]))
        w = ours[name + "_w"][0, :, 0]
        err = np.max(np.abs(w - w_ref[k]))
        check.check(err < 1e-12, "%s: w differs from Brian2's by %.3g" % (name, err))
        frozen = STEPS * DT - w[-1]
        check.check(frozen > 0.05, "%s: only %.3g s refractory" % (name, frozen))
        check.note("%s: %d spikes (one per crossing), refractory %.1f ms of %.0f ms, max |dw| %.2g"
                   % (name, len(steps), frozen * 1e3, STEPS * DT * 1e3, err))
    check.finish()


if __name__ == "__main__":
    main()
