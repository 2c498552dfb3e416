//! The mock's callbacks received by apps built on `webhook::receiver` over loopback: the
//! typed events of a short scenario in order, pre-send rejections and rewrites, the retry,
//! the bounded queue and a rule whose secret the app does not share.
#![cfg(all(feature = "mock", feature = "callbacks-axum"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use easemob_im::callbacks::CallbackEvent;
use easemob_im::mock::{
    self, CallbackDelivery, CallbackKind, CallbackRule, MockConfig, MockHandle, PreSendFailure,
    PreSendOutcome,
};
use easemob_im::models::*;
use easemob_im::webhook::receiver::{self, Decision};
use easemob_im::Client;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Semaphore};

const SECRET: &str = "rule-secret";

async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// A post-send receiver at `/events` handing every event to the returned channel.
async fn receiver(secret: &str) -> (String, mpsc::UnboundedReceiver<CallbackEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().nest(
        "/events",
        receiver::post_send(secret.to_owned(), move |event: CallbackEvent| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(event);
            }
        }),
    );
    (format!("{}/events", serve(app).await), rx)
}

async fn next(rx: &mut mpsc::UnboundedReceiver<CallbackEvent>) -> CallbackEvent {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("a callback in time")
        .unwrap()
}

/// Waits until the mock has recorded `n` deliveries.
async fn deliveries(mock: &MockHandle, n: usize) -> Vec<CallbackDelivery> {
    for _ in 0..500 {
        let done = mock.server().callback_deliveries();
        if done.len() >= n {
            return done;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "{} deliveries, not {n}",
        mock.server().callback_deliveries().len()
    );
}

async fn start(config: MockConfig) -> (MockHandle, Client) {
    let mock = mock::start(config).await.unwrap();
    let client = mock.client().unwrap();
    let users = ["alice", "bob", "carol"]
        .map(|u| UserRegistration::new(u, "secret-pw"))
        .to_vec();
    client.users().register_users(users).await.unwrap();
    (mock, client)
}

async fn text(client: &Client, from: &str, to: &str, text: &str) -> String {
    let sent = client
        .messages()
        .send_user_text_message(
            SendUserTextMessageRequest::new([to], MessageTextBody::new(text)).with_from(from),
        )
        .await
        .unwrap();
    sent.data.unwrap()[to].clone()
}

// `post_send` runs each handler on its own task; on this single-threaded test runtime the
// tasks run in the order they were spawned, which is the order the callbacks arrived.
#[tokio::test]
async fn a_receiver_sees_the_scenario_as_typed_events_in_order() {
    let (url, mut rx) = receiver(SECRET).await;
    let (mock, client) =
        start(MockConfig::default().with_callback(CallbackRule::post_send(&url, SECRET))).await;

    client.contacts().add_contact("alice", "bob").await.unwrap();
    let created = client
        .groups()
        .create_group(
            CreateGroupRequest::new(GroupVisibility::Public, "alice")
                .with_group_name("team")
                .with_members(vec!["bob".to_owned()]),
        )
        .await
        .unwrap();
    let group = created.data.unwrap().group_id.unwrap();
    client
        .groups()
        .add_group_member(&group, "carol")
        .await
        .unwrap();
    let sent = client
        .messages()
        .send_group_text_message(
            SendGroupTextMessageRequest::new([group.clone()], MessageTextBody::new("hello team"))
                .with_from("alice"),
        )
        .await
        .unwrap();
    let group_msg = sent.data.unwrap()[&group].clone();
    let direct = text(&client, "alice", "bob", "psst").await;
    client
        .messages()
        .recall_message(
            RecallMessageRequest::new(&direct, "bob", MessageChatType::Chat).with_from("alice"),
        )
        .await
        .unwrap();
    client
        .groups()
        .remove_group_member(&group, "carol")
        .await
        .unwrap();
    client.groups().delete_group(&group).await.unwrap();

    let mut seen = Vec::new();
    for _ in 0..10 {
        seen.push(next(&mut rx).await);
    }
    let names: Vec<_> = seen.iter().map(|e| e.name().unwrap()).collect();
    assert_eq!(
        names,
        [
            "roster_add",
            "muc_create",
            "muc_presence",
            "muc_presence",
            "groupchat_message",
            "chat_message",
            "recall",
            "muc_kick",
            "muc_absence",
            "muc_destroy"
        ]
    );
    let CallbackEvent::RosterAdd(added) = &seen[0] else {
        panic!("{:?}", seen[0])
    };
    assert_eq!(
        (added.from.as_deref(), added.to.as_deref()),
        (Some("alice"), Some("bob"))
    );
    let CallbackEvent::MucCreate(create) = &seen[1] else {
        panic!("{:?}", seen[1])
    };
    assert_eq!(
        (create.group_id.as_deref(), create.from.as_deref()),
        (Some(group.as_str()), Some("alice"))
    );
    assert_eq!(
        create.payload.as_ref().unwrap().muc_id.as_deref(),
        Some(format!("demo#demo_{group}@conference.easemob.com").as_str())
    );
    assert_eq!(
        [seen[2].from(), seen[3].from()],
        [Some("bob"), Some("carol")]
    );
    let CallbackEvent::GroupchatMessage(message) = &seen[4] else {
        panic!("{:?}", seen[4])
    };
    assert_eq!(
        (message.msg_id.as_deref(), message.group_id.as_deref()),
        (Some(group_msg.as_str()), Some(group.as_str()))
    );
    let body = &message.payload.as_ref().unwrap().bodies.as_ref().unwrap()[0];
    assert_eq!(
        (body.type_.clone(), body.msg.as_deref()),
        (Some(MessageType::Txt), Some("hello team"))
    );
    let CallbackEvent::ChatMessage(chat) = &seen[5] else {
        panic!("{:?}", seen[5])
    };
    assert_eq!(
        (
            chat.msg_id.as_deref(),
            chat.to.as_deref(),
            chat.event_type.as_deref()
        ),
        (Some(direct.as_str()), Some("bob"), Some("chat"))
    );
    let CallbackEvent::Recall(recall) = &seen[6] else {
        panic!("{:?}", seen[6])
    };
    assert_eq!(recall.recall_id.as_deref(), Some(direct.as_str()));
    assert_eq!(
        [seen[7].to(), seen[8].from()],
        [Some("carol"), Some("carol")]
    );
    for event in &seen {
        assert_eq!(
            (event.appkey(), event.host()),
            (Some("demo#demo"), Some("easemob-mock"))
        );
    }

    let done = deliveries(&mock, 10).await;
    assert!(
        done.iter()
            .all(|d| d.status == Some(200) && d.attempts == 1 && d.kind == CallbackKind::PostSend),
        "{done:?}"
    );
    assert_eq!(mock.server().callback_dropped(), 0);
}

#[tokio::test]
async fn pre_send_rules_reject_and_rewrite() {
    let pre = serve(axum::Router::new().nest(
        "/pre",
        receiver::pre_send(SECRET, |event: CallbackEvent| async move {
            let CallbackEvent::ChatMessage(message) = &event else {
                return Decision::Reject {
                    code: Some("not a chat".into()),
                };
            };
            match message
                .payload
                .as_ref()
                .and_then(|p| p.bodies.as_ref())
                .and_then(|b| b[0].msg.as_deref())
            {
                Some("a bad word") => Decision::Reject {
                    code: Some("HX:10000".into()),
                },
                Some("rewrite me") => Decision::Rewrite { text: "***".into() },
                _ => Decision::Allow,
            }
        }),
    ))
    .await;
    let (events, mut rx) = receiver(SECRET).await;
    let config = MockConfig::default()
        .with_callback(CallbackRule::pre_send(format!("{pre}/pre"), SECRET))
        .with_callback(CallbackRule::post_send(&events, SECRET).with_events(["chat_message"]));
    let (mock, client) = start(config).await;

    let fine = text(&client, "alice", "bob", "fine").await;
    let rejected = text(&client, "alice", "bob", "a bad word").await;
    let rewritten = text(&client, "alice", "bob", "rewrite me").await;

    let kept = mock.server().sent_messages("demo", "demo");
    let kept: Vec<_> = kept
        .iter()
        .map(|m| (m.msg_id.clone(), m.body.clone()))
        .collect();
    assert_eq!(
        kept,
        [
            (fine.clone(), json!({"msg": "fine"})),
            (rewritten.clone(), json!({"msg": "***"}))
        ]
    );
    // Only what was delivered reaches the post-send rule, as rewritten.
    let first = next(&mut rx).await;
    let second = next(&mut rx).await;
    assert_eq!(
        [first.msg_id(), second.msg_id()],
        [Some(fine.as_str()), Some(rewritten.as_str())]
    );
    let CallbackEvent::ChatMessage(second) = second else {
        panic!()
    };
    assert_eq!(
        second.payload.unwrap().bodies.unwrap()[0].msg.as_deref(),
        Some("***")
    );

    let asked: Vec<_> = deliveries(&mock, 5)
        .await
        .into_iter()
        .filter(|d| d.kind == CallbackKind::PreSend)
        .map(|d| {
            (
                d.body["msg_id"].as_str().unwrap().to_owned(),
                d.pre_send.unwrap(),
            )
        })
        .collect();
    assert_eq!(
        asked,
        [
            (fine, PreSendOutcome::Allowed),
            (
                rejected,
                PreSendOutcome::Rejected {
                    code: Some("HX:10000".into())
                }
            ),
            (rewritten, PreSendOutcome::Rewritten { text: "***".into() }),
        ]
    );
}

#[tokio::test]
async fn pre_send_failures_apply_the_rule_policy() {
    // A port nobody listens on.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/pre", closed.local_addr().unwrap());
    drop(closed);
    for (policy, kept) in [(PreSendFailure::Allow, 1), (PreSendFailure::Reject, 0)] {
        let rule = CallbackRule::pre_send(&url, SECRET).with_on_failure(policy);
        let (mock, client) = start(MockConfig::default().with_callback(rule)).await;
        text(&client, "alice", "bob", "hi").await;
        assert_eq!(
            mock.server().sent_messages("demo", "demo").len(),
            kept,
            "{policy:?}"
        );
        let asked = mock.server().callback_deliveries();
        assert_eq!(asked.len(), 1);
        assert_eq!(
            (asked[0].status, asked[0].pre_send.clone()),
            (None, Some(PreSendOutcome::Failed { policy }))
        );
        assert!(asked[0].error.is_some());
    }
}

/// A receiver answering `statuses[n]` to its n-th request (then the last one), recording the
/// bodies.
async fn scripted(statuses: &'static [u16]) -> (String, Arc<std::sync::Mutex<Vec<Value>>>) {
    let bodies = Arc::new(std::sync::Mutex::new(Vec::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&bodies);
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move |body: axum::body::Bytes| {
            let (seen, count) = (Arc::clone(&seen), Arc::clone(&count));
            async move {
                seen.lock()
                    .unwrap()
                    .push(serde_json::from_slice::<Value>(&body).unwrap());
                let n = count.fetch_add(1, Ordering::SeqCst);
                StatusCode::from_u16(statuses[n.min(statuses.len() - 1)]).unwrap()
            }
        }),
    );
    (format!("{}/events", serve(app).await), bodies)
}

#[tokio::test]
async fn a_failed_delivery_is_retried_once() {
    let (flaky, flaky_bodies) = scripted(&[500, 200]).await;
    let (down, down_bodies) = scripted(&[503]).await;
    let config = MockConfig::default()
        .with_callback(CallbackRule::post_send(&flaky, SECRET))
        .with_callback(CallbackRule::post_send(&down, SECRET));
    let (mock, client) = start(config).await;
    text(&client, "alice", "bob", "hi").await;
    let done = deliveries(&mock, 2).await;
    let by_url = |url: &str| done.iter().find(|d| d.url == url).unwrap().clone();
    let (ok, failed) = (by_url(&flaky), by_url(&down));
    assert_eq!((ok.status, ok.attempts), (Some(200), 2));
    assert_eq!((failed.status, failed.attempts), (Some(503), 2));
    assert!(ok.succeeded() && !failed.succeeded());
    // The same signed body twice, then nothing more.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for bodies in [flaky_bodies, down_bodies] {
        let bodies = bodies.lock().unwrap();
        assert_eq!(bodies.len(), 2);
        assert_eq!(bodies[0], bodies[1]);
        assert_eq!(bodies[0]["chat_type"], "chat");
    }
}

#[tokio::test]
async fn a_full_queue_drops_events_without_slowing_the_api() {
    // The receiver holds every request until the test lets it answer.
    let gate = Arc::new(Semaphore::new(0));
    let held = Arc::clone(&gate);
    let app = axum::Router::new().route(
        "/events",
        axum::routing::post(move || {
            let held = Arc::clone(&held);
            async move {
                held.acquire().await.unwrap().forget();
                StatusCode::OK
            }
        }),
    );
    let url = format!("{}/events", serve(app).await);
    let config = MockConfig::default()
        .with_callback(CallbackRule::post_send(&url, SECRET))
        .with_callback_queue(1);
    let (mock, client) = start(config).await;
    // Ten messages while the receiver answers nothing: the API answers every one.
    for i in 0..10 {
        text(&client, "alice", "bob", &format!("m{i}")).await;
    }
    assert_eq!(mock.server().sent_messages("demo", "demo").len(), 10);
    assert!(mock.server().callback_deliveries().is_empty());
    // One delivery in flight and one queued; the rest dropped (one more if the worker had
    // not yet taken the first when the second came).
    let dropped = mock.server().callback_dropped();
    assert!((8..=9).contains(&dropped), "{dropped}");
    gate.add_permits(10);
    let done = deliveries(&mock, (10 - dropped) as usize).await;
    assert!(done.iter().all(|d| d.status == Some(200)), "{done:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        mock.server().callback_deliveries().len() as u64,
        10 - dropped
    );
}

#[tokio::test]
async fn a_rule_with_another_secret_is_refused_and_recorded() {
    let (url, mut rx) = receiver("the-app-secret").await;
    let (mock, client) =
        start(MockConfig::default().with_callback(CallbackRule::post_send(&url, "a-stale-secret")))
            .await;
    text(&client, "alice", "bob", "hi").await;
    let done = deliveries(&mock, 1).await;
    assert_eq!(
        (done[0].status, done[0].attempts, done[0].event),
        (Some(401), 2, "chat_message")
    );
    assert!(rx.try_recv().is_err(), "the handler saw a refused callback");
    // Neither the mock's nor the rule's Debug shows the secret.
    let debug = format!("{:?} {:?}", mock.server(), mock.server().config());
    assert!(!debug.contains("a-stale-secret"), "{debug}");
}

#[tokio::test]
async fn a_refused_message_is_not_put_to_pre_send_rules() {
    let (url, _rx) = receiver(SECRET).await;
    let config = MockConfig::default()
        .with_strict_messages(true)
        .with_callback(CallbackRule::pre_send(&url, SECRET));
    let (mock, client) = start(config).await;
    let refused = client
        .messages()
        .send_user_text_message(
            SendUserTextMessageRequest::new(["nobody"], MessageTextBody::new("hi"))
                .with_from("alice"),
        )
        .await;
    assert!(refused.is_err());
    assert!(mock.server().callback_deliveries().is_empty());
    assert!(mock.server().sent_messages("demo", "demo").is_empty());
}
