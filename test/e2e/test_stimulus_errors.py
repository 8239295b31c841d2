"""e2e: bad stimulus files and bad command lines fail cleanly.

A copy of models/stimulus_errors.snn (3 SpikeSource neurons reading
stim.csv, spikes recorded to the --out file) is compiled once; each case
rewrites stim.csv or passes other options and checks:
  * a malformed spike-times file: exit code 1, stderr starts with
    '<path>:<line>:<col>: error: ' at the offending field, with the message;
  * a missing or unreadable file: exit 1, '<path>: error: ...';
  * a bad --duration / --seed / option: exit 1 and a message naming it;
  * valid files (header, comments, blank lines, CRLF, blanks around fields,
    unsorted, empty) and valid options run (exit 0) and fire as written;
  * `--input stim=FILE` runs where the regime's stim.csv is missing;
  * nothing crashes: no exit code >= 128 (a signal) or 70 (internal error),
    and stderr never says 'internal error'.
"""

import os
import re
import sys

import numpy as np

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

DT = 1e-4

# (name, file content, line, column, message fragment)
MALFORMED = [
    ("bad neuron", b"0.001,abc\n", 1, 7, "invalid neuron index 'abc'"),
    ("bad time after header", b"time,neuron\n0.001,0\nabc,1\n", 3, 1, "invalid spike time 'abc'"),
    ("one column", b"0.001\n", 1, 6, "expected 2 columns 'time,neuron' but found 1"),
    ("three columns", b"0.001,0,1\n", 1, 8, "expected 2 columns 'time,neuron' but found 3"),
    ("semicolon", b"  0.5 ,  2 # comment\n0.001;0\n", 2, 8, "but found 1"),
    ("negative time", b"0.002,1\n-0.001,0\n", 2, 1, "negative"),
    ("out of range", b"0.001, 3\n", 1, 8, "neuron index 3 is out of range: population 'stim' has 3"),
    ("huge index", b"0.001,99999999999999999999\n", 1, 7, "out of range"),
    ("negative index", b"0.001,-1\n", 1, 7, "invalid neuron index '-1'"),
    ("fractional index", b"0.001,1.5\n", 1, 7, "invalid neuron index '1.5'"),
    ("nan", b"nan,0\n", 1, 1, "not a finite number"),
    ("infinite", b"0.001,0\n1e999,0\n", 2, 1, "not a finite number"),
    ("hex time", b"0x10,0\n", 1, 1, "invalid spike time '0x10'"),
    ("time with unit", b"1ms,0\n", 1, 1, "invalid spike time '1ms'"),
    ("missing time", b",0\n", 1, 1, "missing spike time"),
    ("missing neuron", b"0.001,\n", 1, 7, "missing neuron index"),
    ("late header", b"0.001,0\ntime,neuron\n", 2, 1, "invalid spike time 'time'"),
    ("crlf", b"time,neuron\r\n0.001,0\r\n0.002,x\r\n", 3, 7, "invalid neuron index 'x'"),
    ("no final newline", b"0.001,0\n0.002,7", 2, 7, "out of range"),
    ("binary", bytes(range(1, 256)), 1, None, "error"),
    ("long line", b"0.001," + b"9" * 1000000 + b"\n", 1, 7, "out of range"),
    ("unknown header", b"when,who\n0.001,0\n", 1, 1,
     "expected a header 'time,neuron' (the time's unit may follow: 'time_ms,neuron'), found 'when,who'"),
    ("header unit", b"time_h,neuron\n1,0\n", 1, 1, "unknown unit 'h' of the spike times"),
    ("negative ms", b"time_ms,neuron\n-1,0\n", 2, 1, "spike time -1 ms is negative"),
    ("ms word", b"time (ms),neuron\n1 ms,0\n", 2, 1, "invalid spike time '1 ms': expected a number of ms"),
]

# (name, file content, expected (step, neuron) events)
VALID = [
    ("empty", b"", []),
    ("header only", b"time,neuron\n", []),
    ("everything allowed",
     b"time,neuron\n# a comment\n\n  0.0005 ,\t2  # trailing comment\r\n0.0001,0\n"
     b"1e-3,1\n0.00025,1\n0.0021,00\n0.5,0\n",
     [(1, 0), (2, 1), (5, 2), (10, 1), (21, 0)]),
    ("header in ms", b"time_ms,neuron\n0.5,2\n1,1\n", [(5, 2), (10, 1)]),
    ("header [ms]", b"time [ms],index\n2.1,0\n", [(21, 0)]),
    ("header t (us)", b"t (us),i\n300,1\n", [(3, 1)]),
]

# (arguments, message fragment)
BAD_OPTIONS = [
    (["--duration", "abc"], "invalid duration 'abc'"),
    (["--duration", "-1s"], "invalid duration '-1s'"),
    (["--duration", "0"], "must be greater than zero"),
    (["--duration", "0 ms"], "must be greater than zero"),
    (["--duration", "1 parsec"], "unknown unit 'parsec'"),
    (["--duration", "5xs"], "unknown unit 'xs'"),
    (["--duration", "nan"], "invalid duration 'nan'"),
    (["--duration", "inf"], "invalid duration 'inf'"),
    (["--duration", "1e400"], "not a finite time"),
    (["--duration", "0.01us"], "shorter than one time step"),
    (["--duration", ""], "option '--duration' needs a value"),
    (["--duration"], "option '--duration' needs a value"),
    (["--duration=", "--quiet"], "option '--duration' needs a value"),
    (["--seed", "-1"], "invalid seed '-1'"),
    (["--seed", "abc"], "invalid seed 'abc'"),
    (["--seed", "1.5"], "invalid seed '1.5'"),
    (["--seed", "0x"], "invalid seed '0x'"),
    (["--seed", ""], "option '--seed' needs a value"),
    (["--seed", "18446744073709551616"], "larger than 2^64 - 1"),
    (["--seed", "0x10000000000000000"], "larger than 2^64 - 1"),
    (["--seed"], "option '--seed' needs a value"),
    (["--frobnicate"], "unknown option '--frobnicate'"),
    (["stray"], "unexpected argument 'stray'"),
    (["--quiet=yes"], "option '--quiet' takes no value"),
    (["--out", ""], "option '--out' needs a file name"),
    (["--out", "/nonexistent-dir-e2e/x.npz"], "/nonexistent-dir-e2e/x.npz"),
    (["--input", "nosuch=stim.csv"], "the network has no population 'nosuch'"),
    (["--input", "stim"], "option '--input' needs POPULATION=FILE (a spike-times CSV), not 'stim'"),
    (["--input=stim="], "needs POPULATION=FILE"),
    (["--input", "stim=/nonexistent-e2e.csv"], "/nonexistent-e2e.csv: error: cannot open stimulus file"),
    (["--input", "cells=stim.csv"], "population 'cells' has no stimulus: its model never reads stimulus()"),
]

# (arguments, expected number of steps) for options that must work
GOOD_OPTIONS = [
    (["--duration", "5ms"], 50),
    (["--duration=2.5 ms"], 25),
    (["--duration", " 0.002 "], 20),
    (["--duration", "1e-3s"], 10),
    (["--duration", "300us"], 3),
    (["--seed", "0"], 100),
    (["--seed=18446744073709551615"], 100),
    (["--seed", "0xFFFFFFFFFFFFFFFF"], 100),
    (["-q"], 100),
    (["--input", "stim=stim.csv"], 100),
]


def crashed(checker, label, proc):
    return not checker.check(proc.returncode < 128 and proc.returncode not in (70, -6, -11)
                             and proc.returncode >= 0
                             and "internal error" not in proc.stderr,
                             "%s: crashed or internal error (exit %d): %s"
                             % (label, proc.returncode, proc.stderr.strip()[:300]))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0])
    checker = e2e.Checker("e2e_stimulus_errors")
    model = e2e.copy_model("stimulus_errors.snn", args.work)
    exe = e2e.compile_model(args.snnc, model, args.work, "stimulus_errors")
    csv = os.path.join(args.work, "stim.csv")
    out = os.path.join(args.work, "out.npz")

    def run(extra):
        if os.path.exists(out):
            os.remove(out)
        return e2e.run_model(exe, args.work, ["--out", out, "--quiet"] + extra, expect_ok=False)

    for name, content, line, column, fragment in MALFORMED:
        with open(csv, "wb") as f:
            f.write(content)
        proc = run([])
        label = "stimulus file '%s'" % name
        if crashed(checker, label, proc):
            continue
        first = proc.stderr.splitlines()[0] if proc.stderr else ""
        if column is None:
            pattern = re.escape(csv) + r":(\d+):(\d+): error: "
        else:
            pattern = re.escape("%s:%d:%d: error: " % (csv, line, column))
        checker.check(proc.returncode == 1, "%s: exit code %d, expected 1" % (label, proc.returncode))
        checker.check(re.match(pattern, first) is not None and fragment in first,
                      "%s: stderr %r, expected '%s:%s:%s: error: ...%s...'"
                      % (label, first[:200], csv, line, column, fragment))
        checker.check(not os.path.exists(out), "%s: wrote %s despite the error" % (label, out))

    for name, content, events in VALID:
        with open(csv, "wb") as f:
            f.write(content)
        proc = run([])
        label = "valid stimulus file '%s'" % name
        if crashed(checker, label, proc):
            continue
        if not checker.check(proc.returncode == 0, "%s: exit code %d: %s"
                             % (label, proc.returncode, proc.stderr.strip())):
            continue
        data = e2e.load_npz(out)
        got = sorted(zip(np.rint(data["stim_spikes_t"] / DT).astype(int).tolist(),
                         data["stim_spikes_i"].tolist()))
        checker.check(got == events, "%s: spikes (step, neuron) %s, expected %s"
                      % (label, got, events))

    os.remove(csv)
    proc = run([])
    if not crashed(checker, "missing stimulus file", proc):
        checker.check(proc.returncode == 1 and proc.stderr.startswith(
            "%s: error: cannot open stimulus file" % csv),
            "missing stimulus file: exit %d, stderr %r" % (proc.returncode, proc.stderr))
    # --input replaces the regime's file, which then need not exist (an
    # executable run away from its model's folder).
    other = os.path.join(args.work, "other.csv")
    with open(other, "wb") as f:
        f.write(b"0.00031,2\n")
    proc = run(["--input", "stim=" + other])
    if not crashed(checker, "--input for a missing regime file", proc) and checker.check(
            proc.returncode == 0, "--input for a missing regime file: exit %d, stderr %r" % (
                proc.returncode, proc.stderr)):
        data = e2e.load_npz(out)
        got = list(zip(np.rint(data["stim_spikes_t"] / DT).astype(int).tolist(), data["stim_spikes_i"].tolist()))
        checker.check(got == [(3, 2)], "--input for a missing regime file: spikes %s, expected [(3, 2)]" % got)
    os.mkdir(csv)
    proc = run([])
    if not crashed(checker, "stimulus path is a directory", proc):
        checker.check(proc.returncode == 1 and proc.stderr.startswith("%s: error: " % csv),
                      "stimulus path is a directory: exit %d, stderr %r"
                      % (proc.returncode, proc.stderr))
    os.rmdir(csv)

    with open(csv, "wb") as f:
        f.write(b"0.0002,1\n")
    for extra, fragment in BAD_OPTIONS:
        proc = e2e.run_model(exe, args.work, extra, expect_ok=False)
        label = "options %s" % extra
        if crashed(checker, label, proc):
            continue
        checker.check(proc.returncode == 1 and fragment in proc.stderr
                      and "error" in proc.stderr,
                      "%s: exit %d, stderr %r, expected exit 1 and a message with %r"
                      % (label, proc.returncode, proc.stderr.strip()[:300], fragment))
    for extra, steps in GOOD_OPTIONS:
        proc = run(extra)
        label = "options %s" % extra
        if crashed(checker, label, proc):
            continue
        if checker.check(proc.returncode == 0, "%s: exit %d, stderr %r"
                         % (label, proc.returncode, proc.stderr.strip())):
            data = e2e.load_npz(out)
            checker.check(list(data["stim_spikes_i"]) == [1], "%s: spikes %s, expected [1]"
                          % (label, list(data["stim_spikes_i"])))
            checker.check(proc.stdout == "", "%s: --quiet printed %r" % (label, proc.stdout))
    # --input replaces the regime's file.
    with open(os.path.join(args.work, "other.csv"), "wb") as f:
        f.write(b"time_ms,neuron\n0.3,2\n")
    proc = run(["--input", "stim=other.csv"])
    if not crashed(checker, "--input", proc) and checker.check(
            proc.returncode == 0, "--input: exit %d, stderr %r" % (proc.returncode, proc.stderr)):
        data = e2e.load_npz(out)
        got = sorted(zip(np.rint(data["stim_spikes_t"] / DT).astype(int).tolist(), data["stim_spikes_i"].tolist()))
        checker.check(got == [(3, 2)], "--input stim=other.csv: spikes %s, expected [(3, 2)]" % got)
    # Spikes merged into one step of a neuron, or after the end, are reported.
    with open(csv, "wb") as f:
        f.write(b"0.001,0\n0.00105,0\n0.0011,1\n0.5,1\n0.01,2\n")
    proc = run([])
    if not crashed(checker, "merged and late spikes", proc):
        want = ("warning: stimulus of population 'stim' (%s): 1 spike fell in a step where the same neuron "
                "already spikes and merged with it (a neuron spikes at most once per step of 0.1 ms); "
                "2 spikes at or after the end of the run (10 ms) never arrived" % os.path.join(args.work, "stim.csv"))
        checker.check(proc.returncode == 0 and want in proc.stderr,
                      "merged and late spikes: exit %d, stderr %r, expected %r"
                      % (proc.returncode, proc.stderr, want))
        data = e2e.load_npz(out)
        checker.check(list(data["stim_spikes_i"]) == [0, 1], "merged and late spikes: spikes %s, expected [0, 1]"
                      % list(data["stim_spikes_i"]))
    proc = e2e.run_model(exe, args.work, ["--help"], expect_ok=False)
    if not crashed(checker, "--help", proc):
        checker.check(proc.returncode == 0 and "--duration" in proc.stdout and
                      "stim" in proc.stdout, "--help: exit %d, output %r"
                      % (proc.returncode, proc.stdout[:300]))
    checker.note("%d malformed files, %d valid files, %d bad and %d good option sets checked"
                 % (len(MALFORMED), len(VALID), len(BAD_OPTIONS), len(GOOD_OPTIONS)))
    checker.finish()


if __name__ == "__main__":
    main()
