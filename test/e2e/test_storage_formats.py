"""e2e: every storage format of a projection gives the same numbers.

The sparsify pass stores a projection that connects every pair (dense, or
fixed_probability(1) without autapses) in the dense format: no index per
synapse, the post neuron is the synapse's place in its row. The same
models are built twice, once as chosen and once with every projection
forced to `sparse(format: ragged)`, and must agree bit for bit:

1. A simulation (float64) with a recurrent projection without autapses
   (rows that skip the diagonal), undelayed, delayed (one delay and a
   delay per synapse) and STDP (a synapse model, `on pre` and `on post`)
   projections, drawn weights: the same spikes, membrane traces and
   conductances over 200 steps.
2. E-prop training on the digits (online and adjoint strategies) and BPTT:
   the same trained weights (every element equal) and the same losses.

3. The formats that store no row (ragged is the reference): a bitmask
   (constant weights: input, a projection onto a 70-neuron population whose
   rows end inside a word, a zero-delay dense feedback) and procedural
   fixed_probability rows regenerated from the RNG (constant and drawn
   weights, a recurrence without autapses), with deliveries gated by
   refractoriness, a batch of 3, in float and in double: every spike and
   trace bit-identical, the same synapse count, and fewer bytes; and
   conv2d ("same" padding; stride 2) and avg_pool2d rows computed from the
   window, with drawn and constant weights.

Each build's --emit=lowered is read to make sure the formats differ (dense
leaves out the target buffers: fewer bytes) so the comparison is not
vacuous.
"""

import os
import re
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

FORCED = ", sparse(format: ragged)"

SIMULATION = """
import std.synapses.STDP
import std.inputs.SpikeSource

neuron Cell {
  param tau = 10 ms
  param tau_g = 5 ms
  state v = 0
  state g = 0 nS
  input i : Hz
  dv/dt = -v / tau + g / (1 nS) / tau + i
  dg/dt = -g / tau_g
  spike when v > 1
  on spike { v = 0 }
}

network Net {
  population src = SpikeSource x 20
  population hid = Cell x 30
  population out = Cell x 10
  connect src -> hid : dense, delay 0, weight ~ normal(0.3, 0.2)@S@
  connect hid -> hid : fixed_probability(1, autapses: false), weight ~ normal(0, 0.2)@S@
  connect hid -> out : dense, delay 3, weight ~ uniform(0, 0.4)@S@
  connect src -> out : dense, synapse STDP(w_max: 2 nS), weight ~ uniform(0 nS, 2 nS)@S@
  connect hid -> out : dense, delay ~ uniform(1 ms, 4 ms), weight 0.05@S@
}
simulate Net {
  dt = 1 ms;  duration = 200 ms;  seed = 7
  input src = spike_times("in.csv")
  record spikes(hid), spikes(out), hid.v, out.v, out.g to "@NAME@.npz"
}
"""

TRAINING = """
import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource
network Digits {
  population input = SpikeSource x 64
  population hidden = ALIF(tau_adapt: 100 ms, beta: 0.05) x 40
  population output = Readout(tau_mem: 20 ms) x 10
  connect input -> hidden : dense, delay 0, weight ~ normal(0, 0.35)@S@
  connect hidden -> hidden : fixed_probability(1, autapses: false), weight ~ normal(0, 0.05)@S@
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.1)@S@
}
train Digits with @METHOD@ {
  data train = dense("@DATA@", encode: latency(max: 16))
  test_split = 0.2
  dt = 1 ms;  timesteps = 20;  batch = 32;  epochs = 1;  seed = 3
  readout = mean(output.v)
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 5e-3)
}
"""


GENERATED = """
import std.inputs.SpikeSource

neuron Cell {
  param tau = 10 ms
  state v = 0
  state g = 0
  refractory = 3 ms
  dv/dt = (g - v) / tau  unless refractory
  dg/dt = -g / (5 ms)
  spike when v > 0.5
  on spike { v = 0 }
}

network Net {
  population src = SpikeSource x 40
  population a = Cell x 300
  population b = Cell x 70
  connect src -> a.g : fixed_probability(0.1), weight 0.9@SRC@
  connect a -> a.g : fixed_probability(0.05, autapses: false), weight ~ normal(0.05, 0.3)@REC@
  connect a -> b.v : fixed_probability(0.3), weight 0.04@AB@
  connect b -> a.g : dense, delay 0, weight -0.01@BA@
}
simulate Net {
  dt = 0.5 ms;  duration = 150 ms;  seed = 5;  batch = 3
  input src = spike_times("gen_in.csv")
  init a.v, b.v ~ uniform(0, 0.5)
  record spikes(a), spikes(b), a.v, a.g, b.v to "@NAME@.npz"
}
"""

WINDOWS = """
import std.inputs.Poisson
import std.neurons.{LeakyIntegrator, LIF}
network Net {
  population noise = Poisson(rate: 60 Hz) x 9x9x2
  population conv = LIF x 9x9x3
  population strided = LeakyIntegrator x 4x4x2
  population pooled = LeakyIntegrator x 4x4x2
  connect noise -> conv : conv2d(3x3, padding: "same"), weight ~ normal(8 mV, 6 mV)@S@
  connect noise -> strided : conv2d(4x4, stride: 2, padding: 1), weight 0.3@S@
  connect noise -> pooled : avg_pool2d(2x2), weight ~ uniform(0.1, 0.4)@S@
}
simulate Net {
  dt = 0.5 ms;  duration = 100 ms;  seed = 9;  batch = 2
  record spikes(conv), conv.v, strided.i, pooled.i to "@NAME@.npz"
}
"""

# The format each projection (in the order above) is forced to, per build.
GENERATED_FORMATS = {
    "ragged": ("ragged", "ragged", "ragged", "ragged"),
    "bitmask": ("bitmask", "procedural", "bitmask", "bitmask"),
    "procedural": ("procedural", "procedural", "procedural", "bitmask"),
}


def lowered(args, path):
    proc = e2e.run_process([args.snnc, "--emit=lowered", path, "-o", "-"], args.work)
    if proc.returncode != 0:
        e2e.setup_error("snnc --emit=lowered failed: " + proc.stderr)
    storage = re.findall(r"^  (.*): (dense|ragged|bitmask|procedural) \(", proc.stdout, re.M)
    total = re.search(r"^  total (\d+) bytes", proc.stdout, re.M)
    return [s for _, s in storage], int(total.group(1))


def build(args, check, name, text, forced, flags=()):
    source = text.replace("@S@", FORCED if forced else "").replace("@NAME@", name)
    path = os.path.join(args.work, name + ".snn")
    with open(path, "w") as f:
        f.write(source)
    formats, total = lowered(args, path)
    want = "ragged" if forced else "dense"
    check.check(formats and all(f == want for f in formats), "%s: every projection stored %s (%s)" %
                (name, want, ", ".join(formats)))
    return e2e.compile_model(args.snnc, path, args.work, name, list(flags)), total


def simulation(args, check):
    rng = np.random.default_rng(11)
    fired = rng.random((200, 20)) < 0.08
    e2e.write_spike_times(os.path.join(args.work, "in.csv"), fired, 1e-3)
    out = {}
    totals = {}
    for forced in (False, True):
        name = "sim_ragged" if forced else "sim_dense"
        exe, totals[forced] = build(args, check, name, SIMULATION, forced, ["--precision=double"])
        e2e.run_model(exe, args.work, ["--quiet"])
        out[forced] = e2e.load_npz(os.path.join(args.work, name + ".npz"))
    check.check(totals[False] < totals[True], "dense storage takes fewer bytes: %d < %d" % (totals[False], totals[True]))
    a, b = out[False], out[True]
    check.check(sorted(a) == sorted(b), "the same arrays recorded")
    for key in sorted(a):
        check.check(np.array_equal(a[key], b[key]), "simulation: %s equal across formats" % key)
    spikes = len(a["hid_spikes_t"]) + len(a["out_spikes_t"])
    check.check(len(a["hid_spikes_t"]) > 20 and len(a["out_spikes_t"]) > 5,
                "the network is active (%d hidden, %d output spikes)" % (len(a["hid_spikes_t"]),
                                                                           len(a["out_spikes_t"])))
    check.check(np.any(a["out_g"] != 0), "the STDP projection drives the conductance")
    check.note("simulation: %d spikes and every trace bit-identical, dense %d vs ragged %d bytes" %
               (spikes, totals[False], totals[True]))


def training(args, check, method, strategy):
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "digits.csv.gz")
    text = TRAINING.replace("@DATA@", os.path.abspath(data)).replace("@METHOD@", method)
    weights, losses = {}, {}
    tag = method + ("_" + strategy if strategy else "")
    for forced in (False, True):
        name = "%s_%s" % (tag, "ragged" if forced else "dense")
        flags = ["--eprop-strategy=" + strategy] if strategy else []
        exe, _ = build(args, check, name, text, forced, flags)
        e2e.run_model(exe, args.work, ["--quiet", "--weights-out", name + ".npz", "--metrics", name + ".jsonl"],
                      timeout=300)
        weights[forced] = e2e.load_npz(os.path.join(args.work, name + ".npz"))
        losses[forced] = e2e.load_metrics(os.path.join(args.work, name + ".jsonl"))
    a, b = weights[False], weights[True]
    check.check(sorted(a) == sorted(b) and len(a) == 3, "%s: the same trained parameters (%s)" % (tag, sorted(a)))
    for key in sorted(a):
        check.check(a[key].shape == b[key].shape and np.array_equal(a[key], b[key]),
                    "%s: trained %s equal across formats" % (tag, key))
    check.check(losses[False] == losses[True] and len(losses[False]) == 1,
                "%s: the same metrics %s" % (tag, losses[False]))
    check.note("%s: trained weights and metrics bit-identical across formats: %s" % (tag, losses[False][-1]))


def generated_rows(args, check, precision):
    rng = np.random.default_rng(3)
    e2e.write_spike_times(os.path.join(args.work, "gen_in.csv"), rng.random((300, 40)) < 0.05, 0.5e-3)
    out, totals, synapses = {}, {}, {}
    for how, formats in GENERATED_FORMATS.items():
        name = "gen_%s_%s" % (how, precision)
        source = GENERATED.replace("@NAME@", name)
        for marker, fmt in zip(("@SRC@", "@REC@", "@AB@", "@BA@"), formats):
            source = source.replace(marker, ", sparse(format: %s)" % fmt)
        path = os.path.join(args.work, name + ".snn")
        with open(path, "w") as f:
            f.write(source)
        got, totals[how] = lowered(args, path)
        check.check(tuple(got) == formats, "%s: stored %s" % (name, ", ".join(got)))
        exe = e2e.compile_model(args.snnc, path, args.work, name, ["--precision=" + precision])
        shown = e2e.run_model(exe, args.work, ["--help"]).stdout
        check.check(all("stored " + fmt in shown for fmt in formats), "%s: --help names the storage" % name)
        proc = e2e.run_model(exe, args.work, [])
        found = re.search(r"(\d+) synapses", proc.stdout)
        synapses[how] = int(found.group(1)) if found else -1
        out[how] = e2e.load_npz(os.path.join(args.work, name + ".npz"))
    ref = out["ragged"]
    for how in ("bitmask", "procedural"):
        check.check(synapses[how] == synapses["ragged"] > 0,
                    "%s %s: %d synapses, as ragged" % (how, precision, synapses[how]))
        check.check(totals[how] < totals["ragged"],
                    "%s %s: %d bytes < ragged %d" % (how, precision, totals[how], totals["ragged"]))
        check.check(sorted(out[how]) == sorted(ref), "%s %s: the same arrays recorded" % (how, precision))
        for key in sorted(ref):
            check.check(key in out[how] and np.array_equal(out[how][key], ref[key]),
                        "%s %s: %s equal to ragged's" % (how, precision, key))
    a, b = len(ref["a_spikes_t"]), len(ref["b_spikes_t"])
    examples = np.unique(ref["a_spikes_b"])
    check.check(a > 200 and b > 20, "the network is active (%d and %d spikes)" % (a, b))
    check.check(len(examples) == 3, "every example of the batch spikes (%s)" % list(examples))
    check.note("generated rows, %s: %d + %d spikes and every trace bit-identical; %d synapses; bytes ragged %d, "
               "bitmask %d, procedural %d" % (precision, a, b, synapses["ragged"], totals["ragged"],
                                              totals["bitmask"], totals["procedural"]))


def generated_windows(args, check):
    """conv2d and avg_pool2d rows computed from their windows (procedural)
    against the runtime's stored rows, drawn and constant weights."""
    out, totals = {}, {}
    for how in ("ragged", "procedural"):
        name = "windows_" + how
        path = os.path.join(args.work, name + ".snn")
        with open(path, "w") as f:
            f.write(WINDOWS.replace("@S@", ", sparse(format: %s)" % how).replace("@NAME@", name))
        got, totals[how] = lowered(args, path)
        check.check(got == [how] * 3, "%s: stored %s" % (name, ", ".join(got)))
        exe = e2e.compile_model(args.snnc, path, args.work, name, [])
        e2e.run_model(exe, args.work, [])
        out[how] = e2e.load_npz(os.path.join(args.work, name + ".npz"))
    a, b = out["ragged"], out["procedural"]
    check.check(sorted(a) == sorted(b), "windows: the same arrays recorded")
    for key in sorted(a):
        check.check(key in b and np.array_equal(a[key], b[key]), "windows: %s equal to ragged's" % key)
    spikes = len(a["conv_spikes_t"])
    check.check(spikes > 50 and np.any(a["strided_i"] != 0) and np.any(a["pooled_i"] != 0),
                "the windows deliver (%d conv spikes)" % spikes)
    check.check(totals["procedural"] < totals["ragged"], "windows: %d bytes < ragged %d" %
                (totals["procedural"], totals["ragged"]))
    check.note("procedural windows: %d conv spikes and every trace bit-identical; bytes ragged %d, procedural %d" %
               (spikes, totals["ragged"], totals["procedural"]))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("storage_formats")
    generated_rows(args, check, "float")
    generated_rows(args, check, "double")
    generated_windows(args, check)
    simulation(args, check)
    training(args, check, "eprop", "online")
    training(args, check, "eprop", "adjoint")
    training(args, check, "bptt", None)
    check.finish()


if __name__ == "__main__":
    main()
