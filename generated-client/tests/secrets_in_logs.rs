//! Everything the crate logs (at TRACE) while fetching user tokens, going through an
//! authenticated proxy and failing over to another host: the operations are there, the
//! user's password, the user token, the proxy password and the app token are not.
#![cfg(feature = "tokens")]

mod runtime_support;

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use easemob_im::{Client, Credentials, Proxy, RetryPolicy};
use runtime_support::*;
use serde_json::{json, Value};

const USER_PASSWORD: &str = "USER-PASSWORD-1";
const USER_TOKEN: &str = "USER-TOKEN-1";
const PROXY_PASSWORD: &str = "PROXY-PASSWORD-1";
const APP_TOKEN: &str = "APP-TOKEN-1";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A forward proxy in front of two fake hosts: `primary.invalid` answers 503,
/// `backup.invalid` answers token requests (echoing a wrong password back in its error).
async fn proxy_in_front_of_two_hosts() -> String {
    async fn handle(request: Request) -> axum::response::Response {
        let host = request.uri().host().unwrap_or_default().to_owned();
        let body: Bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
            .await
            .unwrap_or_default();
        if host == "primary.invalid" {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"error": "busy"})),
            )
                .into_response();
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or_default();
        if body["username"] == "bad" {
            let description = format!("wrong password {}", body["password"]);
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant", "error_description": description})),
            )
                .into_response();
        }
        Json(json!({"access_token": USER_TOKEN, "expires_in": 60, "user": {"username": body["username"]}}))
            .into_response()
    }
    serve(Router::new().fallback(handle)).await
}

#[tokio::test]
async fn no_secret_reaches_the_log() {
    let proxy = proxy_in_front_of_two_hosts().await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = Client::builder()
        .base_urls(["http://primary.invalid", "http://backup.invalid"])
        .app_key("org#app")
        .credentials(Credentials::token(APP_TOKEN))
        .proxy(Proxy::all(&proxy).basic_auth("proxy-user", PROXY_PASSWORD))
        .retry(RetryPolicy::default().retry_non_idempotent(true))
        .build()
        .unwrap();
    let token = client
        .user_token_with_password("alice", USER_PASSWORD)
        .await
        .unwrap();
    assert_eq!(token.access_token.expose(), USER_TOKEN);
    let token = client.user_token("alice").await.unwrap();
    assert_eq!(token.access_token.expose(), USER_TOKEN);
    let error = client
        .user_token_with_password("bad", USER_PASSWORD)
        .await
        .unwrap_err();
    tracing::info!(error = %format_args!("{error:#}"), debug = ?error, "the error, logged");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("operation_id=\"get_user_token_with_password\""),
        "{log}"
    );
    assert!(log.contains("operation_id=\"get_user_token\""), "{log}");
    assert!(log.contains("trying the next host"), "{log}");
    assert!(log.contains("invalid_grant"), "{log}");
    for secret in [USER_PASSWORD, USER_TOKEN, PROXY_PASSWORD, APP_TOKEN] {
        assert!(!log.contains(secret), "{secret:?} leaked into\n{log}");
    }
}
