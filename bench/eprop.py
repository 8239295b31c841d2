#!/usr/bin/python3
"""e-prop training benchmark: snnc versus surrogate-gradient BPTT in PyTorch.

The network of Bellec et al.'s SHD-sized task: 700 input units -> 256
recurrent ALIF neurons (no autapses) -> 20 leaky readouts, batch 32, 1000
steps of 1 ms, per-step cross-entropy (`readout = output.v`), Adam. The data
are synthetic and shaped like the Spiking Heidelberg Digits: 20 classes, each
a random rate pattern over the 700 units, examples drawn as Poisson spikes
from their class's pattern, written as an events NPZ (SHD layout).

Usage (from the repository root, with the Debian python: numpy, torch):

    /usr/bin/python3 bench/eprop.py [--snnc PATH] [--batches N] [--threads N]
                                    [--precision float|double] [--out-dir DIR]
                                    [--tools snnc,torch] [--steps T] [--hidden H]
                                    [--inputs I] [--classes C] [--recurrent-p P]
                                    [--target cpu|cuda] [--dvs]

--dvs is the DVS-gesture-shaped network of the CUDA issue: 2048 inputs ->
512 recurrent ALIF (10 % recurrent connectivity) -> 11 readouts, batch 512,
1500 steps, snnc only, --target=cuda. On the GPU the table adds the achieved
DRAM bandwidth of the online strategy's traffic as a share of the device's
peak (mlGeNN: 23.9 ms per step on an RTX A5000, at 88 % of its DRAM peak).

Prints a table: seconds per batch of each tool (median over batches, min-max
in brackets), the ratio, and how far snnc is from the memory-bandwidth floor
of the online strategy (see bench/README.md). Writes the raw numbers to
<out-dir>/eprop.json. Timing is reported, never asserted.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "test", "e2e"))
import eprop_reference as ref  # noqa: E402

INPUTS, CLASSES, DT = 700, 20, 1e-3
TAU_MEM, TAU_ADAPT, TAU_OUT = 20e-3, 2000e-3, 20e-3
V_TH, BETA, GAMMA = 0.6, 0.0174, 0.3
DEFAULT_SNNC = "build/tools/snnc/snnc"


def make_data(path, examples, steps, seed, inputs=INPUTS, classes=CLASSES, dense=True):
    """Synthetic SHD-like events: returns (dense [E, T, I] uint8 rasters or
    None when not `dense`, labels)."""
    rng = np.random.default_rng(seed)
    rates = np.minimum(np.exp(rng.normal(np.log(5.0), 1.0, (classes, inputs))), 100.0)  # Hz
    labels = rng.integers(0, classes, examples)
    xs = np.empty((examples, steps, inputs), dtype=np.uint8) if dense else None
    times, units, offsets = [], [], [0]
    for e in range(examples):  # one example at a time: the uniforms of all would be 4x larger
        x = rng.random((steps, inputs), dtype=np.float32) < (rates[labels[e]] * DT)[None, :]
        if dense:
            xs[e] = x
        t, u = np.nonzero(x)
        times.append((t + 0.5) * DT)
        units.append(u)
        offsets.append(offsets[-1] + t.size)
    np.savez(path, times=np.concatenate(times), units=np.concatenate(units).astype(np.int64),
             offsets=np.array(offsets, dtype=np.int64), labels=labels.astype(np.int64))
    return xs, labels


def model_text(hidden, steps, batch, inputs=INPUTS, classes=CLASSES, recurrent_p=1.0):
    return """import std.neurons.{ALIF, Readout}
import std.inputs.SpikeSource

network Shd {
  population input  = SpikeSource x %d
  population hidden = ALIF(tau_mem: %g ms, tau_adapt: %g ms, v_th: %g, beta: %g, gamma: %g) x %d
  population output = Readout(tau_mem: %g ms) x %d

  connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.04)
  connect hidden -> hidden : fixed_probability(%g, autapses: false), weight ~ normal(0, 0.04)
  connect hidden -> output : dense, delay 0, weight ~ normal(0, 0.06)
}

train Shd with eprop {
  data train = events("shd_synthetic.npz")
  dt = 1 ms;  timesteps = %d;  batch = %d;  epochs = 1;  seed = 1
  readout = output.v
  loss = sparse_categorical_crossentropy
  optimizer = adam(lr: 1e-3)
}
""" % (inputs, TAU_MEM * 1e3, TAU_ADAPT * 1e3, V_TH, BETA, GAMMA, hidden, TAU_OUT * 1e3, classes,
       recurrent_p, steps, batch)


def run_snnc(args, batches):
    """Compiles and trains; returns a dict with seconds per batch, or the error."""
    out = {"tool": "snnc"}
    if not os.path.isfile(args.snnc):
        return dict(out, error="no snnc at %s" % args.snnc)
    model = os.path.join(args.out_dir, "eprop_shd.snn")
    exe = os.path.join(args.out_dir, "eprop_shd")
    with open(model, "w") as f:
        f.write(model_text(args.hidden, args.steps, args.batch, args.inputs, args.classes, args.recurrent_p))
    argv = [args.snnc, "-O3", "--precision=" + args.precision, "--target=" + args.target, model, "-o", exe]
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=args.out_dir, capture_output=True, text=True)
    out["compile_s"] = time.perf_counter() - start
    if proc.returncode != 0:
        return dict(out, error="snnc exit %d: %s" % (proc.returncode, (proc.stderr or proc.stdout).strip()))
    seconds = []
    for runs in (1, batches + 1):
        metrics = os.path.join(args.out_dir, "eprop_metrics.jsonl")
        if os.path.exists(metrics):
            os.remove(metrics)
        argv = [exe, "--epochs", "1", "--batches", str(runs), "--no-shuffle", "--metrics", metrics]
        start = time.perf_counter()
        proc = subprocess.run(argv, cwd=args.out_dir, capture_output=True, text=True,
                              env=dict(os.environ, OMP_NUM_THREADS=str(args.threads)))
        wall = time.perf_counter() - start
        if proc.returncode != 0:
            return dict(out, error="%s exit %d: %s" % (" ".join(argv), proc.returncode,
                                                       (proc.stderr or proc.stdout).strip()[-2000:]))
        epoch = None
        try:
            with open(metrics) as f:
                epoch = json.loads(f.readline()).get("seconds")
        except (OSError, ValueError):
            pass
        seconds.append((wall, epoch))
    (wall1, epoch1), (wall_n, epoch_n) = seconds
    # Per batch: the difference of an N+1- and a 1-batch run removes start-up,
    # data loading and the final evaluation.
    # The epoch's own `seconds` (metrics) when the executable writes them.
    if epoch1 is not None and epoch_n is not None:
        out["s_per_batch"] = (epoch_n - epoch1) / batches
    else:
        out["s_per_batch"] = (wall_n - wall1) / batches
    out["wall_s"] = [wall1, wall_n]
    out["epoch_s"] = [epoch1, epoch_n]
    out["samples"] = [out["s_per_batch"]]
    return out


def run_torch(args, xs, labels, batches):
    """Surrogate-gradient BPTT with Adam on CPU; returns seconds per batch."""
    import torch

    torch.set_num_threads(args.threads)
    dtype = torch.float32 if args.precision == "float" else torch.float64
    rng = np.random.default_rng(1)
    h = args.hidden
    net = ref.Net(w_in=rng.normal(0, 0.04, (h, args.inputs)), w_rec=rng.normal(0, 0.04, (h, h)),
                  w_out=rng.normal(0, 0.06, (args.classes, h)), alif=True, dt=DT, tau_mem=TAU_MEM,
                  tau_adapt=TAU_ADAPT, tau_out=TAU_OUT, v_th=V_TH, beta=BETA, gamma=GAMMA)
    params = {name: torch.tensor(getattr(net, name), dtype=dtype, requires_grad=True)
              for name in ("w_in", "w_rec", "w_out")}
    opt = torch.optim.Adam(params.values(), lr=1e-3)
    regime = ref.Regime(loss=ref.CE)
    samples = []
    for b in range(batches):
        x = torch.tensor(xs[b * args.batch:(b + 1) * args.batch], dtype=dtype)
        y = torch.tensor(labels[b * args.batch:(b + 1) * args.batch])
        start = time.perf_counter()
        opt.zero_grad()
        loss = ref.torch_loss(net, regime, params, x, y)
        loss.backward()
        opt.step()
        samples.append(time.perf_counter() - start)
    return {"tool": "torch", "s_per_batch": statistics.median(samples), "samples": samples}


# DRAM peaks (bytes/s) of the GPUs the project may be lent, by nvidia-smi name.
GPU_PEAKS = {"H200": 4.8e12, "H100 80GB HBM3": 3.35e12, "H100 PCIe": 2.0e12, "H100": 3.35e12, "A100": 2.0e12,
             "RTX A5000": 768e9}


def gpu_peak():
    """(GPU name, its DRAM peak in bytes/s or 0 when unknown)."""
    try:
        name = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                              text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "an unknown GPU", 0
    for key, peak in GPU_PEAKS.items():
        if key in name:
            return name, peak
    return name, 0


def stream_bandwidth(megabytes=512, repeats=5):
    """Bytes per second of a large numpy array copy (read + write), best of `repeats`."""
    src = np.ones(megabytes * (1 << 20) // 8)
    dst = np.empty_like(src)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - start)
    return 2 * src.nbytes / best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snnc", default=DEFAULT_SNNC)
    parser.add_argument("--batches", type=int, default=3, help="timed batches per tool")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--precision", choices=("float", "double"), default="float")
    parser.add_argument("--out-dir", default="build/bench")
    parser.add_argument("--tools", default="snnc,torch")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--inputs", type=int, default=INPUTS)
    parser.add_argument("--classes", type=int, default=CLASSES)
    parser.add_argument("--recurrent-p", type=float, default=1.0)
    parser.add_argument("--target", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--dvs", action="store_true",
                        help="2048 -> 512 ALIF (10%% recurrent) -> 11, batch 512, 1500 steps, cuda, snnc only")
    args = parser.parse_args()
    if args.dvs:
        args.inputs, args.hidden, args.classes, args.recurrent_p = 2048, 512, 11, 0.1
        args.batch, args.steps, args.target, args.tools = 512, 1500, "cuda", "snnc"
        args.batches = min(args.batches, 2)
    args.out_dir = os.path.abspath(args.out_dir)
    args.snnc = os.path.abspath(args.snnc)
    os.makedirs(args.out_dir, exist_ok=True)
    tools = set(args.tools.split(","))

    examples = args.batch * (args.batches + 1)
    xs, labels = make_data(os.path.join(args.out_dir, "shd_synthetic.npz"), examples, args.steps, seed=7,
                           inputs=args.inputs, classes=args.classes, dense="torch" in tools)
    rows = []
    if "snnc" in tools:
        rows.append(run_snnc(args, args.batches))
    if "torch" in tools:
        try:
            rows.append(run_torch(args, xs, labels, args.batches))
        except ImportError as e:
            rows.append({"tool": "torch", "error": str(e)})

    real = 4 if args.precision == "float" else 8
    synapses = args.hidden * args.inputs + round(args.recurrent_p * args.hidden * (args.hidden - 1))
    bytes_per_step = synapses * args.batch * 3 * 2 * real
    bandwidth = stream_bandwidth()
    floor_step = bytes_per_step / bandwidth

    print("e-prop benchmark: %d -> %d ALIF (%g recurrent) -> %d, batch %d, %d steps of 1 ms, %s, %s, %d thread(s)"
          % (args.inputs, args.hidden, args.recurrent_p, args.classes, args.batch, args.steps, args.precision,
             args.target, args.threads))
    print("%-22s %12s  %s" % ("tool", "s/batch", "(min-max)"))
    by_tool = {}
    for row in rows:
        name = {"snnc": "snnc (e-prop)", "torch": "torch BPTT (CPU)"}[row["tool"]]
        if "error" in row:
            print("%-22s %12s  %s" % (name, "-", "error: " + row["error"].splitlines()[0][:200]))
            for line in row["error"].splitlines()[1:8]:
                print(" " * 24 + line)
            continue
        by_tool[row["tool"]] = row["s_per_batch"]
        spread = ("(%.4f-%.4f)" % (min(row["samples"]), max(row["samples"]))
                  if len(row["samples"]) > 1 else "((N+1)-batch run minus 1-batch run) / N")
        print("%-22s %12.4f  %s" % (name, row["s_per_batch"], spread))
    if len(by_tool) == 2:
        print("%-22s %12.2f  (above 1: snnc is faster)" % ("ratio torch/snnc", by_tool["torch"] / by_tool["snnc"]))
    print("memory floor of the online strategy: %d synapses x %d examples x 3 traces (eps_a, ebar, "
          "gradient) x read+write x %d B = %.1f MB per step" % (synapses, args.batch, real, bytes_per_step / 1e6))
    print("stream bandwidth (numpy copy): %.2f GB/s -> floor %.3f ms per step" % (bandwidth / 1e9, floor_step * 1e3))
    if "snnc" in by_tool and args.target == "cpu":
        step = by_tool["snnc"] / args.steps
        print("snnc: %.3f ms per step = %.2f x the floor" % (step * 1e3, step / floor_step))
    if "snnc" in by_tool and args.target == "cuda":
        step = by_tool["snnc"] / args.steps
        name, peak = gpu_peak()
        achieved = bytes_per_step / step
        print("snnc on %s: %.3f ms per step; the online strategy's traffic at %.0f GB/s = %s of the DRAM peak"
              % (name, step * 1e3, achieved / 1e9, "%.1f %%" % (100 * achieved / peak) if peak else "? (unknown GPU)"))
    with open(os.path.join(args.out_dir, "eprop.json"), "w") as f:
        json.dump({"rows": rows, "bytes_per_step": bytes_per_step, "bandwidth": bandwidth,
                   "floor_s_per_step": floor_step, "args": vars(args)}, f, indent=1)
    return 0 if by_tool else 1


if __name__ == "__main__":
    sys.exit(main())
