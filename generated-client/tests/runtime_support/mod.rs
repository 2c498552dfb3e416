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

/// A request as the scripted raw server read it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// 1 for the first request to this path, 2 for the second...
    pub nth: usize,
}

impl RawRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the scripted raw server does with a request.
pub enum Reply {
    /// A complete answer with a `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// Waits, then does the rest.
    Delay(Duration, Box<Reply>),
    /// A `200` head announcing `declared` bytes, `sent` of them, then a TCP reset.
    ResetMidBody { declared: usize, sent: Vec<u8> },
    /// A `200` head at once, then the body `chunk` bytes at a time, `every` apart.
    SlowBody {
        body: Vec<u8>,
        chunk: usize,
        every: Duration,
    },
    /// A `200` head without a length, then `body` and end of connection.
    Unframed { body: Vec<u8> },
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Full {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    pub fn with_header(self, name: &'static str, value: &str) -> Reply {
        match self {
            Reply::Full {
                status,
                mut headers,
                body,
            } => {
                headers.push((name, value.to_owned()));
                Reply::Full {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }

    /// The same answer with another body (its length follows).
    pub fn with_body(self, new_body: &[u8]) -> Reply {
        match self {
            Reply::Full {
                status, headers, ..
            } => Reply::Full {
                status,
                headers,
                body: new_body.to_vec(),
            },
            other => other,
        }
    }

    /// A good token answer.
    pub fn token(token: &str, expires_in: u64) -> Reply {
        Reply::json(
            200,
            json!({"access_token": token, "expires_in": expires_in, "application": "uuid"}),
        )
    }
}

/// Every request a scripted server read, in order.
#[derive(Clone, Default)]
pub struct RawLog(Arc<std::sync::Mutex<Vec<RawRequest>>>);

impl RawLog {
    /// How many requests went to `path` (such as `/org/app/token`).
    pub fn count(&self, path: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .count()
    }

    pub fn requests(&self) -> Vec<RawRequest> {
        self.0.lock().unwrap().clone()
    }
}

type Script = Arc<dyn Fn(&RawRequest) -> Reply + Send + Sync>;

/// A loopback HTTP/1.1 server written on raw TCP, so that it can misbehave in ways a real
/// server framework will not: `script` decides the reply to each request. Returns the base
/// URL and the log of requests.
pub async fn script_server(
    script: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static,
) -> (String, RawLog) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let log = RawLog::default();
    let script: Script = Arc::new(script);
    let l = log.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve_raw(stream, script.clone(), l.clone()));
        }
    });
    (format!("http://{addr}"), log)
}

async fn serve_raw(mut stream: tokio::net::TcpStream, script: Script, log: RawLog) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buffer = Vec::new();
    loop {
        // The head.
        let end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..end]).into_owned();
        buffer.drain(..end);
        let mut lines = head.split("\r\n");
        let mut request_line = lines.next().unwrap_or_default().split(' ');
        let method = request_line.next().unwrap_or_default().to_owned();
        let target = request_line.next().unwrap_or_default();
        let path = target.split('?').next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        while buffer.len() < length {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buffer.drain(..length).collect();
        let request = {
            let mut all = log.0.lock().unwrap();
            let nth = all.iter().filter(|r| r.path == path).count() + 1;
            let request = RawRequest {
                method,
                path,
                headers,
                body,
                nth,
            };
            all.push(request.clone());
            request
        };
        let mut reply = script(&request);
        while let Reply::Delay(wait, then) = reply {
            tokio::time::sleep(wait).await;
            reply = *then;
        }
        let ok = match reply {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (name, value) in headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str("\r\n");
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                stream.write_all(&bytes).await.is_ok()
            }
            Reply::Delay(..) => unreachable!("unwrapped above"),
            Reply::ResetMidBody { declared, sent } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {declared}\r\n\r\n"
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&sent).await;
                let _ = stream.flush().await;
                // SO_LINGER 0 makes the close a reset; it does not block with a zero time.
                #[allow(deprecated)]
                let _ = stream.set_linger(Some(Duration::ZERO));
                return;
            }
            Reply::SlowBody { body, chunk, every } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    body.len()
                );
                let mut ok = stream.write_all(head.as_bytes()).await.is_ok();
                for piece in body.chunks(chunk.max(1)) {
                    tokio::time::sleep(every).await;
                    ok = ok && stream.write_all(piece).await.is_ok();
                    if !ok {
                        break;
                    }
                }
                ok
            }
            Reply::Unframed { body } => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
                return;
            }
        };
        if !ok {
            return;
        }
    }
}
