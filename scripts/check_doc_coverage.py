#!/usr/bin/env python3
"""Check that spec/*.yaml covers every endpoint, parameter and field of the official doc pages.

What a clean run proves, for every `HTTP 请求` section of every page in --docs:

1. ENDPOINTS. Each request line of the fenced block directly under the `HTTP 请求` heading
   (or the `方法：` and `接入点：` lines under a `基本信息` heading, as callback.md writes them)
   (`METHOD https://{host}/{org_name}/{app_name}/PATH?query`; several lines or several
   blocks per section are allowed) has a spec operation with the same method and path shape.
   The shape drops the host, the first two segments when both are placeholders (the
   /{org_name}/{app_name} or /{org}/{app} prefix) and the query string, and turns every
   segment holding a placeholder (`{id}`, `${time}`, `{member1}(,{member2},…)`) into `{}`.
   Literal segments must be equal. Operations sharing a shape (variants) count together.
2. PARAMETERS. Every row of the section's 路径参数 / 查询参数 / 请求 header tables, and every
   query key written in the request line, except host, org_name, app_name, Content-Type,
   Accept and Authorization, is a parameter (any `in`) of a matching operation or a field of
   its request body (the docs sometimes file body fields as parameters). A path-parameter
   row named like a placeholder of the documented URL is covered by the shape match itself,
   since doc and spec name placeholders differently.
3. FIELDS. Every row of the 请求 body / 请求体 tables is a field of some model reachable
   from a matching operation's request body, and every row of the 响应 body / 响应体 /
   HTTP 响应 tables one reachable from its response body. Reachable means: the body (a type
   expression or an inline model), then `extends` and every field type, through [T] and {T},
   transitively. Names compare exactly, anywhere in the reachable models (the docs' nesting
   is too loose to compare paths). Nested rows (`- uuid`, `  - uuid`) and dotted rows
   (`data.url`) check each of their own segments; below a field typed `json` or a map {T}
   the keys are free, so nothing under such a field is checked; the same holds for every row
   when the body itself is `json` or a map (form bodies of free key/value pairs). Rows whose
   name holds a placeholder (`<...>`, `{...}`, `*`) are dynamic keys: skipped, not counted.

4. EVENTS. Every row of a callback event table (a table whose first header cell is 事件,
   as callback_configurations.md lists the events its filter rules name) is a spec event
   of `callbacks.events`: a row `muc:create` with `{"operation":"create"}` needs an event
   whose `when` has `chat_type` `muc` (the part before the colon, when it is a chat_type
   some event uses; chat room messages travel as `groupchat`) and a condition on a field
   named `operation` accepting `create`. Message rows (`chat:txt`, a body type) are
   covered by the event of their chat_type, as the body type is a field of its payload,
   not an event of its own; a row without payload type (`muc`, `recall`) is a category
   when other rows share its prefix, else it needs an event with that chat_type.

Tables are classified by the nearest heading above them; tables under any other heading
(公共参数, 示例, descriptive subsections) are ignored. A section ends at the next `HTTP 请求`
heading, at a heading of a higher level than its own, or at a same-level heading that is
neither a table heading above nor an example (示例) heading. Rows of a section whose endpoint has
no matching operation are not counted (the endpoint is reported instead).

Known gaps that are the doc's fault (wrong name, literal id in a dynamic key) are listed in
scripts/doc_coverage_exceptions.txt, one per line: `page.md KIND NAME-or-PATH  # reason`,
KIND being endpoint, param or field, NAME as printed in the MISSING line (for an endpoint
the path, optionally preceded by the method). They are reported as EXCUSED.

Exit status: 0 when nothing is missing, 1 when something is, 2 on unreadable input (a
missing or empty --docs folder is unreadable input: the check fails rather than skip).
Usage: scripts/check_doc_coverage.py [--docs DIR] [--spec DIR] [--exceptions FILE]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
from dataclasses import dataclass, field

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
STANDARD = {"host", "org_name", "app_name", "content-type", "accept", "authorization"}
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
BASIC_METHOD = re.compile(r"^\s*方法[：:]\s*`(GET|POST|PUT|DELETE|PATCH)`")
BASIC_PATH = re.compile(r"^\s*接入点[：:]\s*`([^`]+)`")
REQUEST_LINE = re.compile(r"^\s*(GET|POST|PUT|DELETE|PATCH)\s+(https?://\S+)")
IDENT = re.compile(r"[A-Za-z_][\w.\-]*")
DYNAMIC = re.compile(r"[<{}>*]")
KINDS = ("endpoint", "param", "field", "event")
# Chat room messages come with chat_type groupchat (callback_configurations.md, 公共参数).
CHAT_TYPE_OF = {"chatroom": "groupchat"}
ROOT_KEY = ""   # pseudo field name holding the type expression of the body itself


# ---------------------------------------------------------------- spec side

def load_events(spec_dir: pathlib.Path) -> list[dict[str, list]]:
    """The `when` of every spec event: dotted path -> accepted values."""
    events = []
    for path in sorted(spec_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for event in ((data.get("callbacks") or {}).get("events") or {}).values():
            events.append({k: v if isinstance(v, list) else [v] for k, v in event["when"].items()})
    return events


def event_rows(path: pathlib.Path) -> list[tuple[int, str, dict[str, str]]]:
    """(line, event name, payload conditions) of every row of the page's event tables."""
    rows, in_table = [], False
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.lstrip().startswith("|"):
            in_table = False
            continue
        cells = [c.strip().strip("`").strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "事件":
            in_table = True
        elif in_table and cells[0] and not set(cells[0]) <= set("-: "):
            text = re.sub("[“”\"]", '"', cells[1] if len(cells) > 1 else "").strip("` ")
            try:
                payload = json.loads(text) if text.startswith("{") else {}
            except ValueError:
                payload = {}
            flat: dict[str, str] = {}
            stack = [("", payload)]
            while stack:
                prefix, value = stack.pop()
                for key, inner in value.items():
                    if isinstance(inner, dict):
                        stack.append((prefix + key + ".", inner))
                    else:
                        flat[prefix + key] = inner
            rows.append((no, cells[0], flat))
    return rows


def event_found(name: str, payload: dict[str, str], prefixes: set[str], events: list[dict[str, list]]) -> bool:
    prefix = name.split(":")[0]
    chat_types = {v for e in events for v in e.get("chat_type", [])}
    chat_type = CHAT_TYPE_OF.get(prefix, prefix)
    conditions = {k: v for k, v in payload.items() if not k.startswith("bodies.")}
    if ":" not in name and not payload and name in prefixes:
        return True   # a category row: `muc` stands for every `muc:*` row
    for event in events:
        if chat_type in chat_types and chat_type not in event.get("chat_type", []):
            continue
        if chat_type not in chat_types and not conditions:
            continue
        if all(any(path.split(".")[-1] == key and value in values for path, values in event.items())
               for key, value in conditions.items()):
            return True
    return False


def shape(path: str) -> str:
    """`/users/{username}` -> `/users/{}`: placeholders become wildcards."""
    segments = [s for s in path.split("/") if s]
    return "/" + "/".join("{}" if "{" in s else s for s in segments)


@dataclass
class Operation:
    op_id: str
    file: str
    method: str
    shape: str
    params: set[str]
    request: dict[str, set[str]]   # field name -> type expressions, reachable from the body
    response: dict[str, set[str]]


def reachable_fields(body, models: dict) -> dict[str, set[str]]:
    """Every field name reachable from a body (type expression or inline model)."""
    names: dict[str, set[str]] = {}
    seen: set[str] = set()

    def visit_type(expr) -> None:
        base = str(expr).strip("[]{}")
        if base in models and base not in seen:
            seen.add(base)
            visit_model(models[base])

    def visit_model(model: dict) -> None:
        if model.get("extends"):
            visit_type(model["extends"])
        for name, spec in (model.get("fields") or {}).items():
            names.setdefault(str(name), set()).add(str(spec.get("type", "")))
            visit_type(spec.get("type", ""))

    if isinstance(body, dict):
        visit_model(body)
    elif body is not None:
        names[ROOT_KEY] = {str(body)}   # a json or map body leaves every name free
        visit_type(body)
    return names


def load_spec(spec_dir: pathlib.Path) -> list[Operation]:
    raw_ops, models = [], {}
    for path in sorted(spec_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        models.update(data.get("models") or {})
        raw_ops += [(path.name, op_id, op) for op_id, op in (data.get("operations") or {}).items()]
    ops = []
    for file, op_id, op in raw_ops:
        ops.append(Operation(
            op_id, file, str(op.get("method", "")).upper(), shape(str(op.get("path", ""))),
            set(map(str, op.get("params") or {})),
            reachable_fields((op.get("request") or {}).get("body"), models),
            reachable_fields((op.get("response") or {}).get("body"), models)))
    return ops


# ---------------------------------------------------------------- doc side

@dataclass
class Endpoint:
    line: int
    method: str
    path: str          # without host, org/app prefix and query
    shape: str
    placeholders: set[str]
    query: list[str]   # query keys written in the request line


@dataclass
class Row:
    line: int
    kind: str          # param | request | response
    name: str          # as shown in reports (dotted full path for fields)
    own: list[str]     # the segments this row documents
    parents: list[str]  # segments of the enclosing rows


@dataclass
class Block:
    """A fenced code block, with the headings it sits under (outermost first)."""
    page: str
    line: int
    lang: str
    text: str
    headings: list[str]


@dataclass
class Section:
    page: str
    line: int
    level: int
    endpoints: list[Endpoint] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


def parse_request_line(line_no: int, method: str, url: str) -> Endpoint:
    path, _, query = url.partition("?")
    segments = [s for s in re.sub(r"^https?://[^/]*", "", path).split("/") if s]
    if len(segments) >= 2 and "{" in segments[0] and "{" in segments[1]:
        segments = segments[2:]
    placeholders = {n for s in segments for n in re.findall(r"\{\s*(\w+)\s*\}", s)}
    keys = [kv.split("=", 1)[0].strip() for kv in query.split("&") if kv.strip()]
    rel = "/" + "/".join(segments)
    return Endpoint(line_no, method, rel, shape(rel), placeholders, [k for k in keys if k])


def classify(heading: str) -> str | None:
    """Which kind of table a heading introduces (None: tables under it are ignored)."""
    h = heading.lower()
    if any(k in h for k in ("路径参数", "查询参数", "请求 header", "请求header", "请求头")):
        return "param"
    if any(k in h for k in ("请求 body", "请求body", "请求体")):
        return "request"
    if any(k in h for k in ("响应 body", "响应body", "响应体", "http 响应")):
        return "response"
    return None


def first_cell(line: str) -> str:
    body = line.strip()[1:]  # drop the leading pipe
    return re.split(r"(?<!\\)\|", body, maxsplit=1)[0]


def row_name(cell: str) -> tuple[int, str] | None:
    """`  - `uuid`` -> (1, 'uuid'); header, separator and prose cells -> None."""
    m = re.match(r"^\s*((?:-\s*)*)(.*?)\s*$", cell.replace("&nbsp;", " "))
    depth, rest = m.group(1).count("-"), m.group(2)
    quoted = re.match(r"`([^`]+)`", rest)
    text = quoted.group(1).strip() if quoted else rest
    if IDENT.fullmatch(text) or (quoted and re.fullmatch(r"[\w.\-<>{}*]+", text)):
        return depth, text
    return None


def parse_page(path: pathlib.Path, blocks: list[Block] | None = None) -> list[Section]:
    """The page's `HTTP 请求` sections; every fenced block is appended to `blocks` if given."""
    sections: list[Section] = []
    headings: list[tuple[int, str]] = []
    fence: Block | None = None
    basic_method: str | None = None
    cur: Section | None = None
    kind: str | None = None      # classification of the nearest heading ("endpoint" too)
    in_fence = False
    stack: list[tuple[int, list[str]]] = []   # nesting of the table being read
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if FENCE.match(line):
            in_fence = not in_fence
            if in_fence:
                lang = FENCE.sub("", line).strip()
                fence = Block(path.name, no, lang, "", [h for _, h in headings])
            elif blocks is not None and fence:
                blocks.append(fence)
            continue
        if in_fence:
            if fence:
                fence.text += line + "\n"
            m = REQUEST_LINE.match(line)
            if cur and kind == "endpoint" and m:
                cur.endpoints.append(parse_request_line(no, m.group(1), m.group(2)))
            continue
        if not line.lstrip().startswith("|"):
            stack = []
        h = HEADING.match(line)
        if h:
            level, text = len(h.group(1)), h.group(2)
            headings = [(lv, t) for lv, t in headings if lv < level] + [(level, text)]
            if (re.search(r"HTTP\s*请求", text) or text == "基本信息") and "示例" not in text:
                cur, kind = Section(path.name, no, level), "endpoint"
                sections.append(cur)
            elif cur and (level < cur.level or level == cur.level
                          and classify(text) is None and "示例" not in text):
                cur, kind = None, None   # a sibling that is not part of the request/response
            else:
                kind = classify(text)
            continue
        if cur and kind == "endpoint":   # the 基本信息 form: 方法：`GET` then 接入点：`/path`
            m = BASIC_METHOD.match(line)
            if m:
                basic_method = m.group(1)
            m = BASIC_PATH.match(line)
            if m and basic_method:
                url = m.group(1) if "://" in m.group(1) else "https://{host}" + m.group(1)
                cur.endpoints.append(parse_request_line(no, basic_method, url))
        if cur and kind in ("param", "request", "response") and line.lstrip().startswith("|"):
            parsed = row_name(first_cell(line))
            if not parsed:
                continue
            depth, text = parsed
            while stack and stack[-1][0] >= depth:
                stack.pop()
            parents = stack[-1][1] if stack else []
            own = text.split(".") if kind != "param" else [text]
            if parents and own[:len(parents)] == parents:        # `- entities.id` under entities
                own = own[len(parents):] or own
            elif parents and len(own) > 1 and own[0] == parents[-1]:
                own = own[1:]
            stack.append((depth, parents + own))
            cur.rows.append(Row(no, kind, ".".join(parents + own), own, parents))
    return [s for s in sections if s.endpoints]


# ---------------------------------------------------------------- checking

def is_free(types: set[str]) -> bool:
    """A json field or a map: whatever is documented below it is a free key."""
    return any(t.strip("[]") == "json" or t.strip("[]").startswith("{") for t in types)


def merge(field_maps) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for fields in field_maps:
        for name, types in fields.items():
            merged.setdefault(name, set()).update(types)
    return merged


def field_found(row: Row, fields: dict[str, set[str]]) -> bool:
    if is_free(fields.get(ROOT_KEY, set())):
        return True
    if any(is_free(fields.get(p, set())) for p in row.parents):
        return True
    for segment in row.own:
        if segment not in fields:
            return False
        if is_free(fields[segment]):
            return True
    return True


def load_exceptions(path: pathlib.Path) -> dict[tuple[str, str, str], str]:
    excused: dict[tuple[str, str, str], str] = {}
    if not path.exists():
        return excused
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry, _, reason = line.partition("#")
        parts = entry.split(None, 2)
        if not parts:
            continue
        if len(parts) < 3 or parts[1] not in KINDS or not reason.strip():
            print(f"{path.name}:{no}: expected `page.md KIND NAME-or-PATH  # reason`, KIND in {KINDS}",
                  file=sys.stderr)
            sys.exit(2)
        excused[(parts[0], parts[1], parts[2].strip())] = reason.strip()
    return excused


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=pathlib.Path, default=ROOT.parent / "shared" / "easemob-docs")
    ap.add_argument("--spec", type=pathlib.Path, default=ROOT / "spec")
    ap.add_argument("--exceptions", type=pathlib.Path,
                    default=ROOT / "scripts" / "doc_coverage_exceptions.txt")
    args = ap.parse_args()
    # A missing folder is a failure, never a skip: a run that checked nothing must not pass.
    if not args.docs.is_dir():
        print(f"error: the docs folder {args.docs} does not exist; the doc pages are expected at "
              f"../shared/easemob-docs beside the repository (or pass --docs DIR)", file=sys.stderr)
        return 2
    pages = sorted(p for p in args.docs.glob("*.md") if p.name != "README.md")
    if not pages:
        print(f"error: no doc pages (*.md) in {args.docs}", file=sys.stderr)
        return 2
    try:
        ops = load_spec(args.spec)
    except (OSError, yaml.YAMLError, AttributeError) as e:
        print(f"cannot load the spec: {e}", file=sys.stderr)
        return 2
    excused = load_exceptions(args.exceptions)
    used: set[tuple[str, str, str]] = set()
    pairs: set[tuple[str, str]] = set()   # distinct documented method + path shapes
    counts = dict.fromkeys(("endpoints", "matched", "params", "params_found", "fields", "fields_found"), 0)
    missing: list[tuple[str, int, str, str, str]] = []   # page, line, kind, name, where

    def report(page: str, line: int, kind: str, name: str, where: str, keys: list[str]) -> None:
        for key in keys:
            if (page, kind, key) in excused:
                used.add((page, kind, key))
                missing.append((page, line, "excused " + kind, name, where))
                return
        missing.append((page, line, kind, name, where))

    for page in pages:
        for sec in parse_page(page):
            matched: list[Operation] = []
            seen_shapes = set()
            for ep in sec.endpoints:
                pairs.add((ep.method, ep.shape))
                if (ep.method, ep.shape) in seen_shapes:
                    continue   # same endpoint written twice (plain and paged forms)
                seen_shapes.add((ep.method, ep.shape))
                counts["endpoints"] += 1
                found = [o for o in ops if o.method == ep.method and o.shape == ep.shape]
                if found:
                    counts["matched"] += 1
                    matched += found
                else:
                    report(sec.page, ep.line, "endpoint", f"{ep.method} {ep.path}", "",
                           [ep.path, f"{ep.method} {ep.path}"])
            if not matched:
                continue
            first = sec.endpoints[0]
            where = f"({first.method} {first.path})"
            params = set().union(*(o.params for o in matched))
            request, response = merge(o.request for o in matched), merge(o.response for o in matched)
            placeholders = set().union(*(e.placeholders for e in sec.endpoints))
            rows = list(sec.rows)
            documented = {r.name for r in rows if r.kind == "param"}
            for ep in sec.endpoints:   # query keys of the request line count as parameters
                rows += [Row(ep.line, "param", k, [k], []) for k in ep.query if k not in documented]
                documented.update(ep.query)
            for row in rows:
                if DYNAMIC.search(row.name):
                    continue   # a documented dynamic key such as `x_<group_id>`: nothing to compare
                if row.kind == "param":
                    if row.name.lower() in STANDARD:
                        continue
                    counts["params"] += 1
                    if row.name in params or row.name in request or row.name in placeholders:
                        counts["params_found"] += 1
                    else:
                        report(sec.page, row.line, "param", row.name, where, [row.name])
                else:
                    counts["fields"] += 1
                    fields = request if row.kind == "request" else response
                    if field_found(row, fields):
                        counts["fields_found"] += 1
                    else:
                        report(sec.page, row.line, "field", row.name, where, [row.name])

    events = load_events(args.spec)
    n_events = n_events_found = 0
    for page in pages:
        rows = event_rows(page)
        prefixes = {name.split(":")[0] for _, name, _ in rows if ":" in name}
        for line, name, payload in rows:
            n_events += 1
            if event_found(name, payload, prefixes, events):
                n_events_found += 1
            else:
                report(page.name, line, "event", name, "", [name])

    c = counts
    have = {(o.method, o.shape) for o in ops}
    print(f"documented method+path pairs: {len(pairs)}, in the spec: {len(pairs & have)}")
    print(f"doc coverage: {c['endpoints']} endpoint blocks, {c['matched']} matched; "
          f"{c['params']} parameters, {c['params_found']} found; {c['fields']} fields, {c['fields_found']} found; "
          f"{n_events} callback events, {n_events_found} found")
    n_excused = sum(1 for m in missing if m[2].startswith("excused"))
    for page, line, kind, name, where in sorted(set(missing)):
        label = "EXCUSED " + kind.split()[1] if kind.startswith("excused") else "MISSING " + kind
        print(f"{label}: {page}:{line} {name}{' ' + where if where else ''}")
    if n_excused:
        print(f"excused: {n_excused} (see {args.exceptions.name})")
    for page, kind, name in sorted(set(excused) - used):
        print(f"UNUSED exception: {page} {kind} {name}")
    return 1 if len(missing) > n_excused else 0


if __name__ == "__main__":
    sys.exit(main())
