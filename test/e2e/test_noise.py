"""e2e: white noise `xi` against theory, Brian2 and an exact SDE solution.

Ornstein-Uhlenbeck membrane (additive noise, Euler-Maruyama):
  dv/dt = (v_rest - v) / tau + sigma * sqrt(2 / tau) * xi
has the stationary mean v_rest, variance sigma^2 and autocorrelation
exp(-|lag| / tau). snnc simulates N_OU neurons for DURATION (the first
SETTLE discarded); Brian2 (numpy target, method 'euler', same dt) the same.
Checks: mean within 3 % of sigma of v_rest, variance within 3 % of sigma^2
and of Brian2's, the correlation at lag tau within 0.03 of exp(-1) (both).

Geometric Brownian motion (multiplicative noise, Milstein):
  dx/dt = mu * x + s * x * xi,   dw/dt = xi / sqrt(second)
The second state reads the same `xi`, so w is the Brownian path W that
drives x, and the exact (Ito) solution x(t) = exp((mu - s^2/2) t + s W(t))
is known path by path. Milstein converges with strong order 1: the mean
absolute error at T over the neurons falls about 4x when dt falls 4x
(Euler-Maruyama's order 1/2 would give 2x). Checks: the error ratio
between dt = 1 ms and 0.25 ms is in [3, 5.5], and the error at 0.25 ms is
below 1e-2 (relative to the mean of x).

Also: the same seed gives the same noise; another seed, different noise.
"""

import os
import sys
import warnings

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

TAU, SIGMA, V_REST = 10e-3, 2e-3, -70e-3
DT = 0.1e-3
N_OU = 200
DURATION = 2.0
SETTLE = 0.05
MU, S = 0.5, 1.0  # Hz, Hz^0.5
T_GBM = 1.0
N_GBM = 400

OU_MODEL = """
neuron OU {
  param tau = 10 ms
  param sigma = 2 mV
  param v_rest = -70 mV
  state v = v_rest
  dv/dt = (v_rest - v) / tau + sigma * sqrt(2 / tau) * xi
}
network N { population p = OU x %d }
simulate N {
  dt = 0.1 ms
  duration = %g s
  record p.v to "ou.npz"
}
""" % (N_OU, DURATION)

GBM_MODEL = """
neuron GBM {
  param mu = 0.5 Hz
  param s = 1
  state x = 1
  state w = 0
  dx/dt = mu * x + s * x * sqrt(1 / second) * xi
  dw/dt = xi / sqrt(second)
}
network N { population g = GBM x %d }
simulate N {
  dt = %g ms
  duration = %g s
  record g.x, g.w to "gbm.npz"
}
"""


def stats(v, steps_per_tau):
    """Mean, variance and lag-tau correlation of [steps, neurons] samples."""
    mean = v.mean()
    var = v.var()
    a, b = v[:-steps_per_tau] - mean, v[steps_per_tau:] - mean
    return mean, var, (a * b).mean() / var


def run_brian2():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.defaultclock.dt = DT * b2.second
    b2.seed(1234)
    eqs = "dv/dt = (v_rest - v) / tau + sigma * sqrt(2 / tau) * xi : volt"
    ns = {"tau": TAU * b2.second, "sigma": SIGMA * b2.volt, "v_rest": V_REST * b2.volt}
    group = b2.NeuronGroup(N_OU, eqs, method="euler", namespace=ns)
    group.v = V_REST * b2.volt
    mon = b2.StateMonitor(group, "v", record=True, when="end")
    b2.run(DURATION * b2.second)
    return np.asarray(mon.v / b2.volt).T  # [steps, neurons]


def write(work, name, text):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def check_ou(args, check):
    exe = e2e.compile_model(args.snnc, write(args.work, "ou.snn", OU_MODEL), args.work, "ou", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    v = e2e.load_npz(os.path.join(args.work, "ou.npz"))["p_v"][0]  # [steps, neurons]
    e2e.run_model(exe, args.work, ["--quiet", "--out", "unused.npz"])  # same seed: same noise
    again = e2e.load_npz(os.path.join(args.work, "ou.npz"))["p_v"][0]
    check.check(np.array_equal(v, again), "OU: the same seed gave different noise")
    e2e.run_model(exe, args.work, ["--quiet", "--seed", "7"])
    other = e2e.load_npz(os.path.join(args.work, "ou.npz"))["p_v"][0]
    check.check(not np.allclose(v, other), "OU: another seed gave the same noise")

    settle = int(round(SETTLE / DT))
    lag = int(round(TAU / DT))
    mean, var, corr = stats(v[settle:], lag)
    check.check(abs(mean - V_REST) < 0.03 * SIGMA, "OU: mean %.6g V, theory %.6g V" % (mean, V_REST))
    check.check(abs(var / SIGMA**2 - 1) < 0.03, "OU: variance %.4g V^2, theory %.4g V^2" % (var, SIGMA**2))
    check.check(abs(corr - np.exp(-1)) < 0.03, "OU: correlation at lag tau %.4f, theory %.4f" % (corr, np.exp(-1)))
    check.note("OU snnc: mean %+.3g sigma from v_rest, variance %.4f sigma^2, corr(tau) %.4f (theory %.4f)"
               % ((mean - V_REST) / SIGMA, var / SIGMA**2, corr, np.exp(-1)))

    e2e.require_brian2()
    ref = run_brian2()
    check.check(ref.shape == v.shape, "OU: Brian2 has %s samples, snnc %s" % (ref.shape, v.shape))
    b_mean, b_var, b_corr = stats(ref[settle:], lag)
    check.check(abs(var / b_var - 1) < 0.03, "OU: variance %.4g V^2, Brian2 %.4g V^2" % (var, b_var))
    check.check(abs(mean - b_mean) < 0.03 * SIGMA, "OU: mean %.6g V, Brian2 %.6g V" % (mean, b_mean))
    check.check(abs(b_corr - np.exp(-1)) < 0.03, "OU: Brian2's correlation at lag tau %.4f" % b_corr)
    check.note("OU Brian2: mean %+.3g sigma from v_rest, variance %.4f sigma^2, corr(tau) %.4f; variance ratio %.4f"
               % ((b_mean - V_REST) / SIGMA, b_var / SIGMA**2, b_corr, var / b_var))


def gbm_error(args, check, dt_ms):
    name = "gbm_%g" % dt_ms
    path = write(args.work, name + ".snn", GBM_MODEL % (N_GBM, dt_ms, T_GBM))
    ir = e2e.run_process([args.snnc, path, "--emit=ir"], cwd=args.work)
    check.check("discretized with milstein" in ir.stdout, "GBM: not integrated by Milstein:\n" + ir.stdout)
    exe = e2e.compile_model(args.snnc, path, args.work, name, ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    data = e2e.load_npz(os.path.join(args.work, "gbm.npz"))
    x, w, t = data["g_x"][0], data["g_w"][0], data["t"]  # [steps, neurons]
    exact = np.exp((MU - S**2 / 2) * t[:, None] + S * w)
    # w is Brownian: its increments have variance dt.
    dw = np.diff(w, axis=0)
    check.check(abs(dw.var() / (dt_ms * 1e-3) - 1) < 0.03, "GBM: increments of w have variance %.4g, dt %.4g"
                % (dw.var(), dt_ms * 1e-3))
    return np.abs(x[-1] - exact[-1]).mean() / exact[-1].mean()


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("noise")
    coarse = gbm_error(args, check, 1.0)
    fine = gbm_error(args, check, 0.25)
    ratio = coarse / fine
    check.check(3 <= ratio <= 5.5, "GBM: Milstein's error fell %.2fx when dt fell 4x (strong order 1: ~4x)" % ratio)
    check.check(fine < 1e-2, "GBM: mean relative error %.3g at dt = 0.25 ms" % fine)
    check.note("GBM Milstein: mean |x - exact| / mean x at T = %g s: %.3g (dt 1 ms), %.3g (dt 0.25 ms), ratio %.2f"
               % (T_GBM, coarse, fine, ratio))
    check_ou(args, check)
    check.finish()


if __name__ == "__main__":
    main()
