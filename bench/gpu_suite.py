#!/usr/bin/python3
"""snnc itself on a lent GPU machine: the GPU e2e test and the whole e2e
suite on the CUDA target, there.

A lent machine has no snnc, no LLVM and none of the Debian libraries
(gpu_session.py's header), so `pack` carries them:

    # here, with snnc built (about 2 minutes):
    /usr/bin/python3 bench/gpu_suite.py pack           # -> .gpu/snnc.tar.xz
    # there, in one `run` call that carries .gpu:
    python3 bench/gpu_suite.py run --out $OUT

`pack` installs the build into a prefix (`cmake --install --strip`: snnc,
libsnnc, the runtime archives, headers and stdlib; relocatable, see
lib/Resources.h), adds the shared libraries snnc and the executables it
builds load (those of this machine's Debian: LLVM, ANTLR, HDF5, Open MPI,
...), under lib/deps, and the files executables link against that a bare
machine lacks (HDF5's, zlib's, ...: the build's SNN_RUNTIME_DEPENDENCIES)
under lib/link, which snnc then passes as -l:NAME and the driver finds
through LIBRARY_PATH (lib/Toolchain.h); and the list of the e2e tests
(test/e2e/suite_on_cuda.py --save-tests). That machine's own nvcc, C++
driver and libc link and run the executables.

`run` first writes what the machine has (probe.md: the system, libc, the
C++ driver, gold, nvcc, Python's numpy, Brian2 and torch, the GPU), so a
failure later is explained; then unpacks the prefix, builds and runs CUBA
for --target=cuda (smoke), runs test/e2e/test_cuda_device.py with that
snnc (the GPU against the CPU, test/e2e/cuda_checks.py) and the e2e suite
on the CUDA target (suite_on_cuda.py, on a GPU), and writes suite.md and
the logs to --out.
"""

import argparse
import glob
import os
import platform
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bundled_libraries import shared_libraries  # noqa: E402
# Link inputs of glibc's own, which the machine's libc6-dev provides.
GLIBC_LINK_INPUTS = ("libm.so", "libpthread.a", "libdl.a", "librt.a", "libc.so")


def runtime_dependencies(build):
    """The build's SNN_RUNTIME_DEPENDENCIES (CMakeCache.txt)."""
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("SNN_RUNTIME_DEPENDENCIES:"):
                return [p for p in line.split("=", 1)[1].strip().split(";") if p]
    sys.exit("no SNN_RUNTIME_DEPENDENCIES in %s/CMakeCache.txt" % build)


def pack(args):
    build = os.path.abspath(args.build)
    out = os.path.abspath(args.out)
    with tempfile.TemporaryDirectory() as work:
        prefix = os.path.join(work, "snnc")
        subprocess.run(["cmake", "--install", build, "--prefix", prefix, "--strip"], check=True,
                       stdout=subprocess.DEVNULL)
        snnc = os.path.join(prefix, "bin", "snnc")
        # --strip strips the shared objects; the runtime archives' debug
        # information is most of the pack (40 of 42 MB).
        for archive in glob.glob(os.path.join(prefix, "lib", "snnc", "*.a")):
            subprocess.run(["strip", "--strip-debug", archive], check=True)
        # Executables built by the installed snnc load what the runtime does.
        probe = os.path.join(work, "probe")
        os.makedirs(probe)
        executables = [snnc]
        for target in ([], ["--target=cuda"]):
            exe = os.path.join(probe, "cuba" + ("_gpu" if target else ""))
            subprocess.run([snnc, *target, os.path.join(ROOT, "examples", "cuba.snn"), "-o", exe], check=True)
            executables.append(exe)
        lib = os.path.join(prefix, "lib")
        deps = os.path.join(lib, "deps")
        os.makedirs(deps)
        loaded = {}  # the real file -> its name in deps
        for name, path in sorted(shared_libraries(executables, lib).items()):
            shutil.copyfile(path, os.path.join(deps, name))
            loaded[os.path.realpath(path)] = name
        link = os.path.join(lib, "link")
        os.makedirs(link)
        for path in runtime_dependencies(build):
            name, real = os.path.basename(path), os.path.realpath(path)
            if name.startswith(GLIBC_LINK_INPUTS) or os.path.lexists(os.path.join(link, name)):
                continue  # glibc's, or listed twice
            if real in loaded:  # the same file, loaded too
                os.symlink(os.path.join("..", "deps", loaded[real]), os.path.join(link, name))
            else:
                shutil.copyfile(real, os.path.join(link, name))
        subprocess.run([sys.executable, os.path.join(ROOT, "test", "e2e", "suite_on_cuda.py"), "--snnc", snnc,
                        "--work", os.path.join(work, "unused"), "--build", build, "--save-tests",
                        os.path.join(prefix, "tests.json")], check=True)
        shutil.rmtree(probe)
        os.makedirs(out, exist_ok=True)
        target = os.path.join(out, "snnc.tar.xz")
        with tarfile.open(target + ".tmp", "w:xz", preset=args.compression) as tar:
            tar.add(prefix, arcname="snnc")
        os.replace(target + ".tmp", target)
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(out, "*")) if os.path.isfile(p))
    print("wrote %s (%.1f MB); %s holds %.1f MiB (a run carries 64 MiB at most)" % (
        target, os.path.getsize(target) / 1e6, out, total / 2**20))
    return 0 if total <= 64 * 2**20 else 1


def command_line(argv, env=None, timeout=60):
    """(exit code, first line of the output) of `argv`; 127 if missing."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return 127, str(error)
    text = (proc.stdout + proc.stderr).strip()
    return proc.returncode, text.splitlines()[0] if text else ""


def probe_machine():
    """Lines saying what this machine has that the suite needs."""
    lines = ["- python: %s %s" % (sys.executable, platform.python_version())]
    try:
        with open("/etc/os-release") as f:
            name = [line.split("=", 1)[1].strip().strip('"') for line in f if line.startswith("PRETTY_NAME=")]
        lines.append("- system: %s" % (name[0] if name else "?"))
    except OSError:
        lines.append("- system: no /etc/os-release")
    lines.append("- libc: %s" % command_line(["ldd", "--version"])[1])
    # tool -> (the argument that makes it say its version, a word of that line)
    tools = {"c++": ("--version", ""), "g++": ("--version", ""), "ld.gold": ("--version", ""),
             "nvcc": ("--version", "release"), "mpirun": ("--version", ""), "nvidia-smi": ("-L", "")}
    for tool, (argument, word) in tools.items():
        where = shutil.which(tool)
        if tool == "nvcc" and not where and os.path.exists("/usr/local/cuda/bin/nvcc"):
            where = "/usr/local/cuda/bin/nvcc"
        version = ""
        if where:
            out = subprocess.run([where, argument], capture_output=True, text=True)
            version = next((line for line in (out.stdout + out.stderr).splitlines() if word in line), "")
        lines.append("- %s: %s %s" % (tool, where or "missing", version))
    for module in ("numpy", "brian2", "torch", "h5py"):
        code, text = command_line([sys.executable, "-c", "import %s; print(%s.__version__)" % (module, module)])
        lines.append("- %s: %s" % (module, text if code == 0 else "missing"))
    return lines


def write_wrappers(work, prefix):
    """(snnc, C++ driver) wrappers in work/bin that give the pack's
    libraries to snnc and the executables it links, and to nothing else:
    this machine's Python, compilers and linker keep their own. snnc runs
    through the loader with --library-path (not inherited by what snnc
    runs); the driver adds the pack's library folder as DT_RPATH to every
    executable it links, which the loader also searches for the libraries
    of those libraries. The driver is None where the machine has none."""
    lib = os.path.join(prefix, "lib")
    deps = os.path.join(lib, "deps")
    bin_dir = os.path.join(work, "bin")
    os.makedirs(bin_dir, exist_ok=True)
    real = os.path.join(prefix, "bin", "snnc")
    loader = "/lib64/ld-linux-x86-64.so.2"
    snnc = os.path.join(bin_dir, "snnc")
    with open(snnc, "w") as f:
        if os.path.exists(loader):
            f.write("#!/bin/sh\nexec %s --library-path %s %s \"$@\"\n" % (
                loader, shlex.quote(lib + ":" + deps), shlex.quote(real)))
        else:  # another loader: the library path for snnc's children too
            f.write("#!/bin/sh\nLD_LIBRARY_PATH=%s${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec %s \"$@\"\n" % (
                shlex.quote(lib + ":" + deps), shlex.quote(real)))
    os.chmod(snnc, 0o755)
    driver = shutil.which("c++") or shutil.which("g++")
    if not driver:
        return snnc, None
    cxx = os.path.join(bin_dir, "c++")
    with open(cxx, "w") as f:
        f.write("#!/bin/sh\n"
                "# %s, recording the pack's libraries in the executables it links\n"
                "for arg in \"$@\"; do case \"$arg\" in -c|-r|-E|-S|-M|-MM|-print-*) exec %s \"$@\";; esac; done\n"
                "exec %s \"$@\" -Wl,--disable-new-dtags -Wl,-rpath,%s\n" % (
                    driver, shlex.quote(driver), shlex.quote(driver), shlex.quote(deps)))
    os.chmod(cxx, 0o755)
    return snnc, cxx


def run(args):
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    report = ["# snnc on the GPU machine", "", "## What the machine has", ""] + probe_machine()

    def write():
        with open(os.path.join(out, "suite.md"), "w") as f:
            f.write("\n".join(report) + "\n")

    write()
    print("\n".join(report), flush=True)
    work = tempfile.mkdtemp(prefix="snnc-suite-")
    with tarfile.open(args.pack) as tar:
        tar.extractall(work)
    prefix = os.path.join(work, "snnc")
    lib = os.path.join(prefix, "lib")
    env = dict(os.environ)
    env["LIBRARY_PATH"] = ":".join(p for p in (os.path.join(lib, "link"), env.get("LIBRARY_PATH")) if p)
    if not shutil.which("nvcc") and os.path.isdir("/usr/local/cuda/bin"):
        env["PATH"] = env.get("PATH", "") + ":/usr/local/cuda/bin"
    snnc, cxx = write_wrappers(work, prefix)
    if cxx:
        env["SNNC_CXX"] = cxx
    deadline = time.perf_counter() + args.budget

    def step(title, argv, timeout, cwd=None):
        """Runs `argv` for at most `timeout` s and what is left of --budget,
        its output streamed to OUT/<title's first word>.log; a timeout
        kills its whole process group (test scripts, executables)."""
        start = time.perf_counter()
        limit = max(1.0, min(timeout, deadline - start))
        log_path = os.path.join(out, title.split()[0] + ".log")
        with open(log_path, "w") as log:
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd or work,
                                    start_new_session=True)
            try:
                code = proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                code = 124
        wall = time.perf_counter() - start
        with open(log_path, errors="replace") as f:
            text = f.read()
        if code == 124:
            text += "\n(killed after %.0f s: the step's limit or --budget)" % limit
        report.extend(["", "## %s: exit %d in %.0f s" % (title, code, wall), "", "```"] +
                      text.strip().splitlines()[-40:] + ["```"])
        write()
        print("%s: exit %d in %.0f s" % (title, code, wall), flush=True)
        return code

    cuba = os.path.join(work, "cuba")
    emulate = ["--emulate"] if args.emulate else []
    target = ["--target=cuda"] + (["--cuda-host-emulation"] if args.emulate else [])
    if (step("version", [snnc, "--version"], 60) != 0 or
            step("smoke-compile (snnc %s examples/cuba.snn)" % " ".join(target),
                 [snnc, *target, os.path.join(ROOT, "examples", "cuba.snn"), "-o", cuba], 120) != 0 or
            step("smoke-run (cuba --duration 0.1)", [cuba, "--duration", "0.1"], 120) != 0):
        return 1
    e2e = os.path.join(ROOT, "test", "e2e")
    device = 0 if args.skip_device_test else step(
        "test_cuda_device.py", [sys.executable, os.path.join(e2e, "test_cuda_device.py"), "--snnc", snnc, "--work",
                                os.path.join(work, "cuda_device"), "--no-mpi", *emulate], args.device_timeout)
    only = ["--only", *args.only] if args.only else []
    suite = step("suite_on_cuda.py", [sys.executable, os.path.join(e2e, "suite_on_cuda.py"), "--snnc", snnc,
                                      "--work", os.path.join(work, "suite"), "--tests",
                                      os.path.join(prefix, "tests.json"), "--jobs", str(args.jobs), "--deadline",
                                      str(args.deadline), *emulate, *only], args.deadline + 300)
    for log in glob.glob(os.path.join(work, "suite", "*.log")):
        shutil.copyfile(log, os.path.join(out, "suite_" + os.path.basename(log)))
    shutil.rmtree(work, ignore_errors=True)
    # A skip (77) on the GPU machine means no GPU or no toolkit: a failure here.
    return 0 if (device == 0 or (device == 77 and args.emulate)) and suite == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="install the build with what it loads into OUT/snnc.tar.xz")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default=os.path.join(ROOT, ".gpu"))
    p.add_argument("--compression", type=int, default=9, choices=range(10),
                   help="xz preset: 9 (default) packs the smallest, 0 the fastest")
    r = sub.add_parser("run", help="on the GPU machine: probe it, then the GPU test and the suite")
    r.add_argument("--pack", default=os.path.join(ROOT, ".gpu", "snnc.tar.xz"))
    r.add_argument("--out", default=os.environ.get("OUT", "gpu-suite"))
    r.add_argument("--jobs", type=int, default=8, help="e2e scripts at once")
    r.add_argument("--device-timeout", type=int, default=300, help="seconds for test_cuda_device.py")
    r.add_argument("--deadline", type=int, default=240, help="seconds after which no e2e script starts")
    r.add_argument("--budget", type=int, default=540,
                   help="seconds for all the steps together (a device call may last 600)")
    r.add_argument("--emulate", action="store_true", help="the GPU emulated on the host: tries `run` here")
    r.add_argument("--only", nargs="*", help="the e2e suite's tests to run (ctest names; default all)")
    r.add_argument("--skip-device-test", action="store_true", help="not test_cuda_device.py")
    args = parser.parse_args()
    return {"pack": pack, "run": run}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
