//! The opt-in client-side rate limiter: a token bucket per endpoint, made from each
//! request's documented [`RateLimit`], that delays requests instead of failing them.
//!
//! Buckets are keyed by method and path template rather than by operation id, because
//! Easemob counts per endpoint: operations that share one (a text and an image message
//! both `POST /messages/users`, or the app and user token requests) share its limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use reqwest::Method;
use tokio::time::Instant;

use crate::request::RateLimit;

#[derive(Debug, Default)]
pub(crate) struct RateLimiter {
    buckets: Mutex<HashMap<(Method, &'static str), Bucket>>,
}

#[derive(Debug)]
struct Bucket {
    /// Whole requests available now; negative when callers are already queued.
    tokens: f64,
    capacity: f64,
    /// Tokens gained per second.
    rate: f64,
    updated: Instant,
}

impl RateLimiter {
    /// Waits until the endpoint's bucket allows one more request.
    pub(crate) async fn acquire(
        &self,
        method: &Method,
        path_template: &'static str,
        limit: RateLimit,
    ) {
        if let Some(wait) = self.reserve(method, path_template, limit, Instant::now()) {
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "client-side rate limit: waiting"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Takes a token, possibly going into debt, and returns how long the caller must wait
    /// for it. A caller that stops waiting keeps its reservation; that only makes the
    /// limiter slightly more conservative.
    fn reserve(
        &self,
        method: &Method,
        path_template: &'static str,
        limit: RateLimit,
        now: Instant,
    ) -> Option<Duration> {
        if limit.count == 0 || limit.per.is_zero() {
            return None;
        }
        let capacity = f64::from(limit.count);
        let rate = capacity / limit.per.as_secs_f64();
        // A poisoned lock only means another thread panicked mid-update of plain numbers.
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets
            .entry((method.clone(), path_template))
            .or_insert(Bucket {
                tokens: capacity,
                capacity,
                rate,
                updated: now,
            });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * bucket.rate).min(bucket.capacity);
        bucket.updated = now;
        bucket.tokens -= 1.0;
        if bucket.tokens >= 0.0 {
            None
        } else {
            Duration::try_from_secs_f64(-bucket.tokens / bucket.rate).ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_spacing() {
        let limiter = RateLimiter::default();
        let limit = RateLimit {
            count: 5,
            per: Duration::from_secs(1),
        };
        let t0 = Instant::now();
        for _ in 0..5 {
            assert_eq!(limiter.reserve(&Method::GET, "/a", limit, t0), None);
        }
        // The next ones queue up at 200 ms intervals.
        let w1 = limiter.reserve(&Method::GET, "/a", limit, t0).unwrap();
        let w2 = limiter.reserve(&Method::GET, "/a", limit, t0).unwrap();
        assert!((w1.as_secs_f64() - 0.2).abs() < 1e-6, "{w1:?}");
        assert!((w2.as_secs_f64() - 0.4).abs() < 1e-6, "{w2:?}");
        // Other endpoints and methods have their own buckets.
        assert_eq!(limiter.reserve(&Method::GET, "/b", limit, t0), None);
        assert_eq!(limiter.reserve(&Method::POST, "/a", limit, t0), None);
        // After a second the debt is paid and three tokens are back.
        let t1 = t0 + Duration::from_secs(1);
        for _ in 0..3 {
            assert_eq!(limiter.reserve(&Method::GET, "/a", limit, t1), None);
        }
        assert!(limiter.reserve(&Method::GET, "/a", limit, t1).is_some());
    }

    #[test]
    fn zero_means_unlimited() {
        let limiter = RateLimiter::default();
        for limit in [
            RateLimit {
                count: 0,
                per: Duration::from_secs(1),
            },
            RateLimit {
                count: 3,
                per: Duration::ZERO,
            },
        ] {
            for _ in 0..100 {
                assert_eq!(
                    limiter.reserve(&Method::GET, "/a", limit, Instant::now()),
                    None
                );
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn acquire_sleeps() {
        let limiter = RateLimiter::default();
        let limit = RateLimit {
            count: 2,
            per: Duration::from_secs(1),
        };
        let start = Instant::now();
        for _ in 0..6 {
            limiter.acquire(&Method::GET, "/a", limit).await;
        }
        // 2 at once, then 4 more at 500 ms intervals.
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(1999) && elapsed < Duration::from_millis(2100),
            "{elapsed:?}"
        );
    }
}
