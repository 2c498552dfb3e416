//! The crate generated from the old side of the API-diff witness specs
//! (`codegen/tests/diff/base.yaml` and `witness.yaml`), compiled against the runtime of
//! `generated-client`. `src/gen/` is written by `cargo xtask codegen`; the witness
//! programs in `../witnesses/` are compiled against both sides by `tests/witnesses.rs`.
#![allow(missing_docs)]

#[rustfmt::skip]
mod gen;
pub use gen::*;

#[path = "../../../../generated-client/src/client.rs"]
mod client;
#[path = "../../../../generated-client/src/error.rs"]
pub mod error;
#[path = "../../../../generated-client/src/files.rs"]
pub mod files;
#[path = "../../../../generated-client/src/paging.rs"]
pub mod paging;
#[path = "../../../../generated-client/src/path.rs"]
pub mod path;
#[path = "../../../../generated-client/src/rate_limit.rs"]
mod rate_limit;
#[path = "../../../../generated-client/src/redact.rs"]
mod redact;
#[path = "../../../../generated-client/src/request.rs"]
pub mod request;
#[path = "../../../../generated-client/src/retry.rs"]
mod retry;
// The fixtures need not use every helper the runtime keeps for generated code.
#[cfg(feature = "server")]
#[allow(dead_code)]
#[path = "../../../../generated-client/src/server.rs"]
pub mod server;
#[path = "../../../../generated-client/src/token.rs"]
mod token;

pub use client::{Client, ClientBuilder, Credentials, Secret, DEFAULT_USER_AGENT};
pub use error::{ApiError, DecodeError, EncodeError, Error};
pub use retry::RetryPolicy;
pub use reqwest;
