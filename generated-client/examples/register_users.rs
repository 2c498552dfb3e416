//! Registers two users in one request.
//!
//! `cargo run -p easemob-im --example register_users` (configured from `EASEMOB_*` variables: see `Client::from_env`).

use easemob_im::models::UserRegistration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = easemob_im::Client::from_env()?;
    let users = vec![
        UserRegistration::new("alice", "alice-password").with_nickname("Alice"),
        UserRegistration::new("bob", "bob-password"),
    ];
    let response = client.users().register_users(users).await?;
    for user in response.entities.unwrap_or_default() {
        println!("registered {}", user.username.unwrap_or_default());
    }
    Ok(())
}
