//! Which of the configured REST hosts a request goes to, made from the base URLs in the
//! order given and the hosts' recent failures: the first host that is not cooling down
//! after a connection failure or a `5xx` answer, or, when all are, the one back soonest.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;

/// How long a failed host is skipped unless [`ClientBuilder::host_cooldown`] says
/// otherwise.
///
/// [`ClientBuilder::host_cooldown`]: crate::ClientBuilder::host_cooldown
pub(crate) const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);

/// One REST host.
#[derive(Debug)]
pub(crate) struct Host {
    /// The base URL, as configured.
    pub(crate) base: Url,
    /// `{base}/{org}/{app}`, encoded, without a trailing slash.
    pub(crate) prefix: String,
}

/// The hosts and, for each, until when it is skipped.
#[derive(Debug)]
pub(crate) struct Hosts {
    hosts: Vec<Host>,
    cooldown: Duration,
    down_until: Mutex<Vec<Option<Instant>>>,
}

impl Hosts {
    /// `hosts` must not be empty: the builder requires a base URL.
    pub(crate) fn new(hosts: Vec<Host>, cooldown: Duration) -> Hosts {
        let down_until = Mutex::new(vec![None; hosts.len()]);
        Hosts {
            hosts,
            cooldown,
            down_until,
        }
    }

    pub(crate) fn get(&self, index: usize) -> &Host {
        &self.hosts[index.min(self.hosts.len() - 1)]
    }

    pub(crate) fn all(&self) -> &[Host] {
        &self.hosts
    }

    /// Whether there is another host to fail over to.
    pub(crate) fn several(&self) -> bool {
        self.hosts.len() > 1
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Option<Instant>>> {
        // Plain data written in one step: a poisoned lock is still consistent.
        self.down_until.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The host to send to at `now`.
    pub(crate) fn pick(&self, now: Instant) -> usize {
        if !self.several() {
            return 0;
        }
        let down = self.lock();
        if let Some(up) = down.iter().position(|until| until.is_none_or(|t| t <= now)) {
            return up;
        }
        down.iter()
            .enumerate()
            .min_by_key(|(_, until)| *until)
            .map_or(0, |(index, _)| index)
    }

    /// Skips `index` for the cool-down, after it failed at `now`.
    pub(crate) fn mark_down(&self, index: usize, now: Instant) {
        if self.several() {
            if let Some(until) = self.lock().get_mut(index) {
                *until = now.checked_add(self.cooldown);
            }
        }
    }

    /// `index` answered: it is no longer skipped.
    pub(crate) fn mark_up(&self, index: usize) {
        if self.several() {
            if let Some(until) = self.lock().get_mut(index).filter(|u| u.is_some()) {
                *until = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(n: usize) -> Hosts {
        let hosts = (0..n)
            .map(|i| Host {
                base: Url::parse(&format!("http://h{i}")).unwrap(),
                prefix: format!("http://h{i}/o/a"),
            })
            .collect();
        Hosts::new(hosts, Duration::from_secs(30))
    }

    #[test]
    fn picks_the_first_host_not_cooling_down() {
        let h = hosts(3);
        let t0 = Instant::now();
        assert_eq!(h.pick(t0), 0);
        h.mark_down(0, t0);
        assert_eq!(h.pick(t0), 1);
        h.mark_down(1, t0 + Duration::from_secs(1));
        assert_eq!(h.pick(t0 + Duration::from_secs(1)), 2);
        // The cool-down ends: back to the first.
        assert_eq!(h.pick(t0 + Duration::from_secs(30)), 0);
        // A host that answers is used again at once.
        h.mark_up(1);
        assert_eq!(h.pick(t0 + Duration::from_secs(2)), 1);
    }

    #[test]
    fn when_all_are_down_the_one_back_soonest() {
        let h = hosts(3);
        let t0 = Instant::now();
        h.mark_down(2, t0);
        h.mark_down(0, t0 + Duration::from_secs(1));
        h.mark_down(1, t0 + Duration::from_secs(2));
        assert_eq!(h.pick(t0 + Duration::from_secs(3)), 2);
    }

    #[test]
    fn one_host_is_never_skipped() {
        let h = hosts(1);
        let t0 = Instant::now();
        h.mark_down(0, t0);
        assert_eq!(h.pick(t0), 0);
        assert_eq!(h.get(5).prefix, "http://h0/o/a");
    }
}
