"""package: snnc installed into a prefix works as a package.

Installs the build tree into a temporary prefix and moves the prefix (so
nothing can rely on the install path or the build tree), then:
  * checks the layout: the driver, one libsnnc, the public headers only, the
    runtime archives, the stdlib, the CMake package;
  * checks that libsnnc.so exports only the public API (no LLVM, ANTLR, fmt
    or internal snnc symbols);
  * configures examples/embed out of tree with nothing but
    -DCMAKE_PREFIX_PATH=<prefix>, builds it, runs it, and checks its spike
    count and v[0] against the analytic LIF solution (test/e2e/
    test_lif_analytic.py);
  * compiles examples/lif.snn with the installed driver (runtime and stdlib
    from the prefix), runs it, and checks its trace and spikes likewise.

Run as: python3 test_package.py --build BUILD_DIR --source SOURCE_DIR
            --cmake CMAKE --work SCRATCH_DIR
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import e2e_common as e2e  # noqa: E402
from test_lif_analytic import expected_trajectory  # noqa: E402

import numpy as np  # noqa: E402

MV = 1e-3
PUBLIC_HEADER_DIRS = ("include/snn", "runtime/include/snn")
# What libsnnc.so may export: the declarations of include/snn/Compiler.h,
# Diagnostic.h and runtime.h (beginnings of demangled names).
API = ("snn::version()", "snn::render[abi:cxx11](snn::Diagnostic const&)", "snn::compile_file(",
       "snn::compile_source(", "snn::pass_names[abi:cxx11]()", "snn::reads_ir(", "snn::Compilation::",
       "snn::rt::Error::", "snn::rt::run(", "snn::rt::print_summary(", "snn::rt::steps_for_duration(",
       "snn::rt::Simulation::") + tuple(
           kind + " for " + cls for kind in ("typeinfo", "typeinfo name", "vtable")
           for cls in ("snn::JitModel", "snn::InternalCompilerError", "snn::rt::Error"))
# Names an exported symbol of libsnnc.so must not contain.
INTERNAL_NAMES = ("::Impl", "llvm::", "antlr4::", "fmt::", "snn::ir::", "snn::frontend", "snn::cpu::",
                  "snn::passes", "snn::lower", "snn_grammar")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True, help="the snnc build tree")
    parser.add_argument("--source", required=True, help="the snnc source tree")
    parser.add_argument("--cmake", default="cmake", help="the cmake executable")
    parser.add_argument("--work", required=True, help="scratch directory (recreated)")
    args = parser.parse_args()
    for name in ("build", "source", "work"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    return args


def clean_env():
    """The environment of a new user: nothing pointing at snnc or its deps."""
    env = dict(os.environ)
    for name in ("CMAKE_PREFIX_PATH", "CMAKE_MODULE_PATH", "SNN_STDLIB_DIR", "LD_LIBRARY_PATH",
                 "LIBRARY_PATH", "CPATH", "CPLUS_INCLUDE_PATH", "CXXFLAGS", "LDFLAGS"):
        env.pop(name, None)
    return env


def run(argv, cwd, what, timeout=300):
    try:
        proc = subprocess.run(argv, cwd=cwd, env=clean_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        e2e.setup_error("%s: timed out after %d s" % (what, timeout))
    if proc.returncode != 0:
        print(proc.stdout)
        print("FAIL: %s exited with %d: %s" % (what, proc.returncode, " ".join(argv)), flush=True)
        sys.exit(1)
    return proc.stdout


def check_layout(checker, prefix, source):
    files = set()
    for root, _, names in os.walk(prefix):
        for name in names:
            files.add(os.path.relpath(os.path.join(root, name), prefix))
    for need in ("bin/snnc", "lib/libsnnc.so", "include/snn/Compiler.h", "include/snn/runtime.h",
                 "include/snn/model_abi.h", "lib/snnc/libsnnrt.a", "lib/snnc/libsnnrt_main.a",
                 "share/snnc/stdlib/std/neurons.snn", "lib/cmake/snnc/snncConfig.cmake",
                 "lib/cmake/snnc/snncConfigVersion.cmake", "lib/cmake/snnc/snncTargets.cmake"):
        checker.check(need in files, "not installed: %s" % need)
    public = set()
    for folder in PUBLIC_HEADER_DIRS:
        public.update(name for name in os.listdir(os.path.join(source, folder)) if name.endswith(".h"))
    headers = sorted(f for f in files if f.startswith("include/"))
    for header in headers:
        checker.check(os.path.dirname(header) == "include/snn" and os.path.basename(header) in public,
                      "installed header is not public API: %s" % header)
    libraries = sorted(f for f in files if re.search(r"\.(a|so)(\.[0-9.]+)?$", f))
    for library in libraries:
        checker.check(re.fullmatch(r"lib/libsnnc\.so(\.[0-9.]+)?|lib/snnc/libsnnrt(_main|_cuda|_cuda_emulation)?\.a", library),
                      "unexpected library installed: %s" % library)
    checker.note("installed %d files: %d headers, libraries %s" % (len(files), len(headers), libraries))


def check_exports(checker, prefix):
    out = run(["nm", "-D", "-C", "--defined-only", os.path.join(prefix, "lib", "libsnnc.so")],
              prefix, "nm")
    # Lower-case types are LOCAL entries of .dynsym (ld keeps a few, e.g.
    # the digit tables of std::to_string): no other object can bind to them.
    symbols = [line.split(" ", 2)[2] for line in out.splitlines()
               if line.count(" ") >= 2 and not line.split(" ", 2)[1].islower()]
    leaked = [s for s in symbols if any(n in s for n in INTERNAL_NAMES) or not s.startswith(API)]
    checker.check(not leaked, "libsnnc.so exports %d non-API symbols, e.g. %s" % (len(leaked), leaked[:5]))
    for api in ("snn::compile_source(", "snn::Compilation::jit()", "snn::rt::Simulation::advance("):
        checker.check(any(s.startswith(api) for s in symbols), "libsnnc.so does not export %s" % api)
    checker.note("libsnnc.so exports %d symbols" % len(symbols))


def check_embed(checker, cmake, prefix, source, work):
    build = os.path.join(work, "embed-build")
    run([cmake, "-S", os.path.join(source, "examples", "embed"), "-B", build,
         "-DCMAKE_PREFIX_PATH=" + prefix], work, "configuring examples/embed")
    run([cmake, "--build", build], work, "building examples/embed")
    out = run([os.path.join(build, "embed_lif")], work, "embed_lif")
    print(out, end="")
    # examples/embed/embed_lif.cpp: 4 x LIF(i_offset: 15 mV, t_ref: 2 ms), the
    # defaults tau_mem 20 ms, v_rest = v_reset = v(0) = 0, v_th 10 mV; 1000
    # steps of 0.1 ms.
    samples, spikes, _ = expected_trajectory(1000, 20e-3, 0.0, 10 * MV, 0.0, 15 * MV, 2e-3, 0.0)
    match = re.search(r"after (\S+) ms: (\d+) spikes, v\[0\] = (\S+) mV", out)
    if not checker.check(match is not None, "embed_lif printed no result line"):
        return
    t_ms, count, v_mv = float(match.group(1)), int(match.group(2)), float(match.group(3))
    want_v = samples[-1] / MV
    checker.check(abs(t_ms - 100.0) < 1e-9, "embed_lif: time %g ms, expected 100" % t_ms)
    checker.check(count == 4 * len(spikes), "embed_lif: %d spikes, expected 4 x %d (steps %s)"
                  % (count, len(spikes), list(spikes)))
    # float32 state, printed to 6 significant digits.
    checker.check(abs(v_mv - want_v) <= 2e-5 * abs(want_v) + 1e-6,
                  "embed_lif: v[0] = %.9g mV, expected %.9g mV" % (v_mv, want_v))
    checker.note("embed_lif: %d spikes, v[0] = %g mV (analytic %.6g mV)" % (count, v_mv, want_v))


def check_driver(checker, prefix, source, work):
    exe = os.path.join(work, "lif")
    run([os.path.join(prefix, "bin", "snnc"), os.path.join(source, "examples", "lif.snn"), "-o", exe],
        work, "installed snnc")
    out = run([exe], work, "the compiled examples/lif.snn")
    # examples/lif.snn: LIF(tau_mem 10 ms, v_rest = v_reset = 0, v_th 10 mV,
    # i_offset 12 mV, t_ref 2 ms) x 1, 2000 steps of 0.1 ms.
    want_v, want_spikes, _ = expected_trajectory(2000, 10e-3, 0.0, 10 * MV, 0.0, 12 * MV, 2e-3, 0.0)
    rates = e2e.summary_rates(out)
    checker.check(rates.get("cell", (None, None))[1] == len(want_spikes),
                  "lif: summary %s, expected %d spikes of cell" % (rates.get("cell"), len(want_spikes)))
    data = e2e.load_npz(os.path.join(work, "lif_v.npz"))
    v = data.get("cell_v")
    # [examples, steps, neurons]
    if checker.check(v is not None and v.shape == (1, 2000, 1), "lif: no cell_v of shape (1, 2000, 1)"):
        e2e.compare_traces(checker, "lif cell_v", v[0, :, 0], want_v, rtol=1e-5, atol=1e-8)
    spike_t = data.get("cell_spikes_t")
    if checker.check(spike_t is not None, "lif: no cell_spikes_t"):
        checker.check(np.array_equal(np.rint(spike_t / 1e-4).astype(np.int64), want_spikes),
                      "lif: spike steps %s, expected %s" % (spike_t / 1e-4, want_spikes))
    checker.note("installed snnc: examples/lif.snn, %d spikes as expected" % len(want_spikes))


def main():
    args = parse_args()
    checker = e2e.Checker("package")
    stage = os.path.join(args.work, "stage")
    prefix = os.path.join(args.work, "prefix")
    run([args.cmake, "--install", args.build, "--prefix", stage], args.work, "cmake --install")
    os.rename(stage, prefix)  # relocated: nothing may depend on where it was installed
    check_layout(checker, prefix, args.source)
    check_exports(checker, prefix)
    check_embed(checker, args.cmake, prefix, args.source, args.work)
    check_driver(checker, prefix, args.source, args.work)
    checker.finish()


if __name__ == "__main__":
    main()
