#!/usr/bin/env bash
# Release build of a consumer that calls one operation (`client.users().get_user`), the cost
# an application pays: a clean release build with every dependency, and the stripped size of
# the binary.
#
#   scripts/bench_consumer.sh [RUNS]    (default 3; prints the median build time)
#
# Two configurations: the crate's defaults (every group, rustls), and only the `users` group
# with no TLS stack (the configuration of the progenitor reference in BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
crate_dir=$(pwd)/generated-client
work=$(mktemp -d /tmp/bench-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src"
cat > "$work/src/main.rs" <<'RUST'
use easemob_im::{Client, Credentials};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), easemob_im::Error> {
    let client = Client::builder()
        .base_url(std::env::var("EASEMOB_BASE_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".to_owned()))
        .org_name("demo")
        .app_name("demo")
        .credentials(Credentials::client_credentials("demo-client-id", "demo-client-secret"))
        .build()?;
    let user = client.users().get_user("alice").await?;
    println!("{user:?}");
    Ok(())
}
RUST

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure() {
  local label=$1 features=$2 times=() size
  cat > "$work/Cargo.toml" <<TOML
[package]
name = "one-call-consumer"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
easemob-im = { path = "$crate_dir", $features }
tokio = { version = "1", features = ["macros", "rt"] }

[profile.release]
strip = true

[workspace]
TOML
  for i in $(seq "$runs"); do
    rm -rf "$work/target"
    local start end
    start=$(date +%s.%N)
    cargo build --quiet --release --manifest-path "$work/Cargo.toml" --target-dir "$work/target"
    end=$(date +%s.%N)
    times+=("$(printf '%.1f' "$(echo "$end - $start" | bc)")")
    echo "$label, run $i: ${times[-1]} s"
  done
  size=$(stat -c %s "$work/target/release/one-call-consumer")
  printf '%-34s median %s s, stripped binary %s MB\n' "$label" "$(printf '%s\n' "${times[@]}" | median)" "$(echo "scale=2; $size / 1000000" | bc)" >> "$work/summary"
}

# Fetch once so that downloads are not timed.
cat > "$work/Cargo.toml" <<TOML
[package]
name = "one-call-consumer"
version = "0.0.0"
edition = "2021"
[dependencies]
easemob-im = { path = "$crate_dir" }
tokio = { version = "1", features = ["macros", "rt"] }
[workspace]
TOML
cargo fetch --quiet --manifest-path "$work/Cargo.toml"

measure "defaults (all groups, rustls)" 'default-features = true'
measure "users only, no TLS" 'default-features = false, features = ["users"]'
printf '\nmedians of %s clean release builds (rustc %s, %s cores)\n' "$runs" "$(rustc --version | cut -d' ' -f2)" "$(nproc)"
cat "$work/summary"
