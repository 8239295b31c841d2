"""e2e: `from_list` connectivity (Brian2's connect(i=..., j=...)) against numpy.

200 distinct random pairs between 20 SpikeSource and 30 LeakyIntegrator
neurons, listed in random order, with weights loaded from a dense [post,
pre] matrix that is 0 off the list. Random input spikes over 20 steps;
the input each step receives (`record dst.i`) must equal W @ spikes of
the step before, exactly. A weight file with a value where the list has
no synapse is refused with exit 1.
"""

import os
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

PRE, POST, PAIRS, STEPS = 20, 30, 200, 20


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("from_list")
    rng = np.random.default_rng(8)
    chosen = rng.choice(PRE * POST, size=PAIRS, replace=False)
    pre, post = chosen // POST, chosen % POST
    weights = np.zeros((POST, PRE))
    weights[post, pre] = rng.normal(size=PAIRS)
    np.save(os.path.join(args.work, "w.npy"), weights)
    fired = rng.random((STEPS, PRE)) < 0.3
    fired[-1] = False
    e2e.write_spike_times(os.path.join(args.work, "src.csv"), fired, 1e-3)
    model = """
import std.inputs.SpikeSource
import std.neurons.LeakyIntegrator
network N {
  population src = SpikeSource x %d
  population dst = LeakyIntegrator x %d
  connect src -> dst : from_list(pre: [%s], post: [%s]), weight load("w.npy")
}
simulate N {
  dt = 1 ms
  duration = %d ms
  input src = spike_times("src.csv")
  record dst.i to "out.npz"
}
""" % (PRE, POST, ", ".join(map(str, pre)), ", ".join(map(str, post)), STEPS)
    out = e2e.simulate_model(args.snnc, args.work, model)
    got = out["dst_i"][0]
    want = np.vstack([np.zeros(POST), fired[:-1].astype(float) @ weights.T])
    err = np.max(np.abs(got - want))
    check.check(err < 1e-12, "max |snnc - numpy| = %.3g" % err)
    check.note("%d pairs, %d steps: the received input within %.2g of numpy" % (PAIRS, STEPS, err))

    off = np.argwhere(weights == 0)[0]
    weights[off[0], off[1]] = 0.5
    np.save(os.path.join(args.work, "w.npy"), weights)
    proc = subprocess.run([os.path.join(args.work, "net"), "--out", "bad.npz"], cwd=args.work, capture_output=True,
                          text=True, timeout=60)
    check.check(proc.returncode == 1 and "but the projection has no synapse from %d to %d" % (off[1], off[0])
                in proc.stderr, "a weight off the list: exit %d, %r" % (proc.returncode, proc.stderr[-300:]))
    check.finish()


if __name__ == "__main__":
    main()
