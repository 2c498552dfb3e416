#!/usr/bin/env bash
# Compile-time benchmark of the generated crate, the cost every consumer pays.
#
#   scripts/bench_compile.sh [RUNS]     (default 5 runs; prints the median of each figure)
#
# Figures, each a debug build of `easemob-im` alone with its dependencies prebuilt:
#   all groups      the default features (every resource group)
#   one group       `--no-default-features --features users`
#   incremental     rebuild after touching one generated file (operations/users.rs)
# and the generated client's lines per operation (server stubs excluded).
# Uses its own target directory so it never disturbs (or reuses) the workspace's.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
target=$(mktemp -d /tmp/bench-compile.XXXXXX)
trap 'rm -rf "$target"' EXIT
export CARGO_TARGET_DIR=$target CARGO_INCREMENTAL=1

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); printf "%.2f\n" "$(echo "$end - $start" | bc)"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
build() { cargo build --quiet -p easemob-im "$@"; }
clean_crate() { cargo clean --quiet -p easemob-im; }

echo "prebuilding dependencies..."
build && build --no-default-features --features users

all=() one=() incr=()
for i in $(seq "$runs"); do
  clean_crate; all+=("$(seconds build)")
  clean_crate; one+=("$(seconds build --no-default-features --features users)")
  build; touch generated-client/src/gen/operations/users.rs; incr+=("$(seconds build)")
  echo "run $i: all groups ${all[-1]} s, one group ${one[-1]} s, incremental ${incr[-1]} s"
done

ops=$(grep -h '^    method: ' spec/*.yaml | wc -l)
lines=$(cat generated-client/src/gen/models.rs generated-client/src/gen/operations/*.rs | wc -l)
printf '\nmedians of %s runs (rustc %s, %s cores)\n' "$runs" "$(rustc --version | cut -d' ' -f2)" "$(nproc)"
printf '  all groups (default)   %s s\n' "$(printf '%s\n' "${all[@]}" | median)"
printf '  one group (users)      %s s\n' "$(printf '%s\n' "${one[@]}" | median)"
printf '  incremental, one file  %s s\n' "$(printf '%s\n' "${incr[@]}" | median)"
printf '  generated client lines %s (models + operations), %s per operation\n' "$lines" "$((lines / ops))"
