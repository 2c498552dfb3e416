//! The crate generated from the old side of the API-diff witness specs
//! (`codegen/tests/diff/base.yaml` and `witness.yaml`), compiled against the runtime of
//! `generated-client`. `src/gen/` is written by `cargo xtask codegen`; the witness
//! programs in `../witnesses/` are compiled against both sides by `tests/witnesses.rs`.
#![allow(missing_docs)]

#[rustfmt::skip]
mod gen;
pub use gen::*;

include!("../../../fixture-runtime.rs");
