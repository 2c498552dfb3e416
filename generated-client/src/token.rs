//! The app token, made from the client credentials by `POST /{org}/{app}/token` and kept
//! until shortly before it expires.
//!
//! The token is fetched on first use, not when the client is built. However many requests
//! need it at once, one fetch runs — a *flight* — and every call waiting for it gets its
//! outcome, success or failure: a failure is shared (as an `Arc`), not repeated by each
//! waiter one after another. The flight is a shared future that its waiters poll; the state
//! keeps only a weak handle on it, so if every waiter gives up the fetch is dropped and the
//! next call starts a new one. After a failed flight, calls get its failure at once until a
//! backoff from the retry policy has passed, so an outage costs one flight per backoff, not
//! one per call; each call thus waits for at most one flight, which its own timeout and
//! retry policy bound.
//!
//! The token is renewed once less than a tenth of its lifetime or five minutes remain,
//! whichever is more, but never before half of it has passed, so short-lived tokens are not
//! fetched on every call. While a renewal is in flight, other calls keep using the current
//! token; if renewing fails while it is still valid, it is used and renewal is tried again
//! a little later. A `401` answer invalidates the token that was sent, if it is still the
//! current one, so that the retry (and every later call) gets a new one.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::{BoxFuture, FutureExt, WeakShared};
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde::{Deserialize, Serialize};
use tokio::time::Instant;

use crate::client::{Client, Secret};
use crate::error::DecodeError;
use crate::redact::Scrub;
use crate::request::{Body, OperationRequest, RateLimit};
use crate::retry::RetryPolicy;
use crate::Error;

/// Renew when less than this much of the lifetime remains (or a tenth of it, if more).
const MIN_RENEW_MARGIN: Duration = Duration::from_secs(5 * 60);
/// After a failed renewal while the old token is still good, wait at most this long
/// before trying again.
const MAX_RENEW_RETRY_DELAY: Duration = Duration::from_secs(30);

/// A token ready to be sent, with the generation it belongs to.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) header: HeaderValue,
    value: Arc<str>,
    generation: u64,
}

impl Token {
    /// `None` if `value` cannot travel in a header.
    fn new(value: &str, generation: u64) -> Option<Token> {
        Some(Token {
            header: bearer(value)?,
            value: value.into(),
            generation,
        })
    }

    /// The token itself, without `Bearer `.
    pub(crate) fn secret(&self) -> &str {
        &self.value
    }
}

/// What a flight ends with, handed to each of its waiters.
type Outcome = Result<Token, Arc<Error>>;
type FlightFuture = BoxFuture<'static, Outcome>;

pub(crate) enum TokenManager {
    Fixed(Token),
    Fetched(Arc<Fetched>),
}

pub(crate) struct Fetched {
    client_id: String,
    client_secret: Secret,
    ttl: Option<u64>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    current: Option<Cached>,
    next_generation: u64,
    /// After a failed renewal: do not try again before this.
    renew_not_before: Option<Instant>,
    /// The fetch in progress. Only its waiters keep it alive.
    flight: Option<WeakShared<FlightFuture>>,
    /// The last flight failed and no token is usable: its error, returned without asking
    /// again until `until`.
    failure: Option<Failure>,
    /// Flights that failed in a row, for the backoff.
    failures_in_a_row: u32,
}

struct Failure {
    error: Arc<Error>,
    until: Instant,
}

#[derive(Clone)]
struct Cached {
    token: Token,
    /// When to start renewing; `None`: never (the token does not expire).
    renew_at: Option<Instant>,
    /// When the token stops working; `None`: never.
    expires_at: Option<Instant>,
}

impl Cached {
    fn is_valid(&self, now: Instant) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

impl State {
    /// The cached token if it can be used without fetching.
    fn usable(&self, now: Instant) -> Option<Token> {
        let cached = self.current.as_ref()?;
        let fresh = cached.renew_at.is_none_or(|at| now < at);
        let renewal_backing_off = self.renew_not_before.is_some_and(|at| now < at);
        (fresh || (renewal_backing_off && cached.is_valid(now))).then(|| cached.token.clone())
    }

    /// The current token if it still works at all.
    fn valid(&self, now: Instant) -> Option<Token> {
        let cached = self.current.as_ref()?;
        cached.is_valid(now).then(|| cached.token.clone())
    }
}

#[derive(Serialize)]
struct TokenRequest<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttl: Option<u64>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    /// Seconds; 0 or absent means the token does not expire.
    #[serde(default)]
    expires_in: Option<u64>,
}

impl TokenManager {
    /// `None` if `token` cannot travel in a header.
    pub(crate) fn fixed(token: &str) -> Option<TokenManager> {
        Token::new(token, 0).map(TokenManager::Fixed)
    }

    pub(crate) fn fetched(
        client_id: String,
        client_secret: Secret,
        ttl: Option<u64>,
    ) -> TokenManager {
        TokenManager::Fetched(Arc::new(Fetched {
            client_id,
            client_secret,
            ttl,
            state: Mutex::new(State::default()),
        }))
    }

    /// Whether a `401` can be cured by fetching a new token.
    pub(crate) fn renewable(&self) -> bool {
        matches!(self, TokenManager::Fetched(_))
    }

    /// The token the client would send now, if it has one, for scrubbing it out of
    /// server text.
    pub(crate) fn current(&self) -> Option<Token> {
        match self {
            TokenManager::Fixed(token) => Some(token.clone()),
            TokenManager::Fetched(fetched) => {
                fetched.lock().current.as_ref().map(|c| c.token.clone())
            }
        }
    }

    /// A token to send now: the cached one, or the outcome of the flight that fetches it
    /// (joining the one in progress, or starting one).
    pub(crate) async fn get(&self, client: &Client) -> Result<Token, Error> {
        let fetched = match self {
            TokenManager::Fixed(token) => return Ok(token.clone()),
            TokenManager::Fetched(fetched) => fetched,
        };
        let flight = {
            let mut state = fetched.lock();
            let now = Instant::now();
            if let Some(token) = state.usable(now) {
                return Ok(token);
            }
            if let Some(failure) = state.failure.as_ref().filter(|f| now < f.until) {
                return Err(Error::Token(Arc::clone(&failure.error)));
            }
            match state.flight.as_ref().and_then(WeakShared::upgrade) {
                Some(flight) => {
                    // A renewal is under way: the current token serves meanwhile.
                    if let Some(token) = state.valid(now) {
                        return Ok(token);
                    }
                    flight
                }
                None => {
                    let flight = Arc::clone(fetched).fly(client.clone()).shared();
                    state.flight = flight.downgrade();
                    flight
                }
            }
        };
        flight.await.map_err(Error::Token)
    }

    /// Forgets `token` if it is still the current one, after the server refused it.
    pub(crate) fn invalidate(&self, token: &Token) {
        if let TokenManager::Fetched(fetched) = self {
            let mut state = fetched.lock();
            if state
                .current
                .as_ref()
                .is_some_and(|c| c.token.generation == token.generation)
            {
                state.current = None;
                state.renew_not_before = None;
            }
        }
    }
}

impl Fetched {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is plain data updated in one step; a panic elsewhere cannot leave it
        // half-written, so a poisoned lock is safe to use.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// One flight: fetch, then record the outcome for everyone. A named (boxed) future
    /// type: the fetch goes through `Client::send`, which awaits `get`, which starts
    /// flights, and an `async fn` here would make that loop unprovably `Send`.
    fn fly(self: Arc<Self>, client: Client) -> FlightFuture {
        Box::pin(async move {
            let sent_at = Instant::now();
            let result = self.fetch(&client).await;
            self.land(sent_at, Instant::now(), result, client.retry_policy())
        })
    }

    /// Records the outcome of a flight and returns what its waiters get.
    fn land(
        &self,
        sent_at: Instant,
        now: Instant,
        result: Result<TokenResponse, Error>,
        retry: &RetryPolicy,
    ) -> Outcome {
        let result = result.and_then(|response| {
            // Checked here, numbered below under the lock.
            let token = Token::new(&response.access_token, 0).ok_or_else(|| {
                Error::Decode(DecodeError::new(
                    "get_app_token",
                    Some(StatusCode::OK),
                    "access_token".into(),
                    "the token contains characters not allowed in an HTTP header".into(),
                    b"",
                    &Scrub::default(),
                ))
            })?;
            Ok((token, response.expires_in.unwrap_or(0)))
        });
        let mut state = self.lock();
        state.flight = None;
        match result {
            Ok((mut token, expires_in)) => {
                let (renew_at, expires_at) = schedule(sent_at, expires_in);
                state.next_generation += 1;
                token.generation = state.next_generation;
                state.current = Some(Cached {
                    token: token.clone(),
                    renew_at,
                    expires_at,
                });
                state.renew_not_before = None;
                state.failure = None;
                state.failures_in_a_row = 0;
                Ok(token)
            }
            Err(error) => {
                state.failures_in_a_row = state.failures_in_a_row.saturating_add(1);
                if let Some(cached) = state.current.clone().filter(|c| c.is_valid(now)) {
                    let left = cached
                        .expires_at
                        .map_or(MAX_RENEW_RETRY_DELAY, |at| at - now);
                    state.renew_not_before = Some(now + (left / 2).min(MAX_RENEW_RETRY_DELAY));
                    tracing::warn!(error = %format_args!("{error:#}"), "renewing the app token failed; using the current one meanwhile");
                    return Ok(cached.token);
                }
                let error = Arc::new(error);
                let wait = retry.ceiling(state.failures_in_a_row);
                tracing::warn!(
                    error = %format_args!("{error:#}"),
                    backoff_ms = wait.as_millis() as u64,
                    "fetching the app token failed; calls fail at once until the backoff ends"
                );
                state.failure = Some(Failure {
                    error: Arc::clone(&error),
                    until: now + wait,
                });
                Err(error)
            }
        }
    }

    async fn fetch(&self, client: &Client) -> Result<TokenResponse, Error> {
        let body = Body::json(&TokenRequest {
            grant_type: "client_credentials",
            client_id: &self.client_id,
            client_secret: self.client_secret.expose(),
            ttl: self.ttl,
        })?;
        let request = OperationRequest {
            operation_id: "get_app_token",
            method: Method::POST,
            path_template: "/token",
            path: "/token".to_owned(),
            query: Vec::new(),
            headers: vec![("accept", "application/json".to_owned())],
            body,
            // Asking for a token changes nothing on the server.
            idempotent: true,
            auth: false,
            rate_limit: RateLimit::per_second(300),
        };
        // Boxed: this future is part of the future of `execute`, which calls us.
        let response: TokenResponse = Box::pin(client.execute_json_redacted(request)).await?;
        if response.access_token.is_empty() {
            return Err(Error::Decode(DecodeError::new(
                "get_app_token",
                Some(StatusCode::OK),
                "access_token".into(),
                "the token is empty".into(),
                b"",
                &Scrub::default(),
            )));
        }
        Ok(response)
    }
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenManager::Fixed(_) => f.write_str("FixedToken(***)"),
            TokenManager::Fetched(_) => f.write_str("FetchedToken(***)"),
        }
    }
}

/// `Bearer <token>` as a header value that HTTP/2 will not index, or `None` if the token
/// cannot be a header value.
fn bearer(token: &str) -> Option<HeaderValue> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    value.set_sensitive(true);
    Some(value)
}

/// When to renew and when the token expires, for a token asked for at `sent_at` with a
/// lifetime of `expires_in` seconds (0: forever).
fn schedule(sent_at: Instant, expires_in: u64) -> (Option<Instant>, Option<Instant>) {
    if expires_in == 0 {
        return (None, None);
    }
    let lifetime = Duration::from_secs(expires_in);
    let margin = (lifetime / 10).max(MIN_RENEW_MARGIN).min(lifetime / 2);
    (
        sent_at.checked_add(lifetime - margin),
        sent_at.checked_add(lifetime),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renew_after(expires_in: u64) -> Option<Duration> {
        let t0 = Instant::now();
        schedule(t0, expires_in).0.map(|at| at - t0)
    }

    #[test]
    fn renewal_schedule() {
        let secs = Duration::from_secs;
        assert_eq!(schedule(Instant::now(), 0), (None, None));
        // Long tokens: a tenth of the lifetime before expiry.
        assert_eq!(renew_after(86_400), Some(secs(86_400 - 8_640)));
        // Medium: five minutes before.
        assert_eq!(renew_after(3_000), Some(secs(2_700)));
        // Short: never before half the lifetime.
        assert_eq!(renew_after(60), Some(secs(30)));
        assert_eq!(renew_after(1), Some(Duration::from_millis(500)));
        // Absurd lifetimes do not overflow.
        let (renew, expire) = schedule(Instant::now(), u64::MAX);
        assert!(renew.is_none() || expire.is_none() || renew < expire);
    }

    #[test]
    fn usable_tokens() {
        let now = Instant::now();
        let token = Token::new("t", 1).unwrap();
        let mut state = State::default();
        assert!(state.usable(now).is_none());
        state.current = Some(Cached {
            token,
            renew_at: Some(now + Duration::from_secs(10)),
            expires_at: Some(now + Duration::from_secs(20)),
        });
        assert!(state.usable(now).is_some());
        let later = now + Duration::from_secs(15);
        assert!(state.usable(later).is_none(), "in the renewal window");
        state.renew_not_before = Some(later + Duration::from_secs(1));
        assert!(
            state.usable(later).is_some(),
            "renewal backing off, token still valid"
        );
        let expired = now + Duration::from_secs(20);
        assert!(
            state.usable(expired).is_none(),
            "expired tokens are never used"
        );
    }

    #[test]
    fn bearer_refuses_header_breaking_tokens() {
        assert!(bearer("abc").is_some());
        assert!(bearer("a\r\nX-Evil: 1").is_none());
        assert!(bearer("abc").unwrap().is_sensitive());
    }
}
