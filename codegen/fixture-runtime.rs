// The hand-written runtime of `generated-client`, compiled into the crates made only of
// generated code: the fixture client and the two API-diff witness crates. Each includes
// this file after its `mod gen;`, as `generated-client/src/lib.rs` declares the same modules.
// (`#[path]` in an included file is relative to this file's folder.)

#[path = "../generated-client/src/call.rs"]
pub mod call;
#[path = "../generated-client/src/client.rs"]
mod client;
#[path = "../generated-client/src/discovery.rs"]
mod discovery;
#[path = "../generated-client/src/env.rs"]
pub mod env;
#[path = "../generated-client/src/error.rs"]
pub mod error;
#[path = "../generated-client/src/files.rs"]
pub mod files;
#[path = "../generated-client/src/hosts.rs"]
mod hosts;
#[path = "../generated-client/src/json_path.rs"]
mod json_path;
#[path = "../generated-client/src/paging.rs"]
pub mod paging;
#[path = "../generated-client/src/path.rs"]
pub mod path;
#[path = "../generated-client/src/proxy.rs"]
mod proxy;
#[path = "../generated-client/src/rate_limit.rs"]
mod rate_limit;
#[path = "../generated-client/src/redact.rs"]
mod redact;
#[path = "../generated-client/src/request.rs"]
pub mod request;
#[path = "../generated-client/src/retry.rs"]
mod retry;
// The fixtures need not use every helper the runtime keeps for generated code.
#[cfg(feature = "server")]
#[allow(dead_code)]
#[path = "../generated-client/src/server.rs"]
pub mod server;
#[path = "../generated-client/src/token.rs"]
mod token;
#[path = "../generated-client/src/units.rs"]
pub mod units;

pub use client::{Client, ClientBuilder, Credentials, Secret, DEFAULT_USER_AGENT};
pub use discovery::{HostDiscovery, DEFAULT_CONFIG_HOST};
pub use error::{ApiError, DecodeError, EncodeError, Error};
pub use proxy::Proxy;
pub use retry::RetryPolicy;
pub use reqwest;
