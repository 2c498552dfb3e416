#!/usr/bin/env python3
"""Builds the loader probe cases of RELIABILITY.md (Spec loader) and measures how the spec
loader takes each one: exit status, wall time, peak memory and the number of problems.

    python3 scripts/loader_probe.py [XTASK [FILTER]]   # default: target/debug/xtask, every case

Each case is a copy of spec/ with one hostile or broken change, in a temporary folder; it
is loaded with `XTASK diff CASE spec` (the diff loads CASE first and stops at its
problems). Memory is capped at 8 GB (ulimit -v) so that a runaway case fails instead of
taking the machine down. Needs /usr/bin/time (GNU time).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "spec")


def bomb(indent):
    pad = " " * indent
    lol = '"' + "lol" * 100 + '"'
    lines = [pad + "a0: &a0 [" + ",".join([lol] * 9) + "]"]
    for i in range(1, 9):
        lines.append(pad + f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def extra(name, text):
    def apply(d):
        with open(os.path.join(d, name), "wb" if isinstance(text, bytes) else "w") as f:
            f.write(text)
    return apply


def edit(name, change):
    def apply(d):
        path = os.path.join(d, name)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(change(data))
    return apply


def bomb_in_example(data):
    text = data.decode()
    start = text.index("\n        request: {") + 1
    end = text.index("\n", start) + 1
    return (text[:start] + "        request:\n" + bomb(10) + text[end:]).encode()


def chain(n):
    parts = ["models:"]
    for i in range(n):
        parts.append(f"  M{i}:\n    doc: m\n" + (f"    extends: M{i-1}\n" if i else "") + f"    fields:\n      f{i}: {{type: string, doc: \"x\"}}")
    return "\n".join(parts) + "\n"


def chains(n, depth):
    parts = ["models:"]
    for i in range(n):
        parent = f"    extends: C{i-1}\n" if i % depth else ""
        parts.append(f"  C{i}:\n    doc: c\n{parent}    fields:\n      c{i}: {{type: string, doc: \"x\"}}")
    return "\n".join(parts) + "\n"


def huge():
    parts, size, i = ["models:"], 0, 0
    while size < 50_000_000:
        s = f"  Big{i}:\n    doc: big model number {i}\n    fields:\n      a: {{type: string, doc: \"a field {i}\"}}\n      b: {{type: integer, doc: \"another field\"}}\n"
        parts.append(s)
        size += len(s)
        i += 1
    return "\n".join(parts)


def insert_after(marker, inserted):
    return lambda data: data.replace(marker, marker + inserted, 1)


CASES = {
    "deep nesting (10,000 block mappings, 50 MB)": extra("zz_deep.yaml", "models:\n  Deep:\n    doc: d\n    fields:\n" + "".join(" " * (6 + i) + f"k{i}:\n" for i in range(10000)) + " " * 10006 + "v: 1\n"),
    "deep nesting (1,500 block mappings, 1.1 MB)": extra("zz_deep.yaml", "models:\n  Deep:\n    doc: d\n    fields:\n" + "".join(" " * (6 + i) + f"k{i}:\n" for i in range(1500)) + " " * 1506 + "v: 1\n"),
    "deep nesting (10,000 flow mappings, 40 KB)": extra("zz_deep.yaml", "models:\n  Deep:\n    doc: d\n    fields: " + "{a: " * 10000 + "1" + "}" * 10000 + "\n"),
    "alias bomb in its own file (3.3 KB)": extra("zz_bomb.yaml", "operations:\n  bomb:\n    group: b\n    name_zh: b\n    summary: b\n    docs: b.html#b\n    method: GET\n    path: /b\n    response: {body: json}\n    examples:\n      - response:\n" + bomb(10)),
    "alias bomb inside an example of messages.yaml": edit("messages.yaml", bomb_in_example),
    "2,000 chained extends": extra("zz_extends.yaml", chain(2000)),
    "2,000 models in chains 16 deep (valid)": extra("zz_chains.yaml", chains(2000, 16)),
    "50 MB file": extra("zz_huge.yaml", huge()),
    "tab after a colon, and a missing key": edit("users.yaml", lambda d: d.replace(b"\n    group: users", b"\n    group:\tusers", 1).replace(b"    summary: Register one user account.\n", b"", 1)),
    "invalid UTF-8": edit("users.yaml", lambda d: d.replace(b"summary: ", b"summary: \xff\xfe", 1)),
    "one broken line in easemob.yaml": edit("easemob.yaml", lambda d: d.replace(b"  ResponseEnvelope:\n", b"  ResponseEnvelope: [\n", 1)),
}


def main():
    xtask = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/xtask")
    with tempfile.TemporaryDirectory() as tmp:
        only = sys.argv[2] if len(sys.argv) > 2 else ""
        for name, apply in CASES.items():
            if only not in name:
                continue
            case = os.path.join(tmp, "case")
            shutil.rmtree(case, ignore_errors=True)
            shutil.copytree(SPEC, case, ignore=shutil.ignore_patterns("*.json", "*.md"))
            apply(case)
            command = f"ulimit -v 8000000; /usr/bin/time -v timeout 300 {xtask} diff {case} {SPEC}"
            run = subprocess.run(["bash", "-c", command], capture_output=True, text=True, errors="replace")
            err = run.stderr
            seconds = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err)
            rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
            status = re.search(r"Exit status: (\d+)", err)
            signal = re.search(r"Command terminated by signal (\d+)", err)
            problems = re.search(r"error: the spec has (\d+) problem", err)
            first = next((l for l in err.splitlines() if l.startswith("error: ")), "")
            located = next((l.strip() for l in err.splitlines() if l.startswith("  --> ")), "no location")
            outcome = f"signal {signal.group(1)}" if signal else f"exit {status.group(1) if status else '?'}"
            print(f"{name}: {outcome}, {seconds.group(1) if seconds else '?'} s, {int(rss.group(1)) // 1024 if rss else '?'} MB, "
                  f"{problems.group(1) if problems else 0} problems; first: {first[:110]} {located}")


if __name__ == "__main__":
    main()
