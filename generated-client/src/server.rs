//! Server stubs (feature `server`): implement [`EasemobApi`] — one async method per
//! operation, each receiving a decoded and validated input — and serve it with [`router`].
//!
//! ```no_run
//! use std::sync::Arc;
//! use easemob_im::server::{inputs::GetUserInput, EasemobApi, RequestContext, ServerError};
//! use easemob_im::models::{User, UserEntitiesResponse};
//!
//! struct Fake;
//!
//! impl EasemobApi for Fake {
//!     async fn get_user(&self, _ctx: RequestContext, input: GetUserInput) -> Result<UserEntitiesResponse, ServerError> {
//!         Ok(UserEntitiesResponse::new().with_entities(vec![User::new().with_username(input.username)]))
//!     }
//! }
//!
//! # async fn serve() {
//! let app = easemob_im::server::router(Arc::new(Fake));
//! // Every other operation answers 501 with an Easemob error body.
//! # let _ = app;
//! # }
//! ```
//!
//! The generated part (the trait, the inputs, routing and decoding) lives in `src/gen/server.rs`;
//! this module holds what does not vary with the spec: the error type, request parsing and
//! the response helpers the generated code calls.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::files::FileSource;
use crate::models::{ErrorCode, ErrorResponse};

pub use crate::gen::server::EasemobApi;

/// The decoded input of each operation, named `<Operation>Input`.
pub mod inputs {
    pub use crate::gen::server::inputs::*;
}

/// Largest request body the router reads for an authenticated request.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Largest request body the router reads before the caller is known (the token requests,
/// whose bodies are a few hundred bytes).
const MAX_ANONYMOUS_BODY_BYTES: usize = 64 * 1024;

/// How long the router waits for a request's body once it starts reading it; past that it
/// answers `408`. Put it in the request's extensions, for example with
/// `router.layer(axum::Extension(BodyReadTimeout(Duration::from_secs(30))))`; without it
/// the router waits as long as the connection lives. The mock's server sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyReadTimeout(pub Duration);

/// Which body size limit applies to a request.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    /// The caller was authenticated from the head: 16 MiB.
    Authenticated,
    /// No token was checked yet (`POST /token`): 64 KiB.
    Anonymous,
}

impl BodyLimit {
    fn bytes(self) -> usize {
        match self {
            BodyLimit::Authenticated => MAX_BODY_BYTES,
            BodyLimit::Anonymous => MAX_ANONYMOUS_BODY_BYTES,
        }
    }
}

/// Who is calling, and for which app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestContext {
    /// The operation the request was routed to. [`EasemobApi::authenticate`] runs before
    /// the body is read; for operations that share a method and path and are told apart by
    /// their body, it sees the name of their variant set instead (such as `get_token`).
    pub operation_id: &'static str,
    /// The org name from the path.
    pub org_name: String,
    /// The app name from the path.
    pub app_name: String,
    /// The token of an `Authorization: Bearer ...` header.
    pub bearer_token: Option<String>,
}

/// An Easemob error answer: an HTTP status and the standard error body.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerError {
    /// The HTTP status.
    pub status: u16,
    /// The body: `error`, `exception`, `error_description`, `timestamp`, `duration`.
    pub body: ErrorResponse,
}

impl ServerError {
    /// An error with `status`, `code` and a description.
    pub fn new(status: u16, code: ErrorCode, description: impl Into<String>) -> ServerError {
        let exception = match status {
            400 => "java.lang.IllegalArgumentException",
            401 => "UnauthorizedException",
            403 => "ForbiddenOperationException",
            404 => "EntityNotFoundException",
            _ => "ServiceException",
        };
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        ServerError {
            status,
            body: ErrorResponse::new(code)
                .with_exception(exception)
                .with_error_description(description.into())
                .with_timestamp(timestamp)
                .with_duration(0),
        }
    }

    /// 400 `illegal_argument`.
    pub fn bad_request(description: impl Into<String>) -> ServerError {
        ServerError::new(400, ErrorCode::IllegalArgument, description)
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(description: impl Into<String>) -> ServerError {
        ServerError::new(401, ErrorCode::Unauthorized, description)
    }

    /// 403 `forbidden_op`.
    pub fn forbidden(description: impl Into<String>) -> ServerError {
        ServerError::new(403, ErrorCode::ForbiddenOp, description)
    }

    /// 404 `service_resource_not_found`.
    pub fn not_found(description: impl Into<String>) -> ServerError {
        ServerError::new(404, ErrorCode::ServiceResourceNotFound, description)
    }

    /// 413 `Request Entity Too Large`.
    pub fn too_large(limit: usize) -> ServerError {
        ServerError::new(
            413,
            ErrorCode::RequestEntityTooLarge,
            format!("Request Entity Too Large: the body may have at most {limit} bytes"),
        )
    }

    /// 501 for an operation the implementation does not provide.
    pub fn not_implemented(operation_id: &str) -> ServerError {
        ServerError::new(
            501,
            ErrorCode::UnsupportedServiceOperation,
            format!("the operation `{operation_id}` is not implemented by this server"),
        )
    }
}

impl IntoResponse for ServerError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(status, &self.body)
    }
}

/// What the trait's default methods answer for operations an implementation leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fallback {
    /// 501 with an Easemob error body.
    #[default]
    NotImplemented,
    /// The spec's example response of the operation (empty bytes for downloads).
    Example,
}

/// A binary response body, for download operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// The `Content-Type` of the answer.
    pub content_type: String,
    /// The bytes.
    pub data: Bytes,
}

/// Serves `api`: every operation under `/{org_name}/{app_name}/...`. Requests are routed by
/// method and path, authenticated with [`EasemobApi::authenticate`] from their head, and
/// only then is the body read (at most 16 MiB; 64 KiB for the token requests, which need
/// no token; within [`BodyReadTimeout`] if the request carries one), the variant chosen
/// (for operations sharing a method and path), and the input decoded and validated against
/// the spec. Problems are answered in the Easemob error format; a wrong method gets `405`
/// with `Allow`.
pub fn router<A: EasemobApi>(api: Arc<A>) -> axum::Router {
    axum::Router::new().fallback(move |request: Request<Body>| {
        let api = api.clone();
        async move {
            match Incoming::head(request) {
                Ok(incoming) => crate::gen::server::dispatch(&*api, incoming).await,
                Err(error) => error.into_response(),
            }
        }
    })
}

/// A request as the generated dispatch sees it.
#[doc(hidden)]
#[derive(Debug)]
pub struct Incoming {
    pub(crate) method: Method,
    /// Raw (still percent-encoded) path segments.
    pub(crate) segments: Vec<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: HeaderMap,
    /// Empty until [`read_body`](Self::read_body).
    pub(crate) body: Bytes,
    /// The body until it is read. In a `Mutex` only so that `Incoming` is `Sync` (the
    /// generated code holds `&Incoming` across awaits); it is taken with `&mut self`,
    /// never locked.
    unread: std::sync::Mutex<Option<Body>>,
    body_timeout: Option<Duration>,
}

impl Incoming {
    /// The request's head; the body stays unread.
    fn head(request: Request<Body>) -> Result<Incoming, ServerError> {
        let (parts, body) = request.into_parts();
        let segments: Vec<String> = parts
            .uri
            .path()
            .trim_start_matches('/')
            .split('/')
            .map(str::to_owned)
            .collect();
        // A client or proxy would have resolved these; which resource is meant is unclear.
        // Percent-encoded (`%2E%2E`), they are values and reach their resource.
        if segments.iter().any(|s| s == "." || s == "..") {
            return Err(ServerError::bad_request(
                "the path has a `.` or `..` segment; percent-encode such values (`%2E`, `%2E%2E`)",
            ));
        }
        let query = parts
            .uri
            .query()
            .map(|q| form_urlencoded_pairs(q.as_bytes()))
            .unwrap_or_default();
        Ok(Incoming {
            method: parts.method,
            segments,
            query,
            headers: parts.headers,
            body: Bytes::new(),
            unread: std::sync::Mutex::new(Some(body)),
            body_timeout: parts.extensions.get::<BodyReadTimeout>().map(|t| t.0),
        })
    }

    pub(crate) fn method(&self) -> &Method {
        &self.method
    }

    /// The raw path segments, taken out so that the dispatch can borrow them while it
    /// reads the body.
    pub(crate) fn take_segments(&mut self) -> Vec<String> {
        std::mem::take(&mut self.segments)
    }

    /// Runs [`EasemobApi::authenticate`] from the head; the answer to send if it fails.
    pub(crate) async fn authenticate<A: EasemobApi>(
        &self,
        api: &A,
        operation_id: &'static str,
        base: &[&str],
    ) -> Result<(), Response> {
        let (Some(org), Some(app)) = (base.first(), base.get(1)) else {
            return Err(ServerError::not_found("Service resource not found").into_response());
        };
        let ctx = self
            .context(operation_id, org, app)
            .map_err(IntoResponse::into_response)?;
        api.authenticate(&ctx)
            .await
            .map_err(IntoResponse::into_response)
    }

    /// Reads the body, at most `limit` bytes (refused from `Content-Length` when it says
    /// more) and within the request's [`BodyReadTimeout`]; the answer to send if that
    /// fails.
    pub(crate) async fn read_body(&mut self, limit: BodyLimit) -> Result<(), Response> {
        let unread = self.unread.get_mut().unwrap_or_else(|e| e.into_inner());
        let Some(body) = unread.take() else {
            return Ok(());
        };
        let max = limit.bytes();
        let declared = self
            .header("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|len| len > max as u64) {
            return Err(ServerError::too_large(max).into_response());
        }
        let read = async {
            let mut stream = body.into_data_stream();
            let mut buffer = BytesMut::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk
                    .map_err(|_| ServerError::bad_request("the request body could not be read"))?;
                if buffer.len() + chunk.len() > max {
                    return Err(ServerError::too_large(max));
                }
                buffer.extend_from_slice(&chunk);
            }
            Ok(buffer.freeze())
        };
        let read = match self.body_timeout {
            Some(timeout) => tokio::time::timeout(timeout, read)
                .await
                .unwrap_or_else(|_| {
                    Err(ServerError::new(
                        408,
                        ErrorCode::IllegalArgument,
                        format!("Request Timeout: the body did not arrive within {timeout:?}"),
                    ))
                }),
            None => read.await,
        };
        self.body = read.map_err(IntoResponse::into_response)?;
        Ok(())
    }

    pub(crate) fn context(
        &self,
        operation_id: &'static str,
        org: &str,
        app: &str,
    ) -> Result<RequestContext, ServerError> {
        let bearer_token = self
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_owned());
        Ok(RequestContext {
            operation_id,
            org_name: path_text(org)?,
            app_name: path_text(app)?,
            bearer_token,
        })
    }

    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub(crate) fn body_is_array(&self) -> bool {
        matches!(self.json(), Some(serde_json::Value::Array(_)))
    }

    pub(crate) fn body_is_object(&self) -> bool {
        matches!(self.json(), Some(serde_json::Value::Object(_)))
    }

    /// Whether the JSON body has `path`, equal to `equals` (JSON text) when given.
    pub(crate) fn body_field_matches(&self, path: &[&str], equals: Option<&str>) -> bool {
        let Some(mut value) = self.json() else {
            return false;
        };
        for key in path {
            match value.get_mut(*key) {
                Some(inner) => value = inner.take(),
                None => return false,
            }
        }
        match equals {
            None => !value.is_null(),
            Some(text) => serde_json::from_str::<serde_json::Value>(text)
                .is_ok_and(|expected| expected == value),
        }
    }
}

fn form_urlencoded_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes).unwrap_or_default()
}

/// Whether a header or query value is present and, when `equals` is given, equal to it.
pub(crate) fn value_matches(value: Option<&str>, equals: Option<&str>) -> bool {
    match (value, equals) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(v), Some(e)) => v.eq_ignore_ascii_case(e),
    }
}

/// A percent-decoded path segment.
pub(crate) fn path_text(raw: &str) -> Result<String, ServerError> {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ServerError::bad_request("a path segment is not valid UTF-8"))
}

/// A percent-decoded comma-separated path segment.
pub(crate) fn path_list(raw: &str) -> Result<Vec<String>, ServerError> {
    raw.split(',')
        .filter(|s| !s.is_empty())
        .map(path_text)
        .collect()
}

/// Parses a parameter's text as the type the spec gives it.
pub(crate) trait FromParam: Sized {
    fn from_param(name: &str, text: &str) -> Result<Self, String>;
}

impl FromParam for String {
    fn from_param(_: &str, text: &str) -> Result<Self, String> {
        Ok(text.to_owned())
    }
}

impl FromParam for i64 {
    fn from_param(name: &str, text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("`{name}` must be an integer, not `{text}`"))
    }
}

impl FromParam for f64 {
    fn from_param(name: &str, text: &str) -> Result<Self, String> {
        text.trim()
            .parse()
            .map_err(|_| format!("`{name}` must be a number, not `{text}`"))
    }
}

impl FromParam for bool {
    fn from_param(name: &str, text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!("`{name}` must be true or false, not `{text}`")),
        }
    }
}

impl<T: FromParam> FromParam for Vec<T> {
    fn from_param(name: &str, text: &str) -> Result<Self, String> {
        text.split(',')
            .filter(|s| !s.is_empty())
            .map(|item| T::from_param(name, item))
            .collect()
    }
}

/// Reads an optional parameter, collecting a parse problem.
pub(crate) fn optional<T: FromParam>(
    name: &str,
    text: Option<&str>,
    problems: &mut Vec<String>,
) -> Option<T> {
    let text = text?;
    match T::from_param(name, text) {
        Ok(value) => Some(value),
        Err(problem) => {
            problems.push(problem);
            None
        }
    }
}

/// Documented limits, checked on decoded values.
pub(crate) trait Validate {
    fn validate(&self, path: &str, problems: &mut Vec<String>);
}

macro_rules! no_constraints {
    ($($t:ty),*) => {$(impl Validate for $t { fn validate(&self, _: &str, _: &mut Vec<String>) {} })*};
}
no_constraints!(String, i64, f64, bool, serde_json::Value, FileSource, std::time::Duration, crate::units::Lasting);

impl<T: Validate> Validate for Option<T> {
    fn validate(&self, path: &str, problems: &mut Vec<String>) {
        if let Some(value) = self {
            value.validate(path, problems);
        }
    }
}

impl<T: Validate> Validate for Vec<T> {
    fn validate(&self, path: &str, problems: &mut Vec<String>) {
        for (i, item) in self.iter().enumerate() {
            item.validate(&format!("{path}[{i}]"), problems);
        }
    }
}

impl<T: Validate> Validate for BTreeMap<String, T> {
    fn validate(&self, path: &str, problems: &mut Vec<String>) {
        for (key, item) in self {
            item.validate(&child(path, key), problems);
        }
    }
}

/// `path.key`, or `key` at the root.
pub(crate) fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// What a documented limit applies to.
pub(crate) trait Measure {
    fn measure(&self) -> Option<f64>;
}

impl Measure for String {
    fn measure(&self) -> Option<f64> {
        Some(self.chars().count() as f64)
    }
}

impl Measure for i64 {
    fn measure(&self) -> Option<f64> {
        Some(*self as f64)
    }
}

impl Measure for f64 {
    fn measure(&self) -> Option<f64> {
        Some(*self)
    }
}

impl<T> Measure for Vec<T> {
    fn measure(&self) -> Option<f64> {
        Some(self.len() as f64)
    }
}

impl<T: Measure> Measure for Option<T> {
    fn measure(&self) -> Option<f64> {
        self.as_ref().and_then(Measure::measure)
    }
}

/// Checks `value` against a lower and upper bound on its length, size or count.
pub(crate) fn check_bounds(
    path: &str,
    value: &impl Measure,
    low: Option<f64>,
    high: Option<f64>,
    what: &str,
    problems: &mut Vec<String>,
) {
    let Some(n) = value.measure() else { return };
    if low.is_some_and(|low| n < low) || high.is_some_and(|high| n > high) {
        let range = match (low, high) {
            (Some(l), Some(h)) => format!("between {l} and {h}"),
            (Some(l), None) => format!("at least {l}"),
            (None, Some(h)) => format!("at most {h}"),
            (None, None) => String::new(),
        };
        problems.push(format!("`{path}` must have {what} {range}, not {n}"));
    }
}

/// The problems found, as one 400 answer.
pub(crate) fn problems_to_error(problems: Vec<String>) -> Result<(), ServerError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServerError::bad_request(problems.join("; ")))
    }
}

/// Decodes a JSON body; the error names the field that is wrong.
pub(crate) fn json_body<T: DeserializeOwned>(incoming: &Incoming) -> Result<T, ServerError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(&incoming.body);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let code = if e.inner().is_syntax() || e.inner().is_eof() {
            ErrorCode::JsonParse
        } else {
            ErrorCode::IllegalArgument
        };
        ServerError::new(
            400,
            code,
            format!("invalid request body at `{path}`: {}", e.inner()),
        )
    })
}

/// Decodes an `application/x-www-form-urlencoded` body.
pub(crate) fn form_body<T: DeserializeOwned>(incoming: &Incoming) -> Result<T, ServerError> {
    serde_urlencoded::from_bytes(&incoming.body)
        .map_err(|e| ServerError::bad_request(format!("invalid form body: {e}")))
}

/// The parts of a `multipart/form-data` body.
pub(crate) struct Parts {
    parts: Vec<(String, Option<String>, Option<String>, Bytes)>,
}

impl Parts {
    pub(crate) async fn read(incoming: &Incoming) -> Result<Parts, ServerError> {
        let content_type = incoming
            .header("content-type")
            .unwrap_or_default()
            .to_owned();
        let request = Request::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(incoming.body.clone()))
            .map_err(|e| ServerError::bad_request(e.to_string()))?;
        let mut multipart =
            <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(
                request,
                &(),
            )
            .await
            .map_err(|e| {
                ServerError::bad_request(format!("invalid multipart body: {}", e.body_text()))
            })?;
        let mut parts = Vec::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ServerError::bad_request(format!("invalid multipart body: {e}")))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let file_name = field.file_name().map(str::to_owned);
            let content_type = field.content_type().map(str::to_owned);
            let data = field
                .bytes()
                .await
                .map_err(|e| ServerError::bad_request(format!("invalid multipart body: {e}")))?;
            parts.push((name, file_name, content_type, data));
        }
        Ok(Parts { parts })
    }

    fn get(&self, name: &str) -> Option<&(String, Option<String>, Option<String>, Bytes)> {
        self.parts.iter().find(|(n, ..)| n == name)
    }

    /// A file part.
    pub(crate) fn file(
        &self,
        name: &str,
        required: bool,
        problems: &mut Vec<String>,
    ) -> Option<FileSource> {
        match self.get(name) {
            Some((_, file_name, content_type, data)) => {
                let mut source = FileSource::bytes(
                    file_name.clone().unwrap_or_else(|| name.to_owned()),
                    data.clone(),
                );
                if let Some(content_type) = content_type {
                    source = source.with_content_type(content_type.clone());
                }
                Some(source)
            }
            None => {
                if required {
                    problems.push(format!("the multipart part `{name}` is required"));
                }
                None
            }
        }
    }

    /// A text part, parsed.
    pub(crate) fn text<T: FromParam>(&self, name: &str, problems: &mut Vec<String>) -> Option<T> {
        let (_, _, _, data) = self.get(name)?;
        let text = String::from_utf8_lossy(data);
        optional(name, Some(&text), problems)
    }
}

fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (status, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => ServerError::new(
            500,
            ErrorCode::Unknown("internal_error".into()),
            e.to_string(),
        )
        .into_response(),
    }
}

/// Answers a JSON operation.
pub(crate) fn respond_json<T: Serialize>(result: Result<T, ServerError>) -> Response {
    match result {
        Ok(body) => json_response(StatusCode::OK, &body),
        Err(error) => error.into_response(),
    }
}

/// Answers an operation without a response body.
#[allow(dead_code)] // called by generated code only when the spec has such an operation
pub(crate) fn respond_empty(result: Result<(), ServerError>) -> Response {
    match result {
        Ok(()) => StatusCode::OK.into_response(),
        Err(error) => error.into_response(),
    }
}

/// Answers a download.
pub(crate) fn respond_binary(result: Result<Binary, ServerError>) -> Response {
    match result {
        Ok(binary) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, binary.content_type)],
            binary.data,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}

/// 404 for a path no operation has (`allowed` empty); 405 with `Allow` for a known path
/// with another method.
pub(crate) fn no_route(allowed: &[&str]) -> Response {
    if allowed.is_empty() {
        return ServerError::not_found("Service resource not found").into_response();
    }
    let allow = allowed.join(", ");
    let mut response = ServerError::new(
        405,
        ErrorCode::UnsupportedServiceOperation,
        format!("Service operation not supported; this path allows {allow}"),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The answer when a request on a shared route matches none of its variants: a body that
/// is not JSON is a `json_parse` error, anything else an `illegal_argument`.
pub(crate) fn no_variant(incoming: &Incoming) -> Response {
    let error = if !incoming.body.is_empty()
        && serde_json::from_slice::<serde_json::Value>(&incoming.body).is_err()
    {
        ServerError::new(
            400,
            ErrorCode::JsonParse,
            "the request body is not valid JSON",
        )
    } else {
        ServerError::bad_request("the request matches none of the operations on this path")
    };
    error.into_response()
}

/// What the default trait methods answer.
pub(crate) fn fallback<T: DeserializeOwned>(
    mode: Fallback,
    operation_id: &str,
    example: Option<&str>,
) -> Result<T, ServerError> {
    match mode {
        Fallback::NotImplemented => Err(ServerError::not_implemented(operation_id)),
        Fallback::Example => serde_json::from_str(example.unwrap_or("null")).map_err(|e| {
            ServerError::new(
                500,
                ErrorCode::Unknown("internal_error".into()),
                format!("the example of `{operation_id}` does not decode: {e}"),
            )
        }),
    }
}

/// What the default trait methods of downloads answer.
pub(crate) fn fallback_binary(
    mode: Fallback,
    operation_id: &str,
    content_type: &str,
) -> Result<Binary, ServerError> {
    match mode {
        Fallback::NotImplemented => Err(ServerError::not_implemented(operation_id)),
        Fallback::Example => Ok(Binary {
            content_type: content_type.to_owned(),
            data: Bytes::new(),
        }),
    }
}
