#!/usr/bin/python3
"""e2e: recordings of chosen training examples (`record ... on example N`).

runtime/lib/TrainingRecorder.h documents the file: whenever example N of the
training data runs (a training batch, the validation set's or the test
split's evaluation) the recorder stores one "presentation" of it: spikes as
`<pop>_spikes_t` (step * dt), `_i`, `_b` (presentation), `_example`, and per
presentation `_epoch` (1-based; 0 for --epochs 0) and `_pass` (0 training,
1 validation, 2 test split); states as `<pop>_<var>` [presentations, steps,
neurons], `_neurons`, `_examples`, `_epoch`, `_pass`, and `t` = (step + 1) dt.

The model: 6 latency-encoded inputs -> 8 recurrent ALIF -> 3 Readout
(dense, delay 0 for input and readout, fixed_probability(1.0, autapses:
false) recurrence), 20 steps of 1 ms, 12 dense examples, double precision.
The numpy truth is eprop_reference.forward (Bellec et al. 2020's ALIF and
readout equations from docs/training.md) fed the latency spikes documented
there (one spike per feature at step round((1 - x/M)(T - 1)), none for x =
0) and the initial weights the executable writes with --epochs 0
--weights-out.

1. Passes. For seeds 1..6 with --validation-split 0.25 --test-split 0.25,
   and once with no split: the recorded example appears exactly once per
   epoch (epochs 1, 2, 3), always with the same pass, which is 0 without
   splits. The pass is cross-checked independently of the recorder: with
   --lr 1e-300 the weights never change, so the metrics' validation_loss
   (test_loss) is the mean of the numpy losses (cross-entropy of the mean
   readout) of a subset of the examples; every subset of the printed size
   whose mean matches (1e-9) must contain the example iff its pass is 1
   (2). The seeds must cover all three passes.
2. Exactness. --lr 1e-300 leaves the weights bit-identical to those of
   --epochs 0 (checked); then every presentation's hidden spikes equal the
   numpy forward pass exactly and hidden.v to 1e-12, and all presentations
   are identical. With the regime's learning rate (adam, 0.01) and one
   batch per epoch (--batch 16), later presentations differ from the first,
   and each presentation equals the forward pass with the weights of its
   moment: a training presentation of epoch k the weights after k - 1
   epochs, a validation or test presentation of epoch k those after k
   epochs (from --epochs K --weights-out).
3. Selection: `spikes(hidden[0:8:2])` and `hidden[0:8:2].v` record only
   neurons 0, 2, 4, 6 (`_i`, `_neurons`, the state's last axis), with the
   reference's values.
4. Two records of the same population in one file: the second gets the
   suffix _2 on every array name (`hidden_spikes_t_2`, ..., `hidden_v_2`,
   `hidden_v_neurons_2`, ...: the convention of the simulation recorder,
   runtime/lib/Recorder.h, which snn-plot's `--population hidden_2` reads);
   `to "other.npz"` writes a separate file that the default file does not
   duplicate.
5. Errors: a train-regime record without `on example N` is a compile error
   (exit 1, "needs 'on example N'"); `on example` in a simulate regime too.
6. tools/snn-plot draws a raster of the recording: `raster FILE --population
   hidden --example N -o r.png` exits 0 and writes a PNG (also for the _2
   record).
"""

import itertools
import json
import os
import re
import subprocess
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import eprop_reference as ref  # noqa: E402

INPUTS, HIDDEN, CLASSES, STEPS, EXAMPLES = 6, 8, 3, 20, 12
DT = 1e-3
LATENCY_MAX = 1.0
EXAMPLE = 3  # the recorded example of the main model
TOL = 1e-12
TINY_LR = "1e-300"
SEEDS = range(1, 7)
EPOCHS = 3
PARAMS = dict(tau_mem=20e-3, tau_adapt=100e-3, tau_out=15e-3, v_th=0.3, beta=0.1)

MODEL = """import std.neurons.{{ALIF, Readout}}
import std.inputs.SpikeSource

network Rec {{
  population input  = SpikeSource x {inputs}
  population hidden = ALIF(tau_mem: 20 ms, tau_adapt: 100 ms, v_th: 0.3, beta: 0.1) x {hidden}
  population output = Readout(tau_mem: 15 ms) x {classes}
  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.8)
  connect hidden -> hidden : fixed_probability(1.0, autapses: false), weight ~ normal(0, 0.2)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.3)
}}

train Rec with eprop {{
  data train = dense("data.npz", encode: latency(max: {latency_max:g}))
  validation_split = 0.25
  dt = 1 ms;  timesteps = {steps};  batch = 4;  epochs = {epochs};  seed = 5
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 0.01)
{records}
}}
"""

MAIN_RECORDS = ["record spikes(hidden) on example %d" % EXAMPLE,
                "record hidden.v on example %d" % EXAMPLE]
# (record, example, default file?)
MULTI_RECORDS = ["record spikes(hidden) on example 3",
                 "record spikes(hidden[0:8:2]) on example 5",
                 "record hidden[0:8:2].v on example 3",
                 "record hidden.v on example 5",
                 'record hidden.v on example 7 to "other.npz"']
EVEN = np.array([0, 2, 4, 6])
SPIKE_FIELDS = {"hidden_spikes": ["hidden_spikes_" + f for f in ("t", "i", "b", "example", "epoch", "pass")]}
STATE_FIELDS = {"hidden_v": ["hidden_v"] + ["hidden_v_" + f for f in ("neurons", "examples", "epoch", "pass")]}

SIMULATE = """import std.neurons.LIF

network Sim {
  population cell = LIF x 2
}

simulate Sim {
  dt = 0.1 ms
  duration = 10 ms
  record spikes(cell) on example 0
}
"""


# ---------------------------------------------------------------- reference
def make_data():
    """Features in [0, 1] whose latency steps are far from rounding ties, a
    few zeros (no spike); labels cycle through the classes."""
    rng = np.random.default_rng(2024)
    x = rng.uniform(0.05, 1.0, (EXAMPLES, INPUTS))
    x[rng.random(x.shape) < 0.1] = 0.0
    frac = ((1.0 - x / LATENCY_MAX) * (STEPS - 1)) % 1.0
    near_tie = np.abs(frac - 0.5) < 1e-3
    x[near_tie] += 0.01
    y = np.arange(EXAMPLES) % CLASSES
    return x, y


def latency(features):
    """docs/training.md: one spike per feature at step round((1 - x)(T - 1)),
    x = value / M; none for x = 0. Returns the raster [T, I]."""
    raster = np.zeros((STEPS, features.size))
    for i, value in enumerate(features):
        x = value / LATENCY_MAX
        if x == 0:
            continue
        raster[int(np.floor((1.0 - x) * (STEPS - 1) + 0.5)), i] = 1.0
    return raster


def net_of(weights):
    return ref.Net(w_in=np.array(weights["input->hidden"]), w_rec=np.array(weights["hidden->hidden"]),
                   w_out=np.array(weights["hidden->output"]), alif=True, dt=DT, **PARAMS)


def forward(weights, features):
    return ref.forward(net_of(weights), latency(features))


def example_losses(weights, xs, ys):
    """Cross-entropy of the time-averaged readout (readout = mean(output.v))."""
    regime = ref.Regime(loss=ref.CE, aggregate="mean")
    return np.array([ref.readout_loss(forward(weights, x)["y"], label, regime)[0]
                     for x, label in zip(xs, ys)])


# ---------------------------------------------------------------- helpers
class Case:
    def __init__(self, args, check, xs, ys):
        self.args, self.check, self.xs, self.ys = args, check, xs, ys
        self.exes = {}

    def write(self, name, text):
        path = os.path.join(self.args.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def model(self, records):
        return MODEL.format(inputs=INPUTS, hidden=HIDDEN, classes=CLASSES, steps=STEPS, epochs=EPOCHS,
                            latency_max=LATENCY_MAX, records="\n".join("  " + r for r in records))

    def compile(self, name, records):
        path = self.write(name + ".snn", self.model(records))
        self.exes[name] = e2e.compile_model(self.args.snnc, path, self.args.work, name,
                                            ["--precision=double"])

    def run(self, name, tag, extra):
        """Runs in its own directory (the default recording file lands in
        the current directory); returns (stdout, dir)."""
        d = os.path.join(self.args.work, "runs", tag)
        os.makedirs(d, exist_ok=True)
        os.symlink(os.path.join(self.args.work, "data.npz"), os.path.join(d, "data.npz"))
        proc = e2e.run_model(self.exes[name], d, list(extra))
        return proc.stdout, d


def spike_raster(data, stem, presentation, neurons):
    """The recorded spikes of one presentation as a [T, len(neurons)] 0/1 array."""
    sel = data[stem + "_b"] == presentation
    steps = np.rint(data[stem + "_t"][sel] / DT).astype(np.int64)
    index = np.searchsorted(neurons, data[stem + "_i"][sel])
    out = np.zeros((STEPS, len(neurons)))
    np.add.at(out, (steps, index), 1.0)
    return out


def set_sizes(stdout):
    """(validation, test) example counts from the summary line."""
    m = re.search(r"training on (\d+) examples(?:, validating on (\d+))?(?:, testing on (\d+))?", stdout)
    if not m:
        e2e.setup_error("no 'training on N examples' line in:\n" + stdout)
    return int(m.group(2) or 0), int(m.group(3) or 0)


def subsets_matching(losses, size, value):
    return [set(c) for c in itertools.combinations(range(len(losses)), size)
            if abs(np.mean(losses[list(c)]) - value) <= 1e-9 * max(1.0, abs(value))]


def check_presentations(check, label, data, stem, example, epochs):
    """Exactly one presentation per epoch 1..epochs, one pass throughout;
    returns the pass (or None)."""
    ep, ps = data[stem + "_epoch"], data[stem + "_pass"]
    check.check(list(ep) == list(range(1, epochs + 1)),
                "%s: %s_epoch is %s, expected each of 1..%d once" % (label, stem, ep.tolist(), epochs))
    check.check(np.all(np.isin(ps, [0, 1, 2])), "%s: %s_pass has %s" % (label, stem, ps.tolist()))
    if not check.check(ps.size > 0 and np.all(ps == ps[0]),
                       "%s: %s_pass %s changes between epochs (the example is in two sets)"
                       % (label, stem, ps.tolist())):
        return None
    key = stem + ("_example" if "_spikes" in stem else "_examples")
    if "_spikes" in stem:
        check.check(np.all(data[key] == example), "%s: %s holds %s" % (label, key, np.unique(data[key])))
    else:
        check.check(np.all(data[key] == example) and data[key].size == ep.size,
                    "%s: %s is %s" % (label, key, data[key].tolist()))
    return int(ps[0])


def compare_to_reference(check, label, data, spikes_stem, v_stem, want, presentations, neurons=None):
    """Spikes exact and v to TOL for the given presentations against one
    reference forward pass `want` (or a list of them)."""
    all_neurons = np.arange(HIDDEN) if neurons is None else neurons
    for b in presentations:
        w = want[b] if isinstance(want, list) else want
        if spikes_stem:
            got = spike_raster(data, spikes_stem, b, all_neurons)
            expected = w["z"][:, all_neurons]
            check.check(np.array_equal(got, expected),
                        "%s: presentation %d: spikes differ from numpy at (step, neuron) %s"
                        % (label, b, np.argwhere(got != expected)[:4].tolist()))
        if v_stem:
            e2e.compare_traces(check, "%s: presentation %d v" % (label, b), data[v_stem][b],
                               w["v"][:, all_neurons], TOL, TOL)


# ---------------------------------------------------------------- parts
def part_passes_and_exactness(case):
    check, xs, ys, work = case.check, case.xs, case.ys, case.args.work
    seen_passes = set()
    runs = [("seed%d" % s, ["--seed", str(s), "--validation-split", "0.25", "--test-split", "0.25"])
            for s in SEEDS]
    runs.append(("nosplit", ["--seed", "1", "--validation-split", "0"]))
    by_pass = {}
    for tag, options in runs:
        _, d0 = case.run("main", tag + "_w0", options + ["--epochs", "0", "--weights-out", "w0.npz", "--quiet"])
        w0 = e2e.load_npz(os.path.join(d0, "w0.npz"))
        out, d = case.run("main", tag, options + ["--epochs", str(EPOCHS), "--lr", TINY_LR,
                                                  "--weights-out", "w.npz", "--metrics", "m.jsonl"])
        w = e2e.load_npz(os.path.join(d, "w.npz"))
        check.check(sorted(w) == sorted(w0) and all(np.array_equal(w[k], w0[k]) for k in w0),
                    "%s: --lr %s changed the weights" % (tag, TINY_LR))
        data = e2e.load_npz(os.path.join(d, "Rec_recordings.npz"))
        check.check(np.allclose(data["t"], (np.arange(STEPS) + 1) * DT, rtol=1e-15, atol=0),
                    "%s: t is %s" % (tag, data["t"][:4]))
        p_spikes = check_presentations(check, tag, data, "hidden_spikes", EXAMPLE, EPOCHS)
        p_v = check_presentations(check, tag, data, "hidden_v", EXAMPLE, EPOCHS)
        check.check(p_spikes == p_v, "%s: the spike record says pass %s, the state record %s"
                    % (tag, p_spikes, p_v))
        if tag == "nosplit":
            check.check(p_v == 0, "nosplit: pass %s without validation or test split" % p_v)
        if p_v is not None:
            seen_passes.add(p_v)
            by_pass.setdefault(p_v, tag)

        # Independent check of the pass: the metrics' losses are the means
        # of the numpy losses of the held-out subsets.
        losses = example_losses(w0, xs, ys)
        n_val, n_test = set_sizes(out)
        with open(os.path.join(d, "m.jsonl")) as f:
            metrics = [json.loads(line) for line in f if line.strip()]
        for key, size, pass_id in (("validation_loss", n_val, 1), ("test_loss", n_test, 2)):
            if size == 0:
                continue
            value = metrics[0].get(key)
            if not check.check(value is not None, "%s: no %s in the metrics" % (tag, key)):
                continue
            match = subsets_matching(losses, size, value)
            if not check.check(len(match) > 0, "%s: no %d examples have the mean loss %s = %.17g (numpy)"
                               % (tag, size, key, value)):
                continue
            inside = {EXAMPLE in m for m in match}
            check.check(inside == {p_v == pass_id},
                        "%s: the %s set (from %s) %s example %d, but its recorded pass is %s"
                        % (tag, key.split("_")[0], key, "contains" if True in inside else "lacks", EXAMPLE, p_v))

        # Exactness against the numpy forward pass; presentations identical.
        want = forward(w0, xs[EXAMPLE])
        spikes = int(want["z"].sum())
        check.check(5 <= spikes <= STEPS * HIDDEN * 3 // 4 and want["a"].max() > 0.5,
                    "%s: the reference's %d spikes do not exercise the ALIF" % (tag, spikes))
        compare_to_reference(check, tag, data, "hidden_spikes", "hidden_v", want, range(EPOCHS))
        for b in range(1, EPOCHS):
            check.check(np.array_equal(data["hidden_v"][b], data["hidden_v"][0]),
                        "%s: presentation %d of hidden.v differs from presentation 0" % (tag, b))
            check.check(np.array_equal(spike_raster(data, "hidden_spikes", b, np.arange(HIDDEN)),
                                       spike_raster(data, "hidden_spikes", 0, np.arange(HIDDEN))),
                        "%s: presentation %d of the spikes differs from presentation 0" % (tag, b))
    case.check.note("passes seen over the seeds: %s (runs %s)" % (sorted(seen_passes), by_pass))
    if seen_passes != {0, 1, 2}:
        e2e.setup_error("the seeds put example %d only in passes %s; choose other seeds"
                        % (EXAMPLE, sorted(seen_passes)))
    return by_pass


def part_training_changes(case, by_pass):
    """Normal learning rate, one batch per epoch: each presentation equals
    the forward pass with the weights of its moment."""
    check, xs = case.check, case.xs
    for pass_id in (0, 1, 2):
        seed = by_pass[pass_id].replace("seed", "")
        options = ["--seed", seed, "--validation-split", "0.25", "--test-split", "0.25", "--batch", "16"]
        weights = []
        for k in range(EPOCHS + 1):
            _, d = case.run("main", "lr_p%d_w%d" % (pass_id, k),
                            options + ["--epochs", str(k), "--weights-out", "w.npz", "--quiet"])
            weights.append(e2e.load_npz(os.path.join(d, "w.npz")))
        data = e2e.load_npz(os.path.join(d, "Rec_recordings.npz"))  # the run of EPOCHS epochs
        label = "lr 0.01, pass %d" % pass_id
        got_pass = check_presentations(check, label, data, "hidden_v", EXAMPLE, EPOCHS)
        check.check(got_pass == pass_id, "%s: recorded pass %s, the --lr 1e-300 run of seed %s said %d"
                    % (label, got_pass, seed, pass_id))
        check.check(not np.array_equal(weights[EPOCHS]["input->hidden"], weights[0]["input->hidden"]),
                    "%s: training did not change the weights" % label)
        v = data["hidden_v"]
        for b in range(1, EPOCHS):
            diff = float(np.max(np.abs(v[b] - v[0])))
            check.check(diff > 1e-6, "%s: presentation %d of hidden.v equals the first (max diff %.3g)"
                        % (label, b, diff))
        # training: epoch k runs with the weights after k - 1 epochs (one
        # batch per epoch); evaluation: after k epochs.
        offset = 0 if pass_id == 0 else 1
        want = [forward(weights[b + offset], xs[EXAMPLE]) for b in range(EPOCHS)]
        compare_to_reference(check, label, data, "hidden_spikes", "hidden_v", want, range(EPOCHS))


def part_selection_and_files(case):
    check, xs = case.check, case.xs
    options = ["--seed", "2", "--validation-split", "0"]
    _, d0 = case.run("multi", "multi_w0", options + ["--epochs", "0", "--weights-out", "w0.npz", "--quiet"])
    w0 = e2e.load_npz(os.path.join(d0, "w0.npz"))
    _, d = case.run("multi", "multi", options + ["--epochs", str(EPOCHS), "--lr", TINY_LR, "--quiet"])
    default = os.path.join(d, "Rec_recordings.npz")
    other = os.path.join(d, "other.npz")
    raw = e2e.load_npz(default)
    # The second record's arrays: the suffix on every array name, as the
    # simulation recorder (runtime/lib/Recorder.h: "a suffix _2, _3, ... on
    # all its arrays") and snn-plot (`--population hidden_2` reads
    # hidden_spikes_t_2, ...) name them.
    expected = set(SPIKE_FIELDS["hidden_spikes"]) | set(STATE_FIELDS["hidden_v"])
    expected |= {name + "_2" for name in expected} | {"t"}
    names_ok = check.check(set(raw) == expected,
                           "multi: the default file's arrays are %s; missing %s, unexpected %s"
                           % (sorted(raw), sorted(expected - set(raw)), sorted(set(raw) - expected)))
    # The value checks below run whichever naming the file uses (a wrong
    # one has failed above): `data` holds the second record's arrays under
    # hidden_spikes_2_t, hidden_v_2_neurons, ... (found as either name).
    data = {"t": raw.get("t")}
    for base, fields in list(SPIKE_FIELDS.items()) + list(STATE_FIELDS.items()):
        for tag in ("", "_2"):
            for name in fields:
                field = name[len(base):]  # "", "_t", "_neurons", ...
                for candidate in (name + tag, base + tag + field):
                    if candidate in raw:
                        data[base + tag + field] = raw[candidate]
                        break
    wanted = [base + tag + name[len(base):] for base, fields in
              list(SPIKE_FIELDS.items()) + list(STATE_FIELDS.items()) for tag in ("", "_2") for name in fields]
    missing = [name for name in wanted if name not in data]
    if not check.check(not missing and data["t"] is not None, "multi: no arrays %s" % missing):
        return d, names_ok
    if not check.check(os.path.isfile(other), "multi: 'to \"other.npz\"' wrote no other.npz"):
        return d, names_ok
    odata = e2e.load_npz(other)
    check.check(set(odata) == set(STATE_FIELDS["hidden_v"]) | {"t"},
                "multi: other.npz holds %s, expected only the one hidden.v record and t" % sorted(odata))
    if "hidden_v" not in odata:
        return d, names_ok

    ref3, ref5, ref7 = (forward(w0, xs[e]) for e in (3, 5, 7))
    # 1: spikes(hidden) on example 3 -- all neurons
    check_presentations(check, "multi spikes(hidden)", data, "hidden_spikes", 3, EPOCHS)
    compare_to_reference(check, "multi spikes(hidden) ex 3", data, "hidden_spikes", None, ref3, range(EPOCHS))
    # 2: spikes(hidden[0:8:2]) on example 5 -- the _2 suffix, even neurons only
    check_presentations(check, "multi spikes(hidden[0:8:2])", data, "hidden_spikes_2", 5, EPOCHS)
    got_i = np.unique(data["hidden_spikes_2_i"])
    check.check(set(got_i.tolist()) <= set(EVEN.tolist()),
                "selection: spikes(hidden[0:8:2]) recorded neurons %s" % got_i.tolist())
    check.check(ref5["z"][:, [1, 3, 5, 7]].sum() > 0 and ref5["z"][:, EVEN].sum() > 0,
                "selection: the reference of example 5 does not fire in both odd and even neurons")
    compare_to_reference(check, "multi spikes(hidden[0:8:2]) ex 5", data, "hidden_spikes_2", None, ref5,
                         range(EPOCHS), neurons=EVEN)
    # 3: hidden[0:8:2].v on example 3 -- hidden_v, neurons 0 2 4 6
    check_presentations(check, "multi hidden[0:8:2].v", data, "hidden_v", 3, EPOCHS)
    check.check(data["hidden_v_neurons"].tolist() == EVEN.tolist(),
                "selection: hidden_v_neurons is %s" % data["hidden_v_neurons"].tolist())
    check.check(data["hidden_v"].shape == (EPOCHS, STEPS, EVEN.size),
                "selection: hidden_v has shape %s" % (data["hidden_v"].shape,))
    if data["hidden_v"].shape == (EPOCHS, STEPS, EVEN.size):
        compare_to_reference(check, "multi hidden[0:8:2].v ex 3", data, None, "hidden_v", ref3, range(EPOCHS),
                             neurons=EVEN)
    # 4: hidden.v on example 5 -- hidden_v_2, all neurons
    check_presentations(check, "multi hidden.v (2nd)", data, "hidden_v_2", 5, EPOCHS)
    check.check(data["hidden_v_2_neurons"].tolist() == list(range(HIDDEN)),
                "hidden_v_2_neurons is %s" % data["hidden_v_2_neurons"].tolist())
    compare_to_reference(check, "multi hidden.v ex 5 (_2)", data, None, "hidden_v_2", ref5, range(EPOCHS))
    # 5: hidden.v on example 7 to "other.npz"
    check_presentations(check, "other.npz hidden.v", odata, "hidden_v", 7, EPOCHS)
    check.check(np.allclose(odata["t"], (np.arange(STEPS) + 1) * DT, rtol=1e-15, atol=0) if "t" in odata
                else False, "other.npz: no t, or a wrong one")
    compare_to_reference(check, "other.npz hidden.v ex 7", odata, None, "hidden_v", ref7, range(EPOCHS))
    return d, names_ok


def part_errors(case):
    check, work = case.check, case.args.work
    text = case.model(["record spikes(hidden)"])
    path = case.write("noexample.snn", text)
    proc = e2e.run_process([case.args.snnc, path, "-o", os.path.join(work, "noexample")], cwd=work)
    check.check(proc.returncode == 1 and "needs 'on example N'" in proc.stderr,
                "a train record without 'on example': exit %d, stderr %r" % (proc.returncode, proc.stderr[:400]))
    path = case.write("sim.snn", SIMULATE)
    proc = e2e.run_process([case.args.snnc, path, "-o", os.path.join(work, "sim")], cwd=work)
    check.check(proc.returncode == 1 and "error:" in proc.stderr and "simulate" in proc.stderr
                and not os.path.exists(os.path.join(work, "sim")),
                "'on example' in a simulate regime: exit %d, stderr %r" % (proc.returncode, proc.stderr[:400]))
    # control: the same simulate model without the filter compiles
    path = case.write("sim_ok.snn", SIMULATE.replace(" on example 0", ""))
    proc = e2e.run_process([case.args.snnc, path, "-o", os.path.join(work, "sim_ok")], cwd=work)
    check.check(proc.returncode == 0, "the simulate model without 'on example' does not compile: %s"
                % proc.stderr[:400])


def part_plot(case, d, names_ok):
    check = case.check
    plot = os.path.join(e2e.SOURCE_ROOT, "tools", "snn-plot", "snn-plot")
    # hidden_2 needs the documented names (checked in part 4; not repeated).
    for population, example in (("hidden", 3),) + ((("hidden_2", 5),) if names_ok else ()):
        out = os.path.join(d, "raster_%s.png" % population)
        argv = ["/usr/bin/python3", plot, "raster", os.path.join(d, "Rec_recordings.npz"),
                "--population", population, "--example", str(example), "-o", out, "--print-stats"]
        try:
            proc = subprocess.run(argv, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=120)
        except subprocess.TimeoutExpired:
            e2e.setup_error("snn-plot timed out")
        ok = check.check(proc.returncode == 0, "snn-plot raster --population %s --example %d: exit %d\n%s%s"
                         % (population, example, proc.returncode, proc.stdout, proc.stderr))
        if ok:
            with open(out, "rb") as f:
                check.check(f.read(8) == b"\x89PNG\r\n\x1a\n", "snn-plot wrote no PNG to %s" % out)
            m = re.search(r"points: (\d+)", proc.stdout)
            check.check(m is not None and int(m.group(1)) > 0,
                        "snn-plot raster %s: drew %r" % (population, proc.stdout.strip()))


def main():
    args = e2e.parse_args(__doc__)
    check = e2e.Checker("training record")
    xs, ys = make_data()
    np.savez(os.path.join(args.work, "data.npz"), x=xs, y=ys)
    case = Case(args, check, xs, ys)
    case.compile("main", MAIN_RECORDS)
    case.compile("multi", MULTI_RECORDS)
    by_pass = part_passes_and_exactness(case)
    part_training_changes(case, by_pass)
    d, names_ok = part_selection_and_files(case)
    part_errors(case)
    part_plot(case, d, names_ok)
    check.finish()


if __name__ == "__main__":
    main()
