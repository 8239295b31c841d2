"""e2e: dropout (docs/training.md, "Regularising spikes").

`dropout(POP, rate: P)`: in training each spike of POP is dropped with
probability P (its projections and the traces that read its spikes do not
see it; no rescaling); evaluation drops nothing; the draws are Philox
streams keyed by (seed, example, neuron, step).

The model is a readout on the input spikes, `input (SpikeSource x 10) ->
output (Readout x 2)`, dense, delay 0, with `dropout(source, rate: 0.3)`,
mean readout, cross-entropy. The readout's tau_mem is 0.01 ms, so its leak
kappa = exp(-100) ~ 4e-44 and y[t] = W x_kept[t] (to 1e-43 relative).

(a) Statistics, through `--gradients-out` with W = 0 (then y = 0, and the
    loss derivative of the mean readout, delta_k = (softmax(0)_k -
    onehot_k) / T = (1/2 - onehot_k) / T, does not depend on the spikes).
    Every label is 0, so the readout's exact gradient is
        dW[1, i] = sum_examples sum_t (0.5 / T) x_kept_i[t] = 0.5 / T * kept_i,
    i.e. 2 T dW[1, i] counts the spikes of input i that the readout saw, in
    the batch (dW[0, i] = -dW[1, i]). Checked: without dropout (the model
    without the clause, and `--dropout.source 0`) the count is exactly the
    number of spikes in the data; with dropout 0.3 it is an integer
    (a spike is kept whole or dropped whole) <= that number, and
    kept / total is within 5 binomial standard deviations of 0.7 for each
    of 3 seeds and over all of them (and the adjoint e-prop strategy,
    --eprop-strategy=adjoint, counts the same kept spikes as the online one): n ~ 1200 spikes per seed,
    sd = sqrt(0.3 * 0.7 / n) ~ 0.013, so +-0.066 per seed; false alarm
    probability ~ 6e-7 per check. The per-input counts are checked with a
    chi-square statistic (10 degrees of freedom) < 45 (p ~ 2e-6), which
    catches dropping that is not independent per neuron. Different seeds
    give different kept counts. (a') A batch of 64 identical examples in
    which every input spikes at every step: the same binomial and
    chi-square checks (n = 12800), which catch draws that ignore the
    example or the step (they would keep or drop 64 or 20 spikes together).
(b) Evaluation drops nothing: with nonzero weights, `--epochs 0` test loss
    of the dropout model equals that of the model without dropout and
    the numpy loss of the full spike trains (1e-9 relative), while the
    loss of the spike trains thinned by 30 % is clearly different.
(c) Determinism: one epoch of training (4 batches of 16, --no-shuffle,
    --weights-in) twice with the same seed gives bit-identical weights; a
    different seed gives different weights; with `--dropout.source 0`
    different seeds give identical weights (the seed acts only on the
    dropout draws here).
(d) `--dropout.source 0` trains to exactly (bit for bit) the weights of the
    model compiled without dropout, and `--dropout.source 0.3` does not.
(e) Dropout on a hidden EpropLIF population (see hidden_dropout): the
    readout sees a binomial 70 % of its spikes, whose number does not change
    (and equals eprop_reference's LIF forward pass).
"""

import json
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402

INPUTS, CLASSES, STEPS = 10, 2, 20
DT = 1e-3
RATE = 0.3
KEEP = 1.0 - RATE
TRAIN_EXAMPLES, TEST_EXAMPLES, BATCH_STATS, BATCH_TRAIN = 64, 32, 64, 16
SPIKE_PROBABILITY = 0.1  # per input, per step: ~1300 spikes in 64 examples
SIGMAS = 5.0
CHI2_LIMIT = 45.0  # chi-square, 10 degrees of freedom: P(> 45) ~ 2e-6

MODEL = """import std.neurons.{{Readout}}
import std.inputs.SpikeSource

network Drop {{
  population source = SpikeSource x {inputs}
  population output = Readout(tau_mem: 0.01 ms) x {classes}

  connect source -> output : dense, delay 0, weight 0
}}

train Drop with eprop {{
  data train = events("train.npz")
  data test  = events("test.npz")
  dt = 1 ms;  timesteps = {steps};  batch = {batch};  epochs = 1;  seed = 5
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = sgd(lr: 0.5)
{dropout}}}
"""


def write_events(path, xs, labels):
    """Spike rasters [E, T, I] as an SHD-layout events NPZ, spikes at (step + 0.5) dt."""
    times, units, offsets = [], [], [0]
    for x in xs:
        steps, ids = np.nonzero(x)
        times.append((steps + 0.5) * DT)
        units.append(ids)
        offsets.append(offsets[-1] + steps.size)
    np.savez(path, times=np.concatenate(times).astype(np.float64),
             units=np.concatenate(units).astype(np.int64),
             offsets=np.array(offsets, dtype=np.int64), labels=np.asarray(labels, dtype=np.int64))


def mean_ce(w, xs, labels):
    """Mean over examples of the cross-entropy of the time-averaged readout
    y = W x[t] (kappa ~ 0)."""
    total = 0.0
    for x, label in zip(xs, labels):
        y = w @ x.mean(axis=0)
        m = y.max()
        total += m + np.log(np.exp(y - m).sum()) - y[label]
    return total / len(xs)


def main():
    args = e2e.parse_args(__doc__)
    check = e2e.Checker("dropout")
    work = args.work
    rng = np.random.default_rng(12)
    train_x = (rng.random((TRAIN_EXAMPLES, STEPS, INPUTS)) < SPIKE_PROBABILITY).astype(np.float64)
    test_x = (rng.random((TEST_EXAMPLES, STEPS, INPUTS)) < SPIKE_PROBABILITY).astype(np.float64)
    test_y = rng.integers(0, CLASSES, TEST_EXAMPLES)
    # (a) uses every label 0; the training runs of (c)/(d) use the same data.
    write_events(os.path.join(work, "train.npz"), train_x, np.zeros(TRAIN_EXAMPLES, dtype=np.int64))
    write_events(os.path.join(work, "test.npz"), test_x, test_y)
    np.savez(os.path.join(work, "zero.npz"), **{"source->output": np.zeros((CLASSES, INPUTS))})
    w_eval = rng.normal(0.0, 10.0, (CLASSES, INPUTS))
    np.savez(os.path.join(work, "w.npz"), **{"source->output": w_eval})

    exes = {}
    for tag, clause in (("plain", ""), ("drop", "  dropout(source, rate: %g)\n" % RATE)):
        path = os.path.join(work, tag + ".snn")
        with open(path, "w") as f:
            f.write(MODEL.format(inputs=INPUTS, classes=CLASSES, steps=STEPS, batch=BATCH_STATS,
                                 dropout=clause))
        exes[tag] = e2e.compile_model(args.snnc, path, work, tag, ["--precision=double"])
    # The adjoint e-prop strategy replays the kept spikes of the forward pass.
    exes["drop_adjoint"] = e2e.compile_model(args.snnc, os.path.join(work, "drop.snn"), work, "drop_adjoint",
                                             ["--precision=double", "--eprop-strategy=adjoint"])

    def gradient_counts(tag, extra=()):
        out = os.path.join(work, "g_%s_%d.npz" % (tag, len(os.listdir(work))))
        e2e.run_model(exes[tag], work, ["--weights-in", "zero.npz", "--no-shuffle", "--batches", "1",
                                        "--gradients-out", out, "--quiet", *extra])
        g = e2e.load_npz(out)["source->output"]
        check.check(np.array_equal(g[0], -g[1]), "%s %s: dW[0] != -dW[1]" % (tag, " ".join(extra)))
        return 2.0 * STEPS * g[1]

    # (a) statistics
    total = train_x[:BATCH_STATS].sum(axis=(0, 1))  # spikes per input in the batch
    for tag, extra in (("plain", ()), ("drop", ("--dropout.source", "0"))):
        counts = gradient_counts(tag, extra)
        check.check(np.allclose(counts, total, rtol=1e-12, atol=0),
                    "(a) %s %s: the readout saw %s spikes per input, the data has %s"
                    % (tag, " ".join(extra), counts.tolist(), total.tolist()))
    kept_all, seen = np.zeros(INPUTS), []
    for seed in (1, 2, 3):
        counts = gradient_counts("drop", ("--seed", str(seed)))
        kept = np.round(counts)
        check.check(np.allclose(counts, kept, rtol=0, atol=1e-9),
                    "(a) seed %d: kept counts are not integers: %s" % (seed, counts.tolist()))
        check.check(np.all(kept <= total) and np.all(kept >= 0),
                    "(a) seed %d: kept %s outside [0, %s]" % (seed, kept.tolist(), total.tolist()))
        n = total.sum()
        fraction = kept.sum() / n
        sd = np.sqrt(KEEP * RATE / n)
        check.check(abs(fraction - KEEP) <= SIGMAS * sd,
                    "(a) seed %d: kept fraction %.4f, expected %.2f +- %.4f (%g sd)"
                    % (seed, fraction, KEEP, SIGMAS * sd, SIGMAS))
        chi2 = float(np.sum((kept - KEEP * total) ** 2 / (KEEP * RATE * total)))
        check.check(chi2 < CHI2_LIMIT, "(a) seed %d: per-input kept counts %s of %s: chi-square %.1f "
                    ">= %g" % (seed, kept.tolist(), total.tolist(), chi2, CHI2_LIMIT))
        check.note("(a) seed %d: kept %d of %d spikes (%.4f; 5 sd = %.4f), chi-square %.1f"
                   % (seed, kept.sum(), n, fraction, SIGMAS * sd, chi2))
        kept_all += kept
        seen.append(kept)
        adjoint = gradient_counts("drop_adjoint", ("--seed", str(seed)))
        check.check(np.allclose(adjoint, counts, rtol=1e-12, atol=0),
                    "(a) seed %d: the adjoint strategy saw %s spikes per input, the online one %s"
                    % (seed, adjoint.tolist(), counts.tolist()))
    n = 3 * total.sum()
    sd = np.sqrt(KEEP * RATE / n)
    check.check(abs(kept_all.sum() / n - KEEP) <= SIGMAS * sd,
                "(a) all seeds: kept fraction %.4f, expected %.2f +- %.4f"
                % (kept_all.sum() / n, KEEP, SIGMAS * sd))
    check.check(not np.array_equal(seen[0], seen[1]) and not np.array_equal(seen[1], seen[2]),
                "(a) different seeds kept the same spikes: %s" % [s.tolist() for s in seen])

    # (a') independence across examples and steps: a batch of identical
    # examples in which every input spikes at every step. Independent draws
    # give kept_i ~ Bin(64 * 20, 0.7); draws that ignored the example (or the
    # step) would keep or drop 64 (or 20) spikes together, multiplying the
    # variance, and so the chi-square statistic, by 64 (or 20).
    full = np.ones((BATCH_STATS, STEPS, INPUTS))
    write_events(os.path.join(work, "full.npz"), full, np.zeros(BATCH_STATS, dtype=np.int64))
    counts = gradient_counts("drop", ("--seed", "4", "--data-train", "full.npz"))
    total = full.sum(axis=(0, 1))
    kept = np.round(counts)
    n = total.sum()
    sd = np.sqrt(KEEP * RATE / n)
    chi2 = float(np.sum((kept - KEEP * total) ** 2 / (KEEP * RATE * total)))
    check.check(np.allclose(counts, kept, rtol=0, atol=1e-9) and abs(kept.sum() / n - KEEP) <= SIGMAS * sd
                and chi2 < CHI2_LIMIT, "(a') identical examples, every spike: kept %s of %d each "
                "(fraction %.4f, 5 sd %.4f), chi-square %.1f (limit %g)"
                % (counts.tolist(), total[0], kept.sum() / n, SIGMAS * sd, chi2, CHI2_LIMIT))
    check.note("(a') identical examples: kept %d of %d (%.4f; 5 sd = %.4f), chi-square %.1f"
               % (kept.sum(), n, kept.sum() / n, SIGMAS * sd, chi2))

    # (b) evaluation drops nothing
    want = mean_ce(w_eval, test_x, test_y)
    thinned = mean_ce(w_eval, test_x * (rng.random(test_x.shape) < KEEP), test_y)
    check.check(abs(thinned - want) > 1e-3 * abs(want),
                "(b) the test loss does not depend on dropping spikes (%.6g vs %.6g)" % (thinned, want))
    losses = {}
    for tag in ("plain", "drop"):
        metrics = os.path.join(work, "eval_%s.jsonl" % tag)
        e2e.run_model(exes[tag], work, ["--epochs", "0", "--weights-in", "w.npz", "--metrics", metrics,
                                        "--quiet"])
        with open(metrics) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        losses[tag] = lines[-1]["test_loss"] if lines else None
        check.check(losses[tag] is not None and abs(losses[tag] - want) <= 1e-9 * abs(want),
                    "(b) %s: --epochs 0 test loss %r, numpy %.17g (thinned by dropout: %.6g)"
                    % (tag, losses[tag], want, thinned))
    check.check(losses["plain"] == losses["drop"],
                "(b) test loss with dropout %r != without %r" % (losses["drop"], losses["plain"]))
    check.note("(b) test loss %r (numpy %.17g; with 30 %% of spikes dropped it would be %.6g)"
               % (losses["drop"], want, thinned))

    # (c), (d) training runs
    def train(tag, extra=()):
        out = os.path.join(work, "w_%s_%d.npz" % (tag, len(os.listdir(work))))
        e2e.run_model(exes[tag], work, ["--weights-in", "w.npz", "--no-shuffle", "--batch",
                                        str(BATCH_TRAIN), "--epochs", "1", "--weights-out", out,
                                        "--quiet", *extra])
        return e2e.load_npz(out)["source->output"]

    a1 = train("drop", ("--seed", "7"))
    a2 = train("drop", ("--seed", "7"))
    b = train("drop", ("--seed", "8"))
    check.check(not np.array_equal(a1, w_eval), "(c) training did not change the weights")
    check.check(np.array_equal(a1, a2), "(c) the same seed gave different weights (max diff %.3g)"
                % np.max(np.abs(a1 - a2)))
    check.check(not np.array_equal(a1, b), "(c) seeds 7 and 8 gave identical weights")
    z7 = train("drop", ("--seed", "7", "--dropout.source", "0"))
    z8 = train("drop", ("--seed", "8", "--dropout.source", "0"))
    check.check(np.array_equal(z7, z8), "(c) without dropout, seeds 7 and 8 gave different weights "
                "(max diff %.3g): the seed acts on more than dropout" % np.max(np.abs(z7 - z8)))
    plain = train("plain", ("--seed", "7"))
    check.check(np.array_equal(z7, plain), "(d) --dropout.source 0 trained to other weights than the "
                "model without dropout (max diff %.3g)" % np.max(np.abs(z7 - plain)))
    check.check(not np.array_equal(a1, plain), "(d) dropout 0.3 trained to the no-dropout weights")
    check.note("(c)/(d) weight change %.3g; dropout vs none differ by %.3g"
               % (np.max(np.abs(a1 - w_eval)), np.max(np.abs(a1 - plain))))

    hidden_dropout(args, check)
    check.finish()


HIDDEN_MODEL = """import std.neurons.{{EpropLIF, Readout}}
import std.inputs.SpikeSource

network DropHidden {{
  population source = SpikeSource x {inputs}
  population hidden = EpropLIF(tau_mem: 20 ms) x {hidden}
  population output = Readout(tau_mem: 0.01 ms) x {classes}

  connect source -> hidden : dense, delay 0, weight ~ normal(0, 0.3)
  connect hidden -> output : dense, delay 0, weight 0
}}

train DropHidden with eprop {{
  data train = events("hidden_train.npz")
  dt = 1 ms;  timesteps = {steps};  batch = {batch};  epochs = 1;  seed = 5
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = sgd(lr: 0.5)
  dropout(hidden, rate: {rate})
}}
"""
HIDDEN = 8


def hidden_dropout(args, check):
    """(e) dropout on a hidden population: with W_out = 0 the readout's
    gradient counts the hidden spikes it saw (as in (a)); the hidden neurons
    have no recurrence, so their spikes do not depend on dropout, provided
    the neuron itself still fires and resets as usual. `--dropout.hidden 0`
    gives the spike counts N_j; with 0.3 the kept counts are integers <= N_j
    and binomial(N_j, 0.7) (5 sd on the total, chi-square over the 8
    neurons < 40, P ~ 2e-6 for 8 degrees of freedom). A dropped spike that
    also skipped the reset would leave v above threshold and add spikes,
    biasing the fraction upwards."""
    work = os.path.join(args.work, "hidden")
    os.makedirs(work)
    rng = np.random.default_rng(31)
    xs = (rng.random((BATCH_STATS, STEPS, 5)) < 0.3).astype(np.float64)
    write_events(os.path.join(work, "hidden_train.npz"), xs, np.zeros(BATCH_STATS, dtype=np.int64))
    w_in = rng.normal(0.12, 0.1, (HIDDEN, 5))
    np.savez(os.path.join(work, "w.npz"), **{"source->hidden": w_in,
                                             "hidden->output": np.zeros((CLASSES, HIDDEN))})
    # The hidden spike counts without dropout, from eprop_reference's forward
    # pass (Bellec's LIF, v_th 0.6, tau_mem 20 ms, no recurrence).
    net = ref.Net(w_in=w_in, w_rec=np.zeros((HIDDEN, HIDDEN)), w_out=np.zeros((CLASSES, HIDDEN)),
                  alif=False, dt=DT, tau_mem=20e-3, tau_out=1e-5)
    want_total = sum(ref.forward(net, x)["z"].sum(axis=0) for x in xs)
    path = os.path.join(work, "model.snn")
    with open(path, "w") as f:
        f.write(HIDDEN_MODEL.format(inputs=5, hidden=HIDDEN, classes=CLASSES, steps=STEPS,
                                    batch=BATCH_STATS, rate=RATE))
    exe = e2e.compile_model(args.snnc, path, work, "model", ["--precision=double"])

    def counts(extra):
        out = os.path.join(work, "g_%d.npz" % len(os.listdir(work)))
        e2e.run_model(exe, work, ["--weights-in", "w.npz", "--no-shuffle", "--batches", "1",
                                  "--gradients-out", out, "--quiet", *extra])
        return 2.0 * STEPS * e2e.load_npz(out)["hidden->output"][1]

    total = counts(("--dropout.hidden", "0"))
    check.check(np.allclose(total, want_total, rtol=1e-12, atol=0),
                "(e) without dropout the readout saw %s hidden spikes, the reference fires %s"
                % (total.tolist(), want_total.tolist()))
    total = np.round(total)
    if not 0.05 <= total.sum() / (BATCH_STATS * STEPS * HIDDEN) <= 0.5 or total.min() < 20:
        e2e.setup_error("(e) hidden spike counts %s are outside the intended range" % total.tolist())
    kept = counts(("--seed", "2"))
    n = total.sum()
    sd = np.sqrt(KEEP * RATE / n)
    chi2 = float(np.sum((np.round(kept) - KEEP * total) ** 2 / (KEEP * RATE * total)))
    check.check(np.allclose(kept, np.round(kept), rtol=0, atol=1e-9) and np.all(kept <= total + 1e-9),
                "(e) kept hidden spikes %s are not integers <= %s" % (kept.tolist(), total.tolist()))
    check.check(abs(kept.sum() / n - KEEP) <= SIGMAS * sd and chi2 < 40.0,
                "(e) hidden dropout kept %s of %s (fraction %.4f, expected %.2f +- %.4f), chi-square "
                "%.1f (limit 40)" % (np.round(kept).tolist(), total.tolist(), kept.sum() / n, KEEP,
                                     SIGMAS * sd, chi2))
    check.note("(e) hidden: kept %d of %d spikes (%.4f; 5 sd = %.4f), chi-square %.1f"
               % (round(kept.sum()), n, kept.sum() / n, SIGMAS * sd, chi2))


if __name__ == "__main__":
    main()
