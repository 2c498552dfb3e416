//! An async client for the [Easemob (环信) IM](https://doc.easemob.com/document/server-side/overview.html)
//! server REST API.
//!
//! Make one [`Client`] per app and share it: it fetches the app token from your client id
//! and secret on first use, keeps it fresh, retries what is safe to retry, and turns every
//! answer into a typed value or an [`Error`] that says what went wrong.
//!
//! ```no_run
//! use easemob_im::{Client, Credentials, TryStreamExt};
//!
//! # async fn demo() -> Result<(), easemob_im::Error> {
//! let client = Client::builder()
//!     .base_url("https://a1.easemob.com")
//!     .app_key("easemob-demo#testapp") // or .org_name(..).app_name(..)
//!     .credentials(Credentials::client_credentials("YXA6i-Ak8Ol4Eei2l11ZjV-EAg", "YXA6VunqiNxoB7IwXHInk1cGiXOOJfc"))
//!     .build()?;
//!
//! // One method per resource group, one builder per operation; await it to send it.
//! let alice = client.users().get_user("alice").await?;
//!
//! // List operations also stream every item of every page.
//! let usernames: Vec<String> = client
//!     .users()
//!     .list_users()
//!     .limit(100)
//!     .into_stream()
//!     .map_ok(|user| user.username.unwrap_or_default())
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! Endpoints the crate does not cover yet can be called through
//! [`Client::execute_json`] and its siblings with a hand-built
//! [`OperationRequest`](request::OperationRequest).
//!
//! # Errors
//!
//! ```no_run
//! # async fn demo(client: easemob_im::Client) {
//! use easemob_im::{models::ErrorCode, Error};
//! match client.users().get_user("bob").await {
//!     Ok(found) => println!("{found:?}"),
//!     Err(Error::Api(e)) if e.code() == Some(&ErrorCode::ServiceResourceNotFound) => {
//!         println!("no such user");
//!     }
//!     Err(e) => eprintln!("{e:#}"), // the error and its causes, each said once
//! }
//! # }
//! ```
//!
//! Each error's `Display` says its own part and [`source`](std::error::Error::source)
//! leads to the cause, as anyhow and logging crates expect; `{:#}` on an [`Error`] prints
//! the whole chain. [`Error::code`] and [`Error::status`] also look inside
//! [`Error::Token`], so wrong credentials give [`models::ErrorCode::InvalidGrant`].
//!
//! # What the client does for you
//!
//! - **App token**: fetched lazily, shared by all clones, renewed before it expires, one
//!   fetch however many calls wait for it; a `401` renews it and repeats the call once
//!   (see [`Credentials`]). [`Client::app_token`] hands it out for calls made elsewhere.
//! - **Retries**: `429`, `502`, `503`, `504`, timeouts and dropped connections, with
//!   exponential backoff, full jitter and `Retry-After`, for idempotent calls only unless
//!   you opt in (see [`RetryPolicy`]).
//! - **Rate limiting** (opt-in): waits to stay within each endpoint's documented limit
//!   ([`ClientBuilder::client_side_rate_limit`]).
//! - **Safe paths**: path parameters are percent-encoded so that `a/b` or `../x` stay one
//!   segment ([`path`]).
//! - **Files**: uploads stream from disk ([`files::FileSource`]); downloads are streams
//!   that can be written to a file atomically ([`files::ByteStream`]).
//! - **Tracing**: one `easemob.request` span per call, with the operation id, method, path
//!   template, status and attempt; never tokens, secrets, concrete paths or query values.
//!
//! # Secrets
//!
//! Client secrets and tokens are held in [`Secret`], whose `Debug` prints `***`; the
//! `Debug` output of [`Client`], [`ClientBuilder`] and [`Credentials`] never shows them.
#![deny(missing_docs)]

#[rustfmt::skip]
mod gen;
pub use gen::*;

pub mod call;
mod client;
mod discovery;
#[cfg(feature = "dynamic-token")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamic-token")))]
pub mod dynamic_token;
pub mod env;
pub mod error;
pub mod files;
mod hosts;
mod json_path;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
pub mod paging;
pub mod path;
mod proxy;
mod rate_limit;
mod redact;
pub mod request;
mod retry;
#[cfg(feature = "server")]
#[cfg_attr(docsrs, doc(cfg(feature = "server")))]
pub mod server;
mod token;
pub mod units;
#[cfg(feature = "tokens")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokens")))]
pub mod user_token;
#[cfg(feature = "callbacks")]
#[cfg_attr(docsrs, doc(cfg(feature = "callbacks")))]
pub mod webhook;

pub use client::{Client, ClientBuilder, Credentials, Secret, DEFAULT_USER_AGENT};
pub use discovery::{HostDiscovery, DEFAULT_CONFIG_HOST};
pub use error::{ApiError, DecodeError, EncodeError, Error};
pub use paging::ItemStreamExt;
pub use proxy::Proxy;
pub use retry::RetryPolicy;
pub use units::Lasting;

// What the public API exposes, re-exported so that callers need not depend on the same
// versions themselves.

/// Re-exported so that callers can name [`reqwest::Method`], [`reqwest::StatusCode`] and
/// [`reqwest::Response`] without depending on the same reqwest version themselves.
pub use reqwest;

/// Free-form JSON (`ext` fields, custom message bodies, attributes) is a
/// [`serde_json::Value`]; build one with [`serde_json::json!`].
pub use serde_json;
/// Free-form JSON, such as a message's `ext` field (`serde_json::Value`).
pub use serde_json::Value;

/// File contents ([`files::FileSource::bytes`], [`files::ByteStream`]) are [`Bytes`].
pub use bytes::Bytes;

/// The trait of list operations' `into_stream()` and of downloads ([`files::ByteStream`]).
pub use futures_core::Stream;
/// `futures`' stream adaptors (`next`, `take`, `map`, ...), for the same streams.
pub use futures_util::StreamExt;
/// `futures`' adaptors for streams of results (`try_next`, `map_ok`, `try_collect`, ...).
pub use futures_util::TryStreamExt;

/// The server stubs (`server::router`) and the callback receivers return an [`axum::Router`].
#[cfg(any(feature = "server", feature = "callbacks-axum"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "server", feature = "callbacks-axum"))))]
pub use axum;

// The READMEs' Rust snippets, compiled by `cargo test --doc` (with the `mock` feature, as
// some use the mock or the server stubs, and `dynamic-token`, for its snippet); those that
// need a real Easemob server are `no_run`.
#[cfg(all(doctest, feature = "mock", feature = "dynamic-token"))]
#[doc = include_str!("../README.md")]
pub struct CrateReadme;
#[cfg(all(doctest, feature = "mock"))]
#[doc = include_str!("../../README.md")]
pub struct ProjectReadme;
