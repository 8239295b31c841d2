#!/usr/bin/python3
"""CUBA scaled up, CPU backend against the CUDA backend, side by side.

The Vogels & Abbott network of examples/cuba.snn at N neurons (4/5
excitatory), with the connection probability scaled to 80 / N so that every
neuron keeps 80 synapses on average (the 4000-neuron original has p = 0.02),
dt 0.1 ms, float32. Each size is compiled for --target=cpu and
--target=cuda (--spike-delivery as given: auto, presynaptic or
postsynaptic) and run for --duration simulated seconds; the table gives
wall seconds per biological second (the run's own summary line, which
times init and the step loop) and the GPU's speedup.

Usage (from the repository root):

    python3 bench/cuda.py [--snnc PATH] [--sizes 100000,1000000]
                          [--duration 0.2] [--delivery auto] [--cpu-max N]

Sizes above --cpu-max (default 1000000) skip the CPU run. On a machine
without a GPU the GPU column says so. Timing is reported, never asserted.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

MODEL = """
neuron CubaLIF {{
  param tau_mem = 20 ms
  param tau_e = 5 ms
  param tau_i = 10 ms
  param v_rest = -49 mV
  param v_th = -50 mV
  param v_reset = -60 mV
  param t_ref = 5 ms
  state v = v_reset
  state ge = 0 mV
  state gi = 0 mV
  refractory = t_ref
  dv/dt = (ge + gi - (v - v_rest)) / tau_mem  unless refractory
  dge/dt = -ge / tau_e
  dgi/dt = -gi / tau_i
  spike when v > v_th
  on spike {{ v = v_reset }}
}}
network CUBA {{
  population exc = CubaLIF x {exc}
  population inh = CubaLIF x {inh}
  connect exc -> exc.ge, inh.ge : fixed_probability({p}), weight 1.62 mV
  connect inh -> exc.gi, inh.gi : fixed_probability({p}), weight -9 mV
}}
simulate CUBA {{
  dt = 0.1 ms
  duration = 1 s
  init exc.v, inh.v ~ uniform(-60 mV, -50 mV)
}}
"""

SUMMARY = re.compile(r"in ([0-9.e+-]+) s wall: ([0-9.e+-]+) s per biological second")
RATE = re.compile(r"^exc\s+\d+\s+\d+\s+([0-9.]+) Hz", re.M)


def build(snnc, source, exe, flags):
    proc = subprocess.run([snnc] + flags + [source, "-o", exe], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit("snnc failed: " + proc.stderr)


def run(exe, duration, cwd):
    """(seconds per biological second, exc rate) or the reason it did not run."""
    proc = subprocess.run([exe, "--duration", str(duration)], capture_output=True, text=True, cwd=cwd)
    if "no usable NVIDIA GPU" in proc.stderr:
        return "no GPU here"
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "exit %d" % proc.returncode
    per_second = SUMMARY.search(proc.stdout)
    rate = RATE.search(proc.stdout)
    return float(per_second.group(2)), float(rate.group(1)) if rate else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snnc", default="build/tools/snnc/snnc")
    parser.add_argument("--sizes", default="100000,250000,500000,1000000")
    parser.add_argument("--duration", type=float, default=0.2)
    parser.add_argument("--delivery", default="auto", choices=["auto", "presynaptic", "postsynaptic"])
    parser.add_argument("--cpu-max", type=int, default=1000000)
    args = parser.parse_args()
    snnc = os.path.abspath(args.snnc)
    print("CUBA, 80 synapses per neuron, dt 0.1 ms, float32, %g s simulated; "
          "wall s per biological s (exc rate in Hz)" % args.duration)
    print("%10s  %12s  %18s  %18s  %8s" % ("neurons", "synapses", "cpu", "cuda", "speedup"))
    with tempfile.TemporaryDirectory() as work:
        for n in [int(s) for s in args.sizes.split(",")]:
            exc = n * 4 // 5
            source = os.path.join(work, "cuba_%d.snn" % n)
            with open(source, "w") as f:
                f.write(MODEL.format(exc=exc, inh=n - exc, p="%.6g" % (80.0 / n)))
            cells = {}
            for target in ("cpu", "cuda"):
                if target == "cpu" and n > args.cpu_max:
                    cells[target] = "skipped"
                    continue
                exe = os.path.join(work, "%s_%d" % (target, n))
                build(snnc, source, exe, ["--target=" + target, "--spike-delivery=" + args.delivery])
                cells[target] = run(exe, args.duration, work)
            text = {t: ("%.4g (%.2f)" % c if isinstance(c, tuple) else c[:40]) for t, c in cells.items()}
            both = all(isinstance(c, tuple) for c in cells.values())
            speedup = "%.1fx" % (cells["cpu"][0] / cells["cuda"][0]) if both else "-"
            print("%10d  %12d  %18s  %18s  %8s" % (n, n * 80, text["cpu"], text["cuda"], speedup), flush=True)


if __name__ == "__main__":
    main()
