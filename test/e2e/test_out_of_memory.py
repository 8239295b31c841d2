#!/usr/bin/python3
"""An allocation that fails names what it was for and how much it asked
(runtime/lib/OutOfMemory.h), and the run exits 1.

The executables run with their address space limited (RLIMIT_AS, 600 MiB),
so that models whose memory fits the machine (the up-front check against
physical memory passes) fail to allocate, deterministically:

1. a population of 2^27 neurons: its state buffers (512 MiB each in float);
2. a dense projection of 16384 x 16384 neurons: its synapse lists (1 GiB);
3. a recording of 2000 neurons for 100000 steps (1.49 GiB of doubles).
Each must print one line "error: out of memory: <size> for <what> could not
be allocated" with the right size and name, and exit 1. Controls: the
buffer and synapse models run for one step without the limit, and the
recording 100 times shorter runs under it, so the failures come from the
limit and not from the models.

Skipped in a sanitized build (ASan reserves terabytes of address space, so
it cannot run under RLIMIT_AS).
"""
import os
import re
import resource
import subprocess

from e2e_common import Checker, compile_model, parse_args, skip

LIMIT = 600 << 20

CASES = [
    ("buffer", """
import std.neurons.LIF
network N { population cell = LIF x 134217728 }
simulate N { dt = 0.1 ms;  duration = DURATION }
""", r"error: out of memory: (512|128) MiB for buffer 'cell\.[a-z_]+' could not be allocated"),
    ("synapses", """
import std.neurons.LIF
network N {
  population a = LIF x 16384
  population b = LIF x 16384
  connect a -> b : dense, weight 0.1 mV
}
simulate N { dt = 0.1 ms;  duration = DURATION }
""", r"error: out of memory: 1(\.0+)? GiB for the synapses of projection 'a -> b\.i' could not be allocated"),
    ("recording", """
import std.neurons.LIF
network N { population cell = LIF x 2000 }
simulate N {
  dt = 0.1 ms;  duration = DURATION
  record cell.v to "v.npz"
}
""", r"error: out of memory: 1\.49 GiB for the recording of 'cell\.v' \(2000 neurons, 100000 steps\) could not be allocated"),
]


def limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def main():
    args = parse_args(__doc__.splitlines()[0])
    if os.environ.get("SNN_SANITIZED"):
        skip("a sanitized build cannot run under RLIMIT_AS")
    checker = Checker("out_of_memory")
    for name, text, expected in CASES:
        model = os.path.join(args.work, name + ".snn")
        with open(model, "w") as f:
            f.write(text.replace("DURATION", "10 s"))
        exe = compile_model(args.snnc, model, args.work, name)
        proc = subprocess.run([exe], cwd=args.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=120, preexec_fn=limited)
        lines = proc.stderr.strip().splitlines()
        checker.check(proc.returncode == 1, "%s: exit %d, expected 1" % (name, proc.returncode))
        checker.check(len(lines) == 1 and re.fullmatch(expected, lines[0]) is not None,
                      "%s: stderr %r does not match %r" % (name, proc.stderr, expected))
        checker.note("%s: %s" % (name, lines[0] if lines else "(no message)"))
        # Control: the same allocations succeed without the limit (a 1-step
        # run); a recording 100 times shorter succeeds under it.
        short = os.path.join(args.work, name + "_short.snn")
        with open(short, "w") as f:
            f.write(text.replace("DURATION", "0.1 s" if name == "recording" else "0.1 ms"))
        control = compile_model(args.snnc, short, args.work, name + "_short")
        proc = subprocess.run([control], cwd=args.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=300, preexec_fn=limited if name == "recording" else None)
        checker.check(proc.returncode == 0, "%s control: exit %d: %s" % (name, proc.returncode, proc.stderr.strip()))
    checker.finish()


if __name__ == "__main__":
    main()
