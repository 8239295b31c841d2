"""e2e: statistics and seeding of std.inputs.Poisson.

models/poisson.snn: 1000 Poisson neurons at 20 Hz, dt = 0.1 ms, 10 s. Each
neuron fires in each step with probability p = rate * dt = 0.002,
independently of every other neuron and step, so:
  * the total count is Binomial(n * steps, p): |z| < 3;
  * per-neuron counts are Binomial(steps, p): sum((c - m)^2 / (m (1 - p)))
    over the n neurons is chi-square with ~n degrees of freedom; its ratio to
    n must lie within 1 +- 5 sqrt(2 / n);
  * per-step population counts are Binomial(n, p): their dispersion (variance
    over expected variance) within 1 +- 5 sqrt(2 / steps) (catches neurons
    sharing random numbers);
  * coincidences of neighbouring neurons in one step and of one neuron in
    consecutive steps follow Poisson(pairs * p^2): |z| < 5 (catches
    overlapping random streams);
  * spike times are multiples of dt in [0, 10 s), sorted; indices in [0, 1000);
    no neuron spikes twice in one step;
  * the same --seed twice gives identical spike trains, the default seed (1)
    equals --seed 1, different seeds (also 0 and 2^64 - 1) give different
    trains with a plausible total.
"""

import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

N = 1000
RATE = 20.0
DT = 1e-4
STEPS = 100000
P = RATE * DT


def run(exe, work, name, seed=None):
    args = ["--quiet"] if seed is None else ["--quiet", "--seed", str(seed)]
    e2e.run_model(exe, work, args)
    target = os.path.join(work, name + ".npz")
    os.replace(os.path.join(work, "poisson.npz"), target)
    data = e2e.load_npz(target)
    return data["noise_spikes_t"], data["noise_spikes_i"]


def total_z(count):
    mean = N * STEPS * P
    return (count - mean) / math.sqrt(mean * (1 - P))


def check_statistics(checker, t, i):
    steps = np.rint(t / DT).astype(np.int64)
    checker.check(np.allclose(t, steps * DT, rtol=1e-12, atol=1e-15),
                  "spike times are not multiples of dt")
    checker.check(t.min() >= 0 and t.max() < STEPS * DT,
                  "spike times outside [0, 10 s): [%g, %g]" % (t.min(), t.max()))
    checker.check(i.min() >= 0 and i.max() < N,
                  "spike indices outside [0, %d): [%d, %d]" % (N, i.min(), i.max()))
    checker.check(np.all(np.diff(steps) >= 0), "spike times are not sorted")
    keys = steps * N + i.astype(np.int64)
    checker.check(np.unique(keys).size == keys.size, "a neuron spikes twice in one step")

    z = total_z(t.size)
    checker.note("total spikes %d, expected %.0f, z = %+.3f (bound |z| < 3)"
                 % (t.size, N * STEPS * P, z))
    checker.check(abs(z) < 3, "total spike count %d is %.2f sigma from the expected %.0f"
                  % (t.size, z, N * STEPS * P))

    counts = np.bincount(i, minlength=N)
    mean = STEPS * P
    chi2 = float(np.sum((counts - mean) ** 2) / (mean * (1 - P)))
    bound = 5 * math.sqrt(2.0 / N)
    checker.note("per-neuron counts: mean %.2f (expected %.1f), chi2 / n = %.4f "
                 "(bound 1 +- %.3f), min %d, max %d"
                 % (counts.mean(), mean, chi2 / N, bound, counts.min(), counts.max()))
    checker.check(abs(chi2 / N - 1) < bound, "per-neuron count dispersion chi2 / n = %.4f, "
                  "expected 1 +- %.3f" % (chi2 / N, bound))

    per_step = np.bincount(steps, minlength=STEPS)
    dispersion = float(per_step.var() / (N * P * (1 - P)))
    bound = 5 * math.sqrt(2.0 / STEPS)
    checker.note("per-step population counts: dispersion %.4f (bound 1 +- %.4f)"
                 % (dispersion, bound))
    checker.check(abs(dispersion - 1) < bound, "per-step count dispersion %.4f, expected "
                  "1 +- %.4f" % (dispersion, bound))

    sorted_keys = np.sort(keys)
    neighbours = int(np.isin(keys[i < N - 1] + 1, sorted_keys, assume_unique=True).sum())
    consecutive = int(np.isin(keys + N, sorted_keys, assume_unique=True).sum())
    for label, got, pairs in (("neighbouring neurons in one step", neighbours,
                               (N - 1) * STEPS),
                              ("one neuron in consecutive steps", consecutive,
                               N * (STEPS - 1))):
        expected = pairs * P * P
        z = (got - expected) / math.sqrt(expected)
        checker.note("coincidences of %s: %d, expected %.1f, z = %+.2f" % (label, got, expected, z))
        checker.check(abs(z) < 5, "coincidences of %s: %d, expected %.1f (z = %.2f)"
                      % (label, got, expected, z))


def same(a, b):
    return a[0].shape == b[0].shape and np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    checker = e2e.Checker("e2e_poisson_rate")
    exe = e2e.compile_model(args.snnc, os.path.join(e2e.MODELS, "poisson.snn"), args.work,
                            "poisson")
    default = run(exe, args.work, "default")
    check_statistics(checker, *default)

    seed1 = run(exe, args.work, "seed1", 1)
    checker.check(same(default, seed1), "the default seed run differs from --seed 1")
    seven_a = run(exe, args.work, "seed7a", 7)
    seven_b = run(exe, args.work, "seed7b", 7)
    checker.check(same(seven_a, seven_b), "two runs with --seed 7 differ")
    checker.check(not same(default, seven_a), "--seed 7 gives the same spikes as seed 1")
    z7 = total_z(seven_a[0].size)
    checker.check(abs(z7) < 3, "--seed 7: total %d spikes, z = %.2f" % (seven_a[0].size, z7))

    for seed in (0, 2**64 - 1):
        other = run(exe, args.work, "seed%d" % seed, seed)
        z = total_z(other[0].size)
        checker.note("--seed %d: %d spikes, z = %+.3f" % (seed, other[0].size, z))
        checker.check(abs(z) < 3, "--seed %d: total %d spikes, z = %.2f"
                      % (seed, other[0].size, z))
        checker.check(not same(other, default) and not same(other, seven_a),
                      "--seed %d repeats the spikes of another seed" % seed)
    checker.finish()


if __name__ == "__main__":
    main()
