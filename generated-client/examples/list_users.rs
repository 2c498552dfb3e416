//! Pages through every user of the app as a stream, 50 per request.
//!
//! `cargo run -p easemob-im --example list_users` (configured from `EASEMOB_*` variables: see `Client::from_env`).

use easemob_im::TryStreamExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = easemob_im::Client::from_env()?;
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
