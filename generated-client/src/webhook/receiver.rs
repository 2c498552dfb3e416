//! axum routers that receive Easemob's callbacks: [`post_send`] hands each event to an async
//! handler and answers `200` at once; [`pre_send`] asks a handler for a [`Decision`] and
//! answers it. Both check the signature first: `401` when it is missing or wrong, `400`
//! when the body is not a JSON object, and the handler never sees such a request.
//!
//! ```
//! use easemob_im::axum::Router;
//! use easemob_im::callbacks::CallbackEvent;
//! use easemob_im::webhook::receiver::{self, Decision};
//!
//! let app: Router = Router::new()
//!     .nest("/easemob/events", receiver::post_send("the rule's secret", |event: CallbackEvent| async move {
//!         println!("{:?} from {:?}", event.name(), event.from());
//!     }))
//!     .nest("/easemob/pre-send", receiver::pre_send("the rule's secret", |event: CallbackEvent| async move {
//!         match event {
//!             CallbackEvent::ChatMessage(_) | CallbackEvent::GroupchatMessage(_) => Decision::Allow,
//!             _ => Decision::Reject { code: Some("not a message".into()) },
//!         }
//!     }));
//! ```

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

use super::{verify, Freshness, ReplayGuard, WebhookError, MAX_REPLY_CHARS};
use crate::callbacks::CallbackEvent;
use crate::Secret;

/// What to do with a message a pre-send callback asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Deliver it unchanged.
    Allow,
    /// Do not deliver it. The sender's client shows `code` as the error; without a code it
    /// shows Easemob's default text (`custom logic denied`).
    Reject {
        /// The error the sender's client shows.
        code: Option<String>,
    },
    /// Deliver it as a text message with this text instead (Easemob rewrites text only).
    Rewrite {
        /// The new text.
        text: String,
    },
}

/// The most a rewritten message may weigh, in bytes of its JSON payload (1 KB).
pub const MAX_REWRITE_BYTES: usize = 1024;

/// A decision Easemob would not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReplyError {
    /// The reply would be longer than the [`MAX_REPLY_CHARS`] Easemob accepts.
    TooLong {
        /// The reply's length in characters.
        chars: usize,
    },
    /// The rewritten message would weigh more than [`MAX_REWRITE_BYTES`].
    RewriteTooLarge {
        /// The payload's size in bytes.
        bytes: usize,
    },
}

impl std::fmt::Display for ReplyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplyError::TooLong { chars } => write!(f, "the pre-send reply would be {chars} characters; Easemob accepts at most {MAX_REPLY_CHARS}"),
            ReplyError::RewriteTooLarge { bytes } => write!(f, "the rewritten message would be {bytes} bytes; Easemob accepts at most {MAX_REWRITE_BYTES}"),
        }
    }
}

impl std::error::Error for ReplyError {}

impl Decision {
    /// The reply body Easemob expects: `{"valid": ...}`, with `code` for a rejection and
    /// the rewritten `payload` (the request's payload with one text body) for a rewrite.
    /// Fails when it would be longer than Easemob accepts, or the rewritten message larger.
    pub fn reply(&self, request_payload: Option<&Value>) -> Result<String, ReplyError> {
        let reply = match self {
            Decision::Allow => json!({"valid": true}),
            Decision::Reject { code: None } => json!({"valid": false}),
            Decision::Reject { code: Some(code) } => json!({"valid": false, "code": code}),
            Decision::Rewrite { text } => {
                let mut payload = request_payload.filter(|p| p.is_object()).cloned().unwrap_or_else(|| json!({}));
                payload["bodies"] = json!([{"type": "txt", "msg": text}]);
                let bytes = payload.to_string().len();
                if bytes > MAX_REWRITE_BYTES {
                    return Err(ReplyError::RewriteTooLarge { bytes });
                }
                json!({"valid": true, "payload": payload})
            }
        };
        let text = reply.to_string();
        let chars = text.chars().count();
        if chars > MAX_REPLY_CHARS {
            return Err(ReplyError::TooLong { chars });
        }
        Ok(text)
    }
}

/// The answer to a request whose signature, timestamp or body was refused.
fn refused(err: &WebhookError) -> Response {
    let status = match err {
        WebhookError::NotJson => StatusCode::BAD_REQUEST,
        _ => StatusCode::UNAUTHORIZED,
    };
    tracing::warn!(error = %err, "callback refused");
    (status, err.to_string()).into_response()
}

/// A router answering `POST /` with post-send callbacks: a signed body is decoded and given
/// to `handler`, which runs on its own task while Easemob gets its `200` at once (it
/// retries a callback that is slow to answer). Mount it with `Router::nest`.
///
/// On a multi-threaded runtime two handlers may finish in another order than their
/// callbacks arrived; order by the event's `timestamp()` or message id where it matters.
pub fn post_send<H, F>(secret: impl Into<Secret>, handler: H) -> Router
where
    H: Fn(CallbackEvent) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    post_send_router(secret.into(), None, handler)
}

/// [`post_send`] with replay protection: a request whose timestamp is too far from now is
/// answered `401`, and one whose `callId` was seen before `200` without reaching `handler`
/// (Easemob sends a callback again when the first delivery seemed to fail).
pub fn post_send_guarded<H, F>(secret: impl Into<Secret>, guard: ReplayGuard, handler: H) -> Router
where
    H: Fn(CallbackEvent) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    post_send_router(secret.into(), Some(guard), handler)
}

/// The post-send router, with replay protection when there is a guard.
fn post_send_router<H, F>(secret: Secret, guard: Option<ReplayGuard>, handler: H) -> Router
where
    H: Fn(CallbackEvent) -> F + Send + Sync + 'static,
    F: Future<Output = ()> + Send + 'static,
{
    let state = Arc::new((secret, guard, handler));
    Router::new().route(
        "/",
        post(|State(state): State<Arc<(Secret, Option<ReplayGuard>, H)>>, body: Bytes| async move {
            let (secret, guard, handler) = &*state;
            let checked = verify(&body, secret.expose()).and_then(|value| {
                let fresh = guard.as_ref().map_or(Ok(Freshness::New), |guard| guard.check(&value))?;
                Ok((value, fresh))
            });
            match checked {
                Ok((value, Freshness::New)) => {
                    tokio::spawn(handler(CallbackEvent::from_value(value)));
                    StatusCode::OK.into_response()
                }
                Ok((_, Freshness::Duplicate)) => {
                    tracing::debug!("callback delivered again; acknowledged, not handled");
                    StatusCode::OK.into_response()
                }
                Err(err) => refused(&err),
            }
        }),
    )
    .with_state(state)
}

/// A router answering `POST /` with pre-send callbacks: a signed body is decoded, `handler`
/// decides, and the decision is the reply. A decision Easemob would not accept (a reply over
/// 1,000 characters, a rewritten message over 1 KB) is answered `500`, so that Easemob
/// applies the rule's default policy (an over-long reply counts as an attack and gets the
/// rule blocked). Mount it with
/// `Router::nest`.
pub fn pre_send<H, F>(secret: impl Into<Secret>, handler: H) -> Router
where
    H: Fn(CallbackEvent) -> F + Send + Sync + 'static,
    F: Future<Output = Decision> + Send + 'static,
{
    let state = Arc::new((secret.into(), handler));
    Router::new().route(
        "/",
        post(|State(state): State<Arc<(Secret, H)>>, body: Bytes| async move {
            let value = match verify(&body, state.0.expose()) {
                Ok(value) => value,
                Err(err) => return refused(&err),
            };
            let payload = value.get("payload").cloned();
            let decision = (state.1)(CallbackEvent::from_value(value)).await;
            match decision.reply(payload.as_ref()) {
                Ok(reply) => ([(header::CONTENT_TYPE, "application/json")], reply).into_response(),
                Err(err) => {
                    tracing::warn!(error = %err, "pre-send decision not sent");
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }),
    )
    .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_follow_the_documented_format() {
        // Compared as JSON: the key order depends on serde_json's `preserve_order`, which
        // another crate of the build may turn on.
        let reply = |decision: Decision| serde_json::from_str::<Value>(&decision.reply(None).unwrap()).unwrap();
        assert_eq!(reply(Decision::Allow), json!({"valid": true}));
        assert_eq!(reply(Decision::Reject { code: None }), json!({"valid": false}));
        assert_eq!(reply(Decision::Reject { code: Some("HX:10000".into()) }), json!({"code": "HX:10000", "valid": false}));
        let payload = json!({"ext": {"k": 1}, "bodies": [{"type": "txt", "msg": "bad word"}]});
        let reply: Value = serde_json::from_str(&Decision::Rewrite { text: "***".into() }.reply(Some(&payload)).unwrap()).unwrap();
        assert_eq!(reply, json!({"valid": true, "payload": {"ext": {"k": 1}, "bodies": [{"type": "txt", "msg": "***"}]}}));
    }

    #[test]
    fn replies_longer_than_easemob_accepts_are_refused() {
        // {"payload":{"bodies":[{"msg":"…","type":"txt"}]},"valid":true} is 61 characters
        // besides the text, and its payload {"bodies":[{"msg":"…","type":"txt"}]} 36 bytes.
        let fits = "x".repeat(MAX_REPLY_CHARS - 61);
        assert_eq!(Decision::Rewrite { text: fits.clone() }.reply(None).map(|r| r.chars().count()), Ok(MAX_REPLY_CHARS));
        let too_long = format!("{fits}x");
        assert_eq!(Decision::Rewrite { text: too_long }.reply(None), Err(ReplyError::TooLong { chars: MAX_REPLY_CHARS + 1 }));
        let code = "c".repeat(MAX_REPLY_CHARS);
        assert_eq!(Decision::Reject { code: Some(code) }.reply(None), Err(ReplyError::TooLong { chars: MAX_REPLY_CHARS + 25 }));
        // Characters count toward the reply, bytes toward the message: 329 CJK characters
        // make a payload of 1,023 bytes of UTF-8, 340 one of 1,056, over the 1 KB allowed.
        assert!(Decision::Rewrite { text: "环".repeat(329) }.reply(None).is_ok());
        assert_eq!(Decision::Rewrite { text: "环".repeat(340) }.reply(None), Err(ReplyError::RewriteTooLarge { bytes: 1056 }));
    }
}
