"""e2e: `snnc --emit=nir` of trained weights and of std.neurons models.

1. A readout trained with e-prop on the digits (3 epochs) is exported with
   `--weights` (the file `--weights-out` wrote): the Linear node holds the
   trained weights exactly, the Readout becomes an LI node with r = tau /
   dt, and the exported graph, imported again, gives the readout the same
   membrane trace as the trained model simulated from the same weights
   (float64, within 1e-12).
2. A network of std.neurons LIF (with v_rest, i_offset and a reset) and
   LeakyIntegrator cells, constant and loaded weights, a delay of 2 steps
   and a recurrent projection, exported and imported again: the same spikes
   and membrane traces.
"""

import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402
import nir_graphs as ng  # noqa: E402

STEPS = 40


def run(args, name, text, npz):
    path = os.path.join(args.work, name + ".snn")
    with open(path, "w") as f:
        f.write(text)
    exe = e2e.compile_model(args.snnc, path, args.work, name, ["--precision=double"])
    e2e.run_model(exe, args.work, ["--quiet"])
    return e2e.load_npz(os.path.join(args.work, npz))


def export(args, name, extra=()):
    out = os.path.join(args.work, name + ".nir.h5")
    e2e.run_process([args.snnc, "--emit=nir", os.path.join(args.work, name + ".snn"), "-o", out] + list(extra),
                    args.work)
    return ng.read(out)[1]


def trained_readout(args, check, fired):
    data = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "digits.csv.gz")
    train = """
import std.neurons.Readout
import std.inputs.SpikeSource
network Lin {
  population pixels = SpikeSource x 64
  population digit = Readout(tau_mem: 20 ms) x 10
  connect pixels -> digit : dense, delay 0, weight ~ normal(0, 0.1)
}
train Lin with eprop {
  data train = dense("%s", encode: latency(max: 16))
  test_split = 0.2
  dt = 1 ms;  timesteps = 20;  batch = 32;  epochs = 3;  seed = 1
  readout = mean(digit.v)
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 5e-3)
}
""" % os.path.abspath(data)
    path = os.path.join(args.work, "lin.snn")
    with open(path, "w") as f:
        f.write(train)
    exe = e2e.compile_model(args.snnc, path, args.work, "lin")
    e2e.run_model(exe, args.work, ["--quiet", "--weights-out", "w.npz"])
    trained = np.load(os.path.join(args.work, "w.npz"))["pixels->digit"]
    graph = export(args, "lin", ["--weights", os.path.join(args.work, "w.npz")])
    nodes = graph["nodes"]
    check.check(nodes["pixels_digit"]["type"] == "Linear" and np.array_equal(nodes["pixels_digit"]["weight"], trained),
                "the Linear node holds the trained weights exactly")
    check.check(nodes["digit"]["type"] == "LI" and np.allclose(nodes["digit"]["r"], 20, rtol=1e-12, atol=0) and
                np.allclose(nodes["digit"]["tau"], 0.02, rtol=1e-12, atol=0) and not np.any(nodes["digit"]["v_leak"]),
                "Readout -> LI with tau 20 ms, r = tau / dt = 20, v_leak 0")
    check.check(("pixels", "pixels_digit") in graph["edges"] and ("pixels_digit", "digit") in graph["edges"],
                "edges pixels -> pixels_digit -> digit")
    original = run(args, "lin_sim", """
import std.neurons.Readout
import std.inputs.SpikeSource
network Lin {
  population pixels = SpikeSource x 64
  population digit = Readout(tau_mem: 20 ms) x 10
  connect pixels -> digit : dense, delay 0, weight load("w.npz", name: "pixels->digit")
}
simulate Lin { dt = 1 ms; duration = %d ms; input pixels = spike_times("in.csv"); record digit.v to "a.npz" }
""" % STEPS, "a.npz")
    imported = run(args, "lin_nir", """
import nir "lin.nir.h5" as Lin
simulate Lin { dt = 1 ms; duration = %d ms; input pixels = spike_times("in.csv"); record digit.v to "b.npz" }
""" % STEPS, "b.npz")
    a, b = original["digit_v"], imported["digit_v"]
    err = np.max(np.abs(a - b)) / np.max(np.abs(a))
    check.check(err < 1e-12 and np.max(np.abs(a)) > 0, "trained readout: max relative |snnc - NIR| = %.3g" % err)
    check.note("trained readout exported and imported again: v within %.2g" % err)


def lif_network(args, check):
    np.save(os.path.join(args.work, "w_out.npy"), np.random.default_rng(3).normal(1.0, 0.5, (3, 5)) * 1e-3)
    graph_model = """
import std.neurons.{LIF, LeakyIntegrator}
import std.inputs.SpikeSource
network Cells {
  population pixels = SpikeSource x 64
  population cells = LIF(tau_mem: 10 ms, v_rest: -2 mV, i_offset: 3 mV, v_reset: -5 mV, v_th: 8 mV) x 5
  population leaky = LeakyIntegrator(tau_mem: 30 ms) x 3
  connect pixels -> cells : dense, delay 0, weight 1.5 mV
  connect cells -> cells : dense, weight -0.2 mV
  connect cells -> leaky : dense, delay 2, weight load("w_out.npy")
}
simulate Cells { dt = 1 ms; duration = %d ms; input pixels = spike_times("in.csv"); record spikes(cells), cells.v, leaky.v to "%s" }
"""
    original = run(args, "cells", graph_model % (STEPS, "c.npz"), "c.npz")
    graph = export(args, "cells")
    nodes = graph["nodes"]
    check.check(nodes["cells"]["type"] == "LIF" and np.allclose(nodes["cells"]["v_leak"], 1e-3, rtol=1e-12) and
                np.allclose(nodes["cells"]["r"], 10, rtol=1e-12) and np.allclose(nodes["cells"]["v_reset"], -5e-3),
                "LIF: v_leak = v_rest + i_offset, r = tau / dt, v_reset")
    check.check(nodes["cells_leaky_delay"]["type"] == "Delay" and
                np.allclose(nodes["cells_leaky_delay"]["delay"], 2e-3, rtol=1e-12),
                "a 2-step delay becomes a Delay node of 2 ms")
    imported = run(args, "cells_nir", """
import nir "cells.nir.h5" as Cells
simulate Cells { dt = 1 ms; duration = %d ms; input pixels = spike_times("in.csv"); record spikes(cells), cells.v, leaky.v to "d.npz" }
""" % STEPS, "d.npz")
    same_spikes = np.array_equal(original["cells_spikes_t"], imported["cells_spikes_t"]) and np.array_equal(
        original["cells_spikes_i"], imported["cells_spikes_i"])
    check.check(same_spikes and len(original["cells_spikes_t"]) > 5,
                "LIF network: the same %d spikes" % len(original["cells_spikes_t"]))
    for var in ("cells_v", "leaky_v"):
        err = np.max(np.abs(original[var] - imported[var]))
        check.check(err < 1e-15, "%s: max |snnc - NIR| = %.3g V" % (var, err))
    check.note("std.neurons LIF and LeakyIntegrator exported and imported again: %d spikes equal"
               % len(original["cells_spikes_t"]))


def hdf5_load_errors(args, check):
    """`weight load("f.h5", name: ...)` at run time: a misspelt dataset gets
    "did you mean", a missing file a message, both exit 1."""
    model = """
import std.neurons.LeakyIntegrator
import std.inputs.SpikeSource
network N {
  population src = SpikeSource x 64
  population dst = LeakyIntegrator x 10
  connect src -> dst : dense, weight load("%s", name: "node/nodes/pixels_digt/weight")
}
simulate N { dt = 1 ms; duration = 5 ms; input src = spike_times("in.csv") }
"""
    path = os.path.join(args.work, "h5w.snn")
    for target, want in (("lin.nir.h5", "the file has no dataset 'node/nodes/pixels_digt/weight'; did you mean "
                                        "'node/nodes/pixels_digit/weight'?"),
                         ("gone.h5", "cannot open as an HDF5 file (missing, truncated or corrupt)")):
        with open(path, "w") as f:
            f.write(model % target)
        exe = e2e.compile_model(args.snnc, path, args.work, "h5w")
        proc = e2e.run_model(exe, args.work, ["--quiet"], expect_ok=False)
        check.check(proc.returncode == 1 and want in proc.stderr,
                    "load() of %s: exit %d, %s" % (target, proc.returncode, proc.stderr.strip()[:200]))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("nir_export")
    rng = np.random.default_rng(5)
    fired = rng.random((STEPS, 64)) < 0.1
    fired[-2:] = False
    e2e.write_spike_times(os.path.join(args.work, "in.csv"), fired, 1e-3)
    trained_readout(args, check, fired)
    lif_network(args, check)
    hdf5_load_errors(args, check)
    check.finish()


if __name__ == "__main__":
    main()
