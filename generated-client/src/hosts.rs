//! Which of the REST hosts a request goes to, made from the base URLs in the order given
//! and the hosts' recent failures: the first host that is not cooling down after a
//! connection failure or a `5xx` answer, or, when all are, the one back soonest. With
//! host discovery ([`crate::HostDiscovery`]) the list is replaced from time to time; a
//! request keeps the list it started with.

use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use reqwest::Url;

/// How long a failed host is skipped unless [`ClientBuilder::host_cooldown`] says
/// otherwise.
///
/// [`ClientBuilder::host_cooldown`]: crate::ClientBuilder::host_cooldown
pub(crate) const DEFAULT_COOLDOWN: Duration = Duration::from_secs(30);

/// One REST host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Host {
    /// The base URL, as configured.
    pub(crate) base: Url,
    /// `{base}/{org}/{app}`, encoded, without a trailing slash.
    pub(crate) prefix: String,
}

/// The configured hosts, and the list requests use now: the same, or the discovered
/// hosts followed by the configured ones.
#[derive(Debug)]
pub(crate) struct Hosts {
    configured: Vec<Host>,
    cooldown: Duration,
    current: RwLock<Arc<HostSet>>,
}

impl Hosts {
    /// `configured` must not be empty: the builder requires a base URL.
    pub(crate) fn new(configured: Vec<Host>, cooldown: Duration) -> Hosts {
        let current = RwLock::new(Arc::new(HostSet::new(configured.clone(), cooldown)));
        Hosts {
            configured,
            cooldown,
            current,
        }
    }

    /// The hosts as configured.
    pub(crate) fn configured(&self) -> &[Host] {
        &self.configured
    }

    /// The list a request uses from start to end.
    pub(crate) fn current(&self) -> Arc<HostSet> {
        Arc::clone(&self.current.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Uses `discovered` first, then the configured hosts not among them; the cool-downs
    /// start afresh.
    pub(crate) fn replace(&self, discovered: Vec<Host>) {
        let mut hosts = discovered;
        for host in &self.configured {
            if !hosts.iter().any(|h| h.base == host.base) {
                hosts.push(host.clone());
            }
        }
        let set = Arc::new(HostSet::new(hosts, self.cooldown));
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = set;
    }
}

/// Hosts in the order they are tried and, for each, until when it is skipped.
#[derive(Debug)]
pub(crate) struct HostSet {
    hosts: Vec<Host>,
    cooldown: Duration,
    down_until: Mutex<Vec<Option<Instant>>>,
}

impl HostSet {
    fn new(hosts: Vec<Host>, cooldown: Duration) -> HostSet {
        let down_until = Mutex::new(vec![None; hosts.len()]);
        HostSet {
            hosts,
            cooldown,
            down_until,
        }
    }

    pub(crate) fn get(&self, index: usize) -> &Host {
        &self.hosts[index.min(self.hosts.len() - 1)]
    }

    #[cfg(test)]
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

    fn host(name: &str) -> Host {
        Host {
            base: Url::parse(&format!("http://{name}")).unwrap(),
            prefix: format!("http://{name}/o/a"),
        }
    }

    fn hosts(n: usize) -> Arc<HostSet> {
        let hosts = (0..n).map(|i| host(&format!("h{i}"))).collect();
        Hosts::new(hosts, Duration::from_secs(30)).current()
    }

    #[test]
    fn discovered_hosts_come_first_and_a_request_keeps_its_list() {
        let hosts = Hosts::new(vec![host("configured")], Duration::from_secs(30));
        let before = hosts.current();
        hosts.replace(vec![host("found-1"), host("configured"), host("found-2")]);
        let after = hosts.current();
        let names: Vec<&str> = after.all().iter().map(|h| h.base.host_str().unwrap()).collect();
        assert_eq!(names, ["found-1", "configured", "found-2"]);
        assert_eq!(before.all().len(), 1);
        assert_eq!(hosts.configured().len(), 1);
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
