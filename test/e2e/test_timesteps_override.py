#!/usr/bin/python3
"""`--timesteps N` runs a training model as if its regime said `timesteps = N`.

For each readout whose loss depends on the number of steps (per step, last N,
mean, final), a model compiled with `timesteps = 12` and run with
`--timesteps 18` must train to weights bit-identical to the same model
compiled with `timesteps = 18`: the loss and trace kernels read the count
from the run's hyperparameters, not from a constant. A value below the
readout's window, or 0, is refused with a message that names the option.
"""
import os

import numpy as np

from e2e_common import Checker, compile_model, parse_args, run_model

MODEL = """
import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource

network Net {
  population input  = SpikeSource x 6
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 100 ms) x 8
  population output = Readout(tau_mem: 20 ms) x 3
  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.6)
  connect hidden -> hidden : dense, weight ~ normal(0, 0.2)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.3)
}

train Net with eprop {
  data train = dense("data.csv", encode: poisson(max: 1, rate: 200 Hz))
  dt = 1 ms;  timesteps = STEPS;  batch = 4;  epochs = 2;  seed = 5
  readout = READOUT
  readout_bias = true
  optimizer = adam(lr: 1e-2)
}
"""

READOUTS = {"step": "output.v", "last": "last(output.v, steps: 5)", "mean": "mean(output.v)",
            "final": "final(output.v)"}


def main():
    args = parse_args(__doc__.splitlines()[0])
    check = Checker("timesteps_override")
    rng = np.random.default_rng(1)
    rows = np.hstack([rng.random((12, 6)), rng.integers(0, 3, (12, 1))])
    np.savetxt(os.path.join(args.work, "data.csv"), rows, delimiter=",", fmt="%.6f")
    for name, readout in READOUTS.items():
        weights = {}
        for steps in (12, 18):
            source = os.path.join(args.work, f"{name}{steps}.snn")
            with open(source, "w") as f:
                f.write(MODEL.replace("STEPS", str(steps)).replace("READOUT", readout))
            exe = compile_model(args.snnc, source, args.work, f"{name}{steps}", ["--precision=double"])
            extra = ["--timesteps", "18"] if steps == 12 else []
            out = os.path.join(args.work, f"{name}{steps}.npz")
            run_model(exe, args.work, ["--quiet", "--weights-out", out] + extra)
            with np.load(out) as z:
                weights[steps] = {k: z[k] for k in z.files}
        same = all(np.array_equal(weights[12][k], weights[18][k]) for k in weights[18])
        check.check(same, f"{name}: --timesteps 18 on a timesteps = 12 model differs from timesteps = 18")
        exe = os.path.join(args.work, f"{name}12")
        for bad in ["0"] + (["4"] if name == "last" else []):
            run = run_model(exe, args.work, ["--timesteps", bad], expect_ok=False)
            check.check(run.returncode == 1 and "--timesteps" in run.stderr,
                        f"{name}: --timesteps {bad} should be refused naming --timesteps: {run.stderr!r}")
    check.finish()


if __name__ == "__main__":
    main()
