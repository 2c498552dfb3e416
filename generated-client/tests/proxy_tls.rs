//! `ClientBuilder::proxy` against a loopback forward proxy (plain-http requests reach it in
//! absolute form, with `Proxy-Authorization`), proxy scopes, and that no `Debug` output or
//! error shows the proxy's password; `add_root_certificate_pem` against a loopback HTTPS
//! server whose certificate only that root vouches for.

mod runtime_support;

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::response::IntoResponse;
use axum::{Json, Router};
use easemob_im::request::OperationRequest;
use easemob_im::{Client, ClientBuilder, Credentials, Error, Proxy, RetryPolicy};
use runtime_support::*;
use serde_json::{json, Value};

const PASSWORD: &str = "pr0xy-pa55";
/// `Basic base64("proxy-user:pr0xy-pa55")`.
const PROXY_AUTHORIZATION: &str = "Basic cHJveHktdXNlcjpwcjB4eS1wYTU1";

/// What the proxy saw of each request: the request target, `Proxy-Authorization` and
/// `Authorization`.
type Seen = Arc<Mutex<Vec<(String, Option<String>, Option<String>)>>>;

/// A forward proxy that answers every request itself, recording it.
async fn forward_proxy() -> (String, Seen) {
    async fn handle(State(seen): State<Seen>, request: Request) -> impl IntoResponse {
        let header = |name: &str| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        seen.lock().unwrap().push((
            request.uri().to_string(),
            header("proxy-authorization"),
            header("authorization"),
        ));
        Json(json!({"via": "proxy"}))
    }
    let seen = Seen::default();
    let base = serve(Router::new().fallback(handle).with_state(seen.clone())).await;
    (base, seen)
}

fn builder(base: &str) -> ClientBuilder {
    Client::builder()
        .base_url(base)
        .app_key("org#app")
        .credentials(Credentials::token("app-token"))
        .retry(RetryPolicy::never())
}

async fn get_alice(client: &Client) -> Result<Value, Error> {
    client
        .execute_json(OperationRequest::new(
            "get_user",
            easemob_im::reqwest::Method::GET,
            "/users/{username}",
            "/users/alice",
        ))
        .await
}

#[tokio::test]
async fn plain_http_requests_go_to_the_proxy_in_absolute_form_with_credentials() {
    let (proxy, seen) = forward_proxy().await;
    // The host does not exist: only the proxy can answer.
    let client = builder("http://easemob.invalid")
        .proxy(Proxy::all(&proxy).basic_auth("proxy-user", PASSWORD))
        .build()
        .unwrap();
    assert_eq!(get_alice(&client).await.unwrap(), json!({"via": "proxy"}));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![(
            "http://easemob.invalid/org/app/users/alice".to_owned(),
            Some(PROXY_AUTHORIZATION.to_owned()),
            Some("Bearer app-token".to_owned()),
        )]
    );
}

#[tokio::test]
async fn a_proxy_scoped_to_https_leaves_http_requests_direct() {
    let (proxy, seen) = forward_proxy().await;
    let direct = serve(Router::new().fallback(|| async { Json(json!({"via": "direct"})) })).await;
    let client = builder(&direct)
        .proxy(Proxy::https(&proxy))
        .build()
        .unwrap();
    assert_eq!(get_alice(&client).await.unwrap(), json!({"via": "direct"}));
    assert!(seen.lock().unwrap().is_empty());

    let client = builder("http://easemob.invalid")
        .proxy(Proxy::http(&proxy))
        .build()
        .unwrap();
    assert_eq!(get_alice(&client).await.unwrap(), json!({"via": "proxy"}));
    assert_eq!(seen.lock().unwrap()[0].1, None, "no credentials were set");
}

#[tokio::test]
async fn the_proxy_password_never_shows() {
    let in_url = format!("http://user:{PASSWORD}@127.0.0.1:9");
    let builder = builder("http://easemob.invalid")
        .proxy(Proxy::all("http://127.0.0.1:9").basic_auth("proxy-user", PASSWORD))
        .proxy(Proxy::all(&in_url));
    let shown = format!("{builder:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(
        shown.contains("proxy-user") && shown.contains("***"),
        "{shown}"
    );

    // A proxy that refuses connections (port 9 is discard, closed on loopback).
    let client = builder.build().unwrap();
    let error = get_alice(&client).await.unwrap_err();
    let text = format!("{error} {error:#} {error:?} {client:?}");
    assert!(!text.contains(PASSWORD), "{text}");

    // Unusable proxy URLs are configuration errors that do not repeat the URL.
    for bad in [
        format!("socks5://u:{PASSWORD}@proxy:1080"),
        format!("http//u:{PASSWORD}@proxy"),
    ] {
        match self::builder("http://x").proxy(Proxy::all(bad)).build() {
            Err(Error::Config(message)) => {
                assert!(
                    message.contains("proxy #1") && !message.contains(PASSWORD),
                    "{message}"
                )
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn proxies_and_roots_conflict_with_a_caller_supplied_reqwest_client() {
    for (builder, what) in [
        (builder("http://x").proxy(Proxy::all("http://p:1")), "proxy"),
        (
            builder("http://x").add_root_certificate_pem(ROOT_PEM),
            "add_root_certificate_pem",
        ),
        (
            builder("http://x").tls_built_in_root_certs(false),
            "tls_built_in_root_certs",
        ),
    ] {
        match builder
            .reqwest_client(easemob_im::reqwest::Client::new())
            .build()
        {
            Err(Error::Config(message)) => assert!(message.contains(what), "{message}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn root_certificates_must_be_pem() {
    for bad in [
        &b"not a certificate"[..],
        b"",
        b"-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n",
    ] {
        match builder("http://x").add_root_certificate_pem(bad).build() {
            Err(Error::Config(message)) => {
                assert!(message.contains("root certificate"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }
    builder("http://x")
        .add_root_certificate_pem(ROOT_PEM)
        .build()
        .unwrap();
}

/// A private root (made with openssl for these tests) and a certificate it signed for
/// `localhost` and 127.0.0.1, with its key.
const ROOT_PEM: &str = include_str!("data/test-root.pem");

const LEAF_PEM: &str = include_str!("data/test-localhost.pem");
const LEAF_KEY: &str = include_str!("data/test-localhost.key");

/// An HTTPS server on 127.0.0.1 answering `{}` to one request per connection; returns
/// `https://localhost:PORT`.
async fn https_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    use tokio_rustls::rustls::{self, ServerConfig};

    let certs = vec![CertificateDer::from_pem_slice(LEAF_PEM.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(LEAF_KEY.as_bytes()).unwrap();
    let config =
        ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to do.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut request = Vec::new();
                let mut buffer = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buffer).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buffer[..n]),
                    }
                }
                let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}";
                let _ = tls.write_all(answer.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    format!("https://localhost:{port}")
}

#[tokio::test]
async fn an_added_root_certificate_is_trusted() {
    let base = https_server().await;
    let trusting = builder(&base)
        .add_root_certificate_pem(ROOT_PEM)
        .tls_built_in_root_certs(false)
        .build()
        .unwrap();
    assert_eq!(get_alice(&trusting).await.unwrap(), json!({}));

    // Without the root, the same server is refused.
    let default = builder(&base).build().unwrap();
    match get_alice(&default).await {
        Err(Error::Transport(_)) => {}
        other => panic!("expected a TLS failure, got {other:?}"),
    }
}
