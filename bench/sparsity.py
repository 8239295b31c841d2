#!/usr/bin/env python3
"""Digits and the evidence task at decreasing connectivity: accuracy, time, bytes.

Trains examples/digits.snn (64 inputs -> 128 recurrent ALIF -> 10 readouts,
e-prop) or, with --task evidence, examples/evidence_accumulation.snn (40
inputs -> 50 LIF + 50 ALIF recurrent -> 2 readouts, e-prop, Bellec et al.'s
cue task) with the input and recurrent projections at 100 %, 20 %, 10 %, 5 %
and 1 % connectivity, three ways:
  fixed    fixed_probability(d) from the start (ragged storage below 100 %);
  pruned   dense at first, `prune ... to d by magnitude every 2 epochs`
           (the gradual cubic schedule, reaching d at the last pruning
           epoch);
  deep_r   fixed_probability(d) rewired by Deep R (l1 1e-5, temperature
           1e-12; Bellec et al. 2018's terms), the synapse count fixed.
It prints, side by side on this machine, the final test accuracy, the mean
wall time of an epoch (training and evaluation), and the bytes of those
projections' per-synapse buffers (connectivity, weights, gradients,
optimiser moments and the per-example gradients of a batch) at the end of
training, from --emit=memory (pruned: scaled to the final synapse count, as
every per-synapse buffer shrinks with it).

    /usr/bin/python3 bench/sparsity.py --snnc build/tools/snnc/snnc [--epochs 20]
    /usr/bin/python3 bench/sparsity.py --snnc build/tools/snnc/snnc --task evidence --epochs 6 [--threads 2]
"""
import argparse
import json
import os
import re
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DENSITIES = [1.0, 0.2, 0.1, 0.05, 0.01]


class Task:
    """A training example and the lines that make its sparse projections."""

    def __init__(self, example, dense_lines, recurrent_lines, projections, data):
        self.example, self.dense_lines, self.recurrent_lines = example, dense_lines, recurrent_lines
        self.projections, self.data = projections, data


TASKS = {
    "digits": Task("digits.snn",
                   ["connect input  -> hidden : dense, delay 0, weight ~ normal(0, 0.35)"],
                   ["connect hidden -> hidden : fixed_probability(1, autapses: false), weight ~ normal(0, 0.05)"],
                   ["input -> hidden", "hidden -> hidden"], ["data/digits.csv.gz"]),
    "evidence": Task("evidence_accumulation.snn",
                     ["connect input -> lif, alif : dense, delay 0, weight ~ normal(0, 1 / sqrt(40))",
                      "connect lif  -> alif : dense, weight ~ normal(0, 1 / sqrt(100))",
                      "connect alif -> lif  : dense, weight ~ normal(0, 1 / sqrt(100))"],
                     ["connect lif  -> lif  : fixed_probability(1, autapses: false), weight ~ normal(0, 1 / sqrt(100))",
                      "connect alif -> alif : fixed_probability(1, autapses: false), weight ~ normal(0, 1 / sqrt(100))"],
                     ["input -> lif", "input -> alif", "lif -> lif", "lif -> alif", "alif -> lif", "alif -> alif"],
                     ["data/evidence_train.npz", "data/evidence_test.npz"]),
}


def variant(task, source, density, how, epochs):
    pruned = how == "pruned"
    for line in task.dense_lines + task.recurrent_lines:
        assert line in source, "examples/%s changed: update bench/sparsity.py" % task.example
    if density < 1 and not pruned:  # fixed and deep_r
        for line in task.dense_lines:
            source = source.replace(line, line.replace(": dense", ": fixed_probability(%g)" % density))
        for line in task.recurrent_lines:
            source = source.replace(line, line.replace("fixed_probability(1,", "fixed_probability(%g," % density))
    rules = ""
    if density < 1 and pruned:
        rules = "".join("  prune %s to %g %% by magnitude every 2 epochs\n" % (p, 100 * density)
                        for p in task.projections)
    if density < 1 and how == "deep_r":
        rules = "".join("  rewire %s by deep_r(l1: 1e-5, temperature: 1e-12)\n" % p for p in task.projections)
    source = source.replace("  optimizer = adam(lr: 5e-3)\n", "  optimizer = adam(lr: 5e-3)\n" + rules)
    source = re.sub(r"epochs = \d+", "epochs = %d" % epochs, source)
    for data in task.data:
        source = source.replace('"%s"' % data, '"%s"' % os.path.join(ROOT, data))
    return source


def synapse_bytes(snnc, path, projections):
    out = subprocess.run([snnc, "--emit=memory", path], capture_output=True, text=True, check=True).stdout
    total = 0
    for line in out.splitlines():
        m = re.search(r"\s(synapse|row)\((.*?)\)\s.*\s(\d+)\s*$", line)
        if m and m.group(2).rsplit(".", 1)[0] in projections:
            total += int(m.group(3))
    return total


def run(snnc, work, name, source, task, threads):
    path = os.path.join(work, name + ".snn")
    with open(path, "w") as f:
        f.write(source)
    exe = os.path.join(work, name)
    subprocess.run([snnc, path, "-o", exe], check=True, capture_output=True)
    metrics = os.path.join(work, name + ".jsonl")
    out = subprocess.run([exe, "--quiet", "--metrics", metrics, "--threads", str(threads)], cwd=work,
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("%s failed:\n%s%s" % (name, out.stdout, out.stderr))
    rows = [json.loads(line) for line in open(metrics)]
    accuracy = 100 * rows[-1]["test_accuracy"]
    seconds = sum(r["seconds"] for r in rows) / len(rows)
    density = rows[-1].get("density", {})
    return accuracy, seconds, synapse_bytes(snnc, path, task.projections), density


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snnc", required=True)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--task", choices=sorted(TASKS), default="digits")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    task = TASKS[args.task]
    source = open(os.path.join(ROOT, "examples", task.example)).read()
    print("%s, %d epochs, e-prop (auto strategy), %d thread(s); bytes: the per-synapse buffers of %s" %
          (args.task, args.epochs, args.threads, ", ".join(task.projections)))
    print("%-10s %-7s %9s %12s %12s" % ("density", "how", "test acc", "s per epoch", "bytes"))
    with tempfile.TemporaryDirectory() as work:
        dense_bytes = None
        for density in DENSITIES:
            for how in (["fixed"] if density == 1 else ["fixed", "pruned", "deep_r"]):
                name = "d%g_%s" % (density, how)
                accuracy, seconds, nbytes, final = run(os.path.abspath(args.snnc), work, name,
                                                       variant(task, source, density, how, args.epochs), task,
                                                       args.threads)
                if how == "pruned":  # every per-synapse buffer shrank with the synapse count
                    nbytes = int(nbytes * density)
                got = ", ".join("%.4f" % v for v in final.values()) if final else ""
                dense_bytes = dense_bytes or nbytes
                print("%-10s %-7s %8.1f %% %12.2f %12d  (%.3f of dense)%s" %
                      ("%g %%" % (100 * density), how, accuracy, seconds, nbytes, nbytes / dense_bytes,
                       "  final densities " + got if got else ""), flush=True)


if __name__ == "__main__":
    main()
