"""e2e: snnc's ALIF, EpropLIF and Readout against Bellec et al. 2020.

models/bellec_forward.snn simulates, in double precision, 8 SpikeSource
inputs driving 8 ALIF neurons and, separately, 8 EpropLIF neurons, each
with a leaky readout, for 160 steps of 1 ms. This script writes a random
input spike file, runs the model, and computes the same network with the
published forward equations (Methods of Bellec et al. 2020), in numpy:

    v[t] = alpha v[t-1] + W_rec z[t-1] + W_in x[t] - v_th z[t-1]
    a[t] = rho a[t-1] + z[t-1]
    z[t] = H(v[t] - v_th - beta a[t])
    y[t] = kappa y[t-1] + W_out z[t]

with alpha = exp(-dt/tau_mem), rho = exp(-dt/tau_adapt), kappa =
exp(-dt/tau_out); EpropLIF is the same with beta = 0. The weight matrices
are those the model's constant projections build (w_dense * ones + w_diag
* I). Spikes must be identical and states equal to 1e-12.
"""

import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-3
STEPS = 160
N = 8


def weights(dense, diag):
    return dense * np.ones((N, N)) + diag * np.eye(N)


def bellec(x, tau_mem, tau_adapt, v_th, beta, w_in, w_rec, w_out, tau_out):
    """The published forward pass; returns v, a, z, y of shape [steps, N]."""
    alpha = math.exp(-DT / tau_mem)
    rho = math.exp(-DT / tau_adapt) if tau_adapt else 0.0
    kappa = math.exp(-DT / tau_out)
    v = np.zeros(N)
    a = np.zeros(N)
    z = np.zeros(N)
    y = np.zeros(N)
    out = {k: np.zeros((STEPS, N)) for k in "vazy"}
    for t in range(STEPS):
        v = alpha * v + w_rec @ z + w_in @ x[t] - v_th * z
        a = rho * a + z
        z = (v >= v_th + beta * a).astype(np.float64)
        y = kappa * y + w_out @ z
        for k, value in (("v", v), ("a", a), ("z", z), ("y", y)):
            out[k][t] = value
    return out


def spike_matrix(data, pop):
    got = np.zeros((STEPS, N))
    steps = np.rint(data[pop + "_spikes_t"] / DT).astype(np.int64)
    got[steps, data[pop + "_spikes_i"].astype(np.int64)] = 1
    return got


def main():
    args = e2e.parse_args(__doc__)
    checker = e2e.Checker("bellec forward")
    model = e2e.copy_model("bellec_forward.snn", args.work)
    rng = np.random.default_rng(20200715)
    x = (rng.random((STEPS, N)) < 0.15).astype(np.float64)
    with open(os.path.join(args.work, "bellec_input.csv"), "w") as f:
        for t, i in zip(*np.nonzero(x)):
            f.write("%.17g,%d\n" % ((t + 0.5) * DT, i))
    exe = e2e.compile_model(args.snnc, model, args.work, "bellec", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    data = e2e.load_npz(os.path.join(args.work, "bellec.npz"))
    checker.check(np.array_equal(spike_matrix(data, "input"), x), "the input spikes differ from the file")

    cases = (
        ("ALIF", "hid_a", "out_a", dict(tau_mem=20e-3, tau_adapt=200e-3, v_th=0.6, beta=0.3,
                                        w_in=weights(0.15, 0.9), w_rec=weights(-0.05, 0.2),
                                        w_out=weights(0.1, 1.0), tau_out=30e-3)),
        ("EpropLIF", "hid_l", "out_l", dict(tau_mem=15e-3, tau_adapt=0, v_th=0.5, beta=0.0,
                                            w_in=weights(0.12, 0.7), w_rec=weights(-0.04, 0.25),
                                            w_out=weights(-0.2, 0.8), tau_out=25e-3)),
    )
    for label, hid, out, params in cases:
        want = bellec(x, **params)
        got_z = spike_matrix(data, hid)
        spikes = int(want["z"].sum())
        checker.note("%s: %d hidden spikes expected, %d produced" % (label, spikes, int(got_z.sum())))
        checker.check(spikes > 20 and spikes < STEPS * N / 2, "%s: %d spikes do not exercise the reset" % (label, spikes))
        if not checker.check(np.array_equal(got_z, want["z"]), "%s: hidden spikes differ (first at step %s)"
                             % (label, np.argwhere(got_z != want["z"])[:3].tolist())):
            continue
        e2e.compare_traces(checker, label + " v", data[hid + "_v"][0], want["v"], 1e-12, 1e-12)
        e2e.compare_traces(checker, label + " y", data[out + "_v"][0], want["y"], 1e-12, 1e-12)
        if hid == "hid_a":
            checker.check(want["a"].max() > 1, "ALIF: the adaptation never builds up")
            e2e.compare_traces(checker, label + " a", data[hid + "_a"][0], want["a"], 1e-12, 1e-12)
    checker.finish()


if __name__ == "__main__":
    main()
