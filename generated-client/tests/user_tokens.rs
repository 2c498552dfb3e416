//! User tokens: the password and inherit grants through `Client::user_token*` against the
//! mock, and a loopback server that echoes the password back in its error.
#![cfg(feature = "mock")]

mod mock_support;

use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use easemob_im::models::ErrorCode;
use easemob_im::{Client, Credentials, Error};
use mock_support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn password_grant_returns_the_token_and_user() {
    let (mock, client) = start().await;
    register(&client, &["ut-alice"]).await; // password "secret"
    let token = client
        .user_token_with_password("ut-alice", "secret")
        .ttl(3600)
        .await
        .unwrap();
    assert!(!token.access_token.expose().is_empty());
    assert_eq!(token.expires_in, Some(3600));
    let user = token.user.clone().unwrap();
    assert_eq!(user.username.as_deref(), Some("ut-alice"));
    let shown = format!("{token:?}");
    assert!(!shown.contains(token.access_token.expose()), "{shown}");
    drop(mock);
}

#[tokio::test]
async fn wrong_password_is_an_api_error_that_never_shows_it() {
    let (_mock, client) = start().await;
    register(&client, &["ut-bob"]).await;
    let request = client.user_token_with_password("ut-bob", "not-the-Pa55word");
    assert!(!format!("{request:?}").contains("not-the-Pa55word"));
    let error = request.await.unwrap_err();
    for text in [format!("{error:#}"), format!("{error:?}")] {
        assert!(!text.contains("not-the-Pa55word"), "{text}");
    }
    let (status, code) = failure::<()>(Err(error));
    assert_eq!(status, 400);
    assert_eq!(code, ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn inherit_grant_with_and_without_auto_create() {
    let (mock, client) = start().await;
    // A user that does not exist, without auto-create: the server's 404.
    let error = client.user_token("ut-carol").await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(!mock
        .server()
        .usernames(ORG, APP)
        .contains(&"ut-carol".to_owned()));

    let token = client
        .user_token("ut-carol")
        .auto_create_user(true)
        .ttl(120)
        .await
        .unwrap();
    assert_eq!(token.expires_in, Some(120));
    assert_eq!(token.user.unwrap().username.as_deref(), Some("ut-carol"));
    assert!(mock
        .server()
        .usernames(ORG, APP)
        .contains(&"ut-carol".to_owned()));

    // Now it exists: no auto-create needed; the default lifetime is the server's.
    let again = client.user_token("ut-carol").await.unwrap();
    assert_ne!(again.access_token, token.access_token);
    assert!(again.expires_in.unwrap() > 0);
}

#[tokio::test]
async fn a_password_echoed_by_the_server_is_scrubbed_from_the_error() {
    async fn echo(Json(body): Json<Value>) -> (StatusCode, Json<Value>) {
        let description = format!("bad password {} for {}", body["password"], body["username"]);
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": description})),
        )
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/org/app/token", post(echo));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .app_key("org#app")
        .credentials(Credentials::token("app-token"))
        .build()
        .unwrap();
    let error = client
        .user_token_with_password("dave", "hunter2-S3cret")
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.code(), Some(&ErrorCode::InvalidGrant));
    for text in [
        format!("{error}"),
        format!("{error:#}"),
        format!("{error:?}"),
        String::from_utf8_lossy(api.raw_body()).into_owned(),
    ] {
        assert!(!text.contains("hunter2-S3cret"), "{text}");
    }
    assert!(api.description().unwrap().contains("***"));
    assert!(api.description().unwrap().contains("dave"));
}

#[tokio::test]
async fn a_token_answer_without_a_token_is_a_decode_error_without_the_body() {
    async fn empty() -> Json<Value> {
        Json(json!({"access_token": "", "expires_in": 10, "user": {"username": "erin"}}))
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().route("/org/app/token", post(empty));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .app_key("org#app")
        .credentials(Credentials::token("app-token"))
        .build()
        .unwrap();
    let error = client.user_token("erin").await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
}
