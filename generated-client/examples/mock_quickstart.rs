//! Runs the client against the in-process mock: no account needed.
//!
//! `cargo run -p easemob-im --features mock --example mock_quickstart`

use easemob_im::mock::{self, MockConfig};
use easemob_im::models::{MessageTextBody, SendUserTextMessageRequest, UserRegistration};
use easemob_im::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // One tenant, org `demo` and app `demo`, with the demo credentials.
    let mock = mock::start(MockConfig::default()).await?;
    println!("mock listening on {}", mock.base_url());

    let client = easemob_im::Client::builder()
        .base_url(mock.base_url())
        .org_name("demo")
        .app_name("demo")
        .credentials(easemob_im::Credentials::client_credentials(
            "demo-client-id",
            "demo-client-secret",
        ))
        .build()?;

    let users: Vec<UserRegistration> = (1..=5)
        .map(|i| UserRegistration::new(format!("user{i}"), "secret"))
        .collect();
    let registered = client.users().register_users(users).await?;
    println!(
        "registered {} users",
        registered.entities.unwrap_or_default().len()
    );

    let hello =
        SendUserTextMessageRequest::new(["user2"], MessageTextBody::new("hello"))
            .with_from("user1");
    let sent = client.messages().send_user_text_message(hello).await?;
    println!("message ids: {:?}", sent.data.unwrap_or_default());

    // Two users per page; the stream follows the cursor.
    let names: Vec<String> = client
        .users()
        .list_users()
        .limit(2)
        .into_stream()
        .map_ok(|user| user.username.unwrap_or_default())
        .try_collect()
        .await?;
    println!("all users: {names:?}");

    for message in mock.server().sent_messages("demo", "demo") {
        println!(
            "the mock kept: {} -> {}: {}",
            message.from, message.to, message.body
        );
    }
    mock.shutdown().await;
    Ok(())
}
