"""Shared helpers of the end-to-end tests: compile a model with snnc, run the
executable, load its NPZ output, and report failures.

Every test script is run as
    python3 <script>.py --snnc PATH/TO/snnc --work SCRATCH_DIR [extra options]
and exits 0 on success, 1 on a failed check (after printing every difference
it found), 2 on a broken test setup, or 77 when a prerequisite (Brian2) is
missing.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import warnings

# One BLAS/OpenMP thread: the machines running the suite are small and
# shared, and spinning worker threads made Brian2 several times slower.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "models")
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))


def parse_args(description, extra=None):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--snnc", required=True, help="path to the snnc executable")
    parser.add_argument("--work", required=True, help="scratch directory (recreated)")
    if extra:
        extra(parser)
    args = parser.parse_args()
    args.snnc = os.path.abspath(args.snnc)
    args.work = os.path.abspath(args.work)
    if os.path.isdir(args.work) and not os.path.islink(args.work):
        shutil.rmtree(args.work)
    elif os.path.lexists(args.work):
        os.remove(args.work)
    os.makedirs(args.work)
    return args


class Checker:
    """Collects failed checks; `finish` prints a verdict and exits."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.notes = []

    def check(self, ok, message):
        if not ok:
            self.failures.append(message)
            print("FAIL: " + message, flush=True)
        return ok

    def note(self, message):
        self.notes.append(message)
        print("  " + message, flush=True)

    def finish(self):
        if self.failures:
            print("%s: %d check(s) failed" % (self.name, len(self.failures)), flush=True)
            sys.exit(1)
        print("%s: all checks passed" % self.name, flush=True)
        sys.exit(0)


SKIP_CODE = 77  # CTest's SKIP_RETURN_CODE in CMakeLists.txt


def skip(message):
    print("SKIPPED: " + message, flush=True)
    sys.exit(SKIP_CODE)


def require_brian2():
    """Skips the test when Brian2 cannot be imported (it is slow to import,
    so the caller imports it where it runs it)."""
    warnings.filterwarnings("ignore", category=FutureWarning)  # pythran, under Brian2
    try:
        import brian2  # noqa: F401
    except ImportError as error:
        skip("Brian2 is not importable by %s: %s" % (sys.executable, error))


def write_spike_times(path, fired, dt):
    """A spike-times CSV (`time,neuron`) for the steps x neurons boolean
    matrix `fired`, each spike in the middle of its step."""
    with open(path, "w") as f:
        for step, neuron in zip(*np.nonzero(fired)):
            f.write("%.17g,%d\n" % ((step + 0.5) * dt, neuron))


def scripted_sources(work, seed, steps, sizes, p, dt):
    """Random input spikes for each (name, neurons) of `sizes`: a steps x
    neurons boolean matrix, each neuron firing with probability `p` per step
    and never in the last two, written to work/NAME.csv. Returns the
    matrices by name."""
    rng = np.random.default_rng(seed)
    fired = {}
    for name, n in sizes:
        fired[name] = rng.random((steps, n)) < p
        fired[name][-2:] = False
        write_spike_times(os.path.join(work, name + ".csv"), fired[name], dt)
    return fired


def spike_generator(b2, fired, dt):
    """A Brian2 SpikeGeneratorGroup firing the steps x neurons matrix `fired`
    (at the start of each step)."""
    steps, idx = np.nonzero(fired)
    return b2.SpikeGeneratorGroup(fired.shape[1], idx, steps * dt * b2.second)


def simulate_model(snnc, work, text, npz="out.npz"):
    """Writes `text` to work/net.snn, compiles it in float64, runs it and
    returns the arrays of its output `npz`."""
    path = os.path.join(work, "net.snn")
    with open(path, "w") as f:
        f.write(text)
    exe = compile_model(snnc, path, work, "net", ["--precision=double"])
    run_model(exe, work, ["--quiet"])
    return load_npz(os.path.join(work, npz))


def brian2(dt):
    """Brian2, imported quietly, for a fresh scope: numpy target (float64),
    warnings only, the clock's dt in seconds."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import brian2 as b2
    b2.prefs.codegen.target = "numpy"
    b2.prefs.logging.console_log_level = "WARNING"
    b2.defaultclock.dt = dt * b2.second
    b2.start_scope()
    return b2


# The Traub-Miles rate functions of Brian2's COBAHH example (Brian2
# equations, with V_T in the namespace), as std.neurons.HodgkinHuxley has them.
HH_RATES = """
    alpha_m = 0.32 / mV * (13 * mV - v + V_T) / (exp((13 * mV - v + V_T) / (4 * mV)) - 1) / ms : Hz
    beta_m = 0.28 / mV * (v - V_T - 40 * mV) / (exp((v - V_T - 40 * mV) / (5 * mV)) - 1) / ms : Hz
    alpha_h = 0.128 * exp((17 * mV - v + V_T) / (18 * mV)) / ms : Hz
    beta_h = 4 / (1 + exp((40 * mV - v + V_T) / (5 * mV))) / ms : Hz
    alpha_n = 0.032 / mV * (15 * mV - v + V_T) / (exp((15 * mV - v + V_T) / (5 * mV)) - 1) / ms : Hz
    beta_n = 0.5 * exp((10 * mV - v + V_T) / (40 * mV)) / ms : Hz
"""


def setup_error(message):
    print("SETUP ERROR: " + message, flush=True)
    sys.exit(2)


def run_process(argv, cwd, timeout=120, env=None):
    """argv's run in `cwd`, with `env` added to the environment."""
    try:
        return subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, timeout=timeout, env=dict(os.environ, **env) if env else None)
    except subprocess.TimeoutExpired:
        setup_error("timed out after %d s: %s" % (timeout, " ".join(argv)))


def compile_model(snnc, model_path, work, exe_name, extra_flags=()):
    """Compiles `model_path` into `work/exe_name`; returns the executable's path."""
    exe = os.path.join(work, exe_name)
    argv = [snnc] + list(extra_flags) + [model_path, "-o", exe]
    proc = run_process(argv, cwd=work, timeout=180)
    if proc.returncode != 0 or not os.path.isfile(exe):
        print(proc.stdout)
        print(proc.stderr)
        setup_error("snnc failed (exit %d): %s" % (proc.returncode, " ".join(argv)))
    return exe


def run_model(exe, work, args=(), expect_ok=True, timeout=120, env=None):
    """Runs a compiled model in `work` (with `env` added to the
    environment); returns the CompletedProcess."""
    argv = [exe] + list(args)
    proc = run_process(argv, cwd=work, timeout=timeout, env=env)
    if expect_ok and proc.returncode != 0:
        print(proc.stdout)
        print(proc.stderr)
        setup_error("%s exited with %d" % (" ".join(argv), proc.returncode))
    return proc


def load_npz(path):
    if not os.path.isfile(path):
        setup_error("the run wrote no %s" % path)
    with np.load(path) as archive:
        return {name: archive[name] for name in archive.files}


def load_metrics(path):
    """The rows of a --metrics JSON-lines file, without `seconds` (which
    differs from run to run)."""
    rows = []
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            row.pop("seconds", None)
            rows.append(row)
    return rows


def summary_rates(stdout):
    """Population lines of the run summary: name -> (size, spikes, rate in Hz)."""
    rates = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[4] == "Hz":
            try:
                rates[parts[0]] = (int(parts[1]), int(parts[2]), float(parts[3]))
            except ValueError:
                pass
    return rates


def model_folder(work, model, spike_files=None, data=None, text=None):
    """Creates `work` holding a copy of `model` (or, given `text`, a file of
    that name holding it), random spike-times files (name -> (neurons,
    steps, dt): each neuron fires in 1 % of the steps, seed 7) and `data`
    copied under data/; returns the model's path there."""
    os.makedirs(work)
    rng = np.random.default_rng(7)
    for name, (neurons, steps, dt) in (spike_files or {}).items():
        write_spike_times(os.path.join(work, name), rng.random((steps, neurons)) < 0.01, dt)
    if data:
        os.makedirs(os.path.join(work, "data"))
        shutil.copyfile(data, os.path.join(work, "data", os.path.basename(data)))
    path = os.path.join(work, os.path.basename(model))
    if text is None:
        shutil.copyfile(model, path)
    else:
        with open(path, "w") as f:
            f.write(text)
    return path


def copy_model(name, work, rename=None):
    """Copies models/<name> into `work` (so files it names resolve there)."""
    target = os.path.join(work, rename or name)
    shutil.copyfile(os.path.join(MODELS, name), target)
    return target


def compare_traces(checker, label, got, want, rtol, atol, times=None, max_report=5):
    """Checks |got - want| <= rtol * |want| + atol elementwise; returns the
    largest relative error (over samples with |want| > atol / rtol)."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if not checker.check(got.shape == want.shape,
                         "%s: shape %s, expected %s" % (label, got.shape, want.shape)):
        return float("inf")
    diff = np.abs(got - want)
    bad = diff > rtol * np.abs(want) + atol
    significant = np.abs(want) > atol / rtol
    rel = np.zeros_like(diff)
    rel[significant] = diff[significant] / np.abs(want[significant])
    max_rel = float(rel.max()) if rel.size else 0.0
    max_abs = float(diff.max()) if diff.size else 0.0
    if bad.any():
        where = np.argwhere(bad)
        lines = []
        for idx in where[:max_report]:
            idx = tuple(idx)
            when = "" if times is None else " (t=%.6g s)" % times[idx[0]]
            lines.append("  at %s%s: got %.17g, expected %.17g" % (idx, when, got[idx], want[idx]))
        checker.check(False, "%s: %d of %d samples differ beyond rtol %g / atol %g "
                      "(max rel %.3g, max abs %.3g)\n%s"
                      % (label, int(bad.sum()), bad.size, rtol, atol, max_rel, max_abs,
                         "\n".join(lines)))
    return max_rel
