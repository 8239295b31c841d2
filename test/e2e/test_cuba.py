"""e2e: the CUBA benchmark (examples/cuba.snn) runs and behaves like Brian2's.

Brian2's CUBA example (Vogels & Abbott 2005, 4000 LIF neurons, p = 0.02)
fires at about 5 Hz. Checks, at float32 (the default) and float64:
  * the run summary lists exc (3200) and inh (800) with mean rates in
    [2, 15] Hz, and a synapse count within 5 sigma of 4000^2 * 0.02;
  * the NPZ file(s) the run wrote load; every recorded spike population has
    times that are multiples of dt in [0, 1 s), sorted, indices within the
    population, counts equal to the summary's;
  * no neuron fires twice within the 5 ms refractory period (50 steps);
  * activity is spread: most excitatory neurons fire at least once and no
    single step holds a population-wide burst.
"""

import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4
STEPS = 10000
SIZES = {"exc": 3200, "inh": 800}
REFRACTORY_STEPS = 50


def extra(parser):
    parser.add_argument("--model", default=os.path.join(e2e.SOURCE_ROOT, "examples", "cuba.snn"),
                        help="path of examples/cuba.snn")


def check_run(checker, label, proc, work):
    rates = e2e.summary_rates(proc.stdout)
    for name, size in SIZES.items():
        if not checker.check(name in rates, "%s: no summary line for population %s:\n%s"
                             % (label, name, proc.stdout)):
            continue
        got_size, spikes, rate = rates[name]
        checker.check(got_size == size, "%s: %s has %d neurons, expected %d"
                      % (label, name, got_size, size))
        exact_rate = spikes / (size * STEPS * DT)
        checker.note("%s: %s %d spikes, %.2f Hz" % (label, name, spikes, exact_rate))
        checker.check(2.0 <= exact_rate <= 15.0, "%s: %s fires at %.2f Hz, outside [2, 15] Hz"
                      % (label, name, exact_rate))
    synapses = None
    for line in proc.stdout.splitlines():
        if line.startswith("model ") and line.endswith(" synapses"):
            synapses = int(line.split()[-2])
    mean = 4000 * 4000 * 0.02
    if checker.check(synapses is not None, "%s: no synapse count in the summary" % label):
        z = (synapses - mean) / math.sqrt(mean * 0.98)
        checker.note("%s: %d synapses, z = %+.2f" % (label, synapses, z))
        checker.check(abs(z) < 5, "%s: %d synapses, expected %.0f +- %.0f"
                      % (label, synapses, mean, 5 * math.sqrt(mean * 0.98)))

    files = [line[len("wrote "):] for line in proc.stdout.splitlines() if line.startswith("wrote ")]
    if not checker.check(files, "%s: the run wrote no NPZ file" % label):
        return
    arrays = {}
    for name in files:
        arrays.update(e2e.load_npz(os.path.join(work, name)))
    checker.check("exc_spikes_t" in arrays, "%s: no exc_spikes_t in %s (arrays: %s)"
                  % (label, files, sorted(arrays)))
    for pop, size in SIZES.items():
        if pop + "_spikes_t" not in arrays:
            continue
        t = arrays[pop + "_spikes_t"]
        i = arrays[pop + "_spikes_i"]
        tag = "%s %s" % (label, pop)
        if not checker.check(t.size > 0 and t.shape == i.shape and t.ndim == 1,
                             "%s: spike arrays have shapes %s and %s" % (tag, t.shape, i.shape)):
            continue
        checker.check(t.dtype == np.float64 and i.dtype == np.int32,
                      "%s: dtypes %s, %s, expected float64, int32" % (tag, t.dtype, i.dtype))
        checker.check(t.min() >= 0 and t.max() < 1.0,
                      "%s: spike times outside [0, 1 s): [%g, %g]" % (tag, t.min(), t.max()))
        checker.check(i.min() >= 0 and i.max() < size,
                      "%s: indices outside [0, %d): [%d, %d]" % (tag, size, i.min(), i.max()))
        steps = np.rint(t / DT).astype(np.int64)
        checker.check(np.allclose(t, steps * DT, rtol=1e-12, atol=1e-15),
                      "%s: spike times are not multiples of dt" % tag)
        checker.check(np.all(np.diff(steps) >= 0), "%s: spike times are not sorted" % tag)
        if pop in rates:
            checker.check(t.size == rates[pop][1], "%s: %d spikes recorded, summary says %d"
                          % (tag, t.size, rates[pop][1]))
        order = np.lexsort((steps, i))
        same_neuron = np.diff(i[order]) == 0
        gaps = np.diff(steps[order])[same_neuron]
        min_gap = int(gaps.min()) if gaps.size else None
        checker.note("%s: shortest inter-spike interval %s steps" % (tag, min_gap))
        checker.check(min_gap is None or min_gap >= REFRACTORY_STEPS,
                      "%s: a neuron fired again after %s steps, inside the %d-step "
                      "refractory period" % (tag, min_gap, REFRACTORY_STEPS))
        active = np.unique(i).size / size
        burst = np.bincount(steps).max() / size
        checker.note("%s: %.0f%% of neurons fired, largest one-step burst %.1f%% of the "
                     "population" % (tag, 100 * active, 100 * burst))
        if pop == "exc":
            checker.check(active > 0.5, "%s: only %.0f%% of neurons fired" % (tag, 100 * active))
        checker.check(burst < 0.1, "%s: %.1f%% of the population fired in one step"
                      % (tag, 100 * burst))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0], extra)
    checker = e2e.Checker("e2e_cuba")
    for label, flags in (("float32", []), ("float64", ["--precision=double"])):
        work = os.path.join(args.work, label)
        os.makedirs(work)
        exe = e2e.compile_model(args.snnc, os.path.abspath(args.model), work, "cuba", flags)
        proc = e2e.run_model(exe, work, ["--duration", "1s"])
        check_run(checker, label, proc, work)
    checker.finish()


if __name__ == "__main__":
    main()
