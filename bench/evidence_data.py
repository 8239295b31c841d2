#!/usr/bin/env python3
"""The evidence-accumulation (cue) task of Bellec et al. 2020, as event files.

Bellec et al., "A solution to the learning dilemma for recurrent networks of
spiking neurons", Nat. Commun. 11:3625 (2020), Fig. 3 and Methods: a
simulated agent runs along a corridor and sees 7 cues, each on the left or
the right; after a delay, a recall cue asks it to turn towards the side that
showed more cues. The input has 40 units in four groups of 10:

- units 0-9 fire at 40 Hz while a left cue is shown, units 10-19 while a
  right cue is shown (cue k: steps 50 + 150 k to 150 + 150 k, 100 ms each);
- units 20-29 fire at 40 Hz during the recall cue, the last 150 ms;
- units 30-39 fire at 10 Hz throughout (background noise).

An example lasts 7 x 150 ms + 1200 ms = 2250 ms (dt = 1 ms). Each example
picks a majority side at random, and each cue falls on that side with
probability 0.7 (Bellec's p_group = 0.3), so some examples are hard (4 to 3).
The label is 1 if more cues were on the right, else 0.

The files use the event .npz layout snnc reads (`times` in seconds at the
middle of their 1 ms step, `units`, `offsets`, `labels`). The streams are
numpy's PCG64 seeded with the given seed, so a seed gives the same files on
every machine.

    /usr/bin/python3 bench/evidence_data.py [--out-dir data] [--train N] [--test N] [--seed S]
"""
import argparse
import os
import sys

import numpy as np

UNITS = 40
GROUP = 10
CUES = 7
CUE_STEPS = 100
CUE_SPACING = 150
DELAY_STEPS = 1200
STEPS = CUES * CUE_SPACING + DELAY_STEPS  # 2250
RECALL_STEPS = 150
CUE_RATE = 40.0  # Hz
NOISE_RATE = 10.0  # Hz
MAJORITY_P = 0.7
DT = 1e-3  # s


def rates_of(cue_sides):
    """Per-step firing rates (Hz) of the 40 units for one example: [STEPS, UNITS]."""
    rates = np.zeros((STEPS, UNITS))
    silence = CUE_SPACING - CUE_STEPS
    for k, side in enumerate(cue_sides):
        begin = silence + k * CUE_SPACING
        rates[begin:begin + CUE_STEPS, side * GROUP:(side + 1) * GROUP] = CUE_RATE
    rates[-RECALL_STEPS:, 2 * GROUP:3 * GROUP] = CUE_RATE
    rates[:, 3 * GROUP:] = NOISE_RATE
    return rates


def generate(examples, rng):
    """Returns (times, units, offsets, labels, cue_sides) for `examples` examples."""
    majority = rng.integers(0, 2, size=examples)
    on_majority = rng.random((examples, CUES)) < MAJORITY_P
    cue_sides = np.where(on_majority, majority[:, None], 1 - majority[:, None])
    labels = (cue_sides.sum(axis=1) > CUES // 2).astype(np.int64)
    times, units, offsets = [], [], [0]
    for e in range(examples):
        spikes = rng.random((STEPS, UNITS)) < rates_of(cue_sides[e]) * DT
        step, unit = np.nonzero(spikes)  # row-major: sorted by step, then unit
        times.append((step + 0.5) * DT)
        units.append(unit.astype(np.int32))
        offsets.append(offsets[-1] + len(step))
    return (np.concatenate(times), np.concatenate(units), np.array(offsets, dtype=np.int64), labels, cue_sides)


def write(path, examples, rng):
    times, units, offsets, labels, _ = generate(examples, rng)
    # Atomic: a reader never sees a half-written file.
    temporary = path + ".tmp.npz"
    np.savez(temporary, times=times, units=units, offsets=offsets, labels=labels)
    os.replace(temporary, path)
    return labels


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-dir", default="data")
    ap.add_argument("--train", type=int, default=4096, help="training examples (default 4096)")
    ap.add_argument("--test", type=int, default=1024, help="test examples (default 1024)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.train < 1 or args.test < 1:
        ap.error("--train and --test must be at least 1")
    os.makedirs(args.out_dir, exist_ok=True)
    # Two independent streams from one seed: the test set does not change
    # when the training set's size does.
    train_rng, test_rng = [np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(args.seed).spawn(2)]
    for name, count, rng in (("train", args.train, train_rng), ("test", args.test, test_rng)):
        path = os.path.join(args.out_dir, "evidence_%s.npz" % name)
        labels = write(path, count, rng)
        print("%s: %d examples, %.1f %% labelled right" % (path, count, 100.0 * labels.mean()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
