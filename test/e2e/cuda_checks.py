"""The GPU's checks against the CPU backend: one catalogue for the two
places that run them, so they cannot drift apart.

  - test/e2e/test_cuda_device.py compiles each check with snnc on a machine
    with a GPU and runs it there (`ctest -L gpu`);
  - bench/gpu_session.py compiles each check here, packs the executables and
    runs them on a lent GPU machine, which has no snnc.

A check compiles one model twice, for the CPU and with --target=cuda plus
its flags (the same flags for both), runs both executables with the same
arguments, each in a folder of its own holding the model's input files,
and judges the two runs by their stdout and the NPZ files they wrote.

What each kind of check asks of the GPU, and why:
  same       every array of every NPZ file bit for bit: models whose
             updates call no libm function and sum without atomics (CUBA
             with postsynaptic delivery, Philox's Poisson sources);
  rates      each population's rate within 5 %: atomics add in any order;
  counts     each population's spike count within 5 % + 2: models whose
             updates call expf or logf, which the device rounds within 2
             ulp of glibc, not the same (a spike may move by a step);
  gradients  the first training batch's gradients (--gradients-out) within
             1e-6 relative (L2, the worst projection);
  one_batch  the weights after one training batch within 1e-6;
  training   one epoch: test accuracy within 3 points. An epoch amplifies
             the one-ulp differences of softmax, the loss and Adam's bias
             correction once a spike moves by a step (weights 2.4e-2 apart
             after 45 batches on an H200, accuracy 89.7 % CPU, 89.1 % GPU),
             so its weights are reported, not judged.
"""

import collections
import os
import re
import shutil

import numpy as np

import e2e_common as e2e
import test_cuda_host_emulation as emulation

# model: a path under the source root, or the name of an inline model of
# test_cuda_host_emulation.py; spike_files: name -> (neurons, steps, dt),
# written by e2e.model_folder; data: files under the source root, copied to
# the same relative path; env: variables added to both runs' environment.
Check = collections.namedtuple("Check", "model flags argv kind spike_files data env", defaults=({},))

POST = ["--spike-delivery=postsynaptic"]
DIGITS = ("examples/digits.snn", POST)
DIGITS_DATA = ["data/digits.csv.gz"]
LAUNCHED = {"SNN_CUDA_GRAPHS": "0"}
# The driver compiles the executable's PTX (sm_75 under the default
# --cuda-arch) instead of loading its cubin for the GPU: what a GPU newer
# than every architecture the executable has code for (Blackwell) runs.
PTX_JIT = {"CUDA_FORCE_PTX_JIT": "1"}



def drive(**files):
    """--input arguments that name each input population's spike file
    relative to the run's folder: the model's own path to it is absolute,
    from where it was compiled, and gpu_session.py runs it elsewhere."""
    return [arg for population, file in files.items() for arg in ("--input", population + "=" + file)]


POST_INPUTS = ("pair", "nearest", "soft", "triplet", "pair_delay", "pair_spread", "vogels", "pair_ge")

CHECKS = collections.OrderedDict([
    ("cuba_post", Check("examples/cuba.snn", POST, ["--duration", "1"], "same", {}, [])),
    # Each step's launches one by one rather than replayed as a CUDA graph:
    # the same spikes (and, for training, the same weights) either way.
    ("cuba_post_launched", Check("examples/cuba.snn", POST, ["--duration", "1"], "same", {}, [], LAUNCHED)),
    # From the PTX, the same spikes (and, for training, the same weights).
    ("cuba_post_ptx", Check("examples/cuba.snn", POST, ["--duration", "1"], "same", {}, [], PTX_JIT)),
    ("cuba_pre", Check("examples/cuba.snn", ["--spike-delivery=presynaptic"], ["--duration", "1"], "rates", {}, [])),
    ("poisson", Check("test/e2e/models/poisson.snn", [], ["--duration", "1"], "same", {}, [])),
    ("digits_grad", Check(*DIGITS, ["--epochs", "1", "--batches", "1", "--gradients-out", "gradients.npz"],
                          "gradients", {}, DIGITS_DATA)),
    ("digits_batch", Check(*DIGITS, ["--epochs", "1", "--batches", "1", "--weights-out", "weights.npz"], "one_batch",
                           {}, DIGITS_DATA)),
    ("digits_batch_launched", Check(*DIGITS, ["--epochs", "1", "--batches", "1", "--weights-out", "weights.npz"],
                                    "one_batch", {}, DIGITS_DATA, LAUNCHED)),
    ("digits_batch_ptx", Check(*DIGITS, ["--epochs", "1", "--batches", "1", "--weights-out", "weights.npz"],
                               "one_batch", {}, DIGITS_DATA, PTX_JIT)),
    ("digits", Check(*DIGITS, ["--epochs", "1", "--weights-out", "weights.npz"], "training", {}, DIGITS_DATA)),
    ("lif", Check("examples/lif.snn", [], [], "counts", {}, [])),
    ("izhikevich", Check("examples/izhikevich.snn", [], [], "counts", {}, [])),
    ("delays", Check("test/e2e/models/delays.snn", [], drive(stim="spikes.csv"), "counts",
                     {"spikes.csv": (10, 3000, 1e-4)}, [])),
    ("stdp", Check("test/e2e/models/stdp.snn", [], drive(pre="pre.csv", **{p: "post.csv" for p in POST_INPUTS}),
                   "counts", {"pre.csv": (12, 3000, 1e-4), "post.csv": (12, 3000, 1e-4)}, [])),
    # Postsynaptic conductance blocks, conv2d, avg_pool2d, from_list, a batch of 3.
    ("features", Check("FEATURES", [], [], "counts", {}, [])),
    # 20000 inputs: the gather stages three tiles of spike flags, batch 2.
    ("wide_post", Check("WIDE", POST, [], "counts", {}, [])),
])

ACCURACY = re.compile(r"^test accuracy: ([0-9.]+) %", re.M)


def prepare(check, case):
    """Creates the folder `case` with the check's model, spike files and
    data; returns the model's path there."""
    if "/" in check.model:
        path = e2e.model_folder(case, os.path.join(e2e.SOURCE_ROOT, check.model), check.spike_files)
    else:
        path = e2e.model_folder(case, check.model.lower() + ".snn", check.spike_files,
                                text=getattr(emulation, check.model))
    for data in check.data:
        os.makedirs(os.path.join(case, os.path.dirname(data)), exist_ok=True)
        shutil.copyfile(os.path.join(e2e.SOURCE_ROOT, data), os.path.join(case, data))
    return path


def relative_l2(cpu_files, gpu_files, file):
    """The worst relative L2 difference over the arrays of `file`; inf when
    either run lacks it or an array."""
    if file not in cpu_files or file not in gpu_files:
        return float("inf")
    worst = 0.0
    for name, w in cpu_files[file].items():
        g = gpu_files[file].get(name)
        if g is None or g.shape != w.shape:
            return float("inf")
        worst = max(worst, float(np.linalg.norm(g - w) / max(np.linalg.norm(w), 1e-30)))
    return worst


def judge(kind, cpu, gpu):
    """(passed, detail) of a check of `kind` on the two runs, each (stdout,
    {NPZ file name: {array name: array}})."""
    (cpu_out, cpu_files), (gpu_out, gpu_files) = cpu, gpu
    if kind == "same":
        differ = [f + ":" + k for f in cpu_files for k in cpu_files[f]
                  if not np.array_equal(cpu_files[f][k], gpu_files.get(f, {}).get(k), equal_nan=True)]
        differ += [f for f in gpu_files if f not in cpu_files]
        if not cpu_files:
            return False, "the CPU run wrote no NPZ file"
        return not differ, "identical" if not differ else "differ: " + ", ".join(differ[:5])
    if kind in ("rates", "counts"):
        a, b = e2e.summary_rates(cpu_out), e2e.summary_rates(gpu_out)
        bad = []
        for pop, (_, spikes, rate) in a.items():
            _, got_spikes, got_rate = b.get(pop, (0, -1, -1.0))
            ok = (abs(got_rate - rate) <= 0.05 * rate if kind == "rates" else
                  abs(got_spikes - spikes) <= 0.05 * spikes + 2)
            if not ok:
                bad.append("%s: GPU %d spikes %.2f Hz, CPU %d spikes %.2f Hz" % (pop, got_spikes, got_rate, spikes, rate))
        if not a:
            return False, "no population summary in the CPU's output"
        return not bad, "; ".join(bad) if bad else "spikes CPU %s, GPU %s" % (
            {p: s for p, (_, s, _) in a.items()}, {p: s for p, (_, s, _) in b.items()})
    if kind == "gradients":
        worst = relative_l2(cpu_files, gpu_files, "gradients.npz")
        return worst <= 1e-6, "gradients differ by %.3g (relative L2)" % worst
    worst = relative_l2(cpu_files, gpu_files, "weights.npz")
    if kind == "one_batch":
        return worst <= 1e-6, "weights differ by %.3g (relative L2)" % worst
    if kind != "training":
        raise ValueError("unknown kind of check: " + kind)
    acc = [ACCURACY.search(out) for out in (cpu_out, gpu_out)]
    if not all(acc):
        return False, "no test accuracy in the output"
    a, b = float(acc[0].group(1)), float(acc[1].group(1))
    return abs(a - b) <= 3 and worst < float("inf"), (
        "accuracy CPU %.1f %%, GPU %.1f %%; weights differ by %.3g (relative L2)" % (a, b, worst))
