//! Host discovery over loopback: a configuration server names the REST hosts, which take
//! requests before the configured base URL; a failed read keeps the configured host; the
//! document is read again after the refresh period, once however many requests wait.

mod runtime_support;

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get as get_route;
use axum::{Json, Router};
use easemob_im::{Client, Credentials, HostDiscovery};
use runtime_support::*;
use serde_json::{json, Value};

/// A REST host answering every request with `{"host": name}`.
async fn rest_host(name: &'static str) -> (String, Counter) {
    async fn handle(State((name, hits)): State<(&'static str, Counter)>) -> Json<Value> {
        hits.incr();
        Json(json!({ "host": name }))
    }
    let hits = Counter::default();
    let base = serve(Router::new().fallback(handle).with_state((name, hits.clone()))).await;
    (base, hits)
}

/// The configuration server: serves `document` (changeable) at `/easemob/server.json`,
/// recording the `app_key` asked for; `None` answers 500.
#[derive(Clone, Default)]
struct ConfigServer {
    document: Arc<Mutex<Option<Value>>>,
    app_keys: Arc<Mutex<Vec<String>>>,
}

impl ConfigServer {
    async fn start(&self) -> String {
        async fn handle(
            State(server): State<ConfigServer>,
            Query(query): Query<std::collections::HashMap<String, String>>,
        ) -> impl IntoResponse {
            server.app_keys.lock().unwrap().push(query.get("app_key").cloned().unwrap_or_default());
            match server.document.lock().unwrap().clone() {
                Some(document) => (StatusCode::OK, Json(document)),
                None => (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": "down"}))),
            }
        }
        serve(Router::new().route("/easemob/server.json", get_route(handle)).with_state(self.clone())).await
    }

    fn point_at(&self, base: &str) {
        let url = reqwest::Url::parse(base).unwrap();
        let document = json!({
            "file_version": "243",
            "deploy_name": "test",
            "rest": {"hosts": [{"protocol": "http", "domain": url.host_str().unwrap(), "port": url.port().unwrap()}]},
            "msync-wx": {"hosts": [{"protocol": "https", "domain": "msync.example.com", "port": 443}]}
        });
        *self.document.lock().unwrap() = Some(document);
    }

    fn reads(&self) -> usize {
        self.app_keys.lock().unwrap().len()
    }
}

fn client(configured: &str, config_host: &str, refresh: std::time::Duration) -> Client {
    Client::builder()
        .base_url(configured)
        .app_key("org#app")
        .credentials(Credentials::token("app-token"))
        .discover_hosts(HostDiscovery::new().config_host(config_host).refresh_every(refresh))
        .build()
        .unwrap()
}

async fn which_host(client: &Client) -> Value {
    client.execute_json::<Value>(get("get_thing", "/thing")).await.unwrap()["host"].clone()
}

#[tokio::test]
async fn discovered_hosts_take_requests_before_the_configured_one() {
    let (configured, configured_hits) = rest_host("configured").await;
    let (found, _) = rest_host("found").await;
    let config = ConfigServer::default();
    config.point_at(&found);
    let config_host = config.start().await;
    let client = client(&configured, &config_host, std::time::Duration::from_secs(3600));

    assert_eq!(which_host(&client).await, "found");
    assert_eq!(which_host(&client).await, "found");
    // Read once, with the app key encoded; the configured host was not needed.
    assert_eq!(*config.app_keys.lock().unwrap(), ["org#app"]);
    assert_eq!(configured_hits.get(), 0);
    // The client still reports the base URL it was configured with.
    assert_eq!(client.base_url().as_str(), format!("{configured}/"));
}

#[tokio::test]
async fn a_failed_read_keeps_the_configured_host() {
    let (configured, configured_hits) = rest_host("configured").await;
    let config = ConfigServer::default(); // answers 500
    let config_host = config.start().await;
    let client = client(&configured, &config_host, std::time::Duration::from_secs(3600));
    assert_eq!(which_host(&client).await, "configured");
    assert_eq!(which_host(&client).await, "configured");
    assert_eq!(configured_hits.get(), 2);
    // Not read again before the minute after a failure.
    assert_eq!(config.reads(), 1);

    // A document naming no usable host (here only an ftp one) is a failed read too.
    let config = ConfigServer::default();
    *config.document.lock().unwrap() = Some(json!({"rest": {"hosts": [{"protocol": "ftp", "domain": "x.example.com"}]}}));
    let client = self::client(&configured, &config.start().await, std::time::Duration::from_secs(3600));
    assert_eq!(which_host(&client).await, "configured");
}

#[tokio::test]
async fn the_document_is_read_again_after_the_refresh_period_once_for_concurrent_requests() {
    let (configured, _) = rest_host("configured").await;
    let (first, _) = rest_host("first").await;
    let (second, _) = rest_host("second").await;
    let config = ConfigServer::default();
    config.point_at(&first);
    let config_host = config.start().await;
    let client = client(&configured, &config_host, ms(300));

    let answers = futures_util::future::join_all((0..8).map(|_| which_host(&client))).await;
    assert!(answers.iter().all(|host| host == "first"), "{answers:?}");
    assert_eq!(config.reads(), 1);

    config.point_at(&second);
    tokio::time::sleep(ms(400)).await;
    assert_eq!(which_host(&client).await, "second");
    assert_eq!(config.reads(), 2);
}

#[tokio::test]
async fn a_discovered_host_that_fails_falls_over_to_the_configured_one() {
    let (configured, _) = rest_host("configured").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let config = ConfigServer::default();
    config.point_at(&closed);
    let client = client(&configured, &config.start().await, std::time::Duration::from_secs(3600));
    assert_eq!(which_host(&client).await, "configured");
}

#[test]
fn an_unusable_config_host_is_a_configuration_error() {
    let result = Client::builder()
        .base_url("http://127.0.0.1:1")
        .app_key("org#app")
        .credentials(Credentials::token("t"))
        .discover_hosts(HostDiscovery::new().config_host("not a url"))
        .build();
    assert!(matches!(result, Err(easemob_im::Error::Config(_))), "{result:?}");
}
