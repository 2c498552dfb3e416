//! Fault injection: the client against a loopback server that misbehaves on purpose
//! (resets, stalls, truncated and oversized bodies, rate limits, outages, failing and slow
//! token endpoints, echoed secrets). Every scenario checks the typed outcome, how many
//! requests the server saw, and that each call ended within its deadline.

mod runtime_support;

use std::time::{Duration, Instant};

use easemob_im::models::ErrorCode;
use easemob_im::{ClientBuilder, Credentials, Error, RetryPolicy};
use runtime_support::*;
use serde_json::{json, Value};

const TOKEN: &str = "/org/app/token";
const API: &str = "/org/app/thing";

/// Loopback on a shared 2-core CI machine: time allowed beyond the computed worst case.
const SLACK: Duration = Duration::from_millis(700);

/// A client with a fixed token, `timeout` per attempt and `attempts` attempts, backoff
/// 10 ms doubling up to 40 ms.
fn fixed(base: &str, timeout: Duration, attempts: u32) -> ClientBuilder {
    client(base)
        .credentials(Credentials::token("fixed"))
        .timeout(timeout)
        .retry(policy(attempts, 10, 40))
}

fn policy(attempts: u32, initial_ms: u64, max_ms: u64) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(ms(initial_ms))
        .max_backoff(ms(max_ms))
}

/// The longest a call may take alone: every attempt times out and every backoff is at its
/// ceiling.
fn worst_case(timeout: Duration, attempts: u32, initial_ms: u64, max_ms: u64) -> Duration {
    let backoffs: u64 = (1..attempts)
        .map(|n| (initial_ms << (n - 1).min(20)).min(max_ms))
        .sum();
    timeout * attempts + ms(backoffs)
}

async fn call(client: &easemob_im::Client) -> (Result<Value, Error>, Duration) {
    let start = Instant::now();
    let result = client.execute_json(get("thing", "/thing")).await;
    (result, start.elapsed())
}

fn within(elapsed: Duration, deadline: Duration) {
    assert!(
        elapsed <= deadline + SLACK,
        "took {elapsed:?}, deadline {deadline:?}"
    );
}

fn api_error(result: Result<Value, Error>) -> easemob_im::ApiError {
    match result {
        Err(Error::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

// --- Broken transport and bodies -------------------------------------------------------

#[tokio::test]
async fn reset_mid_body_is_a_transport_error() {
    let (base, log) = script_server(|_| Reply::ResetMidBody {
        declared: 1000,
        sent: br#"{"entities": [1, 2"#.to_vec(),
    })
    .await;
    let client = fixed(&base, ms(2000), 3).build().unwrap();
    let (result, elapsed) = call(&client).await;
    assert!(matches!(result, Err(Error::Transport(_))), "{result:?}");
    // The answer had begun: reading its body is not retried.
    assert_eq!(log.count(API), 1);
    within(elapsed, ms(2000));
}

#[tokio::test]
async fn slow_headers_time_out_on_every_attempt() {
    let (base, log) =
        script_server(|_| Reply::Delay(ms(1500), Box::new(Reply::json(200, json!({"ok": true})))))
            .await;
    let client = fixed(&base, ms(150), 2).build().unwrap();
    let (result, elapsed) = call(&client).await;
    assert!(matches!(&result, Err(e) if e.is_timeout()), "{result:?}");
    assert_eq!(log.count(API), 2);
    within(elapsed, worst_case(ms(150), 2, 10, 40));
}

#[tokio::test]
async fn slow_body_times_out() {
    let (base, log) = script_server(|_| Reply::SlowBody {
        body: br#"{"entities": [1, 2, 3, 4, 5, 6, 7, 8, 9]}"#.to_vec(),
        chunk: 4,
        every: ms(100),
    })
    .await;
    let client = fixed(&base, ms(300), 3).build().unwrap();
    let (result, elapsed) = call(&client).await;
    assert!(matches!(&result, Err(e) if e.is_timeout()), "{result:?}");
    assert_eq!(log.count(API), 1);
    within(elapsed, ms(300));
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let (base, log) = script_server(|r| {
        if r.nth == 1 {
            // Framed correctly, cut in the middle of the JSON.
            Reply::json(200, json!(0)).with_body(br#"{"entities": [{"uuid": "a"#)
        } else {
            // Unframed: the connection ends early.
            Reply::Unframed {
                body: br#"{"entities": ["#.to_vec(),
            }
        }
    })
    .await;
    let client = fixed(&base, ms(2000), 3).build().unwrap();
    for _ in 0..2 {
        let (result, elapsed) = call(&client).await;
        match result {
            Err(Error::Decode(e)) => assert!(e.message().contains("EOF"), "{e}"),
            other => panic!("{other:?}"),
        }
        within(elapsed, ms(2000));
    }
    assert_eq!(log.count(API), 2);
}

#[tokio::test]
async fn wrong_content_type_is_a_decode_or_api_error() {
    let (base, log) = script_server(|r| {
        let html = b"<html><body>Bad gateway</body></html>".to_vec();
        let status = if r.nth == 1 { 200 } else { 502 };
        Reply::Full {
            status,
            headers: vec![("content-type", "text/html".into())],
            body: html,
        }
    })
    .await;
    let client = fixed(&base, ms(2000), 3).build().unwrap();
    let (result, _) = call(&client).await;
    match result {
        Err(Error::Decode(e)) => assert!(e.excerpt().contains("<html>"), "{e:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(log.count(API), 1);
    // A proxy's HTML error page: retried (502), then kept raw.
    let (result, elapsed) = call(&client).await;
    let api = api_error(result);
    assert_eq!(api.status().as_u16(), 502);
    assert!(api.body().is_none());
    assert!(api.raw_body().starts_with(b"<html>"));
    assert_eq!(log.count(API), 1 + 3);
    within(elapsed, worst_case(ms(2000), 3, 10, 40));
}

#[tokio::test]
async fn huge_bodies_are_refused_without_exhausting_memory() {
    let (base, log) = script_server(|r| match r.nth {
        // Announced too large: refused before reading.
        1 => Reply::json(200, json!(0)).with_body(&vec![b' '; 8 * 1024 * 1024]),
        // Unannounced: reading stops at the limit.
        2 => Reply::Unframed {
            body: vec![b' '; 4 * 1024 * 1024],
        },
        // A huge error body: kept up to 64 KiB.
        _ => Reply::Full {
            status: 500,
            headers: vec![],
            body: vec![b'x'; 1024 * 1024],
        },
    })
    .await;
    let client = fixed(&base, ms(5000), 3)
        .max_response_bytes(1024)
        .build()
        .unwrap();
    for _ in 0..2 {
        let (result, elapsed) = call(&client).await;
        match result {
            Err(Error::Decode(e)) => assert!(e.message().contains("larger than"), "{e}"),
            other => panic!("{other:?}"),
        }
        within(elapsed, ms(5000));
    }
    let (result, _) = call(&client).await;
    let api = api_error(result);
    assert_eq!(api.raw_body().len(), 64 * 1024);
    assert!(api.is_truncated());
    // Debug shows a bounded excerpt, not 64 KiB.
    let debug = format!("{api:?}");
    assert!(debug.len() < 4096, "Debug is {} bytes", debug.len());
    assert!(
        debug.contains("1048576") || debug.contains("65536"),
        "{debug}"
    );
    assert_eq!(log.count(API), 3, "500 is not retried");
}

// --- Rate limits and outages -----------------------------------------------------------

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let (base, log) = script_server(|r| match r.nth {
        1 => Reply::json(429, json!({"error": "reach_limit"})).with_header("retry-after", "1"),
        2 => Reply::json(200, json!({"ok": true})),
        _ => Reply::json(429, json!({"error": "reach_limit"})).with_header("retry-after", "120"),
    })
    .await;
    let client = fixed(&base, ms(2000), 3)
        .retry(policy(3, 10, 2000))
        .build()
        .unwrap();
    let (result, elapsed) = call(&client).await;
    assert_eq!(result.unwrap()["ok"], true);
    assert!(elapsed >= ms(950), "Retry-After honoured: {elapsed:?}");
    within(elapsed, ms(1000));
    assert_eq!(log.count(API), 2);
    // Longer than max_backoff: returned at once, with the wait.
    let (result, elapsed) = call(&client).await;
    let api = api_error(result);
    assert_eq!(api.code(), Some(&ErrorCode::ReachLimit));
    assert_eq!(api.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(log.count(API), 3);
    within(elapsed, Duration::ZERO);
}

#[tokio::test]
async fn rate_limited_without_retry_after_backs_off() {
    let (base, log) = script_server(|r| {
        if r.nth <= 2 {
            Reply::json(429, json!({"error": "reach_limit"}))
        } else {
            Reply::json(200, json!({"ok": true}))
        }
    })
    .await;
    let client = fixed(&base, ms(2000), 3).build().unwrap();
    let (result, elapsed) = call(&client).await;
    assert_eq!(result.unwrap()["ok"], true);
    assert_eq!(log.count(API), 3);
    within(elapsed, ms(10 + 20));
}

#[tokio::test]
async fn server_error_bursts() {
    // 502, 503, 504 then success: a 4-attempt client gets through, a 3-attempt one not.
    for (attempts, ok) in [(4, true), (3, false)] {
        let (base, log) = script_server(|r| match r.nth {
            1 => Reply::json(502, json!({})),
            2 => Reply::json(503, json!({})),
            3 => Reply::json(504, json!({})),
            _ => Reply::json(200, json!({"ok": true})),
        })
        .await;
        let client = fixed(&base, ms(2000), attempts).build().unwrap();
        let (result, elapsed) = call(&client).await;
        if ok {
            assert_eq!(result.unwrap()["ok"], true);
        } else {
            assert_eq!(api_error(result).status().as_u16(), 504);
        }
        assert_eq!(log.count(API), attempts as usize);
        within(elapsed, ms(10 + 20 + 40));
    }
    // 500 is not retried.
    let (base, log) = script_server(|_| Reply::json(500, json!({"error": "x"}))).await;
    let client = fixed(&base, ms(2000), 3).build().unwrap();
    let (result, _) = call(&client).await;
    assert_eq!(api_error(result).status().as_u16(), 500);
    assert_eq!(log.count(API), 1);
}

// --- The token endpoint ----------------------------------------------------------------

/// A server whose token endpoint follows `token` and whose API answers `{"ok": true}` to
/// the token `tok-*`.
async fn token_server(
    token: impl Fn(&RawRequest) -> Reply + Send + Sync + 'static,
) -> (String, RawLog) {
    script_server(move |r| {
        if r.path == TOKEN {
            token(r)
        } else if r
            .header("authorization")
            .is_some_and(|a| a.starts_with("Bearer tok-"))
        {
            Reply::json(200, json!({"ok": true}))
        } else {
            Reply::json(401, json!({"error": "unauthorized"}))
        }
    })
    .await
}

async fn concurrent_calls(
    client: &easemob_im::Client,
    n: usize,
) -> Vec<(Result<Value, Error>, Duration)> {
    let calls: Vec<_> = (0..n)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { call(&client).await })
        })
        .collect();
    let mut results = Vec::new();
    for c in calls {
        results.push(c.await.expect("no call panics"));
    }
    results
}

fn token_cause(result: &Result<Value, Error>) -> &Error {
    match result {
        Err(Error::Token(cause)) => cause,
        other => panic!("expected a token error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_token_endpoint_is_asked_once_per_flight() {
    let (base, log) =
        token_server(|_| Reply::json(503, json!({"error": "service_unavailable"}))).await;
    let client = client(&base)
        .timeout(ms(2000))
        .retry(policy(3, 300, 300))
        .build()
        .unwrap();
    let results = concurrent_calls(&client, 20).await;
    for (result, elapsed) in &results {
        assert_eq!(token_cause(result).status().map(|s| s.as_u16()), Some(503));
        // One flight: three attempts, two waits of at most 300 ms; no queueing behind
        // other callers' flights.
        within(*elapsed, ms(300 + 300 + 200));
    }
    assert_eq!(
        log.count(TOKEN),
        3,
        "one flight of three attempts for 20 calls"
    );
    assert_eq!(log.count(API), 0);

    // Right after a failed flight the client backs off: the failure is returned at once.
    let (result, elapsed) = call(&client).await;
    assert_eq!(token_cause(&result).status().map(|s| s.as_u16()), Some(503));
    assert_eq!(log.count(TOKEN), 3);
    within(elapsed, Duration::ZERO);

    // After the backoff, one new flight.
    tokio::time::sleep(ms(320)).await;
    let results = concurrent_calls(&client, 5).await;
    assert!(results
        .iter()
        .all(|(r, _)| matches!(r, Err(Error::Token(_)))));
    assert_eq!(log.count(TOKEN), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_token_endpoint_times_out_once_for_all_waiters() {
    let (base, log) =
        token_server(|_| Reply::Delay(ms(2000), Box::new(Reply::token("tok-1", 3600)))).await;
    let client = client(&base)
        .timeout(ms(150))
        .retry(policy(3, 10, 40))
        .build()
        .unwrap();
    let results = concurrent_calls(&client, 10).await;
    for (result, elapsed) in &results {
        assert!(token_cause(result).is_timeout(), "{result:?}");
        within(*elapsed, worst_case(ms(150), 3, 10, 40));
    }
    assert_eq!(log.count(TOKEN), 3);
    assert_eq!(log.count(API), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_first_calls_share_one_token() {
    let (base, log) = token_server(|r| {
        Reply::Delay(
            ms(100),
            Box::new(Reply::token(&format!("tok-{}", r.nth), 3600)),
        )
    })
    .await;
    let client = client(&base).timeout(ms(5000)).build().unwrap();
    let results = concurrent_calls(&client, 100).await;
    for (result, elapsed) in results {
        assert_eq!(result.unwrap()["ok"], true);
        within(elapsed, ms(100 + 1000));
    }
    assert_eq!(log.count(TOKEN), 1);
    assert_eq!(log.count(API), 100);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_first_calls_share_one_failure() {
    let (base, log) = token_server(|_| {
        Reply::Delay(
            ms(50),
            Box::new(Reply::json(400, json!({"error": "invalid_grant"}))),
        )
    })
    .await;
    let client = client(&base).timeout(ms(5000)).build().unwrap();
    let results = concurrent_calls(&client, 100).await;
    for (result, elapsed) in &results {
        assert_eq!(token_cause(result).code(), Some(&ErrorCode::InvalidGrant));
        within(*elapsed, ms(50 + 1000));
    }
    assert_eq!(
        log.count(TOKEN),
        1,
        "400 is not retried, and the failure is shared"
    );
    assert_eq!(log.count(API), 0);
}

#[tokio::test]
async fn token_refused_at_once_is_renewed_once_then_returned() {
    // Every token is refused by the API as soon as it is issued (expired at once).
    let (base, log) = script_server(|r| {
        if r.path == TOKEN {
            Reply::token(&format!("tok-{}", r.nth), 1)
        } else {
            Reply::json(
                401,
                json!({"error": "unauthorized", "error_description": "expired"}),
            )
        }
    })
    .await;
    let client = client(&base).timeout(ms(2000)).build().unwrap();
    let (result, elapsed) = call(&client).await;
    assert_eq!(api_error(result).code(), Some(&ErrorCode::Unauthorized));
    assert_eq!(log.count(TOKEN), 2);
    assert_eq!(log.count(API), 2);
    within(elapsed, ms(4 * 100));
}

#[tokio::test]
async fn unauthorized_then_success() {
    let (base, log) = script_server(|r| {
        if r.path == TOKEN {
            Reply::token(&format!("tok-{}", r.nth), 3600)
        } else if r.header("authorization") == Some("Bearer tok-2") {
            Reply::json(200, json!({"ok": true}))
        } else {
            Reply::json(401, json!({"error": "unauthorized"}))
        }
    })
    .await;
    let client = client(&base).timeout(ms(2000)).build().unwrap();
    let (result, elapsed) = call(&client).await;
    assert_eq!(result.unwrap()["ok"], true);
    assert_eq!(log.count(TOKEN), 2);
    assert_eq!(log.count(API), 2);
    within(elapsed, ms(4 * 100));
}

// --- Secrets echoed by the server ------------------------------------------------------

fn assert_hidden(error: &Error, secrets: &[&str]) {
    let shown = format!("{error} | {error:?} | {error:#?}");
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret:?} leaked: {shown}");
    }
}

#[tokio::test]
async fn token_endpoint_echoing_the_request_does_not_leak_the_secret() {
    const SECRET: &str = "s3cr3t/+ value&x=\u{e9}";
    let (base, _log) = script_server(|r| {
        let echo = String::from_utf8_lossy(&r.body).into_owned();
        match r.nth {
            // An Easemob-shaped error quoting the request.
            1 => Reply::json(
                400,
                json!({"error": "invalid_grant", "error_description": format!("bad request: {echo}")}),
            ),
            // An HTML page echoing it, raw and form-encoded.
            _ => Reply::Full {
                status: 403,
                headers: vec![("content-type", "text/html".into())],
                body: format!(
                    "<html>{echo} client_secret=s3cr3t%2F%2B+value%26x%3D%C3%A9</html>"
                )
                .into_bytes(),
            },
        }
    })
    .await;
    for _ in 0..2 {
        let fresh = client(&base)
            .credentials(Credentials::client_credentials("id", SECRET))
            .build()
            .unwrap();
        let error = fresh.authenticate().await.unwrap_err();
        let cause = match &error {
            Error::Token(cause) => cause,
            other => panic!("{other:?}"),
        };
        let api = cause.as_api().expect("the server's answer");
        assert!(!api.raw_body().is_empty());
        assert!(
            String::from_utf8_lossy(api.raw_body()).contains("***"),
            "the secret is replaced where it was"
        );
        assert_hidden(
            &error,
            &[SECRET, "s3cr3t", "s3cr3t%2F%2B+value%26x%3D%C3%A9"],
        );
    }
}

#[tokio::test]
async fn api_error_echoing_the_token_does_not_leak_it() {
    let (base, _log) = script_server(|r| {
        if r.path == TOKEN {
            return Reply::token("tok-VERY-SECRET-1", 3600);
        }
        let auth = r.header("authorization").unwrap_or_default().to_owned();
        Reply::json(
            400,
            json!({"error": "illegal_argument", "error_description": format!("header was {auth}")}),
        )
    })
    .await;
    let fetching = client(&base).build().unwrap();
    let (result, _) = call(&fetching).await;
    let error = result.unwrap_err();
    let api = error.as_api().expect("API error");
    assert!(api.description().unwrap().contains("***"), "{api}");
    assert_hidden(&error, &["tok-VERY-SECRET-1", "VERY-SECRET"]);

    // A fixed token is scrubbed the same way, also from a 2xx body that cannot be decoded.
    let (base, _log) = script_server(|r| {
        let auth = r.header("authorization").unwrap_or_default().to_owned();
        Reply::Full {
            status: 200,
            headers: vec![],
            body: format!("not json: {auth}").into_bytes(),
        }
    })
    .await;
    let client = client(&base)
        .credentials(Credentials::token("FIXED-abc-XYZ"))
        .build()
        .unwrap();
    let (result, _) = call(&client).await;
    let error = result.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert_hidden(&error, &["FIXED-abc-XYZ"]);
}
