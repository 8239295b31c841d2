#!/usr/bin/python3
"""e2e: optimisers and gradient adjustments of apply_gradients against numpy.

A tiny train model (6 inputs -> 5 ALIF -> 3 Readout with a trained bias,
dense projections, 6 latency-encoded examples, batch 6, double precision) is
compiled once per optimiser configuration. The executable itself supplies
the gradient at any weights,

    ./model --weights-in w_k.npz --no-shuffle --batches 1 --gradients-out g_k.npz

and trains k steps (one batch per epoch, so one optimiser step per epoch),

    ./model --epochs k --batches 1 --no-shuffle --weights-out w_k.npz

For k = 0..K-1 the numpy implementation below of docs/training.md ("What
apply_gradients does, in order": L1/L2, clip value, clip norm, the
optimiser's PyTorch rule, clamp) maps (w_k, g_k, optimiser state) to
w_{k+1}, which must equal the executable's within 1e-10 relative, for every
trained array (both weight matrices and the readout bias). The optimiser
state (moments, t) is carried by the reference from step to step; the
reference restarts each step from the executable's w_k (the gradient was
taken there).

Configurations: sgd (plain, momentum 0.9, nesterov, weight_decay), adagrad
(initial_accumulator 0.1), rmsprop (plain, momentum 0.5), adam, adamw, and
adam with regularize l1, regularize l2, clip_gradients value, clip_gradients
norm and clamp_weights (each checked to be active); sgd with clip norm, and
sgd with all five adjustments together (their order); command-line overrides
(`--beta1 0.5` on adam, `--momentum 0.3` on sgd) change the result as the
reference predicts, and `--beta1 1.5` is refused (exit 1, naming --beta1).
"""
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

K = 4
TOLERANCE = 1e-10
EXAMPLES, INPUTS, HIDDEN, CLASSES = 6, 6, 5, 3

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
  dt = 1 ms;  timesteps = 20;  batch = {examples};  epochs = 1;  seed = 5
  readout = output.v
  readout_bias = true
  loss = sparse_categorical_crossentropy
{workflow}
}}
"""

# Documented defaults (docs/training.md, "Optimisers").
DEFAULTS = {
    "sgd": dict(lr=0.01, momentum=0.0, nesterov=False, weight_decay=0.0),
    "adagrad": dict(lr=0.01, initial_accumulator=0.0, epsilon=1e-10),
    "rmsprop": dict(lr=0.01, rho=0.99, momentum=0.0, epsilon=1e-8),
    "adam": dict(lr=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8),
    "adamw": dict(lr=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.01),
}
NO_ADJUST = dict(l1=0.0, l2=0.0, clip_value=0.0, clip_norm=0.0, clamp_min=-np.inf, clamp_max=np.inf)

# name: (optimizer line, extra regime lines, optimizer options, adjustments,
#        command-line overrides passed to every run, reference options changed by them)
CASES = [
    ("sgd", "sgd(lr: 0.02)", [], {"lr": 0.02}, {}, [], {}),
    ("sgd_momentum", "sgd(lr: 0.02, momentum: 0.9)", [], {"lr": 0.02, "momentum": 0.9}, {}, [], {}),
    ("sgd_nesterov", "sgd(lr: 0.02, momentum: 0.9, nesterov: true)", [],
     {"lr": 0.02, "momentum": 0.9, "nesterov": True}, {}, [], {}),
    ("sgd_weight_decay", "sgd(lr: 0.02, momentum: 0.5, weight_decay: 0.3)", [],
     {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.3}, {}, [], {}),
    ("adagrad", "adagrad(lr: 0.05, initial_accumulator: 0.1)", [],
     {"lr": 0.05, "initial_accumulator": 0.1}, {}, [], {}),
    ("rmsprop", "rmsprop(lr: 0.01)", [], {"lr": 0.01}, {}, [], {}),
    ("rmsprop_momentum", "rmsprop(lr: 0.01, rho: 0.9, momentum: 0.5)", [],
     {"lr": 0.01, "rho": 0.9, "momentum": 0.5}, {}, [], {}),
    ("adam", "adam(lr: 0.01, beta1: 0.8, beta2: 0.99)", [], {"lr": 0.01, "beta1": 0.8, "beta2": 0.99},
     {}, [], {}),
    ("adamw", "adamw(lr: 0.01, weight_decay: 0.5)", [], {"lr": 0.01, "weight_decay": 0.5}, {}, [], {}),
    ("adam_l1", "adam(lr: 0.01)", ["regularize l1(0.5)"], {"lr": 0.01}, {"l1": 0.5}, [], {}),
    ("adam_l2", "adam(lr: 0.01)", ["regularize l2(0.5)"], {"lr": 0.01}, {"l2": 0.5}, [], {}),
    ("adam_clip_value", "adam(lr: 0.01)", ["clip_gradients value 0.3"], {"lr": 0.01},
     {"clip_value": 0.3}, [], {}),
    ("adam_clip_norm", "adam(lr: 0.01)", ["clip_gradients norm 0.5"], {"lr": 0.01},
     {"clip_norm": 0.5}, [], {}),
    ("adam_clamp", "adam(lr: 0.05)", ["clamp_weights(min: -0.3, max: 0.04)"], {"lr": 0.05},
     {"clamp_min": -0.3, "clamp_max": 0.04}, [], {}),
    # Adam hides a gradient's scale on its first step; plain SGD shows every
    # adjustment at full strength, and the order (L1/L2, value, norm, clamp).
    ("sgd_clip_norm", "sgd(lr: 0.05)", ["clip_gradients norm 0.5"], {"lr": 0.05}, {"clip_norm": 0.5}, [], {}),
    ("sgd_all_adjustments", "sgd(lr: 0.05, momentum: 0.5)",
     ["regularize l1(0.2)", "regularize l2(0.3)", "clip_gradients value 0.6", "clip_gradients norm 1.5",
      "clamp_weights(min: -0.6, max: 0.5)"], {"lr": 0.05, "momentum": 0.5},
     {"l1": 0.2, "l2": 0.3, "clip_value": 0.6, "clip_norm": 1.5, "clamp_min": -0.6, "clamp_max": 0.5}, [], {}),
    # Command-line overrides: the regime says one thing, the option another.
    ("adam_beta1_override", "adam(lr: 0.01)", [], {"lr": 0.01}, {}, ["--beta1", "0.5"], {"beta1": 0.5}),
    ("sgd_momentum_override", "sgd(lr: 0.02, momentum: 0.9)", [], {"lr": 0.02, "momentum": 0.9}, {},
     ["--momentum", "0.3"], {"momentum": 0.3}),
]


def is_bias(name):
    return name.endswith(".bias")


class Reference:
    """docs/training.md's apply_gradients, in float64, state carried across steps."""

    def __init__(self, kind, options, adjust):
        self.kind = kind
        self.o = dict(DEFAULTS[kind])
        self.o.update(options)
        self.a = dict(NO_ADJUST)
        self.a.update(adjust)
        self.t = 0
        self.state = {}

    def adjusted(self, w, g):
        """Steps 1-3: the gradient the optimiser sees."""
        a = self.a
        g = {n: np.array(v, dtype=np.float64) for n, v in g.items()}
        for n in g:
            if not is_bias(n):
                g[n] = g[n] + a["l1"] * np.sign(w[n]) + 2.0 * a["l2"] * w[n]
        if a["clip_value"] > 0:
            for n in g:
                g[n] = np.clip(g[n], -a["clip_value"], a["clip_value"])
        if a["clip_norm"] > 0:
            norm = np.sqrt(sum(float(np.sum(v * v)) for v in g.values()))
            for n in g:
                g[n] = g[n] * (a["clip_norm"] / max(norm, a["clip_norm"]))
        return g

    def step(self, w, g):
        o, a = self.o, self.a
        g = self.adjusted(w, g)
        self.t += 1
        t = self.t
        out = {}
        for n in w:
            p = np.array(w[n], dtype=np.float64)
            gn = g[n]
            s = self.state.setdefault(n, {"b": np.zeros_like(p), "s": np.zeros_like(p),
                                          "m": np.zeros_like(p), "v": np.zeros_like(p)})
            if self.kind == "sgd":
                gn = gn + o["weight_decay"] * p
                s["b"] = o["momentum"] * s["b"] + gn
                p = p - o["lr"] * ((gn + o["momentum"] * s["b"]) if o["nesterov"] else s["b"])
            elif self.kind == "adagrad":
                s["s"] = s["s"] + gn * gn
                p = p - o["lr"] * gn / (np.sqrt(s["s"] + o["initial_accumulator"]) + o["epsilon"])
            elif self.kind == "rmsprop":
                s["v"] = o["rho"] * s["v"] + (1 - o["rho"]) * gn * gn
                s["b"] = o["momentum"] * s["b"] + gn / (np.sqrt(s["v"]) + o["epsilon"])
                p = p - o["lr"] * s["b"]
            else:  # adam, adamw
                if self.kind == "adamw":
                    p = p - o["lr"] * o["weight_decay"] * p
                b1, b2 = o["beta1"], o["beta2"]
                s["m"] = b1 * s["m"] + (1 - b1) * gn
                s["v"] = b2 * s["v"] + (1 - b2) * gn * gn
                p = p - o["lr"] * (s["m"] / (1 - b1 ** t)) / (np.sqrt(s["v"] / (1 - b2 ** t)) + o["epsilon"])
            if not is_bias(n):
                p = np.clip(p, a["clamp_min"], a["clamp_max"])
            out[n] = p
        return out


def relative_error(got, want):
    scale = max(float(np.max(np.abs(want))), 1e-300)
    return float(np.max(np.abs(np.asarray(got) - np.asarray(want)))) / scale


def write_inputs(work):
    rng = np.random.default_rng(11)
    x = rng.uniform(0.1, 1.0, (EXAMPLES, INPUTS))
    y = np.arange(EXAMPLES) % CLASSES
    np.savez(os.path.join(work, "data.npz"), x=x, y=y)


def compile_case(args, work, optimizer, extra):
    workflow = "\n".join("  " + line for line in ["optimizer = " + optimizer] + list(extra))
    path = os.path.join(work, "model.snn")
    with open(path, "w") as f:
        f.write(MODEL.format(inputs=INPUTS, hidden=HIDDEN, classes=CLASSES, examples=EXAMPLES,
                             workflow=workflow))
    return e2e.compile_model(args.snnc, path, work, "model", ["--precision=double"])


def run_case(args, checker, case):
    name, optimizer, extra, options, adjust, overrides, overridden = case
    work = os.path.join(args.work, name)
    os.makedirs(work)
    write_inputs(work)
    exe = compile_case(args, work, optimizer, extra)
    kind = optimizer.split("(")[0]
    ref_options = dict(options)
    ref_options.update(overridden)
    ref = Reference(kind, ref_options, adjust)
    # The same configuration without the override, to show that it matters.
    plain = Reference(kind, options, adjust) if overridden else None

    def path(tag):
        return os.path.join(work, tag + ".npz")

    e2e.run_model(exe, work, ["--quiet", "--epochs", "0", "--weights-out", path("w0")] + overrides)
    w = e2e.load_npz(path("w0"))
    names = sorted(w)
    checker.check(set(names) == {"input->hidden", "hidden->output", "output.bias"},
                  "%s: trained arrays %s" % (name, names))
    worst = 0.0
    active = {"clip_value": False, "clip_norm": False, "clamp": False, "bias_out": False}
    override_effect = 0.0
    for k in range(K):
        e2e.run_model(exe, work, ["--quiet", "--weights-in", path("w%d" % k), "--no-shuffle", "--batches", "1",
                                  "--gradients-out", path("g%d" % k)] + overrides)
        g = e2e.load_npz(path("g%d" % k))
        g.pop("loss")  # each example's loss, beside the gradients
        e2e.run_model(exe, work, ["--quiet", "--epochs", str(k + 1), "--batches", "1", "--no-shuffle",
                                  "--weights-out", path("w%d" % (k + 1))] + overrides)
        got = e2e.load_npz(path("w%d" % (k + 1)))
        # Which adjustments act on this step (the test means them to).
        a = ref.a
        g1 = {n: g[n] + (0 if is_bias(n) else a["l1"] * np.sign(w[n]) + 2 * a["l2"] * w[n]) for n in g}
        if a["clip_value"] > 0 and any(np.any(np.abs(v) > a["clip_value"]) for v in g1.values()):
            active["clip_value"] = True
        if a["clip_norm"] > 0 and np.sqrt(sum(np.sum(v * v) for v in g1.values())) > a["clip_norm"]:
            active["clip_norm"] = True
        unclamped = Reference(kind, ref_options, dict(adjust, clamp_min=-np.inf, clamp_max=np.inf))
        unclamped.t, unclamped.state = ref.t, {n: {q: s.copy() for q, s in st.items()}
                                                 for n, st in ref.state.items()}
        free = unclamped.step(w, g)
        if any(np.any((free[n] < a["clamp_min"]) | (free[n] > a["clamp_max"])) for n in free if not is_bias(n)):
            active["clamp"] = True
        if np.any((free["output.bias"] < a["clamp_min"]) | (free["output.bias"] > a["clamp_max"])):
            active["bias_out"] = True  # the bias leaves the bounds: it must not be clamped
        if plain is not None:
            other = plain.step(w, g)
            override_effect = max(override_effect, max(relative_error(got[n], other[n]) for n in names))
        want = ref.step(w, g)
        for n in names:
            if not checker.check(n in got and got[n].shape == want[n].shape,
                                 "%s step %d: %s missing or of shape %s, expected %s"
                                 % (name, k + 1, n, got.get(n, np.zeros(0)).shape, want[n].shape)):
                continue
            err = relative_error(got[n], want[n])
            worst = max(worst, err)
            if not checker.check(err <= TOLERANCE, "%s step %d: %s differs from the reference by %.3g relative"
                                 % (name, k + 1, n, err)):
                idx = np.unravel_index(np.argmax(np.abs(got[n] - want[n])), want[n].shape)
                print("    at %s: got %.17g, expected %.17g (w_k %.17g, g_k %.17g)"
                      % (idx, got[n][idx], want[n][idx], w[n][idx], g[n][idx]))
        # Every array moved (a step that changes nothing would pass vacuously).
        for n in names:
            checker.check(np.any(got[n] != w[n]), "%s step %d: %s did not change" % (name, k + 1, n))
        w = got
    if adjust.get("clip_value"):
        checker.check(active["clip_value"], "%s: the value clipping never acted (test setup)" % name)
    if adjust.get("clip_norm"):
        checker.check(active["clip_norm"], "%s: the norm clipping never acted (test setup)" % name)
    if "clamp_min" in adjust:
        checker.check(active["clamp"], "%s: the clamp never acted (test setup)" % name)
    if name == "adam_clamp":
        checker.check(active["bias_out"], "%s: the bias never left the clamp's bounds (test setup)" % name)
    if plain is not None:
        checker.check(override_effect > 1e4 * TOLERANCE,
                      "%s: the override %s changed the weights by only %.3g relative"
                      % (name, " ".join(overrides), override_effect))
    checker.note("%-22s %d steps, max relative error %.3g%s" % (
        name, K, worst, (", override effect %.3g" % override_effect) if plain is not None else ""))
    return exe, work


def main():
    args = e2e.parse_args(__doc__, lambda p: p.add_argument("--case", default="all"))
    checker = e2e.Checker("workflow_optimizers")
    cases = [c for c in CASES if args.case in ("all", c[0])]
    if not cases:
        e2e.setup_error("no case named %s" % args.case)
    adam_exe = None
    for case in cases:
        exe, work = run_case(args, checker, case)
        if case[0] == "adam":
            adam_exe, adam_work = exe, work
    if adam_exe is not None:
        proc = e2e.run_model(adam_exe, adam_work, ["--beta1", "1.5", "--epochs", "1"], expect_ok=False)
        checker.check(proc.returncode == 1, "--beta1 1.5: exit %d, expected 1" % proc.returncode)
        checker.check("--beta1" in proc.stderr + proc.stdout,
                      "--beta1 1.5: the message does not name --beta1: %r" % (proc.stderr + proc.stdout))
        checker.note("--beta1 1.5 -> exit %d: %s" % (proc.returncode, (proc.stderr + proc.stdout).strip()))
    checker.finish()


if __name__ == "__main__":
    main()
