"""e2e: runs are reproducible.

examples/cuba.snn (random connectivity, random initial voltages) compiled
once:
  * two runs with --seed 12345 give byte-identical spike arrays (same dtype,
    shape and bytes), byte-identical NPZ files and the same synapse count;
  * the default seed run equals --seed <the default seed shown by --help>;
  * --seed 12346 gives different spikes (the seed reaches the network);
  * `snnc --run` (in-process JIT) with the default seed gives the same bytes
    as the compiled executable.
"""

import os
import re
import shutil
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402


def extra(parser):
    parser.add_argument("--model", default=os.path.join(e2e.SOURCE_ROOT, "examples", "cuba.snn"),
                        help="path of examples/cuba.snn")


def written_files(stdout):
    return [line[len("wrote "):] for line in stdout.splitlines() if line.startswith("wrote ")]


def synapse_count(stdout):
    match = re.search(r"(\d+) synapses", stdout)
    return int(match.group(1)) if match else None


def run(exe_argv, work, tag, extra_args=()):
    """Runs and moves every written NPZ to <tag>_<name>; returns (arrays, raw
    bytes by file, stdout)."""
    proc = e2e.run_process(list(exe_argv) + list(extra_args), cwd=work, timeout=120)
    if proc.returncode != 0:
        print(proc.stdout, proc.stderr)
        e2e.setup_error("%s exited with %d" % (" ".join(exe_argv), proc.returncode))
    arrays, raw = {}, {}
    files = written_files(proc.stdout)
    if not files:
        e2e.setup_error("%s wrote no NPZ file:\n%s" % (" ".join(exe_argv), proc.stdout))
    for name in files:
        source = os.path.join(work, name)
        target = os.path.join(work, "%s_%s" % (tag, os.path.basename(name)))
        shutil.move(source, target)
        with open(target, "rb") as f:
            raw[name] = f.read()
        for key, value in e2e.load_npz(target).items():
            arrays[name + ":" + key] = value
    return arrays, raw, proc.stdout


def identical(a, b):
    if sorted(a) != sorted(b):
        return False
    return all(a[k].dtype == b[k].dtype and a[k].shape == b[k].shape
               and a[k].tobytes() == b[k].tobytes() for k in a)


def main():
    args = e2e.parse_args(__doc__.splitlines()[0], extra)
    checker = e2e.Checker("e2e_determinism")
    model = os.path.abspath(args.model)
    exe = e2e.compile_model(args.snnc, model, args.work, "cuba")

    first, first_raw, first_out = run([exe], args.work, "a", ["--seed", "12345"])
    second, second_raw, second_out = run([exe], args.work, "b", ["--seed", "12345"])
    spikes = [k for k in first if "_spikes_" in k]
    checker.check(spikes, "no spike arrays in %s" % sorted(first))
    checker.note("same seed: comparing %s (%s spikes)"
                 % (", ".join(spikes), ", ".join(str(first[k].size) for k in spikes
                                                 if k.endswith("_t"))))
    if not identical(first, second):
        for key in sorted(set(first) | set(second)):
            a, b = first.get(key), second.get(key)
            if a is None or b is None or a.shape != b.shape or a.tobytes() != b.tobytes():
                checker.check(False, "--seed 12345 twice: %s differs (%s vs %s)"
                              % (key, None if a is None else a.shape,
                                 None if b is None else b.shape))
    checker.check(first_raw == second_raw, "--seed 12345 twice: the NPZ files differ in bytes")
    checker.check(synapse_count(first_out) == synapse_count(second_out),
                  "--seed 12345 twice: %s vs %s synapses"
                  % (synapse_count(first_out), synapse_count(second_out)))

    other, _, other_out = run([exe], args.work, "c", ["--seed", "12346"])
    checker.check(not identical(first, other), "--seed 12346 gives the same spikes as 12345")

    help_text = e2e.run_model(exe, args.work, ["--help"]).stdout
    match = re.search(r"default seed (\d+)", help_text)
    if checker.check(match is not None, "--help shows no default seed:\n%s" % help_text):
        default, default_raw, _ = run([exe], args.work, "d")
        explicit, _, _ = run([exe], args.work, "e", ["--seed", match.group(1)])
        checker.check(identical(default, explicit), "the default run differs from --seed %s"
                      % match.group(1))
        jit, jit_raw, _ = run([args.snnc, "--run", model], args.work, "jit")
        checker.check(identical(default, jit), "snnc --run gives other spikes than the "
                      "compiled executable")
        checker.check(default_raw == jit_raw, "snnc --run writes other NPZ bytes than the "
                      "compiled executable")
    checker.finish()


if __name__ == "__main__":
    main()
