#!/usr/bin/env bash
# What one `easemob` command costs, release build: the median wall time of RUNS runs of
#   - `easemob --help` (builds the clap command of all 216 operations, prints),
#   - `easemob users get alice` against a running `easemob mock` (command tree, config,
#     one token request and one call on a fresh process),
#   - `easemob --mock users list-users` (a mock started inside the command, one call),
# and the stripped size of the binary.
#
#   scripts/bench_cli.sh [RUNS]    (default 21)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
cargo build --release -p easemob-cli --quiet
bin=${CARGO_TARGET_DIR:-target}/release/easemob
work=$(mktemp -d /tmp/bench-cli.XXXXXX)
"$bin" mock --listen 127.0.0.1:0 > "$work/env" 2>/dev/null &
mock=$!
trap 'kill $mock 2>/dev/null; rm -rf "$work"' EXIT
while [ ! -s "$work/env" ]; do sleep 0.1; done
# shellcheck disable=SC1091
. "$work/env"
"$bin" users register --username alice --password secret-1 > /dev/null

median_ms() {
  python3 - "$runs" "$@" <<'PY'
import statistics, subprocess, sys, time
runs, command = int(sys.argv[1]), sys.argv[2:]
times = []
for _ in range(runs):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    times.append((time.perf_counter() - start) * 1000)
print(f"{statistics.median(times):.1f} ms")
PY
}

echo "easemob --help:                 $(median_ms "$bin" --help)"
echo "easemob users get (mock):       $(median_ms "$bin" users get alice)"
echo "easemob --mock users list-users: $(median_ms "$bin" --mock users list-users)"
cp "$bin" "$work/stripped" && strip "$work/stripped"
echo "binary size, stripped:          $(( $(stat -c %s "$work/stripped") / 1024 )) KiB"
