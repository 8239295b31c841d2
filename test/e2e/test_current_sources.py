"""e2e: current sources (`input POP.PARAM = EXPR`): DC steps, noise, and a
Hodgkin-Huxley neuron under a current pulse against Brian2.

A source's value is taken at the start of each step and held over the step
(zero-order hold, as NEST's and GeNN's current sources); `dc(a, start: T0,
stop: T1)` is `a` in the steps that start at T0 <= t < T1.

- `steps` (passive membrane tau dv/dt = R i - v, integrated exactly) under
  dc(0.2 nA, 10 ms..60 ms) + dc(-0.1 nA, from 60.05 ms): against the exact
  zero-order-hold recursion v' = a v + (1 - a) R i(t), a = exp(-dt / tau),
  computed here in numpy, to 1e-12 of the range; the recorded i_ext equals
  the source's value in each step (so 60.05 ms starts at the step of 60.1 ms).
- `noisy` (1000 passive membranes) under 0.05 nA + 0.1 nA * randn(): the
  recursion is an AR(1) process with stationary mean R mu and variance
  (1 - a) / (1 + a) (R sigma)^2; the sample mean and variance over the last
  400 ms must be within 3 % of those, and neighbouring neurons must be
  uncorrelated (the draws are per neuron).
- `poisson` (2000 std.inputs.Poisson neurons) with its rate driven,
  20 Hz (1 + sin(2 pi 4 Hz t)): an inhomogeneous Poisson process, whose
  rate in bins of 25 ms must follow the mean of rate(t) dt over each bin
  within 4.5 standard errors, and scatter about it as Poisson counts do.
- `hh` (std.neurons.HodgkinHuxley, exponential Euler) under dc(0.5 nA,
  20 ms..120 ms): Brian2 (numpy target, float64, exponential_euler) runs the
  same equations in three segments with i_ext set between them; the traces
  must agree to 1e-4 of the range and the spike steps exactly. (This neuron
  fires slowly without input too; the pulse must shorten its intervals.)
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 5000  # 500 ms
TAU, R = 10e-3, 100e6
NOISY = 1000
MU, SIGMA = 0.05e-9, 0.1e-9
HH_ON, HH_OFF, HH_I = 20e-3, 120e-3, 0.5e-9
POISSON, BIN = 2000, 250  # neurons; steps per rate bin (25 ms)
MODEL = """
import std.neurons.HodgkinHuxley
import std.inputs.Poisson
neuron Passive {
  param tau = 10 ms
  param r_m = 100 Mohm
  param i_ext = 0 nA
  state v = 0 mV
  dv/dt = (r_m * i_ext - v) / tau
}
network N {
  population steps = Passive x 2
  population noisy = Passive x %d
  population hh = HodgkinHuxley x 1
  population poisson = Poisson x %d
}
simulate N {
  dt = 0.1 ms
  duration = 500 ms
  seed = 3
  input steps.i_ext = dc(0.2 nA, start: 10 ms, stop: 60 ms) + dc(-0.1 nA, start: 60.05 ms)
  input noisy.i_ext = 0.05 nA + 0.1 nA * randn()
  input hh.i_ext = dc(0.5 nA, start: 20 ms, stop: 120 ms)
  input poisson.rate = 20 Hz * (1 + sin(6.283185307179586 * 4 Hz * t))
  record steps.v, steps.i_ext, hh.v, spikes(hh) to "sources.npz"
  record noisy.v every 1 ms to "noisy.npz"
  record rate(poisson) every 25 ms to "noisy.npz"
}
""" % (NOISY, POISSON)


def step_current(n):
    """The steps population's source in step n (its start time n dt)."""
    on = lambda start_s: n >= np.ceil(start_s / DT - 1e-9)  # noqa: E731
    return np.where(on(10e-3) & ~on(60e-3), 0.2e-9, 0.0) + np.where(on(60.05e-3), -0.1e-9, 0.0)


def run_brian2():
    b2 = e2e.brian2(DT)
    area = 20000 * b2.umetre ** 2
    namespace = {
        "C_m": 1 * b2.ufarad * b2.cm ** -2 * area, "g_l": 5e-5 * b2.siemens * b2.cm ** -2 * area,
        "E_l": -60 * b2.mV, "E_K": -90 * b2.mV, "E_Na": 50 * b2.mV,
        "g_na": 100 * b2.msiemens * b2.cm ** -2 * area, "g_kd": 30 * b2.msiemens * b2.cm ** -2 * area,
        "V_T": -63 * b2.mV,
    }
    eqs = """
    dv/dt = (g_l * (E_l - v) - g_na * m * m * m * h * (v - E_Na) - g_kd * n * n * n * n * (v - E_K) + i_ext) / C_m : volt
    dm/dt = alpha_m * (1 - m) - beta_m * m : 1
    dn/dt = alpha_n * (1 - n) - beta_n * n : 1
    dh/dt = alpha_h * (1 - h) - beta_h * h : 1
    i_ext : amp
    """ + e2e.HH_RATES
    group = b2.NeuronGroup(1, eqs, threshold="v > -20 * mV", refractory=3 * b2.ms, method="exponential_euler",
                           namespace=namespace)
    group.v = -60 * b2.mV
    states = b2.StateMonitor(group, "v", record=True, when="end")
    spikes = b2.SpikeMonitor(group)
    net = b2.Network(group, states, spikes)
    net.run(HH_ON * b2.second)
    group.i_ext = HH_I * b2.amp
    net.run((HH_OFF - HH_ON) * b2.second)
    group.i_ext = 0 * b2.amp
    net.run((STEPS * DT - HH_OFF) * b2.second)
    steps = np.rint(np.asarray(spikes.t_) / DT).astype(np.int64)
    return np.asarray(states.v_[0]), steps


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    e2e.require_brian2()
    check = e2e.Checker("current_sources")
    path = os.path.join(args.work, "sources.snn")
    with open(path, "w") as f:
        f.write(MODEL)
    exe = e2e.compile_model(args.snnc, path, args.work, "sources", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"], timeout=300)
    ours = e2e.load_npz(os.path.join(args.work, "sources.npz"))

    # DC steps against the zero-order-hold recursion.
    n = np.arange(STEPS)
    current = step_current(n)
    a = np.exp(-DT / TAU)
    v = np.zeros(STEPS)
    x = 0.0
    for k in range(STEPS):
        x = a * x + (1 - a) * R * current[k]
        v[k] = x
    got_i = ours["steps_i_ext"][0]
    wrong = np.nonzero(np.any(np.abs(got_i - current[:, None]) > 1e-12 * 0.2e-9, axis=1))[0]
    check.check(len(wrong) == 0, "steps: recorded i_ext differs from the source in steps %s" % wrong[:5])
    err = np.max(np.abs(ours["steps_v"][0] - v[:, None])) / (v.max() - v.min())
    check.check(err < 1e-12, "steps: v differs from the exact recursion by %.3g of its range" % err)
    check.note("steps: max |v - exact| %.2g of the range; onset at steps %s" %
               (err, np.nonzero(np.diff(current))[0][:3] + 1))

    # Noise: the stationary AR(1) moments.
    noisy = e2e.load_npz(os.path.join(args.work, "noisy.npz"))["noisy_v"][0]  # samples x neurons
    tail = noisy[100:]
    mean, var = tail.mean(), tail.var()
    want_mean, want_var = R * MU, (1 - a) / (1 + a) * (R * SIGMA) ** 2
    check.check(abs(mean - want_mean) < 0.03 * want_mean, "noisy: mean %.4g V, theory %.4g V" % (mean, want_mean))
    check.check(abs(var - want_var) < 0.03 * want_var, "noisy: variance %.4g V^2, theory %.4g V^2" % (var, want_var))
    # Independent draws per neuron: the mean correlation of neighbouring
    # neurons is 0 (one pair's spread is about 0.16 here, 500 pairs' 0.007).
    corr = np.mean([np.corrcoef(tail[:, k], tail[:, k + 1])[0, 1] for k in range(0, NOISY, 2)])
    check.check(abs(corr) < 0.03, "noisy: neighbouring neurons correlate (%.3f): the draws are not per neuron" % corr)
    check.note("noisy: mean %.5g V (theory %.5g), variance %.5g V^2 (theory %.5g, ratio %.4f)"
               % (mean, want_mean, var, want_var, var / want_var))

    # An inhomogeneous Poisson process: the source drives the rate. Each
    # bin's count is Poisson (binomial) around the sum of rate(t_n) dt.
    got = e2e.load_npz(os.path.join(args.work, "noisy.npz"))["poisson_rate"][0]
    rate = 20 * (1 + np.sin(2 * np.pi * 4 * n * DT))
    want = rate.reshape(-1, BIN).mean(axis=1)
    z = (got - want) / np.sqrt(want / (BIN * DT * POISSON))
    check.check(len(got) == len(want) and np.max(np.abs(z)) < 4.5,
                "poisson: binned rates %s Hz, expected %s Hz (max |z| %.2f)"
                % (got[:4].round(1), want[:4].round(1), np.max(np.abs(z))))
    check.check(abs(np.mean(z ** 2) - 1) < 1.0, "poisson: the binned rates scatter %.2f times the Poisson variance"
                % np.mean(z ** 2))
    check.note("poisson: 20 bins of 25 ms follow 20 Hz (1 + sin(2 pi 4 Hz t)), max |z| %.2f, mean z^2 %.2f"
               % (np.max(np.abs(z)), np.mean(z ** 2)))

    # Hodgkin-Huxley under a pulse against Brian2.
    v_ref, steps_ref = run_brian2()
    v_hh = ours["hh_v"][0, :, 0]
    err = np.max(np.abs(v_hh - v_ref)) / (v_ref.max() - v_ref.min())
    check.check(err < 1e-4, "hh: v differs from Brian2's by %.3g of its range" % err)
    steps = np.rint(ours["hh_spikes_t"] / DT).astype(np.int64)
    check.check(np.array_equal(steps, steps_ref), "hh: spike steps %s, Brian2 %s" % (steps[:6], steps_ref[:6]))
    # This neuron also fires slowly without input; the pulse speeds it up.
    during = np.diff(steps[(steps >= HH_ON / DT) & (steps < HH_OFF / DT)]) * DT
    after = np.diff(steps[steps >= HH_OFF / DT + 200]) * DT
    ok = len(during) > 2 and len(after) > 1 and during.mean() < 0.5 * after.mean()
    check.check(ok, "hh: interspike intervals %s during the pulse, %s after" % (during, after))
    check.note("hh: %d spikes as Brian2's (mean interval %.1f ms in the pulse, %.1f ms after), "
               "max |v - Brian2| %.2g of the range" % (len(steps), 1e3 * during.mean(), 1e3 * after.mean(), err))
    check.finish()


if __name__ == "__main__":
    main()
