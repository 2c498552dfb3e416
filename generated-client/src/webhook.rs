//! Callback requests from Easemob: the signature check, then decoding into
//! [`CallbackEvent`]. Easemob signs each request with the secret of the callback rule:
//! `security` is the lower-case hex MD5 of `callId + secret + timestamp` (the fields of the
//! body, the timestamp as its decimal digits). [`decode`] checks it before anything else of
//! the body is read, so an unsigned request never reaches the typed events.
//!
//! ```
//! use easemob_im::callbacks::CallbackEvent;
//! use easemob_im::webhook::{self, WebhookError};
//!
//! // security = md5("demo#app_1" + "rule-secret" + "1642648175092")
//! let body = br#"{"callId":"demo#app_1","timestamp":1642648175092,"chat_type":"roster",
//!     "payload":{"operation":"add"},"from":"demo#app","to":"tst01",
//!     "security":"db80f528ad6b5cfe3fedd18743864292"}"#;
//! match webhook::decode(body, "rule-secret") {
//!     Ok(CallbackEvent::RosterAdd(event)) => println!("{:?} added {:?}", event.from, event.to),
//!     Ok(other) => println!("{:?} from {:?}", other.name(), other.from()),
//!     Err(err) => panic!("refused: {err}"),
//! }
//! assert_eq!(webhook::decode(body, "another secret"), Err(WebhookError::BadSignature));
//! ```

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use md5::{Digest as _, Md5};
use serde_json::Value;

use crate::callbacks::CallbackEvent;

#[cfg(feature = "callbacks-axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "callbacks-axum")))]
pub mod receiver;

/// The longest reply Easemob accepts from the app's server, in characters; a longer one
/// counts as a failed callback (and repeated, gets the callback rule blocked).
pub const MAX_REPLY_CHARS: usize = 1000;

/// Why a callback request was refused. Neither its `Display` nor its `Debug` shows the
/// secret or the signature expected.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WebhookError {
    /// The body is not a JSON object.
    NotJson,
    /// A field the signature covers (`callId`, `timestamp`, `security`) is missing or not
    /// of its type (a string; the timestamp an integer).
    MissingField(&'static str),
    /// `security` is not the signature of this `callId` and `timestamp` with this secret.
    BadSignature,
    /// The `timestamp` is further from now than the [`ReplayGuard`] allows: an old request
    /// replayed, or a clock far off.
    Stale {
        /// How far the timestamp is from now, in milliseconds (negative: in the future).
        skew_ms: i64,
    },
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebhookError::NotJson => f.write_str("the callback body is not a JSON object"),
            WebhookError::MissingField(field) => write!(f, "the callback body has no valid `{field}`, which the signature covers"),
            WebhookError::BadSignature => f.write_str("the callback signature (`security`) does not match"),
            WebhookError::Stale { skew_ms } => write!(f, "the callback timestamp is {skew_ms} ms from now, more than allowed"),
        }
    }
}

impl std::error::Error for WebhookError {}

/// The signature Easemob sends for these fields: the lower-case hex MD5 of
/// `call_id + secret + timestamp`, each as UTF-8.
pub fn signature(call_id: &str, secret: &str, timestamp: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(call_id.as_bytes());
    md5.update(secret.as_bytes());
    md5.update(timestamp.as_bytes());
    md5.finalize().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Checks the signature of a parsed body, and returns the body.
pub fn verify_value(body: Value, secret: &str) -> Result<Value, WebhookError> {
    let object = body.as_object().ok_or(WebhookError::NotJson)?;
    let call_id = object.get("callId").and_then(Value::as_str).ok_or(WebhookError::MissingField("callId"))?;
    // The digits as sent: an integer is signed in its decimal form.
    let timestamp = match object.get("timestamp") {
        Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
        _ => return Err(WebhookError::MissingField("timestamp")),
    };
    let security = object.get("security").and_then(Value::as_str).ok_or(WebhookError::MissingField("security"))?;
    let expected = signature(call_id, secret, &timestamp);
    if constant_time_eq(expected.as_bytes(), security.as_bytes()) {
        Ok(body)
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// Parses a request body and checks its signature; the body as JSON.
pub fn verify(body: &[u8], secret: &str) -> Result<Value, WebhookError> {
    let value: Value = serde_json::from_slice(body).map_err(|_| WebhookError::NotJson)?;
    verify_value(value, secret)
}

/// Checks a request body's signature, then decodes it into its event (`Unknown` for a kind
/// this version does not know).
pub fn decode(body: &[u8], secret: &str) -> Result<CallbackEvent, WebhookError> {
    verify(body, secret).map(CallbackEvent::from_value)
}

/// Whether a signed request is one the app has not seen yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Its `callId` is new: handle it.
    New,
    /// Its `callId` was seen before (Easemob sends a post-send callback again when the first
    /// delivery seemed to fail): acknowledge it, do not handle it again.
    Duplicate,
}

/// Optional replay protection for callback requests, after their signature is checked: a
/// timestamp further than [`max_skew`](Self::max_skew) from now is refused, and a `callId`
/// among the last [`capacity`](Self::capacity) seen is a [`Freshness::Duplicate`].
/// Share one guard between the requests of a callback rule (it locks inside).
///
/// ```
/// use easemob_im::webhook::{self, Freshness, ReplayGuard};
/// # let body = br#"{"callId":"demo#app_1","timestamp":1642648175092,"chat_type":"roster","payload":{"operation":"add"},"security":"db80f528ad6b5cfe3fedd18743864292"}"#;
/// let guard = ReplayGuard::new();
/// let value = webhook::verify(body, "rule-secret")?;
/// // `check` compares with the clock; this example's timestamp is from 2022.
/// let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(1642648175092);
/// assert_eq!(guard.check_at(&value, at)?, Freshness::New);
/// assert_eq!(guard.check_at(&value, at)?, Freshness::Duplicate);
/// # Ok::<(), webhook::WebhookError>(())
/// ```
#[derive(Debug)]
pub struct ReplayGuard {
    max_skew: Duration,
    capacity: usize,
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

impl Default for ReplayGuard {
    fn default() -> Self {
        ReplayGuard { max_skew: Duration::from_secs(5 * 60), capacity: 10_000, seen: Mutex::default() }
    }
}

impl ReplayGuard {
    /// At most 5 minutes of skew; the last 10,000 `callId`s remembered.
    pub fn new() -> ReplayGuard {
        ReplayGuard::default()
    }

    /// How far from now a request's `timestamp` may be, either way.
    pub fn max_skew(mut self, max_skew: Duration) -> ReplayGuard {
        self.max_skew = max_skew;
        self
    }

    /// How many `callId`s are remembered (the oldest is forgotten first); at least 1.
    pub fn capacity(mut self, capacity: usize) -> ReplayGuard {
        self.capacity = capacity.max(1);
        self
    }

    /// Checks a verified body ([`verify`]) against the clock and the `callId`s seen.
    pub fn check(&self, body: &Value) -> Result<Freshness, WebhookError> {
        self.check_at(body, SystemTime::now())
    }

    /// [`check`](Self::check) at the time `now`.
    pub fn check_at(&self, body: &Value, now: SystemTime) -> Result<Freshness, WebhookError> {
        let call_id = body.get("callId").and_then(Value::as_str).ok_or(WebhookError::MissingField("callId"))?;
        let timestamp = body.get("timestamp").and_then(Value::as_i64).ok_or(WebhookError::MissingField("timestamp"))?;
        let now_ms = match now.duration_since(UNIX_EPOCH) {
            Ok(since) => i64::try_from(since.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        };
        let skew_ms = now_ms.saturating_sub(timestamp);
        if skew_ms.unsigned_abs() > self.max_skew.as_millis().min(u64::MAX as u128) as u64 {
            return Err(WebhookError::Stale { skew_ms });
        }
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.ids.contains(call_id) {
            return Ok(Freshness::Duplicate);
        }
        if seen.order.len() >= self.capacity {
            if let Some(oldest) = seen.order.pop_front() {
                seen.ids.remove(&oldest);
            }
        }
        seen.ids.insert(call_id.to_owned());
        seen.order.push_back(call_id.to_owned());
        Ok(Freshness::New)
    }
}

/// Compares without stopping at the first difference, so that the time taken does not
/// tell how much of a guessed signature is right. (The length, 32, is no secret.)
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_replay_guard_refuses_stale_timestamps_and_spots_repeated_call_ids() {
        let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
        let event = |id: &str, ts: i64| json!({"callId": id, "timestamp": ts});
        let guard = ReplayGuard::new().max_skew(Duration::from_secs(60)).capacity(2);
        let now = 1_700_000_000_000u64;
        assert_eq!(guard.check_at(&event("a", now as i64), at(now)), Ok(Freshness::New));
        assert_eq!(guard.check_at(&event("a", now as i64), at(now)), Ok(Freshness::Duplicate));
        // A minute either way is allowed; more is not.
        assert_eq!(guard.check_at(&event("b", now as i64 - 60_000), at(now)), Ok(Freshness::New));
        assert_eq!(guard.check_at(&event("c", now as i64 - 60_001), at(now)), Err(WebhookError::Stale { skew_ms: 60_001 }));
        assert_eq!(guard.check_at(&event("d", now as i64 + 60_001), at(now)), Err(WebhookError::Stale { skew_ms: -60_001 }));
        // Capacity 2: "a" and "b" are remembered; a third forgets "a".
        assert_eq!(guard.check_at(&event("e", now as i64), at(now)), Ok(Freshness::New));
        assert_eq!(guard.check_at(&event("a", now as i64), at(now)), Ok(Freshness::New));
        assert_eq!(guard.check_at(&event("e", now as i64), at(now)), Ok(Freshness::Duplicate));
        // A body without the fields is refused, as `verify` would.
        assert_eq!(guard.check_at(&json!({"callId": "x"}), at(now)), Err(WebhookError::MissingField("timestamp")));
    }

    // Expected values computed independently of this crate, with Python's hashlib:
    //   python3 -c 'import hashlib; print(hashlib.md5((c + s + t).encode("utf-8")).hexdigest())'
    const CALL_ID: &str = "easemob-demo#test_0990a64f-dp01-6c50-8696-cf3b48b20e7e";
    const SECRET: &str = "secret123";
    const TIMESTAMP: i64 = 1600060847294;
    /// md5(CALL_ID + "secret123" + "1600060847294")
    const SIGNED: &str = "09781060d8cc0e8b0357164dfd4f7587";
    /// md5("环信#测试_9f1c2d3e-aaaa-bbbb-cccc-0123456789ab" + "密钥-Secret" + "1642589932646"), UTF-8
    const SIGNED_NON_ASCII: &str = "01d6fb45569b42029d7366c06d133abf";
    /// md5(CALL_ID with its last character `e` changed to `f` + "secret123" + "1600060847294")
    const SIGNED_OTHER_CALL_ID: &str = "9e75f1b044d61354534c7c670d501e5c";
    /// md5(CALL_ID + "secret123" + "1600060847295")
    const SIGNED_OTHER_TIMESTAMP: &str = "5b7796bb0c72a24032898c49895780e3";

    /// CALL_ID with its last character changed (`e` to `f`).
    fn other_call_id() -> String {
        format!("{}f", &CALL_ID[..CALL_ID.len() - 1])
    }

    fn body(call_id: &str, timestamp: i64, security: &str) -> Vec<u8> {
        json!({"callId": call_id, "timestamp": timestamp, "chat_type": "roster", "payload": {"operation": "add"}, "security": security})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn signature_follows_the_documented_formula() {
        assert_eq!(signature(CALL_ID, SECRET, "1600060847294"), SIGNED);
        assert_eq!(signature("环信#测试_9f1c2d3e-aaaa-bbbb-cccc-0123456789ab", "密钥-Secret", "1642589932646"), SIGNED_NON_ASCII);
        assert_eq!(signature("", "", ""), "d41d8cd98f00b204e9800998ecf8427e"); // MD5 of nothing
    }

    #[test]
    fn a_signed_body_is_accepted_and_decoded() {
        let event = decode(&body(CALL_ID, TIMESTAMP, SIGNED), SECRET).unwrap();
        assert!(matches!(event, CallbackEvent::RosterAdd(_)), "{event:?}");
        assert_eq!(event.call_id(), Some(CALL_ID));
        assert_eq!(event.timestamp(), Some(TIMESTAMP));
        let non_ascii = body("环信#测试_9f1c2d3e-aaaa-bbbb-cccc-0123456789ab", 1642589932646, SIGNED_NON_ASCII);
        assert!(decode(&non_ascii, "密钥-Secret").is_ok());
    }

    #[test]
    fn tampered_fields_are_refused() {
        // The signature of the original fields, sent with a changed one.
        let tampered_call_id = body(&other_call_id(), TIMESTAMP, SIGNED);
        assert_eq!(decode(&tampered_call_id, SECRET), Err(WebhookError::BadSignature));
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP + 1, SIGNED), SECRET), Err(WebhookError::BadSignature));
        // And the signatures of the changed fields do not fit the original ones.
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP, SIGNED_OTHER_CALL_ID), SECRET), Err(WebhookError::BadSignature));
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP, SIGNED_OTHER_TIMESTAMP), SECRET), Err(WebhookError::BadSignature));
        assert_eq!(decode(&body(&other_call_id(), TIMESTAMP, SIGNED_OTHER_CALL_ID), SECRET).map(|e| e.name()), Ok(Some("roster_add")));
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP + 1, SIGNED_OTHER_TIMESTAMP), SECRET).map(|e| e.name()), Ok(Some("roster_add")));
        // Another secret, an upper-case or truncated signature.
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP, SIGNED), "secret124"), Err(WebhookError::BadSignature));
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP, &SIGNED.to_uppercase()), SECRET), Err(WebhookError::BadSignature));
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP, &SIGNED[..31]), SECRET), Err(WebhookError::BadSignature));
        assert_eq!(decode(&body(CALL_ID, TIMESTAMP, ""), SECRET), Err(WebhookError::BadSignature));
    }

    #[test]
    fn missing_or_mistyped_signed_fields_are_refused() {
        let signed = json!({"callId": CALL_ID, "timestamp": TIMESTAMP, "security": SIGNED});
        for field in ["callId", "timestamp", "security"] {
            let mut missing = signed.clone();
            missing.as_object_mut().unwrap().remove(field);
            assert_eq!(verify(missing.to_string().as_bytes(), SECRET), Err(WebhookError::MissingField(field)));
        }
        let string_timestamp = json!({"callId": CALL_ID, "timestamp": "1600060847294", "security": SIGNED});
        assert_eq!(verify_value(string_timestamp, SECRET), Err(WebhookError::MissingField("timestamp")));
        let float_timestamp = json!({"callId": CALL_ID, "timestamp": 1600060847294.0, "security": SIGNED});
        assert_eq!(verify_value(float_timestamp, SECRET), Err(WebhookError::MissingField("timestamp")));
        assert_eq!(verify(b"not json", SECRET), Err(WebhookError::NotJson));
        assert_eq!(verify(b"[1, 2]", SECRET), Err(WebhookError::NotJson));
        assert_eq!(verify(b"", SECRET), Err(WebhookError::NotJson));
    }

    #[test]
    fn errors_never_show_the_secret_or_the_expected_signature() {
        let secret = "very-secret-value";
        let expected = signature(CALL_ID, secret, "1600060847294");
        let errors = [
            decode(&body(CALL_ID, TIMESTAMP, SIGNED), secret).unwrap_err(),
            decode(b"{}", secret).unwrap_err(),
            decode(b"nope", secret).unwrap_err(),
        ];
        for err in errors {
            for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
                assert!(!text.contains(secret), "{text}");
                assert!(!text.contains(&expected), "{text}");
            }
        }
    }

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"xbc"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(constant_time_eq(b"", b""));
    }

    /// A JSON value from a small vocabulary (the keys and values the decoder looks at),
    /// at most `depth` levels deep.
    fn arbitrary(rng: &mut fastrand::Rng, depth: u32) -> Value {
        const KEYS: [&str; 16] = [
            "chat_type", "payload", "operation", "type", "eventType", "status", "reason", "callId", "timestamp", "bodies", "data", "from",
            "msg_id", "group_id", "reactions", "last_message",
        ];
        const WORDS: [&str; 14] = ["muc", "chat", "groupchat", "roster", "notify", "reaction", "thread", "create", "add", "online", "login", "keyword_alert", "", "环信"];
        let choice = if depth == 0 { rng.u8(0..5) } else { rng.u8(0..7) };
        match choice {
            0 => Value::Null,
            1 => Value::Bool(rng.bool()),
            2 => match rng.u8(0..3) {
                0 => json!(rng.i64(..)),
                1 => json!(rng.u64(..)),
                _ => json!(rng.f64() * 1e12 - 5e11),
            },
            3 | 4 => Value::String(WORDS[rng.usize(..WORDS.len())].to_owned()),
            5 => Value::Array((0..rng.usize(0..4)).map(|_| arbitrary(rng, depth - 1)).collect()),
            _ => Value::Object((0..rng.usize(0..6)).map(|_| (KEYS[rng.usize(..KEYS.len())].to_owned(), arbitrary(rng, depth - 1))).collect()),
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_decoder() {
        let mut rng = fastrand::Rng::with_seed(13);
        for _ in 0..20_000 {
            let value = arbitrary(&mut rng, 5);
            let event = CallbackEvent::from_value(value.clone());
            // Every accessor answers for every event, typed or not.
            let _ = (event.call_id(), event.timestamp(), event.appkey(), event.host(), event.from(), event.to(), event.group_id(), event.msg_id(), event.name());
            let text = value.to_string();
            assert!(CallbackEvent::from_slice(text.as_bytes()).is_ok());
            let _ = verify(text.as_bytes(), SECRET);
        }
        // Bytes that are mostly not JSON.
        for _ in 0..5_000 {
            let bytes: Vec<u8> = (0..rng.usize(0..64)).map(|_| rng.u8(..)).collect();
            let _ = CallbackEvent::from_slice(&bytes);
            let _ = verify(&bytes, SECRET);
        }
    }

    #[test]
    fn unknown_events_are_delivered_with_their_json() {
        let future = json!({"callId": "a_1", "timestamp": 5, "chat_type": "muc", "payload": {"operation": "brand_new"}, "from": "u1", "appkey": "a#b"});
        let event = CallbackEvent::from_value(future.clone());
        assert_eq!(event, CallbackEvent::Unknown(future));
        assert_eq!((event.call_id(), event.timestamp(), event.from(), event.appkey(), event.to()), (Some("a_1"), Some(5), Some("u1"), Some("a#b"), None));
        // Known discriminators with a body the model does not fit: kept, not refused.
        let misfit = json!({"chat_type": "muc", "payload": {"operation": "create", "is_chatroom": "yes"}});
        assert_eq!(CallbackEvent::from_value(misfit.clone()), CallbackEvent::Unknown(misfit));
    }
}
