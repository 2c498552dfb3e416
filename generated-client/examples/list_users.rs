//! Pages through every user of the app as a stream, 50 per request.
//!
//! `cargo run -p easemob-im --example list_users` (see common.rs for the environment).

mod common;

use easemob_im::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = common::client_from_env()?;
    let users = client.users().list_users().limit(50).into_stream();
    let mut users = std::pin::pin!(users);
    let mut count = 0;
    while let Some(user) = users.try_next().await? {
        count += 1;
        println!("{}", user.username.unwrap_or_default());
    }
    println!("{count} users");
    Ok(())
}
