//! One `tracing` event per request the mock answers, at level `INFO` and target
//! [`REQUEST_TARGET`]: method, path with the query (values of keys that look secret
//! replaced by `***`), status and the time taken to produce the answer's head. Headers are
//! never logged, so neither are the app tokens they carry.
//!
//! The mock only emits events; whoever runs it decides where they go (the `easemob-mock`
//! binary writes them to stderr, see `--log`).

use std::time::Instant;

use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;

/// The target of the per-request events, for filters such as
/// `RUST_LOG=easemob_mock::request=info`.
pub const REQUEST_TARGET: &str = "easemob_mock::request";

/// Query keys whose values are never logged: anything that may carry a credential.
const SECRET_KEYS: [&str; 7] = [
    "token",
    "secret",
    "password",
    "pwd",
    "auth",
    "credential",
    "signature",
];

/// The middleware: logs the request once its answer's head is ready.
pub(crate) async fn log_request(request: Request, next: Next) -> Response {
    if !tracing::enabled!(target: REQUEST_TARGET, tracing::Level::INFO) {
        return next.run(request).await;
    }
    let method = request.method().clone();
    let path = shown_target(request.uri());
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    tracing::info!(
        target: REQUEST_TARGET,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        duration_ms = (elapsed.as_secs_f64() * 1000.0 * 100.0).round() / 100.0,
    );
    response
}

/// The path and query of `uri`, with the values of secret-looking query keys hidden.
pub(crate) fn shown_target(uri: &Uri) -> String {
    let mut shown = uri.path().to_owned();
    if let Some(query) = uri.query() {
        shown.push('?');
        for (i, pair) in query.split('&').enumerate() {
            if i > 0 {
                shown.push('&');
            }
            match pair.split_once('=') {
                Some((key, _)) if is_secret(key) => {
                    shown.push_str(key);
                    shown.push_str("=***");
                }
                _ => shown.push_str(pair),
            }
        }
    }
    shown
}

/// Whether a query key (percent-encoded as sent) names a credential.
fn is_secret(key: &str) -> bool {
    let key: String = percent_encoding::percent_decode_str(key)
        .decode_utf8_lossy()
        .to_ascii_lowercase();
    SECRET_KEYS.iter().any(|secret| key.contains(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(uri: &str) -> String {
        shown_target(&uri.parse::<Uri>().unwrap())
    }

    #[test]
    fn query_secrets_are_hidden() {
        assert_eq!(shown("/demo/demo/users"), "/demo/demo/users");
        assert_eq!(
            shown("/demo/demo/users?limit=2&cursor=abc"),
            "/demo/demo/users?limit=2&cursor=abc"
        );
        assert_eq!(
            shown("/a?access_token=T0K&Client_Secret=s&x=1&%70assword=p&flag&api_auth="),
            "/a?access_token=***&Client_Secret=***&x=1&%70assword=***&flag&api_auth=***"
        );
    }
}
