//! Hostile requests to the mock server over loopback: missing, malformed, expired and
//! other-tenant tokens, oversized and malformed bodies, traversal in path values, long and
//! unusual ids, oversized URIs and headers, wrong methods. Every answer must be an Easemob
//! error body with the right status, and no tenant may see another's data.
#![cfg(feature = "mock")]

mod hostile_support;

use std::time::Duration;

use easemob_im::mock::{self, MockConfig, TenantConfig};
use hostile_support::*;
use serde_json::{json, Value};

fn two_tenants() -> MockConfig {
    MockConfig::new()
        .with_tenant(TenantConfig::new("acme", "chat", "id-a", "secret-a"))
        .with_tenant(TenantConfig::new("other", "chat", "id-b", "secret-b"))
}

#[tokio::test]
async fn missing_and_malformed_tokens_are_401() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let long = format!("Bearer {}", "A".repeat(16 * 1024));
    // No bearer token at all: `unauthorized`; a token the mock never issued:
    // `auth_bad_access_token`; bytes no header may hold: refused by the HTTP parser.
    let cases: Vec<(Option<String>, u16, &str)> = vec![
        (None, 401, "unauthorized"),
        (Some("".into()), 401, "unauthorized"),
        (Some("Bearer".into()), 401, "unauthorized"),
        (Some("Bearer ".into()), 401, "unauthorized"),
        (Some("bearer lowercase-scheme".into()), 401, "unauthorized"),
        (Some("Basic ZGVtbzpkZW1v".into()), 401, "unauthorized"),
        (Some("Bearer a b c".into()), 401, "auth_bad_access_token"),
        (
            Some("Bearer YWMt.forged.token".into()),
            401,
            "auth_bad_access_token",
        ),
        (Some(long), 401, "auth_bad_access_token"),
        (Some("Bearer \u{7f}\u{1}".into()), 400, "illegal_argument"),
    ];
    let count = cases.len();
    for (auth, status, code) in cases {
        let mut headers = vec![];
        if let Some(value) = &auth {
            headers.push(("authorization", value.as_str()));
        }
        let answer = send(addr, "GET", "/demo/demo/users", &headers, b"").await;
        answer.assert_error(status, code);
    }
    assert_eq!(count, 10);
    assert!(mock.server().served_operations().is_empty());
}

#[tokio::test]
async fn unauthenticated_bodies_are_not_read() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    // A malformed body without a token: the token is checked first.
    let answer = send(
        addr,
        "POST",
        "/demo/demo/users",
        &[("content-type", "application/json")],
        b"{not json",
    )
    .await;
    answer.assert_error(401, "unauthorized");

    // 15 MB announced, nothing sent, waiting for `100 Continue`: the answer must come
    // without the body ever being asked for.
    let answer = send_head_only(
        addr,
        "POST /demo/demo/users HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n\
         content-length: 15000000\r\nexpect: 100-continue\r\n\r\n",
        Duration::from_secs(3),
    )
    .await;
    answer.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn expired_tokens_are_401() {
    let mock = mock::start(MockConfig::default().with_token_ttl(60))
        .await
        .unwrap();
    let addr = mock.addr();
    let token = app_token(addr, "demo", "demo", "demo-client-id", "demo-client-secret").await;
    let auth = format!("Bearer {token}");
    send(
        addr,
        "GET",
        "/demo/demo/users",
        &[("authorization", &auth)],
        b"",
    )
    .await
    .assert_status(200);
    mock.server().advance_clock(Duration::from_secs(61));
    send(
        addr,
        "GET",
        "/demo/demo/users",
        &[("authorization", &auth)],
        b"",
    )
    .await
    .assert_error(401, "unauthorized");
}

#[tokio::test]
async fn tokens_of_another_tenant_see_nothing_of_it() {
    let mock = mock::start(two_tenants()).await.unwrap();
    let addr = mock.addr();
    let a = format!(
        "Bearer {}",
        app_token(addr, "acme", "chat", "id-a", "secret-a").await
    );
    let b = format!(
        "Bearer {}",
        app_token(addr, "other", "chat", "id-b", "secret-b").await
    );
    send(
        addr,
        "POST",
        "/acme/chat/users",
        &[("authorization", &a), ("content-type", "application/json")],
        br#"{"username": "alice-of-acme", "password": "pw"}"#,
    )
    .await
    .assert_status(200);

    // B's token on A's paths, including through encoded separators and dot segments.
    for path in [
        "/acme/chat/users",
        "/acme/chat/users/alice-of-acme",
        "/other/chat/users/..%2F..%2Facme%2Fchat%2Fusers%2Falice-of-acme",
        "/other/chat/..%2F..%2Facme/chat/users",
    ] {
        let answer = send(addr, "GET", path, &[("authorization", &b)], b"").await;
        assert!(
            !answer.text().contains("alice-of-acme") || answer.status == 404,
            "{path}: {}",
            answer.text()
        );
        assert_ne!(answer.status, 200, "{path}: {}", answer.text());
        answer.assert_easemob_error();
    }
    // A's credentials do not get a token for B.
    let answer = send(
        addr,
        "POST",
        "/other/chat/token",
        &[("content-type", "application/json")],
        br#"{"grant_type": "client_credentials", "client_id": "id-a", "client_secret": "secret-a"}"#,
    )
    .await;
    answer.assert_error(400, "invalid_grant");
    // B's own listing does not show A's user.
    let answer = send(
        addr,
        "GET",
        "/other/chat/users",
        &[("authorization", &b)],
        b"",
    )
    .await;
    answer.assert_status(200);
    assert!(!answer.text().contains("alice-of-acme"));
    assert_eq!(
        mock.server().usernames("other", "chat"),
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn malformed_bodies_are_400() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let auth = format!(
        "Bearer {}",
        app_token(addr, "demo", "demo", "demo-client-id", "demo-client-secret").await
    );
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies: Vec<(&[u8], &str)> = vec![
        (b"", "illegal_argument"),
        (b"{not json", "json_parse"),
        (b"{\"username\": \"a\", \"password\": ", "json_parse"),
        (b"\xff\xfe\x00", "json_parse"),
        (br#"{"username": 42, "password": "x"}"#, "illegal_argument"),
        (br#""just a string""#, "illegal_argument"),
        (nested.as_bytes(), "json_parse"),
        (
            br#"{"username": "a", "password": "x"} trailing"#,
            "json_parse",
        ),
    ];
    for (body, code) in bodies {
        let answer = send(
            addr,
            "POST",
            "/demo/demo/users",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            body,
        )
        .await;
        answer.assert_error(400, code);
    }
    assert!(mock.server().usernames("demo", "demo").is_empty());
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let token = app_token(addr, "demo", "demo", "demo-client-id", "demo-client-secret").await;
    // Announced too large: refused from the headers.
    let answer = send_head_only(
        addr,
        &format!(
            "POST /demo/demo/users HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
             content-type: application/json\r\ncontent-length: 17000000\r\nexpect: 100-continue\r\n\r\n"
        ),
        Duration::from_secs(3),
    )
    .await;
    answer.assert_error(413, "Request Entity Too Large");
    // Sent, chunked, too large.
    let auth = format!("Bearer {token}");
    let big = vec![b' '; 17 * 1024 * 1024];
    let answer = send_chunked(addr, "/demo/demo/users", &auth, &big).await;
    answer.assert_error(413, "Request Entity Too Large");
}

#[tokio::test]
async fn traversal_and_unusual_ids_stay_in_their_segment() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let auth = format!(
        "Bearer {}",
        app_token(addr, "demo", "demo", "demo-client-id", "demo-client-secret").await
    );
    let h = [("authorization", auth.as_str())];
    // Raw dot segments are ambiguous (a proxy would resolve them): refused.
    for path in [
        "/demo/demo/users/..",
        "/demo/demo/users/.",
        "/demo/demo/users/../users",
        "/demo/demo/../demo/users",
    ] {
        send(addr, "GET", path, &h, b"")
            .await
            .assert_error(400, "illegal_argument");
    }
    // Encoded separators and traversal stay one user id that does not exist.
    for path in [
        "/demo/demo/users/a%2Fb",
        "/demo/demo/users/..%2F..%2Fdemo%2Fdemo%2Fusers",
        "/demo/demo/users/%2E%2E%2Fusers",
        "/demo/demo/users/%00",
        "/demo/demo/users/%E2%80%AE%F0%9F%98%80",
        "/demo/demo/users/a%20b%3Fc%23d",
    ] {
        send(addr, "GET", path, &h, b"")
            .await
            .assert_error(404, "service_resource_not_found");
    }
    // Not UTF-8.
    send(addr, "GET", "/demo/demo/users/%FF%FE", &h, b"")
        .await
        .assert_error(400, "illegal_argument");
    // Very long ids.
    let long = "a".repeat(8 * 1024);
    send(addr, "GET", &format!("/demo/demo/users/{long}"), &h, b"")
        .await
        .assert_easemob_error();
    // Unknown org or app.
    send(addr, "GET", "/nobody/nothing/users", &h, b"")
        .await
        .assert_error(404, "organization_application_not_found");
}

#[tokio::test]
async fn dot_user_ids_are_found_when_percent_encoded() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let auth = format!(
        "Bearer {}",
        app_token(addr, "demo", "demo", "demo-client-id", "demo-client-secret").await
    );
    for name in [".", ".."] {
        send(
            addr,
            "POST",
            "/demo/demo/users",
            &[
                ("authorization", &auth),
                ("content-type", "application/json"),
            ],
            json!({"username": name, "password": "pw"})
                .to_string()
                .as_bytes(),
        )
        .await
        .assert_status(200);
    }
    for (encoded, name) in [("%2E", "."), ("%2e%2E", ".."), ("%2E%2E", "..")] {
        let answer = send(
            addr,
            "GET",
            &format!("/demo/demo/users/{encoded}"),
            &[("authorization", &auth)],
            b"",
        )
        .await;
        answer.assert_status(200);
        assert_eq!(answer.json()["entities"][0]["username"], name);
    }
    // The client cannot send them: every URL library resolves `%2E%2E` like `..`, and any
    // proxy may too, so the request would reach the parent resource. It refuses, typed,
    // before sending anything.
    let client = mock.client().unwrap();
    let before = mock.server().served_operations();
    for name in [".", ".."] {
        let error = client.users().get_user(name).await.unwrap_err();
        assert!(matches!(error, easemob_im::Error::Encode(_)), "{error:?}");
        let error = client.users().delete_user(name).await.unwrap_err();
        assert!(matches!(error, easemob_im::Error::Encode(_)), "{error:?}");
    }
    assert_eq!(mock.server().served_operations(), before);
    assert_eq!(mock.server().usernames("demo", "demo"), [".", ".."]);
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let answer = send(addr, "PATCH", "/demo/demo/users", &[], b"").await;
    answer.assert_error(405, "unsupported_service_operation");
    let allow = answer.header("allow").expect("an Allow header");
    let mut methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    methods.sort_unstable();
    assert_eq!(methods, ["DELETE", "GET", "POST"], "{allow}");
    let answer = send(addr, "GET", "/demo/demo/token", &[], b"").await;
    answer.assert_error(405, "unsupported_service_operation");
    assert_eq!(answer.header("allow"), Some("POST"));
}

#[tokio::test]
async fn oversized_uris_and_headers_get_easemob_errors() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    // Beyond what HTTP parsing accepts: answered by the HTTP layer, in Easemob's format.
    let uri = format!("/demo/demo/users/{}", "a".repeat(70 * 1024));
    let answer = send(addr, "GET", &uri, &[], b"").await;
    answer.assert_error(414, "illegal_argument");
    let huge = "x".repeat(512 * 1024);
    let answer = send(
        addr,
        "GET",
        "/demo/demo/users",
        &[("x-huge", huge.as_str())],
        b"",
    )
    .await;
    answer.assert_error(431, "illegal_argument");
    let many: Vec<(String, String)> = (0..200).map(|i| (format!("x-h{i}"), "v".into())).collect();
    let many: Vec<(&str, &str)> = many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    let answer = send(addr, "GET", "/demo/demo/users", &many, b"").await;
    answer.assert_error(431, "illegal_argument");
    // The server still serves.
    send(addr, "GET", "/demo/demo/users", &[], b"")
        .await
        .assert_error(401, "unauthorized");
}

#[tokio::test]
async fn token_request_oddities() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let addr = mock.addr();
    let ct = [("content-type", "application/json")];
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"grant_type": "client_credentials", "client_id": "demo-client-id", "client_secret": "wrong"}),
            400,
            "invalid_grant",
        ),
        (
            json!({"grant_type": "client_credentials", "client_id": "demo-client-id"}),
            400,
            "illegal_argument",
        ),
        (json!({"grant_type": "nonsense"}), 400, "illegal_argument"),
        (
            json!({"grant_type": "client_credentials", "client_id": "demo-client-id", "client_secret": "demo-client-secret", "ttl": -5}),
            400,
            "illegal_argument",
        ),
        (json!([1, 2, 3]), 400, "illegal_argument"),
    ];
    for (body, status, code) in cases {
        let answer = send(
            addr,
            "POST",
            "/demo/demo/token",
            &ct,
            body.to_string().as_bytes(),
        )
        .await;
        answer.assert_error(status, code);
        assert!(
            !answer.text().contains("demo-client-secret"),
            "{}",
            answer.text()
        );
    }
    assert_eq!(mock.server().issued_app_tokens("demo", "demo"), 0);
}

// --- Slow, idle and too many connections ---------------------------------------------------

use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; what it sent, and when it closed.
async fn until_closed(stream: &mut TcpStream, limit: Duration) -> (Vec<u8>, Duration) {
    let start = Instant::now();
    let mut seen = Vec::new();
    let read = tokio::time::timeout(limit, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open past {limit:?}"
    );
    (seen, start.elapsed())
}

#[tokio::test]
async fn idle_and_half_sent_heads_are_closed_after_the_header_timeout() {
    let timeout = Duration::from_millis(300);
    let mock = mock::start(MockConfig::default().with_header_read_timeout(timeout))
        .await
        .unwrap();
    let addr = mock.addr();
    // Idle: nothing sent.
    let mut idle = TcpStream::connect(addr).await.unwrap();
    // Half-sent head, then silence; and a slow trickle, a byte every 100 ms.
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /demo/demo/users HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut trickle = TcpStream::connect(addr).await.unwrap();
    let trickling = tokio::spawn(async move {
        for byte in
            b"GET /demo/demo/users HTTP/1.1\r\nhost: x\r\nx-slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        {
            if trickle.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    });
    for stream in [&mut idle, &mut half] {
        let (seen, elapsed) = until_closed(stream, Duration::from_secs(5)).await;
        assert!(seen.is_empty(), "{}", String::from_utf8_lossy(&seen));
        assert!(
            elapsed <= timeout + Duration::from_millis(700),
            "{elapsed:?}"
        );
    }
    assert!(trickling.await.unwrap(), "the trickling head was cut off");
    // A keep-alive connection that went idle after a request is closed too.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    kept.write_all(b"GET /demo/demo/users HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let (seen, elapsed) = until_closed(&mut kept, Duration::from_secs(5)).await;
    assert!(
        seen.starts_with(b"HTTP/1.1 401"),
        "{}",
        String::from_utf8_lossy(&seen)
    );
    assert!(
        elapsed <= timeout + Duration::from_millis(700),
        "{elapsed:?}"
    );
}

#[tokio::test]
async fn half_sent_bodies_get_408_after_the_body_timeout() {
    let timeout = Duration::from_millis(300);
    let mock = mock::start(MockConfig::default().with_body_read_timeout(timeout))
        .await
        .unwrap();
    let addr = mock.addr();
    let token = app_token(addr, "demo", "demo", "demo-client-id", "demo-client-secret").await;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /demo/demo/users HTTP/1.1\r\nhost: x\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"username\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (seen, elapsed) = until_closed(&mut stream, Duration::from_secs(5)).await;
    assert!(
        elapsed >= timeout - Duration::from_millis(50),
        "{elapsed:?}"
    );
    assert!(
        elapsed <= timeout + Duration::from_millis(700),
        "{elapsed:?}"
    );
    parse(&seen).assert_error(408, "illegal_argument");
    assert!(mock.server().usernames("demo", "demo").is_empty());
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_for_a_free_slot() {
    let mock = mock::start(
        MockConfig::default()
            .with_max_connections(2)
            .with_header_read_timeout(Duration::ZERO),
    )
    .await
    .unwrap();
    let addr = mock.addr();
    let first = TcpStream::connect(addr).await.unwrap();
    let _second = TcpStream::connect(addr).await.unwrap();
    // Let the server take both.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let third = tokio::spawn(async move { send(addr, "GET", "/demo/demo/users", &[], b"").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served beyond the limit"
    );
    drop(first);
    let answer = tokio::time::timeout(Duration::from_secs(3), third)
        .await
        .expect("served once a slot is free")
        .unwrap();
    answer.assert_error(401, "unauthorized");
}
