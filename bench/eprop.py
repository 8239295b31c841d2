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


def run_snnc(args, batches, strategy):
    """Compiles with --eprop-strategy=`strategy` (or, for "bptt", the model
    as `train ... with bptt`) and trains; returns a dict with seconds per
    batch and peak memory, or the error."""
    out = {"tool": "snnc-" + strategy}
    if not os.path.isfile(args.snnc):
        return dict(out, error="no snnc at %s" % args.snnc)
    model = os.path.join(args.out_dir, "eprop_shd_%s.snn" % strategy)
    exe = os.path.join(args.out_dir, "eprop_shd_" + strategy)
    text = model_text(args.hidden, args.steps, args.batch, args.inputs, args.classes, args.recurrent_p)
    with open(model, "w") as f:
        f.write(text.replace("with eprop", "with bptt") if strategy == "bptt" else text)
    flags = [] if strategy == "bptt" else ["--eprop-strategy=" + strategy]
    argv = [args.snnc, "-O3", "--precision=" + args.precision, "--target=" + args.target, *flags, model, "-o", exe]
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
        argv = [exe, "--epochs", "1", "--batches", str(runs), "--no-shuffle", "--metrics", metrics,
                "--threads", str(args.threads)]
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "maxrss_kb %M"] + argv, cwd=args.out_dir,
                              capture_output=True, text=True,
                              env=dict(os.environ, OMP_NUM_THREADS=str(args.threads)))
        wall = time.perf_counter() - start
        for line in proc.stderr.splitlines():
            if line.startswith("maxrss_kb "):
                out["peak_rss_mb"] = int(line.split()[1]) / 1024
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


def torch_net(args):
    """The PyTorch side's parameters (the same initial distributions as the model)."""
    rng = np.random.default_rng(1)
    h = args.hidden
    return ref.Net(w_in=rng.normal(0, 0.04, (h, args.inputs)), w_rec=rng.normal(0, 0.04, (h, h)),
                   w_out=rng.normal(0, 0.06, (args.classes, h)), alif=True, dt=DT, tau_mem=TAU_MEM,
                   tau_adapt=TAU_ADAPT, tau_out=TAU_OUT, v_th=V_TH, beta=BETA, gamma=GAMMA)


def torch_bptt(args, xs, labels, batches):
    """Surrogate-gradient BPTT with Adam on CPU: seconds of each batch."""
    import torch

    dtype = torch.float32 if args.precision == "float" else torch.float64
    net = torch_net(args)
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
    return samples


def torch_eprop_gradients(net, x, y, classes, dtype):
    """Per-step (online) e-prop in PyTorch, written straightforwardly from
    Bellec et al. 2020's equations (those of eprop_reference.py, batched, no
    autograd): per synapse and example the adaptation vector eps_a and the
    filtered trace, per presynaptic neuron eps_v; symmetric feedback,
    per-step cross-entropy. x [B, T, I], y [B]; returns the gradients of
    w_in, w_rec (masked) and w_out summed over the batch."""
    import torch

    w_in, w_rec, w_out = (torch.tensor(getattr(net, n), dtype=dtype) for n in ("w_in", "w_rec", "w_out"))
    mask = torch.tensor(net.rec_mask, dtype=dtype)
    w_rec = w_rec * mask
    alpha, rho, kappa, beta, v_th = net.alpha, net.rho, net.kappa, net.beta_eff, net.v_th
    batch, steps, n_in = x.shape
    h = w_in.shape[0]
    onehot = torch.nn.functional.one_hot(y, classes).to(dtype)
    v = torch.zeros(batch, h, dtype=dtype)
    a, z, out = torch.zeros_like(v), torch.zeros_like(v), torch.zeros(batch, classes, dtype=dtype)
    eps_v = torch.zeros(batch, n_in + h, dtype=dtype)  # per presynaptic neuron
    eps_a = torch.zeros(batch, h, n_in + h, dtype=dtype)  # per synapse
    ebar = torch.zeros_like(eps_a)
    zbar = torch.zeros(batch, h, dtype=dtype)
    psi_prev = torch.zeros(batch, h, 1, dtype=dtype)
    grad = [torch.zeros_like(w_in), torch.zeros_like(w_rec), torch.zeros_like(w_out)]
    for t in range(steps):
        pre = torch.cat([x[:, t], z], dim=1)  # this step's inputs, the previous step's spikes
        v = alpha * v + pre[:, :n_in] @ w_in.T + z @ w_rec.T - v_th * z
        a = rho * a + z
        g = v - v_th - beta * a
        z = (g >= 0).to(dtype)
        psi = (net.gamma / v_th) * torch.clamp(1.0 - g.abs() / v_th, min=0.0)
        out = kappa * out + z @ w_out.T
        delta = (torch.softmax(out, dim=1) - onehot) / steps  # the loss is the mean over the steps
        learning = delta @ w_out  # [B, H]
        # In place where it can be: one temporary per synapse-sized term.
        eps_a.mul_(rho - psi_prev * beta).add_(psi_prev * eps_v[:, None, :])
        eps_v.mul_(alpha).add_(pre)
        e = eps_a * (-beta)
        e.add_(eps_v[:, None, :]).mul_(psi[:, :, None])
        ebar.mul_(kappa).add_(e)
        rec = torch.einsum("bj,bji->ji", learning, ebar)
        grad[0] += rec[:, :n_in]
        grad[1] += rec[:, n_in:]
        zbar = kappa * zbar + z
        grad[2] += delta.T @ zbar
        psi_prev = psi[:, :, None]
    grad[1] *= mask
    return grad


def torch_eprop(args, xs, labels, batches):
    """torch_eprop_gradients and Adam, per batch: seconds of each batch."""
    import torch

    dtype = torch.float32 if args.precision == "float" else torch.float64
    net = torch_net(args)
    params = [torch.tensor(getattr(net, n), dtype=dtype) for n in ("w_in", "w_rec", "w_out")]
    opt = torch.optim.Adam(params, lr=1e-3)
    samples = []
    for b in range(batches):
        x = torch.tensor(xs[b * args.batch:(b + 1) * args.batch], dtype=dtype)
        y = torch.tensor(labels[b * args.batch:(b + 1) * args.batch])
        start = time.perf_counter()
        for w, dw in zip(params, torch_eprop_gradients(net, x, y, args.classes, dtype)):
            w.grad = dw
        opt.step()
        for name, w in zip(("w_in", "w_rec", "w_out"), params):
            setattr(net, name, w.detach().numpy().astype(np.float64))
        samples.append(time.perf_counter() - start)
    return samples


def run_torch(args, kind, batches):
    """Runs torch_bptt or torch_eprop in a child process (so that its peak
    memory is its own); returns a dict with seconds per batch."""
    argv = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--batches", str(batches),
            "--precision", args.precision, "--out-dir", args.out_dir, "--threads", str(args.threads),
            "--steps", str(args.steps), "--hidden", str(args.hidden), "--batch", str(args.batch),
            "--inputs", str(args.inputs), "--classes", str(args.classes)]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"tool": kind, "error": (proc.stderr or proc.stdout).strip()[-2000:] or "exit %d" % proc.returncode}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"tool": kind, "s_per_batch": statistics.median(result["samples"]), "samples": result["samples"],
            "peak_rss_mb": result["peak_rss_mb"]}


def worker(args):
    """The child of run_torch: prints {"samples", "peak_rss_mb"} as JSON."""
    import resource

    import torch

    torch.set_num_threads(args.threads)
    examples = args.batch * (args.batches + 1)
    xs, labels = make_data(os.path.join(args.out_dir, "shd_synthetic_%s.npz" % args.worker), examples, args.steps,
                           seed=7, inputs=args.inputs, classes=args.classes)
    run = torch_bptt if args.worker == "torch-bptt" else torch_eprop
    samples = run(args, xs, labels, args.batches)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"samples": samples, "peak_rss_mb": peak}))
    return 0


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


NAMES = {"snnc-adjoint": "snnc e-prop (adjoint)", "snnc-online": "snnc e-prop (online)",
         "snnc-bptt": "snnc BPTT", "torch-bptt": "torch BPTT (CPU)", "torch-eprop": "torch e-prop per step"}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snnc", default=DEFAULT_SNNC)
    parser.add_argument("--batches", type=int, default=2, help="timed batches per tool")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--precision", choices=("float", "double"), default="float")
    parser.add_argument("--out-dir", default="build/bench")
    parser.add_argument("--tools", default=",".join(NAMES),
                        help="comma-separated: " + ", ".join(NAMES) + " (snnc: both strategies)")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--hidden", type=int, default=256)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--inputs", type=int, default=INPUTS)
    parser.add_argument("--classes", type=int, default=CLASSES)
    parser.add_argument("--recurrent-p", type=float, default=1.0)
    parser.add_argument("--target", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--dvs", action="store_true",
                        help="2048 -> 512 ALIF (10%% recurrent) -> 11, batch 512, 1500 steps, cuda, snnc only")
    parser.add_argument("--worker", choices=("torch-bptt", "torch-eprop"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.out_dir = os.path.abspath(args.out_dir)
    if args.worker:
        return worker(args)
    if args.dvs:
        args.inputs, args.hidden, args.classes, args.recurrent_p = 2048, 512, 11, 0.1
        args.batch, args.steps, args.target, args.tools = 512, 1500, "cuda", "snnc"
        args.batches = min(args.batches, 2)
    args.snnc = os.path.abspath(args.snnc)
    os.makedirs(args.out_dir, exist_ok=True)
    tools = set(args.tools.replace("snnc,", "snnc-adjoint,snnc-online,snnc-bptt,").split(","))
    if args.tools == "snnc":
        tools = {"snnc-adjoint", "snnc-online", "snnc-bptt"}
    unknown = tools - set(NAMES)
    if unknown:
        parser.error("unknown tools: " + ", ".join(sorted(unknown)))

    examples = args.batch * (args.batches + 1)
    xs, labels = make_data(os.path.join(args.out_dir, "shd_synthetic.npz"), examples, args.steps, seed=7,
                           inputs=args.inputs, classes=args.classes, dense=True)
    rows = []
    for tool in NAMES:
        if tool not in tools:
            continue
        if tool.startswith("snnc"):
            rows.append(run_snnc(args, args.batches, tool.split("-")[1]))
        else:
            rows.append(run_torch(args, tool, args.batches))

    real = 4 if args.precision == "float" else 8
    synapses = args.hidden * args.inputs + round(args.recurrent_p * args.hidden * (args.hidden - 1))
    bytes_per_step = synapses * args.batch * 3 * 2 * real
    bandwidth = stream_bandwidth()
    floor_step = bytes_per_step / bandwidth
    # The adjoint strategy's work per step: neuron-steps (forward records
    # and the backward recursion, hidden and readout) and spike events (the
    # input spikes of the data times their fan-out, counted exactly; the
    # hidden spikes are not known here and are left out).
    neuron_steps = (args.hidden + args.classes) * args.batch
    input_events = float(xs[:args.batch * args.batches].sum()) / (args.batches * args.steps) * args.hidden
    # (per step, for the whole batch)

    print("e-prop benchmark: %d -> %d ALIF (%g recurrent) -> %d, batch %d, %d steps of 1 ms, %s, %s, %d thread(s)"
          % (args.inputs, args.hidden, args.recurrent_p, args.classes, args.batch, args.steps, args.precision,
             args.target, args.threads))
    print("%-24s %12s %12s  %s" % ("tool", "s/batch", "peak RSS MB", "(min-max)"))
    by_tool = {}
    for row in rows:
        name = NAMES[row["tool"]]
        if "error" in row:
            print("%-24s %12s %12s  %s" % (name, "-", "-", "error: " + row["error"].splitlines()[0][:200]))
            for line in row["error"].splitlines()[1:8]:
                print(" " * 26 + line)
            continue
        by_tool[row["tool"]] = row["s_per_batch"]
        if row["tool"].startswith("snnc"):
            spread = "((N+1)-batch run minus 1-batch run) / N"
        else:
            spread = "(%.4f-%.4f)" % (min(row["samples"]), max(row["samples"]))
        rss = "%.0f" % row["peak_rss_mb"] if "peak_rss_mb" in row else "-"
        print("%-24s %12.4f %12s  %s" % (name, row["s_per_batch"], rss, spread))
    for other in ("torch-bptt", "torch-eprop", "snnc-online"):
        if other in by_tool and "snnc-adjoint" in by_tool:
            print("%-24s %12.2f  (%s / snnc adjoint)" % ("ratio", by_tool[other] / by_tool["snnc-adjoint"],
                                                          NAMES[other]))
    if "torch-bptt" in by_tool and "snnc-bptt" in by_tool:
        print("%-24s %12.2f  (torch BPTT / snnc BPTT, the same gradient)"
              % ("ratio", by_tool["torch-bptt"] / by_tool["snnc-bptt"]))
    print("floor of the online strategy: %d synapses x %d examples x 3 traces (eps_a, ebar, "
          "gradient) x read+write x %d B = %.1f MB per step" % (synapses, args.batch, real, bytes_per_step / 1e6))
    print("stream bandwidth (numpy copy): %.2f GB/s -> floor %.3f ms per step" % (bandwidth / 1e9, floor_step * 1e3))
    for tool in ("snnc-online", "snnc-adjoint"):
        if tool not in by_tool or args.target != "cpu":
            continue
        step = by_tool[tool] / args.steps
        if tool == "snnc-online":
            print("snnc online: %.3f ms per step = %.2f x the traffic floor" % (step * 1e3, step / floor_step))
        else:
            print("snnc adjoint: %.3f ms per step for %d neuron-steps and %.0f input spike events per step: "
                  "%.1f ns per neuron-step + event" % (step * 1e3, neuron_steps, input_events,
                                                       step * 1e9 / (neuron_steps + input_events)))
    if args.target == "cuda":
        name, peak = gpu_peak()
        for tool in ("snnc-online", "snnc-adjoint"):
            if tool in by_tool:
                step = by_tool[tool] / args.steps
                achieved = bytes_per_step / step
                print("%s on %s: %.3f ms per step%s" % (NAMES[tool], name, step * 1e3, (
                    "; the online strategy's traffic at %.0f GB/s = %s of the DRAM peak"
                    % (achieved / 1e9, "%.1f %%" % (100 * achieved / peak) if peak else "? (unknown GPU)"))
                    if tool == "snnc-online" else ""))
    with open(os.path.join(args.out_dir, "eprop.json"), "w") as f:
        json.dump({"rows": rows, "bytes_per_step": bytes_per_step, "bandwidth": bandwidth,
                   "floor_s_per_step": floor_step, "args": vars(args)}, f, indent=1)
    return 0 if by_tool else 1


if __name__ == "__main__":
    sys.exit(main())
