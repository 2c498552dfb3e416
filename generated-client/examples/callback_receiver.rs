//! An app receiving Easemob's post-send callbacks with `webhook::receiver::post_send`: it
//! keeps the messages it is told of in memory and prints them. Run against the in-process
//! mock, which is configured with a callback rule pointing at the receiver:
//!
//! `cargo run -p easemob-im --features mock,callbacks-axum --example callback_receiver`

use std::sync::{Arc, Mutex};
use std::time::Duration;

use easemob_im::callbacks::CallbackEvent;
use easemob_im::mock::{self, CallbackRule, MockConfig};
use easemob_im::models::{MessageTextBody, SendUserTextMessageRequest, UserRegistration};
use easemob_im::webhook::receiver;

/// The rule's secret, shared by the receiver and the mock's callback rule.
const SECRET: &str = "example-rule-secret";

/// A message as the app keeps it.
#[derive(Debug, Clone)]
struct Received {
    msg_id: String,
    from: String,
    to: String,
    text: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The app: one route receiving the signed callbacks; one-to-one messages are stored.
    let store: Arc<Mutex<Vec<Received>>> = Arc::default();
    let kept = Arc::clone(&store);
    let app = easemob_im::axum::Router::new().nest(
        "/easemob/events",
        receiver::post_send(SECRET, move |event: CallbackEvent| {
            let kept = Arc::clone(&kept);
            async move {
                if let CallbackEvent::ChatMessage(message) = event {
                    let text = message
                        .payload
                        .as_ref()
                        .and_then(|p| p.bodies.as_ref())
                        .and_then(|bodies| bodies.first())
                        .and_then(|body| body.msg.clone())
                        .unwrap_or_default();
                    let received = Received {
                        msg_id: message.msg_id.unwrap_or_default(),
                        from: message.from.unwrap_or_default(),
                        to: message.to.unwrap_or_default(),
                        text,
                    };
                    println!("received: {received:?}");
                    kept.lock().unwrap().push(received);
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/easemob/events", listener.local_addr()?);
    let server = tokio::spawn(async move { axum_serve(listener, app).await });
    println!("receiver listening on {url}");

    // The mock, with a post-send rule for one-to-one messages pointing at the receiver.
    let rule = CallbackRule::post_send(&url, SECRET).with_events(["chat_message"]);
    let mock = mock::start(MockConfig::default().with_callback(rule)).await?;
    let client = mock.client()?;
    client
        .users()
        .register_users(vec![
            UserRegistration::new("alice", "secret-pw"),
            UserRegistration::new("bob", "secret-pw"),
        ])
        .await?;
    for text in ["hello bob", "see you at noon"] {
        let message =
            SendUserTextMessageRequest::new(["bob"], MessageTextBody::new(text)).with_from("alice");
        client.messages().send_user_text_message(message).await?;
    }

    // Callbacks are asynchronous: wait until both arrived (or give up after 10 s).
    for _ in 0..200 {
        if store.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The receiver runs each handler on its own task, so the store's order is not always
    // the order of arrival; the mock's message ids grow, so sort by them.
    let mut stored = store.lock().unwrap().clone();
    stored.sort_by_key(|m| m.msg_id.parse::<u64>().unwrap_or_default());
    println!("the app stored {} messages:", stored.len());
    for message in &stored {
        println!(
            "  {} {} -> {}: {}",
            message.msg_id, message.from, message.to, message.text
        );
    }
    for delivery in mock.server().callback_deliveries() {
        println!(
            "the mock delivered {} to {}: status {:?}, {} attempt(s)",
            delivery.event, delivery.url, delivery.status, delivery.attempts
        );
    }
    mock.shutdown().await;
    server.abort();
    if stored.len() != 2 {
        return Err(format!("expected 2 messages, stored {}", stored.len()).into());
    }
    Ok(())
}

/// Serves the app (axum's `serve` needs axum's `tokio` feature, which `mock` turns on).
async fn axum_serve(listener: tokio::net::TcpListener, app: easemob_im::axum::Router) {
    if let Err(err) = easemob_im::axum::serve(listener, app).await {
        eprintln!("receiver stopped: {err}");
    }
}
