"""e2e: the gradients of a compiled e-prop train model equal the references.

For small random recurrent networks (5 inputs -> 8 hidden -> 3 readouts,
50 steps of 1 ms, batch 4, double precision) the test writes a `.snn` train
file, an events NPZ (SHD layout, each spike at (step + 0.5) dt) and a
weights NPZ, compiles the model with snnc and runs

    ./model --weights-in w.npz --no-shuffle --batches 1 --gradients-out g.npz

once per e-prop strategy (--eprop-strategy=online, and =adjoint for the
readouts it computes: per step, last N, mean and final), compares every
array of g.npz with eprop_reference.py (numpy, float64,
Bellec et al. 2020 as written in docs/training.md) to 1e-5 relative (the
largest difference over the largest reference magnitude). Exactness cases
(no recurrent weights, differentiate_reset = true) also compare with the
surrogate-gradient BPTT gradient of PyTorch autograd. The two strategies
must agree with each other to 1e-12 relative (float64). Every case with
symmetric feedback and a readout BPTT takes (not max, not count) is also
compiled as `train ... with bptt` (every path differentiated, recurrent
terms included) and compared to 1e-12 relative with ref.bptt_gradients
(PyTorch autograd of the same forward pass) and ref.bptt_numpy (the
reverse-time recursion written out in numpy), and, where e-prop is exact
(no recurrent weights, differentiate_reset), with the e-prop gradient; and
once more with `differentiate_reset = false` against ref.bptt_numpy with
the reset detached. Cases (--case NAME,
default all):

  lif_ce_step          LIF, cross-entropy, per-step readout, symmetric feedback, bias
  alif_ce_last_random  ALIF, cross-entropy, last 10 steps, random feedback, bias
  alif_mse_step        ALIF, mean squared error, per-step, symmetric, no bias
  lif_mse_last_reset   LIF, MSE, last 10 steps, random feedback, differentiate_reset
  alif_exact           ALIF, W_rec = 0 (trained), differentiate_reset, CE, per-step:
                       = BPTT exactly
  lif_exact_frozen     LIF, recurrent projection frozen at weight 0,
                       differentiate_reset, MSE, last 10: = BPTT; no gradient
                       array for the frozen projection
  alif_ce_mean         ALIF, CE of the time-averaged readout, bias
  lif_ce_final         LIF, CE of the final readout value, symmetric, bias
  lif_mse_final_random LIF, MSE of the final readout value, random feedback, bias
  alif_ce_max          ALIF, CE of the readout's maximum over time, bias
  lif_ce_max_random    LIF, CE of the maximum, random feedback, differentiate_reset
  alif_ce_count        ALIF, spiking EpropLIF readout, CE of its spike counts
  alif_mse_count_random_reset
                       ALIF, spike counts, MSE, random feedback, differentiate_reset
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402

INPUTS, HIDDEN, CLASSES = 5, 8, 3
STEPS, BATCH, EXAMPLES = 50, 4, 8
DT = 1e-3
TOLERANCE = 1e-5
STRATEGY_TOLERANCE = 1e-12
LAST = 10

# name: (alif, loss, readout, random_feedback, bias, differentiate_reset, recurrent)
# readout: None (per step), N (last N steps), "mean", "final" or "max".
# recurrent: "random" (trained), "zero" (trained, zero weights), "frozen" (frozen at 0).
CASES = {
    "lif_ce_step": (False, ref.CE, None, False, True, False, "random"),
    "alif_ce_last_random": (True, ref.CE, LAST, True, True, False, "random"),
    "alif_mse_step": (True, ref.MSE, None, False, False, False, "random"),
    "lif_mse_last_reset": (False, ref.MSE, LAST, True, False, True, "random"),
    "alif_exact": (True, ref.CE, None, False, True, True, "zero"),
    "lif_exact_frozen": (False, ref.MSE, LAST, False, True, True, "frozen"),
    "alif_ce_mean": (True, ref.CE, "mean", False, True, False, "random"),
    "lif_ce_final": (False, ref.CE, "final", False, True, False, "random"),
    "lif_mse_final_random": (False, ref.MSE, "final", True, True, False, "random"),
    "alif_ce_max": (True, ref.CE, "max", False, True, False, "random"),
    "lif_ce_max_random": (False, ref.CE, "max", True, False, True, "random"),
    "alif_ce_count": (True, ref.CE, "count", False, False, False, "random"),
    "alif_mse_count_random_reset": (True, ref.MSE, "count", True, False, True, "random"),
}

HIDDEN_PARAMS = dict(tau_mem=20e-3, tau_adapt=100e-3, tau_out=15e-3, v_th=0.6, gamma=0.3)
ALIF_BETA = 0.2


def model_text(alif, loss, last_steps, random_feedback, bias, reset, recurrent):
    p = HIDDEN_PARAMS
    if alif:
        hidden = ("ALIF(tau_mem: %g ms, tau_adapt: %g ms, v_th: %g, beta: %g, gamma: %g)"
                  % (p["tau_mem"] * 1e3, p["tau_adapt"] * 1e3, p["v_th"], ALIF_BETA, p["gamma"]))
    else:
        hidden = "EpropLIF(tau_mem: %g ms, v_th: %g, gamma: %g)" % (p["tau_mem"] * 1e3, p["v_th"], p["gamma"])
    if recurrent == "frozen":
        rec = "fixed_probability(1.0, autapses: false), frozen, weight 0"
    else:
        rec = "fixed_probability(1.0, autapses: false), weight ~ normal(0, 0.1)"
    output = "Readout(tau_mem: %g ms)" % (p["tau_out"] * 1e3)
    if last_steps is None:
        readout = "output.v"
    elif last_steps == "count":
        readout = "spike_count(output)"
        output = "EpropLIF(tau_mem: %g ms, v_th: %g, gamma: %g)" % (p["tau_out"] * 1e3, p["v_th"], p["gamma"])
    elif isinstance(last_steps, str):
        readout = "%s(output.v)" % last_steps
    else:
        readout = "last(output.v, steps: %d)" % last_steps
    lines = [
        "import std.neurons.{%s}" % ("ALIF, EpropLIF, Readout" if alif else "EpropLIF, Readout"),
        "import std.inputs.SpikeSource",
        "",
        "network Small {",
        "  population input  = SpikeSource x %d" % INPUTS,
        "  population hidden = %s x %d" % (hidden, HIDDEN),
        "  population output = %s x %d" % (output, CLASSES),
        "",
        "  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.3)",
        "  connect hidden -> hidden : " + rec,
        "  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.1)",
        "}",
        "",
        "train Small with eprop {",
        '  data train = events("data.npz")',
        "  dt = 1 ms;  timesteps = %d;  batch = %d;  epochs = 1;  seed = 3" % (STEPS, BATCH),
        "  readout = " + readout,
        "  loss = " + loss,
        "  optimizer = sgd(lr: 0.01)",
    ]
    if bias:
        lines.append("  readout_bias = true")
    if random_feedback:
        lines.append("  feedback = random")
    if reset:
        lines.append("  differentiate_reset = true")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_events(path, xs, labels):
    """Spike rasters [E, T, I] as an SHD-layout events NPZ, spikes at (step + 0.5) dt."""
    times, units, offsets = [], [], [0]
    for x in xs:
        steps, ids = np.nonzero(x)  # row-major: by step, then unit
        times.append((steps + 0.5) * DT)
        units.append(ids)
        offsets.append(offsets[-1] + steps.size)
    np.savez(path, times=np.concatenate(times).astype(np.float64),
             units=np.concatenate(units).astype(np.int64),
             offsets=np.array(offsets, dtype=np.int64), labels=np.asarray(labels, dtype=np.int64))


def snnc_names(net, recurrent):
    """Reference gradient name -> array name in the weight and gradient files."""
    names = {"w_in": "input->hidden", "w_out": "hidden->output"}
    if recurrent != "frozen":
        names["w_rec"] = "hidden->hidden"
    if net.bias is not None:
        names["bias"] = "output.bias"
    return names


def compare(checker, label, got, want, tol=TOLERANCE):
    err = ref.relative_error(got, want)
    ok = checker.check(np.shape(got) == np.shape(want),
                       "%s: shape %s, expected %s" % (label, np.shape(got), np.shape(want)))
    if ok:
        checker.check(err <= tol, "%s: relative error %.3g > %g; %s"
                      % (label, err, tol, ref.worst_entry(np.asarray(got), np.asarray(want))))
    return err


def run_case(args, checker, name):
    alif, loss, last, random_feedback, bias, reset, recurrent = CASES[name]
    work = os.path.join(args.work, name)
    os.makedirs(work)
    rng = np.random.default_rng(list(CASES).index(name) + 17)
    net = ref.random_net(rng, INPUTS, HIDDEN, CLASSES, alif=alif, bias=bias,
                         random_feedback=random_feedback, zero_recurrent=recurrent != "random",
                         beta=ALIF_BETA if alif else 0.0, dt=DT, **HIDDEN_PARAMS)
    if last == "count":
        net.w_out = 4.0 * net.w_out  # so that the spiking readout fires
    xs = ref.random_inputs(rng, EXAMPLES, STEPS, INPUTS, 0.2)
    labels = rng.integers(0, CLASSES, EXAMPLES)
    aggregate = last if isinstance(last, str) else None
    regime = ref.Regime(loss=loss, last_steps=None if aggregate else last, aggregate=aggregate,
                        differentiate_reset=reset)
    want, want_loss, traces = ref.eprop_gradients(net, regime, xs[:BATCH], labels[:BATCH])
    rate = np.mean([tr["z"].mean() for tr in traces])
    if last == "count":
        out_rate = np.mean([tr["z_out"].mean() for tr in traces])
        if not 0.01 <= out_rate <= 0.5:
            e2e.setup_error("%s: the reference's readout firing probability is %.3f per step" % (name, out_rate))
    if not 0.02 <= rate <= 0.5:
        e2e.setup_error("%s: the reference's hidden firing probability is %.3f per step" % (name, rate))

    names = snnc_names(net, recurrent)
    weights = {names["w_in"]: net.w_in, names["w_out"]: net.w_out}
    if "w_rec" in names:
        weights[names["w_rec"]] = net.w_rec
    if bias:
        weights[names["bias"]] = net.bias
    if random_feedback:
        weights["hidden.feedback"] = net.feedback
    np.savez(os.path.join(work, "w.npz"), **weights)
    write_events(os.path.join(work, "data.npz"), xs, labels)
    model = os.path.join(work, "model.snn")
    with open(model, "w") as f:
        f.write(model_text(alif, loss, last, random_feedback, bias, reset, recurrent))

    got = {}
    strategies = ["online"] + (["adjoint"] if last not in ("max", "count") else [])
    for strategy in strategies:
        got[strategy] = gradients_of(args, checker, name, work, model, strategy)
        if got[strategy] is None:
            return
    expected = set(names.values())
    for strategy, arrays in got.items():
        extra = set(arrays) - expected - {"hidden.feedback", "loss"}
        checker.check(not extra, "%s (%s): g.npz has unexpected arrays %s" % (name, strategy, sorted(extra)))
        # The loss of each example, whose sum the gradient belongs to.
        got_loss = float(np.sum(arrays["loss"])) if "loss" in arrays else float("nan")
        checker.check(abs(got_loss - want_loss) <= 1e-12 * max(1.0, abs(want_loss)),
                      "%s (%s): g.npz's loss sums to %.17g, the reference's is %.17g"
                      % (name, strategy, got_loss, want_loss))
        checker.check(expected <= set(arrays), "%s (%s): g.npz lacks %s (has %s)"
                      % (name, strategy, sorted(expected - set(arrays)), sorted(arrays)))
    worst_strategies = 0.0
    if "adjoint" in got:
        for array in names.values():
            if array in got["online"] and array in got["adjoint"]:
                worst_strategies = max(worst_strategies, compare(
                    checker, "%s: %s adjoint vs online" % (name, array), got["adjoint"][array],
                    got["online"][array], STRATEGY_TOLERANCE))
    for strategy, arrays in got.items():
        check_against_references(checker, name, strategy, arrays, names, want, net, regime, xs, labels,
                                 recurrent, rate, worst_strategies if strategy == "adjoint" else None)
    if not random_feedback and last not in ("max", "count"):
        # Without recurrent weights and with every path differentiated,
        # e-prop is exact: BPTT must equal it.
        exact = got["online"] if recurrent != "random" and reset else None
        check_bptt(args, checker, name, work, model, names, net, regime, xs, labels, exact)


def check_bptt(args, checker, name, work, model, names, net, regime, xs, labels, eprop):
    """`train ... with bptt` (every path differentiated) against PyTorch
    autograd and the numpy BPTT, and against the e-prop gradient `eprop`
    where that is exact; then with `differentiate_reset = false` against
    the numpy BPTT with the reset detached."""
    with open(model) as f:
        text = f.read().replace("with eprop", "with bptt")
    bptt_model = os.path.join(work, "model_bptt.snn")
    with open(bptt_model, "w") as out:
        out.write(text)
    got = gradients_of(args, checker, name, work, bptt_model, "bptt")
    if got is None:
        return
    want, _ = ref.bptt_gradients(net, regime, xs[:BATCH], labels[:BATCH])
    numpy_bptt, _ = ref.bptt_numpy(net, regime, xs[:BATCH], labels[:BATCH])
    worst = worst_np = 0.0
    for key, array in names.items():
        if checker.check(array in got, "%s (bptt): g.npz lacks %s" % (name, array)):
            worst = max(worst, compare(checker, "%s (bptt): %s vs autograd BPTT" % (name, array),
                                       got[array], want[key], STRATEGY_TOLERANCE))
            worst_np = max(worst_np, compare(checker, "%s (bptt): %s vs numpy BPTT" % (name, array),
                                             got[array], numpy_bptt[key], STRATEGY_TOLERANCE))
    line = "%s (bptt): worst relative error vs autograd BPTT %.2g, vs numpy BPTT %.2g" % (name, worst, worst_np)
    detached_model = os.path.join(work, "model_bptt_detached.snn")
    with open(detached_model, "w") as out:
        out.write(text.replace("differentiate_reset = true\n", "").rstrip().rstrip("}")
                  + "  differentiate_reset = false\n}\n")
    detached = gradients_of(args, checker, name, work, detached_model, "bptt_detached")
    if detached is not None:
        want_detached, _ = ref.bptt_numpy(net, regime, xs[:BATCH], labels[:BATCH], detach_reset=True)
        worst_d = 0.0
        for key, array in names.items():
            if array in detached:
                worst_d = max(worst_d, compare(checker, "%s (bptt, reset detached): %s vs numpy" % (name, array),
                                               detached[array], want_detached[key], STRATEGY_TOLERANCE))
        line += ", reset detached vs numpy %.2g" % worst_d
    if eprop is not None:
        worst_e = 0.0
        for array in names.values():
            if array in got and array in eprop:
                worst_e = max(worst_e, compare(checker, "%s (bptt): %s vs e-prop (exact here)" % (name, array),
                                               got[array], eprop[array], STRATEGY_TOLERANCE))
        line += ", vs e-prop %.2g" % worst_e
    checker.note(line)


def gradients_of(args, checker, name, work, model, strategy):
    """Compiles `model` with --eprop-strategy=`strategy` (for "bptt": the
    cost model's choice, which BPTT fixes); the arrays of its g.npz, or None."""
    exe = os.path.join(work, "model_" + strategy)
    flags = [] if strategy.startswith("bptt") else ["--eprop-strategy=" + strategy]
    proc = e2e.run_process([args.snnc, "--precision=double", *flags, model, "-o", exe],
                           cwd=work, timeout=180)
    if not checker.check(proc.returncode == 0 and os.path.isfile(exe),
                         "%s: snnc rejected the e-prop train model %s with the %s strategy (exit %d):\n%s%s"
                         % (name, model, strategy, proc.returncode, proc.stdout, proc.stderr)):
        return None
    gpath = os.path.join(work, "g_%s.npz" % strategy)
    proc = e2e.run_process([exe, "--weights-in", "w.npz", "--no-shuffle", "--batches", "1",
                            "--gradients-out", gpath, "--quiet"], cwd=work, timeout=120)
    if not checker.check(proc.returncode == 0 and os.path.isfile(gpath),
                         "%s: the %s model failed to write its gradients (exit %d):\n%s%s"
                         % (name, strategy, proc.returncode, proc.stdout, proc.stderr)):
        return None
    return e2e.load_npz(gpath)


def check_against_references(checker, name, strategy, got, names, want, net, regime, xs, labels, recurrent, rate,
                             vs_online):
    """Compares one strategy's gradients with the numpy reference (and with autograd BPTT where exact)."""
    label = "%s (%s)" % (name, strategy)
    worst = 0.0
    for key, array in names.items():
        if array in got:
            checker.check(got[array].dtype == np.float64, "%s: %s is %s, not float64"
                          % (label, array, got[array].dtype))
            worst = max(worst, compare(checker, "%s: %s vs reference" % (label, array), got[array], want[key]))
    line = "%s: hidden firing %.3f per step, worst relative error vs reference %.2g" % (label, rate, worst)
    if vs_online is not None:
        line += ", vs online %.2g" % vs_online

    if recurrent != "random":
        bptt, _ = ref.bptt_gradients(net, regime, xs[:BATCH], labels[:BATCH])
        worst_t = 0.0
        for key, array in names.items():
            compare(checker, "%s: reference %s vs autograd" % (label, key), want[key], bptt[key], 1e-9)
            if array in got:
                worst_t = max(worst_t, compare(checker, "%s: %s vs autograd BPTT" % (label, array),
                                               got[array], bptt[key]))
        line += ", vs autograd BPTT %.2g" % worst_t
    checker.note(line)


def main():
    def extra(parser):
        parser.add_argument("--case", action="append", choices=sorted(CASES),
                            help="run only this case (repeatable; default: all)")

    args = e2e.parse_args(__doc__, extra)
    checker = e2e.Checker("eprop_gradients")
    if not os.path.isfile(args.snnc):
        e2e.setup_error("no snnc at " + args.snnc)
    for name in args.case or list(CASES):
        run_case(args, checker, name)
    checker.finish()


if __name__ == "__main__":
    main()
