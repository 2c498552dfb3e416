//! Host failover over loopback: a closed port or a server answering `503` is skipped for
//! the cool-down and the next base URL takes the request, only when the request is safe
//! to repeat, within the retry policy's attempts; the app token request fails over too.

mod runtime_support;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Json, Router};
use easemob_im::request::OperationRequest;
use easemob_im::{Client, ClientBuilder, Credentials, Error, RetryPolicy};
use runtime_support::*;
use serde_json::{json, Value};

/// A server answering every request with `status` and `{"host": name}`, counting them.
async fn host(name: &'static str, status: StatusCode) -> (String, Counter) {
    async fn handle(
        State((name, status, hits)): State<(&'static str, StatusCode, Counter)>,
    ) -> impl IntoResponse {
        hits.incr();
        let body = if status.is_success() {
            json!({ "host": name })
        } else {
            json!({"error": "service_unavailable", "error_description": name})
        };
        (status, Json(body))
    }
    let hits = Counter::default();
    let base = serve(
        Router::new()
            .fallback(handle)
            .with_state((name, status, hits.clone())),
    )
    .await;
    (base, hits)
}

/// A loopback address nothing listens on.
async fn closed_port() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

fn builder(bases: &[&str]) -> ClientBuilder {
    Client::builder()
        .base_urls(bases.iter().copied())
        .app_key("org#app")
        .credentials(Credentials::token("app-token"))
        .retry(
            RetryPolicy::default()
                .initial_backoff(ms(1))
                .max_backoff(ms(5)),
        )
}

async fn get_host(client: &Client) -> Result<Value, Error> {
    client.execute_json(get("get_thing", "/thing")).await
}

async fn post_host(client: &Client) -> Result<Value, Error> {
    client.execute_json(post_req("send_thing", "/thing")).await
}

#[tokio::test]
async fn a_closed_port_fails_over_even_for_requests_that_are_not_idempotent() {
    let closed = closed_port().await;
    let (good, hits) = host("good", StatusCode::OK).await;
    let client = builder(&[&closed, &good]).build().unwrap();
    assert_eq!(client.base_urls().count(), 2);
    assert_eq!(get_host(&client).await.unwrap(), json!({"host": "good"}));
    // Nothing reached the closed port, so sending a POST elsewhere is safe.
    assert_eq!(post_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn a_503_host_is_skipped_for_the_cooldown() {
    let (down, down_hits) = host("down", StatusCode::SERVICE_UNAVAILABLE).await;
    let (good, good_hits) = host("good", StatusCode::OK).await;
    let client = builder(&[&down, &good])
        .host_cooldown(ms(300))
        .build()
        .unwrap();

    assert_eq!(get_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!((down_hits.get(), good_hits.get()), (1, 1));
    // Within the cool-down, straight to the second host.
    assert_eq!(get_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!((down_hits.get(), good_hits.get()), (1, 2));

    // After it, the first host is tried again.
    tokio::time::sleep(ms(350)).await;
    assert_eq!(get_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!((down_hits.get(), good_hits.get()), (2, 3));
}

#[tokio::test]
async fn a_request_that_is_not_safe_to_repeat_is_not_sent_twice() {
    let (down, down_hits) = host("down", StatusCode::SERVICE_UNAVAILABLE).await;
    let (good, good_hits) = host("good", StatusCode::OK).await;
    let client = builder(&[&down, &good]).build().unwrap();

    // The POST reached the first host, which answered 503: it may have acted.
    let error = post_host(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!((down_hits.get(), good_hits.get()), (1, 0));
    // But the host is skipped from now on.
    assert_eq!(post_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!((down_hits.get(), good_hits.get()), (1, 1));

    // Unless the policy says non-idempotent requests may be repeated.
    let client = builder(&[&down, &good])
        .retry(RetryPolicy::default().retry_non_idempotent(true))
        .build()
        .unwrap();
    assert_eq!(post_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!((down_hits.get(), good_hits.get()), (2, 2));
}

#[tokio::test]
async fn failover_counts_against_the_retry_policys_attempts() {
    let (a, a_hits) = host("a", StatusCode::SERVICE_UNAVAILABLE).await;
    let (b, b_hits) = host("b", StatusCode::INTERNAL_SERVER_ERROR).await;
    // Three attempts: a, b, then a again (every host is down; a comes back first).
    let client = builder(&[&a, &b]).build().unwrap();
    let error = get_host(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!((a_hits.get(), b_hits.get()), (2, 1));

    // No retries, no failover; the next request still avoids the failed host.
    let (good, good_hits) = host("good", StatusCode::OK).await;
    let client = builder(&[&a, &good])
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    assert!(get_host(&client).await.is_err());
    assert_eq!(get_host(&client).await.unwrap(), json!({"host": "good"}));
    assert_eq!((a_hits.get(), good_hits.get()), (3, 1));
}

#[tokio::test]
async fn one_base_url_keeps_the_old_behaviour_for_500() {
    let (a, a_hits) = host("a", StatusCode::INTERNAL_SERVER_ERROR).await;
    let client = builder(&[&a]).build().unwrap();
    let error = get_host(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(StatusCode::INTERNAL_SERVER_ERROR));
    assert_eq!(a_hits.get(), 1, "a 500 is not retried on the same host");
}

#[tokio::test]
async fn the_app_token_request_fails_over_too() {
    let closed = closed_port().await;
    let tokens = TokenEndpoint::new(3600);
    let good = serve(tokens.router().route(
        "/org/app/thing",
        axum::routing::get(|| async { Json(json!({"host": "good"})) }),
    ))
    .await;
    let client = client(&good)
        .base_urls([closed, good.clone()])
        .build()
        .unwrap();
    let value: Value = client
        .execute_json(OperationRequest::new(
            "get_thing",
            easemob_im::reqwest::Method::GET,
            "/thing",
            "/thing",
        ))
        .await
        .unwrap();
    assert_eq!(value, json!({"host": "good"}));
    assert_eq!(tokens.count.get(), 1);
    assert!(format!("{client:?}").contains("base_urls"));
}

#[test]
fn every_base_url_is_checked() {
    match builder(&["https://a1.easemob.com", "ftp://backup"]).build() {
        Err(Error::Config(message)) => assert!(message.contains("ftp://backup"), "{message}"),
        other => panic!("{other:?}"),
    }
    match builder(&[]).build() {
        Err(Error::Config(message)) => assert!(message.contains("base_url"), "{message}"),
        other => panic!("{other:?}"),
    }
}
