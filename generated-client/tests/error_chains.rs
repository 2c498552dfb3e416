//! Errors read once: each layer's `Display` says its own part and `source()` leads to the
//! rest, so a report that walks the chain (anyhow's `{:#}`, a logger) never says the same
//! thing twice. Every kind of error is rendered as such a report here.
#![cfg(feature = "mock")]

use std::time::Duration;

use easemob_im::files::ByteStream;
use easemob_im::mock::{self, MockConfig, TenantConfig};
use easemob_im::models::ErrorCode;
use easemob_im::request::OperationRequest;
use easemob_im::reqwest::{Method, StatusCode};
use easemob_im::{Client, Credentials, Error, RetryPolicy, Value};

/// Each layer's `Display`, outermost first, walking `source()`.
fn chain(error: &Error) -> Vec<String> {
    let mut layers = vec![error.to_string()];
    let mut cause = std::error::Error::source(error);
    while let Some(error) = cause {
        layers.push(error.to_string());
        cause = error.source();
    }
    layers
}

/// The chain, checked: no layer is empty and none repeats what a deeper one says.
fn checked_chain(error: &Error) -> Vec<String> {
    let layers = chain(error);
    for (i, outer) in layers.iter().enumerate() {
        assert!(!outer.is_empty(), "an empty layer in {layers:#?}");
        for inner in &layers[i + 1..] {
            assert!(
                !outer.contains(inner.as_str()),
                "{outer:?} repeats its cause {inner:?}: {layers:#?}"
            );
        }
    }
    // `{:#}` is the same report.
    assert_eq!(format!("{error:#}"), layers.join(": "));
    layers
}

fn client_for(base_url: &str, client_id: &str, client_secret: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .org_name("demo")
        .app_name("demo")
        .credentials(Credentials::client_credentials(client_id, client_secret))
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

#[tokio::test]
async fn wrong_credentials_read_once() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let client = client_for(&mock.base_url(), "demo-client-id", "not-the-secret");
    let err = client.users().get_user("alice").await.unwrap_err();
    assert!(matches!(err, Error::Token(_)), "{err:?}");
    assert_eq!(
        checked_chain(&err),
        [
            "could not obtain the app token",
            "get_app_token: HTTP 400 Bad Request: invalid_grant: client_secret does not match",
        ]
    );
    // The code and status of the token endpoint's answer, seen through `Error::Token`.
    assert_eq!(err.code(), Some(&ErrorCode::InvalidGrant));
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert!(err.as_api().is_none(), "as_api is for Error::Api only");
    assert!(!err.is_timeout());
    // The secret sent is nowhere in the report.
    assert!(!format!("{err:#} {err:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn api_errors_read_once_and_debug_shows_the_body() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let client = mock.client().unwrap();
    let err = client.users().get_user("nobody").await.unwrap_err();
    let layers = checked_chain(&err);
    assert_eq!(layers.len(), 1, "{layers:?}");
    assert!(
        layers[0].starts_with("get_user: HTTP 404 Not Found: service_resource_not_found"),
        "{layers:?}"
    );
    assert_eq!(err.code(), Some(&ErrorCode::ServiceResourceNotFound));

    // Debug: the decoded body and the body's text, not bytes.
    let debug = format!("{err:?}");
    assert!(debug.contains("body: Some(ErrorResponse {"), "{debug}");
    assert!(debug.contains("error: ServiceResourceNotFound"), "{debug}");
    assert!(debug.contains(r#"text: "{\"error\":\"service_resource_not_found\""#), "{debug}");
    assert!(!debug.contains("b\"") && !debug.contains("[123,"), "{debug}");
}

#[tokio::test]
async fn api_error_debug_cuts_long_bodies() {
    use axum::routing::get;
    let description = "x".repeat(5000);
    let body = format!(r#"{{"error":"illegal_argument","error_description":"{description}"}}"#);
    let html = format!("<html>{}</html>", "y".repeat(5000));
    let app = axum::Router::new()
        .route(
            "/demo/demo/long",
            get(move || async move { (StatusCode::BAD_REQUEST, body) }),
        )
        .route(
            "/demo/demo/html",
            get(move || async move { (StatusCode::BAD_GATEWAY, html) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder()
        .base_url(&base)
        .org_name("demo")
        .app_name("demo")
        .credentials(Credentials::token("t"))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    for path in ["/long", "/html"] {
        let req = OperationRequest::new("long", Method::GET, "/long", path);
        let err = client.execute_empty(req).await.unwrap_err();
        checked_chain(&err);
        let debug = format!("{err:?}");
        assert!(debug.len() < 1500, "{} bytes: {debug}", debug.len());
        assert!(debug.contains("bytes)"), "says how long the body was: {debug}");
    }
}

#[tokio::test]
async fn transport_and_timeout_errors_read_once() {
    // Connection refused: a port that was free a moment ago.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client_for(&base, "id", "secret");
    let err = client.authenticate().await.unwrap_err();
    let layers = checked_chain(&err);
    assert_eq!(layers[0], "could not obtain the app token");
    assert_eq!(layers[1], "transport error");
    assert!(layers.len() > 2, "the transport's causes follow: {layers:?}");

    // A server that accepts and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    let _keep = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            open.push(stream);
        }
    });
    let client = Client::builder()
        .base_url(&base)
        .org_name("demo")
        .app_name("demo")
        .credentials(Credentials::client_credentials("id", "secret"))
        .retry(RetryPolicy::never())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.authenticate().await.unwrap_err();
    assert!(err.is_timeout(), "seen through Error::Token: {err:?}");
    assert_eq!(err.status(), None);
    let layers = checked_chain(&err);
    assert_eq!(
        layers[..2],
        ["could not obtain the app token", "get_app_token: request timed out"]
    );
}

#[tokio::test]
async fn decode_io_and_encode_errors_read_once() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let client = mock.client().unwrap();

    // A 2xx answer of another shape than asked for.
    let req = OperationRequest::new("list_users", Method::GET, "/users", "/users");
    let err = client.execute_json::<Vec<u32>>(req).await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.status(), Some(StatusCode::OK));
    let layers = checked_chain(&err);
    assert!(layers[0].starts_with("list_users: could not decode the response (HTTP 200 OK) at `.`"), "{layers:?}");

    // A download written into a folder that does not exist.
    let err = ByteStream::from_chunks(vec![Ok(easemob_im::Bytes::from_static(b"x"))])
        .write_to_file("/no/such/dir/file.bin")
        .await
        .unwrap_err();
    let layers = checked_chain(&err);
    // The temporary file next to it, which is created first.
    assert!(layers[0].starts_with("creating /no/such/dir/"), "{layers:?}");
    assert_eq!(layers.len(), 2, "then the OS's reason: {layers:?}");

    // A header that cannot be sent, and a path that is not a URL.
    let req = OperationRequest::new("op", Method::GET, "/x", "/x").header("x-bad", "a\nb");
    let err = client.execute_empty(req).await.unwrap_err();
    let layers = checked_chain(&err);
    assert!(layers[0].starts_with("could not encode the request: op: "), "{layers:?}");

    // A body that cannot be serialized: the serializer's reason is the source.
    let odd: std::collections::HashMap<Vec<u8>, u8> = [(vec![1], 1)].into();
    let err = easemob_im::request::Body::json(&odd).unwrap_err();
    let layers = checked_chain(&err);
    assert!(layers.len() >= 2, "{layers:?}");

    // A configuration error has no cause.
    let err = Client::builder().build().unwrap_err();
    assert_eq!(checked_chain(&err).len(), 1);
    let _ = Value::Null; // `ext` fields' type is at the crate root
    let _ = TenantConfig::new("a", "b", "c", "d");
}

#[test]
fn models_holding_credentials_hide_them_in_debug() {
    use easemob_im::models::{TokenAppResponse, UserRegistration};
    let registration = format!("{:?}", UserRegistration::new("ann", "hunter2-secret"));
    assert!(registration.contains("\"ann\"") && !registration.contains("hunter2"), "{registration}");
    let token: TokenAppResponse = easemob_im::serde_json::from_str(r#"{"access_token": "YWMt-app-token", "expires_in": 5184000}"#).unwrap();
    let shown = format!("{token:?} {token:#?}");
    assert!(!shown.contains("YWMt") && shown.contains("5184000") && shown.contains("***"), "{shown}");
}
