//! The callbacks the mock sends to the rules of its configuration: bodies built as the
//! callback pages show them (callback.md, callback_configurations.md) from what the API
//! calls did, signed per rule, POSTed by one worker task from a bounded queue (post-send,
//! retried once) or awaited by the API call (pre-send), and recorded for tests.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use tokio::sync::mpsc;

use super::config::{CallbackKind, CallbackRule, MockConfig, PreSendFailure};
use super::store::random_uuid;
use crate::models::{MessageChatType, MessageType};

/// The post-send events the mock emits (spec names).
pub(crate) const POST_SEND_EVENTS: &[&str] = &[
    "chat_message",
    "groupchat_message",
    "recall",
    "muc_create",
    "muc_destroy",
    "muc_presence",
    "muc_kick",
    "muc_absence",
    "roster_add",
    "roster_remove",
];

/// The pre-send events the mock asks about.
pub(crate) const PRE_SEND_EVENTS: &[&str] = &["chat_message", "groupchat_message"];

/// The `host` field of the mock's callbacks.
const HOST: &str = "easemob-mock";

/// How many deliveries [`Callbacks`] remembers; older ones are forgotten first.
const KEPT_DELIVERIES: usize = 10_000;

/// One callback the mock sent (or tried to), as
/// [`MockServer::callback_deliveries`](super::MockServer::callback_deliveries) lists it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CallbackDelivery {
    /// The rule's URL.
    pub url: String,
    /// Post-send or pre-send.
    pub kind: CallbackKind,
    /// The spec name of the event (`chat_message`, `muc_create`, ...).
    pub event: &'static str,
    /// The body sent, signed (`security` included).
    pub body: Value,
    /// The status of the last attempt; `None` when no answer came (connection error, timeout).
    pub status: Option<u16>,
    /// How many times it was sent: 1, or 2 when the first attempt failed (post-send only).
    pub attempts: u32,
    /// Why the last attempt failed, if no answer came.
    pub error: Option<String>,
    /// Pre-send rules: what the mock did with the message.
    pub pre_send: Option<PreSendOutcome>,
}

impl CallbackDelivery {
    /// Whether the app's server answered `2xx`.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// What a pre-send rule decided about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PreSendOutcome {
    /// `valid: true`: delivered.
    Allowed,
    /// `valid: false`: not delivered (with the answer's `code`).
    Rejected {
        /// The error the sender's client would show.
        code: Option<String>,
    },
    /// `valid: true` with a text `payload`: delivered with this text.
    Rewritten {
        /// The new text.
        text: String,
    },
    /// No usable answer: the rule's [`PreSendFailure`] policy applied.
    Failed {
        /// What the policy decided.
        policy: PreSendFailure,
    },
}

/// Something the mock did that callbacks report.
pub(crate) enum Event<'a> {
    /// A message accepted for one recipient.
    Message {
        chat_type: &'a MessageChatType,
        from: &'a str,
        to: &'a str,
        msg_id: &'a str,
        msg_type: &'a MessageType,
        body: &'a Value,
        ext: Option<&'a Value>,
    },
    /// A message recalled.
    Recall {
        from: &'a str,
        to: &'a str,
        recalled_id: &'a str,
    },
    /// An operation on a group or chat room: `name` is a `muc_*` event.
    Muc {
        name: &'static str,
        is_chatroom: bool,
        id: &'a str,
        from: &'a str,
        to: &'a str,
    },
    /// An operation on contacts: `name` is a `roster_*` event.
    Roster {
        name: &'static str,
        from: &'a str,
        to: &'a str,
    },
}

impl Event<'_> {
    fn name(&self) -> &'static str {
        match self {
            Event::Message {
                chat_type: MessageChatType::Chat,
                ..
            } => "chat_message",
            Event::Message { .. } => "groupchat_message",
            Event::Recall { .. } => "recall",
            Event::Muc { name, .. } | Event::Roster { name, .. } => name,
        }
    }

    /// The body without `security`; `event_type` is `None` for pre-send requests, which
    /// have no `eventType`.
    fn body(
        &self,
        appkey: &str,
        now: i64,
        notice_id: &str,
        event_type: Option<&str>,
    ) -> Map<String, Value> {
        let mut body = Map::new();
        body.insert(
            "callId".into(),
            json!(format!("{appkey}_{}", random_uuid())),
        );
        if let Some(event_type) = event_type {
            body.insert("eventType".into(), json!(event_type));
        }
        body.insert("timestamp".into(), json!(now));
        let (chat_type, from, to, msg_id, payload) = match self {
            Event::Message {
                chat_type,
                from,
                to,
                msg_id,
                msg_type,
                body: content,
                ext,
            } => {
                if **chat_type != MessageChatType::Chat {
                    body.insert("group_id".into(), json!(to));
                }
                let payload = json!({
                    "ext": ext.cloned().unwrap_or_else(|| json!({})),
                    "bodies": [message_body(msg_type, content)],
                });
                let chat_type = if **chat_type == MessageChatType::Chat {
                    "chat"
                } else {
                    "groupchat"
                };
                (chat_type, *from, *to, *msg_id, payload)
            }
            Event::Recall {
                from,
                to,
                recalled_id,
            } => {
                body.insert("recall_id".into(), json!(recalled_id));
                let payload = json!({"ext": {}, "ack_message_id": recalled_id, "bodies": []});
                ("recall", *from, *to, notice_id, payload)
            }
            Event::Muc {
                name,
                is_chatroom,
                id,
                from,
                to,
            } => {
                body.insert("group_id".into(), json!(id));
                let operation = name.trim_start_matches("muc_");
                let mut payload = json!({
                    "muc_id": format!("{appkey}_{id}@conference.easemob.com"),
                    "reason": "",
                    "is_chatroom": is_chatroom,
                    "operation": operation,
                });
                // The pages' presence and absence events carry no status.
                if !matches!(operation, "presence" | "absence") {
                    payload["status"] = json!({"description": "", "error_code": "ok"});
                }
                ("muc", *from, *to, notice_id, payload)
            }
            Event::Roster { name, from, to } => {
                let operation = name.trim_start_matches("roster_");
                (
                    "roster",
                    *from,
                    *to,
                    notice_id,
                    json!({"reason": "", "operation": operation}),
                )
            }
        };
        body.insert("chat_type".into(), json!(chat_type));
        body.insert("from".into(), json!(from));
        body.insert("to".into(), json!(to));
        body.insert("msg_id".into(), json!(msg_id));
        body.insert("payload".into(), payload);
        body.insert("securityVersion".into(), json!("1.0.0"));
        body.insert("appkey".into(), json!(appkey));
        body.insert("host".into(), json!(HOST));
        body
    }
}

/// A message body as callbacks show it: the REST body with its `type`, and a location's
/// `lat` and `lng` as numbers (the REST body has them as text).
fn message_body(msg_type: &MessageType, content: &Value) -> Value {
    let mut body = content.as_object().cloned().unwrap_or_default();
    for key in ["lat", "lng"] {
        if let Some(number) = body
            .get(key)
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<f64>().ok())
        {
            body.insert(key.into(), json!(number));
        }
    }
    body.insert(
        "type".into(),
        serde_json::to_value(msg_type).unwrap_or(Value::Null),
    );
    Value::Object(body)
}

/// Signs a body for a rule: `security` = md5(callId + secret + timestamp).
fn signed(mut body: Map<String, Value>, secret: &str) -> Value {
    let call_id = body
        .get("callId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let timestamp = body
        .get("timestamp")
        .map(Value::to_string)
        .unwrap_or_default();
    body.insert(
        "security".into(),
        json!(crate::webhook::signature(&call_id, secret, &timestamp)),
    );
    Value::Object(body)
}

/// A post-send delivery waiting in the queue.
struct Job {
    url: String,
    event: &'static str,
    body: Value,
}

/// What tests read: the deliveries made and the events dropped.
#[derive(Default)]
struct Record {
    deliveries: Mutex<VecDeque<CallbackDelivery>>,
    dropped: AtomicU64,
}

impl Record {
    fn push(&self, delivery: CallbackDelivery) {
        let mut deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
        if deliveries.len() == KEPT_DELIVERIES {
            deliveries.pop_front();
        }
        deliveries.push_back(delivery);
    }
}

/// The mock's callback rules, their queue and what was delivered.
pub(crate) struct Callbacks {
    rules: Vec<CallbackRule>,
    http: reqwest::Client,
    queue: mpsc::Sender<Job>,
    /// The queue's other end until the first event starts the worker (the mock may be
    /// built outside a runtime).
    waiting: Mutex<Option<mpsc::Receiver<Job>>>,
    record: Arc<Record>,
    notices: AtomicU64,
}

impl Callbacks {
    pub(crate) fn new(config: &MockConfig) -> Callbacks {
        let (queue, waiting) = mpsc::channel(config.callback_queue.max(1));
        let mut http = reqwest::Client::builder().no_proxy();
        if !config.callback_timeout.is_zero() {
            http = http.timeout(config.callback_timeout);
        }
        Callbacks {
            rules: config.callbacks.clone(),
            http: http.build().unwrap_or_default(),
            queue,
            waiting: Mutex::new(Some(waiting)),
            record: Arc::default(),
            notices: AtomicU64::new(0),
        }
    }

    pub(crate) fn deliveries(&self) -> Vec<CallbackDelivery> {
        self.record
            .deliveries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    pub(crate) fn dropped(&self) -> u64 {
        self.record.dropped.load(Ordering::SeqCst)
    }

    fn rules(&self, kind: CallbackKind, event: &str) -> impl Iterator<Item = &CallbackRule> + '_ {
        let event = event.to_owned();
        self.rules
            .iter()
            .filter(move |r| r.kind == kind && r.wants(&event))
    }

    /// An id for the notification an operation's callback reports (like a message id).
    fn notice_id(&self) -> String {
        (1_900_000_000_000_000_000u64 + self.notices.fetch_add(1, Ordering::Relaxed) * 65_537)
            .to_string()
    }

    /// Queues the event for every post-send rule that wants it; never waits. A full queue
    /// drops the delivery and counts it.
    pub(crate) fn post_send(&self, appkey: &str, now: i64, event: Event<'_>) {
        let name = event.name();
        if self.rules(CallbackKind::PostSend, name).next().is_none() {
            return;
        }
        let body = event.body(appkey, now, &self.notice_id(), Some("chat"));
        self.start_worker();
        for rule in self.rules(CallbackKind::PostSend, name) {
            let job = Job {
                url: rule.url.clone(),
                event: name,
                body: signed(body.clone(), &rule.secret),
            };
            if self.queue.try_send(job).is_err() {
                self.record.dropped.fetch_add(1, Ordering::SeqCst);
                tracing::warn!(event = name, "callback queue full: event dropped");
            }
        }
    }

    fn start_worker(&self) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        if waiting.is_none() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if let Some(mut jobs) = waiting.take() {
            let (http, record) = (self.http.clone(), Arc::clone(&self.record));
            runtime.spawn(async move {
                while let Some(job) = jobs.recv().await {
                    deliver(&http, &record, job).await;
                }
            });
        }
    }

    /// Whether some pre-send rule asks about this kind of message.
    pub(crate) fn has_pre_send(&self, chat_type: &MessageChatType) -> bool {
        let name = if *chat_type == MessageChatType::Chat {
            "chat_message"
        } else {
            "groupchat_message"
        };
        self.rules(CallbackKind::PreSend, name).next().is_some()
    }

    /// Asks every pre-send rule wanting the message, in order: the first rejection wins; a
    /// rewrite replaces the text later rules see. `None` when no rule asks.
    pub(crate) async fn pre_send(
        &self,
        appkey: &str,
        now: i64,
        event: Event<'_>,
    ) -> Option<PreSendOutcome> {
        let name = event.name();
        let mut body = event.body(appkey, now, "", None);
        let mut verdict = None;
        for rule in self.rules(CallbackKind::PreSend, name) {
            let sent = signed(body.clone(), &rule.secret);
            let (status, error, answer) = match post(&self.http, &rule.url, &sent).await {
                Ok((status, text)) => (Some(status), None, Some(text)),
                Err(err) => (None, Some(err), None),
            };
            let outcome = match answer
                .filter(|_| status == Some(200))
                .and_then(|text| decision(&text))
            {
                Some(outcome) => outcome,
                None => PreSendOutcome::Failed {
                    policy: rule.on_failure,
                },
            };
            self.record.push(CallbackDelivery {
                url: rule.url.clone(),
                kind: CallbackKind::PreSend,
                event: name,
                body: sent,
                status,
                attempts: 1,
                error,
                pre_send: Some(outcome.clone()),
            });
            let stop = matches!(
                outcome,
                PreSendOutcome::Rejected { .. }
                    | PreSendOutcome::Failed {
                        policy: PreSendFailure::Reject
                    }
            );
            if let PreSendOutcome::Rewritten { text } = &outcome {
                body.insert("payload".into(), json!({"ext": body["payload"]["ext"].clone(), "bodies": [{"type": "txt", "msg": text}]}));
            }
            // A rewrite stays the verdict unless a later rule rejects.
            if stop || !matches!(verdict, Some(PreSendOutcome::Rewritten { .. })) {
                verdict = Some(outcome);
            }
            if stop {
                break;
            }
        }
        verdict
    }
}

/// Reads a pre-send answer: `valid` must be a boolean; a rewrite is a `payload` whose first
/// body is text. An answer over 1,000 characters counts as a failure, as Easemob treats it.
fn decision(text: &str) -> Option<PreSendOutcome> {
    if text.chars().count() > crate::webhook::MAX_REPLY_CHARS {
        return None;
    }
    let answer: Value = serde_json::from_str(text).ok()?;
    match answer.get("valid")?.as_bool()? {
        false => Some(PreSendOutcome::Rejected {
            code: answer
                .get("code")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }),
        true => match answer.pointer("/payload/bodies/0") {
            Some(body) if body["type"] == "txt" => Some(PreSendOutcome::Rewritten {
                text: body["msg"].as_str()?.to_owned(),
            }),
            Some(_) => None,
            None => Some(PreSendOutcome::Allowed),
        },
    }
}

/// One POST: the status and the answer's text, or why none came.
async fn post(http: &reqwest::Client, url: &str, body: &Value) -> Result<(u16, String), String> {
    let response = http
        .post(url)
        .json(body)
        .send()
        .await
        .map_err(|e| without_url(&e))?;
    let status = response.status().as_u16();
    // Easemob reads at most 1,000 characters; a longer answer is a failure anyway.
    let text = response.text().await.unwrap_or_default();
    Ok((status, text))
}

/// reqwest's error text without the URL (which may carry a token in its query).
fn without_url(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    kind.to_owned()
}

/// Delivers a post-send callback: a non-2xx answer or no answer is retried once at once,
/// as Easemob does; then it is given up.
async fn deliver(http: &reqwest::Client, record: &Record, job: Job) {
    let mut attempts = 0;
    let (status, error) = loop {
        attempts += 1;
        let (status, error) = match post(http, &job.url, &job.body).await {
            Ok((status, _)) => (Some(status), None),
            Err(err) => (None, Some(err)),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        if ok || attempts == 2 {
            break (status, error);
        }
    };
    if !status.is_some_and(|s| (200..300).contains(&s)) {
        tracing::warn!(
            event = job.event,
            ?status,
            "callback failed twice: given up"
        );
    }
    record.push(CallbackDelivery {
        url: job.url,
        kind: CallbackKind::PostSend,
        event: job.event,
        body: job.body,
        status,
        attempts,
        error,
        pre_send: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callbacks::CallbackEvent;

    fn decoded(event: Event<'_>) -> CallbackEvent {
        let body = signed(
            event.body(
                "org#app",
                1_700_000_000_000,
                "1900000000000000001",
                Some("chat"),
            ),
            "s",
        );
        let text = body.to_string();
        crate::webhook::decode(text.as_bytes(), "s").unwrap()
    }

    #[test]
    fn every_emitted_event_decodes_into_its_variant() {
        let ext = json!({"k": "v"});
        let bodies = [
            (MessageType::Txt, json!({"msg": "hi"})),
            (
                MessageType::Img,
                json!({"filename": "a.jpg", "secret": "s", "size": {"width": 1, "height": 2}, "url": "http://x/a"}),
            ),
            (
                MessageType::Audio,
                json!({"filename": "a.amr", "secret": "s", "length": 3, "url": "http://x/a"}),
            ),
            (
                MessageType::Video,
                json!({"filename": "v.mp4", "secret": "s", "length": 3, "thumb": "http://x/t", "thumb_secret": "t", "url": "http://x/v", "file_length": 10}),
            ),
            (
                MessageType::File,
                json!({"filename": "f.pdf", "secret": "s", "url": "http://x/f"}),
            ),
            (
                MessageType::Loc,
                json!({"lat": "39.9", "lng": "116.3", "addr": "here"}),
            ),
            (MessageType::Cmd, json!({"action": "go"})),
            (
                MessageType::Custom,
                json!({"customEvent": "gift", "customExts": {"k": "v"}}),
            ),
        ];
        for (msg_type, body) in &bodies {
            for chat_type in [
                MessageChatType::Chat,
                MessageChatType::Groupchat,
                MessageChatType::Chatroom,
            ] {
                let event = decoded(Event::Message {
                    chat_type: &chat_type,
                    from: "a",
                    to: "b",
                    msg_id: "1",
                    msg_type,
                    body,
                    ext: Some(&ext),
                });
                let name = if chat_type == MessageChatType::Chat {
                    "chat_message"
                } else {
                    "groupchat_message"
                };
                assert_eq!(
                    event.name(),
                    Some(name),
                    "{msg_type:?} {chat_type:?}: {event:?}"
                );
            }
        }
        let loc = decoded(Event::Message {
            chat_type: &MessageChatType::Chat,
            from: "a",
            to: "b",
            msg_id: "1",
            msg_type: &MessageType::Loc,
            body: &bodies[5].1,
            ext: None,
        });
        let CallbackEvent::ChatMessage(loc) = loc else {
            panic!()
        };
        assert_eq!(loc.payload.unwrap().bodies.unwrap()[0].lat, Some(39.9));

        let recall = decoded(Event::Recall {
            from: "a",
            to: "b",
            recalled_id: "7",
        });
        assert!(
            matches!(&recall, CallbackEvent::Recall(r) if r.recall_id.as_deref() == Some("7")),
            "{recall:?}"
        );
        for name in [
            "muc_create",
            "muc_destroy",
            "muc_presence",
            "muc_kick",
            "muc_absence",
        ] {
            for is_chatroom in [false, true] {
                let event = decoded(Event::Muc {
                    name,
                    is_chatroom,
                    id: "123",
                    from: "a",
                    to: "b",
                });
                assert_eq!(event.name(), Some(name), "{event:?}");
                assert_eq!(event.group_id(), Some("123"));
            }
        }
        for name in ["roster_add", "roster_remove"] {
            assert_eq!(
                decoded(Event::Roster {
                    name,
                    from: "a",
                    to: "b"
                })
                .name(),
                Some(name)
            );
        }
        // Every event the mock lists is one of these.
        assert_eq!(POST_SEND_EVENTS.len(), 10);
    }

    #[test]
    fn pre_send_answers() {
        assert_eq!(
            decision(r#"{"valid": true}"#),
            Some(PreSendOutcome::Allowed)
        );
        assert_eq!(
            decision(r#"{"valid": false, "code": "HX:1"}"#),
            Some(PreSendOutcome::Rejected {
                code: Some("HX:1".into())
            })
        );
        assert_eq!(
            decision(r#"{"valid": false}"#),
            Some(PreSendOutcome::Rejected { code: None })
        );
        assert_eq!(
            decision(r#"{"valid": true, "payload": {"bodies": [{"type": "txt", "msg": "***"}]}}"#),
            Some(PreSendOutcome::Rewritten { text: "***".into() })
        );
        for failed in [
            "",
            "{}",
            r#"{"valid": "yes"}"#,
            r#"{"valid": true, "payload": {"bodies": [{"type": "img"}]}}"#,
        ] {
            assert_eq!(decision(failed), None, "{failed}");
        }
        let long = format!(r#"{{"valid": true, "code": "{}"}}"#, "x".repeat(1000));
        assert_eq!(decision(&long), None);
    }
}
