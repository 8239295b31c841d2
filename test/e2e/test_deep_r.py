"""e2e: Deep R (`rewire PRE -> POST by deep_r(...)`) against a numpy step.

A recurrent ALIF network on the digits, trained with SGD in float64, no
shuffling, its recurrent projection at 30 % connectivity rewired:

1. One optimiser step with the L1 term (temperature 0), with e-prop and
   with BPTT: numpy takes the weights W0 before the step (--epochs 0), the
   weights the same step gives without Deep R (w_sgd), the signs s =
   sign(W0), and computes w = w_sgd - lr * l1 * s and the dormant synapses
   s * w < 0. The trained weights equal numpy's w on the other synapses,
   bit for bit; the dormant ones are gone, and as many new synapses (w = 0)
   keep the synapse count: the density is the initial one and "rewired"
   counts the dormant synapses.
2. The noise (l1 0, temperature T): (w - w_sgd) / sqrt(2 lr T) over the
   synapses has mean 0 and standard deviation 1.
3. Several steps: the same weights with --threads 2, and after a resume
   from the checkpoint of epoch 1 (whose connectivity Deep R changed).
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

HIDDEN = 30
PAIRS = HIDDEN * (HIDDEN - 1)
LR = 0.05

MODEL = """
import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource
network Digits {
  population input = SpikeSource x 64
  population hidden = ALIF(tau_adapt: 100 ms, beta: 0.05) x %(hidden)d
  population output = Readout(tau_mem: 20 ms) x 10
  connect input -> hidden : dense, delay 0, weight ~ normal(0, 0.35)
  connect hidden -> hidden : fixed_probability(0.3, autapses: false), weight ~ normal(0, 0.05)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.1)
}
train Digits with %(method)s {
  data train = dense("%(data)s", encode: latency(max: 16))
  test_split = 0.2
  dt = 1 ms;  timesteps = 20;  batch = 32;  epochs = %(epochs)d;  seed = 5
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = sgd(lr: %(lr)g)
  %(rewire)s
}
"""


def build(args, name, method="eprop", rewire="", epochs=1):
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "digits.csv.gz")
    path = os.path.join(args.work, name + ".snn")
    with open(path, "w") as f:
        f.write(MODEL % {"hidden": HIDDEN, "method": method, "data": os.path.abspath(data), "epochs": epochs,
                         "lr": LR, "rewire": rewire})
    return e2e.compile_model(args.snnc, path, args.work, name, ["--precision=double"])


def run(args, exe, name, extra):
    e2e.run_model(exe, args.work, ["--quiet", "--no-shuffle", "--weights-out", name + ".npz", "--metrics",
                                   name + ".jsonl"] + list(extra), timeout=300)
    return (e2e.load_npz(os.path.join(args.work, name + ".npz"))["hidden->hidden"],
            e2e.load_metrics(os.path.join(args.work, name + ".jsonl")))


def one_step(args, check, method):
    l1 = 0.4  # lr * l1 = 0.02: a good share of the N(0, 0.05) weights cross zero
    rule = "rewire hidden -> hidden by deep_r(l1: %g, temperature: 0)" % l1
    deep = build(args, method + "_deep", method, rule)
    w0, _ = run(args, deep, method + "_w0", ["--epochs", "0"])
    plain = build(args, method + "_plain", method)
    w_sgd, _ = run(args, plain, method + "_sgd", ["--batches", "1"])
    w1, metrics = run(args, deep, method + "_w1", ["--batches", "1"])
    active = w0 != 0
    k = int(np.count_nonzero(active))
    s = np.sign(w0)
    w = w_sgd + (-l1 * LR) * s
    dormant = active & (s * w < 0)
    kept = active & ~dormant
    check.check(0 < np.count_nonzero(dormant) < k, "%s: %d of %d synapses turn dormant" %
                (method, np.count_nonzero(dormant), k))
    check.check(np.array_equal(w1[kept], w[kept]), "%s: the kept synapses hold numpy's w (max |diff| %.3g)" %
                (method, np.max(np.abs(w1[kept] - w[kept]))))
    # The dormant synapses are gone (0 unless a new synapse took the pair,
    # which also starts at 0); nothing else is non-zero.
    check.check(np.all(w1[dormant] == 0) and np.all(w1[~active] == 0),
                "%s: the dormant and new synapses hold 0" % method)
    density = metrics[0]["density"]["hidden -> hidden.i"]
    check.check(density == k / PAIRS, "%s: the synapse count stays %d (density %r)" % (method, k, density))
    check.check(metrics[0]["rewired"] == np.count_nonzero(dormant), "%s: rewired %d, numpy %d" %
                (method, metrics[0]["rewired"], np.count_nonzero(dormant)))
    return np.count_nonzero(dormant), k


def noise(args, check):
    temperature = 1e-7  # sqrt(2 lr T) = 1e-4, small against the weights
    deep = build(args, "noise", "eprop", "rewire hidden -> hidden by deep_r(l1: 0, temperature: %g)" % temperature)
    w1, _ = run(args, deep, "noise_w1", ["--batches", "1"])
    w_sgd, _ = run(args, build(args, "noise_plain"), "noise_sgd", ["--batches", "1"])
    both = (w1 != 0) & (w_sgd != 0)
    nu = (w1[both] - w_sgd[both]) / np.sqrt(2 * LR * temperature)
    n = len(nu)
    check.check(abs(np.mean(nu)) < 4 / np.sqrt(n) and abs(np.std(nu) - 1) < 0.15,
                "noise: mean %.3f, sd %.3f over %d synapses (expected 0 and 1)" % (np.mean(nu), np.std(nu), n))
    return np.mean(nu), np.std(nu), n


def several_steps(args, check):
    rule = "rewire hidden -> hidden by deep_r(l1: 0.05, temperature: 1e-6)"
    deep = build(args, "steps", "eprop", rule, epochs=2)
    a, metrics = run(args, deep, "steps_a", ["--batches", "4", "--checkpoint", "ck_a"])
    b, _ = run(args, deep, "steps_b", ["--batches", "4", "--threads", "2"])
    check.check(np.array_equal(a, b), "8 steps: the same weights with --threads 2")
    e2e.run_model(deep, args.work, ["--quiet", "--no-shuffle", "--batches", "4", "--epochs", "1", "--checkpoint",
                                    "ck_c"], timeout=300)
    c, _ = run(args, deep, "steps_c", ["--batches", "4", "--checkpoint", "ck_c", "--resume"])
    check.check(np.array_equal(a, c), "resumed after epoch 1: the same weights")
    rewired = [m["rewired"] for m in metrics]
    check.check(all(r > 0 for r in rewired), "synapses rewired in every epoch: %s" % rewired)
    return rewired


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("deep_r")
    notes = []
    for method in ("eprop", "bptt"):
        gone, k = one_step(args, check, method)
        notes.append("%s: %d of %d dormant after one step, as numpy" % (method, gone, k))
    mean, sd, n = noise(args, check)
    rewired = several_steps(args, check)
    check.note("; ".join(notes) + "; noise mean %.3f sd %.3f (n %d); rewired per epoch %s" % (mean, sd, n, rewired))
    check.finish()


if __name__ == "__main__":
    main()
