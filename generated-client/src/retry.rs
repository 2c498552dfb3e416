//! When to try a request again and how long to wait first, made from a [`RetryPolicy`],
//! the answer (status and `Retry-After`) or the transport error, and a random number.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;

/// How failed requests are retried.
///
/// A request is retried after a `429`, `502`, `503` or `504` answer, a timeout, or a
/// dropped connection, but only if it is idempotent (or [`retry_non_idempotent`] is set)
/// and its body can be sent again. A connection that could not be established at all is
/// retried even for non-idempotent requests, since nothing reached the server.
///
/// The wait before retry *n* (counting from 1) is drawn uniformly from
/// `0..=min(max_backoff, initial_backoff × 2^(n-1))` ("full jitter"), so that many clients
/// do not retry in lockstep. If the answer carries `Retry-After` (seconds or an HTTP date),
/// that wait is used instead. When the server asks for a longer wait than `max_backoff`,
/// the client does not retry early, which would only earn another `429`: it returns the
/// error at once, and [`ApiError::retry_after`](crate::ApiError::retry_after) tells when to
/// come back.
///
/// With several base URLs ([`ClientBuilder::base_urls`](crate::ClientBuilder::base_urls)),
/// a connection failure or a `5xx` answer also sends the request, if it is safe to repeat
/// by the rules above, to the next host at once, without waiting; each host tried counts
/// as an attempt.
///
/// A `401` is a separate matter: the client fetches a new app token and repeats the request
/// once, whatever this policy says.
///
/// App token requests follow this policy too. When all their attempts fail, every call that
/// was waiting for the token gets that failure, and for the next `initial_backoff × 2^(n-1)`
/// (at most `max_backoff`, *n* counting the failed fetches in a row) calls get it at once
/// instead of asking again.
///
/// [`retry_non_idempotent`]: RetryPolicy::retry_non_idempotent
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// How many times a request is sent at most, the first time included (0 counts as 1).
    pub max_attempts: u32,
    /// The wait before the first retry, before jitter.
    pub initial_backoff: Duration,
    /// The longest wait between attempts; also the longest `Retry-After` honoured.
    pub max_backoff: Duration,
    /// Whether requests that are not idempotent are retried too.
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, backoff from 200 ms up to 10 s, idempotent requests only.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry: every request is sent once.
    pub fn never() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets how many times a request is sent at most, the first time included (0 counts as
    /// 1).
    pub fn max_attempts(mut self, max_attempts: u32) -> RetryPolicy {
        self.max_attempts = max_attempts;
        self
    }

    /// Sets the wait before the first retry (before jitter).
    pub fn initial_backoff(mut self, initial_backoff: Duration) -> RetryPolicy {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Sets the longest wait between attempts, which also bounds `Retry-After`.
    pub fn max_backoff(mut self, max_backoff: Duration) -> RetryPolicy {
        self.max_backoff = max_backoff;
        self
    }

    /// Also retries requests that are not idempotent, such as sending a message. A retry
    /// after a timeout may then do the thing twice (the message is sent twice).
    pub fn retry_non_idempotent(mut self, yes: bool) -> RetryPolicy {
        self.retry_non_idempotent = yes;
        self
    }

    /// The jittered exponential wait before retry number `retry` (1 for the first retry),
    /// with `random` a number in `[0, 1)`.
    pub(crate) fn backoff(&self, retry: u32, random: f64) -> Duration {
        let ceiling = self.ceiling(retry);
        let random = if random.is_nan() {
            0.0
        } else {
            random.clamp(0.0, 1.0)
        };
        // `try_`: the product of a huge ceiling may round above `Duration::MAX`.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * random).unwrap_or(ceiling)
    }

    /// The longest wait before retry number `retry` (1 for the first): the initial backoff
    /// doubled for each earlier retry, at most `max_backoff`.
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let exp = retry.saturating_sub(1).min(31);
        self.initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff)
    }

    /// Whether a request sent `attempts` times may be sent once more.
    pub(crate) fn allows_another(&self, attempts: u32) -> bool {
        attempts < self.max_attempts.max(1)
    }

    /// The wait before the next attempt after a retryable failure, or `None` to give up.
    /// `attempts` is how many times the request has been sent so far.
    pub(crate) fn next_delay(
        &self,
        attempts: u32,
        retry_after: Option<Duration>,
        random: f64,
    ) -> Option<Duration> {
        if !self.allows_another(attempts) {
            return None;
        }
        match retry_after {
            Some(wait) if wait > self.max_backoff => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempts, random)),
        }
    }
}

/// Whether an answer with this status is worth retrying.
pub(crate) fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// How a transport error bears on retrying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportRetry {
    /// The connection was never made: nothing reached the server.
    NotSent,
    /// The request may have reached the server.
    MaybeSent,
    /// Retrying cannot help (a request that could not be built, a redirect loop...).
    Never,
}

pub(crate) fn classify(error: &reqwest::Error) -> TransportRetry {
    if error.is_connect() {
        TransportRetry::NotSent
    } else if error.is_timeout() || error.is_request() || error.is_body() {
        TransportRetry::MaybeSent
    } else {
        TransportRetry::Never
    }
}

/// Parses `Retry-After` as delta-seconds or an HTTP date (relative to `now`). A date in the
/// past means no wait; an unparsable value is ignored.
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_scales_with_jitter() {
        let p = RetryPolicy::default();
        // random just below 1 gives (nearly) the ceiling.
        assert_eq!(p.backoff(1, 1.0), ms(200));
        assert_eq!(p.backoff(2, 1.0), ms(400));
        assert_eq!(p.backoff(3, 1.0), ms(800));
        assert_eq!(p.backoff(6, 1.0), ms(6400));
        assert_eq!(p.backoff(7, 1.0), ms(10_000));
        assert_eq!(p.backoff(1000, 1.0), ms(10_000));
        assert_eq!(p.backoff(3, 0.5), ms(400));
        assert_eq!(p.backoff(3, 0.0), Duration::ZERO);
        // Out-of-range randomness is clamped, never panics.
        assert_eq!(p.backoff(1, 7.0), ms(200));
        assert_eq!(p.backoff(1, -1.0), Duration::ZERO);
        assert_eq!(p.backoff(1, f64::NAN), Duration::ZERO);
        assert_eq!(p.backoff(1, f64::INFINITY), ms(200));
    }

    #[test]
    fn huge_initial_backoff_saturates() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::MAX)
            .max_backoff(Duration::MAX);
        assert_eq!(p.backoff(40, 1.0), Duration::MAX);
    }

    #[test]
    fn next_delay_respects_attempts_and_retry_after() {
        let p = RetryPolicy::default(); // 3 attempts
        assert_eq!(p.next_delay(1, None, 1.0), Some(ms(200)));
        assert_eq!(p.next_delay(2, None, 1.0), Some(ms(400)));
        assert_eq!(p.next_delay(3, None, 1.0), None);
        assert_eq!(p.next_delay(1, Some(ms(1500)), 0.0), Some(ms(1500)));
        assert_eq!(
            p.next_delay(1, Some(Duration::ZERO), 0.7),
            Some(Duration::ZERO)
        );
        // Longer than max_backoff: give up rather than retry early.
        assert_eq!(p.next_delay(1, Some(Duration::from_secs(11)), 0.5), None);
        assert_eq!(RetryPolicy::never().next_delay(1, None, 0.5), None);
        assert_eq!(
            RetryPolicy::default()
                .max_attempts(0)
                .next_delay(1, None, 0.5),
            None
        );
    }

    #[test]
    fn retry_after_formats() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::from_secs(30)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        h.insert(RETRY_AFTER, HeaderValue::from_str(&earlier).unwrap());
        assert_eq!(parse_retry_after(&h, now), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h, now), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("-5"));
        assert_eq!(parse_retry_after(&h, now), None);
    }

    #[test]
    fn statuses() {
        for s in [429, 502, 503, 504] {
            assert!(retryable_status(StatusCode::from_u16(s).unwrap()));
        }
        for s in [200, 400, 401, 403, 404, 500, 501] {
            assert!(!retryable_status(StatusCode::from_u16(s).unwrap()));
        }
    }
}
