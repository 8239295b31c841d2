#!/usr/bin/env python3
"""E-prop on 1 and 2 MPI ranks: time per epoch and the same weights.

Trains examples/digits.snn (adjoint strategy, batch 32), or with --example
evidence examples/evidence_accumulation.snn (batch 64, 2250 steps; its data
from bench/evidence_data.py), for a few epochs as
one process, with --threads 2, and as `mpirun -np 2`, side by side on this
machine, and prints a table: seconds per epoch (the metrics file's
`seconds`, evaluation included), the speed-up over one process, the final
test accuracy, and whether the trained weights are bit-identical to the
single-process run's (they must be: every rank reduces the whole batch's
per-example gradients in example order). Also the bytes every rank sends
per batch: each example's gradients once.

    /usr/bin/python3 bench/mpi.py [--snnc build/tools/snnc/snnc] [--epochs 3] [--example evidence]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(argv, work):
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("%s failed (%d):\n%s%s" % (" ".join(argv), out.returncode, out.stdout, out.stderr))
    return out.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--snnc", default=os.path.join(ROOT, "build/tools/snnc/snnc"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--example", choices=("digits", "evidence"), default="digits")
    args = ap.parse_args()
    source = {"digits": "examples/digits.snn", "evidence": "examples/evidence_accumulation.snn"}[args.example]
    if args.example == "evidence" and not os.path.exists(os.path.join(ROOT, "data/evidence_train.npz")):
        run([sys.executable, "bench/evidence_data.py"], ROOT)
    mpirun = shutil.which("mpirun")
    if not mpirun:
        sys.exit("no mpirun: bash scripts/setup.sh installs openmpi-bin")
    work = tempfile.mkdtemp(prefix="snnc-mpi-")
    exe = os.path.join(work, args.example)
    run([args.snnc, "--eprop-strategy=adjoint", source, "-o", exe], work)
    launcher = [mpirun, "-np", "2", "--oversubscribe"] + (["--allow-run-as-root"] if os.geteuid() == 0 else [])
    rows = []
    for label, prefix, extra in (("1 process", [], []), ("1 process, --threads 2", [], ["--threads", "2"]),
                                 ("mpirun -np 2", launcher, [])):
        tag = label.replace(" ", "_").replace(",", "").replace("-", "")
        weights, metrics = os.path.join(work, tag + ".npz"), os.path.join(work, tag + ".jsonl")
        run(prefix + [exe, "--epochs", str(args.epochs), "--weights-out", weights, "--metrics", metrics, "--quiet",
                      *extra], work)
        with open(metrics) as f:
            epochs = [json.loads(line) for line in f]
        seconds = sum(e["seconds"] for e in epochs) / len(epochs)
        rows.append((label, seconds, epochs[-1].get("test_accuracy", float("nan")), dict(np.load(weights))))
    base = rows[0]
    print("| run | s per epoch | speed-up | test accuracy | weights as 1 process |")
    print("|---|---|---|---|---|")
    for label, seconds, accuracy, weights in rows:
        same = sorted(weights) == sorted(base[3]) and all(np.array_equal(weights[k], base[3][k]) for k in weights)
        print("| %s | %.2f | %.2f | %.1f %% | %s |" % (label, seconds, base[1] / seconds, 100 * accuracy,
                                                        "bit-identical" if same else "DIFFERENT"))
    sizes = sum(v.size for v in base[3].values())
    print("\n%s: per batch, each rank sends its examples' gradients, at most %d values (dense layout) x 4 B = "
          "%.2f MB per example" % (args.example, sizes, sizes * 4 / 1e6))
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
