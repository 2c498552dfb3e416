#!/usr/bin/env python3
"""Validate every JSON example of the official doc pages against the OpenAPI export.

For every page in --docs (parsed by check_doc_coverage.parse_page, the same reader the
coverage check uses), each fenced block under a 示例 heading is an example:

- a request example is a block holding a `curl` command: its method (`-X`, else POST with a
  body, GET without), its URL and its `-d`/`--data` body. The URL (host, org and app
  dropped, query ignored) picks the export's operation: same method, same number of
  segments, every literal segment of the export's path equal. A JSON body is validated
  against the operation's `application/json` request schema; form bodies and bodies that
  are not JSON are counted apart, not validated.
- a response example is a block under a heading naming 响应 that parses as JSON: it is
  validated against the 200 schema of the last request example above it in the same
  operation section (or the section's `HTTP 请求` line), or against the error schema when it
  is an error body (`error` and no `action`).

Comments (`// ...`, `# ...`) are removed before parsing, since the pages annotate fields.
A block that still is not JSON (a typo of the page) cannot be validated: it is left out of
the share and must be on the allow-list like any other failure. Request examples whose URL
matches no operation and responses without a JSON schema (file downloads) are printed as
NOT VALIDATED.

An example the docs get wrong is listed in --allow (scripts/doc_example_exceptions.txt),
one per line: `page.md:LINE  # reason`, LINE being the block's opening fence as printed.
Listed examples that fail are EXCUSED; listed ones that pass are reported as UNUSED (and
fail the run: the list must stay honest).

Exit status: 0 when the validated share is at least --min (default 98%) and every failure is
excused; 1 otherwise; 2 on unreadable input.
Usage: scripts/check_doc_examples.py --openapi FILE [--docs DIR] [--allow FILE] [--min PCT]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
import urllib.parse

import jsonschema
import referencing
import referencing.jsonschema

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_doc_coverage as docs  # noqa: E402  (the one parser of the doc pages)

ROOT = docs.ROOT
NOT_JSON = "not valid JSON (a typo of the page), so not counted in the share"
CURL_URL = re.compile(r"""(?i)(https?://[^\s'"]+)|['"]((?:[\w\-]+(?:\.[\w\-]+)+(?::\d+)?|\{\w+\})/[^\s'"]*)['"]""")
CURL_METHOD = re.compile(r"(?:^|\s)(?:-X|--request)\s*['\"]?(GET|POST|PUT|DELETE|PATCH)\b")
CURL_DATA = re.compile(r"""(?:-d|--data(?:-raw|-binary)?)\s+(?:'([^']*)'|"((?:[^"\\]|\\.)*)")""", re.S)


def strip_comments(text: str) -> str:
    """Drops `// ...` and `# ...` comments outside strings, and trailing commas."""
    out, in_string, escape, i = [], False, False, 0
    while i < len(text):
        c = text[i]
        if in_string:
            out.append(c)
            escape = c == "\\" and not escape
            if c == '"' and not escape:
                in_string = False
        elif c == '"':
            in_string, escape = True, False
            out.append(c)
        elif text.startswith("//", i) or c == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        else:
            out.append(c)
        if c != "\\":
            escape = escape and c == "\\"
        i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def parse_json(text: str):
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        return json.loads(strip_comments(text))
    except ValueError:
        return None


def url_segments(url: str) -> list[str]:
    path = re.sub(r"^(?i:https?://)?[^/]*", "", url.split("?", 1)[0])
    segments = [urllib.parse.unquote(s) for s in path.split("/") if s]
    return segments[2:]   # org and app


class Export:
    def __init__(self, path: pathlib.Path):
        self.doc = json.loads(path.read_text(encoding="utf-8"))
        resource = referencing.Resource.from_contents(self.doc, default_specification=referencing.jsonschema.DRAFT202012)
        self.registry = referencing.Registry().with_resource("urn:openapi", resource)
        self.routes = []   # (method, segments of the export path, path)
        for path, methods in self.doc["paths"].items():
            for method in methods:
                self.routes.append((method.upper(), [s for s in path.split("/") if s], path))

    def find(self, method: str, segments: list[str]) -> str | None:
        best, score = None, -1
        for m, route, path in self.routes:
            if m != method or len(route) != len(segments):
                continue
            if all("{" in r or r == s for r, s in zip(route, segments)):
                literal = sum("{" not in r for r in route)
                if literal > score:
                    best, score = path, literal
        return best

    def validator(self, pointer: list[str]):
        escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)
        ref = "urn:openapi#/" + urllib.parse.quote(escaped, safe="/~")
        return jsonschema.Draft202012Validator({"$ref": ref}, registry=self.registry)

    def request_schema(self, path: str, method: str):
        op = self.doc["paths"][path][method.lower()]
        if "application/json" not in op.get("requestBody", {}).get("content", {}):
            return None
        return self.validator(["paths", path, method.lower(), "requestBody", "content", "application/json", "schema"])

    def response_schema(self, path: str, method: str, error: bool):
        op = self.doc["paths"][path][method.lower()]
        code = "default" if error else "200"
        if "application/json" not in op["responses"].get(code, {}).get("content", {}):
            return None
        return self.validator(["paths", path, method.lower(), "responses", code, "content", "application/json", "schema"])


def load_allow(path: pathlib.Path) -> dict[str, str]:
    allow = {}
    if not path.exists():
        return allow
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry, _, reason = line.partition("#")
        entry = entry.strip()
        if not entry:
            continue
        if not re.fullmatch(r"[\w.]+\.md:\d+", entry) or not reason.strip():
            print(f"{path.name}:{no}: expected `page.md:LINE  # reason`", file=sys.stderr)
            sys.exit(2)
        allow[entry] = reason.strip()
    return allow


def first_error(validator, value) -> str:
    errors = sorted(validator.iter_errors(value), key=lambda e: len(list(e.absolute_path)))
    if not errors:
        return ""
    best = jsonschema.exceptions.best_match(errors)
    where = "/".join(map(str, best.absolute_path)) or "(root)"
    return f"at {where}: {best.message[:160]}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--openapi", type=pathlib.Path, required=True)
    ap.add_argument("--docs", type=pathlib.Path, default=ROOT.parent / "shared" / "easemob-docs")
    ap.add_argument("--allow", type=pathlib.Path, default=ROOT / "scripts" / "doc_example_exceptions.txt")
    ap.add_argument("--min", type=float, default=98.0, help="lowest share of valid examples, in percent")
    args = ap.parse_args()
    try:
        export = Export(args.openapi)
    except (OSError, ValueError) as e:
        print(f"cannot read the export: {e}", file=sys.stderr)
        return 2
    pages = sorted(p for p in args.docs.glob("*.md") if p.name != "README.md")
    if not pages:
        print(f"no doc pages in {args.docs}", file=sys.stderr)
        return 2
    allow = load_allow(args.allow)
    checked, valid, broken, skipped = 0, 0, 0, {"form or non-JSON body": 0, "no operation": 0}
    failures: list[tuple[str, str, str]] = []   # key, where, message
    unmatched: list[str] = []
    for page in pages:
        blocks: list[docs.Block] = []
        sections = docs.parse_page(page, blocks)
        last: tuple[str, str, str] | None = None   # (operation heading, path, method)
        for block in blocks:
            if not any("示例" in h for h in block.headings):
                continue
            title = " > ".join(block.headings[-3:])
            op_heading = next((h for h in reversed(block.headings) if "示例" not in h and "响应" not in h and "请求" not in h), "")
            key = f"{page.name}:{block.line}"
            if "curl" in block.text:
                command = block.text.replace("\\\n", " ")
                data = CURL_DATA.search(command)
                rest = command[command.index("curl"):]
                if data:   # a URL inside the body is not the request's
                    rest = rest.replace(data.group(0), " ")
                found = CURL_URL.search(rest)
                url = (found.group(1) or found.group(2)) if found else None
                method_match = CURL_METHOD.search(command)
                method = method_match.group(1) if method_match else ("POST" if data else "GET")
                path = export.find(method, url_segments(url)) if url else None
                if not path:
                    skipped["no operation"] += 1
                    unmatched.append(f"{key} {method} {url or '?'} ({title})")
                    last = None
                    continue
                last = (op_heading, path, method)
                if not data:
                    continue
                text = data.group(1) if data.group(1) is not None else data.group(2).encode().decode("unicode_escape")
                body = parse_json(text)
                validator = export.request_schema(path, method)
                looks_json = text.strip().startswith(("{", "["))
                if validator is None or (body is None and not looks_json):
                    skipped["form or non-JSON body"] += 1
                    continue
                problem = first_error(validator, body) if body is not None else NOT_JSON
                where = f"{title} — request {method} {path}"
            elif any("响应" in h for h in block.headings[-2:]):
                value = parse_json(block.text)
                if value is None and not block.text.strip().startswith(("{", "[")):
                    continue
                target = last if last and last[0] == op_heading else None
                if target is None:
                    sec = next((s for s in reversed(sections) if s.line < block.line), None)
                    ep = sec.endpoints[0] if sec and sec.endpoints else None
                    path = export.find(ep.method, [s for s in ep.path.split("/") if s]) if ep else None
                    if not path:
                        skipped["no operation"] += 1
                        unmatched.append(f"{key} response without a request ({title})")
                        continue
                    target = (op_heading, path, ep.method)
                _, path, method = target
                error = isinstance(value, dict) and "error" in value and "action" not in value
                validator = export.response_schema(path, method, error)
                if validator is None:
                    skipped["no operation"] += 1
                    unmatched.append(f"{key} no JSON response schema for {method} {path} ({title})")
                    continue
                problem = first_error(validator, value) if value is not None else NOT_JSON
                where = f"{title} — response of {method} {path}"
            else:
                continue
            checked += problem != NOT_JSON
            broken += problem == NOT_JSON
            if problem:
                failures.append((key, where, problem))
            else:
                valid += 1
                if key in allow:
                    failures.append((key, where, "UNUSED: listed but valid"))
    excused = [f for f in failures if f[0] in allow and not f[2].startswith("UNUSED")]
    unused = [f for f in failures if f[2].startswith("UNUSED")]
    failing = [f for f in failures if f[0] not in allow]
    share = 100.0 * valid / checked if checked else 0.0
    print(f"doc examples: {checked} validated against the export, {valid} valid ({share:.1f}%), "
          f"{len(excused)} excused, {len(failing)} failing; {broken} not JSON; not validated: "
          + ", ".join(f"{n} {what}" for what, n in skipped.items()))
    for key, where, problem in sorted(failing):
        print(f"FAIL {key} {where}: {problem}")
    for key, where, problem in sorted(excused):
        print(f"EXCUSED {key} {where}: {allow[key]}")
    for key, where, _ in sorted(unused):
        print(f"UNUSED exception {key} ({where}): the example is valid; remove it from {args.allow.name}")
    for line in unmatched:
        print(f"NOT VALIDATED {line}")
    ok = share >= args.min and not failing and not unused
    if share < args.min:
        print(f"below the required {args.min:.0f}%")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
