//! The generator's output for `codegen::FIXTURE_SPEC` (every construct the generator
//! handles, with hostile names), compiled against the hand-written runtime of
//! `generated-client`: the snapshots in `codegen/tests/snapshots/` are known to build, with
//! warnings denied. `src/gen/` is written by `cargo xtask codegen`; this file only wires
//! the runtime's modules in, as `generated-client/src/lib.rs` does.
#![deny(warnings, missing_docs)]

#[rustfmt::skip]
mod gen;
pub use gen::*;

include!("../../fixture-runtime.rs");
