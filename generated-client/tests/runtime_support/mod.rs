//! Loopback test servers and helpers shared by the `runtime_*` integration tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use easemob_im::request::OperationRequest;
use easemob_im::{Client, ClientBuilder, Credentials, RetryPolicy};
use serde_json::{json, Value};

pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Serves `router` on 127.0.0.1 with a free port; returns the base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    format!("http://{addr}")
}

/// A count shared between a test and its server.
#[derive(Clone, Default)]
pub struct Counter(Arc<AtomicUsize>);

impl Counter {
    pub fn incr(&self) -> usize {
        self.0.fetch_add(1, Ordering::SeqCst) + 1
    }
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// How the fake token endpoint behaves.
#[derive(Clone)]
pub struct TokenEndpoint {
    pub count: Counter,
    pub expires_in: u64,
    pub delay: Duration,
    /// The last request body.
    pub last_body: Arc<std::sync::Mutex<Option<Value>>>,
}

impl TokenEndpoint {
    pub fn new(expires_in: u64) -> TokenEndpoint {
        TokenEndpoint {
            count: Counter::default(),
            expires_in,
            delay: Duration::ZERO,
            last_body: Default::default(),
        }
    }

    /// `POST /org/app/token`, answering `tok-1`, `tok-2`... to the right credentials and
    /// 400 `invalid_grant` otherwise.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/org/app/token", post(token_handler))
            .with_state(self.clone())
    }
}

async fn token_handler(
    State(endpoint): State<TokenEndpoint>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    assert_eq!(headers["content-type"], "application/json");
    assert!(
        headers.get("authorization").is_none(),
        "the token request carries no token"
    );
    *endpoint.last_body.lock().unwrap() = Some(body.clone());
    let n = endpoint.count.incr();
    if !endpoint.delay.is_zero() {
        tokio::time::sleep(endpoint.delay).await;
    }
    if body["grant_type"] != "client_credentials"
        || body["client_id"] != "id"
        || body["client_secret"] != "secret"
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "client_secret does not match"})),
        )
            .into_response();
    }
    Json(json!({"access_token": format!("tok-{n}"), "expires_in": endpoint.expires_in, "application": "uuid"}))
        .into_response()
}

/// The bearer token of a request, if any.
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::to_owned)
}

/// A builder for `org/app` at `base` with the test credentials and quick retries.
pub fn client(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .org_name("org")
        .app_name("app")
        .credentials(Credentials::client_credentials("id", "secret"))
        .retry(
            RetryPolicy::default()
                .initial_backoff(ms(10))
                .max_backoff(ms(2000)),
        )
}

pub fn get(operation_id: &'static str, path: &str) -> OperationRequest {
    OperationRequest::new(operation_id, reqwest::Method::GET, "/test", path)
}

pub fn post_req(operation_id: &'static str, path: &str) -> OperationRequest {
    OperationRequest::new(operation_id, reqwest::Method::POST, "/test", path)
}
