#!/usr/bin/python3
"""CUBA benchmark: snnc versus Brian2 C++ standalone, side by side.

Vogels & Abbott (2005) current-based network: 4000 LIF neurons (3200
excitatory, 800 inhibitory), connection probability 0.02, exponential
synaptic currents (tau 5 ms exc / 10 ms inh), dt 0.1 ms, float32, one thread.

Usage (from the repository root, with the Debian python that has Brian2):

    /usr/bin/python3 bench/cuba.py [--snnc PATH] [--runs N]
                                   [--duration SECONDS] [--out-dir DIR]

Prints a table (medians over runs, min-max in brackets) to stdout and writes
every run's raw numbers as JSON lines to <out-dir>/cuba.jsonl.

Each Brian2 run happens in a fresh child process of this same script (hidden
option --brian-worker) because Brian's standalone device is global state that
cannot be built twice in one process.  The main process only needs the
standard library.

Timing is reported, never asserted: nothing here fails because something is
slow.
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

N_EXC = 3200
N_INH = 800
N_TOTAL = N_EXC + N_INH
DT_MS = 0.1
DEFAULT_SNNC = "build/tools/snnc/snnc"
TOOLS = ("snnc", "brian2", "brian2-omp")
MODEL = "examples/cuba.snn"


# --------------------------------------------------------------------------
# Brian2 side (runs inside the child process)
# --------------------------------------------------------------------------

def brian_worker(duration_s, seed_value, result_path, threads=0):
    """Build, compile and run Brian2's CUBA example in cpp_standalone mode.

    Writes one JSON object to result_path.  Times:
      import_s   `import brian2` (not counted in compile_s; informational)
      codegen_s  network construction + run() bookkeeping + code generation
      make_s     `make -j1` of the generated project (Brian's own timer)
      compile_s  codegen_s + make_s
      run_wall_s wall time of the compiled `main` process (Brian's own timer,
                 time.time() around subprocess.call; includes synapse
                 creation at start-up and writing results at the end)
      sim_s      Brian's device._last_run_time, read from the binary's
                 results/last_run_info.txt: time spent in Network::run only.
                 Without OpenMP Brian measures it with std::clock(), i.e. the
                 process CPU time, not wall time.
    """
    t0 = time.perf_counter()
    import numpy as np  # noqa: F401  (imported by brian2 anyway)
    import brian2 as b2
    from brian2 import ms, mV, second
    t_import = time.perf_counter()

    project_dir = tempfile.mkdtemp(prefix="cuba_brian2_")
    try:
        t_start = time.perf_counter()
        b2.set_device("cpp_standalone", directory=project_dir,
                      build_on_run=False)
        b2.prefs.core.default_float_dtype = np.float32
        # 0: no OpenMP (the default `brian2` tool); the `brian2-omp` tool
        # runs the same code on --omp-threads OpenMP threads.
        b2.prefs.devices.cpp_standalone.openmp_threads = threads
        # Brian's default is `make -j` (unbounded); compilation is timed on
        # one job.
        b2.prefs.devices.cpp_standalone.extra_make_args_unix = ["-j1"]
        b2.defaultclock.dt = DT_MS * ms
        b2.seed(seed_value)

        # ---- Brian2 examples/CUBA.py, unchanged apart from the monitor ----
        # (the constants look unused: Brian resolves them by name from this
        # function's local namespace when it generates code)
        taum = 20 * ms
        taue = 5 * ms
        taui = 10 * ms
        Vt = -50 * mV
        Vr = -60 * mV
        El = -49 * mV
        eqs = """
        dv/dt  = (ge+gi-(v-El))/taum : volt (unless refractory)
        dge/dt = -ge/taue : volt
        dgi/dt = -gi/taui : volt
        """
        P = b2.NeuronGroup(N_TOTAL, eqs, threshold="v>Vt", reset="v = Vr",
                           refractory=5 * ms, method="exact")
        P.v = "Vr + rand() * (Vt - Vr)"
        P.ge = 0 * mV
        P.gi = 0 * mV
        we = (60 * 0.27 / 10) * mV   # 1.62 mV
        wi = (-20 * 4.5 / 10) * mV   # -9 mV
        Ce = b2.Synapses(P, P, on_pre="ge += we")
        Ci = b2.Synapses(P, P, on_pre="gi += wi")
        Ce.connect(f"i<{N_EXC}", p=0.02)
        Ci.connect(f"i>={N_EXC}", p=0.02)
        s_mon = b2.SpikeMonitor(P)   # one monitor, split by index below
        b2.run(duration_s * second)

        # Generate code and compile, but do not run yet.
        b2.device.build(directory=project_dir, compile=True, run=False,
                        with_output=False)
        t_built = time.perf_counter()

        # Run the binary.  device.run times the subprocess itself.
        b2.device.run(project_dir, with_output=False, run_args=[])

        make_s = b2.device.timers["compile"]["make"]
        run_wall_s = b2.device.timers["run_binary"]
        sim_s = float(b2.device._last_run_time)
        counts = np.asarray(s_mon.count[:])
        exc_spikes = int(counts[:N_EXC].sum())
        inh_spikes = int(counts[N_EXC:].sum())
        synapses = int(len(Ce.i[:]) + len(Ci.i[:]))
        result = {
            "ok": True,
            "import_s": t_import - t0,
            "codegen_s": (t_built - t_start) - make_s,
            "make_s": make_s,
            "compile_s": t_built - t_start,
            "run_wall_s": run_wall_s,
            "sim_s": sim_s,
            "sim_clock": ("wall (omp_get_wtime in Network::run)" if threads
                          else "cpu (std::clock in Network::run)"),
            "openmp_threads": threads,
            "exc_spikes": exc_spikes,
            "inh_spikes": inh_spikes,
            "synapses": synapses,
            "brian2_version": b2.__version__,
            "compile_flags": list(b2.prefs.codegen.cpp.extra_compile_args_gcc),
            "completed_fraction": float(b2.device._last_run_completed_fraction),
        }
    finally:
        shutil.rmtree(project_dir, ignore_errors=True)
    with open(result_path, "w") as f:
        json.dump(result, f)


def run_brian(args, k, threads=0):
    """One Brian2 run in a child process (OpenMP on `threads` threads, 0:
    none); returns a result dict."""
    fd, result_path = tempfile.mkstemp(prefix="cuba_brian2_", suffix=".json")
    os.close(fd)
    env = dict(os.environ, OMP_NUM_THREADS=str(max(threads, 1)))
    cmd = [args.python, os.path.abspath(__file__), "--brian-worker",
           "--duration", repr(args.duration), "--seed", str(k),
           "--result", result_path, "--worker-threads", str(threads)]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env,
                              universal_newlines=True)
        if proc.returncode != 0:
            tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
            return {"ok": False,
                    "error": f"brian2 worker exited with {proc.returncode}:\n{tail}"}
        with open(result_path) as f:
            res = json.load(f)
    finally:
        os.unlink(result_path)
    res["total_s"] = res["compile_s"] + res["run_wall_s"]
    return res


# --------------------------------------------------------------------------
# snnc side
# --------------------------------------------------------------------------

_NUM = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_RE_SYN = re.compile(r"(\d+)\s+synapses\b")
_RE_WALL = re.compile(r"\bin\s+" + _NUM + r"\s*s\s+wall\b")
_RE_SIMULATED = re.compile(r"^\s*simulated\s+" + _NUM + r"\s*s\b")
_RE_POP = re.compile(r"^\s*(exc|inh)\s+(\d+)\s+(\d+)\s+" + _NUM + r"\s*Hz\s*$")


def parse_snnc_output(text):
    """Parse the stdout of a compiled snnc model.  Returns (dict, error)."""
    out = {}
    lines = text.splitlines()
    for line in lines:
        if "synapses" not in out and line.lstrip().startswith("model"):
            m = _RE_SYN.search(line)
            if m:
                out["synapses"] = int(m.group(1))
        if "sim_s" not in out:
            m = _RE_WALL.search(line)
            if m:
                out["sim_s"] = float(m.group(1))
                m = _RE_SIMULATED.match(line)
                if m:
                    out["simulated_s"] = float(m.group(1))
        words = line.split()
        if len(words) >= 2 and words[0] in ("exc", "inh") and line.rstrip().endswith("Hz"):
            m = _RE_POP.match(line)
            if m:
                out[words[0] + "_size"] = int(m.group(2))
                out[words[0] + "_spikes"] = int(m.group(3))
                out[words[0] + "_rate_Hz"] = float(m.group(4))
            else:   # tolerate other column layouts: rate is the number before Hz
                m = re.search(_NUM + r"\s*Hz\s*$", line)
                if m:
                    out[words[0] + "_rate_Hz"] = float(m.group(1))
    missing = [k for k in ("synapses", "sim_s", "exc_rate_Hz", "inh_rate_Hz")
               if k not in out]
    if missing:
        first = next((l.strip() for l in lines if l.strip()), "<no output>")
        return out, ("could not parse " + ", ".join(missing) +
                     f" from snnc output (first line: {first[:100]!r})")
    return out, None


def fmt_duration_arg(seconds):
    return f"{seconds:g}s"


def run_snnc(args, k, exe_path):
    """Compile examples/cuba.snn with snnc and run it once; returns a result dict."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    compile_cmd = [args.snnc, MODEL, "-o", exe_path, "-O3", "--cpu=" + args.cpu]
    t0 = time.perf_counter()
    proc = subprocess.run(compile_cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env,
                          universal_newlines=True)
    compile_s = time.perf_counter() - t0
    if proc.returncode != 0:
        lines = proc.stdout.strip().splitlines() or [""]
        first = next((l for l in lines if "error" in l.lower()), lines[0])
        return {"ok": False,
                "error": f"snnc compile failed (exit {proc.returncode}): {first}"}
    if not os.path.isfile(exe_path):
        return {"ok": False, "error": f"snnc compile produced no {exe_path}"}

    npz = os.path.join(args.out_dir, "cuba_snnc.npz")
    run_cmd = [exe_path, "--duration", fmt_duration_arg(args.duration),
               "--seed", str(k), "--out", npz]
    t0 = time.perf_counter()
    proc = subprocess.run(run_cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env,
                          universal_newlines=True)
    run_wall_s = time.perf_counter() - t0
    if proc.returncode != 0:
        first = ((proc.stderr or proc.stdout).strip().splitlines() or [""])[0]
        return {"ok": False,
                "error": f"snnc executable failed (exit {proc.returncode}): {first}"}
    parsed, err = parse_snnc_output(proc.stdout)
    if err:
        return {"ok": False, "error": err}
    simulated = parsed.get("simulated_s")
    if simulated is not None and abs(simulated - args.duration) > 1e-6 * args.duration:
        return {"ok": False, "error": f"the executable simulated {simulated:g} s "
                f"but --duration {fmt_duration_arg(args.duration)} was asked for"}
    res = {"ok": True, "compile_s": compile_s, "run_wall_s": run_wall_s, "cpu": args.cpu,
           "total_s": compile_s + run_wall_s, "sim_clock": "wall (as printed by the executable)"}
    res.update(parsed)
    return res


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------

def finish_record(res, tool, k, duration):
    """Fill derived fields so both tools' records have the same keys."""
    res["tool"] = tool
    res["run"] = k
    res["seed"] = k
    res["duration_s"] = duration
    res["dt_ms"] = DT_MS
    res["neurons"] = N_TOTAL
    if res.get("ok"):
        res["sim_s_per_bio_s"] = res["sim_s"] / duration
        for pop, n in (("exc", N_EXC), ("inh", N_INH)):
            spikes = res.get(pop + "_spikes")
            if pop + "_rate_Hz" not in res and spikes is not None:
                res[pop + "_rate_Hz"] = spikes / n / duration
    return res


COLUMNS = [("compile_s", "{:.2f}"), ("sim_s", "{:.3f}"),
           ("sim_s_per_bio_s", "{:.4f}"), ("total_s", "{:.2f}"),
           ("exc_rate_Hz", "{:.2f}"), ("inh_rate_Hz", "{:.2f}"),
           ("synapses", "{:.0f}")]


def summarize(values, fmt):
    med = statistics.median(values)
    s = fmt.format(med)
    if len(values) > 1 and min(values) != max(values):
        s += " [" + fmt.format(min(values)) + "-" + fmt.format(max(values)) + "]"
    return s


def print_table(args, ok_runs):
    header = (f"CUBA, {N_TOTAL} neurons, {args.duration:g} s biological time, "
              f"dt {DT_MS:g} ms, float32, 1 thread (brian2-omp: {args.omp_threads} OpenMP threads), "
              f"{args.runs} run"
              f"{'s' if args.runs != 1 else ''} each (median"
              f"{' [min-max]' if args.runs > 1 else ''})")
    rows = [["tool"] + [c for c, _ in COLUMNS]]
    for tool in TOOLS:
        runs = ok_runs.get(tool)
        if not runs:
            continue
        rows.append([tool] + [summarize([r[c] for r in runs], f)
                              for c, f in COLUMNS])
    print(header)
    if len(rows) == 1:
        print("(no successful runs)")
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    med = {t: {c: statistics.median([r[c] for r in runs]) for c in ("sim_s", "total_s")}
           for t, runs in ok_runs.items() if runs}
    for brian in ("brian2", "brian2-omp"):
        if "snnc" in med and brian in med:
            sim_ratio = med[brian]["sim_s"] / med["snnc"]["sim_s"] if med["snnc"]["sim_s"] > 0 else float("inf")
            tot_ratio = med[brian]["total_s"] / med["snnc"]["total_s"]
            print(f"ratio {brian}/snnc: simulation {sim_ratio:.2f}, with compile {tot_ratio:.2f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--snnc", default=None,
                    help=f"snnc compiler (default {DEFAULT_SNNC})")
    ap.add_argument("--runs", type=int, default=3, help="runs per tool (default 3)")
    ap.add_argument("--duration", type=float, default=10.0,
                    help="biological time in seconds (default 10)")
    ap.add_argument("--out-dir", default="build/bench",
                    help="where the snnc executable and cuba.jsonl go (default build/bench)")
    ap.add_argument("--tools", default="snnc,brian2",
                    help="comma-separated subset of " + ",".join(TOOLS) + " (default snnc,brian2)")
    ap.add_argument("--cpu", default="native",
                    help="snnc --cpu (default native: the host's vector units, as Brian2's -march=native)")
    ap.add_argument("--omp-threads", type=int, default=2,
                    help="OpenMP threads of the brian2-omp tool (default 2)")
    ap.add_argument("--python", default=None,
                    help="interpreter with brian2 for the Brian2 runs (default: this "
                         "one if it has brian2, else /usr/bin/python3)")
    # hidden: the Brian2 child process
    ap.add_argument("--brian-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--result", help=argparse.SUPPRESS)
    ap.add_argument("--worker-threads", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.brian_worker:
        brian_worker(args.duration, args.seed, args.result, args.worker_threads)
        return 0

    if args.runs < 1 or args.duration <= 0 or args.omp_threads < 1:
        ap.error("--runs and --omp-threads must be >= 1 and --duration > 0")
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for t in tools:
        if t not in TOOLS:
            ap.error(f"unknown tool {t!r} in --tools")

    if args.python is None:
        import importlib.util
        args.python = sys.executable
        if importlib.util.find_spec("brian2") is None and os.path.exists("/usr/bin/python3"):
            args.python = "/usr/bin/python3"

    snnc_explicit = args.snnc is not None
    if not snnc_explicit:
        args.snnc = DEFAULT_SNNC
    os.makedirs(args.out_dir, exist_ok=True)

    # Decide up front whether snnc can run at all.
    snnc_skip = None
    if "snnc" in tools:
        snnc_path = shutil.which(args.snnc) if os.sep not in args.snnc else (
            args.snnc if os.path.isfile(args.snnc) and os.access(args.snnc, os.X_OK) else None)
        if snnc_path is None:
            if snnc_explicit:
                print(f"error: snnc not found or not executable: {args.snnc}", file=sys.stderr)
                return 1
            snnc_skip = f"snnc skipped: {args.snnc} not found (build it, or pass --snnc PATH)"
        elif not os.path.isfile(MODEL):
            snnc_skip = f"snnc skipped: model file {MODEL} not found (run from the repository root)"
        else:
            args.snnc = os.path.abspath(snnc_path)
    exe_path = os.path.join(args.out_dir, "cuba_snnc")

    jsonl_path = os.path.join(args.out_dir, "cuba.jsonl")
    ok_runs = {t: [] for t in TOOLS}
    errors = {}
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    host = {"host": platform.node(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "timestamp": stamp}
    with open(jsonl_path, "w") as jf:
        # Interleave the tools run by run, so slow drift in machine load
        # affects both alike.
        for k in range(1, args.runs + 1):
            for tool in tools:
                if tool == "snnc" and (snnc_skip or "snnc" in errors):
                    continue
                if tool != "snnc" and tool in errors:
                    continue
                print(f"[{tool} run {k}/{args.runs}, seed {k}]", file=sys.stderr, flush=True)
                if tool == "snnc":
                    res = run_snnc(args, k, exe_path)
                else:
                    res = run_brian(args, k, args.omp_threads if tool == "brian2-omp" else 0)
                res = finish_record(res, tool, k, args.duration)
                res.update(host)
                jf.write(json.dumps(res, sort_keys=True) + "\n")
                jf.flush()
                if res.get("ok"):
                    ok_runs[tool].append(res)
                else:
                    errors[tool] = res["error"]

    print_table(args, ok_runs)
    if snnc_skip:
        print(snnc_skip)
    for tool, err in errors.items():
        print(f"{tool} failed: {err}")
    # Sanity note only (rates differ a little between seeds and tools).
    if ok_runs["snnc"] and ok_runs["brian2"]:
        for pop in ("exc", "inh"):
            a = statistics.median([r[pop + "_rate_Hz"] for r in ok_runs["snnc"]])
            b = statistics.median([r[pop + "_rate_Hz"] for r in ok_runs["brian2"]])
            if b > 0 and abs(a - b) / b > 0.25:
                print(f"note: {pop} rate differs by more than 25% "
                      f"(snnc {a:.2f} Hz, brian2 {b:.2f} Hz): models may not match")
    print(f"raw runs: {jsonl_path}")

    brians = [t for t in tools if t != "snnc"]
    if brians:  # snnc failing is reported, not an error
        return 0 if all(ok_runs[t] for t in brians) else 1
    return 0 if ok_runs["snnc"] else 1


if __name__ == "__main__":
    sys.exit(main())
