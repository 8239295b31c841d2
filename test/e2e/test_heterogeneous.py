"""e2e: per-neuron parameters from distributions (`init p.tau ~ uniform(...)`).

A leaky neuron dv/dt = (v_inf - v) / tau starts at v0 = v_inf / 2, a
parameter defined from v_inf. The regime makes tau ~ uniform(10 ms, 30 ms)
and v_inf ~ normal(12 mV, 2 mV) per neuron; v0, and so v's initial value,
follow per neuron. tau and v_inf are recorded like states.

Checks (float64, N neurons, a batch of two examples):
- tau is uniform on [10, 30) ms (Kolmogorov-Smirnov distance below
  1.95 / sqrt(N), p = 0.001), v_inf has mean 12 mV (within 4 standard
  errors) and standard deviation 2 mV (within 10 %);
- the parameters are constant in time and the same in both examples (drawn
  with the run key), and another seed draws others;
- each neuron's v follows the exact solution v_inf + (v0 - v_inf)
  exp(-t / tau) with its own tau and v_inf, to 1e-9 relative: a per-neuron
  time constant makes the system linear but not constant-coefficient, so
  snnc integrates it by exponential Euler, exact for it.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

N = 2000
DT = 1e-4
STEPS = 500
MODEL = """
neuron Leaky {
  param tau = 20 ms
  param v_inf = 15 mV
  param v0 = v_inf / 2
  state v = v0
  dv/dt = (v_inf - v) / tau
}
network N { population p = Leaky x %d }
simulate N {
  dt = 0.1 ms
  duration = 50 ms
  init p.tau ~ uniform(10 ms, 30 ms)
  init p.v_inf ~ normal(12 mV, 2 mV)
  record p.v, p.tau, p.v_inf to "het.npz"
}
""" % N


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("heterogeneous")
    path = os.path.join(args.work, "het.snn")
    with open(path, "w") as f:
        f.write(MODEL)
    ir = e2e.run_process([args.snnc, path, "--emit=ir"], cwd=args.work)
    check.check("discretized with exponential_euler" in ir.stdout and "(parameter)" in ir.stdout,
                "expected exponential Euler and parameter states:\n" + ir.stdout)
    exe = e2e.compile_model(args.snnc, path, args.work, "het", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet", "--batch", "2"])
    data = e2e.load_npz(os.path.join(args.work, "het.npz"))
    v, tau, v_inf, t = data["p_v"], data["p_tau"], data["p_v_inf"], data["t"]  # [examples, steps, neurons]
    check.check(v.shape == (2, STEPS, N), "v has shape %s" % (v.shape,))

    check.check(np.array_equal(tau[0], tau[1]) and np.array_equal(v_inf[0], v_inf[1]),
                "the parameters differ between the examples of a batch")
    check.check(np.array_equal(v[0], v[1]), "v differs between the examples of a batch")
    check.check(np.all(tau[0] == tau[0, :1]) and np.all(v_inf[0] == v_inf[0, :1]), "a parameter changed in time")
    taus, infs = tau[0, 0], v_inf[0, 0]

    u = np.sort((taus - 10e-3) / 20e-3)
    ks = max(np.max(np.arange(1, N + 1) / N - u), np.max(u - np.arange(N) / N))
    check.check(u[0] >= 0 and u[-1] < 1, "tau outside [10, 30) ms: %g..%g s" % (taus.min(), taus.max()))
    check.check(ks < 1.95 / np.sqrt(N), "tau: KS distance %.4f to uniform (limit %.4f)" % (ks, 1.95 / np.sqrt(N)))
    mean, sd = infs.mean(), infs.std()
    check.check(abs(mean - 12e-3) < 4 * 2e-3 / np.sqrt(N), "v_inf mean %.5g V" % mean)
    check.check(abs(sd / 2e-3 - 1) < 0.1, "v_inf standard deviation %.4g V" % sd)

    exact = infs + (infs / 2 - infs) * np.exp(-t[:, None] / taus)
    err = np.max(np.abs(v[0] - exact) / np.abs(exact))
    check.check(err < 1e-9, "v against the exact solution: max relative error %.3g" % err)

    e2e.run_model(exe, args.work, ["--quiet", "--seed", "2"])
    other = e2e.load_npz(os.path.join(args.work, "het.npz"))["p_tau"][0, 0]
    check.check(not np.array_equal(other, taus), "another seed drew the same taus")
    check.note("tau: KS distance %.4f (limit %.4f); v_inf: mean %.4f mV, sd %.4f mV; v vs exact: %.3g relative"
               % (ks, 1.95 / np.sqrt(N), mean * 1e3, sd * 1e3, err))
    check.finish()


if __name__ == "__main__":
    main()
