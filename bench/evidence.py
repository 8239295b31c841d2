#!/usr/bin/env python3
"""The evidence-accumulation task of Bellec et al. 2020: accuracy and time.

Generates the task's data with a fixed seed (bench/evidence_data.py), builds
examples/evidence_accumulation.snn and variants of it made by text
substitution, trains each, and prints one table, side by side on this
machine:

- e-prop (the example as written; the compiler picks the adjoint strategy);
- e-prop with the online strategy forced (timed on a few batches only: it
  computes the same gradient, see test/e2e/test_eprop_gradients.py);
- surrogate-gradient BPTT (`train ... with bptt`);
- a control without long memory: tau_adapt 20 ms instead of 2 s. The cues
  end 1.05 s before the recall, so this network should stay near chance; it
  shows that the task needs the adaptation's memory.

With --check PCT only the e-prop example is trained, and the script fails
unless its final test accuracy is at least PCT (the `slow` ctest label runs
this).

    /usr/bin/python3 bench/evidence.py [--snnc PATH] [--epochs N] [--threads N]
"""
import argparse
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples/evidence_accumulation.snn")


def generate(out_dir, train, test, seed):
    subprocess.run([sys.executable, os.path.join(ROOT, "bench/evidence_data.py"), "--out-dir", out_dir, "--train",
                    str(train), "--test", str(test), "--seed", str(seed)], check=True, stdout=subprocess.DEVNULL)
    return [os.path.join(out_dir, "evidence_%s.npz" % n) for n in ("train", "test")]


def build(snnc, source, exe, extra=()):
    path = exe + ".snn"
    with open(path, "w") as f:
        f.write(source)
    out = subprocess.run([snnc, path, "-o", exe, *extra], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("snnc failed on %s (%d):\n%s" % (path, out.returncode, out.stderr))


def train(exe, data, options):
    """Runs a training executable; returns (final test accuracy %, wall seconds, epoch lines)."""
    command = [exe, "--data-train", data[0], "--data-test", data[1], *options]
    start = time.monotonic()
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if out.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(command), out.returncode, out.stdout, out.stderr))
    found = re.findall(r"test accuracy: ([0-9.]+) %", out.stdout)
    if not found:
        raise RuntimeError("%s printed no test accuracy:\n%s" % (exe, out.stdout))
    epochs = [l for l in out.stdout.splitlines() if l.startswith("epoch ")]
    return float(found[-1]), seconds, epochs


def variant(source, old, new):
    if old not in source:
        raise RuntimeError("examples/evidence_accumulation.snn no longer contains %r: update bench/evidence.py" % old)
    return source.replace(old, new)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--snnc", default=os.path.join(ROOT, "build/tools/snnc/snnc"))
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "build/bench/evidence"))
    ap.add_argument("--epochs", type=int, help="epochs of every full run (default: the example's)")
    ap.add_argument("--threads", type=int, default=1, help="--threads of every executable (default 1)")
    ap.add_argument("--train", type=int, default=4096, help="training examples (default 4096)")
    ap.add_argument("--test", type=int, default=512, help="test examples (default 512)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the data (default 1)")
    ap.add_argument("--online-batches", type=int, default=4, help="batches the online strategy is timed on")
    ap.add_argument("--timing-only", action="store_true", help="only time the online and adjoint strategies")
    ap.add_argument("--check", type=float, help="train the example only; fail unless its test accuracy >= this (%%)")
    args = ap.parse_args()
    if not os.path.exists(args.snnc):
        ap.error("no snnc at %s (build it, or pass --snnc)" % args.snnc)
    os.makedirs(args.out_dir, exist_ok=True)
    data = generate(args.out_dir, args.train, args.test, args.seed)
    with open(EXAMPLE) as f:
        source = f.read()
    common = ["--threads", str(args.threads)]
    if args.epochs is not None:
        common += ["--epochs", str(args.epochs)]

    exe = os.path.join(args.out_dir, "evidence")
    build(args.snnc, source, exe)
    if args.check is not None:
        accuracy, seconds, epochs = train(exe, data, common)
        print("\n".join(epochs))
        print("evidence accumulation, e-prop: test accuracy %.1f %% in %.0f s (required: %.1f %%)" %
              (accuracy, seconds, args.check))
        return 0 if accuracy >= args.check else 1

    online = exe + "_online"
    build(args.snnc, source, online, ["--eprop-strategy=online"])

    def per_batch(executable):
        # One epoch of 1 batch and one of N + 1: the difference is N batches
        # of training, without start-up, data loading and the test set.
        runs = []
        for batches in (1, args.online_batches + 1):
            options = ["--threads", str(args.threads), "--epochs", "1", "--no-shuffle", "--batches", str(batches)]
            runs.append(train(executable, data, options)[1])
        return (runs[1] - runs[0]) / args.online_batches

    online_seconds, adjoint_seconds = per_batch(online), per_batch(exe)
    timing = "seconds per training batch (of %d timed, %d thread(s)): online %.3f, adjoint %.3f (%.1fx)" % (
        args.online_batches, args.threads, online_seconds, adjoint_seconds, online_seconds / adjoint_seconds)
    if args.timing_only:
        print(timing)
        return 0

    rows = []
    accuracy, seconds, epochs = train(exe, data, common)
    rows.append(("e-prop (adjoint)", "2 s", accuracy, seconds / len(epochs), len(epochs)))

    bptt = exe + "_bptt"
    build(args.snnc, variant(source, "with eprop", "with bptt"), bptt)
    accuracy, seconds, epochs = train(bptt, data, common)
    rows.append(("BPTT", "2 s", accuracy, seconds / len(epochs), len(epochs)))

    short = exe + "_short"
    build(args.snnc, variant(source, "tau_adapt: 2000 ms", "tau_adapt: 20 ms"), short)
    accuracy, seconds, epochs = train(short, data, common)
    rows.append(("e-prop (adjoint)", "20 ms", accuracy, seconds / len(epochs), len(epochs)))

    print("evidence accumulation (Bellec et al. 2020): 40 inputs -> 50 LIF + 50 ALIF -> 2, 2250 steps, batch 64;")
    print("%d training and %d test examples (seed %d), %d thread(s)\n" % (args.train, args.test, args.seed,
                                                                         args.threads))
    print("| training | tau_adapt | epochs | test accuracy | s per epoch |")
    print("|---|---|---|---|---|")
    for name, tau, accuracy, per_epoch, count in rows:
        print("| %s | %s | %d | %.1f %% | %.1f |" % (name, tau, count, accuracy, per_epoch))
    print("\n" + timing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
