#!/usr/bin/python3
"""e2e: learning-rate schedules, warm-up, reduce_on_plateau and early
stopping against numpy replays of docs/training.md ("Learning-rate
schedules", "Early stopping").

A tiny train model (6 inputs -> 5 ALIF -> 3 Readout, 12 latency-encoded
examples, double precision) is compiled once per workflow configuration.
Its metrics file (`--metrics m.jsonl`) records every epoch's `lr`, the rate
of the epoch's last batch; the reference computes that rate from the
documented formulas:

  step, exponential, power, cosine     per epoch (t = completed epochs = epoch - 1)
  exponential every N batches          3 batches per epoch: t = 3 epoch - 1 steps
  warm-up in epochs / in batches       times min(1, (u + 1) / W), with a schedule
  reduce_on_plateau(validation_loss)   Keras's ReduceLROnPlateau replayed over the
                                       recorded validation losses predicts the next
                                       epoch's lr (at least one reduction happens);
                                       `--schedule-factor` changes it as predicted
  early_stopping(validation_loss, patience: 2)
                                       the replay predicts the epoch after which the
                                       run stops (the metrics end there); `--patience`
                                       and `--min-delta` change it as predicted;
                                       with restore_best the final weights equal,
                                       bit for bit, those of a run with --epochs
                                       BEST (same seed, --restore-best false), and
                                       --restore-best false ends with other weights
"""
import json
import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

EXAMPLES, INPUTS, HIDDEN, CLASSES = 12, 6, 5, 3
LR_TOLERANCE = 1e-12
LR0 = 0.1

MODEL = """import std.neurons.{{ALIF, Readout}}
import std.inputs.SpikeSource

network Small {{
  population input  = SpikeSource x {inputs}
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 100 ms, v_th: 0.3, beta: 0.1) x {hidden}
  population output = Readout(tau_mem: 15 ms) x {classes}
  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.8)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.3)
}}

train Small with eprop {{
  data train = dense("data.npz", encode: latency(max: 1))
  dt = 1 ms;  timesteps = 20;  batch = {batch};  epochs = {epochs};  seed = 7
  readout = output.v
  readout_bias = true
  loss = sparse_categorical_crossentropy
{workflow}
}}
"""


# ---------------------------------------------------------------- references

def scheduled(kind, p, t):
    """The schedule's rate after t completed periods (docs/training.md)."""
    if kind == "step":
        return LR0 * p["factor"] ** math.floor(t / p["every"])
    if kind == "exponential":
        return LR0 * p["factor"] ** (t / p["every"])
    if kind == "power":
        return LR0 / (1.0 + t / p["every"]) ** p["power"]
    if kind == "cosine":
        n = p["over"]
        return p["min_lr"] + (LR0 - p["min_lr"]) * (1.0 + math.cos(math.pi * min(t, n) / n)) / 2.0
    if kind == "constant":
        return LR0
    raise ValueError(kind)


def expected_lrs(case, epochs):
    """The lr of each epoch's last batch, epochs 1..epochs."""
    batches = case.get("batches", 1)
    out = []
    for epoch in range(1, epochs + 1):
        done_epochs = epoch - 1
        done_steps = batches * epoch - 1  # before the epoch's last batch
        t = done_steps if case.get("unit") == "batches" else done_epochs
        lr = scheduled(case["kind"], case.get("params", {}), t)
        if "warmup" in case:
            w, unit = case["warmup"]
            u = done_steps if unit == "batches" else done_epochs
            lr *= min(1.0, (u + 1) / w)
        out.append(lr)
    return out


class KerasPlateau:
    """Keras's ReduceLROnPlateau (mode min), one call per epoch end."""

    def __init__(self, lr, factor, patience, min_delta, cooldown, min_lr):
        self.lr, self.factor, self.patience = lr, factor, patience
        self.min_delta, self.cooldown, self.min_lr = min_delta, cooldown, min_lr
        self.best, self.wait, self.cooldown_counter = math.inf, 0, 0
        self.reductions = self.improvements = 0

    def epoch_end(self, current):
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if current < self.best - self.min_delta:
            self.best = current
            self.wait = 0
            self.improvements += 1
        elif not self.cooldown_counter > 0:
            self.wait += 1
            if self.wait >= self.patience:
                if self.lr > self.min_lr:
                    self.lr = max(self.lr * self.factor, self.min_lr)
                    self.reductions += 1
                    self.cooldown_counter = self.cooldown
                    self.wait = 0
        return self.lr


def early_stop_epoch(values, patience, min_delta=0.0, lower_is_better=True):
    """(epoch after which the run stops or None, best epoch) for the metric
    values of epochs 1, 2, ...; best starts at +inf (losses) or -inf."""
    best, wait, best_epoch = (math.inf if lower_is_better else -math.inf), 0, 0
    for epoch, v in enumerate(values, start=1):
        better = v < best - min_delta if lower_is_better else v > best + min_delta
        if better:
            best, wait, best_epoch = v, 0, epoch
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return None, best_epoch


# ---------------------------------------------------------------- harness

def write_inputs(work):
    rng = np.random.default_rng(23)
    x = rng.uniform(0.1, 1.0, (EXAMPLES, INPUTS))
    y = rng.integers(0, CLASSES, EXAMPLES)
    np.savez(os.path.join(work, "data.npz"), x=x, y=y)


def build(args, name, workflow, batch=EXAMPLES, epochs=8):
    work = os.path.join(args.work, name)
    os.makedirs(work)
    write_inputs(work)
    path = os.path.join(work, "model.snn")
    with open(path, "w") as f:
        f.write(MODEL.format(inputs=INPUTS, hidden=HIDDEN, classes=CLASSES, batch=batch, epochs=epochs,
                             workflow="\n".join("  " + line for line in workflow)))
    return e2e.compile_model(args.snnc, path, work, "model", ["--precision=double"]), work


def train(exe, work, tag, extra=(), quiet=True):
    metrics = os.path.join(work, tag + ".jsonl")
    proc = e2e.run_model(exe, work, (["--quiet"] if quiet else []) + ["--metrics", metrics] + list(extra))
    if not os.path.isfile(metrics):
        e2e.setup_error("%s: no metrics file" % tag)
    with open(metrics) as f:
        return proc, [json.loads(line) for line in f if line.strip()]


def compare_lrs(checker, label, lines, want):
    got = [line.get("lr") for line in lines]
    if not checker.check(len(got) == len(want), "%s: %d metrics lines, expected %d" % (label, len(got), len(want))):
        return
    bad = [(i + 1, g, w) for i, (g, w) in enumerate(zip(got, want))
           if g is None or abs(g - w) > LR_TOLERANCE * abs(w)]
    checker.check(not bad, "%s: lr differs at (epoch, got, expected) %s\n    got %s\n    expected %s"
                  % (label, bad[:4], got, want))
    checker.note("%-28s lr %s" % (label, " ".join("%.6g" % g for g in got if g is not None)))


SCHEDULES = [
    # name, regime lines, reference case, extra run options
    ("step", ["optimizer = sgd(lr: 0.1)", "schedule = step(factor: 0.5, every: 3 epochs)"],
     {"kind": "step", "params": {"factor": 0.5, "every": 3}}, []),
    ("exponential", ["optimizer = sgd(lr: 0.1)", "schedule = exponential(factor: 0.3, every: 2 epochs)"],
     {"kind": "exponential", "params": {"factor": 0.3, "every": 2}}, []),
    ("power", ["optimizer = sgd(lr: 0.1)", "schedule = power(power: 1.5, every: 3 epochs)"],
     {"kind": "power", "params": {"power": 1.5, "every": 3}}, []),
    ("cosine", ["optimizer = adam(lr: 0.1)", "schedule = cosine(over: 5 epochs, min_lr: 0.01)"],
     {"kind": "cosine", "params": {"over": 5, "min_lr": 0.01}}, []),
    ("exponential_batches", ["optimizer = sgd(lr: 0.1)", "schedule = exponential(factor: 0.5, every: 4 batches)"],
     {"kind": "exponential", "params": {"factor": 0.5, "every": 4}, "unit": "batches", "batches": 3},
     ["--batches", "3"]),
    ("warmup_epochs_step", ["optimizer = sgd(lr: 0.1)", "schedule = step(factor: 0.5, every: 2 epochs)",
                            "warmup = 3 epochs"],
     {"kind": "step", "params": {"factor": 0.5, "every": 2}, "warmup": (3, "epochs")}, []),
    ("warmup_batches_exponential", ["optimizer = sgd(lr: 0.1)",
                                    "schedule = exponential(factor: 0.5, every: 2 epochs)",
                                    "warmup = 7 batches"],
     {"kind": "exponential", "params": {"factor": 0.5, "every": 2}, "warmup": (7, "batches"), "batches": 3},
     ["--batches", "3"]),
    ("step_schedule_factor_override", ["optimizer = sgd(lr: 0.1)", "schedule = step(factor: 0.5, every: 3 epochs)"],
     {"kind": "step", "params": {"factor": 0.25, "every": 3}}, ["--schedule-factor", "0.25"]),
]

EPOCHS = 8
PLATEAU_EPOCHS = 16


def check_schedules(args, checker):
    for name, workflow, case, extra in SCHEDULES:
        batch = 4 if case.get("batches", 1) > 1 else EXAMPLES
        exe, work = build(args, name, workflow, batch=batch)
        _, lines = train(exe, work, "m", ["--epochs", str(EPOCHS)] + extra)
        compare_lrs(checker, name, lines, expected_lrs(case, EPOCHS))


def check_plateau(args, checker):
    factor, patience, min_delta, cooldown, min_lr = 0.5, 2, 0.03, 2, 0.0015
    workflow = ["optimizer = adam(lr: 0.01)", "validation_split = 0.25",
                "schedule = reduce_on_plateau(monitor: validation_loss, factor: %g, patience: %d, "
                "min_delta: %g, cooldown: %d, min_lr: %g)" % (factor, patience, min_delta, cooldown, min_lr)]
    exe, work = build(args, "plateau", workflow, batch=3, epochs=PLATEAU_EPOCHS)
    for tag, f_used, extra in (("m", factor, []), ("m_factor", 0.3, ["--schedule-factor", "0.3"])):
        _, lines = train(exe, work, tag, extra)
        if not checker.check(len(lines) == PLATEAU_EPOCHS and all(l.get("validation_loss") is not None for l in lines),
                             "plateau %s: expected %d metrics lines with validation_loss" % (tag, PLATEAU_EPOCHS)):
            continue
        ref = KerasPlateau(0.01, f_used, patience, min_delta, cooldown, min_lr)
        want = [0.01]
        for line in lines[:-1]:
            want.append(ref.epoch_end(line["validation_loss"]))
        compare_lrs(checker, "plateau " + tag, lines, want)
        checker.note("  validation_loss %s" % " ".join("%.4f" % l["validation_loss"] for l in lines))
        checker.check(ref.reductions >= 2 and ref.improvements >= 3,
                      "plateau %s: the replay reduced the rate %d times and saw %d improvements (test setup)"
                      % (tag, ref.reductions, ref.improvements))


def check_early_stopping(args, checker):
    max_epochs = 20
    workflow = ["optimizer = adam(lr: 0.005)", "validation_split = 0.25",
                "early_stopping(monitor: validation_loss, patience: 2, restore_best: true)"]
    exe, work = build(args, "early_stopping", workflow, batch=3, epochs=max_epochs)
    runs = (("m", 2, 0.0, []), ("m_patience", 4, 0.0, ["--patience", "4"]),
            ("m_min_delta", 2, 0.12, ["--min-delta", "0.12"]))
    for tag, patience, min_delta, extra in runs:
        weights = os.path.join(work, tag + "_final.npz")
        proc, lines = train(exe, work, tag, ["--weights-out", weights] + extra, quiet=False)
        # A run that stops early has fewer lines; replay its recorded losses.
        values = [l.get("validation_loss") for l in lines]
        if not checker.check(lines and None not in values, "early stopping %s: validation losses %s" % (tag, values)):
            continue
        stop, best = early_stop_epoch(values, patience, min_delta)
        # The replay over the recorded prefix must stop exactly at the last line.
        checker.check(stop is not None, "early stopping %s (patience %d): the run went on for %d epochs, the "
                      "replay does not stop (test setup: %s)" % (tag, patience, len(lines), values))
        checker.check(stop is None or stop == len(lines),
                      "early stopping %s (patience %d): the metrics end after epoch %d, the replay stops after "
                      "epoch %s" % (tag, patience, len(lines), stop))
        checker.check(stop is None or stop < max_epochs,
                      "early stopping %s: no early stop before %d epochs (test setup)" % (tag, max_epochs))
        checker.note("early stopping %-10s stops after epoch %d (replay %s), best epoch %d; val %s"
                     % (tag, len(lines), stop, best, " ".join("%.4f" % v for v in values)))
        checker.check("best epoch: %d " % best in proc.stdout,
                      "early stopping %s: the summary does not name best epoch %d:\n%s" % (tag, best, proc.stdout))
        checker.check(best > 1, "early stopping %s: the best epoch is the first (test setup)" % tag)
        checker.check(best < len(lines), "early stopping %s: best epoch %d is the last (test setup)" % (tag, best))
        if best >= 1:
            again = os.path.join(work, tag + "_best.npz")
            e2e.run_model(exe, work, ["--quiet", "--epochs", str(best), "--restore-best", "false",
                                      "--weights-out", again] + extra)
            a, b = e2e.load_npz(weights), e2e.load_npz(again)
            same = sorted(a) == sorted(b) and all(np.array_equal(a[n], b[n]) for n in a)
            checker.check(same, "early stopping %s: restore_best weights differ from a run with --epochs %d"
                          % (tag, best))
            # Without restore_best the same run ends with its last epoch's weights.
            last = os.path.join(work, tag + "_last.npz")
            _, again_lines = train(exe, work, tag + "_last", ["--restore-best", "false", "--weights-out", last] + extra)
            c = e2e.load_npz(last)
            checker.check(len(again_lines) == len(lines) and any(not np.array_equal(a[n], c[n]) for n in a),
                          "early stopping %s: --restore-best false stops after %d epochs (expected %d) or ends "
                          "with the best weights" % (tag, len(again_lines), len(lines)))


def main():
    args = e2e.parse_args(__doc__, lambda p: p.add_argument("--part", default="all",
                                                           choices=["all", "schedules", "plateau", "early"]))
    checker = e2e.Checker("workflow_schedules")
    if args.part in ("all", "schedules"):
        check_schedules(args, checker)
    if args.part in ("all", "plateau"):
        check_plateau(args, checker)
    if args.part in ("all", "early"):
        check_early_stopping(args, checker)
    checker.finish()


if __name__ == "__main__":
    main()
