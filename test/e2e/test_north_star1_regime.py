#!/usr/bin/python3
"""North star 1 as written: LANGUAGE.md's regime block, verbatim, compiles and trains.

The network is North star 1's (2048 event inputs, 512 recurrent ALIF
neurons with 10 % recurrence and no autapses, 11 leaky-integrator outputs;
`SpikeSource x 2048` is how the language writes its input population), and
the `train` block is copied character for character from
../shared/design/LANGUAGE.md: events from HDF5 files, 1500 steps, batch 512,
100 epochs, mean readout, cross-entropy, Adam, an exponential schedule
every 50 epochs, firing-rate regularisation, gradient clipping, early
stopping on the test accuracy, checkpoints every epoch and a recording of
example 1000. The test writes small HDF5 data sets in the SHD layout and
trains with command-line overrides that keep it short (2 epochs of one
batch of 4 examples); it checks:
- the compiler accepts the block and warns (once) that early stopping
  monitors the test set;
- `--help` lists the workflow's hyperparameters with the block's values;
- the run trains (finite losses, one metrics line per epoch with the
  learning rate of the schedule: 1e-3 * 0.1^((epoch - 1) / 50));
- a checkpoint appears in ckpt/, and a resumed third epoch continues from it;
- the file of `record ... on example 1000` is written with its arrays.
"""
import json
import os
import re

import numpy as np

from e2e_common import Checker, parse_args, run_model, run_process

REGIME = """train Gesture with eprop {
  data train = events("gesture_train.h5")
  data test  = events("gesture_test.h5")
  dt = 1 ms;  timesteps = 1500;  batch = 512;  epochs = 100
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 1e-3)
  schedule = exponential(factor: 0.1, every: 50 epochs)
  regularize firing_rate(hidden, target: 10 Hz, strength: 1e-3)
  clip_gradients norm 1.0
  early_stopping(monitor: test_accuracy, patience: 10)
  checkpoint every 1 epoch to "ckpt/"
  record spikes(hidden[0:512:2]) on example 1000
}
"""

NETWORK = """import std.neurons.{ALIF, LeakyIntegrator}
import std.inputs.SpikeSource

network Gesture {
  population input  = SpikeSource x 2048
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 2000 ms) x 512
  population output = LeakyIntegrator(tau_mem: 20 ms) x 11

  connect input  -> hidden : dense, weight ~ normal(0, 1 / sqrt(2048))
  connect hidden -> hidden : fixed_probability(0.1, autapses: false),
                             weight ~ normal(0, 1 / sqrt(512))
  connect hidden -> output : dense, weight ~ normal(0, 1 / sqrt(512))
}

"""


def write_events(path, labels, rng, steps=1500, dt=1e-3, units=2048, rate=20.0):
    """SHD layout in HDF5: per example a sequence of spike times and units."""
    import h5py
    with h5py.File(path, "w") as f:
        n = len(labels)
        times = f.create_dataset("spikes/times", (n,), dtype=h5py.vlen_dtype(np.float32))
        ids = f.create_dataset("spikes/units", (n,), dtype=h5py.vlen_dtype(np.uint16))
        for e, label in enumerate(labels):
            # Class-dependent units fire at `rate`: a learnable pattern.
            active = np.arange(label * 150, label * 150 + 150)
            count = rng.poisson(rate * steps * dt * len(active) / 10)
            t = np.sort(rng.uniform(0, steps * dt, count)).astype(np.float32)
            times[e] = t
            ids[e] = rng.choice(active, count).astype(np.uint16)
        f.create_dataset("labels", data=np.asarray(labels, dtype=np.int64))


def main():
    args = parse_args(__doc__.splitlines()[0])
    check = Checker("north_star1_regime")
    here = os.path.dirname(os.path.abspath(__file__))
    language = os.path.join(here, "..", "..", "..", "shared", "design", "LANGUAGE.md")
    if os.path.exists(language):
        # The block must be the design's, character for character.
        check.check(REGIME in open(language).read(), "the regime block differs from LANGUAGE.md's North star 1")
    rng = np.random.default_rng(7)
    # 1001 training examples, so that `example 1000` exists.
    write_events(os.path.join(args.work, "gesture_train.h5"), [e % 11 for e in range(1001)], rng)
    write_events(os.path.join(args.work, "gesture_test.h5"), [0, 1, 2, 3], rng)
    source = os.path.join(args.work, "north_star1.snn")
    with open(source, "w") as f:
        f.write(NETWORK + REGIME)
    compiled = run_process([args.snnc, source, "-o", os.path.join(args.work, "north_star1")], cwd=args.work,
                           timeout=300)
    check.check(compiled.returncode == 0, "snnc failed: " + compiled.stderr)
    if compiled.returncode != 0:
        check.finish()
    exe = os.path.join(args.work, "north_star1")
    warnings = re.findall(r"warning: .*", compiled.stderr)
    check.check(len(warnings) == 1 and "monitors 'test_accuracy'" in warnings[0] and
                "[monitors-test-set]" in warnings[0], "expected one monitors-test-set warning, got: " + compiled.stderr)

    help_text = run_model(exe, args.work, ["--help"]).stdout
    for option, value in [("--clip-norm", "(1;"), ("--schedule-factor", "(0.1;"), ("--schedule-every", "(50;"),
                          ("--patience", "(10;"), ("--rate-target.hidden", "(10;"),
                          ("--rate-strength.hidden", "(0.001;"), ("--checkpoint-every", "(1;")]:
        # The option's line and the next: a long name puts its description
        # on the next line, and a long description wraps.
        lines = help_text.splitlines()
        at = next((k for k, l in enumerate(lines) if l.strip().startswith(option + " ")), None)
        line = "" if at is None else " ".join(lines[at:at + 2])
        check.check(value in line, f"--help: {option} should show {value}: {line!r}")

    # Short: 2 epochs of one batch of 4 examples (the block's 100 epochs of
    # batches of 512 need hours on 2 cores).
    overrides = ["--batch", "4", "--batches", "1", "--metrics", "m.jsonl"]
    run = run_model(exe, args.work, ["--epochs", "2"] + overrides, timeout=900)
    lines = [json.loads(l) for l in open(os.path.join(args.work, "m.jsonl"))]
    check.check(len(lines) == 2, f"expected 2 metrics lines, got {len(lines)}")
    for m in lines:
        check.check(np.isfinite(m["train_loss"]) and np.isfinite(m["test_loss"]), f"non-finite loss: {m}")
        expected = 1e-3 * 0.1 ** ((m["epoch"] - 1) / 50)
        check.check(abs(m["lr"] - expected) <= 1e-12 * expected, f"epoch {m['epoch']}: lr {m['lr']} != {expected}")
    check.check("test accuracy: " in run.stdout and "wall time: " in run.stdout, "no summary: " + run.stdout)
    check.check(os.path.exists(os.path.join(args.work, "ckpt", "checkpoint.npz")), "no checkpoint in ckpt/")
    # The recording file holds the documented arrays (example 1000 runs only
    # when a shuffled batch holds it; test_training_record.py checks the
    # recorded values).
    recordings = os.path.join(args.work, "Gesture_recordings.npz")
    check.check(os.path.exists(recordings), "the recording file was not written")
    if os.path.exists(recordings):
        with np.load(recordings) as z:
            for name in ("hidden_spikes_t", "hidden_spikes_i", "hidden_spikes_b", "hidden_spikes_example",
                         "hidden_spikes_epoch", "hidden_spikes_pass"):
                check.check(name in z.files, f"recording lacks {name}: {z.files}")

    # A third epoch, resumed from the checkpoint of the second.
    resumed = run_model(exe, args.work, ["--epochs", "3", "--resume"] + overrides, timeout=900)
    check.check("resumed from" in resumed.stdout, "did not resume: " + resumed.stdout)
    lines = [json.loads(l) for l in open(os.path.join(args.work, "m.jsonl"))]
    check.check([m["epoch"] for m in lines] == [1, 2, 3], f"resumed metrics epochs: {[m['epoch'] for m in lines]}")
    check.finish()


if __name__ == "__main__":
    main()
