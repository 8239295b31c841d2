#!/usr/bin/env python3
"""Compile latency of snnc: median wall and user+sys time of `snnc MODEL -o EXE`.

Compares one or more snnc binaries side by side on the same machine, runs
interleaved so that load drift hits all of them alike. user+sys includes the
linker and every other child process snnc waits for.

    /usr/bin/python3 bench/compile_time.py [--runs 5] [--model examples/cuba.snn] \
        [--snnc build/tools/snnc/snnc] [--snnc OTHER/snnc ...]
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def compile_once(snnc, model, out):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([snnc, model, "-o", out], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit("%s failed (exit %d):\n%s" % (snnc, proc.returncode, proc.stderr))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--snnc", action="append", help="snnc binary (repeatable; default: the build's)")
    parser.add_argument("--model", default=os.path.join(ROOT, "examples", "cuba.snn"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    binaries = args.snnc or [os.path.join(ROOT, "build", "tools", "snnc", "snnc")]
    if args.runs < 1:
        sys.exit("--runs must be at least 1")
    samples = {b: [] for b in binaries}
    with tempfile.TemporaryDirectory() as work:
        for b in binaries:  # warm the page cache and the file system
            compile_once(b, args.model, os.path.join(work, "warm"))
        for _ in range(args.runs):
            for k, b in enumerate(binaries):
                samples[b].append(compile_once(b, args.model, os.path.join(work, "exe%d" % k)))
    print("compile %s, median of %d runs" % (os.path.relpath(args.model, ROOT), args.runs))
    print("| snnc | wall (s) | user+sys (s) |")
    print("|---|---|---|")
    for b in binaries:
        walls = [w for w, _ in samples[b]]
        cpus = [c for _, c in samples[b]]
        print("| %s | %.3f | %.3f |" % (b, statistics.median(walls), statistics.median(cpus)))


if __name__ == "__main__":
    main()
