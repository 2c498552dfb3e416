//! The callback receivers over loopback: signed requests reach the handlers, unsigned and
//! non-JSON ones are answered 401 and 400 without reaching them, pre-send decisions become
//! the documented replies.
#![cfg(feature = "callbacks-axum")]

use std::time::Duration;

use easemob_im::callbacks::CallbackEvent;
use easemob_im::webhook::receiver::{self, Decision};
use serde_json::{json, Value};
use tokio::sync::mpsc;

const SECRET: &str = "rule-secret";
// Signatures computed with Python's hashlib:
//   python3 -c 'import hashlib; print(hashlib.md5((call_id + "rule-secret" + timestamp).encode()).hexdigest())'
/// md5("demo#app_7f3a" + "rule-secret" + "1642648175092")
const ROSTER_SIGNATURE: &str = "aa3a2677949368ea464fb39ca64772a9";
/// md5("demo#app_8b21" + "rule-secret" + "1600060847294")
const MESSAGE_SIGNATURE: &str = "716e9078326e6d30231392188bde4880";

fn roster_add(security: &str) -> Value {
    json!({"callId": "demo#app_7f3a", "timestamp": 1642648175092i64, "chat_type": "roster", "payload": {"reason": "", "operation": "add"},
           "from": "demo#app", "to": "tst01", "eventType": "chat", "security": security})
}

fn message(security: &str) -> Value {
    json!({"callId": "demo#app_8b21", "timestamp": 1600060847294i64, "chat_type": "chat", "from": "u1", "to": "u2", "msg_id": "89",
           "payload": {"ext": {"k": "v"}, "bodies": [{"type": "txt", "msg": "a bad word"}]}, "securityVersion": "1.0.0", "security": security})
}

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn post(url: &str, body: impl Into<reqwest::Body>) -> (u16, String) {
    let response = reqwest::Client::new().post(url).header("content-type", "application/json").body(body).send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn post_send_events_reach_the_handler_and_refusals_do_not() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().nest(
        "/events",
        receiver::post_send(SECRET, move |event: CallbackEvent| {
            let tx = tx.clone();
            async move {
                tx.send(event).unwrap();
            }
        }),
    );
    let base = serve(app).await;
    let url = format!("{base}/events");

    assert_eq!(post(&url, roster_add(ROSTER_SIGNATURE).to_string()).await, (200, String::new()));
    let event = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert!(matches!(event, CallbackEvent::RosterAdd(_)), "{event:?}");
    assert_eq!((event.call_id(), event.to()), (Some("demo#app_7f3a"), Some("tst01")));

    let (status, text) = post(&url, roster_add(MESSAGE_SIGNATURE).to_string()).await;
    assert_eq!(status, 401, "{text}");
    assert!(!text.contains(SECRET) && !text.contains(ROSTER_SIGNATURE), "{text}");
    let mut unsigned = roster_add("");
    unsigned.as_object_mut().unwrap().remove("security");
    assert_eq!(post(&url, unsigned.to_string()).await.0, 401);
    assert_eq!(post(&url, "not json").await.0, 400);
    assert_eq!(post(&url, "[]").await.0, 400);
    // None of the refused requests reached the handler.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(rx.try_recv().is_err());
}

#[tokio::test]
async fn pre_send_decisions_become_replies() {
    let app = axum::Router::new().nest(
        "/pre",
        receiver::pre_send(SECRET, |event: CallbackEvent| async move {
            let CallbackEvent::ChatMessage(message) = event else { return Decision::Reject { code: Some("not a message".into()) } };
            match message.to.as_deref() {
                Some("u2") => Decision::Rewrite { text: "a *** word".into() },
                Some("blocked") => Decision::Reject { code: None },
                Some("long") => Decision::Rewrite { text: "x".repeat(2000) },
                _ => Decision::Allow,
            }
        }),
    );
    let base = serve(app).await;
    let url = format!("{base}/pre");

    let (status, text) = post(&url, message(MESSAGE_SIGNATURE).to_string()).await;
    assert_eq!(status, 200, "{text}");
    let reply: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(reply, json!({"valid": true, "payload": {"ext": {"k": "v"}, "bodies": [{"type": "txt", "msg": "a *** word"}]}}));

    let (status, text) = post(&url, roster_add(ROSTER_SIGNATURE).to_string()).await;
    assert_eq!((status, serde_json::from_str::<Value>(&text).unwrap()), (200, json!({"valid": false, "code": "not a message"})));

    // The signature covers callId and timestamp only, so `to` can change under it.
    let mut blocked = message(MESSAGE_SIGNATURE);
    blocked["to"] = json!("blocked");
    assert_eq!(post(&url, blocked.to_string()).await, (200, r#"{"valid":false}"#.to_owned()));
    let mut long = message(MESSAGE_SIGNATURE);
    long["to"] = json!("long");
    assert_eq!(post(&url, long.to_string()).await.0, 500);

    assert_eq!(post(&url, message(ROSTER_SIGNATURE).to_string()).await.0, 401);
    assert_eq!(post(&url, "{").await.0, 400);
}

#[tokio::test]
async fn a_guarded_receiver_hands_each_call_id_over_once_and_refuses_stale_requests() {
    use easemob_im::webhook::ReplayGuard;
    let (events, mut received) = mpsc::unbounded_channel();
    // The fixtures are from 2020 and 2022: a skew of 100 years lets them through.
    let guard = ReplayGuard::new().max_skew(Duration::from_secs(100 * 365 * 24 * 3600));
    let app = receiver::post_send_guarded(SECRET, guard, move |event: CallbackEvent| {
        let events = events.clone();
        async move {
            let _ = events.send(event.call_id().map(str::to_owned));
        }
    });
    let url = serve(app).await;
    let body = roster_add(ROSTER_SIGNATURE).to_string();
    assert_eq!(post(&url, body.clone()).await.0, 200);
    // Easemob's second delivery of the same callback: acknowledged, not handled again.
    assert_eq!(post(&url, body).await.0, 200);
    assert_eq!(post(&url, message(MESSAGE_SIGNATURE).to_string()).await.0, 200);
    let first = tokio::time::timeout(Duration::from_secs(5), received.recv()).await.unwrap().unwrap();
    let second = tokio::time::timeout(Duration::from_secs(5), received.recv()).await.unwrap().unwrap();
    assert_eq!([first.as_deref(), second.as_deref()], [Some("demo#app_7f3a"), Some("demo#app_8b21")]);
    assert!(tokio::time::timeout(Duration::from_millis(200), received.recv()).await.is_err(), "a duplicate reached the handler");

    // With the default five minutes, a request from 2022 is stale: 401, never handled.
    let (events, mut received) = mpsc::unbounded_channel::<()>();
    let app = receiver::post_send_guarded(SECRET, ReplayGuard::new(), move |_| {
        let events = events.clone();
        async move {
            let _ = events.send(());
        }
    });
    let url = serve(app).await;
    let (status, text) = post(&url, roster_add(ROSTER_SIGNATURE).to_string()).await;
    assert_eq!(status, 401);
    assert!(text.contains("timestamp"), "{text}");
    assert!(tokio::time::timeout(Duration::from_millis(200), received.recv()).await.is_err());
}
