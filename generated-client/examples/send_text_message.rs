//! Sends a text message from alice to bob.
//!
//! `cargo run -p easemob-im --example send_text_message` (configured from `EASEMOB_*` variables: see `Client::from_env`).

use easemob_im::models::{MessageTextBody, SendUserTextMessageRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = easemob_im::Client::from_env()?;
    let message = SendUserTextMessageRequest::new(["bob"], MessageTextBody::new("Hello, Bob!"))
        .with_from("alice");
    let response = client.messages().send_user_text_message(message).await?;
    for (recipient, message_id) in response.message_ids().into_iter().flatten() {
        println!("{recipient}: message {message_id}");
    }
    Ok(())
}
