#!/usr/bin/python3
"""A state that overflows stops the run at that step, with a located message.

`dx/dt = x^2 / (1 ms)` from x = 1 blows up at t = 1 ms (x = 1 / (1 - t/ms)).
The executable must exit 1 naming the population, the state, the neuron,
the example and the step at which x first became infinite or NaN; with
`--allow-nonfinite` it runs to the end, and its recording of x must show
the first non-finite value at exactly that step (and finite values before
it, which follow the analytic solution until close to the blow-up).

On the CUDA target (host emulation) the states are checked once per spike
block of 64 steps, not every step (each check would move them off the
device): the message names the block's last step, says so, and the first
non-finite step of the recording lies in that block.
"""
import os
import re

import numpy as np

from e2e_common import Checker, compile_model, parse_args, run_model

MODEL = """
neuron Blow {
  state x = 1
  dx/dt = x * x / (1 ms)
}

network N {
  population p = Blow x 3
}

simulate N {
  dt = 0.01 ms;  duration = 2 ms
  record p.x to "x.npz"
}
"""


def main():
    args = parse_args(__doc__.splitlines()[0])
    check = Checker("nonfinite")
    source = os.path.join(args.work, "blow.snn")
    with open(source, "w") as f:
        f.write(MODEL)
    exe = compile_model(args.snnc, source, args.work, "blow", ["--precision=double"])
    stopped = run_model(exe, args.work, [], expect_ok=False)
    check.check(stopped.returncode == 1, f"expected exit 1, got {stopped.returncode}: {stopped.stderr}")
    m = re.search(r"population 'p': state 'x' of neuron (\d+) became (\S+) in example (\d+) at step (\d+)",
                  stopped.stderr)
    check.check(m is not None, "no located message: " + stopped.stderr)
    check.check("--allow-nonfinite" in stopped.stderr, "the message should name --allow-nonfinite")
    check.check(not os.path.exists(os.path.join(args.work, "x.npz")), "a stopped run wrote its recording")
    ran = run_model(exe, args.work, ["--allow-nonfinite"])
    check.check(ran.returncode == 0, "--allow-nonfinite should run to the end")
    with np.load(os.path.join(args.work, "x.npz")) as z:
        x = z["p_x"][0, :, 0]
        t = z["t"]
    bad = np.flatnonzero(~np.isfinite(x))
    check.check(bad.size > 0, "x never became non-finite: the test checks nothing")
    if m and bad.size:
        check.check(int(m.group(1)) == 0 and int(m.group(3)) == 0,
                    f"expected neuron 0 of example 0, got neuron {m.group(1)}, example {m.group(3)}")
        check.check(int(m.group(4)) == int(bad[0]),
                    f"the message names step {m.group(4)}, the recording's first non-finite x is step {bad[0]}")
        # Well before the blow-up the integration follows x = 1 / (1 - t / 1 ms).
        early = t < 0.5e-3
        exact = 1 / (1 - t[early] / 1e-3)
        check.check(np.allclose(x[early], exact, rtol=1e-3), "x does not follow 1 / (1 - t) early on")
        check.check(t[bad[0]] > 0.9e-3, f"x overflowed at t = {t[bad[0]]} s, before the analytic blow-up")

    gpu = compile_model(args.snnc, source, args.work, "blow_gpu",
                        ["--precision=double", "--target=cuda", "--cuda-host-emulation"])
    stopped = run_model(gpu, args.work, [], expect_ok=False)
    m = re.search(r"population 'p': state 'x' of neuron (\d+) became (\S+) in example (\d+) at step (\d+) "
                  r"\(t = [^)]*\) \(the CUDA host emulation device's states are checked every 64 steps: it may "
                  r"have happened up to 63 steps earlier\)", stopped.stderr)
    check.check(stopped.returncode == 1 and m is not None, "CUDA target: expected exit 1 and a message naming the "
                "block's last step, got %d: %s" % (stopped.returncode, stopped.stderr))
    if m and bad.size:
        step = int(m.group(4))
        check.check((step + 1) % 64 == 0 and step - 63 <= int(bad[0]) <= step,
                    f"CUDA target: the message names step {step}, the first non-finite x is step {bad[0]}")
    check.finish()


if __name__ == "__main__":
    main()
