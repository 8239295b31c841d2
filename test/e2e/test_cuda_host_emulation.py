"""e2e: the CUDA target's printed kernels, run on the host (snnc
--target=cuda --cuda-host-emulation), against the CPU backend.

The emulation compiles the very CUDA C++ that nvcc compiles for a GPU, with
snn/cuda_device.h running each launch's threads one after another. Every
model below is compiled for both targets and run with the same options, and
every array of every NPZ file the runs write must agree bit for bit: spikes,
states and trained weights. Both builds add in the same order, call the same
libm and contract nothing into fused multiply-adds; a difference in the last
bit is a printer that computes something else, or in another order. One
exception: presynaptic delivery on a GPU adds with atomics, in no fixed
order, and its warps take 32 rows each, so the emulation (a lane's rows,
then the next lane's) adds into a target in another order than the CPU
wherever a row's targets are not in lane order (sparse rows). Where such
rows carry unequal weights (the sparse digits training) the arrays must
agree to 1e-6 of their range: an add dropped or doubled is far larger.
Models: the examples (CUBA, LIF, Izhikevich, digits training for one epoch
with each e-prop strategy, adjoint and online, and with BPTT, and sparse:
pruned and rewired by Deep R; CUBA with its projections regenerated procedurally
and stored as bitmasks; the inline model's conv2d and avg_pool2d computed
from their windows),
the e2e models that need no generated input (batches, Poisson sources,
refractoriness), three that read scripted spike files (delays, STDP synapse
models, the stdlib neurons), and an inline model with postsynaptic
conductance blocks, conv2d/avg_pool2d, from_list and a batch of 3, in float
and in double.

The emulated device replays each step's launches as the GPU does, from one
captured graph that holds the launches' arguments (snn_replay in
snn/cuda_device.h), so a graph replayed for a state it was not captured for
(another batch's first example, other buffers) shows here as a difference.
CUBA and a digits training also run with SNN_CUDA_GRAPHS=0, launching each
kernel, and must agree bit for bit just the same.

The postsynaptic delivery strategy (--spike-delivery=postsynaptic: each
target gathers its spiking inputs in presynaptic order, without atomics) is
checked the same way on CUBA, digits training, LIF models with deliveries
gated by refractoriness, the batch, the inline model and a model whose
20000 inputs fill three of the GPU gather's tiles of staged spike flags:
on the emulated GPU and on the CPU, both against the CPU's default
(presynaptic) build. The emulation runs the staged gather's blocks with
their barriers (each thread a fiber, snn/cuda_device.h).
"""

import glob
import os
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

FEATURES = """
import std.inputs.{Poisson, SpikeSource}
import std.neurons.{CondLIF, CurrLIF, LeakyIntegrator, LIF}
import std.synapses.{ExpCond, ExpCurr}
network Features {
  population noise = Poisson(rate: 40 Hz) x 6x6x2
  population conv = LeakyIntegrator x 6x6x3
  population pooled = LeakyIntegrator x 3x3x2
  population cond = CondLIF x 20
  population curr = CurrLIF x 5
  population listed = LIF x 4
  connect noise -> conv : conv2d(3x3, padding: "same"), weight ~ normal(0, 0.5)
  connect noise -> pooled : avg_pool2d(2x2), weight 0.25
  connect noise -> cond.i_ext : fixed_probability(0.3), synapse ExpCond(tau: 5 ms, E: 0 mV), weight 8 nS
  connect cond -> curr.i_ext : dense, synapse ExpCurr(tau: 3 ms), weight 1.5 nA, delay 2 ms
  connect noise -> listed : from_list(pre: [0, 5, 5, 71], post: [3, 0, 1, 2]), weight 4 mV
}
simulate Features {
  dt = 0.1 ms
  duration = 200 ms
  batch = 3
  record spikes(noise), spikes(cond), spikes(curr), spikes(listed) to "features.npz"
  record conv.i, pooled.i, cond.v, curr.v to "features.npz"
}
"""

# Wider than a tile of staged spike flags (8192, lower/SynapseKernels.h): the
# GPU's gather stages three tiles of inputs, into three blocks of targets
# (the last one part empty), in a batch of 2; the deliveries are gated by
# refractoriness.
WIDE = """
import std.inputs.Poisson
neuron Refractory {
  state v = 0 mV
  refractory = 2 ms
  dv/dt = -v / 10 ms  unless refractory
  spike when v > 10 mV
  on spike { v = 0 mV }
}
network Wide {
  population inputs = Poisson(rate: 20 Hz) x 20000
  population out = Refractory x 300
  connect inputs -> out.v : fixed_probability(0.02), weight 0.7 mV
}
simulate Wide {
  dt = 0.1 ms
  duration = 30 ms
  batch = 2
  record spikes(out), out.v to "wide.npz"
}
"""

# State records on a device are copied behind each step into slots of
# page-locked memory and read a block of steps later (runtime/lib/Run.cpp):
# every step and every k steps, all neurons, a range and a list out of
# order (the span copied is 3..9), a batch of 3, 700 steps (11 blocks of 64).
RECORDS = """
neuron Cell {
  param drive = 20 mV
  state v = 0 mV
  state w = 0 mV
  dv/dt = (drive - v) / (10 ms)
  dw/dt = (v - w) / (5 ms)
  spike when v > 10 mV
  on spike { v = 0 mV }
}
network Records { population p = Cell x 40 }
simulate Records {
  dt = 0.1 ms
  duration = 70 ms
  batch = 3
  init p.v ~ uniform(0 mV, 10 mV)
  record p.v every 1 ms to "records.npz"
  record p[9, 3, 7].w, p[20:24].v to "records.npz"
  record p.w, spikes(p) to "records.npz"
  record rate(p[0:2]) every 10 ms to "records.npz"
}
"""

# (model, files it reads: name -> (neurons, steps, dt), run arguments)
E2E_MODELS = [
    ("batch.snn", {}, []),
    ("poisson.snn", {}, []),
    ("lif_analytic.snn", {}, []),
    ("long_refractory.snn", {}, []),
    ("delays.snn", {"spikes.csv": (10, 3000, 1e-4)}, []),
    ("stdp.snn", {"pre.csv": (12, 3000, 1e-4), "post.csv": (12, 3000, 1e-4)}, []),
    ("stdlib_neurons.snn", {"exc.csv": (1, 15000, 2e-5), "inh.csv": (1, 15000, 2e-5)}, []),
]


def compare(check, label, cpu, emu, tolerance=0.0):
    check.check(sorted(cpu) == sorted(emu), "%s: the runs wrote different arrays: %s vs %s" %
                (label, sorted(cpu), sorted(emu)))
    for name in sorted(set(cpu) & set(emu)):
        a, b = cpu[name], emu[name]
        if not check.check(a.shape == b.shape, "%s %s: shape %s vs %s" % (label, name, a.shape, b.shape)):
            continue
        if a.dtype.kind == "f" and not np.array_equal(a, b, equal_nan=True):
            scale = max(float(np.nanmax(np.abs(a))) if a.size else 0.0, 1e-300)
            worst = float(np.nanmax(np.abs(a - b))) / scale
            check.check(worst <= tolerance, "%s %s: %d elements differ, by up to %.3g of its range" %
                        (label, name, int(np.sum(a != b)), worst))
        elif a.dtype.kind != "f":
            check.check(np.array_equal(a, b), "%s %s: %d elements differ" % (label, name, int(np.sum(a != b))))


EMULATED = ["--target=cuda", "--cuda-host-emulation"]
POSTSYNAPTIC = ["--spike-delivery=postsynaptic"]


def run_both(args, check, label, model, files, run_args, flags=(), data=None, other=EMULATED, tolerance=0.0,
             env=None):
    """Compiles `model` for the CPU and with `other` flags (the emulated GPU),
    runs both in their own folders (with `files` written and `data` copied
    into each; the emulated one with `env` added to its environment), and
    compares every NPZ array they wrote (bit for bit, or to
    `tolerance` of each float array's range); returns the number compared."""
    outputs = {}
    for target, extra in (("cpu", []), ("emu", other)):
        work = os.path.join(args.work, label, target)
        path = e2e.model_folder(work, model, files, data)
        exe = e2e.compile_model(args.snnc, path, work, "model", list(flags) + extra)
        proc = e2e.run_model(exe, work, run_args, timeout=600, env=env if target == "emu" else None)
        outputs[target] = ({os.path.basename(f): e2e.load_npz(f) for f in glob.glob(os.path.join(work, "*.npz"))},
                           e2e.summary_rates(proc.stdout))
    (cpu, cpu_rates), (emu, emu_rates) = outputs["cpu"], outputs["emu"]
    check.check(cpu_rates == emu_rates, "%s: summaries differ: %s vs %s" % (label, cpu_rates, emu_rates))
    check.check(sorted(cpu) == sorted(emu) and cpu, "%s: NPZ files %s vs %s" % (label, sorted(cpu), sorted(emu)))
    arrays = 0
    for name in sorted(set(cpu) & set(emu)):
        compare(check, label + " " + name, cpu[name], emu[name], tolerance)
        arrays += len(cpu[name])
    check.note("%s: %d arrays of %d files agree%s; spikes %s" % (
        label, arrays, len(cpu), " to %g of their range" % tolerance if tolerance else "", cpu_rates))
    return arrays


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    check = e2e.Checker("cuda_host_emulation")
    root = e2e.SOURCE_ROOT
    examples = os.path.join(root, "examples")
    run_both(args, check, "cuba", os.path.join(examples, "cuba.snn"), {}, ["--duration", "0.3"])
    run_both(args, check, "cuba_double", os.path.join(examples, "cuba.snn"), {}, ["--duration", "0.2"],
             flags=["--precision=double"])
    # Each step's kernels launched one by one rather than replayed as a CUDA
    # graph (SNN_CUDA_GRAPHS=0): forward steps, and training's backward steps.
    run_both(args, check, "cuba_launched", os.path.join(examples, "cuba.snn"), {}, ["--duration", "0.1"],
             env={"SNN_CUDA_GRAPHS": "0"})
    run_both(args, check, "digits_launched", os.path.join(examples, "digits.snn"), {},
             ["--epochs", "1", "--batches", "4", "--weights-out", "weights.npz"],
             data=os.path.join(root, "data", "digits.csv.gz"), env={"SNN_CUDA_GRAPHS": "0"})
    run_both(args, check, "lif", os.path.join(examples, "lif.snn"), {}, [])
    run_both(args, check, "izhikevich", os.path.join(examples, "izhikevich.snn"), {}, [])
    # digits: the cost model's adjoint e-prop strategy, and the online one.
    for strategy in ("adjoint", "online"):
        run_both(args, check, "digits_" + strategy, os.path.join(examples, "digits.snn"), {},
                 ["--epochs", "1", "--weights-out", "weights.npz"], data=os.path.join(root, "data", "digits.csv.gz"),
                 flags=["--eprop-strategy=" + strategy])
    # digits trained with BPTT (the adjoint strategy and the backprops).
    bptt = os.path.join(args.work, "digits_bptt.snn")
    with open(os.path.join(examples, "digits.snn")) as f, open(bptt, "w") as out:
        out.write(f.read().replace("with eprop", "with bptt"))
    run_both(args, check, "digits_bptt", bptt, {}, ["--epochs", "1", "--weights-out", "weights.npz"],
             data=os.path.join(root, "data", "digits.csv.gz"))
    # Sparse training: the recurrent projection at 30 % rewired by Deep R,
    # the input one pruned after the first epoch (ragged storage, the
    # apply_gradients kernel of Deep R, the runtime's rewiring).
    sparse = os.path.join(args.work, "digits_sparse.snn")
    with open(os.path.join(examples, "digits.snn")) as f, open(sparse, "w") as out:
        text = f.read().replace("fixed_probability(1, autapses: false)", "fixed_probability(0.3, autapses: false)")
        out.write(text.replace("  optimizer = adam(lr: 5e-3)\n", "  optimizer = adam(lr: 5e-3)\n"
                               "  prune input -> hidden to 20 % by magnitude after 1 epoch\n"
                               "  rewire hidden -> hidden by deep_r(l1: 1e-3, temperature: 1e-8)\n"))
    run_both(args, check, "digits_sparse", sparse, {},
             ["--epochs", "2", "--batches", "5", "--weights-out", "weights.npz"],
             data=os.path.join(root, "data", "digits.csv.gz"), tolerance=1e-6)
    # Rows that are not stored: CUBA's projections regenerated from the RNG
    # (a While per spiking row) and read from bitmasks.
    for storage in ("procedural", "bitmask"):
        path = os.path.join(args.work, "cuba_%s.snn" % storage)
        with open(os.path.join(examples, "cuba.snn")) as f, open(path, "w") as out:
            text = f.read()
            for weight in ("weight 1.62 mV", "weight -9 mV"):
                assert weight in text, "examples/cuba.snn changed"
                text = text.replace(weight, "%s, sparse(format: %s)" % (weight, storage))
            out.write(text)
        run_both(args, check, "cuba_" + storage, path, {}, ["--duration", "0.3"])
    for model, files, run_args in E2E_MODELS:
        run_both(args, check, model[:-4], os.path.join(e2e.MODELS, model), files, run_args)
    features = os.path.join(args.work, "features.snn")
    with open(features, "w") as f:
        f.write(FEATURES)
    wide = os.path.join(args.work, "wide.snn")
    with open(wide, "w") as f:
        f.write(WIDE)
    run_both(args, check, "features", features, {}, [])
    records = os.path.join(args.work, "records.snn")
    with open(records, "w") as f:
        f.write(RECORDS)
    run_both(args, check, "records", records, {}, [])
    run_both(args, check, "features_double", features, {}, [], flags=["--precision=double"])
    # Its conv2d and avg_pool2d rows computed from their windows.
    windows = os.path.join(args.work, "features_procedural.snn")
    with open(windows, "w") as f:
        text = FEATURES
        for line in ('conv2d(3x3, padding: "same"), weight ~ normal(0, 0.5)', "avg_pool2d(2x2), weight 0.25"):
            assert line in text
            text = text.replace(line, line + ", sparse(format: procedural)")
        f.write(text)
    run_both(args, check, "features_procedural", windows, {}, [])
    for where, other in (("emu", EMULATED + POSTSYNAPTIC), ("cpu", POSTSYNAPTIC)):
        run_both(args, check, "cuba_post_" + where, os.path.join(examples, "cuba.snn"), {}, ["--duration", "0.3"],
                 other=other)
        run_both(args, check, "digits_post_" + where, os.path.join(examples, "digits.snn"), {},
                 ["--epochs", "1", "--weights-out", "weights.npz"], data=os.path.join(root, "data", "digits.csv.gz"),
                 other=other)
        for model in ("lif_analytic.snn", "batch.snn"):
            run_both(args, check, model[:-4] + "_post_" + where, os.path.join(e2e.MODELS, model), {}, [],
                     other=other)
        # Deliveries into states frozen while refractory: the gated gather.
        run_both(args, check, "refractory_post_" + where, os.path.join(e2e.MODELS, "brian_xcheck_refractory.snn"),
                 {"spikes.csv": (10, 3000, 1e-4)}, [], other=other)
        run_both(args, check, "features_post_" + where, features, {}, [], other=other)
        run_both(args, check, "wide_post_" + where, wide, {}, [], other=other)
    check.finish()


if __name__ == "__main__":
    main()
