//! The crate's error type, made from whatever went wrong while building a request, talking to
//! the server or reading its answer.
//!
//! [`Error`] tells apart *who* failed: the server said no ([`Error::Api`]), the network or
//! TLS failed ([`Error::Transport`]), the server took too long ([`Error::Timeout`]), the app
//! token could not be obtained ([`Error::Token`]), the answer did not match the expected
//! shape ([`Error::Decode`]), a local file could not be read or written ([`Error::Io`]), or
//! the caller's input was unusable ([`Error::Config`], [`Error::Encode`]).
//!
//! As is the convention for Rust errors, each error's `Display` says its own part only and
//! [`source`](std::error::Error::source) leads to the cause, so that a report that walks
//! the chain (anyhow's `{:#}`, `eyre`, a logger) says each thing once. `{:#}` on an
//! [`Error`] renders the whole chain itself, joined by `: `:
//!
//! ```
//! # fn show(error: &easemob_im::Error) {
//! eprintln!("{error}");   // could not obtain the app token
//! eprintln!("{error:#}"); // could not obtain the app token: get_app_token: HTTP 400 Bad Request: invalid_grant: ...
//! # }
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;

use crate::models::{ErrorCode, ErrorResponse};
use crate::redact::Scrub;

/// Largest error body kept in an [`ApiError`]; the rest is discarded unread.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// Length of the body excerpt kept in a [`DecodeError`].
pub(crate) const EXCERPT_LEN: usize = 512;

/// How much of a server's text `Display` and `Debug` show.
const SHOWN_LEN: usize = 512;

/// How much of an error body `Debug` of an [`ApiError`] shows as text.
const DEBUG_TEXT_LEN: usize = 200;

/// Everything that can go wrong when calling the API.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a status other than 2xx.
    Api(ApiError),
    /// The request could not be sent or the answer could not be received: DNS, connection
    /// refused or reset, TLS, an interrupted body.
    Transport(reqwest::Error),
    /// The request (or, while streaming, its response body) took longer than the configured
    /// timeout.
    Timeout {
        /// The operation that timed out, for example `"get_user"`.
        operation_id: &'static str,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The app token could not be obtained; the cause is inside, typically an
    /// [`Error::Api`] with `invalid_grant` for wrong credentials. The cause is shared by
    /// every call that waited for the same token request.
    Token(Arc<Error>),
    /// A 2xx answer whose body did not match the expected shape.
    Decode(DecodeError),
    /// Reading a file to upload or writing a downloaded one failed.
    Io(std::io::Error),
    /// The client was configured with unusable values (see the message).
    Config(String),
    /// An environment variable could not configure the client
    /// ([`ClientBuilder::from_env`](crate::ClientBuilder::from_env)).
    Env(crate::env::EnvError),
    /// The request could not be encoded: a body that cannot be serialized, a header value
    /// with control characters, or a path parameter that cannot travel in a URL.
    Encode(EncodeError),
}

impl Error {
    /// The HTTP status of an [`Error::Api`] or [`Error::Decode`], also when it is the cause
    /// of an [`Error::Token`] (the token endpoint's answer); `None` for the others.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status()),
            Error::Decode(e) => e.status(),
            Error::Token(cause) => cause.status(),
            _ => None,
        }
    }

    /// The server's error, if this is an [`Error::Api`]. An [`Error::Token`] holds the
    /// token endpoint's error as its cause: `Error::Token(cause)` then `cause.as_api()`.
    pub fn as_api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The Easemob error code of an [`Error::Api`] whose body could be decoded, also when
    /// it is the cause of an [`Error::Token`]: wrong credentials give
    /// [`ErrorCode::InvalidGrant`].
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Token(cause) => cause.code(),
            _ => self.as_api().and_then(ApiError::code),
        }
    }

    /// Whether this is a timeout, also while fetching the app token ([`Error::Token`]).
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout { .. } => true,
            Error::Token(cause) => cause.is_timeout(),
            _ => false,
        }
    }

    pub(crate) fn encode(message: impl Into<Cow<'static, str>>) -> Error {
        Error::Encode(EncodeError {
            message: message.into(),
            source: None,
        })
    }

    /// Maps a reqwest error, telling timeouts apart from other transport failures. The
    /// query string is dropped from the URL the error shows, as query values are never
    /// logged by this crate.
    pub(crate) fn from_reqwest(operation_id: &'static str, mut error: reqwest::Error) -> Error {
        if let Some(url) = error.url_mut() {
            url.set_query(None);
        }
        if error.is_timeout() {
            Error::Timeout {
                operation_id,
                source: error,
            }
        } else {
            Error::Transport(error)
        }
    }
}

/// This layer's part only; the cause is the [`source`](std::error::Error::source). An
/// [`ApiError`], [`DecodeError`], [`EncodeError`] or [`std::io::Error`] is shown as it is
/// (the variant adds nothing to say). With `{:#}`, the whole chain, joined by `: `.
impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => fmt::Display::fmt(e, f)?,
            Error::Transport(_) => f.write_str("transport error")?,
            Error::Timeout { operation_id, .. } => {
                write!(f, "{operation_id}: request timed out")?
            }
            Error::Token(_) => f.write_str("could not obtain the app token")?,
            Error::Decode(e) => fmt::Display::fmt(e, f)?,
            Error::Io(e) => fmt::Display::fmt(e, f)?,
            Error::Config(message) => write!(f, "invalid client configuration: {message}")?,
            Error::Env(e) => fmt::Display::fmt(e, f)?,
            Error::Encode(e) => fmt::Display::fmt(e, f)?,
        }
        if f.alternate() {
            let mut cause = std::error::Error::source(self);
            while let Some(error) = cause {
                write!(f, ": {error}")?;
                cause = error.source();
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Shown as they are by `Display`: their causes come next.
            Error::Api(e) => e.source(),
            Error::Decode(e) => e.source(),
            Error::Io(e) => e.source(),
            Error::Encode(e) => e.source(),
            Error::Transport(e) => Some(e),
            Error::Timeout { source, .. } => Some(source),
            Error::Token(e) => Some(&**e),
            Error::Config(_) | Error::Env(_) => None,
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Error::Encode(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// A non-2xx answer from the server.
///
/// The body is decoded as Easemob's [`ErrorResponse`] when possible; an HTML error page
/// from a proxy, or any other body, leaves [`body`](Self::body) empty and is kept in
/// [`raw_body`](Self::raw_body) (at most 64 KiB of it). The client secret and app token
/// are replaced by `***` wherever the server echoed them. `Display` and `Debug` show at
/// most 512 bytes of the server's text.
#[derive(Clone)]
pub struct ApiError(Box<ApiErrorInner>);

// Boxed so that `Result<T, Error>` stays small on the happy path.
#[derive(Clone)]
struct ApiErrorInner {
    operation_id: &'static str,
    status: StatusCode,
    body: Option<ErrorResponse>,
    raw: Bytes,
    truncated: bool,
    retry_after: Option<Duration>,
}

impl ApiError {
    /// An error from the body as read (`truncated` if the limit cut it), with the known
    /// secrets scrubbed out before anything is decoded or kept.
    pub(crate) fn new(
        operation_id: &'static str,
        status: StatusCode,
        raw: Bytes,
        truncated: bool,
        retry_after: Option<Duration>,
        scrub: &Scrub,
    ) -> ApiError {
        let raw = if truncated {
            Bytes::from(scrub.cut(&raw))
        } else {
            match scrub.bytes(&raw) {
                Cow::Borrowed(_) => raw,
                Cow::Owned(scrubbed) => Bytes::from(scrubbed),
            }
        };
        let body = if truncated {
            None
        } else {
            serde_json::from_slice::<ErrorResponse>(&raw).ok()
        };
        ApiError(Box::new(ApiErrorInner {
            operation_id,
            status,
            body,
            raw,
            truncated,
            retry_after,
        }))
    }

    /// This error with more secrets scrubbed out of the body it keeps: those a caller
    /// sent that the client does not know (a user's password).
    // Used by `user_token` (feature `tokens`); this file is also compiled into crates
    // without it.
    #[allow(dead_code)]
    pub(crate) fn scrubbed(self, scrub: &Scrub) -> ApiError {
        let inner = *self.0;
        ApiError::new(
            inner.operation_id,
            inner.status,
            inner.raw,
            inner.truncated,
            inner.retry_after,
            scrub,
        )
    }

    /// The operation that failed, for example `"get_user"`.
    pub fn operation_id(&self) -> &'static str {
        self.0.operation_id
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The decoded Easemob error body, if the server sent one.
    pub fn body(&self) -> Option<&ErrorResponse> {
        self.0.body.as_ref()
    }

    /// The Easemob error code, for example [`ErrorCode::ServiceResourceNotFound`].
    pub fn code(&self) -> Option<&ErrorCode> {
        self.0.body.as_ref().map(|b| &b.error)
    }

    /// The server's human-readable description of the error.
    pub fn description(&self) -> Option<&str> {
        self.0
            .body
            .as_ref()
            .and_then(|b| b.error_description.as_deref())
    }

    /// The body as received, cut at 64 KiB.
    pub fn raw_body(&self) -> &[u8] {
        &self.0.raw
    }

    /// Whether the body was longer than what [`raw_body`](Self::raw_body) keeps.
    pub fn is_truncated(&self) -> bool {
        self.0.truncated
    }

    /// How long the server asked to wait before trying again (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.0.operation_id, self.0.status)?;
        match &self.0.body {
            Some(body) => {
                write!(f, ": {}", body.error)?;
                if let Some(description) = &body.error_description {
                    write!(f, ": {}", shown(description))?;
                }
                Ok(())
            }
            None if self.0.raw.is_empty() => f.write_str(" with an empty body"),
            None => write!(
                f,
                " with a body that is not an Easemob error: {:?}",
                excerpt(&self.0.raw, 200)
            ),
        }
    }
}

/// The decoded body (its long texts cut to 512 bytes) and a short excerpt of the body as
/// text, rather than the bytes.
impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.0;
        let body = inner.body.as_ref().map(|body| {
            let mut body = body.clone();
            for text in [&mut body.error_description, &mut body.exception] {
                if let Some(long) = text.as_mut().filter(|t| t.len() > SHOWN_LEN) {
                    *long = shown(long).into_owned();
                }
            }
            body
        });
        let mut text = excerpt(&inner.raw, DEBUG_TEXT_LEN);
        if inner.raw.len() > text.len() || inner.truncated {
            text.push_str(&format!(
                "… ({} bytes{})",
                inner.raw.len(),
                if inner.truncated { ", truncated" } else { "" }
            ));
        }
        f.debug_struct("ApiError")
            .field("operation_id", &inner.operation_id)
            .field("status", &inner.status)
            .field("body", &body)
            .field("text", &text)
            .field("retry_after", &inner.retry_after)
            .finish()
    }
}

impl std::error::Error for ApiError {}

/// `text`, or its first 512 bytes (cut at a character boundary) and its length.
fn shown(text: &str) -> Cow<'_, str> {
    if text.len() <= SHOWN_LEN {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(format!(
            "{}… ({} bytes)",
            excerpt(text.as_bytes(), SHOWN_LEN),
            text.len()
        ))
    }
}

/// A 2xx answer whose body did not match the expected type.
#[derive(Debug, Clone)]
pub struct DecodeError {
    operation_id: &'static str,
    status: Option<StatusCode>,
    path: String,
    message: String,
    excerpt: String,
}

impl DecodeError {
    /// A decode error about `body`; the path, message and excerpt are server text, so the
    /// known secrets are scrubbed out of them.
    pub(crate) fn new(
        operation_id: &'static str,
        status: Option<StatusCode>,
        path: String,
        message: String,
        body: &[u8],
        scrub: &Scrub,
    ) -> DecodeError {
        let excerpt = if holds_credentials(body) {
            "(withheld: the body holds credentials)".to_owned()
        } else {
            excerpt(&scrub.prefix(body, EXCERPT_LEN), EXCERPT_LEN)
        };
        DecodeError {
            operation_id,
            status,
            path: scrub.text(&path),
            message: scrub.text(&message),
            excerpt,
        }
    }

    /// The operation whose answer could not be decoded.
    pub fn operation_id(&self) -> &'static str {
        self.operation_id
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// Where in the body decoding failed, as a serde path like `entities[0].created`; `.`
    /// is the top level.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What was wrong there, as serde_json says it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The start of the body (at most 512 bytes, cut at a character boundary), or a note
    /// that it was withheld because the body holds a token, password or secret.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: could not decode the response", self.operation_id)?;
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        write!(f, " at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// A request that could not be encoded.
#[derive(Debug)]
pub struct EncodeError {
    message: Cow<'static, str>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl EncodeError {
    pub(crate) fn with_source(
        message: impl Into<Cow<'static, str>>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> EncodeError {
        EncodeError {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }

    /// What could not be encoded.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// What could not be encoded; the reason, if another error gave it, is the
/// [`source`](std::error::Error::source).
impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not encode the request: {}", self.message)
    }
}

impl std::error::Error for EncodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

/// Whether a body names a token, password or secret, so that no excerpt of it may be kept.
fn holds_credentials(body: &[u8]) -> bool {
    [&b"token"[..], b"password", b"secret"]
        .iter()
        .any(|needle| {
            body.windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
        })
}

/// The first `max` bytes of `body` as text, cut at a character boundary; bytes that are
/// not UTF-8 show as U+FFFD.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    if body.len() <= max {
        return String::from_utf8_lossy(body).into_owned();
    }
    let mut prefix = &body[..max];
    // Drop a multi-byte character cut in half by the limit, not genuinely invalid bytes.
    if let Err(e) = std::str::from_utf8(prefix) {
        if e.error_len().is_none() {
            prefix = &prefix[..e.valid_up_to()];
        }
    }
    String::from_utf8_lossy(prefix).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_at_char_boundary() {
        let body = "ü".repeat(300); // 600 bytes
        let e = excerpt(body.as_bytes(), 511);
        assert_eq!(e, "ü".repeat(255));
        assert_eq!(excerpt(body.as_bytes(), 512), "ü".repeat(256));
        assert_eq!(excerpt(b"short", 512), "short");
    }

    #[test]
    fn excerpt_of_binary_is_lossy() {
        let e = excerpt(&[0xff, 0xfe, b'a'], 512);
        assert_eq!(e, "\u{fffd}\u{fffd}a");
    }

    #[test]
    fn decode_excerpt_is_withheld_for_credentials() {
        for body in [
            &br#"{"access_token":"abc","expires_in":"x"}"#[..],
            br#"{"Password":1}"#,
            br#"{"share-secret":2}"#,
        ] {
            let e = DecodeError::new("op", None, ".".into(), "m".into(), body, &Scrub::default());
            assert!(e.excerpt().starts_with("(withheld"), "{}", e.excerpt());
        }
        let e = DecodeError::new(
            "op",
            None,
            ".".into(),
            "m".into(),
            br#"{"a":1}"#,
            &Scrub::default(),
        );
        assert_eq!(e.excerpt(), r#"{"a":1}"#);
    }

    #[test]
    fn api_error_decodes_easemob_body() {
        let raw = Bytes::from_static(
            br#"{"error":"service_resource_not_found","error_description":"Service resource not found","timestamp":1,"duration":0,"exception":"x"}"#,
        );
        let e = ApiError::new(
            "get_user",
            StatusCode::NOT_FOUND,
            raw,
            false,
            None,
            &Scrub::default(),
        );
        assert_eq!(e.code(), Some(&ErrorCode::ServiceResourceNotFound));
        assert_eq!(e.description(), Some("Service resource not found"));
        assert_eq!(
            e.to_string(),
            "get_user: HTTP 404 Not Found: service_resource_not_found: Service resource not found"
        );
    }

    #[test]
    fn api_error_keeps_unknown_codes_and_garbage() {
        let raw = Bytes::from_static(br#"{"error":"brand_new_code"}"#);
        let e = ApiError::new(
            "op",
            StatusCode::BAD_REQUEST,
            raw,
            false,
            None,
            &Scrub::default(),
        );
        assert_eq!(e.code(), Some(&ErrorCode::Unknown("brand_new_code".into())));

        let raw = Bytes::from_static(b"<html>bad gateway</html>");
        let e = ApiError::new(
            "op",
            StatusCode::BAD_GATEWAY,
            raw,
            false,
            None,
            &Scrub::default(),
        );
        assert!(e.body().is_none());
        assert_eq!(e.raw_body(), b"<html>bad gateway</html>");
        assert!(e.to_string().contains("<html>bad gateway</html>"), "{e}");
    }

    #[test]
    fn api_error_scrubs_secrets_and_shows_little() {
        let scrub = Scrub::new(["hunter2"]);
        let raw = Bytes::from(format!(
            r#"{{"error":"illegal_argument","error_description":"secret hunter2 {}"}}"#,
            "x".repeat(5000)
        ));
        let e = ApiError::new("op", StatusCode::BAD_REQUEST, raw, false, None, &scrub);
        assert_eq!(e.code(), Some(&ErrorCode::IllegalArgument));
        assert!(e.description().unwrap().starts_with("secret ***"));
        for shown in [e.to_string(), format!("{e:?}")] {
            assert!(!shown.contains("hunter2"), "{shown}");
            assert!(shown.len() < 2 * SHOWN_LEN, "{} bytes", shown.len());
        }
        // Cut by the size limit in the middle of the secret.
        let raw = Bytes::from_static(b"<html>hunter");
        let e = ApiError::new("op", StatusCode::BAD_GATEWAY, raw, true, None, &scrub);
        assert_eq!(e.raw_body(), b"<html>");
    }

    #[test]
    fn decode_error_scrubs_path_message_and_excerpt() {
        let scrub = Scrub::new(["hunter2"]);
        let body = format!("{}hunter2", " ".repeat(EXCERPT_LEN - 3));
        let e = DecodeError::new(
            "op",
            None,
            "a.hunter2".into(),
            "invalid value hunter2".into(),
            body.as_bytes(),
            &scrub,
        );
        assert_eq!(e.path(), "a.***");
        assert_eq!(e.message(), "invalid value ***");
        assert!(e.excerpt().ends_with("***"), "{:?}", e.excerpt());
        assert!(!format!("{e} {e:?}").contains("hunt"));
    }

    #[test]
    fn error_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<Error>();
    }
}
