"""e2e: `prune PRE -> POST to D % by magnitude` against a numpy reference.

An ALIF network is trained on the digits with e-prop and plain SGD (no
optimiser state, so a pruned network and an explicitly sparse one follow
the same arithmetic), without shuffling:

1. One epoch without pruning gives the weights W1. numpy picks the synapses
   to keep: the round(D * pairs) largest |W1| of the recurrent projection
   (ties to the earlier synapse, rows by pre neuron).
2. `prune hidden -> hidden to 10 % by magnitude after 1 epochs`, 2 epochs:
   the metrics report the density numpy expects after epoch 1, and the
   trained recurrent weights are non-zero exactly on numpy's synapses.
3. The same second epoch from an explicitly sparse network: the kept pairs
   as `from_list`, W1 masked by numpy as `--weights-in`: the same trained
   weights, bit for bit, and the same metrics.
4. Resuming the pruned run from its checkpoint after epoch 1 (whose
   connectivity is pruned) gives the same weights again.
5. The gradual schedule (`every 1 epochs` over 3 epochs) reports the
   densities d_k = D + (d_0 - D)(1 - k / 3)^3.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

HIDDEN = 40
PAIRS = HIDDEN * (HIDDEN - 1)

MODEL = """
import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource
network Digits {
  population input = SpikeSource x 64
  population hidden = ALIF(tau_adapt: 100 ms, beta: 0.05) x %(hidden)d
  population output = Readout(tau_mem: 20 ms) x 10
  connect input -> hidden : dense, delay 0, weight ~ normal(0, 0.35)
  connect hidden -> hidden : %(recurrent)s, weight ~ normal(0, 0.1)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.1)
}
train Digits with eprop {
  data train = dense("%(data)s", encode: latency(max: 16))
  test_split = 0.2
  dt = 1 ms;  timesteps = 20;  batch = 32;  epochs = %(epochs)d;  seed = 3
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = sgd(lr: 0.05)
  %(prune)s
}
"""


def build(args, name, epochs, prune="", recurrent="fixed_probability(1, autapses: false)"):
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "digits.csv.gz")
    path = os.path.join(args.work, name + ".snn")
    with open(path, "w") as f:
        f.write(MODEL % {"hidden": HIDDEN, "recurrent": recurrent, "data": os.path.abspath(data), "epochs": epochs,
                         "prune": prune})
    return e2e.compile_model(args.snnc, path, args.work, name)


def train(args, exe, name, extra=()):
    e2e.run_model(exe, args.work, ["--quiet", "--no-shuffle", "--weights-out", name + ".npz", "--metrics",
                                   name + ".jsonl"] + list(extra), timeout=300)
    return (e2e.load_npz(os.path.join(args.work, name + ".npz")),
            e2e.load_metrics(os.path.join(args.work, name + ".jsonl")))


def numpy_keep(w1, density):
    """The kept synapses of the recurrent projection, as a [post, pre] mask:
    its synapses in row order (pre, then post, without the diagonal), the
    round(density * pairs) largest |w|, ties to the earlier synapse."""
    pre, post = np.nonzero(~np.eye(HIDDEN, dtype=bool).T)  # row order: by pre, then post
    order = np.argsort(pre * HIDDEN + post, kind="stable")
    pre, post = pre[order], post[order]
    values = np.abs(w1[post, pre])
    keep = int(round(density * PAIRS))
    ranked = sorted(range(len(values)), key=lambda s: (-values[s], s))[:keep]
    mask = np.zeros((HIDDEN, HIDDEN), dtype=bool)
    mask[post[ranked], pre[ranked]] = True
    return mask, keep


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("pruning")

    plain = build(args, "plain", 1)
    w1, _ = train(args, plain, "w1")
    recurrent = w1["hidden->hidden"]
    check.check(recurrent.shape == (HIDDEN, HIDDEN) and np.count_nonzero(recurrent) == PAIRS,
                "epoch 1 without pruning: every recurrent pair has a weight")
    mask, keep = numpy_keep(recurrent, 0.1)

    rule = "prune hidden -> hidden to 10 % by magnitude after 1 epochs"
    pruned = build(args, "pruned", 2, rule)
    w2, metrics = train(args, pruned, "w2", ["--checkpoint", "ckpt"])
    density = [m.get("density", {}).get("hidden -> hidden.i") for m in metrics]
    check.check(density == [keep / PAIRS] * 2, "density after epochs 1 and 2: %s, numpy %s" % (density, keep / PAIRS))
    nonzero = w2["hidden->hidden"] != 0
    check.check(np.array_equal(nonzero, mask), "the trained recurrent weights are non-zero on numpy's %d synapses "
                "(%d differ)" % (keep, np.count_nonzero(nonzero != mask)))

    # The same epoch on the explicitly sparse network.
    post, pre = np.nonzero(mask)
    order = np.lexsort((post, pre))
    pairs = "from_list(pre: [%s], post: [%s])" % (", ".join(str(i) for i in pre[order]),
                                                   ", ".join(str(j) for j in post[order]))
    masked = dict(w1)
    masked["hidden->hidden"] = np.where(mask, recurrent, 0.0)
    np.savez(os.path.join(args.work, "w1_masked.npz"), **masked)
    sparse = build(args, "sparse", 1, "", pairs)
    w3, metrics3 = train(args, sparse, "w3", ["--weights-in", "w1_masked.npz"])
    for key in sorted(w2):
        check.check(np.array_equal(w2[key], w3[key]), "epoch 2 pruned vs from_list: %s equal" % key)
    loss2, loss3 = metrics[1]["train_loss"], metrics3[0]["train_loss"]
    check.check(loss2 == loss3, "epoch 2 training loss, pruned %r vs from_list %r" % (loss2, loss3))

    # Resume from the checkpoint the pruned run wrote after epoch 2... and
    # after epoch 1: a run of 1 epoch, then --resume for the second.
    one = build(args, "pruned_resume", 2, rule)
    e2e.run_model(one, args.work, ["--quiet", "--no-shuffle", "--epochs", "1", "--checkpoint", "ckpt1"], timeout=300)
    w4, _ = train(args, one, "w4", ["--checkpoint", "ckpt1", "--resume"])
    for key in sorted(w2):
        check.check(np.array_equal(w2[key], w4[key]), "resumed after the pruning epoch: %s equal" % key)

    # The gradual schedule.
    gradual = build(args, "gradual", 3, "prune hidden -> hidden to 10 % by magnitude every 1 epochs")
    _, metrics5 = train(args, gradual, "w5")
    got = [m["density"]["hidden -> hidden.i"] for m in metrics5]
    want = [round((0.1 + 0.9 * (1 - k / 3) ** 3) * PAIRS) / PAIRS for k in (1, 2, 3)]
    check.check(got == want, "gradual densities %s, numpy %s" % (got, want))
    check.note("pruned to %d of %d pairs: epoch 2 equal to the from_list network bit for bit (loss %.6f); "
               "gradual densities %s" % (keep, PAIRS, loss2, ", ".join("%.4f" % d for d in got)))
    check.finish()


if __name__ == "__main__":
    main()
