//! `cargo xtask check`: the inner loop of editing the spec. Validates the spec, checks the
//! generated code is fresh, then runs the fast tests: the generator's own (unit, broken-spec
//! snapshots, output snapshots, hostile and mutated specs, diff) and the fixture client's.
//! The client crate's integration tests (the mock, the runtime) stay in `cargo test
//! --workspace --all-features`: they take minutes to build.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The test runs of the inner loop, as `cargo test` arguments.
pub const FAST_TESTS: [&str; 4] = ["-p", "codegen", "-p", "fixture-client"];

/// Runs every step, stopping at the first that fails, and prints how long each took.
pub fn run(root: &Path, validate: impl FnOnce() -> Result<(), String>, fresh: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    let start = Instant::now();
    step("validate", validate)?;
    step("codegen --check", fresh)?;
    step("fast tests (cargo test -p codegen -p fixture-client)", || {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .current_dir(root)
            .arg("test")
            .args(FAST_TESTS)
            .arg("--quiet")
            .status()
            .map_err(|e| format!("error: cannot run cargo: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "error: the fast tests failed ({status}).\n\
                 If a snapshot changed on purpose, review it with `cargo insta review` (cargo install cargo-insta),\n\
                 or accept every new snapshot with `INSTA_UPDATE=always cargo test -p codegen` and read the diff in git."
            ))
        }
    })?;
    println!("check: everything passed in {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

fn step(name: &str, run: impl FnOnce() -> Result<(), String>) -> Result<(), String> {
    println!("==> {name}");
    let start = Instant::now();
    let result = run();
    let took = start.elapsed().as_secs_f64();
    match &result {
        Ok(()) => println!("    ok ({took:.1} s)"),
        Err(_) => println!("    failed ({took:.1} s)"),
    }
    result
}
