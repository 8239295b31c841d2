"""Round trip of snnc's model IR through its reader (see round-trip.test).

Usage: round-trip.test.py --snnc SNNC --root SOURCE_ROOT --work DIR
For each examples/*.snn and test/lit/**/*.snn that `snnc --emit=ir` accepts:
  1. print -> read -> print is byte-identical;
  2. the IR printed after fold-constants, read back, gives the same final IR.
Exits 1 on any difference (with a diff), or if fewer than MIN_CHECKED files
printed IR at all.
"""
import argparse
import difflib
import glob
import os
import subprocess
import sys

MIN_CHECKED = 20


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=120)


def diff(a, b, name_a, name_b):
    lines = difflib.unified_diff(a.decode(errors="replace").splitlines(True),
                                 b.decode(errors="replace").splitlines(True), name_a, name_b)
    return "".join(list(lines)[:40])


def logged_ir(log):
    """The IR of a --print-after log: its lines up to the first that is no IR
    (warnings follow it on stderr)."""
    kept = []
    for line in log.splitlines(True):
        if not line.startswith((b"; ***", b" ", b"neuron ", b"synapse ", b"network ", b"simulate ", b"train ", b"}")):
            break
        kept.append(line)
    return b"".join(kept)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--snnc", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    files = sorted(glob.glob(os.path.join(args.root, "examples", "*.snn")))
    files += sorted(glob.glob(os.path.join(args.root, "test", "lit", "**", "*.snn"), recursive=True))
    checked, failures = 0, []
    for n, path in enumerate(files):
        cwd = os.path.dirname(path)
        direct = run([args.snnc, "--emit=ir", path], cwd)
        if direct.returncode != 0:
            continue
        checked += 1
        printed = os.path.join(args.work, "%03d-%s.snnir" % (n, os.path.basename(path)[:-4]))
        with open(printed, "wb") as f:
            f.write(direct.stdout)
        # 1. print -> read -> print (-x given, and by the .snnir extension).
        for cmd in ([args.snnc, "-x", "snnir", printed, "--emit=ir"], [args.snnc, printed, "--emit=ir"]):
            again = run(cmd, cwd)
            if again.returncode != 0:
                failures.append("%s: reading its IR failed (exit %d):\n%s"
                                % (path, again.returncode, again.stderr.decode(errors="replace")))
            elif again.stdout != direct.stdout:
                failures.append("%s: IR differs after a round trip:\n%s"
                                % (path, diff(direct.stdout, again.stdout, "printed", "read and printed")))
        # 2. mid-pipeline IR (continuous models, parameters resolved) enters the pipeline there.
        mid = run([args.snnc, "--emit=ir", "--print-after=fold-constants", "-o", os.devnull, path], cwd)
        if mid.returncode != 0:
            failures.append("%s: --print-after=fold-constants failed" % path)
            continue
        partial = printed[:-6] + ".fold-constants.snnir"
        with open(partial, "wb") as f:
            f.write(logged_ir(mid.stderr))
        final = run([args.snnc, partial, "--emit=ir"], cwd)
        if final.returncode != 0:
            failures.append("%s: reading the IR after fold-constants failed (exit %d):\n%s"
                            % (path, final.returncode, final.stderr.decode(errors="replace")))
        elif final.stdout != direct.stdout:
            failures.append("%s: IR after fold-constants, read back, compiles differently:\n%s"
                            % (path, diff(direct.stdout, final.stdout, "from source", "from mid-pipeline IR")))
    for f in failures:
        print(f)
    print("%d of %d files print IR; %d failures" % (checked, len(files), len(failures)))
    if checked < MIN_CHECKED:
        print("too few files printed IR (fewer than %d): is snnc broken?" % MIN_CHECKED)
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
