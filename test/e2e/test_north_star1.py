#!/usr/bin/python3
"""North star 1's network shape, at small scale, trained end to end.

LANGUAGE.md's headline program (input events -> one recurrent layer of ALIF
neurons with fixed-probability recurrence and no autapses -> leaky
integrator readout, mean readout, cross-entropy, Adam) with 64 input units,
32 hidden neurons, 4 classes and 60 steps, on synthetic event data in the
SHD layout whose classes are distinct rate patterns. Checks that it compiles
and trains: the training loss falls, the accuracies exceed chance, the
metrics file holds one complete line per epoch, the weights written after
training evaluate (`--epochs 0 --weights-in`) to exactly the test accuracy
of the run that wrote them, and the same seed gives the same metrics.
"""
import json
import os

import numpy as np

from e2e_common import Checker, compile_model, parse_args, run_model

MODEL = """
import std.neurons.{ALIF, LeakyIntegrator}
import std.inputs.SpikeSource

network Gesture {
  population input  = SpikeSource x 64
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 2000 ms) x 32
  population output = LeakyIntegrator(tau_mem: 20 ms) x 4

  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.3)
  connect hidden -> hidden : fixed_probability(0.1, autapses: false),
                             weight ~ normal(0, 0.1)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.2)
}

train Gesture with eprop {
  data train = events("gesture_train.npz")
  data test  = events("gesture_test.npz")
  dt = 1 ms;  timesteps = 60;  batch = 16;  epochs = 6
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 1e-2)
}
"""


def events(path, count, rng, patterns, steps=60, dt=1e-3):
    """Poisson spikes of each example's class pattern, SHD layout in NPZ."""
    times, units, offsets, labels = [], [], [0], []
    for e in range(count):
        label = e % len(patterns)
        fire = rng.random((steps, patterns.shape[1])) < patterns[label] * dt
        step, unit = np.nonzero(fire)
        times.extend((step + 0.5) * dt)
        units.extend(unit)
        offsets.append(len(times))
        labels.append(label)
    np.savez(path, times=np.array(times), units=np.array(units, dtype=np.uint32),
             offsets=np.array(offsets, dtype=np.int64), labels=np.array(labels, dtype=np.int64))


def main():
    args = parse_args(__doc__)
    check = Checker("north_star1")
    work = args.work
    rng = np.random.default_rng(4)
    patterns = np.where(rng.random((4, 64)) < 0.25, 150.0, 5.0)  # Hz
    events(os.path.join(work, "gesture_train.npz"), 160, rng, patterns)
    events(os.path.join(work, "gesture_test.npz"), 64, rng, patterns)
    with open(os.path.join(work, "gesture.snn"), "w") as f:
        f.write(MODEL)
    exe = compile_model(args.snnc, os.path.join(work, "gesture.snn"), work, "gesture")

    def train(tag, extra=()):
        metrics = os.path.join(work, tag + ".jsonl")
        proc = run_model(exe, work, ["--metrics", metrics, *extra], timeout=300)
        with open(metrics) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        return proc, lines

    proc, lines = train("run1", ["--weights-out", "trained.npz"])
    check.check(len(lines) == 6, "one metrics line per epoch, got %d" % len(lines))
    for line in lines:
        for key in ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"):
            check.check(key in line and line[key] is not None, "metrics line lacks %s: %s" % (key, line))
    first, last = lines[0], lines[-1]
    check.note("train loss %.4f -> %.4f, test accuracy %.3f -> %.3f" %
               (first["train_loss"], last["train_loss"], first["test_accuracy"], last["test_accuracy"]))
    check.check(last["train_loss"] < 0.8 * first["train_loss"], "the training loss falls by 20 %")
    check.check(last["test_accuracy"] > 0.5, "test accuracy above chance (0.25) by a margin")
    check.check("test accuracy: %.1f %%" % (100 * last["test_accuracy"]) in proc.stdout,
                "the run ends by printing the final test accuracy")
    _, again = train("run2")
    check.check([l["train_loss"] for l in again] == [l["train_loss"] for l in lines],
                "the same seed gives the same losses")
    proc, evaluated = train("eval", ["--epochs", "0", "--weights-in", "trained.npz"])
    check.check(len(evaluated) == 1 and evaluated[0]["test_accuracy"] == last["test_accuracy"],
                "the written weights evaluate to the final test accuracy: %s" % evaluated)
    check.finish()


if __name__ == "__main__":
    main()
