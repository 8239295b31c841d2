"""Checks that test/lit/diagnostics covers every declared diagnostic kind.

Usage: coverage.test.py SOURCE_ROOT. Prints the kinds without a test (and
the tested kinds nobody declares) and exits 1 if there are any.
"""
import os
import re
import sys


def declared_kinds(def_path):
    kinds = []
    with open(def_path, encoding="utf-8") as f:
        for m in re.finditer(r"^DIAGNOSTIC\((\w+),\s*(\w+),", f.read(), re.M):
            ident, severity = m.groups()
            if severity != "Note":
                kinds.append(ident.replace("_", "-"))
    return kinds


def tested_kinds(test_dir):
    """Kinds in brackets after 'error:' or 'warning:' on CHECK lines."""
    found = {}
    for root, dirs, files in os.walk(test_dir):
        dirs[:] = [d for d in dirs if d != "Inputs"]
        for name in files:
            if not name.endswith((".snn", ".snnir", ".test")):
                continue
            path = os.path.join(root, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if not re.search(r"\b[A-Z][A-Z0-9_-]*:", line):
                        continue
                    m = re.search(r"(?:error|warning): .*\[([a-z]+(?:-[a-z]+)*)\]\s*$", line)
                    if m:
                        found.setdefault(m.group(1), path)
    return found


def main():
    root = sys.argv[1]
    kinds = declared_kinds(os.path.join(root, "frontend", "DiagnosticKinds.def"))
    if not kinds:
        print("no DIAGNOSTIC(...) lines found in frontend/DiagnosticKinds.def")
        return 1
    tested = tested_kinds(os.path.join(root, "test", "lit", "diagnostics"))
    untested = [k for k in kinds if k not in tested]
    undeclared = sorted(k for k in tested if k not in kinds)
    for k in untested:
        print("no test in test/lit/diagnostics expects a '[%s]' diagnostic" % k)
    for k in undeclared:
        print("%s expects '[%s]', which DiagnosticKinds.def does not declare" % (tested[k], k))
    if untested or undeclared:
        return 1
    print("%d diagnostic kinds, all tested" % len(kinds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
