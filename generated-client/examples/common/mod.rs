//! Shared by the examples: a client configured from the environment.
//!
//! EASEMOB_BASE_URL (e.g. https://a1.easemob.com), EASEMOB_ORG, EASEMOB_APP,
//! EASEMOB_CLIENT_ID and EASEMOB_CLIENT_SECRET.

use easemob_im::{Client, Credentials};

pub fn client_from_env() -> Result<Client, Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    Ok(Client::builder()
        .base_url(var("EASEMOB_BASE_URL")?)
        .org_name(var("EASEMOB_ORG")?)
        .app_name(var("EASEMOB_APP")?)
        .credentials(Credentials::client_credentials(
            var("EASEMOB_CLIENT_ID")?,
            var("EASEMOB_CLIENT_SECRET")?,
        ))
        .build()?)
}
