//! The futures that generated builders return (`.await` a builder, or call its `send`).
//!
//! Every call is sent by one boxed future that is the same for all operations, so the
//! crate compiles the sending machinery (token, retries, rate limit, tracing, reading the
//! body) once. What is specific to an operation is only the decoding of its answer, done
//! when the boxed future is ready. A builder is therefore cheap plain data, and an
//! operation nobody calls costs almost nothing to compile.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;

use crate::files::ByteStream;
use crate::{Client, Error};

/// A boxed, sendable future of a call's outcome.
pub(crate) type BoxCall<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send>>;

/// A 2xx JSON answer, read but not yet decoded.
pub(crate) struct Fetched {
    pub(crate) operation_id: &'static str,
    pub(crate) status: StatusCode,
    pub(crate) body: Bytes,
    /// Leave the body out of decode errors (it holds credentials).
    pub(crate) redact: bool,
    /// The client that fetched it, whose secrets a decode error scrubs out. The scrubber
    /// is made only when decoding fails: building it costs more than many a whole decode.
    pub(crate) client: Client,
}

impl Fetched {
    fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        crate::client::decode_json(self.operation_id, self.status, &self.body, self.redact, || {
            self.client.scrub(None)
        })
    }
}

/// A call whose answer is JSON, decoded as `T`.
#[must_use = "a call does nothing until it is awaited"]
pub struct JsonCall<T> {
    fetch: BoxCall<Fetched>,
    decode: PhantomData<fn() -> T>,
}

impl<T> JsonCall<T> {
    pub(crate) fn new(fetch: BoxCall<Fetched>) -> JsonCall<T> {
        JsonCall { fetch, decode: PhantomData }
    }
}

impl<T: DeserializeOwned> Future for JsonCall<T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let fetched = ready!(self.fetch.as_mut().poll(cx))?;
        Poll::Ready(fetched.decode())
    }
}

impl<T> fmt::Debug for JsonCall<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonCall").finish_non_exhaustive()
    }
}

/// A call answered with no body of interest.
#[must_use = "a call does nothing until it is awaited"]
pub struct EmptyCall(pub(crate) BoxCall<()>);

impl Future for EmptyCall {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl fmt::Debug for EmptyCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmptyCall").finish_non_exhaustive()
    }
}

/// A call answered with a download.
#[must_use = "a call does nothing until it is awaited"]
pub struct BinaryCall(pub(crate) BoxCall<ByteStream>);

impl Future for BinaryCall {
    type Output = Result<ByteStream, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.as_mut().poll(cx)
    }
}

impl fmt::Debug for BinaryCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BinaryCall").finish_non_exhaustive()
    }
}
