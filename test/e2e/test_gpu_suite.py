"""e2e: bench/gpu_suite.py, snnc carried to a lent GPU machine.

`pack` installs this build with the shared libraries it and its
executables load and the link inputs a bare machine lacks; `run
--emulate` unpacks it elsewhere and, with that snnc alone (relocated,
its libraries from the pack), builds and runs CUBA for the emulated CUDA
target and one script of the e2e suite on it (test_lif_analytic.py, its
numbers against the analytic solution). Then, where `unshare -m` may
mount, with this machine's LLVM and HDF5 development files hidden, the
unpacked snnc builds and runs digits and CUBA. So the script a GPU
session runs in its few minutes does not rot between sessions.
"""

import os
import subprocess
import sys
import tarfile

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

SCRIPT = os.path.join(e2e.SOURCE_ROOT, "bench", "gpu_suite.py")


# A machine without this one's LLVM and HDF5 development files, made by
# mounting empty folders over them in a mount namespace of its own.
HIDE = """set -e
for folder in "$@"; do mount -t tmpfs none "$folder"; done
cd "$WORK"
"$PACK/bin/snnc" "$DIGITS" -o digits
./digits --epochs 1 --batches 1 --weights-out w.npz --quiet
"$PACK/bin/snnc" --target=cuda --cuda-host-emulation "$CUBA" -o cuba
./cuba --duration 0.05 --quiet
"""


def hidden_machine(args, check, pack):
    """With the build's LLVM and HDF5 link files hidden (unshare -m; where
    that is not allowed, says so and checks nothing): the packed snnc
    loads LLVM from the pack, links HDF5 through -l: and LIBRARY_PATH, and
    its executables run (the digits training reads HDF5's code in)."""
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        check.note("unshare -m is not allowed here: the hidden-machine check did not run")
        return
    unpacked = os.path.join(args.work, "unpacked")
    with tarfile.open(pack) as tar:
        tar.extractall(unpacked)
    prefix = os.path.join(unpacked, "snnc")
    lib = os.path.join(prefix, "lib")
    hidden = [d for d in ("/usr/lib/llvm-19/lib", "/usr/lib/x86_64-linux-gnu/hdf5/serial") if os.path.isdir(d)]
    work = os.path.join(args.work, "hidden")
    os.makedirs(os.path.join(work, "data"))
    os.symlink(os.path.join(e2e.SOURCE_ROOT, "data", "digits.csv.gz"), os.path.join(work, "data", "digits.csv.gz"))
    env = dict(os.environ, LD_LIBRARY_PATH=lib + ":" + os.path.join(lib, "deps"),
               LIBRARY_PATH=os.path.join(lib, "link"), WORK=work, PACK=prefix,
               DIGITS=os.path.join(e2e.SOURCE_ROOT, "examples", "digits.snn"),
               CUBA=os.path.join(e2e.SOURCE_ROOT, "examples", "cuba.snn"))
    proc = subprocess.run(["unshare", "-m", "sh", "-c", HIDE, "hide", *hidden], capture_output=True, text=True,
                          env=env, timeout=600)
    check.check(proc.returncode == 0 and os.path.isfile(os.path.join(work, "w.npz")),
                "with %s hidden: exit %d: %s" % (" and ".join(hidden), proc.returncode, proc.stderr[-1500:]))
    check.note("with %s hidden, the packed snnc built and ran digits (CPU) and CUBA (emulated CUDA)" %
               " and ".join(hidden))


def main():
    args = e2e.parse_args(__doc__.splitlines()[0], lambda p: p.add_argument("--build", required=True))
    check = e2e.Checker("gpu_suite")
    pack_dir, report = os.path.join(args.work, "pack"), os.path.join(args.work, "report")
    proc = subprocess.run([sys.executable, SCRIPT, "pack", "--build", args.build, "--out", pack_dir,
                           "--compression", "0"], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        e2e.setup_error("pack failed: " + proc.stderr + proc.stdout)
    pack = os.path.join(pack_dir, "snnc.tar.xz")
    with tarfile.open(pack) as tar:
        members = {m.name: m for m in tar.getmembers()}
    for name in ("snnc/bin/snnc", "snnc/lib/snnc/libsnnrt.a", "snnc/lib/snnc/libsnnrt_cuda_emulation.a",
                 "snnc/share/snnc/stdlib/std/neurons.snn", "snnc/tests.json"):
        check.check(name in members, "the pack lacks %s" % name)
    check.check(any(n.startswith("snnc/lib/deps/libLLVM") for n in members), "the pack lacks libLLVM")
    link = members.get("snnc/lib/link/libhdf5.so")
    check.check(link is not None and link.issym() and link.linkname.startswith("../deps/"),
                "lib/link/libhdf5.so should link to the loaded copy in lib/deps")
    proc = subprocess.run([sys.executable, SCRIPT, "run", "--pack", pack, "--out", report, "--emulate",
                           "--skip-device-test", "--only", "e2e_lif_analytic", "--deadline", "600"],
                          capture_output=True, text=True, timeout=900, cwd=args.work)
    check.check(proc.returncode == 0, "run exited %d: %s %s" % (proc.returncode, proc.stdout[-2000:], proc.stderr))
    with open(os.path.join(report, "suite.md")) as f:
        text = f.read()
    for line in ("## smoke-run (cuba --duration 0.1): exit 0", "## suite_on_cuda.py: exit 0", "- numpy: "):
        check.check(line in text, "suite.md lacks %r:\n%s" % (line, text))
    check.check("1 passed, 0 skipped, 0 failed" in text, "the suite should pass its one script:\n" + text)
    check.note("pack %.1f MB at xz preset 0; %s" % (os.path.getsize(pack) / 1e6, proc.stdout.strip().splitlines()[-1]))
    hidden_machine(args, check, pack)
    check.finish()


if __name__ == "__main__":
    main()
