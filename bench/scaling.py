#!/usr/bin/python3
"""Data-parallel training of the DVS-shaped network on 1, 8 and 64 GPUs, on paper.

The network of the CUDA issue (bench/eprop.py --dvs: 2048 inputs -> 512
recurrent ALIF at 10 % -> 11 readouts, batch 512, 1500 steps of 1 ms,
e-prop) is compiled with --target=cuda; its lowered Program gives what a
batch costs and what the ranks exchange:

  compute  the cost model's memory operations per step and example of the
           chosen e-prop strategy (--emit=lowered, `training`), 4 bytes each,
           over the GPU's DRAM bandwidth, but no less than the step's kernel
           launches (forward, and backward for the adjoint strategy) times a
           launch latency; per rank, batch / K examples;
  exchange the per-example gradient (--emit=memory: the trained
           projections' `grad_example` buffers) that `mpirun` exchanges
           today, one MPI_Allgatherv per batch so that every rank sums the
           whole batch in example order (bit-identical to one process):
           each rank receives (K - 1) / K x batch x gradient bytes; and, for
           comparison, a ring all-reduce of the summed gradient (NCCL's,
           not bit-identical across K): 2 (K - 1) / K x gradient bytes.

Links: 8 GPUs share a node (NVLink, --nvlink GB/s per GPU and direction);
64 GPUs are 8 such nodes whose rings cross InfiniBand (--network GB/s per
GPU). Nothing here is measured on a GPU: no device has been lent. With one,
`bench/eprop.py --dvs` measures ms per step, and `--ms-per-step` replaces
the estimate of the compute.

    /usr/bin/python3 bench/scaling.py [--snnc PATH] [--bandwidth 3350]
        [--launch-us 4] [--nvlink 450] [--network 50] [--ms-per-step MS]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import eprop  # noqa: E402

INPUTS, HIDDEN, CLASSES, RECURRENT, BATCH, STEPS = 2048, 512, 11, 0.1, 512, 1500


def program(snnc, emit, path):
    proc = subprocess.run([snnc, "--target=cuda", "--emit=" + emit, path], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("snnc --emit=%s failed: %s" % (emit, proc.stderr))
    return proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snnc", default="build/tools/snnc/snnc")
    parser.add_argument("--bandwidth", type=float, default=3350, help="GPU DRAM GB/s (H100 SXM: 3350)")
    parser.add_argument("--launch-us", type=float, default=4, help="microseconds per kernel launch")
    parser.add_argument("--nvlink", type=float, default=450, help="GB/s per GPU and direction inside a node")
    parser.add_argument("--network", type=float, default=50, help="GB/s per GPU between nodes (NDR 400 Gb/s)")
    parser.add_argument("--ms-per-step", type=float, help="measured ms per step of the whole batch on one GPU")
    args = parser.parse_args()
    snnc = os.path.abspath(args.snnc)
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "dvs.snn")
        text = eprop.model_text(HIDDEN, STEPS, BATCH, inputs=INPUTS, classes=CLASSES, recurrent_p=RECURRENT)
        with open(path, "w") as f:
            f.write(re.sub(r'data train = [^\n]*', 'data train = events("dvs.npz")', text))
        lowered = program(snnc, "lowered", path)
        memory = program(snnc, "memory", path)
    found = re.search(r"e-prop strategy: (\w+) \(cost per step: online (\d+), adjoint (\d+)\)", lowered)
    strategy, costs = found.group(1), {"online": float(found.group(2)), "adjoint": float(found.group(3))}
    launches = {}
    entry = None
    for line in lowered.splitlines():
        if line.startswith("entry "):
            entry = line.split()[1]
        elif line.startswith("  launch ") and entry:
            launches[entry] = launches.get(entry, 0) + 1
    # The adjoint strategy adds the backward launches of every step, and a
    # second forward pass where its history is recomputed in segments.
    recomputed = "segments recomputed" in lowered
    per_step = {"online": launches.get("train_step", 0),
                "adjoint": launches.get("train_step", 0) * (2 if recomputed else 1) + launches.get("train_backward", 0)}
    gradient = 0
    for line in memory.splitlines():
        m = re.match(r"\s*%\d+\s+\S+\.grad_example\s+f32\s+.*per-example\s+~?(\d+)\s+\d+\s*$", line)
        if m:
            gradient += 4 * int(m.group(1))
    print("DVS-shaped network: %d -> %d ALIF (%g recurrent) -> %d, batch %d, %d steps; the cost model chooses "
          "e-prop %s; per-example gradient %.2f MB" % (INPUTS, HIDDEN, RECURRENT, CLASSES, BATCH, STEPS, strategy,
                                                      gradient / 1e6))
    print("assumed: %g GB/s DRAM, %g us per launch, NVLink %g GB/s, network %g GB/s per GPU%s" %
          (args.bandwidth, args.launch_us, args.nvlink, args.network,
           "; measured %g ms per step on one GPU" % args.ms_per_step if args.ms_per_step else ""))
    print("%-8s %5s %9s %11s %11s %11s %9s %12s %9s" % ("strategy", "GPUs", "examples", "compute s", "allgather s",
                                                        "batch s", "speed-up", "allreduce s", "speed-up"))
    for name in ("adjoint", "online"):
        base = None
        for k in (1, 8, 64):
            examples = BATCH // k
            traffic = costs[name] * 4 * examples / (args.bandwidth * 1e9)
            step = max(traffic, per_step[name] * args.launch_us * 1e-6)
            if args.ms_per_step and name == strategy:
                step = args.ms_per_step * 1e-3 * examples / BATCH
            compute = step * STEPS
            link = (args.nvlink if k <= 8 else args.network) * 1e9
            gather = (k - 1) / k * BATCH * gradient / link
            reduce = 2 * (k - 1) / k * gradient / link
            base = base or compute
            print("%-8s %5d %9d %11.4f %11.4f %11.4f %8.1fx %12.4f %8.1fx" %
                  (name, k, examples, compute, gather, compute + gather, base / (compute + gather),
                   compute + reduce, base / (compute + reduce)))
        print("%-8s %.0f memory operations per step and example, %d launches per step" %
              ("", costs[name], per_step[name]))

if __name__ == "__main__":
    main()
