"""e2e: the adjoint strategy with histories shorter than an example.

runtime/lib/HistorySegments.h: with `--history-steps S` below the example's
T steps, the histories hold S steps; the forward pass saves the model's
segment state at the start of every segment but the last, and the backward
pass reruns each earlier segment from its checkpoint to refill them. The
gradient is the same sum of the same products in the same order, so it
must be bit-identical to the run that keeps every step.

The model covers what a rerun must reproduce exactly: recurrent EpropLIF
and ALIF populations with one-step delays (their ring buffers), a
user-written neuron with white noise `xi` (counter-based random numbers),
dropout on a hidden population (random kept flags, recorded), firing-rate
regularisation (a filtered rate carried across examples) and a per-step
readout (delta, recorded). 6 inputs -> 8 LIF + 8 ALIF + 6 noisy -> 3
Readout, T = 40 steps of 1 ms, batch 4.

Checks, each against the run with every step kept (`--history-steps 0`):
  * e-prop, float64 and float32: --gradients-out bit-identical for S = 1,
    7 (a short last segment), 20 (two equal ones), 39 and 40 (one segment:
    nothing recomputed), and S = 7 on 2 threads;
  * the CUDA target in host emulation (the same CUDA C++ on the CPU),
    float64, S = 7: the same bits as the emulation keeping every step, and
    within 1e-12 of the CPU backend's (the presynaptic atomics add in
    another order on a GPU: a warp takes 32 rows, lane by lane in the
    emulation);
  * BPTT (mean readout, without dropout, which it does not take), float64:
    bit-identical for S = 7;
  * training 3 batches of an epoch with S = 7 gives bit-identical weights
    (the state the backward pass leaves behind, such as the filtered rates,
    is the state the forward pass ended with);
  * the gradients are not all zero, and the run announces its segments:
    "in 6 segments of 7 recorded steps", or without segments the old line;
  * `--history-steps -1` and `--history-steps 2.5` are located option
    errors (exit 1); an online-strategy model has no such option.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402
import test_eprop_gradients as eg  # noqa: E402  (events files)

STEPS, EXAMPLES = 40, 12
MODEL = """
import std.neurons.{ALIF, EpropLIF, Readout}
import std.inputs.SpikeSource
import std.surrogates.triangular

neuron NoisyLIF {
  param tau_mem = 20 ms
  param v_th = 0.5
  param sigma = 0.2
  state v = 0
  input i : Hz
  dv/dt = -v / tau_mem + i + sigma * sqrt(2 / tau_mem) * xi
  spike when v >= v_th
  on spike next step { v -= v_th }
  surrogate = triangular(v - v_th, v_th, 0.3)
}

network Segments {
  population input  = SpikeSource x 6
  population lif    = EpropLIF(tau_mem: 20 ms, v_th: 0.5, t_ref: 2 ms) x 8
  population alif   = ALIF(tau_mem: 20 ms, tau_adapt: 200 ms, v_th: 0.5, beta: 0.05) x 8
  population noisy  = NoisyLIF x 6
  population output = Readout(tau_mem: 15 ms) x 3
  connect input -> lif, alif, noisy : dense, delay 0, weight ~ normal(0.4, 0.5)
  connect lif   -> alif  : dense, weight ~ normal(0, 0.3)
  connect alif  -> lif   : dense, weight ~ normal(0, 0.3)
  connect alif  -> alif  : fixed_probability(0.5, autapses: false), weight ~ normal(0, 0.3)
  connect lif   -> output : dense, delay 0, weight ~ normal(0, 0.3)
  connect alif  -> output : dense, delay 0, weight ~ normal(0, 0.3)
  connect noisy -> output : dense, delay 0, weight ~ normal(0, 0.3)
}

train Segments with %s {
  data train = events("data.npz")
  dt = 1 ms;  timesteps = %d;  batch = 4;  epochs = 1;  seed = 3
  readout = %s
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 0.01)
%s
  regularize firing_rate(alif, target: 10 Hz, strength: 0.1)
}
"""
ARRAYS = ("input->lif", "input->alif", "input->noisy", "lif->alif", "alif->lif", "alif->alif", "lif->output",
          "alif->output", "noisy->output")


def write_model(work, method, readout):
    path = os.path.join(work, "model_%s.snn" % method)
    with open(path, "w") as f:
        # BPTT does not take dropout.
        f.write(MODEL % (method, STEPS, readout, "  dropout(lif, rate: 0.2)" if method == "eprop" else ""))
    return path


def gradients(exe, work, tag, extra):
    out = os.path.join(work, tag + ".npz")
    e2e.run_model(exe, work, ["--no-shuffle", "--batches", "1", "--gradients-out", out, "--quiet", *extra])
    return e2e.load_npz(out)


def identical(check, label, want, got, names):
    for name in names:
        if not check.check(name in want and name in got, "%s: %s missing" % (label, name)):
            continue
        a, b = want[name], got[name]
        same = a.shape == b.shape and np.array_equal(a.view(np.uint8), b.view(np.uint8))
        check.check(same, "%s: %s differs from the run that keeps every step (largest difference %.3g, %s)"
                    % (label, name, float(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).max())
                       if a.shape == b.shape else float("nan"), ref.worst_entry(b, a) if a.shape == b.shape
                       else "shapes %s, %s" % (a.shape, b.shape)))


def main():
    args = e2e.parse_args(__doc__)
    check = e2e.Checker("history_segments")
    work = args.work
    rng = np.random.default_rng(11)
    eg.write_events(os.path.join(work, "data.npz"), ref.random_inputs(rng, EXAMPLES, STEPS, 6, 0.25),
                    rng.integers(0, 3, EXAMPLES))
    eprop = write_model(work, "eprop", "output.v")
    bptt = write_model(work, "bptt", "mean(output.v)")

    for precision in ("double", "float"):
        exe = e2e.compile_model(args.snnc, eprop, work, "eprop_" + precision,
                                ["--precision=" + precision, "--eprop-strategy=adjoint"])
        want = gradients(exe, work, precision + "_all", ["--history-steps", "0"])
        for name in ARRAYS:
            check.check(name in want and np.all(np.isfinite(want[name])) and np.abs(want[name]).max() > 0,
                        "%s: the gradient of %s is all zero or not finite" % (precision, name))
        for extra in (["--history-steps", "1"], ["--history-steps", "7"], ["--history-steps", "20"],
                      ["--history-steps", "39"], ["--history-steps", "40"],
                      ["--history-steps", "7", "--threads", "2"]):
            tag = precision + "_" + "_".join(a.strip("-") for a in extra)
            identical(check, "e-prop %s %s" % (precision, " ".join(extra)), want,
                      gradients(exe, work, tag, extra), ARRAYS)

        if precision == "double":
            cuda = e2e.compile_model(args.snnc, eprop, work, "eprop_cuda",
                                     ["--precision=double", "--eprop-strategy=adjoint", "--target=cuda",
                                      "--cuda-host-emulation"])
            cuda_all = gradients(cuda, work, "cuda_all", ["--history-steps", "0"])
            identical(check, "e-prop cuda host emulation --history-steps 7", cuda_all,
                      gradients(cuda, work, "cuda_7", ["--history-steps", "7"]), ARRAYS)
            for name in ARRAYS:
                if name in want and name in cuda_all:
                    scale = float(np.abs(want[name]).max())
                    worst = float(np.abs(cuda_all[name] - want[name]).max()) / scale
                    check.check(worst <= 1e-12, "e-prop cuda host emulation: %s is %.3g (of its largest entry) "
                                "from the CPU backend's" % (name, worst))

    exe = e2e.compile_model(args.snnc, bptt, work, "bptt", ["--precision=double"])
    identical(check, "bptt --history-steps 7", gradients(exe, work, "bptt_all", []),
              gradients(exe, work, "bptt_7", ["--history-steps", "7"]), ARRAYS)

    # Training: the weights after 3 optimiser steps.
    exe = os.path.join(work, "eprop_double")
    trained = {}
    for s in ("0", "7"):
        out = os.path.join(work, "weights_%s.npz" % s)
        proc = e2e.run_model(exe, work, ["--no-shuffle", "--epochs", "1", "--batches", "3", "--history-steps", s,
                                         "--weights-out", out])
        trained[s] = e2e.load_npz(out)
        lines = [line for line in proc.stdout.splitlines() if line.startswith("gradient: a backward pass")]
        want_text = ("over 40 recorded steps" if s == "0" else
                     "over 40 steps in 6 segments of 7 recorded steps")
        check.check(len(lines) == 1 and want_text in lines[0],
                    "--history-steps %s: expected one line 'gradient: a backward pass %s ...', got %s"
                    % (s, want_text, lines))
    identical(check, "3 batches of training, --history-steps 7", trained["0"], trained["7"], ARRAYS)

    for bad, message in (("-1", "--history-steps"), ("2.5", "--history-steps")):
        proc = e2e.run_model(exe, work, ["--history-steps", bad, "--batches", "1"], expect_ok=False)
        check.check(proc.returncode == 1 and message in proc.stderr,
                    "--history-steps %s: expected exit 1 naming the option, got %d: %s"
                    % (bad, proc.returncode, proc.stderr.strip()))
    online = e2e.compile_model(args.snnc, eprop, work, "online", ["--eprop-strategy=online"])
    proc = e2e.run_model(online, work, ["--history-steps", "7", "--batches", "1"], expect_ok=False)
    check.check(proc.returncode == 1 and "history-steps" in proc.stderr,
                "online: --history-steps should be unknown (exit 1), got %d: %s"
                % (proc.returncode, proc.stderr.strip()))
    check.finish()


if __name__ == "__main__":
    main()
