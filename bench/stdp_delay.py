#!/usr/bin/env python3
"""Cost of a synaptic delay on a plastic (STDP) projection.

1000 Poisson neurons at 10 Hz drive 1000 CondLIF neurons through
fixed_probability(0.1) (about 100 000 synapses) with std.synapses.STDP, in
three variants compiled by the same snnc and run interleaved on the same
machine: the default delay of one step (the floor: `on pre` visits the rows
of this step's spikes), one delay of 2 ms for the projection (`on pre`
visits the rows whose spikes arrive now), and a delay per synapse drawn from
uniform(1.5 ms, 2.5 ms) (`on pre` scans every synapse every step). Prints
the median wall time of the simulation (the executable's own report, so
compilation and file output are excluded) and the ratio to the floor.

    /usr/bin/python3 bench/stdp_delay.py [--snnc PATH] [--runs 5] [--duration 2]
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = """
import std.neurons.CondLIF
import std.inputs.Poisson
import std.synapses.STDP
network N {
  population noise = Poisson(rate: 10 Hz) x 1000
  population cells = CondLIF x 1000
  connect noise -> cells.ge : fixed_probability(0.1), synapse STDP(w_max: 4 nS), weight 2 nS%s
}
simulate N { dt = 0.1 ms; duration = %g s }
"""
VARIANTS = [("delay 1 step (floor)", ""), ("delay 2 ms", ", delay 2 ms"),
            ("delay ~ uniform(1.5 ms, 2.5 ms)", ", delay ~ uniform(1.5 ms, 2.5 ms)")]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snnc", default=os.path.join(ROOT, "build", "tools", "snnc", "snnc"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--duration", type=float, default=2.0, help="biological seconds per run")
    args = parser.parse_args()
    if args.runs < 1 or args.duration <= 0:
        sys.exit("--runs must be at least 1 and --duration positive")
    times = {name: [] for name, _ in VARIANTS}
    with tempfile.TemporaryDirectory() as work:
        exes = {}
        for k, (name, clause) in enumerate(VARIANTS):
            path = os.path.join(work, "v%d.snn" % k)
            with open(path, "w") as f:
                f.write(MODEL % (clause, args.duration))
            exes[name] = os.path.join(work, "v%d" % k)
            proc = subprocess.run([args.snnc, path, "-o", exes[name]], capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit("snnc failed on %s:\n%s" % (name, proc.stderr))
        for _ in range(args.runs):
            for name, _ in VARIANTS:
                proc = subprocess.run([exes[name]], capture_output=True, text=True, cwd=work)
                found = re.search(r"in ([0-9.eE+-]+) s wall", proc.stdout)
                if proc.returncode != 0 or not found:
                    sys.exit("%s failed (exit %d):\n%s%s" % (name, proc.returncode, proc.stdout, proc.stderr))
                times[name].append(float(found.group(1)))
    floor = statistics.median(times[VARIANTS[0][0]])
    print("STDP, 1000 Poisson -> 1000 CondLIF, p = 0.1, %g s biological, median of %d runs" % (args.duration, args.runs))
    print("| variant | simulation wall (s) | ratio to the floor |")
    print("|---|---|---|")
    for name, _ in VARIANTS:
        t = statistics.median(times[name])
        print("| %s | %.3f | %.2f |" % (name, t, t / floor))


if __name__ == "__main__":
    main()
