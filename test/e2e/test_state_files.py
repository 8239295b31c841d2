"""e2e: per-neuron values from files (`init POP.X = load(...)`).

Twenty leaky neurons dv/dt = (v_inf - v) / tau take their time constants
from an .npz archive (`init cells.tau = load("params.npz", name: "tau")`,
a parameter made per neuron) and their initial v from an .npy file. Each
trace must be the exact solution v(t) = v_inf + (v0 - v_inf) exp(-t / tau)
with that neuron's tau and v0, to 1e-12 (float64), in both examples of a
batch; `record cells.tau` must give the file's values back.

Then the mistakes a user can make with the files, each an exit code 1 and a
message naming the file, the variable and the problem: a wrong shape, a
missing array (with "did you mean"), a NaN, an integer dtype, and a missing
file.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

N = 20
DT = 1e-4
STEPS = 500
V_INF = 15e-3
MODEL = """
neuron Leaky {
  param tau = 20 ms
  param v_inf = 15 mV
  state v = 0 mV
  dv/dt = (v_inf - v) / tau
}
network N { population cells = Leaky x 20 }
simulate N {
  dt = 0.1 ms
  duration = 50 ms
  batch = 2
  init cells.tau = load("params.npz", name: "tau")
  init cells.v = load("v0.npy")
  record cells.v, cells.tau to "out.npz"
}
"""


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("state_files")
    rng = np.random.default_rng(4)
    tau = rng.uniform(5e-3, 40e-3, N)
    v0 = rng.uniform(-10e-3, 30e-3, N)
    np.savez(os.path.join(args.work, "params.npz"), tau=tau, other=np.zeros(3))
    np.save(os.path.join(args.work, "v0.npy"), v0)
    path = os.path.join(args.work, "leaky.snn")
    with open(path, "w") as f:
        f.write(MODEL)
    exe = e2e.compile_model(args.snnc, path, args.work, "leaky", ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    out = e2e.load_npz(os.path.join(args.work, "out.npz"))
    t = (np.arange(STEPS) + 1) * DT
    want = V_INF + (v0[None, :] - V_INF) * np.exp(-t[:, None] / tau[None, :])
    for example in range(2):
        err = np.max(np.abs(out["cells_v"][example] - want))
        check.check(err < 1e-12, "example %d: v differs from the exact solution by %.3g V" % (example, err))
        got_tau = out["cells_tau"][example]
        check.check(np.array_equal(got_tau, np.broadcast_to(tau, got_tau.shape)),
                    "example %d: the recorded tau differs from the file's" % example)
    check.note("20 neurons, tau and v0 from files: max |v - exact| %.2g V"
               % np.max(np.abs(out["cells_v"][0] - want)))

    def fails(label, write, needle):
        write()
        proc = e2e.run_model(exe, args.work, ["--quiet"], expect_ok=False)
        text = proc.stdout + proc.stderr
        ok = proc.returncode == 1 and needle in text and "cells.tau" in text
        check.check(ok, "%s: exit %d, output %r (wanted %r)" % (label, proc.returncode, text.strip()[-300:], needle))
        if ok:
            check.note("%s: %s" % (label, [line for line in text.splitlines() if needle in line][0].strip()))

    def params(**arrays):
        return lambda: np.savez(os.path.join(args.work, "params.npz"), **arrays)

    fails("shape", params(tau=tau[:10]), "has shape [10], expected [20] (one value per neuron)")
    fails("missing array", params(taus=tau), "has no array 'tau' (its arrays: 'taus'); did you mean 'taus'?")
    bad = tau.copy()
    bad[3] = np.nan
    fails("NaN", params(tau=bad), "element 3 is nan, not a finite number")
    fails("dtype", params(tau=np.arange(N)), "values must be float64 or float32")
    fails("missing file", lambda: os.remove(os.path.join(args.work, "params.npz")), "params.npz")
    check.finish()


if __name__ == "__main__":
    main()
