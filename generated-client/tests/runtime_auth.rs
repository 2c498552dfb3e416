//! App-token management over loopback: lazy fetch, reuse, renewal, single flight, `401`
//! handling, fixed tokens, token errors, and that secrets never reach logs or `Debug`.

mod runtime_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get as get_route;
use axum::{Json, Router};
use easemob_im::models::ErrorCode;
use easemob_im::{Client, Credentials, Error, RetryPolicy};
use runtime_support::*;
use serde_json::{json, Value};

/// `GET /org/app/whoami` answers the bearer token it was sent, if the token is accepted by
/// `accept`; `401` otherwise. Counts hits.
type Accept = fn(&str) -> bool;

fn whoami(hits: Counter, accept: Accept) -> Router {
    async fn handler(
        State((hits, accept)): State<(Counter, Accept)>,
        headers: HeaderMap,
    ) -> Response {
        hits.incr();
        match bearer(&headers) {
            Some(token) if accept(&token) => Json(json!({ "token": token })).into_response(),
            _ => (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "unauthorized", "error_description": "Unable to authenticate due to expired access token"})),
            )
                .into_response(),
        }
    }
    Router::new()
        .route("/org/app/whoami", get_route(handler).post(handler))
        .with_state((hits, accept))
}

async fn whoami_token(client: &Client) -> Result<String, Error> {
    let v: Value = client.execute_json(get("whoami", "/whoami")).await?;
    Ok(v["token"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn token_is_fetched_lazily_once_and_reused() {
    let tokens = TokenEndpoint::new(3600);
    let hits = Counter::default();
    let base = serve(tokens.router().merge(whoami(hits.clone(), |_| true))).await;
    let client = client(&base).build().unwrap();
    assert_eq!(tokens.count.get(), 0, "building the client sends nothing");

    for _ in 0..3 {
        assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    }
    // Clones share the token.
    assert_eq!(whoami_token(&client.clone()).await.unwrap(), "tok-1");
    assert_eq!(tokens.count.get(), 1);
    assert_eq!(hits.get(), 4);

    let body = tokens.last_body.lock().unwrap().clone().unwrap();
    assert_eq!(
        body,
        json!({"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret"})
    );
}

#[tokio::test]
async fn token_ttl_is_sent_and_authenticate_fetches_early() {
    let tokens = TokenEndpoint::new(3600);
    let base = serve(tokens.router()).await;
    let client = client(&base).token_ttl(7200).build().unwrap();
    client.authenticate().await.unwrap();
    client.authenticate().await.unwrap();
    assert_eq!(tokens.count.get(), 1);
    assert_eq!(
        tokens.last_body.lock().unwrap().as_ref().unwrap()["ttl"],
        7200
    );
}

#[tokio::test]
async fn token_is_renewed_near_expiry() {
    // A 1 s token is renewed after half its lifetime.
    let tokens = TokenEndpoint::new(1);
    let base = serve(tokens.router().merge(whoami(Counter::default(), |_| true))).await;
    let client = client(&base).build().unwrap();
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-2");
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-2");
    assert_eq!(tokens.count.get(), 2);
}

#[tokio::test]
async fn token_that_never_expires_is_kept() {
    let tokens = TokenEndpoint::new(0);
    let base = serve(tokens.router().merge(whoami(Counter::default(), |_| true))).await;
    let client = client(&base).build().unwrap();
    for _ in 0..3 {
        assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    }
    assert_eq!(tokens.count.get(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_token_fetch_for_100_concurrent_calls() {
    let mut tokens = TokenEndpoint::new(3600);
    tokens.delay = Duration::from_millis(100);
    let hits = Counter::default();
    let base = serve(tokens.router().merge(whoami(hits.clone(), |_| true))).await;
    let client = client(&base).build().unwrap();
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { whoami_token(&client).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap(), "tok-1");
    }
    assert_eq!(tokens.count.get(), 1);
    assert_eq!(hits.get(), 100);
}

#[tokio::test]
async fn unauthorized_renews_the_token_and_retries_once() {
    let tokens = TokenEndpoint::new(3600);
    let hits = Counter::default();
    // The server has "forgotten" tok-1.
    let base = serve(
        tokens
            .router()
            .merge(whoami(hits.clone(), |t| t != "tok-1")),
    )
    .await;
    let client = client(&base).build().unwrap();
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-2");
    assert_eq!(tokens.count.get(), 2);
    assert_eq!(hits.get(), 2);
    // The new token is kept.
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-2");
    assert_eq!(tokens.count.get(), 2);
}

#[tokio::test]
async fn unauthorized_twice_is_returned_not_retried_again() {
    let tokens = TokenEndpoint::new(3600);
    let hits = Counter::default();
    let base = serve(tokens.router().merge(whoami(hits.clone(), |_| false))).await;
    let client = client(&base).build().unwrap();
    let err = whoami_token(&client).await.unwrap_err();
    let api = err.as_api().expect("an API error");
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.code(), Some(&ErrorCode::Unauthorized));
    assert_eq!(hits.get(), 2, "sent once, repeated once");
    assert_eq!(tokens.count.get(), 2);
}

#[tokio::test]
async fn unauthorized_post_is_repeated_too() {
    // A 401 means the server did nothing, so even a non-idempotent request is repeated.
    let tokens = TokenEndpoint::new(3600);
    let hits = Counter::default();
    let base = serve(
        tokens
            .router()
            .merge(whoami(hits.clone(), |t| t != "tok-1")),
    )
    .await;
    let client = client(&base).retry(RetryPolicy::never()).build().unwrap();
    let v: Value = client
        .execute_json(post_req("whoami", "/whoami"))
        .await
        .unwrap();
    assert_eq!(v["token"], "tok-2");
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn fixed_token_is_never_fetched_nor_renewed() {
    let tokens = TokenEndpoint::new(3600);
    let hits = Counter::default();
    let base = serve(
        tokens
            .router()
            .merge(whoami(hits.clone(), |t| t == "fixed")),
    )
    .await;
    let client = client(&base)
        .credentials(Credentials::token("fixed"))
        .build()
        .unwrap();
    assert_eq!(whoami_token(&client).await.unwrap(), "fixed");

    let other = client_with_token(&base, "stale");
    let err = whoami_token(&other).await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(hits.get(), 2, "a 401 with a fixed token is not repeated");
    assert_eq!(tokens.count.get(), 0);
}

fn client_with_token(base: &str, token: &str) -> Client {
    client(base)
        .credentials(Credentials::token(token))
        .build()
        .unwrap()
}

#[tokio::test]
async fn wrong_credentials_give_a_token_error_with_the_cause() {
    let tokens = TokenEndpoint::new(3600);
    let hits = Counter::default();
    let base = serve(tokens.router().merge(whoami(hits.clone(), |_| true))).await;
    let client = client(&base)
        .credentials(Credentials::client_credentials("id", "wrong"))
        .build()
        .unwrap();
    let err = whoami_token(&client).await.unwrap_err();
    let Error::Token(cause) = &err else {
        panic!("expected a token error, got {err:?}")
    };
    let api = cause.as_api().expect("the cause is the server's answer");
    assert_eq!(api.status(), StatusCode::BAD_REQUEST);
    assert_eq!(api.code(), Some(&ErrorCode::InvalidGrant));
    assert_eq!(api.operation_id(), "get_app_token");
    // Said once: this layer, then the cause.
    assert_eq!(err.to_string(), "could not obtain the app token");
    assert!(format!("{err:#}").contains(": get_app_token: HTTP 400 Bad Request: invalid_grant"), "{err:#}");
    assert_eq!(err.code(), Some(&ErrorCode::InvalidGrant));
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(hits.get(), 0, "the API call is not sent without a token");
    // 400 is not retried.
    assert_eq!(tokens.count.get(), 1);
    assert!(matches!(client.authenticate().await, Err(Error::Token(_))));
}

#[tokio::test]
async fn token_endpoint_outage_is_retried() {
    let count = Counter::default();
    let c = count.clone();
    let router = Router::new().route(
        "/org/app/token",
        axum::routing::post(move || {
            let n = c.incr();
            async move {
                if n == 1 {
                    (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
                } else {
                    Json(json!({"access_token": "good", "expires_in": 100})).into_response()
                }
            }
        }),
    );
    let base = serve(router.merge(whoami(Counter::default(), |_| true))).await;
    let client = client(&base).build().unwrap();
    assert_eq!(whoami_token(&client).await.unwrap(), "good");
    assert_eq!(count.get(), 2);
}

#[tokio::test]
async fn failed_renewal_keeps_using_the_valid_token() {
    // tok-1 lives 2 s (renewal from 1 s on); every later token request fails.
    let count = Counter::default();
    let c = count.clone();
    let router = Router::new().route(
        "/org/app/token",
        axum::routing::post(move || {
            let n = c.incr();
            async move {
                if n == 1 {
                    Json(json!({"access_token": "tok-1", "expires_in": 2})).into_response()
                } else {
                    (StatusCode::SERVICE_UNAVAILABLE, "down").into_response()
                }
            }
        }),
    );
    let base = serve(router.merge(whoami(Counter::default(), |_| true))).await;
    let client = client(&base).retry(RetryPolicy::never()).build().unwrap();
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    // Renewal fails, but tok-1 is still valid: the call goes through with it...
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    assert_eq!(count.get(), 2);
    // ...and the next call does not hammer the token endpoint.
    assert_eq!(whoami_token(&client).await.unwrap(), "tok-1");
    assert_eq!(count.get(), 2);
}

#[tokio::test]
async fn bad_token_answers_are_token_errors_that_do_not_leak_the_token() {
    for answer in [
        json!({"access_token": "LEAKED-TOKEN", "expires_in": "soon"}),
        json!({"access_token": "", "expires_in": 5}),
        json!({"access_token": "LEAKED-TOKEN\n", "expires_in": 5}),
        json!({"expires_in": 5}),
    ] {
        let a = answer.clone();
        let router = Router::new().route(
            "/org/app/token",
            axum::routing::post(move || async move { Json(a) }),
        );
        let base = serve(router).await;
        let client = client(&base).build().unwrap();
        let err = client.authenticate().await.unwrap_err();
        let Error::Token(cause) = &err else {
            panic!("{err:?}")
        };
        assert!(matches!(**cause, Error::Decode(_)), "{answer}: {cause:?}");
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("LEAKED"), "{shown}");
    }
}

/// A writer for the tracing subscriber that keeps everything in memory.
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

#[tokio::test]
async fn tracing_records_the_operation_but_no_secret() {
    let tokens = TokenEndpoint::new(1);
    let base = serve(
        tokens
            .router()
            .merge(whoami(Counter::default(), |t| t != "tok-1")),
    )
    .await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = client(&base).build().unwrap();
    let req = get("whoami", "/whoami").query("secret_query", "QUERY-VALUE");
    let v: Value = client.execute_json(req).await.unwrap();
    assert_eq!(v["token"], "tok-2");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("easemob.request"), "{log}");
    assert!(log.contains("operation_id=\"whoami\""), "{log}");
    assert!(log.contains("operation_id=\"get_app_token\""), "{log}");
    assert!(log.contains("path_template=\"/test\""), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("attempt=2"), "{log}");
    for secret in ["tok-1", "tok-2", "secret\"", "QUERY-VALUE", "/whoami"] {
        assert!(!log.contains(secret), "{secret:?} leaked into\n{log}");
    }
}

#[test]
fn debug_output_never_shows_secrets() {
    let builder = Client::builder()
        .base_url("https://a1.easemob.com")
        .app_key("org#app")
        .credentials(Credentials::client_credentials("client-id", "TOP-SECRET"));
    let client = builder.clone().build().unwrap();
    let fixed = Credentials::token("TOKEN-SECRET");
    for shown in [
        format!("{builder:?}"),
        format!("{client:?}"),
        format!("{fixed:?}"),
        format!("{client:#?}"),
    ] {
        assert!(
            !shown.contains("TOP-SECRET") && !shown.contains("TOKEN-SECRET"),
            "{shown}"
        );
        assert!(shown.contains("***"), "{shown}");
    }
    assert!(format!("{client:?}").contains("client-id"));
}
