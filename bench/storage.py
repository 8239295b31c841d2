#!/usr/bin/python3
"""Storage formats side by side: CUBA's projections ragged, bitmask, procedural.

The Vogels & Abbott network of examples/cuba.snn at N neurons (4/5
excitatory, dt 0.1 ms, float32) in two shapes:
  sparse  p = 80 / N: every neuron keeps 80 synapses (p = 0.02 at N = 4000);
  dense   p = 0.5: N / 2 synapses per neuron, the weights scaled by 160 / N
          so that the input, and the rates, stay those of CUBA;
and, with --shape conv, an N x N x 4 image of 50 Hz Poisson pixels into a
"same" 3x3 conv2d of 8 channels and a 2x2 avg_pool2d, constant weights.
Each projection is forced to one storage format (sparse(format: ...)); the
cost model's own choice is listed too. Every format gives the same spikes
(the exc spike count is printed to show it); the table gives wall seconds
per biological second (the run's summary line) and the bytes the
projections store (--emit=memory: row offsets, targets, weights or mask).

    /usr/bin/python3 bench/storage.py [--snnc PATH] [--sizes 4000,20000,100000]
        [--duration 0.5] [--shape sparse|dense|conv]   (conv: --sizes 32,64 image sides)

Timing is reported, never asserted.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cuda import MODEL  # noqa: E402  (one CUBA for every bench)

FORMATS = ("ragged", "bitmask", "procedural")
SUMMARY = re.compile(r"in ([0-9.e+-]+) s wall: ([0-9.e+-]+) s per biological second")
SPIKES = re.compile(r"^exc\s+\d+\s+(\d+)\s", re.M)


CONV = """
import std.inputs.Poisson
import std.neurons.LeakyIntegrator
network Net {{
  population noise = Poisson(rate: 50 Hz) x {n}x{n}x4
  population conv = LeakyIntegrator x {n}x{n}x8
  population pooled = LeakyIntegrator x {h}x{h}x4
  connect noise -> conv : conv2d(3x3, padding: "same"), weight 0.1{s}
  connect noise -> pooled : avg_pool2d(2x2), weight 0.25{s}
}}
simulate Net {{ dt = 0.1 ms;  duration = 1 s;  seed = 9 }}
"""
SPIKES_CONV = re.compile(r"^noise\s+\d+\s+(\d+)\s", re.M)


def source(n, shape, storage):
    if shape == "conv":
        return CONV.format(n=n, h=n // 2, s=", sparse(format: %s)" % storage if storage else "")
    exc = n * 4 // 5
    p = 80.0 / n if shape == "sparse" else 0.5
    scale = 1.0 if shape == "sparse" else 160.0 / n
    text = MODEL.format(exc=exc, inh=n - exc, p="%.6g" % p)
    for weight in ("1.62", "-9"):
        old = "weight %s mV" % weight
        new = "weight %.6g mV" % (float(weight) * scale)
        text = text.replace(old, new + (", sparse(format: %s)" % storage if storage else ""))
    return text


def stored_bytes(snnc, path):
    out = subprocess.run([snnc, "--emit=memory", path], capture_output=True, text=True, check=True).stdout
    total = 0
    for line in out.splitlines():
        m = re.match(r"\s*%\d+\s+(\S+ -> \S+)\s.*\s(\d+)\s*$", line)
        if m:
            total += int(m.group(2))
    return total


def chosen(snnc, path):
    out = subprocess.run([snnc, "--emit=lowered", path], capture_output=True, text=True, check=True).stdout
    section = out[out.index("\nstorage {"):]
    section = section[:section.index("\n}")]
    return sorted(set(re.findall(r"^  \S+ -> \S+: (\w+) \(", section, re.M)))


def measure(snnc, work, name, text, duration):
    path = os.path.join(work, name + ".snn")
    with open(path, "w") as f:
        f.write(text)
    exe = os.path.join(work, name)
    subprocess.run([snnc, path, "-o", exe], check=True, capture_output=True)
    proc = subprocess.run([exe, "--duration", str(duration)], capture_output=True, text=True, cwd=work, check=True)
    spikes = SPIKES.search(proc.stdout) or SPIKES_CONV.search(proc.stdout)
    return float(SUMMARY.search(proc.stdout).group(2)), int(spikes.group(1)), stored_bytes(snnc, path), path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snnc", default="build/tools/snnc/snnc")
    parser.add_argument("--sizes", default="4000,20000,100000")
    parser.add_argument("--duration", type=float, default=0.5)
    parser.add_argument("--shape", default="sparse", choices=["sparse", "dense", "conv"])
    args = parser.parse_args()
    snnc = os.path.abspath(args.snnc)
    print("%s, dt 0.1 ms, float32, %g s simulated, CPU: wall s per biological s / spikes (exc, or input) / "
          "bytes stored by the projections" % ("conv2d + avg_pool2d" if args.shape == "conv" else "CUBA (%s)" %
                                               args.shape, args.duration))
    print("%8s  %-11s %10s %9s %12s  %s" % ("neurons", "format", "s per s", "spikes", "bytes", "vs ragged"))
    with tempfile.TemporaryDirectory() as work:
        for n in [int(s) for s in args.sizes.split(",")]:
            ragged = None
            for storage in FORMATS:
                seconds, spikes, nbytes, _ = measure(snnc, work, "%s_%d" % (storage, n),
                                                     source(n, args.shape, storage), args.duration)
                ragged = ragged or (seconds, nbytes)
                print("%8d  %-11s %10.4g %9d %12d  time x%.2f, bytes x%.3f" %
                      (n, storage, seconds, spikes, nbytes, seconds / ragged[0], nbytes / ragged[1]), flush=True)
            path = os.path.join(work, "auto_%d.snn" % n)
            with open(path, "w") as f:
                f.write(source(n, args.shape, None))
            print("%8d  cost model chooses: %s" % (n, ", ".join(chosen(snnc, path))), flush=True)


if __name__ == "__main__":
    main()
