//! Requests and answers over loopback: retries, timeouts, transport failures, error and
//! decode errors, hostile path values, form bodies, paging and the rate limiter.

mod runtime_support;

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get as get_route, post};
use axum::{Json, Router};
use easemob_im::models::ErrorCode;
use easemob_im::paging::{cursor_stream, page_stream};
use easemob_im::request::{Body, OperationRequest, RateLimit};
use easemob_im::{Credentials, Error, RetryPolicy};
use futures_util::{StreamExt, TryStreamExt};
use runtime_support::*;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A server whose `/org/app/flaky` answers `statuses[n]` to the n-th hit (with the given
/// headers), then 200 `{"ok": true}`. Uses a fixed token.
async fn flaky(script: Vec<(u16, Option<&'static str>)>) -> (String, Counter) {
    let hits = Counter::default();
    let h = hits.clone();
    let router = Router::new().route(
        "/org/app/flaky",
        any(move |headers: HeaderMap| {
            let n = h.incr();
            let step = script.get(n - 1).copied();
            async move {
                assert_eq!(bearer(&headers).as_deref(), Some("fixed"));
                match step {
                    Some((status, retry_after)) => {
                        let mut response = (
                            StatusCode::from_u16(status).unwrap(),
                            Json(json!({"error": "reach_limit"})),
                        )
                            .into_response();
                        if let Some(value) = retry_after {
                            response
                                .headers_mut()
                                .insert("retry-after", value.parse().unwrap());
                        }
                        response
                    }
                    None => Json(json!({"ok": true})).into_response(),
                }
            }
        }),
    );
    (serve(router).await, hits)
}

fn fixed(base: &str) -> easemob_im::ClientBuilder {
    client(base).credentials(Credentials::token("fixed"))
}

#[tokio::test]
async fn retries_429_and_503_then_succeeds() {
    let (base, hits) = flaky(vec![(429, None), (503, None)]).await;
    let client = fixed(&base).build().unwrap();
    let v: Value = client.execute_json(get("flaky", "/flaky")).await.unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(hits.get(), 3);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (base, hits) = flaky(vec![(503, Some("1"))]).await;
    let client = fixed(&base).build().unwrap();
    let start = Instant::now();
    client.execute_empty(get("flaky", "/flaky")).await.unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn retry_after_beyond_max_backoff_returns_at_once() {
    let (base, hits) = flaky(vec![(429, Some("3600"))]).await;
    let client = fixed(&base).build().unwrap();
    let start = Instant::now();
    let err = client
        .execute_empty(get("flaky", "/flaky"))
        .await
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    let api = err.as_api().unwrap();
    assert_eq!(api.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.code(), Some(&ErrorCode::ReachLimit));
    assert_eq!(api.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(hits.get(), 1);
}

#[tokio::test]
async fn gives_up_after_max_attempts() {
    let (base, hits) = flaky(vec![(503, None); 10]).await;
    let client = fixed(&base).build().unwrap();
    let err = client
        .execute_empty(get("flaky", "/flaky"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(hits.get(), 3);

    let (base, hits) = flaky(vec![(503, None); 10]).await;
    let client = fixed(&base)
        .retry(
            RetryPolicy::default()
                .max_attempts(5)
                .initial_backoff(ms(1)),
        )
        .build()
        .unwrap();
    client
        .execute_empty(get("flaky", "/flaky"))
        .await
        .unwrap_err();
    assert_eq!(hits.get(), 5);
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    for status in [400, 404, 500, 501] {
        let (base, hits) = flaky(vec![(status, None); 3]).await;
        let client = fixed(&base).build().unwrap();
        let err = client
            .execute_empty(get("flaky", "/flaky"))
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(hits.get(), 1, "{status}");
    }
}

#[tokio::test]
async fn non_idempotent_requests_are_retried_only_on_request() {
    let (base, hits) = flaky(vec![(503, None)]).await;
    let client = fixed(&base).build().unwrap();
    let err = client
        .execute_empty(post_req("flaky", "/flaky"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(hits.get(), 1);

    let (base, hits) = flaky(vec![(503, None)]).await;
    let client = fixed(&base)
        .retry(
            RetryPolicy::default()
                .initial_backoff(ms(1))
                .retry_non_idempotent(true),
        )
        .build()
        .unwrap();
    client
        .execute_empty(post_req("flaky", "/flaky"))
        .await
        .unwrap();
    assert_eq!(hits.get(), 2);

    // A POST marked idempotent (a batch query) is retried by default.
    let (base, hits) = flaky(vec![(503, None)]).await;
    let client = fixed(&base).build().unwrap();
    client
        .execute_empty(post_req("flaky", "/flaky").idempotent(true))
        .await
        .unwrap();
    assert_eq!(hits.get(), 2);
}

fn slow_server(hits: Counter) -> Router {
    Router::new().route(
        "/org/app/slow",
        any(move || {
            hits.incr();
            async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }
        }),
    )
}

#[tokio::test]
async fn timeouts_are_timeout_errors_and_retried_when_idempotent() {
    let hits = Counter::default();
    let base = serve(slow_server(hits.clone())).await;
    let client = fixed(&base)
        .timeout(ms(150))
        .retry(
            RetryPolicy::default()
                .max_attempts(2)
                .initial_backoff(ms(1)),
        )
        .build()
        .unwrap();
    let start = Instant::now();
    let err = client
        .execute_empty(get("slow", "/slow"))
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(matches!(
        &err,
        Error::Timeout {
            operation_id: "slow",
            ..
        }
    ));
    assert!(err.to_string().contains("slow: request timed out"), "{err}");
    assert_eq!(hits.get(), 2);
    assert!(start.elapsed() < Duration::from_secs(2));

    // Not retried when the request may have done something.
    let err = client
        .execute_empty(post_req("slow", "/slow"))
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(hits.get(), 3);
}

#[tokio::test]
async fn connection_refused_is_a_transport_error_after_retries() {
    // A port that was free a moment ago and has no listener now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = fixed(&base)
        .retry(RetryPolicy::default().initial_backoff(ms(1)))
        .build()
        .unwrap();
    // Even a POST: nothing reached a server, so retrying is safe.
    let err = client
        .execute_empty(post_req("nowhere", "/nowhere").query("cursor", "QUERY-VALUE"))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(e) => assert!(e.is_connect(), "{e:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
    let shown = format!("{err} {err:?}");
    assert!(shown.contains("/org/app/nowhere"), "{shown}");
    assert!(
        !shown.contains("QUERY-VALUE"),
        "query values are not shown: {shown}"
    );

    // With client credentials, the failure happens while fetching the token.
    let with_credentials = runtime_support::client(&base)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = with_credentials
        .execute_empty(get("nowhere", "/nowhere"))
        .await
        .unwrap_err();
    let Error::Token(cause) = &err else {
        panic!("{err:?}")
    };
    assert!(matches!(**cause, Error::Transport(_)));
}

/// A raw TCP server that closes the first `drop_first` connections without answering and
/// answers `200 {}` on the others; returns the base URL and the connection count.
async fn hang_up_server(drop_first: usize) -> (String, Counter) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let connections = Counter::default();
    let c = connections.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let n = c.incr();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = socket.read(&mut buf).await;
                if n > drop_first {
                    let _ = socket
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                        .await;
                }
                // Dropping the socket closes the connection.
            });
        }
    });
    (base, connections)
}

#[tokio::test]
async fn dropped_connections_are_retried_only_when_idempotent() {
    let (base, connections) = hang_up_server(1).await;
    let client = fixed(&base).build().unwrap();
    let v: Value = client.execute_json(get("hangup", "/x")).await.unwrap();
    assert_eq!(v, json!({}));
    assert_eq!(connections.get(), 2);

    let (base, connections) = hang_up_server(1).await;
    let client = fixed(&base).build().unwrap();
    let err = client
        .execute_empty(post_req("hangup", "/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(connections.get(), 1);
}

/// `GET /org/app/body/{kind}` answers with a canned body.
async fn canned() -> String {
    async fn handler(Path(kind): Path<String>) -> Response {
        let json = [("content-type", "application/json")];
        match kind.as_str() {
            "malformed" => (json, "{not json").into_response(),
            "truncated" => (json, r#"{"entities":[{"created":1},"#).into_response(),
            "empty" => (StatusCode::OK, "").into_response(),
            "trailing" => (json, r#"{"entities":[]} {"#).into_response(),
            "wrong-type" => (json, r#"{"entities":[{"created":1},{"created":"yesterday"}]}"#).into_response(),
            "good" => (json, r#"{"entities":[{"created":1,"extra":"ignored"}],"more":true}"#).into_response(),
            "html-502" => (
                StatusCode::BAD_GATEWAY,
                [("content-type", "text/html")],
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response(),
            "easemob-404" => (
                StatusCode::NOT_FOUND,
                Json(json!({
                    "error": "service_resource_not_found",
                    "exception": "org.apache.usergrid.services.exceptions.ServiceResourceNotFoundException",
                    "timestamp": 1_542_350_000_000_i64,
                    "duration": 0,
                    "error_description": "Service resource not found"
                })),
            )
                .into_response(),
            "unknown-code" => (StatusCode::FORBIDDEN, Json(json!({"error": "brand_new", "error_description": "?"}))).into_response(),
            "huge-error" => (StatusCode::BAD_REQUEST, "x".repeat(1024 * 1024)).into_response(),
            "huge-ok" => (json, format!("[{}]", "1,".repeat(600_000) + "1")).into_response(),
            "binary-error" => (StatusCode::INTERNAL_SERVER_ERROR, vec![0xffu8, 0xfe, 0x00, 0x80]).into_response(),
            _ => StatusCode::IM_A_TEAPOT.into_response(),
        }
    }
    serve(Router::new().route("/org/app/body/{kind}", get_route(handler))).await
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Page {
    entities: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Item {
    created: i64,
}

fn decode_error(result: Result<Page, Error>) -> easemob_im::DecodeError {
    match result {
        Err(Error::Decode(e)) => e,
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_success_bodies_are_decode_errors() {
    let base = canned().await;
    let client = fixed(&base).build().unwrap();
    let fetch = |kind: &str| client.execute_json::<Page>(get("get_page", &format!("/body/{kind}")));

    let page = fetch("good").await.unwrap();
    assert_eq!(page.entities[0].created, 1);

    let e = decode_error(fetch("wrong-type").await);
    assert_eq!(e.path(), "entities[1].created");
    assert_eq!(e.status(), Some(StatusCode::OK));
    assert_eq!(e.operation_id(), "get_page");
    assert!(e.message().contains("invalid type"), "{}", e.message());
    assert!(e.excerpt().contains("yesterday"));
    let shown = Error::Decode(e).to_string();
    assert!(
        shown.contains("get_page") && shown.contains("entities[1].created"),
        "{shown}"
    );

    for kind in ["malformed", "truncated", "empty", "trailing"] {
        let e = decode_error(fetch(kind).await);
        assert!(!e.message().is_empty(), "{kind}");
    }
    let e = decode_error(fetch("truncated").await);
    assert!(e.message().contains("EOF"), "{}", e.message());
    assert_eq!(e.excerpt(), r#"{"entities":[{"created":1},"#);
}

#[tokio::test]
async fn oversized_success_bodies_are_refused() {
    let base = canned().await;
    let client = fixed(&base).max_response_bytes(1024).build().unwrap();
    let err = client
        .execute_json::<Vec<i64>>(get("big", "/body/huge-ok"))
        .await
        .unwrap_err();
    let Error::Decode(e) = err else {
        panic!("{err:?}")
    };
    assert!(
        e.message().contains("larger than the 1024 bytes"),
        "{}",
        e.message()
    );

    let client = fixed(&base).build().unwrap();
    let all: Vec<i64> = client
        .execute_json(get("big", "/body/huge-ok"))
        .await
        .unwrap();
    assert_eq!(all.len(), 600_001);
}

#[tokio::test]
async fn error_bodies() {
    let base = canned().await;
    let client = fixed(&base).retry(RetryPolicy::never()).build().unwrap();
    let fetch = |kind: &str| client.execute_empty(get("get_thing", &format!("/body/{kind}")));

    let err = fetch("easemob-404").await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND);
    assert_eq!(api.code(), Some(&ErrorCode::ServiceResourceNotFound));
    assert_eq!(api.description(), Some("Service resource not found"));
    assert_eq!(api.body().unwrap().timestamp, Some(1_542_350_000_000));
    assert_eq!(err.code(), Some(&ErrorCode::ServiceResourceNotFound));
    assert_eq!(
        err.to_string(),
        "get_thing: HTTP 404 Not Found: service_resource_not_found: Service resource not found"
    );

    let err = fetch("unknown-code").await.unwrap_err();
    assert_eq!(err.code(), Some(&ErrorCode::Unknown("brand_new".into())));

    let err = fetch("html-502").await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.status(), StatusCode::BAD_GATEWAY);
    assert!(api.body().is_none());
    assert_eq!(
        api.raw_body(),
        b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    );
    assert!(err.to_string().contains("502 Bad Gateway"));

    let err = fetch("huge-error").await.unwrap_err();
    let api = err.as_api().unwrap();
    assert_eq!(api.raw_body().len(), 64 * 1024);
    assert!(api.is_truncated());
    assert!(api.body().is_none());

    let err = fetch("binary-error").await.unwrap_err();
    assert!(err.as_api().unwrap().body().is_none());
    let _ = err.to_string(); // no panic on non-UTF-8

    let err = fetch("nothing").await.unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::IM_A_TEAPOT));
    assert!(err.to_string().contains("empty body"), "{err}");
}

#[tokio::test]
async fn hostile_path_values_arrive_as_one_segment() {
    let hits = Counter::default();
    let h = hits.clone();
    let router = Router::new().route(
        "/org/app/users/{name}/status",
        get_route(move |Path(name): Path<String>| {
            h.incr();
            async move { Json(json!({ "name": name })) }
        }),
    );
    let base = serve(router).await;
    let client = fixed(&base).build().unwrap();
    let values = [
        "../x", "a/b", "?", "#", "%", " ", "ü", "a,b", "+", "&x=1", "%2F", "...", ".x", "..a",
        "\u{7f}", "日本",
    ];
    for value in values {
        let path = format!("/users/{}/status", easemob_im::path::encode_segment(value));
        let req = OperationRequest::new(
            "get_status",
            easemob_im::reqwest::Method::GET,
            "/users/{username}/status",
            path,
        );
        let v: Value = client
            .execute_json(req)
            .await
            .unwrap_or_else(|e| panic!("{value:?}: {e}"));
        assert_eq!(v["name"], value);
    }
    assert_eq!(hits.get(), values.len());

    // "." and ".." cannot travel in a URL (they would be resolved away), and an empty
    // value would address the collection: all refused before anything is sent.
    for value in [".", "..", ""] {
        let path = format!("/users/{}/status", easemob_im::path::encode_segment(value));
        let req = OperationRequest::new(
            "get_status",
            easemob_im::reqwest::Method::DELETE,
            "/users/{username}/status",
            path,
        );
        let err = client.execute_empty(req).await.unwrap_err();
        assert!(matches!(err, Error::Encode(_)), "{value:?}: {err:?}");
    }
    assert_eq!(hits.get(), values.len());
}

#[tokio::test]
async fn query_values_and_lists_are_encoded() {
    let router = Router::new().route(
        "/org/app/q",
        get_route(|Query(q): Query<Vec<(String, String)>>| async move { Json(json!(q)) }),
    );
    let base = serve(router).await;
    let client = fixed(&base).build().unwrap();
    let req = get("q", "/q")
        .query("a", "x y&z=1#")
        .query("list", ["u1", "u 2"].join(","))
        .query("a", "ü");
    let v: Value = client.execute_json(req).await.unwrap();
    assert_eq!(
        v,
        json!([["a", "x y&z=1#"], ["list", "u1,u 2"], ["a", "ü"]])
    );
}

#[tokio::test]
async fn json_and_form_bodies_carry_their_content_type() {
    async fn echo(headers: HeaderMap, body: Bytes) -> Json<Value> {
        Json(json!({
            "content_type": headers.get("content-type").and_then(|v| v.to_str().ok()),
            "accept": headers.get("accept").and_then(|v| v.to_str().ok()),
            "user_agent": headers.get("user-agent").and_then(|v| v.to_str().ok()),
            "custom": headers.get("x-custom").and_then(|v| v.to_str().ok()),
            "body": String::from_utf8_lossy(&body),
        }))
    }
    #[derive(serde::Serialize)]
    struct PasswordForm {
        newpassword: &'static str,
        n: u32,
    }
    #[derive(Deserialize)]
    struct Form {
        newpassword: String,
        n: u32,
    }
    let router = Router::new().route("/org/app/echo", post(echo)).route(
        "/org/app/form",
        post(|axum::Form(form): axum::Form<Form>| async move {
            Json(json!({"pw": form.newpassword, "n": form.n}))
        }),
    );
    let base = serve(router).await;
    let client = fixed(&base).user_agent("my-app/1.0").build().unwrap();

    let req = post_req("echo", "/echo").header("x-custom", "yes").body(
        Body::form(&PasswordForm {
            newpassword: "p w&=",
            n: 5,
        })
        .unwrap(),
    );
    let v: Value = client.execute_json(req).await.unwrap();
    assert_eq!(v["content_type"], "application/x-www-form-urlencoded");
    assert_eq!(v["accept"], "application/json");
    assert_eq!(v["user_agent"], "my-app/1.0");
    assert_eq!(v["custom"], "yes");
    assert_eq!(v["body"], "newpassword=p+w%26%3D&n=5");

    // A real form parser reads it back.
    let req = post_req("form", "/form")
        .body(Body::form(&json!({"newpassword": "p w&=ü", "n": 5})).unwrap());
    let v: Value = client.execute_json(req).await.unwrap();
    assert_eq!(v, json!({"pw": "p w&=ü", "n": 5}));

    let req = post_req("echo", "/echo").body(Body::json(&json!({"a": [1, "ü"]})).unwrap());
    let v: Value = client.execute_json(req).await.unwrap();
    assert_eq!(v["content_type"], "application/json");
    assert_eq!(v["body"], r#"{"a":[1,"ü"]}"#);

    let client = fixed(&base).build().unwrap();
    let v: Value = client
        .execute_json(post_req("echo", "/echo"))
        .await
        .unwrap();
    assert_eq!(v["user_agent"], easemob_im::DEFAULT_USER_AGENT);
    assert!(easemob_im::DEFAULT_USER_AGENT.starts_with("easemob-im/"));
}

#[tokio::test]
async fn invalid_requests_are_encode_errors_before_sending() {
    let (base, hits) = flaky(vec![]).await;
    let client = fixed(&base).build().unwrap();
    let cases = [
        get("op", "/flaky").header("x-bad", "a\r\nInjected: 1"),
        get("op", "/flaky").header("bad name", "x"),
        get("op", "/flaky").header("Authorization", "Bearer mine"),
        get("op", "flaky"),
        get("op", "/fla ky"),
    ];
    for req in cases {
        let err = client.execute_empty(req).await.unwrap_err();
        assert!(matches!(err, Error::Encode(_)), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("could not encode the request: op: "),
            "{err}"
        );
    }
    assert_eq!(hits.get(), 0);
}

/// `GET /org/app/pages?cursor=..&limit=..` over 7 users, and `GET /org/app/numbered?pageNum=..&pageSize=..`.
async fn paging_server(fail_at_cursor: Option<&'static str>) -> String {
    #[derive(Deserialize)]
    struct CursorQuery {
        cursor: Option<String>,
        limit: usize,
    }
    #[derive(Deserialize)]
    #[allow(non_snake_case)]
    struct PageQuery {
        pageNum: usize,
        pageSize: usize,
    }
    let users: Vec<String> = (1..=7).map(|i| format!("u{i}")).collect();
    let u = users.clone();
    Router::new()
        .route(
            "/org/app/pages",
            get_route(
                move |State(fail): State<Option<&'static str>>, Query(q): Query<CursorQuery>| {
                    let users = u.clone();
                    async move {
                        if q.cursor.as_deref().is_some() && q.cursor.as_deref() == fail {
                            return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response();
                        }
                        let start: usize = q
                            .cursor
                            .as_deref()
                            .map_or(0, |c| c.strip_prefix('c').unwrap().parse().unwrap());
                        let end = (start + q.limit).min(users.len());
                        let mut body = json!({"entities": users[start..end]});
                        if end < users.len() {
                            body["cursor"] = json!(format!("c{end}"));
                        }
                        Json(body).into_response()
                    }
                },
            ),
        )
        .route(
            "/org/app/numbered",
            get_route(move |Query(q): Query<PageQuery>| {
                let users = users.clone();
                async move {
                    let start = ((q.pageNum - 1) * q.pageSize).min(users.len());
                    let end = (start + q.pageSize).min(users.len());
                    Json(json!({"data": users[start..end]}))
                }
            }),
        )
        .with_state(fail_at_cursor)
        .pipe(serve)
        .await
}

trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}
impl<T> Pipe for T {}

#[derive(Deserialize)]
struct CursorPage {
    entities: Vec<String>,
    cursor: Option<String>,
}

fn users_stream(
    client: easemob_im::Client,
    limit: u32,
) -> impl futures_util::Stream<Item = Result<String, Error>> {
    cursor_stream(client, move |client, cursor| async move {
        let mut req = get("list_users", "/pages").query("limit", limit.to_string());
        if let Some(cursor) = cursor {
            req = req.query("cursor", cursor);
        }
        let page: CursorPage = client.execute_json(req).await?;
        Ok((page.entities, page.cursor))
    })
}

#[tokio::test]
async fn cursor_stream_over_http() {
    let base = paging_server(None).await;
    let client = fixed(&base).build().unwrap();
    let all: Vec<String> = users_stream(client.clone(), 3).try_collect().await.unwrap();
    assert_eq!(all, ["u1", "u2", "u3", "u4", "u5", "u6", "u7"]);
    let all: Vec<String> = users_stream(client, 7).try_collect().await.unwrap();
    assert_eq!(all.len(), 7);
}

#[tokio::test]
async fn cursor_stream_error_mid_stream() {
    let base = paging_server(Some("c6")).await;
    let client = fixed(&base).retry(RetryPolicy::never()).build().unwrap();
    let out: Vec<Result<String, Error>> = users_stream(client, 3).collect().await;
    assert_eq!(out.len(), 7, "6 users, then the error, then the end");
    assert!(out[..6].iter().all(Result::is_ok));
    assert_eq!(
        out[6].as_ref().unwrap_err().status(),
        Some(StatusCode::INTERNAL_SERVER_ERROR)
    );
}

#[tokio::test]
async fn page_stream_over_http() {
    #[derive(Deserialize)]
    struct Numbered {
        data: Vec<String>,
    }
    let base = paging_server(None).await;
    let client = fixed(&base).build().unwrap();
    for size in [1u64, 2, 7, 10] {
        let requests = Counter::default();
        let r = requests.clone();
        let stream = page_stream(client.clone(), 1, move |client, page| {
            r.incr();
            async move {
                let req = get("list_muted", "/numbered")
                    .query("pageNum", page.to_string())
                    .query("pageSize", size.to_string());
                let body: Numbered = client.execute_json(req).await?;
                Ok((body.data, Some(size)))
            }
        });
        let all: Vec<String> = stream.try_collect().await.unwrap();
        assert_eq!(all.len(), 7, "size {size}");
        // Full pages, then one short (possibly empty) page.
        assert_eq!(requests.get() as u64, 7 / size + 1, "size {size}");
    }
}

#[tokio::test]
async fn client_side_rate_limit_spaces_requests() {
    let (base, hits) = flaky(vec![]).await;
    // 5 per 500 ms: 5 at once, then one every 100 ms.
    let limit = RateLimit {
        count: 5,
        per: Duration::from_millis(500),
    };
    let client = fixed(&base).client_side_rate_limit(true).build().unwrap();
    let start = Instant::now();
    for _ in 0..10 {
        client
            .execute_empty(get("flaky", "/flaky").rate_limit(limit))
            .await
            .unwrap();
    }
    let limited = start.elapsed();
    assert!(limited >= Duration::from_millis(450), "{limited:?}");
    assert!(limited < Duration::from_secs(5), "{limited:?}");
    assert_eq!(hits.get(), 10);

    // Off by default.
    let client = fixed(&base).build().unwrap();
    let start = Instant::now();
    for _ in 0..10 {
        client
            .execute_empty(get("flaky", "/flaky").rate_limit(limit))
            .await
            .unwrap();
    }
    assert!(start.elapsed() < limited, "{:?}", start.elapsed());
}

#[tokio::test]
async fn config_errors() {
    let err = easemob_im::Client::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)));
    assert!(
        err.to_string()
            .starts_with("invalid client configuration: base_url"),
        "{err}"
    );
    let err = fixed("gopher://x").build().unwrap_err();
    assert!(err.to_string().contains("https"), "{err}");
}
