#!/usr/bin/python3
"""A state that overflows stops the run at that step, with a located message.

`dx/dt = x^2 / (1 ms)` from x = 1 blows up at t = 1 ms (x = 1 / (1 - t/ms)).
The executable must exit 1 naming the population, the state, the neuron,
the example and the step at which x first became infinite or NaN; with
`--allow-nonfinite` it runs to the end, and its recording of x must show
the first non-finite value at exactly that step (and finite values before
it, which follow the analytic solution until close to the blow-up).

On the CUDA target (host emulation) the runtime looks at the states once
per spike block of 64 steps (each look would move them off the device),
and the step's kernels note the first step of the block that left a state
non-finite: the message names the same step as the CPU's. A second model
blows x up at t = 1.4 ms and resets it (a spike on a clock) at 1.7 ms,
within one block: the CPU stops at the blow-up, and so must the device
(naming that step, and that an assignment made the value finite again by
the block's end), where a look at the states alone would have seen
nothing. Its state y (declared first) blows up later in the same block and
stays infinite: the message must still name x, the state of the first
step.
"""
import os
import re

import numpy as np

from e2e_common import SOURCE_ROOT, Checker, compile_model, model_folder, parse_args, run_model

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
    m = re.search(r"population 'p': state 'x' of neuron (\d+) became (\S+) in example (\d+) at step (\d+) ",
                  stopped.stderr)
    check.check(stopped.returncode == 1 and m is not None, "CUDA target: expected exit 1 and a located message, "
                "got %d: %s" % (stopped.returncode, stopped.stderr))
    if m and bad.size:
        check.check(int(m.group(4)) == int(bad[0]),
                    f"CUDA target: the message names step {m.group(4)}, the first non-finite x is step {bad[0]}")

    transient(args, check)
    training(args, check)
    check.finish()


TRANSIENT = """
neuron Transient {
  state y = 1
  state x = 1
  state c = 0
  dy/dt = y * y / (1.6 ms)
  dx/dt = x * x / (1.4 ms)
  dc/dt = 1 / (1 ms)
  spike when c > 1.7
  on spike { x = 1; c = 0 }
}

network N {
  population p = Transient x 2
}

simulate N {
  dt = 0.01 ms;  duration = 2 ms
  record p.x to "x.npz"
}
"""


def transient(args, check):
    source = os.path.join(args.work, "transient.snn")
    with open(source, "w") as f:
        f.write(TRANSIENT)
    cpu = compile_model(args.snnc, source, args.work, "transient", ["--precision=double"])
    ran = run_model(cpu, args.work, ["--allow-nonfinite"])
    with np.load(os.path.join(args.work, "x.npz")) as z:
        x = z["p_x"][0, :, 0]
    bad = np.flatnonzero(~np.isfinite(x))
    # The test's premise: x is non-finite for a while within one block of
    # 64 steps (128 .. 191) and finite again at the block's end.
    check.check(ran.returncode == 0 and bad.size > 0, "transient: x never became non-finite")
    if not bad.size:
        return
    first, last = int(bad[0]), int(bad[-1])
    check.check(first // 64 == last // 64 == 2 and np.isfinite(x[191]),
                f"transient: x is non-finite at steps {first} .. {last}, not within the block 128 .. 191")
    stopped = run_model(cpu, args.work, [], expect_ok=False)
    m = re.search(r"state 'x' of neuron 0 became \S+ in example 0 at step (\d+) ", stopped.stderr)
    check.check(stopped.returncode == 1 and m is not None and int(m.group(1)) == first,
                f"transient, CPU: expected exit 1 at step {first}, got {stopped.returncode}: {stopped.stderr}")
    gpu = compile_model(args.snnc, source, args.work, "transient_gpu",
                        ["--precision=double", "--target=cuda", "--cuda-host-emulation"])
    stopped = run_model(gpu, args.work, [], expect_ok=False)
    m = re.search(r"population 'p': state 'x' became NaN or infinite in example 0 at step (\d+) \(t = [^)]*\), and an "
                  r"assignment made it finite again by step 191;", stopped.stderr)
    check.check(stopped.returncode == 1 and m is not None and int(m.group(1)) == first,
                f"transient, CUDA target: expected exit 1 naming step {first}, got {stopped.returncode}: "
                f"{stopped.stderr}")


def training(args, check):
    """Training: train_step watches the states too (watch_finite). Digits
    with a population whose x blows up at step 13 of the first example: the
    emulated GPU stops where the CPU does, at step 13 of the 20, before the
    runtime's look at the last step."""
    with open(os.path.join(SOURCE_ROOT, "examples", "digits.snn")) as f:
        text = f.read()
    for old, new in (("import std.inputs.SpikeSource\n",
                      "import std.inputs.SpikeSource\nneuron Blow {\n  state x = 1\n  dx/dt = x * x / (12 ms)\n}\n"),
                     ("  population output = Readout(tau_mem: 20 ms) x 10\n",
                      "  population output = Readout(tau_mem: 20 ms) x 10\n  population blow = Blow x 2\n")):
        check.check(old in text, "examples/digits.snn changed: " + old)
        text = text.replace(old, new)
    work = os.path.join(args.work, "training")
    source = model_folder(work, os.path.join(SOURCE_ROOT, "examples", "digits.snn"), None,
                          os.path.join(SOURCE_ROOT, "data", "digits.csv.gz"))
    with open(source, "w") as f:
        f.write(text)
    steps = []
    for name, flags in (("cpu", []), ("gpu", ["--target=cuda", "--cuda-host-emulation"])):
        exe = compile_model(args.snnc, source, work, "train_" + name, flags)
        stopped = run_model(exe, work, ["--epochs", "1"], expect_ok=False)
        m = re.search(r"population 'blow': state 'x' of neuron 0 became \S+ in example 0 at step (\d+) \(t = [^)]*\) "
                      r"in epoch 1, batch 1;", stopped.stderr)
        check.check(stopped.returncode == 1 and m is not None,
                    f"training, {name}: expected exit 1 and a located message, got {stopped.returncode}: "
                    f"{stopped.stderr}")
        steps.append(int(m.group(1)) if m else -1)
    check.check(steps[0] == steps[1] == 13, f"training: the CPU stops at step {steps[0]}, the GPU at {steps[1]}")


if __name__ == "__main__":
    main()
