"""The e2e suite on the CUDA target: every e2e test script, with every
executable it builds compiled for --target=cuda.

Each script of `ctest -L e2e` runs as ctest runs it, but with an snnc
(a wrapper written into --work) that adds `--target=cuda` (and, with
--emulate, `--cuda-host-emulation`) to every compile that builds an
executable or object. So every runtime feature the suite checks on the
CPU (recordings, stimuli, batches, state files, NIR, the training
workflows, checkpoints, pruning, Deep R, ...) is checked on the CUDA
target against the same independent truths (analytic solutions, Brian2,
numpy references, finite differences).

Run from the build folder, on a machine without a GPU:
    /usr/bin/python3 ../test/e2e/suite_on_cuda.py --snnc tools/snnc/snnc \\
        --work /tmp/suite --emulate          # ctest -L cuda-suite
and on one with a GPU (and snnc), without --emulate.

Not run, each for a stated reason (SKIPPED_SCRIPTS): the CUDA target's own
tests, three whose checks of the CPU's behaviour have a CUDA counterpart
in the same script, and the storage formats' bit-for-bit comparison.
Prints a table; exits 1 if any script failed.
"""

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

# script -> why it does not run here
SKIPPED_SCRIPTS = {
    "test_cuda_host_emulation.py": "the CUDA target's own test",
    "test_cuda_ptx.py": "the CUDA target's own test",
    "test_cuda_device.py": "the CUDA target's own test",
    "test_gpu_session.py": "the CUDA target's own test",
    "test_gpu_suite.py": "packs this build for a GPU machine and runs this suite from the pack",
    "test_eprop_reference_selftest.py": "compiles nothing",
    "test_mpi.py": "checks that a CPU model refuses --exchange nccl; its CUDA section runs 2 and 3 ranks on the "
                   "emulated device",
    "test_nonfinite.py": "checks the CPU's message for a state that becomes finite again; its CUDA cases check the "
                         "device's, which looks once per block of steps",
    "test_out_of_memory.py": "checks the CPU's allocator's message; its CUDA case checks the device's",
    "test_storage_formats.py": "compares the storage formats' traces bit for bit; on a GPU presynaptic delivery adds "
                               "with atomics, in an order that differs between formats, and bitmask and procedural "
                               "rows cannot be gathered postsynaptically",
}

WRAPPER = """#!/bin/sh
# snnc, with {flags} added where it builds an executable or an object.
build=yes
previous=
for arg in "$@"; do
  case "$arg" in
    --emit=exe|--emit=obj) ;;
    --emit=*|--run|--help|--version|--target=*) build=no ;;
    exe|obj) ;;
    *) [ "$previous" = --emit ] && build=no ;;
  esac
  [ "$arg" = --target ] && build=no
  previous="$arg"
done
[ $build = yes ] && exec {snnc} {flags} "$@"
exec {snnc} "$@"
"""


SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def listed_tests(build):
    """What `ctest --show-only=json-v1 -L e2e` says of `build`'s e2e tests,
    with the source tree they came from (save it with --save-tests; a
    machine without the build reads it with --tests)."""
    out = subprocess.run(["ctest", "--show-only=json-v1", "-L", "e2e"], cwd=build, capture_output=True, text=True,
                         check=True).stdout
    return {"source_root": SOURCE_ROOT, "tests": json.loads(out)["tests"]}


def e2e_scripts(listed):
    """(name, argv) of every Python script of the listed tests, with paths
    into the listing's source tree moved to this one and this Python."""
    old = listed["source_root"].rstrip("/") + "/"
    tests = []
    for test in listed["tests"]:
        argv = test.get("command") or []
        if len(argv) > 1 and argv[1].endswith(".py") and "--snnc" in argv:
            argv = [sys.executable] + [SOURCE_ROOT + "/" + a[len(old):] if a.startswith(old) else a for a in argv[1:]]
            tests.append((test["name"], argv))
    return tests


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--snnc", required=True)
    parser.add_argument("--work", required=True, help="scratch folder (recreated)")
    parser.add_argument("--build", default=".", help="the build folder, whose ctest lists the e2e scripts")
    parser.add_argument("--tests", help="read the list from this file (--save-tests) instead of ctest")
    parser.add_argument("--save-tests", help="write the build's list to this file and exit")
    parser.add_argument("--deadline", type=float, default=0,
                        help="seconds after which no script starts (0: none); those left are reported")
    parser.add_argument("--emulate", action="store_true", help="--cuda-host-emulation: no GPU needed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="run only these tests (ctest names)")
    args = parser.parse_args()
    if args.save_tests:
        with open(args.save_tests, "w") as f:
            json.dump(listed_tests(os.path.abspath(args.build)), f)
        return 0
    if args.tests:
        with open(args.tests) as f:
            listed = json.load(f)
    else:
        listed = listed_tests(os.path.abspath(args.build))
    snnc, work = os.path.abspath(args.snnc), os.path.abspath(args.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    flags = ["--target=cuda"] + (["--cuda-host-emulation"] if args.emulate else [])

    wrapper = os.path.join(work, "snnc")
    with open(wrapper, "w") as f:
        f.write(WRAPPER.format(snnc=shlex.quote(snnc), flags=" ".join(flags)))
    os.chmod(wrapper, 0o755)

    runs, skipped = [], []
    for name, argv in e2e_scripts(listed):
        script = os.path.basename(argv[1])
        if args.only and name not in args.only:
            continue
        if script in SKIPPED_SCRIPTS:
            skipped.append((name, SKIPPED_SCRIPTS[script]))
            continue
        argv = list(argv)
        argv[argv.index("--snnc") + 1] = wrapper
        argv[argv.index("--work") + 1] = os.path.join(work, name)
        runs.append((name, argv))

    began = time.perf_counter()

    def run(entry):
        name, argv = entry
        start = time.perf_counter()
        if args.deadline and start - began > args.deadline:
            print("%-45s %-16s" % (name, "not started"), flush=True)
            return name, None, ""
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=1800)
            code, output = proc.returncode, proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            code, output = 124, "timed out after 1800 s"
        with open(os.path.join(work, name + ".log"), "w") as f:
            f.write(output)
        result = {0: "pass", 77: "skipped"}.get(code, "FAIL (exit %d)" % code)
        line = "%-45s %-16s %6.0f s" % (name, result, time.perf_counter() - start)
        print(line, flush=True)
        return name, code, output

    print("the e2e suite with snnc %s (%d scripts; logs in %s)" % (" ".join(flags), len(runs), work), flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(run, runs))
    failed = [(n, o) for n, c, o in results if c not in (0, 77, None)]
    for name, output in failed:
        print("\n--- %s:\n%s" % (name, "\n".join(line for line in output.splitlines()
                                                  if line.startswith(("FAIL", "SETUP", "Traceback")))[:3000]))
    for name, why in skipped:
        print("not run: %s (%s)" % (name, why))
    print("%d passed, %d skipped, %d failed, %d not started (--deadline); %d not run" % (
        sum(c == 0 for _, c, _ in results), sum(c == 77 for _, c, _ in results), len(failed),
        sum(c is None for _, c, _ in results), len(skipped)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
