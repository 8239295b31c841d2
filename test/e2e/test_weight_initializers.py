#!/usr/bin/python3
"""Weight initialisers draw what their formulas say.

For each initialiser, a training model whose input -> hidden projection
(400 -> 300, dense or fixed_probability(0.25)) uses it is compiled and run
with `--epochs 0 --weights-out w.npz` (no training: the weights `init`
drew), and the 120 000 (or ~30 000) samples are checked against the
distribution the formula gives, computed here from Keras's definitions:
glorot_uniform limit sqrt(6 / (fan_in + fan_out)), glorot_normal sd
sqrt(2 / (fan_in + fan_out)) (a plain normal), he_uniform limit
sqrt(6 / fan_in), he_normal sd sqrt(2 / fan_in), times the gain; fans of
fixed_probability(p) are p n_pre and p n_post. Checks: sample mean and
variance within 5 standard errors, the range for uniforms (inside
[-limit, limit], reaching within 20/n of both ends), and the kurtosis of
normals (3 within 5 standard errors, which a uniform's 1.8 fails).
"""
import math
import os

import numpy as np

from e2e_common import Checker, compile_model, load_npz, parse_args, run_model
from weight_models import train_model, write_events

N_IN, N_HIDDEN, N_OUT = 400, 300, 2

# (tag, connectivity, clause, uniform?, scale as a function of (fan_in, fan_out))
CASES = [
    ("glorot_uniform", "dense", "glorot_uniform", True, lambda i, o: math.sqrt(6 / (i + o))),
    ("glorot_normal", "dense", "glorot_normal()", False, lambda i, o: math.sqrt(2 / (i + o))),
    ("he_uniform", "dense", "he_uniform", True, lambda i, o: math.sqrt(6 / i)),
    ("he_normal", "dense", "he_normal", False, lambda i, o: math.sqrt(2 / i)),
    ("glorot_uniform_gain", "dense", "glorot_uniform(gain: 3)", True, lambda i, o: 3 * math.sqrt(6 / (i + o))),
    ("he_normal_sparse", "fixed_probability(0.25)", "he_normal(gain: 0.5)", False,
     lambda i, o: 0.5 * math.sqrt(2 / i)),
    ("glorot_uniform_sparse", "fixed_probability(0.25)", "glorot_uniform", True,
     lambda i, o: math.sqrt(6 / (i + o))),
]


def check_samples(check, tag, w, uniform, scale):
    n = w.size
    mean, var = float(w.mean()), float(w.var())
    if uniform:
        sd = scale / math.sqrt(3)
        var_se = math.sqrt(4 / 45 / n) * scale ** 2  # Var(s^2) = (mu4 - sigma^4) / n, mu4 = L^4 / 5
    else:
        sd = scale
        var_se = math.sqrt(2 / n) * scale ** 2
    check.note("%s: n %d, mean %.3g, sd %.5g (expected %.5g)" % (tag, n, mean, math.sqrt(var), sd))
    check.check(abs(mean) < 5 * sd / math.sqrt(n), "%s: mean %.4g is not 0 within 5 standard errors" % (tag, mean))
    check.check(abs(var - sd ** 2) < 5 * var_se,
                "%s: variance %.6g, expected %.6g (5 se = %.3g)" % (tag, var, sd ** 2, 5 * var_se))
    if uniform:
        slack = 1e-6 * scale  # the weights are float32
        check.check(w.min() >= -scale - slack and w.max() <= scale + slack,
                    "%s: range [%.6g, %.6g] outside [-%.6g, %.6g]" % (tag, w.min(), w.max(), scale, scale))
        reach = scale * (1 - 20.0 / n)
        check.check(w.min() < -reach and w.max() > reach,
                    "%s: range [%.6g, %.6g] does not reach +-%.6g" % (tag, w.min(), w.max(), reach))
    else:
        kurtosis = float(((w - mean) ** 4).mean() / var ** 2)
        check.check(abs(kurtosis - 3) < 5 * math.sqrt(24 / n), "%s: kurtosis %.4g, a normal's is 3" % (tag, kurtosis))


def main():
    args = parse_args(__doc__)
    check = Checker("weight_initializers")
    rng = np.random.default_rng(11)
    write_events(os.path.join(args.work, "data.npz"), rng, 4, N_IN, N_OUT)
    write_events(os.path.join(args.work, "test.npz"), rng, 4, N_IN, N_OUT)
    for tag, connectivity, clause, uniform, scale_of in CASES:
        text = train_model("Init", [("input", N_IN), ("hidden", N_HIDDEN), ("output", N_OUT)], [
            "input -> hidden : %s, delay 0, weight ~ %s" % (connectivity, clause),
            "hidden -> output : dense, delay 0, weight ~ normal(0, 0.1)",
        ])
        path = os.path.join(args.work, tag + ".snn")
        with open(path, "w") as f:
            f.write(text)
        exe = compile_model(args.snnc, path, args.work, tag)
        run_model(exe, args.work, ["--epochs", "0", "--quiet", "--weights-out", tag + ".npz"], timeout=120)
        w = load_npz(os.path.join(args.work, tag + ".npz"))["input->hidden"]
        if not check.check(w.shape == (N_HIDDEN, N_IN), "%s: shape %s" % (tag, w.shape)):
            continue
        p = 0.25 if connectivity.startswith("fixed") else 1.0
        samples = w[w != 0] if p < 1 else w.ravel()
        if p < 1:  # the expected synapse count, binomial
            expected = p * w.size
            check.check(abs(samples.size - expected) < 5 * math.sqrt(expected * (1 - p)),
                        "%s: %d synapses, expected about %d" % (tag, samples.size, expected))
        check_samples(check, tag, samples.astype(np.float64), uniform, scale_of(p * N_IN, p * N_HIDDEN))
    check.finish()


if __name__ == "__main__":
    main()
