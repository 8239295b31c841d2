"""e2e: a batch of examples equals the single runs of the same examples.

models/batch.snn sets `batch = 4`: four independent examples of one network
(Poisson input, LIF cells with random initial voltages, random connectivity
and weights shared by the batch). Example k draws from its own Philox key,
so it must equal, bit for bit, a run of one example with --first-example k.
Checked:
  * the default run simulates 4 examples (summary line, array shapes:
    cell_v is [4, steps, 30], spikes carry an example index in 0..3);
  * for k = 0..3, `--batch 1 --first-example k` reproduces example k
    exactly (input spikes, cell spikes, every voltage sample);
  * `--batch 2 --first-example 2` reproduces examples 2 and 3;
  * the examples differ from each other (their input spikes are not equal),
    and they share the connectivity (same synapse count in every summary).
"""

import os
import re
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

STEPS = 1000
CELLS = 30


def run(exe, work, name, args):
    proc = e2e.run_model(exe, work, args)
    target = os.path.join(work, name + ".npz")
    os.replace(os.path.join(work, "batch.npz"), target)
    return e2e.load_npz(target), proc.stdout


def synapses(stdout):
    match = re.search(r"(\d+) synapses", stdout)
    return int(match.group(1)) if match else None


def example(data, pop, b):
    """(t, i) of the spikes of example b of population pop."""
    mask = data[pop + "_spikes_b"] == b
    return data[pop + "_spikes_t"][mask], data[pop + "_spikes_i"][mask]


def main():
    args = e2e.parse_args(__doc__)
    checker = e2e.Checker("batch")
    model = e2e.copy_model("batch.snn", args.work)
    exe = e2e.compile_model(args.snnc, model, args.work, "batch")

    full, full_out = run(exe, args.work, "full", ["--seed", "7"])
    checker.check("batch of 4 examples" in full_out, "summary does not mention the batch:\n" + full_out)
    checker.check(full["cell_v"].shape == (4, STEPS, CELLS),
                  "cell_v has shape %s, expected (4, %d, %d)" % (full["cell_v"].shape, STEPS, CELLS))
    for pop in ("noise", "cell"):
        b = full[pop + "_spikes_b"]
        checker.check(b.shape == full[pop + "_spikes_t"].shape and set(np.unique(b)) <= {0, 1, 2, 3},
                      "%s_spikes_b is not an example index per spike" % pop)
    counts = [example(full, "noise", b)[0].size for b in range(4)]
    checker.check(min(counts) > 0, "an example has no input spikes: %s" % counts)
    t0, i0 = example(full, "noise", 0)
    t1, i1 = example(full, "noise", 1)
    checker.check(not (np.array_equal(t0, t1) and np.array_equal(i0, i1)),
                  "examples 0 and 1 drew the same input spikes")
    checker.check(not np.array_equal(full["cell_v"][0, 0], full["cell_v"][1, 0]),
                  "examples 0 and 1 start from the same voltages")
    want_synapses = synapses(full_out)
    checker.check(want_synapses is not None and want_synapses > 0, "no synapse count in:\n" + full_out)

    def same_example(label, single, b_single, b_full):
        for pop in ("noise", "cell"):
            got, want = example(single, pop, b_single), example(full, pop, b_full)
            checker.check(np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1]),
                          "%s: %s spikes differ from example %d of the batch (%d vs %d spikes)"
                          % (label, pop, b_full, got[0].size, want[0].size))
        got_v, want_v = single["cell_v"][b_single], full["cell_v"][b_full]
        checker.check(got_v.tobytes() == want_v.tobytes(),
                      "%s: cell voltages differ from example %d (max |diff| %.3g V)"
                      % (label, b_full, float(np.max(np.abs(got_v - want_v)))))

    for k in range(4):
        single, out = run(exe, args.work, "single%d" % k,
                          ["--seed", "7", "--batch", "1", "--first-example", str(k)])
        checker.check(single["cell_v"].shape == (1, STEPS, CELLS),
                      "single run %d: cell_v has shape %s" % (k, single["cell_v"].shape))
        checker.check(synapses(out) == want_synapses, "single run %d builds other connectivity" % k)
        if single["cell_v"].shape == (1, STEPS, CELLS):
            same_example("--first-example %d" % k, single, 0, k)

    pair, _ = run(exe, args.work, "pair", ["--seed", "7", "--batch", "2", "--first-example", "2"])
    if checker.check(pair["cell_v"].shape == (2, STEPS, CELLS), "pair: cell_v has shape %s" % (pair["cell_v"].shape,)):
        same_example("--batch 2 --first-example 2, example 0", pair, 0, 2)
        same_example("--batch 2 --first-example 2, example 1", pair, 1, 3)
    checker.note("input spikes per example: %s; synapses: %s" % (counts, want_synapses))
    checker.finish()


if __name__ == "__main__":
    main()
