#!/usr/bin/env python3
"""Checks that every declared diagnostic kind has a lit test (as Carbon's
diagnostics coverage_test does).

Usage: diagnostic_kind_coverage.py SOURCE_ROOT
       diagnostic_kind_coverage.py --self-test

Reads the kinds from diag/DiagnosticKinds.def and scans every lit test under
test/lit for the diagnostics its check lines expect:
  * an error or warning is tested when a check line expects it with its kind
    in brackets, as snnc prints it: `error: unknown name 'v_m' [unknown-name]`;
  * a note (printed without a kind, as clang prints notes) is tested when a
    check line expects `note: ` and its whole message, matched against the
    note's format string.
Check lines are FileCheck directives of any prefix (CHECK, IR, NONE, ...),
except the -NOT ones, which expect a diagnostic not to appear.

Fails when a declared kind is neither tested nor in UNTESTED below (each with
its reason), when UNTESTED names a kind that is tested or not declared, and
when a test expects a kind that is not declared.
"""
import os
import re
import shutil
import sys
import tempfile

# Kinds no lit test can trigger, and why. Keep it short and honest: a kind
# that a test could reach belongs in a test, not here.
UNTESTED = {
    "syntax-error": "ANTLR's own message, for errors without an offending token; "
    "the error listener is only on the parser, which always passes one",
    "non-constant-value": "defensive: constants are lowered without names, random draws or stimulus(), "
    "and simplify folds every operator and function on constants",
    "temporary-file-error": "needs mkstemps to fail in /tmp, which a test cannot arrange without root-only tricks",
    "jit-failed": "needs LLVM's ORC JIT to fail on a module the backend built (an internal failure)",
    "toolchain-failed": "its message ends with the tool's own multi-line log (nvcc's), so no one line holds "
    "both 'error:' and the kind; driver/target-cuda-ptx.snn (REQUIRES: nvcc) checks both parts",
    "out-of-memory": "needs the runtime's allocation of a network to fail; a test would exhaust the machine's memory",
    "malformed-command-line": "defensive: snnc's options all take strings and are optional, and a flag given a "
    "value is caught before CLI11 parses, so CLI11 2.1 throws no ParseError; a later CLI11 that does still exits 1",
}

LIT_SUFFIXES = (".snn", ".snnir", ".test")  # test/lit/lit.cfg.py's config.suffixes
NOT_CHECKS = ("RUN", "REQUIRES", "UNSUPPORTED", "XFAIL", "ALLOW_RETRIES", "END")
DIRECTIVE = re.compile(r"(?:^|[\s/#;*])([A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*):(?:\s|$)")
BRACKETED = re.compile(r"\b(?:error|warning): .*\[([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\]")
DEF_LINE = re.compile(r'^DIAGNOSTIC\(\s*(\w+)\s*,\s*(\w+)\s*,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)\)', re.M)


class Kind:
    def __init__(self, ident, severity, fmt):
        self.ident = ident
        self.severity = severity
        self.format = fmt
        name = ident[5:] if ident.startswith("note_") else ident
        self.name = name.replace("_", "-")

    def message_regex(self):
        """The messages the format can produce: its text, fields as '.*'."""
        out, i, f = "", 0, self.format
        while i < len(f):
            if f.startswith("{{", i) or f.startswith("}}", i):
                out += re.escape(f[i])
                i += 2
            elif f[i] == "{":
                close = f.index("}", i)
                out += ".*"
                i = close + 1
            else:
                out += re.escape(f[i])
                i += 1
        return re.compile(out + r"\s*(?:\{\{\$\}\})?\s*$")


def declared_kinds(def_path):
    with open(def_path, encoding="utf-8") as f:
        text = f.read()
    kinds = []
    for m in DEF_LINE.finditer(text):
        ident, severity, literals = m.groups()
        fmt = "".join(bytes(s, "utf-8").decode("unicode_escape") for s in re.findall(r'"((?:[^"\\]|\\.)*)"', literals))
        kinds.append(Kind(ident, severity, fmt))
    return kinds


def check_lines(test_dir):
    """(path, line number, text after the directive) of every positive check."""
    for root, dirs, files in os.walk(test_dir):
        dirs[:] = sorted(d for d in dirs if d != "Inputs")
        for name in sorted(files):
            if not name.endswith(LIT_SUFFIXES):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for number, line in enumerate(f, 1):
                    m = DIRECTIVE.search(line)
                    if not m:
                        continue
                    prefix = m.group(1)
                    if prefix in NOT_CHECKS or prefix.endswith("-NOT"):
                        continue
                    yield path, number, line[m.end():].strip()


def tested_kinds(kinds, test_dir):
    """Maps kind name -> 'path:line' of the first check that expects it; an
    undeclared bracketed kind is recorded too, to be reported."""
    notes = [k for k in kinds if k.severity == "Note"]
    regexes = {k.name: k.message_regex() for k in notes}
    found = {}
    for path, number, text in check_lines(test_dir):
        where = "%s:%d" % (path, number)
        m = BRACKETED.search(text)
        if m:
            found.setdefault(m.group(1), where)
        n = re.search(r"\bnote: (.*)$", text)
        if n:
            for name, regex in regexes.items():
                if regex.match(n.group(1)):
                    found.setdefault(name, where)
    return found


def check(root, untested):
    """Prints what is wrong; returns the number of problems."""
    def_path = os.path.join(root, "diag", "DiagnosticKinds.def")
    kinds = declared_kinds(def_path)
    if not kinds:
        print("no DIAGNOSTIC(...) lines in %s" % def_path)
        return 1
    names = [k.name for k in kinds]
    tested = tested_kinds(kinds, os.path.join(root, "test", "lit"))
    problems = []
    for name in sorted(set(n for n in names if names.count(n) > 1)):
        problems.append("kind '%s' is declared more than once" % name)
    for k in kinds:
        if k.name not in tested and k.name not in untested:
            problems.append("no lit test expects '%s' (%s); add one, or list it in UNTESTED with the reason"
                            % (k.name, k.severity.lower()))
    for name, reason in sorted(untested.items()):
        if name not in names:
            problems.append("UNTESTED names '%s', which DiagnosticKinds.def does not declare" % name)
        elif name in tested:
            problems.append("UNTESTED names '%s', but %s tests it: remove it from the list" % (name, tested[name]))
        if not reason.strip():
            problems.append("UNTESTED gives no reason for '%s'" % name)
    for name, where in sorted(tested.items()):
        if name not in names:
            problems.append("%s expects '[%s]', which DiagnosticKinds.def does not declare" % (where, name))
    for p in problems:
        print(p)
    if not problems:
        print("%d diagnostic kinds: %d tested by lit tests, %d untested (listed with reasons)"
              % (len(kinds), len([n for n in names if n in tested]), len(untested)))
    return len(problems)


def self_test():
    """The checker on small fake trees: it must pass the good one and catch
    each kind of problem."""
    def tree(def_text, tests):
        root = tempfile.mkdtemp(prefix="snn-coverage-")
        os.makedirs(os.path.join(root, "diag"))
        os.makedirs(os.path.join(root, "test", "lit", "Inputs"))
        with open(os.path.join(root, "diag", "DiagnosticKinds.def"), "w") as f:
            f.write(def_text)
        for name, text in tests.items():
            with open(os.path.join(root, "test", "lit", name), "w") as f:
                f.write(text)
        return root

    good_def = ('DIAGNOSTIC(unknown_name, Error, "unknown name \'{}\'")\n'
                'DIAGNOSTIC(too_big, Error,\n           "too big: {} > {}")\n'
                'DIAGNOSTIC(note_did_you_mean, Note, "did you mean \'{}\'?")\n')
    good_test = ("// CHECK: a.snn:1:2: error: unknown name 'x' [unknown-name]\n"
                 "// CHECK-NEXT: note: did you mean 'y'?\n")
    cases = [
        # (description, def, tests, untested, expected to pass)
        ("all tested or listed", good_def, {"a.snn": good_test}, {"too-big": "why"}, True),
        ("a kind without a test", good_def, {"a.snn": good_test}, {}, False),
        ("a listed kind that is tested", good_def, {"a.snn": good_test},
         {"too-big": "why", "unknown-name": "why"}, False),
        ("a listed kind that is not declared", good_def, {"a.snn": good_test},
         {"too-big": "why", "gone": "why"}, False),
        ("a listed kind without a reason", good_def, {"a.snn": good_test}, {"too-big": " "}, False),
        ("a tested kind that is not declared", good_def,
         {"a.snn": good_test + "// CHECK: error: bad [no-such-kind]\n"}, {"too-big": "why"}, False),
        ("a CHECK-NOT is no test", good_def,
         {"a.snn": good_test.replace("CHECK:", "CHECK-NOT:")}, {"too-big": "why"}, False),
        ("a RUN line is no test", good_def,
         {"a.snn": "// RUN: FileCheck --implicit-check-not='error: x [unknown-name]'\n"
                   "// CHECK-NEXT: note: did you mean 'y'?\n"}, {"too-big": "why"}, False),
        ("a note's other text is no test of it", good_def,
         {"a.snn": good_test.replace("did you mean", "did you see")}, {"too-big": "why"}, False),
        ("tests under Inputs/ do not count", good_def,
         {"Inputs/a.snn": good_test}, {"too-big": "why"}, False),
        ("other prefixes and .test files count", good_def,
         {"b.test": "# IR: x error: unknown name 'x' [unknown-name]\n# IR-NEXT: note: did you mean '{{.*}}'?\n"},
         {"too-big": "why"}, True),
        ("no kinds declared", "", {"a.snn": good_test}, {}, False),
    ]
    failures = 0
    for description, def_text, tests, untested, should_pass in cases:
        root = tree(def_text, tests)
        try:
            with open(os.devnull, "w") as devnull:
                stdout, sys.stdout = sys.stdout, devnull
                try:
                    passed = check(root, untested) == 0
                finally:
                    sys.stdout = stdout
        finally:
            shutil.rmtree(root)
        if passed != should_pass:
            failures += 1
            print("self-test failed: %s: expected %s" % (description, "a pass" if should_pass else "a failure"))
    print("%d self-test cases, %d failed" % (len(cases), failures))
    return 1 if failures else 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    return 1 if check(sys.argv[1], UNTESTED) else 0


if __name__ == "__main__":
    sys.exit(main())
