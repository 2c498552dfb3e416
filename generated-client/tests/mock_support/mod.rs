//! Sequences of real calls through the generated client against the in-process mock,
//! shared by the `mock_*` integration tests. Each flow uses its own user, group and room
//! names, so that several can run against one mock.
// Each test binary uses a different part of this module.
#![allow(dead_code, unused_imports)]

mod chatrooms;
mod groups;
mod messages;
mod users;

use std::fmt::Debug;

use easemob_im::mock::{self, MockConfig, MockHandle};
use easemob_im::models::*;
use easemob_im::{Client, Error};

pub use chatrooms::*;
pub use groups::*;
pub use messages::*;
pub use users::*;

pub const ORG: &str = "demo";
pub const APP: &str = "demo";

/// A mock serving the demo tenant, and a client for it.
pub async fn start() -> (MockHandle, Client) {
    start_with(MockConfig::default()).await
}

pub async fn start_with(config: MockConfig) -> (MockHandle, Client) {
    let mock = mock::start(config).await.expect("the mock starts");
    let client = mock.client().expect("the client builds");
    (mock, client)
}

/// The status and error code of a call that must fail with an Easemob error.
pub fn failure<T: Debug>(result: Result<T, Error>) -> (u16, ErrorCode) {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => {
            let status = error
                .status()
                .unwrap_or_else(|| panic!("not an API error: {error}"))
                .as_u16();
            let code = error
                .code()
                .cloned()
                .unwrap_or_else(|| panic!("no Easemob error body: {error}"));
            (status, code)
        }
    }
}

pub fn strings(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

pub async fn register(client: &Client, names: &[&str]) {
    let users = names
        .iter()
        .map(|n| UserRegistration::new(*n, "secret"))
        .collect();
    let response = client
        .users()
        .register_users(users)
        .await
        .expect("register_users");
    assert_eq!(
        response.entities.unwrap_or_default().len(),
        names.len(),
        "all of {names:?} registered"
    );
}
