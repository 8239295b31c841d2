"""Checks docs/language.md (see language-doc.test).

Usage: language-doc.test.py --snnc SNNC --root SOURCE_ROOT --work DIR
"""
import argparse
import os
import re
import subprocess
import sys

MIN_EXAMPLES = 5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--snnc", required=True)
    parser.add_argument("--root", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()
    text = open(os.path.join(args.root, "docs", "language.md"), encoding="utf-8").read()
    failures = []

    blocks = re.findall(r"```snn\n(.*?)```", text, re.S)
    examples = [b for b in blocks if b.startswith("// example: ")]
    for block in examples:
        name = block.splitlines()[0][len("// example: "):].strip()
        path = os.path.join(args.work, name.replace(" ", "_") + ".snn")
        with open(path, "w", encoding="utf-8") as f:
            f.write(block)
        proc = subprocess.run([args.snnc, "--emit=ir", path, "-o", path + ".ir"], capture_output=True, text=True,
                              timeout=120)
        if proc.returncode != 0 or "error:" in proc.stderr:
            failures.append("example '%s' does not compile (exit %d):\n%s" % (name, proc.returncode, proc.stderr))

    # Tests named as `dir/file.snn` (under test/lit) or test/e2e/....py.
    named = set(re.findall(r"`((?:ast|ir|driver|llvm|passes|diagnostics)/[\w*.-]+)`", text))
    named |= set(re.findall(r"`(test/[\w/.-]+\.py)`", text))
    for ref in sorted(named):
        path = os.path.join(args.root, ref) if ref.startswith("test/") else os.path.join(args.root, "test", "lit", ref)
        if "*" in ref:
            prefix = os.path.basename(path).split("*")[0]
            found = [f for f in os.listdir(os.path.dirname(path)) if f.startswith(prefix)]
            if not found:
                failures.append("no test matches %s" % ref)
        elif not os.path.isfile(path):
            failures.append("the page names %s, which does not exist" % ref)

    sections = len(re.findall(r"^## ", text, re.M))
    if len(examples) < MIN_EXAMPLES:
        failures.append("only %d examples found (the page has %d sections)" % (len(examples), sections))
    for f in failures:
        print("FAIL: " + f)
    print("%d examples compiled, %d named tests checked, %d failure(s)" % (len(examples), len(named), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
