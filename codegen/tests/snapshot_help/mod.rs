//! What to do when a snapshot differs, printed under the diff insta shows.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

/// How to review or accept changed snapshots.
pub const REVIEW: &str = "\
a snapshot differs from what the code now produces (the diff is above).
  - if the change is intended, review it: `cargo insta review` (install: `cargo install cargo-insta`),
    or accept every new snapshot: `INSTA_UPDATE=always cargo test -p codegen`, then read `git diff codegen/tests/snapshots`;
  - `INSTA_FORCE_PASS=1 cargo test -p codegen` runs every test past a mismatch, writing `.snap.new` files to review;
  - if it is not intended, the diff shows what the person editing the spec would now see.
  (spec/README.md, \"The inner loop\")";

/// Runs `check` (insta assertions); on a mismatch prints [`REVIEW`] before failing.
pub fn reviewed<R>(check: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(check)) {
        Ok(value) => value,
        Err(panic) => {
            eprintln!("\n{REVIEW}\n");
            resume_unwind(panic)
        }
    }
}
