"""e2e: the firing-rate regulariser's gradient equals the numpy reference.

docs/training.md, "Regularising spikes": with
`regularize firing_rate(hidden, target: 20 Hz, strength: 0.5, tau: 30 ms)`
every step each trained projection into `hidden` adds
S (f_j[t] - R dt) e_ji[t] to its gradient, f the neuron's filtered rate
(f[t] = a f[t-1] + (1 - a) z[t], a = exp(-dt / tau), from 0 at a fresh
start) and e the unfiltered eligibility trace. rate_reference.py writes
that out in numpy on top of eprop_reference.py.

For small random recurrent networks (5 inputs -> 8 hidden -> 3 readouts,
50 steps, batch 4, double precision) the test compiles the model and runs

    ./model --weights-in w.npz --no-shuffle --batches 1 --gradients-out g.npz

once per e-prop strategy (--eprop-strategy=online and adjoint) and
checks, per case and strategy:
  * g.npz == reference (e-prop + rate term) to 1e-9 relative (largest
    difference over the largest reference magnitude) for every array;
  * the term matters: the reference with and without it differ by more
    than 10 % relative on both hidden projections (a strength of 0.5 makes
    the term dominate), and so does g.npz from the unregularised gradient;
  * `--rate-strength.hidden 0` gives the unregularised reference gradient
    (1e-9), and the readout gradients are untouched by the term.

Cases (--case NAME, default all):
  alif_ce_step   ALIF, cross-entropy, per-step readout `output.v`, bias
  lif_ce_mean    LIF, cross-entropy of `mean(output.v)`, random feedback
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402
import rate_reference as rate  # noqa: E402
import test_eprop_gradients as eg  # noqa: E402  (model text, events and weight files)

TOLERANCE = 1e-9
TARGET_HZ, STRENGTH, TAU = 20.0, 0.5, 30e-3
REGULARIZER = "  regularize firing_rate(hidden, target: 20 Hz, strength: 0.5, tau: 30 ms)"

# name: (alif, loss, readout, random_feedback, bias, differentiate_reset, recurrent)
CASES = {
    "alif_ce_step": (True, ref.CE, None, False, True, False, "random"),
    "lif_ce_mean": (False, ref.CE, "mean", True, False, False, "random"),
}


def run_case(args, checker, name):
    alif, loss, last, random_feedback, bias, reset, recurrent = CASES[name]
    work = os.path.join(args.work, name)
    os.makedirs(work)
    rng = np.random.default_rng(list(CASES).index(name) + 41)
    net = ref.random_net(rng, eg.INPUTS, eg.HIDDEN, eg.CLASSES, alif=alif, bias=bias,
                         random_feedback=random_feedback, zero_recurrent=False,
                         beta=eg.ALIF_BETA if alif else 0.0, dt=eg.DT, **eg.HIDDEN_PARAMS)
    xs = ref.random_inputs(rng, eg.EXAMPLES, eg.STEPS, eg.INPUTS, 0.2)
    labels = rng.integers(0, eg.CLASSES, eg.EXAMPLES)
    aggregate = last if isinstance(last, str) else None
    regime = ref.Regime(loss=loss, last_steps=None if aggregate else last, aggregate=aggregate,
                        differentiate_reset=reset)
    batch_x, batch_y = xs[:eg.BATCH], labels[:eg.BATCH]
    want, plain, _, traces = rate.regularized_gradients(net, regime, batch_x, batch_y,
                                                        TARGET_HZ, STRENGTH, TAU)
    firing = np.mean([tr["z"].mean() for tr in traces])
    if not 0.02 <= firing <= 0.5:
        e2e.setup_error("%s: the reference's hidden firing probability is %.3f per step" % (name, firing))

    names = eg.snnc_names(net, recurrent)
    weights = {names["w_in"]: net.w_in, names["w_out"]: net.w_out, names["w_rec"]: net.w_rec}
    if bias:
        weights[names["bias"]] = net.bias
    if random_feedback:
        weights["hidden.feedback"] = net.feedback
    np.savez(os.path.join(work, "w.npz"), **weights)
    eg.write_events(os.path.join(work, "data.npz"), xs, labels)
    text = eg.model_text(alif, loss, last, random_feedback, bias, reset, recurrent)
    text = text.rstrip().rstrip("}") + REGULARIZER + "\n}\n"
    model = os.path.join(work, "model.snn")
    with open(model, "w") as f:
        f.write(text)

    # The term must matter, or the comparison below could not tell.
    for key in ("w_in", "w_rec"):
        change = ref.relative_error(plain[key], want[key])
        checker.check(change > 0.1, "%s: the rate term changes the reference %s by only %.3g "
                      "relative; the test would not see it" % (name, key, change))
    for key in ("w_out", "bias"):
        if key in plain:
            checker.check(np.array_equal(plain[key], want[key]), "%s: reference %s changed" % (name, key))

    for strategy in ("online", "adjoint"):
        check_strategy(args, checker, name, work, model, strategy, names, want, plain, firing)


def check_strategy(args, checker, name, work, model, strategy, names, want, plain, firing):
    """Compiles `model` with --eprop-strategy=`strategy` and checks its gradients."""
    exe = os.path.join(work, "model_" + strategy)
    proc = e2e.run_process([args.snnc, "--precision=double", "--eprop-strategy=" + strategy, model, "-o", exe],
                           cwd=work, timeout=180)
    if not checker.check(proc.returncode == 0 and os.path.isfile(exe),
                         "%s (%s): snnc rejected the model %s (exit %d):\n%s%s"
                         % (name, strategy, model, proc.returncode, proc.stdout, proc.stderr)):
        return
    name = "%s (%s)" % (name, strategy)

    def gradients(tag, extra=()):
        out = tag + "_" + strategy + ".npz"
        proc = e2e.run_process([exe, "--weights-in", "w.npz", "--no-shuffle", "--batches", "1",
                                "--gradients-out", out, "--quiet", *extra], cwd=work, timeout=120)
        if not checker.check(proc.returncode == 0 and os.path.isfile(os.path.join(work, out)),
                             "%s: %s: the model failed to write its gradients (exit %d):\n%s%s"
                             % (name, tag, proc.returncode, proc.stdout, proc.stderr)):
            return None
        got = e2e.load_npz(os.path.join(work, out))
        missing = set(names.values()) - set(got)
        checker.check(not missing, "%s: %s lacks %s (has %s)" % (name, out, sorted(missing), sorted(got)))
        return got

    worst = {}
    for tag, extra, reference in (("regularized", (), want),
                                  ("strength0", ("--rate-strength.hidden", "0"), plain)):
        got = gradients(tag, extra)
        if got is None:
            continue
        worst[tag] = 0.0
        for key, array in names.items():
            if array not in got:
                continue
            err = eg.compare(checker, "%s: %s %s vs reference" % (name, tag, array),
                             got[array], reference[key], TOLERANCE)
            worst[tag] = max(worst[tag], err)
        if tag == "regularized":
            for key in ("w_in", "w_rec"):
                if names[key] in got:
                    off = ref.relative_error(got[names[key]], plain[key])
                    checker.check(off > 0.1, "%s: %s differs from the unregularised gradient by "
                                  "only %.3g relative" % (name, names[key], off))
    checker.note("%s: hidden firing %.3f per step; worst relative error: %s"
                 % (name, firing, ", ".join("%s %.2g" % kv for kv in worst.items())))


def main():
    def extra(parser):
        parser.add_argument("--case", action="append", choices=sorted(CASES),
                            help="run only this case (repeatable; default: all)")

    args = e2e.parse_args(__doc__, extra)
    checker = e2e.Checker("rate_regularizer")
    if not os.path.isfile(args.snnc):
        e2e.setup_error("no snnc at " + args.snnc)
    for name in args.case or list(CASES):
        run_case(args, checker, name)
    checker.finish()


if __name__ == "__main__":
    main()
