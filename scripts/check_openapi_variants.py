#!/usr/bin/env python3
"""Check that the OpenAPI export tells the variants of every shared route apart.

For every variant set of spec/*.yaml (operations sharing a method and path), each example of
each variant is validated against every variant schema of the export:

- request bodies: the route's body must be a `oneOf` of one schema per variant (unless all
  variants send the same schema), and exactly one of them, the example's own
  (`x-operationId`), must accept each example;
- responses: when the variants answer different schemas, the export uses `anyOf` (their
  bodies overlap: optional fields, unknown fields allowed) and says so in the description;
  the example's own schema must accept it, and a set whose examples each fit only their own
  schema is reported, since `oneOf` would then be worth proving.

Callback events are told apart the same way: each webhook's examples must be accepted by
that webhook's body schema and by no other webhook's.

Every variant operation must have at least one example checked. Uses the Python
`jsonschema` package CI already installs (no JSON Schema crate in the Rust build).

Exit status: 0 when every check holds, 1 otherwise.
Usage: scripts/check_openapi_variants.py --openapi FILE [--spec DIR]
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections import defaultdict

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from check_doc_examples import Export  # noqa: E402  (one way to validate against the export)

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_variants(spec_dir: pathlib.Path) -> dict[str, list[tuple[str, dict]]]:
    sets: dict[str, list[tuple[str, dict]]] = defaultdict(list)
    for path in sorted(spec_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for op_id, op in (data.get("operations") or {}).items():
            if op.get("variant"):
                sets[op["variant"]["set"]].append((op_id, op))
    return sets


def find_route(export: Export, op: dict) -> tuple[str, str]:
    method = op["method"].lower()
    shape = [("{}" if "{" in s else s) for s in op["path"].split("/") if s]
    for path, methods in export.doc["paths"].items():
        if method in methods and [("{}" if "{" in s else s) for s in path.split("/") if s] == shape:
            return path, method
    raise SystemExit(f"no exported route for {op['method']} {op['path']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--openapi", type=pathlib.Path, required=True)
    ap.add_argument("--spec", type=pathlib.Path, default=ROOT / "spec")
    args = ap.parse_args()
    export = Export(args.openapi)
    problems: list[str] = []
    counts = {"sets": 0, "request examples": 0, "response examples": 0}
    for set_name, ops in sorted(load_variants(args.spec).items()):
        counts["sets"] += 1
        path, method = find_route(export, ops[0][1])
        route = export.doc["paths"][path][method]
        base = ["paths", path, method]
        # Requests.
        media = route.get("requestBody", {}).get("content", {}).get("application/json")
        branches = media["schema"].get("oneOf") if media else None
        senders = [(i, op) for i, op in ops if (op.get("request") or {}).get("encoding") == "json"]
        if len(senders) > 1 and branches is None and "anyOf" in (media or {}).get("schema", {}):
            problems.append(f"{set_name}: request bodies are an anyOf; variants must be told apart")
        if branches:
            owners = []
            for j, branch in enumerate(branches):
                name = branch.get("$ref", "").rsplit("/", 1)[-1]
                owners.append(export.doc["components"]["schemas"].get(name, {}).get("x-operationId", f"branch {j}"))
            validators = [export.validator(base + ["requestBody", "content", "application/json", "schema", "oneOf", str(j)])
                          for j in range(len(branches))]
            for op_id, op in senders:
                bodies = [e["request"] for e in op.get("examples", []) if "request" in e]
                if not bodies:
                    problems.append(f"{set_name}: `{op_id}` has no request example to check")
                for body in bodies:
                    counts["request examples"] += 1
                    accepted = [owners[j] for j, v in enumerate(validators) if v.is_valid(body)]
                    if accepted != [op_id]:
                        problems.append(f"{set_name}: an example of `{op_id}` is accepted by {accepted or 'no variant'}, "
                                        f"not exactly by its own: {json.dumps(body, ensure_ascii=False)[:120]}")
        # Responses.
        media = route["responses"]["200"].get("content", {}).get("application/json")
        if not media:
            continue
        schema = media["schema"]
        if "oneOf" in schema:
            problems.append(f"{set_name}: responses use oneOf; overlapping response bodies need anyOf")
        if "anyOf" not in schema or "x-operationIds" not in schema:
            continue
        if "anyOf" not in schema.get("description", ""):
            problems.append(f"{set_name}: the response anyOf does not say why in its description")
        validators = [export.validator(base + ["responses", "200", "content", "application/json", "schema", "anyOf", str(j)])
                      for j in range(len(schema["anyOf"]))]
        only_own = True
        for op_id, op in ops:
            own = next(j for j, ids in enumerate(schema["x-operationIds"]) if op_id in ids)
            bodies = [e["response"] for e in op.get("examples", []) if "response" in e]
            if not bodies:
                problems.append(f"{set_name}: `{op_id}` has no response example to check")
            for body in bodies:
                counts["response examples"] += 1
                accepted = [j for j, v in enumerate(validators) if v.is_valid(body)]
                if own not in accepted:
                    problems.append(f"{set_name}: the response schema of `{op_id}` rejects its example: "
                                    f"{json.dumps(body, ensure_ascii=False)[:120]}")
                only_own &= accepted == [own]
        if only_own:
            print(f"note: {set_name}: every response example fits only its own schema (anyOf kept: the schemas still overlap)")
    # Webhooks (callback events).
    webhooks = export.doc.get("webhooks", {})
    hook_validators = {name: export.validator(["webhooks", name, "post", "requestBody", "content", "application/json", "schema"])
                       for name in webhooks}
    hook_examples = 0
    for name, hook in sorted(webhooks.items()):
        examples = hook["post"]["requestBody"]["content"]["application/json"].get("examples", {})
        for example in examples.values():
            hook_examples += 1
            accepted = [other for other, v in sorted(hook_validators.items()) if v.is_valid(example["value"])]
            if accepted != [name]:
                problems.append(f"webhook `{name}`: an example is accepted by {accepted or 'no webhook'}, not exactly by its own: "
                                f"{json.dumps(example['value'], ensure_ascii=False)[:120]}")
    print(f"variant sets: {counts['sets']}; request examples checked: {counts['request examples']}; "
          f"response examples checked: {counts['response examples']}; webhook examples checked: {hook_examples}; "
          f"problems: {len(problems)}")
    for p in problems:
        print(f"PROBLEM {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
