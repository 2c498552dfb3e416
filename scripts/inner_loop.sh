#!/usr/bin/env bash
# Measures the spec editor's inner loop for a one-endpoint change: add an operation to
# spec/presence.yaml, regenerate (`cargo xtask codegen`), run the fast tests (`cargo xtask
# check`), then restore the tree. Prints each run's seconds and the median.
# Usage: scripts/inner_loop.sh [RUNS]   (default 3; needs a clean spec/ and generated code)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
watched="spec generated-client/src/gen generated-client/tests/spec_examples.json codegen/fixture-client/src/gen"
if [ -n "$(git status --porcelain -- $watched)" ]; then
  echo "inner_loop.sh: spec/ or generated code has uncommitted changes; commit or stash them first" >&2
  exit 2
fi
restore() { git checkout -q -- $watched; git clean -qfd -- generated-client/src/gen; }
trap restore EXIT
cargo xtask check >/dev/null 2>&1 || { echo "inner_loop.sh: cargo xtask check fails before any change" >&2; exit 1; }
times=()
for i in $(seq "$runs"); do
  cat >> spec/presence.yaml <<YAML

  get_presence_probe_$i:
    group: presence
    name_zh: 探测在线状态
    summary: Probe one user's presence (an endpoint added by scripts/inner_loop.sh).
    docs: presence.html#探测在线状态
    method: GET
    path: /users/{username}/presence/probe$i
    params:
      username: {in: path, type: string, doc: "The user id."}
    response:
      body: {doc: The probe's answer., fields: {online: {type: boolean, doc: "Whether the user is online."}}}
    examples:
      - params: {username: alice}
        response: {online: true}
YAML
  # Appended under `models:` if that is the file's last section: move it under operations.
  python3 - "$i" <<'PY'
import sys, re, pathlib
p = pathlib.Path("spec/presence.yaml"); s = p.read_text()
i = sys.argv[1]; start = s.rindex(f"\n  get_presence_probe_{i}:")
block, s = s[start:], s[:start]
at = s.index("\nmodels:") if "\nmodels:" in s else len(s)
p.write_text(s[:at].rstrip("\n") + "\n" + block.rstrip("\n") + "\n" + s[at:])
PY
  start=$(date +%s.%N)
  cargo xtask codegen >/dev/null 2>&1
  cargo xtask check >/dev/null 2>&1 || { echo "run $i: cargo xtask check failed" >&2; exit 1; }
  end=$(date +%s.%N)
  t=$(python3 -c "print(f'{$end - $start:.1f}')")
  echo "run $i: edit -> codegen -> check: ${t} s"
  times+=("$t")
  restore
done
python3 -c "import statistics,sys; print(f'median: {statistics.median(map(float, sys.argv[1:])):.1f} s over {len(sys.argv)-1} runs')" "${times[@]}"
