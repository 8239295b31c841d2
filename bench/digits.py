#!/usr/bin/env python3
"""Digits with e-prop: accuracy and training time of network variants.

Trains examples/digits.snn (recurrent ALIF) and three variants made from it
by text substitution (recurrent EpropLIF, feed-forward ALIF, feed-forward
EpropLIF), each with both e-prop strategies (--eprop-strategy=online and
adjoint), and prints a table of test accuracy and wall time, side by side
on this machine. With --check PCT --exe PATH it only runs the given digits
executable and fails unless the final test accuracy is at least PCT.

    /usr/bin/python3 bench/digits.py --snnc build/tools/snnc/snnc
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def train(exe, extra=()):
    start = time.monotonic()
    out = subprocess.run([exe, *extra], cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if out.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (exe, out.returncode, out.stdout, out.stderr))
    found = re.findall(r"test accuracy: ([0-9.]+) %", out.stdout)
    if not found:
        raise RuntimeError("%s printed no test accuracy:\n%s" % (exe, out.stdout))
    return float(found[-1]), seconds


def variants(source):
    alif = 'ALIF(tau_mem: 20 ms, tau_adapt: 200 ms, v_th: 0.6, beta: 0.07)'
    lif = 'EpropLIF(tau_mem: 20 ms, v_th: 0.6)'
    assert alif in source, "examples/digits.snn changed: update bench/digits.py"
    recurrent = [l for l in source.splitlines() if l.strip().startswith("connect hidden -> hidden")]
    assert len(recurrent) == 1
    feedforward = source.replace(recurrent[0] + "\n", "")
    lif_source = source.replace(alif, lif).replace("import std.neurons.{ALIF, Readout}",
                                                    "import std.neurons.{EpropLIF, Readout}")
    lif_ff = feedforward.replace(alif, lif).replace("import std.neurons.{ALIF, Readout}",
                                                     "import std.neurons.{EpropLIF, Readout}")
    return [("ALIF", "recurrent", source), ("LIF", "recurrent", lif_source),
            ("ALIF", "feed-forward", feedforward), ("LIF", "feed-forward", lif_ff)]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--snnc", default=os.path.join(ROOT, "build/tools/snnc/snnc"))
    ap.add_argument("--exe", help="a built digits executable (with --check)")
    ap.add_argument("--check", type=float, help="fail unless the test accuracy is at least this (percent)")
    ap.add_argument("--epochs", type=int, help="override the epochs of every variant")
    args = ap.parse_args()
    extra = ["--epochs", str(args.epochs)] if args.epochs is not None else []
    if args.check is not None:
        accuracy, seconds = train(args.exe, extra)
        print("digits: test accuracy %.1f %% in %.1f s (required: %.1f %%)" % (accuracy, seconds, args.check))
        return 0 if accuracy >= args.check else 1
    source = open(os.path.join(ROOT, "examples/digits.snn")).read()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for neuron, topology, text in variants(source):
            path = os.path.join(work, "%s_%s.snn" % (neuron, topology))
            open(path, "w").write(text)
            for strategy in ("online", "adjoint"):
                exe = path[:-4] + "_" + strategy
                subprocess.run([args.snnc, "--eprop-strategy=" + strategy, path, "-o", exe], check=True)
                accuracy, seconds = train(exe, extra)
                rows.append((neuron, topology, strategy, accuracy, seconds))
    print("| neuron | hidden layer | e-prop strategy | test accuracy | training time (s) |")
    print("|---|---|---|---|---|")
    for neuron, topology, strategy, accuracy, seconds in rows:
        print("| %s | %s | %s | %.1f %% | %.1f |" % (neuron, topology, strategy, accuracy, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
