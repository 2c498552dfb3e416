//! One API call as plain data: [`OperationRequest`] is made by a generated builder (or by
//! hand, for an endpoint the crate does not cover yet) and handed to
//! [`Client::execute`](crate::Client::execute) and its siblings, which add the base URL, the
//! app token, retries, rate limiting and tracing.
//!
//! ```no_run
//! # async fn demo(client: easemob_im::Client) -> Result<(), easemob_im::Error> {
//! use easemob_im::path::encode_segment;
//! use easemob_im::request::OperationRequest;
//!
//! let req = OperationRequest::new(
//!     "get_user_online_status",
//!     reqwest::Method::GET,
//!     "/users/{username}/status",
//!     format!("/users/{}/status", encode_segment("alice")),
//! );
//! let body: serde_json::Value = client.execute_json(req).await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;

use crate::error::EncodeError;
use crate::files::FileSource;
use crate::Error;

/// Everything needed to make one API call.
///
/// Its `Debug` output leaves out header values and body contents, which may hold secrets
/// (a `share-secret` header, a password in a body).
pub struct OperationRequest {
    /// The operation's id, such as `"get_user"`: names the tracing span and errors.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path with placeholders, such as `"/users/{username}"`, relative to
    /// `/{org_name}/{app_name}`. Recorded in traces instead of the concrete path, and
    /// (with the method) keys the client-side rate limiter.
    pub path_template: &'static str,
    /// The concrete path, relative to `/{org_name}/{app_name}`, with every parameter
    /// already encoded by [`encode_segment`](crate::path::encode_segment), such as
    /// `"/users/alice%2Fx"`.
    pub path: String,
    /// Query parameters, not yet encoded; a value that is a list is its items joined with `,`.
    pub query: Vec<(&'static str, String)>,
    /// Extra headers. `Authorization` and `User-Agent` are set by the client.
    pub headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Body,
    /// Whether sending the request twice does no harm, so it may be retried.
    pub idempotent: bool,
    /// Whether to send the app token (false only for the token endpoint itself).
    pub auth: bool,
    /// The documented rate limit, used by the opt-in client-side limiter.
    pub rate_limit: RateLimit,
}

/// Checks that a list of `count` items named `name` holds between `min` and `max` of them
/// (the spec's `min_items` and `max_items`), before a request is sent.
pub fn check_items(name: &str, count: usize, min: Option<usize>, max: Option<usize>) -> Result<(), Error> {
    let range = match (min, max) {
        (Some(low), Some(high)) if !(low..=high).contains(&count) => format!("between {low} and {high}"),
        (Some(low), None) if count < low => format!("at least {low}"),
        (None, Some(high)) if count > high => format!("at most {high}"),
        _ => return Ok(()),
    };
    Err(Error::encode(format!("{name} must hold {range} items, not {count}")))
}

impl OperationRequest {
    /// A request without query, headers or body, that needs the app token, is idempotent
    /// unless the method is `POST` or `PATCH`, and has the API's default rate limit.
    pub fn new(
        operation_id: &'static str,
        method: Method,
        path_template: &'static str,
        path: impl Into<String>,
    ) -> OperationRequest {
        let idempotent = !matches!(method, Method::POST | Method::PATCH);
        OperationRequest {
            operation_id,
            method,
            path_template,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
            idempotent,
            auth: true,
            rate_limit: RateLimit::DEFAULT,
        }
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> OperationRequest {
        self.query.push((name, value.into()));
        self
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> OperationRequest {
        self.headers.push((name, value.into()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Body) -> OperationRequest {
        self.body = body;
        self
    }

    /// Sets whether the request may be retried.
    pub fn idempotent(mut self, idempotent: bool) -> OperationRequest {
        self.idempotent = idempotent;
        self
    }

    /// Sets the rate limit.
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> OperationRequest {
        self.rate_limit = rate_limit;
        self
    }
}

/// A documented rate limit: at most `count` requests every `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// Requests allowed per period. 0 means no limit.
    pub count: u32,
    /// The period.
    pub per: Duration,
}

impl RateLimit {
    /// The API's default: 100 requests per second.
    pub const DEFAULT: RateLimit = RateLimit::per_second(100);

    /// `count` requests per second.
    pub const fn per_second(count: u32) -> RateLimit {
        RateLimit {
            count,
            per: Duration::from_secs(1),
        }
    }

    /// `count` requests per minute.
    pub const fn per_minute(count: u32) -> RateLimit {
        RateLimit {
            count,
            per: Duration::from_secs(60),
        }
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::DEFAULT
    }
}

/// A request body. Its `Debug` output shows the kind and size, not the contents.
#[derive(Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// `application/json`, already serialized.
    Json(Bytes),
    /// `application/x-www-form-urlencoded`, already encoded.
    Form(Bytes),
    /// `multipart/form-data`.
    Multipart(Multipart),
}

impl Body {
    /// Serializes `value` as JSON.
    pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        serde_json::to_vec(value)
            .map(|v| Body::Json(Bytes::from(v)))
            .map_err(|e| Error::Encode(EncodeError::with_source("JSON body", e)))
    }

    /// Encodes `value` as `application/x-www-form-urlencoded`, fields in order.
    ///
    /// `value` must be flat: a struct, a map, or a sequence of pairs, whose values are
    /// strings, numbers, booleans or unit enum variants. `None` fields are left out. Nested
    /// values and sequences are refused with [`Error::Encode`].
    pub fn form<T: Serialize + ?Sized>(value: &T) -> Result<Body, Error> {
        serde_urlencoded::to_string(value)
            .map(|text| Body::Form(Bytes::from(text)))
            .map_err(|e| Error::Encode(EncodeError::with_source("form body", e)))
    }

    /// Whether the body can be sent more than once (false if it reads from a one-shot
    /// reader).
    pub fn is_replayable(&self) -> bool {
        match self {
            Body::Multipart(m) => m.is_replayable(),
            _ => true,
        }
    }
}

/// A `multipart/form-data` body: text fields and files, sent in the order added.
#[derive(Default)]
pub struct Multipart {
    parts: Vec<(&'static str, Part)>,
}

enum Part {
    Text(String),
    File(FileSource),
}

impl Multipart {
    /// An empty body.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Adds a text field.
    pub fn text(mut self, name: &'static str, value: String) -> Multipart {
        self.parts.push((name, Part::Text(value)));
        self
    }

    /// Adds a file.
    pub fn file(mut self, name: &'static str, file: FileSource) -> Multipart {
        self.parts.push((name, Part::File(file)));
        self
    }

    /// Whether every file can be read again (none comes from a one-shot reader).
    pub fn is_replayable(&self) -> bool {
        self.parts.iter().all(|(_, part)| match part {
            Part::Text(_) => true,
            Part::File(file) => file.is_replayable(),
        })
    }

    /// Builds the reqwest form for one attempt: opens files, takes readers.
    pub(crate) async fn make_form(&mut self) -> Result<reqwest::multipart::Form, Error> {
        let mut form = reqwest::multipart::Form::new();
        for (name, part) in &mut self.parts {
            form = match part {
                Part::Text(value) => form.text(*name, value.clone()),
                Part::File(file) => form.part(*name, file.make_part().await?),
            };
        }
        Ok(form)
    }
}

impl fmt::Debug for OperationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("OperationRequest")
            .field("operation_id", &self.operation_id)
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &header_names)
            .field("body", &self.body)
            .field("idempotent", &self.idempotent)
            .field("auth", &self.auth)
            .field("rate_limit", &self.rate_limit)
            .finish()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Json(bytes) => write!(f, "Json({} bytes)", bytes.len()),
            Body::Form(bytes) => write!(f, "Form({} bytes)", bytes.len()),
            Body::Multipart(multipart) => fmt::Debug::fmt(multipart, f),
        }
    }
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, part) in &self.parts {
            match part {
                Part::Text(value) => {
                    list.entry(&format_args!("{name}: text ({} bytes)", value.len()))
                }
                Part::File(file) => list.entry(&format_args!("{name}: {file:?}")),
            };
        }
        list.finish()
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {:?}", self.count, self.per)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn form_text(body: Body) -> String {
        match body {
            Body::Form(bytes) => String::from_utf8(bytes.to_vec()).unwrap(),
            other => panic!("not a form: {other:?}"),
        }
    }

    #[test]
    fn form_from_struct() {
        #[derive(Serialize)]
        struct F {
            name: &'static str,
            age: u32,
            ok: bool,
            gone: Option<String>,
            here: Option<i64>,
        }
        let body = Body::form(&F {
            name: "a b&c=ü",
            age: 3,
            ok: true,
            gone: None,
            here: Some(-1),
        })
        .unwrap();
        assert_eq!(
            form_text(body),
            "name=a+b%26c%3D%C3%BC&age=3&ok=true&here=-1"
        );
    }

    #[test]
    fn form_from_map() {
        let mut map = BTreeMap::new();
        map.insert("k", "v");
        assert_eq!(form_text(Body::form(&map).unwrap()), "k=v");
    }

    #[test]
    fn form_refuses_nested_and_non_maps() {
        let nested = serde_json::json!({"a": {"b": 1}});
        assert!(matches!(Body::form(&nested), Err(Error::Encode(_))));
        let list = serde_json::json!({"a": [1, 2]});
        assert!(matches!(Body::form(&list), Err(Error::Encode(_))));
        assert!(matches!(Body::form(&5), Err(Error::Encode(_))));
    }

    #[test]
    fn json_body() {
        match Body::json(&serde_json::json!({"a": 1})).unwrap() {
            Body::Json(bytes) => assert_eq!(&bytes[..], br#"{"a":1}"#),
            other => panic!("{other:?}"),
        }
        let mut bad = BTreeMap::new();
        bad.insert(vec![1u8], 1);
        assert!(matches!(Body::json(&bad), Err(Error::Encode(_))));
    }

    #[test]
    fn defaults() {
        let r = OperationRequest::new("a", Method::POST, "/x", "/x");
        assert!(!r.idempotent && r.auth);
        let r = OperationRequest::new("a", Method::DELETE, "/x", "/x").header("Accept", "x");
        assert!(r.idempotent);
        assert_eq!(r.headers, vec![("Accept", "x".to_owned())]);
        assert_eq!(r.rate_limit, RateLimit::per_second(100));
    }

    #[test]
    fn debug_hides_header_values_and_bodies() {
        let req = OperationRequest::new("a", Method::POST, "/x", "/x")
            .header("share-secret", "HEADER-SECRET")
            .body(Body::json(&serde_json::json!({"password": "BODY-SECRET"})).unwrap());
        let shown = format!("{req:?}");
        assert!(
            shown.contains("share-secret") && shown.contains("Json(26 bytes)"),
            "{shown}"
        );
        assert!(!shown.contains("SECRET"), "{shown}");
        let m = Multipart::new()
            .text("pw", "TEXT-SECRET".into())
            .file("f", FileSource::bytes("a.txt", "FILE-SECRET"));
        let shown = format!("{:?}", Body::Multipart(m));
        assert!(
            shown.contains("pw: text (11 bytes)") && shown.contains("a.txt"),
            "{shown}"
        );
        assert!(!shown.contains("SECRET"), "{shown}");
    }

    #[test]
    fn multipart_replayability() {
        let m = Multipart::new()
            .text("a", "b".into())
            .file("f", FileSource::bytes("x", "y"));
        assert!(m.is_replayable());
        let m = m.file("g", FileSource::reader("r", tokio::io::empty()));
        assert!(!Body::Multipart(m).is_replayable());
    }
}
