#!/usr/bin/python3
"""The GPU checks and benchmarks of the CUDA target, for a lent GPU machine.

A lent machine (the `device` tool) is bare: no snnc, no LLVM, no Debian
libraries (HDF5, Open MPI), and a few minutes of device time. So the work
splits in two:

    # here, with snnc built (about 3 minutes):
    /usr/bin/python3 bench/gpu_session.py bundle        # -> .gpu/bundle.tar.xz
    # there, in one `run` call that carries .gpu (5 to 8 minutes):
    python3 bench/gpu_session.py run --out $OUT

`bundle` compiles every case for --target=cuda and, beside it, for the CPU
(both stripped), copies the case's data, and packs them with the shared
libraries the executables need (those of this machine's Debian) into one
compressed file. `run` unpacks it, runs each case's CPU and GPU executables
side by side on that machine, and writes report.md and report.json to
--out:

  checks: every check of test/e2e/cuda_checks.py, the catalogue that
    test/e2e/test_cuda_device.py runs with snnc on a GPU machine (its
    header says what each kind of check asks and why): CUBA, Poisson,
    digits training (gradients and weights after a batch, an epoch's
    accuracy), LIF, Izhikevich, delays, STDP and two inline models. Not
    here: test_cuda_device.py's MPI ranks (the bundle's Open MPI is
    Debian's; the lent machine has no mpirun to start it).

  benchmarks (timing reported, never asserted):
    cuba_N       CUBA scaled to N neurons (80 synapses each, bench/cuda.py's
                 model), 0.2 s: wall s per biological s, CPU and GPU;
                 cuba_100000_v records 1000 neurons' v every step (on the
                 GPU, copied behind each step and read once per block)
    dvs          2048 -> 512 ALIF (10 %) -> 11, batch 512, 1500 steps
                 (bench/eprop.py --dvs): ms per step of a training batch,
                 with spikes delivered as the cost model chooses (dvs) and
                 postsynaptic (dvs_post)

`profile` runs ncu on one batch of each DVS case, on 20 forward steps and
on 20 backward steps (from step 100, found from the lowered Program's
launches per entry point), and writes, per kernel, its share of the GPU
time and its DRAM traffic, and per step the kernels' time and bytes, their
bandwidth and, at the ms per step `run` measured (its report.json in the
same --out), the share of the DRAM's peak the whole step achieves
(profile.md, the raw ncu_*.csv).

`bundle --emulate` builds the "GPU" executables with --cuda-host-emulation
instead, so that `run` can be tried here, where every check must hold bit
for bit (ctest runs that: test/e2e/test_gpu_session.py).
"""

import argparse
import csv
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # keep the source tree clean


def bench_module(name):
    """bench/NAME.py, by path (a GPU machine's `cuda` is another package)."""
    spec = importlib.util.spec_from_file_location("snnc_bench_" + name, os.path.join(ROOT, "bench", name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cuda_bench = bench_module("cuda")  # CUBA scaled
eprop_bench = bench_module("eprop")  # the DVS-shaped model and data
shared_libraries = bench_module("bundled_libraries").shared_libraries
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import cuda_checks  # noqa: E402  (the checks, shared with test_cuda_device.py)

SUMMARY = re.compile(r"in ([0-9.e+-]+) s wall: ([0-9.e+-]+) s per biological second")
CHECKS = cuda_checks.CHECKS
# case -> (neurons, record lines)
CUBA_CASES = {"cuba_100000": (100000, ""), "cuba_1000000": (1000000, ""),
              "cuba_100000_v": (100000, '  record exc[0:1000].v to "v.npz"\n')}
DVS = dict(inputs=2048, hidden=512, classes=11, recurrent_p=0.1, batch=512, steps=1500)
DVS_CASES = {"dvs": [], "dvs_post": ["--spike-delivery=postsynaptic"]}  # case -> GPU flags


def compile_model(snnc, source, exe, flags):
    proc = subprocess.run([snnc, *flags, source, "-o", exe], capture_output=True, text=True,
                          cwd=os.path.dirname(source))
    if proc.returncode != 0:
        sys.exit("snnc %s %s failed:\n%s" % (" ".join(flags), source, proc.stderr))
    subprocess.run(["strip", exe], check=True)


def entry_launches(snnc, source, flags):
    """Launches per entry point of the model's lowered Program, so that
    `profile` can skip to the steps it wants (ncu counts kernel launches)."""
    proc = subprocess.run([snnc, *flags, "--emit=lowered", source, "-o", "-"], capture_output=True, text=True,
                          check=True)
    counts, entry = {}, None
    for line in proc.stdout.splitlines():
        m = re.match(r"^entry (\w+) \{", line)
        if m:
            entry = m.group(1)
            counts[entry] = 0
        elif line.startswith("}"):
            entry = None
        elif entry and line.startswith("  launch "):
            counts[entry] += 1
    return counts


def bundle(args):
    snnc = os.path.abspath(args.snnc)
    gpu_flags = ["--target=cuda"] + (["--cuda-host-emulation"] if args.emulate else [])
    out_dir = os.path.abspath(args.out)
    with tempfile.TemporaryDirectory() as work:
        top = os.path.join(work, "gpu")
        executables = []
        for name, check in CHECKS.items():
            case = os.path.join(top, name)
            source = cuda_checks.prepare(check, case)
            compile_model(snnc, source, os.path.join(case, "cpu"), check.flags)
            compile_model(snnc, source, os.path.join(case, "gpu"), gpu_flags + check.flags)
            executables += [os.path.join(case, "cpu"), os.path.join(case, "gpu")]
        if not args.emulate:  # the benchmarks mean nothing emulated
            for name, (n, records) in CUBA_CASES.items():
                case = os.path.join(top, name)
                os.makedirs(case)
                source = os.path.join(case, "cuba.snn")
                exc = n * 4 // 5
                text = cuda_bench.MODEL.format(exc=exc, inh=n - exc, p="%.6g" % (80.0 / n))
                init = "  init exc.v, inh.v ~ uniform(-60 mV, -50 mV)\n"
                assert init in text, "bench/cuda.py's model changed"
                with open(source, "w") as f:
                    f.write(text.replace(init, init + records))
                compile_model(snnc, source, os.path.join(case, "cpu"), [])
                compile_model(snnc, source, os.path.join(case, "gpu"), gpu_flags)
                executables += [os.path.join(case, "cpu"), os.path.join(case, "gpu")]
            for name, flags in DVS_CASES.items():
                case = os.path.join(top, name)
                os.makedirs(case)
                source = os.path.join(case, "dvs.snn")
                with open(source, "w") as f:
                    f.write(eprop_bench.model_text(DVS["hidden"], DVS["steps"], DVS["batch"], DVS["inputs"],
                                                   DVS["classes"], DVS["recurrent_p"]))
                compile_model(snnc, source, os.path.join(case, "gpu"), gpu_flags + flags + ["-O3"])
                executables.append(os.path.join(case, "gpu"))
                with open(os.path.join(case, "launches.json"), "w") as f:
                    json.dump(entry_launches(snnc, source, gpu_flags + flags), f)
        libs = os.path.join(top, "lib")
        os.makedirs(libs)
        for name, path in sorted(shared_libraries(executables).items()):
            shutil.copyfile(path, os.path.join(libs, name))
        with open(os.path.join(top, "manifest.json"), "w") as f:
            json.dump({"emulated": args.emulate, "built": time.strftime("%Y-%m-%d %H:%M:%S"),
                       "cases": sorted(os.listdir(top))}, f)
        os.makedirs(out_dir, exist_ok=True)
        target = os.path.join(out_dir, "bundle.tar.xz")
        with tarfile.open(target + ".tmp", "w:xz") as tar:
            tar.add(top, arcname="gpu")
        os.replace(target + ".tmp", target)
    print("wrote %s (%.1f MB)" % (target, os.path.getsize(target) / 1e6))


def run_exe(case, which, argv, env, timeout):
    """(returncode, stdout, stderr, wall seconds) of ./which in `case`."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(["./" + which, *argv], cwd=case, capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "", "timed out after %d s" % timeout, timeout
    return proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - start


def load_outputs(case, before):
    """The NPZ files a run wrote, by name (those not there before)."""
    arrays = {}
    for path in sorted(glob.glob(os.path.join(case, "*.npz"))):
        if os.path.basename(path) not in before:
            with np.load(path) as z:
                arrays[os.path.basename(path)] = {k: z[k] for k in z.files}
            os.remove(path)
    return arrays


def run(args):
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="snnc-gpu-")
    with tarfile.open(args.bundle) as tar:
        tar.extractall(work)
    top = os.path.join(work, "gpu")
    manifest = json.load(open(os.path.join(top, "manifest.json")))
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(top, "lib") + (
        ":" + os.environ["LD_LIBRARY_PATH"] if os.environ.get("LD_LIBRARY_PATH") else ""))
    report = {"manifest": manifest, "checks": {}, "benchmarks": {}}
    lines = ["# snnc on the GPU (%s)" % ("host emulation" if manifest["emulated"] else "CUDA"), ""]
    smi = shutil.which("nvidia-smi")
    if smi:
        info = subprocess.run([smi, "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"],
                              capture_output=True, text=True).stdout.strip()
        lines += ["device: " + info, ""]
        report["device"] = info
    lines += ["| check | result | detail | CPU s | GPU s |", "|---|---|---|---|---|"]
    no_gpu = None
    for name, check in CHECKS.items():
        case = os.path.join(top, name)
        before = set(os.listdir(case))
        runs = {}
        for which in ("cpu", "gpu"):
            code, stdout, stderr, wall = run_exe(case, which, check.argv, dict(env, **check.env), args.timeout)
            if code != 0:
                runs[which] = (code, stderr.strip()[-400:], wall)
            else:
                runs[which] = (0, (stdout, load_outputs(case, before)), wall)
        if runs["gpu"][0] != 0 and "no usable NVIDIA GPU" in str(runs["gpu"][1]):
            no_gpu = runs["gpu"][1]
            passed, detail = None, "skipped: " + no_gpu
        elif any(r[0] != 0 for r in runs.values()):
            passed, detail = False, "; ".join("%s exit %d: %s" % (w, r[0], r[1]) for w, r in runs.items() if r[0])
        else:
            passed, detail = cuda_checks.judge(check.kind, runs["cpu"][1], runs["gpu"][1])
        report["checks"][name] = {"passed": passed, "detail": detail, "cpu_s": runs["cpu"][2],
                                  "gpu_s": runs["gpu"][2]}
        lines.append("| %s | %s | %s | %.2f | %.2f |" % (name, {True: "pass", False: "FAIL", None: "skipped"}[passed],
                                                          detail.replace("|", "/")[:300], runs["cpu"][2],
                                                          runs["gpu"][2]))
        print(lines[-1], flush=True)
    if not manifest["emulated"] and not no_gpu and not args.quick:
        # "GPU, launched": SNN_CUDA_GRAPHS=0, each step's kernels launched
        # one by one rather than replayed as a CUDA graph.
        lines += ["", "| benchmark | CPU | GPU | GPU, launched | speedup |", "|---|---|---|---|---|"]
        launched = dict(env, SNN_CUDA_GRAPHS="0")
        for name, (n, records) in CUBA_CASES.items():
            case = os.path.join(top, name)
            cells = {}
            for column, which, column_env in (("cpu", "cpu", env), ("gpu", "gpu", env), ("launched", "gpu", launched)):
                code, stdout, stderr, _ = run_exe(case, which, ["--duration", "0.2"], column_env, args.timeout)
                m = SUMMARY.search(stdout) if code == 0 else None
                cells[column] = float(m.group(2)) if m else stderr.strip()[-200:]
            both = all(isinstance(cells[c], float) for c in ("cpu", "gpu"))
            report["benchmarks"][name] = cells
            lines.append("| CUBA %d neurons%s, s per biological s | %s | %s | %s | %s |" % (
                n, ", 1000 v recorded" if records else "", *("%.4g" % c if isinstance(c, float) else c for c in (cells["cpu"], cells["gpu"], cells["launched"])),
                "%.1fx" % (cells["cpu"] / cells["gpu"]) if both else "-"))
            print(lines[-1], flush=True)
        for name, flags in DVS_CASES.items():
            cells = {c: dvs_benchmark(os.path.join(top, name), e, args) for c, e in (("gpu", env), ("launched", launched))}
            report["benchmarks"][name] = cells
            lines.append("| DVS-shaped e-prop%s, ms per step | - | %s | %s | - |" % (
                " " + " ".join(flags) if flags else "", cells["gpu"], cells["launched"]))
            print(lines[-1], flush=True)
    for name, text in (("report.md", "\n".join(lines) + "\n"), ("report.json", json.dumps(report, indent=1))):
        with open(os.path.join(out, name), "w") as f:
            f.write(text)
    failed = [n for n, c in report["checks"].items() if c["passed"] is False]
    print("checks: %d passed, %d failed, %d skipped" % (
        sum(c["passed"] is True for c in report["checks"].values()), len(failed),
        sum(c["passed"] is None for c in report["checks"].values())))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


def dvs_benchmark(case, env, args):
    """ms per step of a training batch: the difference of a 2- and a
    1-batch epoch, over the batch's steps."""
    eprop_bench.make_data(os.path.join(case, "shd_synthetic.npz"), 2 * DVS["batch"], DVS["steps"], seed=7,
                          inputs=DVS["inputs"], classes=DVS["classes"], dense=False)
    walls = []
    for batches in (1, 2):
        code, stdout, stderr, wall = run_exe(case, "gpu", ["--epochs", "1", "--batches", str(batches),
                                                           "--no-shuffle", "--quiet"], env, args.timeout)
        if code != 0:
            return "exit %d: %s" % (code, stderr.strip()[-300:])
        walls.append(wall)
    return "%.3f" % ((walls[1] - walls[0]) / DVS["steps"] * 1e3)


# What ncu reads per kernel: its time and the bytes it moved to and from DRAM.
NCU_METRICS = ("gpu__time_duration.sum", "dram__bytes_read.sum", "dram__bytes_write.sum",
               "dram__throughput.avg.pct_of_peak_sustained_elapsed")


def profile(args):
    """ncu on one batch of the DVS-shaped training: per kernel, its share of
    the GPU time and of the DRAM's peak bandwidth (what bounds it)."""
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    ncu = shutil.which("ncu") or next(iter(sorted(glob.glob("/usr/local/cuda*/bin/ncu"))), None)
    if not ncu:
        sys.exit("no ncu on this machine")
    work = tempfile.mkdtemp(prefix="snnc-ncu-")
    with tarfile.open(args.bundle) as tar:
        tar.extractall(work)
    top = os.path.join(work, "gpu")
    # Kernels launched one by one, as the launch counts below assume; the
    # same kernels as the graphs replay.
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(top, "lib"), SNN_CUDA_GRAPHS="0")
    text, failed = "", False
    report = os.path.join(out, "report.json")
    measured = json.load(open(report))["benchmarks"] if os.path.exists(report) else {}
    device = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                            text=True).stdout if shutil.which("nvidia-smi") else ""
    peak = next((bw for name, bw in DRAM_PEAK.items() if name in device), None)
    for name in DVS_CASES:
        case = os.path.join(top, name)
        eprop_bench.make_data(os.path.join(case, "shd_synthetic.npz"), DVS["batch"], DVS["steps"], seed=7,
                              inputs=DVS["inputs"], classes=DVS["classes"], dense=False)
        n = json.load(open(os.path.join(case, "launches.json")))
        before = n.get("init", 0) + n.get("reset_example", 0)
        forward, backward = n.get("train_step", 0), n.get("train_backward", 0)
        ends = n.get("end_example", 0) + n.get("train_end_example", 0)
        windows = [("forward", before + 100 * forward, 20 * forward),
                   ("backward", before + DVS["steps"] * forward + ends + 100 * backward, 20 * backward)]
        text += "## %s\n\nlaunches per entry point: %s\n\n" % (name, n)
        per_step = [0.0, 0.0]  # kernel seconds, DRAM bytes
        for window, skip, count in windows:
            if count == 0:
                continue
            # The Program's kernels only: the device clock's set and advance
            # kernels (snn/cuda_device.h) are neither counted nor profiled.
            cmd = [ncu, "--clock-control", "none", "--csv", "--metrics", ",".join(NCU_METRICS), "--kernel-name",
                   "regex:^snn_kernel_", "--launch-skip",
                   str(skip), "--launch-count", str(count), "./gpu", "--epochs", "1", "--batches", "1",
                   "--no-shuffle", "--quiet"]
            try:
                proc = subprocess.run(cmd, cwd=case, capture_output=True, text=True, env=env, timeout=args.timeout)
            except subprocess.TimeoutExpired:
                print("%s %s: ncu timed out after %d s" % (name, window, args.timeout))
                failed = True
                continue
            raw = os.path.join(out, "ncu_%s_%s.csv" % (name, window))
            with open(raw + ".tmp", "w") as f:
                f.write(proc.stdout)
            os.replace(raw + ".tmp", raw)
            print("%s %s: ncu exit %d; %s" % (name, window, proc.returncode, proc.stderr.strip()[-600:]))
            failed |= proc.returncode != 0
            seconds, moved = ncu_totals(proc.stdout)
            per_step[0] += seconds / 20
            per_step[1] += moved / 20
            text += "### %s steps (launches %d to %d)\n\n%s\n" % (window, skip, skip + count, kernel_table(proc.stdout))
        text += "a step (forward and backward): %.1f µs of kernels, %.1f MB of DRAM traffic, %.0f GB/s over the " \
                "kernels\n" % (per_step[0] * 1e6, per_step[1] / 1e6, per_step[1] / per_step[0] / 1e9 if per_step[0]
                                else 0.0)
        ms = measured.get(name)
        try:
            wall = float(ms) * 1e-3
        except (TypeError, ValueError):
            wall = None
        if wall and peak:
            text += "at %.3f ms a step (run): %.0f GB/s, %.1f %% of the device's %.2f TB/s\n" % (
                wall * 1e3, per_step[1] / wall / 1e9, 100 * per_step[1] / wall / peak, peak / 1e12)
        text += "\n"
    shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(out, "profile.md"), "w") as f:
        f.write(text)
    print(text)
    return 1 if failed else 0


# DRAM bandwidth by the vendors' datasheets (bytes/s), by nvidia-smi name.
DRAM_PEAK = {"H200": 4.8e12, "H100 80GB HBM3": 3.35e12, "H100 PCIe": 2.0e12, "A100-SXM4-80GB": 2.039e12}


def ncu_metrics(csv_text):
    """(kernel, launch id, metric, value in seconds, bytes or %) for each
    metric of each launch in ncu's CSV (its other lines are ncu's notes)."""
    rows = [line for line in csv_text.splitlines() if line.startswith('"')]
    for row in csv.DictReader(rows):
        try:
            value = float(row["Metric Value"].replace(",", "")) * NCU_SCALE.get(row.get("Metric Unit", ""), 1.0)
        except (KeyError, ValueError):
            continue
        yield row["Kernel Name"].split("(")[0], row["ID"], row["Metric Name"], value


def ncu_totals(csv_text):
    """(GPU seconds, DRAM bytes) of every launch in ncu's CSV."""
    seconds = moved = 0.0
    for _, _, metric, value in ncu_metrics(csv_text):
        if metric == "gpu__time_duration.sum":
            seconds += value
        elif metric in ("dram__bytes_read.sum", "dram__bytes_write.sum"):
            moved += value
    return seconds, moved


# ncu's units, in seconds and bytes.
NCU_SCALE = {"ns": 1e-9, "nsecond": 1e-9, "us": 1e-6, "usecond": 1e-6, "ms": 1e-3, "msecond": 1e-3, "s": 1.0,
             "second": 1.0, "byte": 1.0, "Kbyte": 1e3, "Mbyte": 1e6, "Gbyte": 1e9, "KB": 1e3, "MB": 1e6, "GB": 1e9}


def kernel_table(csv_text):
    """Per kernel of ncu's CSV: launches, share of the GPU time, mean time,
    DRAM GB/s and the DRAM throughput as a share of its peak."""
    kernels = {}  # name -> {metric: total}
    for kernel, launch, metric, value in ncu_metrics(csv_text):
        entry = kernels.setdefault(kernel, {"launches": set()})
        entry["launches"].add(launch)
        if metric.startswith("dram__throughput"):
            entry.setdefault("pct_samples", []).append(value)
        else:
            entry[metric] = entry.get(metric, 0.0) + value
    lines = ["| kernel | launches | GPU time % | mean µs | DRAM GB/s | DRAM % of peak (mean) |",
             "|---|---|---|---|---|---|"]
    total = sum(k.get("gpu__time_duration.sum", 0.0) for k in kernels.values()) or 1.0
    for name, k in sorted(kernels.items(), key=lambda kv: -kv[1].get("gpu__time_duration.sum", 0.0)):
        t = k.get("gpu__time_duration.sum", 0.0)
        moved = k.get("dram__bytes_read.sum", 0.0) + k.get("dram__bytes_write.sum", 0.0)
        pct = k.get("pct_samples", [])
        lines.append("| %s | %d | %.1f | %.2f | %.0f | %.1f |" % (
            name, len(k["launches"]), 100 * t / total, t / len(k["launches"]) * 1e6, moved / t / 1e9 if t else 0.0,
            sum(pct) / len(pct) if pct else 0.0))
    moved = sum(k.get("dram__bytes_read.sum", 0.0) + k.get("dram__bytes_write.sum", 0.0) for k in kernels.values())
    lines.append("")
    lines.append("all profiled kernels: %.3f ms of GPU time, %.1f MB of DRAM traffic, %.0f GB/s" % (
        total * 1e3, moved / 1e6, moved / total / 1e9))
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("bundle", help="compile the cases here into OUT/bundle.tar.xz")
    b.add_argument("--snnc", default=os.path.join(ROOT, "build", "tools", "snnc", "snnc"))
    b.add_argument("--out", default=os.path.join(ROOT, ".gpu"))
    b.add_argument("--emulate", action="store_true", help="GPU executables in host emulation (to try `run` here)")
    r = sub.add_parser("run", help="run the bundle's cases; write report.md and report.json to OUT")
    r.add_argument("--bundle", default=os.path.join(ROOT, ".gpu", "bundle.tar.xz"))
    r.add_argument("--out", default=os.environ.get("OUT", "gpu-report"))
    r.add_argument("--timeout", type=int, default=240, help="seconds per executable run")
    r.add_argument("--quick", action="store_true", help="the checks only, no benchmarks")
    p = sub.add_parser("profile", help="ncu on one batch of the DVS-shaped training; OUT/profile.md, OUT/ncu.csv")
    p.add_argument("--bundle", default=os.path.join(ROOT, ".gpu", "bundle.tar.xz"))
    p.add_argument("--out", default=os.environ.get("OUT", "gpu-report"))
    p.add_argument("--skip", type=int, default=3000, help="launches ncu lets pass before it profiles")
    p.add_argument("--count", type=int, default=400, help="launches ncu profiles")
    p.add_argument("--timeout", type=int, default=180)
    args = parser.parse_args()
    return {"bundle": bundle, "run": run, "profile": profile}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
