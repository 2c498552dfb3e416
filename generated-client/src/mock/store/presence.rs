//! Presence: per-device statuses a user sets, and who subscribes to whose (presence.md).
//! The mock has no SDK connections, so a user counts as online when a device of theirs has a
//! status other than `0` (offline).

use std::collections::BTreeMap;

use super::{illegal, user_key, Res, Tenant};

/// Subscriptions, status queries and unsubscriptions per request (presence.md).
const MAX_USERS: usize = 100;
/// Longest subscription, in seconds (30 days).
const MAX_EXPIRY: i64 = 2_592_000;
/// Longest status extension accepted ("建议不超过 64 字节"; the server refuses far longer ones).
const MAX_EXT: usize = 1024;

/// The presence of one user.
#[derive(Debug, Clone, Default)]
pub(crate) struct PresenceRecord {
    /// Device resource id to status (`0` offline, `1` online, other custom).
    pub(crate) resources: BTreeMap<String, String>,
    pub(crate) ext: String,
    /// When the status last changed, Unix seconds.
    pub(crate) last_time: i64,
    /// Users this user subscribes to, with the subscription's end in Unix seconds.
    pub(crate) subscriptions: BTreeMap<String, i64>,
}

impl PresenceRecord {
    pub(crate) fn is_online(&self) -> bool {
        self.resources.values().any(|s| s != "0")
    }
}

/// What a status query answers for one user: (uid, last time, ext, statuses).
pub(crate) type PresenceStatus = (String, i64, String, BTreeMap<String, String>);

impl Tenant {
    pub(crate) fn set_presence(
        &mut self,
        user: &str,
        resource: &str,
        status: &str,
        ext: &str,
        now: i64,
    ) -> Res<()> {
        self.user(user)?;
        if ext.len() > MAX_EXT {
            return Err(illegal("ext is too big"));
        }
        if resource.is_empty() {
            return Err(illegal("resource not exist"));
        }
        let record = self.presence.entry(user_key(user)).or_default();
        record
            .resources
            .insert(resource.to_owned(), status.to_owned());
        record.ext = ext.to_owned();
        record.last_time = now / 1000;
        Ok(())
    }

    /// Sets every device of a user offline; whether one was online.
    pub(crate) fn disconnect(&mut self, user: &str, now: i64) -> Res<bool> {
        self.user(user)?;
        let Some(record) = self.presence.get_mut(&user_key(user)) else {
            return Ok(false);
        };
        let was_online = record.is_online();
        for status in record.resources.values_mut() {
            *status = "0".into();
        }
        record.last_time = now / 1000;
        Ok(was_online)
    }

    pub(crate) fn is_online(&self, user: &str) -> bool {
        self.presence
            .get(&user_key(user))
            .is_some_and(PresenceRecord::is_online)
    }

    /// The devices on which a user is online: resource ids.
    pub(crate) fn online_devices(&self, user: &str) -> Res<Vec<String>> {
        self.user(user)?;
        Ok(self
            .presence
            .get(&user_key(user))
            .map(|r| {
                r.resources
                    .iter()
                    .filter(|(_, s)| *s != "0")
                    .map(|(res, _)| res.clone())
                    .collect()
            })
            .unwrap_or_default())
    }

    fn presence_status(&self, user: &str) -> PresenceStatus {
        let key = user_key(user);
        match self.presence.get(&key) {
            Some(r) => (key, r.last_time, r.ext.clone(), r.resources.clone()),
            None => (key, 0, String::new(), BTreeMap::new()),
        }
    }

    pub(crate) fn presence_statuses(
        &self,
        user: &str,
        targets: &[String],
    ) -> Res<Vec<PresenceStatus>> {
        self.user(user)?;
        if targets.len() > MAX_USERS {
            return Err(illegal("too many get presences"));
        }
        Ok(targets.iter().map(|t| self.presence_status(t)).collect())
    }

    /// Subscribes `user` to `targets` for `expiry` seconds; their statuses and the end.
    pub(crate) fn subscribe_presence(
        &mut self,
        user: &str,
        targets: &[String],
        expiry: i64,
        now: i64,
    ) -> Res<Vec<(PresenceStatus, i64)>> {
        self.user(user)?;
        let key = user_key(user);
        if targets.len() > MAX_USERS {
            return Err(illegal("too many sub presence"));
        }
        if !(1..=MAX_EXPIRY).contains(&expiry) {
            return Err(illegal(format!("expiry must be 1 to {MAX_EXPIRY} seconds")));
        }
        if targets.iter().any(|t| user_key(t) == key) {
            return Err(illegal("you can't sub yourself"));
        }
        let end = now / 1000 + expiry;
        let record = self.presence.entry(key).or_default();
        for target in targets {
            record.subscriptions.insert(user_key(target), end);
        }
        Ok(targets
            .iter()
            .map(|t| (self.presence_status(t), end))
            .collect())
    }

    pub(crate) fn unsubscribe_presence(&mut self, user: &str, targets: &[String]) -> Res<()> {
        self.user(user)?;
        if targets.len() > MAX_USERS {
            return Err(illegal("too many unsub presences"));
        }
        if let Some(record) = self.presence.get_mut(&user_key(user)) {
            for target in targets {
                record.subscriptions.remove(&user_key(target));
            }
        }
        Ok(())
    }

    /// A user's live subscriptions: (target, end in Unix seconds).
    pub(crate) fn presence_subscriptions(&self, user: &str, now: i64) -> Res<Vec<(String, i64)>> {
        self.user(user)?;
        Ok(self
            .presence
            .get(&user_key(user))
            .map(|r| {
                r.subscriptions
                    .iter()
                    .filter(|(_, end)| **end > now / 1000)
                    .map(|(t, end)| (t.clone(), *end))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Members of a group online now.
    pub(crate) fn group_online_count(&self, group_id: &str) -> Res<usize> {
        let group = self.group(group_id)?;
        Ok(group
            .roster
            .affiliations()
            .iter()
            .filter(|(_, m)| self.is_online(m))
            .count())
    }
}
