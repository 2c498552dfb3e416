#!/usr/bin/env python3
"""Validate every spec/*.yaml file against spec/spec.schema.json (what editors see)."""
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "spec" / "spec.schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
files = sys.argv[1:] or sorted(str(p) for p in (root / "spec").glob("*.yaml"))
problems = 0
for name in files:
    data = yaml.safe_load(pathlib.Path(name).read_text())
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        error = jsonschema.exceptions.best_match([error]) if not error.context else min(error.context, key=lambda e: len(list(e.absolute_path)) * -1)
        problems += 1
        where = ".".join(str(p) for p in error.absolute_path) or "(top)"
        print(f"{name}: {where}: {error.message[:300]}")
print(f"{len(files)} files checked, {problems} problems")
sys.exit(1 if problems else 0)
