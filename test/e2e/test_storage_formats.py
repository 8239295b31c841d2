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


def lowered(args, path):
    proc = e2e.run_process([args.snnc, "--emit=lowered", path, "-o", "-"], args.work)
    if proc.returncode != 0:
        e2e.setup_error("snnc --emit=lowered failed: " + proc.stderr)
    storage = re.findall(r"^  (.*): (dense|ragged) \(", proc.stdout, re.M)
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


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("storage_formats")
    simulation(args, check)
    training(args, check, "eprop", "online")
    training(args, check, "eprop", "adjoint")
    training(args, check, "bptt", None)
    check.finish()


if __name__ == "__main__":
    main()
