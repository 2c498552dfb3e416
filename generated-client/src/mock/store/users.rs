//! Users and what belongs to one user: contacts, block list, global mutes and attributes
//! (account_system.md, user_relationship.md, userprofile.md).

use std::collections::BTreeMap;

use crate::models::ErrorCode;
use crate::server::ServerError;

use super::{cursor_page, illegal, legal_username, not_found, random_uuid, user_key, Res, Tenant};

/// Friends per user on the free edition (user_relationship.md).
const MAX_CONTACTS: usize = 1000;
/// Users on one block list (user_relationship.md).
const MAX_BLOCKED: usize = 500;
/// Total length of one user's attributes (userprofile.md: 2 KB).
const MAX_METADATA_BYTES: usize = 2048;

/// The users a batch registration created, and (id, reason) for those it did not.
pub(crate) type Registered = (Vec<UserRecord>, Vec<(String, String)>);

/// A registered user.
#[derive(Debug, Clone)]
pub(crate) struct UserRecord {
    pub(crate) seq: u64,
    pub(crate) uuid: String,
    /// Lower case, as the server answers it.
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) nickname: Option<String>,
    pub(crate) created: i64,
    pub(crate) modified: i64,
    pub(crate) activated: bool,
    /// Friends in the order they were added.
    pub(crate) contacts: Vec<Contact>,
    /// Blocked users in the order they were blocked.
    pub(crate) blocked: Vec<String>,
    pub(crate) mutes: BTreeMap<GlobalMuteKind, MuteUntil>,
}

/// A friend and the remark kept for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Contact {
    pub(crate) username: String,
    pub(crate) remark: Option<String>,
}

/// The three kinds of global mute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum GlobalMuteKind {
    Chat,
    GroupChat,
    ChatRoom,
}

/// When a mute ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MuteUntil {
    Forever,
    /// Unix milliseconds.
    At(i64),
}

impl MuteUntil {
    /// Seconds left (-1 for a permanent mute), or `None` once it has ended.
    pub(crate) fn remaining_secs(self, now: i64) -> Option<i64> {
        match self {
            MuteUntil::Forever => Some(-1),
            MuteUntil::At(at) if at > now => Some((at - now + 999) / 1000),
            MuteUntil::At(_) => None,
        }
    }
}

impl Tenant {
    /// The user `name`; 404 if not registered.
    pub(crate) fn user(&self, name: &str) -> Res<&UserRecord> {
        self.users
            .get(&user_key(name))
            .ok_or_else(|| not_found(format!("the user {name} does not exist")))
    }

    pub(crate) fn user_mut(&mut self, name: &str) -> Res<&mut UserRecord> {
        self.users
            .get_mut(&user_key(name))
            .ok_or_else(|| not_found(format!("the user {name} does not exist")))
    }

    pub(crate) fn has_user(&self, name: &str) -> bool {
        self.users.contains_key(&user_key(name))
    }

    fn check_registration(username: &str, password: &str) -> Res<()> {
        if username.is_empty() {
            return Err(illegal("Entity user requires a property named username"));
        }
        if !legal_username(username) {
            return Err(illegal(format!("username {username} is not legal")));
        }
        if password.is_empty() {
            return Err(illegal("password or pin must provided"));
        }
        Ok(())
    }

    fn insert_user(
        &mut self,
        username: &str,
        password: &str,
        nickname: Option<&str>,
        now: i64,
    ) -> UserRecord {
        let seq = self.next_seq();
        let user = UserRecord {
            seq,
            uuid: random_uuid(),
            username: user_key(username),
            password: password.to_owned(),
            nickname: nickname.map(str::to_owned),
            created: now,
            modified: now,
            activated: true,
            contacts: Vec::new(),
            blocked: Vec::new(),
            mutes: BTreeMap::new(),
        };
        self.users.insert(user.username.clone(), user.clone());
        user
    }

    /// Registers one user; 400 `duplicate_unique_property_exists` if the id is taken.
    pub(crate) fn register_user(
        &mut self,
        username: &str,
        password: &str,
        nickname: Option<&str>,
        now: i64,
    ) -> Res<UserRecord> {
        Self::check_registration(username, password)?;
        if self.has_user(username) {
            return Err(ServerError::new(
                400,
                ErrorCode::DuplicateUniquePropertyExists,
                format!(
                    "Application {} Entity user requires that property named username be unique, value of {} exists",
                    self.app,
                    user_key(username)
                ),
            ));
        }
        Ok(self.insert_user(username, password, nickname, now))
    }

    /// Registers several users: those created, and (id, reason) for each id that already
    /// existed, which the batch page answers in `data` while registering the others.
    pub(crate) fn register_users(
        &mut self,
        users: &[(String, String, Option<String>)],
        now: i64,
    ) -> Res<Registered> {
        for (username, password, _) in users {
            Self::check_registration(username, password)?;
        }
        let mut created = Vec::new();
        let mut failed = Vec::new();
        for (username, password, nickname) in users {
            if self.has_user(username) {
                failed.push((username.clone(), format!("the {username} already exists")));
            } else {
                created.push(self.insert_user(username, password, nickname.as_deref(), now));
            }
        }
        Ok((created, failed))
    }

    /// Users in registration order, a page at a time.
    pub(crate) fn list_users(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Res<(Vec<UserRecord>, Option<String>)> {
        let mut users: Vec<&UserRecord> = self.users.values().collect();
        users.sort_by_key(|u| u.seq);
        cursor_page(
            users.into_iter().map(|u| (u.seq, u.clone())),
            limit,
            cursor,
            false,
        )
    }

    /// Deletes a user with the groups and chat rooms it owns, and removes it from every
    /// list it is on.
    pub(crate) fn delete_user(&mut self, name: &str) -> Res<UserRecord> {
        let key = user_key(name);
        let user = self
            .users
            .remove(&key)
            .ok_or_else(|| not_found(format!("the user {name} does not exist")))?;
        let owned_groups: Vec<String> = self
            .groups
            .values()
            .filter(|g| g.roster.owner == key)
            .map(|g| g.id.clone())
            .collect();
        for id in owned_groups {
            self.remove_group(&id);
        }
        self.rooms.retain(|_, room| room.roster.owner != key);
        for group in self.groups.values_mut() {
            group.roster.forget(&key);
            group.member_attributes.remove(&key);
        }
        for room in self.rooms.values_mut() {
            room.roster.forget(&key);
            room.metadata
                .retain(|_, entry| !(entry.owner == key && entry.auto_delete));
        }
        for thread in self.threads.values_mut() {
            thread.members.retain(|m| *m != key);
        }
        self.super_admins.retain(|m| *m != key);
        for other in self.users.values_mut() {
            other.contacts.retain(|c| c.username != key);
            other.blocked.retain(|b| *b != key);
        }
        self.user_metadata.remove(&key);
        self.presence.remove(&key);
        for record in self.presence.values_mut() {
            record.subscriptions.remove(&key);
        }
        Ok(user)
    }

    /// Deletes up to `limit` users, oldest first from `cursor`; the cursor of what remains.
    pub(crate) fn delete_users(
        &mut self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Res<(Vec<UserRecord>, Option<String>)> {
        let (page, next) = self.list_users(limit, cursor)?;
        let mut deleted = Vec::new();
        for user in page {
            deleted.push(self.delete_user(&user.username)?);
        }
        Ok((deleted, next))
    }

    pub(crate) fn set_password(&mut self, name: &str, password: &str, now: i64) -> Res<()> {
        if password.is_empty() {
            return Err(illegal("newpassword is required"));
        }
        let user = self.user_mut(name)?;
        user.password = password.to_owned();
        user.modified = now;
        Ok(())
    }

    pub(crate) fn set_activated(
        &mut self,
        name: &str,
        activated: bool,
        now: i64,
    ) -> Res<UserRecord> {
        let user = self.user_mut(name)?;
        if user.activated != activated {
            user.activated = activated;
            user.modified = now;
        }
        Ok(user.clone())
    }

    pub(crate) fn set_nickname(&mut self, name: &str, nickname: &str, now: i64) -> Res<UserRecord> {
        let user = self.user_mut(name)?;
        user.nickname = Some(nickname.to_owned());
        user.modified = now;
        Ok(user.clone())
    }

    /// Makes two users friends (both ways); answers the friend.
    pub(crate) fn add_contact(&mut self, owner: &str, friend: &str) -> Res<UserRecord> {
        let (owner_key, friend_key) = (user_key(owner), user_key(friend));
        let friend_user = self.user(friend)?.clone();
        let owner_user = self.user(owner)?;
        if owner_key == friend_key {
            return Err(illegal("a user cannot add itself as a contact"));
        }
        if owner_user.contacts.iter().any(|c| c.username == friend_key) {
            return Ok(friend_user);
        }
        if owner_user.contacts.len() >= MAX_CONTACTS {
            return Err(ServerError::new(
                403,
                ErrorCode::ExceedLimit,
                "Inviter's contact max count",
            ));
        }
        if friend_user.contacts.len() >= MAX_CONTACTS {
            return Err(ServerError::new(
                403,
                ErrorCode::ExceedLimit,
                "Invitee's contact max count",
            ));
        }
        for (a, b) in [(&owner_key, &friend_key), (&friend_key, &owner_key)] {
            let user = self.users.get_mut(a).expect("checked above");
            if !user.contacts.iter().any(|c| c.username == *b) {
                user.contacts.push(Contact {
                    username: b.clone(),
                    remark: None,
                });
            }
        }
        Ok(friend_user)
    }

    /// Ends a friendship (both ways); answers the former friend.
    pub(crate) fn remove_contact(&mut self, owner: &str, friend: &str) -> Res<UserRecord> {
        let (owner_key, friend_key) = (user_key(owner), user_key(friend));
        let friend_user = self.user(friend)?.clone();
        let owner_user = self.user_mut(owner)?;
        let before = owner_user.contacts.len();
        owner_user.contacts.retain(|c| c.username != friend_key);
        if owner_user.contacts.len() == before {
            return Err(not_found(format!(
                "{friend_key} is not a contact of {owner_key}"
            )));
        }
        if let Some(user) = self.users.get_mut(&friend_key) {
            user.contacts.retain(|c| c.username != owner_key);
        }
        Ok(friend_user)
    }

    pub(crate) fn set_contact_remark(
        &mut self,
        owner: &str,
        friend: &str,
        remark: &str,
    ) -> Res<()> {
        let friend_key = user_key(friend);
        self.user(friend)?;
        let owner_user = self.user_mut(owner)?;
        let contact = owner_user
            .contacts
            .iter_mut()
            .find(|c| c.username == friend_key)
            .ok_or_else(|| {
                not_found(format!(
                    "{friend_key} is not a contact of {}",
                    user_key(owner)
                ))
            })?;
        contact.remark = Some(remark.to_owned());
        Ok(())
    }

    /// A page of a user's friends.
    pub(crate) fn list_contacts(
        &self,
        owner: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Res<(Vec<Contact>, Option<String>)> {
        let user = self.user(owner)?;
        cursor_page(
            user.contacts
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, c)| (i as u64, c)),
            limit,
            cursor,
            false,
        )
    }

    /// Adds users to a block list; answers the ids added.
    pub(crate) fn block_users(&mut self, owner: &str, names: &[String]) -> Res<Vec<String>> {
        let owner_key = user_key(owner);
        self.user(owner)?;
        let mut keys = Vec::new();
        for name in names {
            self.user(name)?;
            let key = user_key(name);
            if key == owner_key {
                return Err(illegal("a user cannot block itself"));
            }
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        let user = self.user_mut(owner)?;
        let new = keys.iter().filter(|k| !user.blocked.contains(k)).count();
        if user.blocked.len() + new > MAX_BLOCKED {
            return Err(ServerError::new(
                403,
                ErrorCode::ExceedLimit,
                "the block list holds at most 500 users",
            ));
        }
        for key in &keys {
            if !user.blocked.contains(key) {
                user.blocked.push(key.clone());
            }
        }
        Ok(keys)
    }

    /// A user's block list, newest first: all (at most 500) without `page_size` and
    /// `cursor`, else a page and the next cursor.
    pub(crate) fn list_blocked(
        &self,
        owner: &str,
        page_size: Option<i64>,
        cursor: Option<&str>,
    ) -> Res<(Vec<String>, Option<String>)> {
        let user = self.user(owner)?;
        let newest_first = user
            .blocked
            .iter()
            .rev()
            .cloned()
            .enumerate()
            .map(|(i, b)| (i as u64, b));
        if page_size.is_none() && cursor.is_none() {
            return Ok((
                newest_first.take(MAX_BLOCKED).map(|(_, b)| b).collect(),
                None,
            ));
        }
        cursor_page(
            newest_first,
            page_size.unwrap_or(50).clamp(1, 50) as usize,
            cursor,
            false,
        )
    }

    /// Takes a user off a block list; answers that user.
    pub(crate) fn unblock_user(&mut self, owner: &str, blocked: &str) -> Res<UserRecord> {
        let key = user_key(blocked);
        let blocked_user = self.user(blocked)?.clone();
        let user = self.user_mut(owner)?;
        let before = user.blocked.len();
        user.blocked.retain(|b| *b != key);
        if user.blocked.len() == before {
            return Err(not_found(format!(
                "{key} is not on the block list of {}",
                user.username
            )));
        }
        Ok(blocked_user)
    }

    /// Sets global mutes: per kind, seconds to mute, 0 to lift, -1 forever, `None` unchanged.
    pub(crate) fn set_global_mute(
        &mut self,
        name: &str,
        settings: [(GlobalMuteKind, Option<i64>); 3],
        now: i64,
    ) -> Res<()> {
        let user = self.user_mut(name)?;
        for (kind, seconds) in settings {
            match seconds {
                None => {}
                Some(0) => {
                    user.mutes.remove(&kind);
                }
                Some(s) if s < 0 => {
                    user.mutes.insert(kind, MuteUntil::Forever);
                }
                Some(s) => {
                    user.mutes.insert(kind, MuteUntil::At(now + s * 1000));
                }
            }
        }
        Ok(())
    }

    /// Seconds of mute left per kind (0 not muted, -1 forever).
    pub(crate) fn global_mute(&self, name: &str, now: i64) -> Res<[(GlobalMuteKind, i64); 3]> {
        let user = self.user(name)?;
        let left = |kind| {
            user.mutes
                .get(&kind)
                .and_then(|m: &MuteUntil| m.remaining_secs(now))
                .unwrap_or(0)
        };
        Ok([
            GlobalMuteKind::Chat,
            GlobalMuteKind::GroupChat,
            GlobalMuteKind::ChatRoom,
        ]
        .map(|k| (k, left(k))))
    }

    /// Every active global mute as (user, kind, seconds left), users in registration order.
    pub(crate) fn global_mutes(&self, now: i64) -> Vec<(String, GlobalMuteKind, i64)> {
        let mut users: Vec<&UserRecord> = self.users.values().collect();
        users.sort_by_key(|u| u.seq);
        users
            .into_iter()
            .flat_map(|u| {
                u.mutes.iter().filter_map(move |(kind, until)| {
                    until
                        .remaining_secs(now)
                        .map(|s| (u.username.clone(), *kind, s))
                })
            })
            .collect()
    }

    /// Whether `name` is globally muted for `kind` now.
    pub(crate) fn is_globally_muted(&self, name: &str, kind: GlobalMuteKind, now: i64) -> bool {
        self.users
            .get(&user_key(name))
            .and_then(|u| u.mutes.get(&kind))
            .is_some_and(|m| m.remaining_secs(now).is_some())
    }

    /// Sets some attributes of a user, keeping the others; answers all of them.
    pub(crate) fn set_user_metadata(
        &mut self,
        name: &str,
        values: &BTreeMap<String, String>,
    ) -> Res<BTreeMap<String, String>> {
        let key = user_key(name);
        self.user(name)?;
        let mut merged = self.user_metadata.get(&key).cloned().unwrap_or_default();
        merged.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        let size: usize = merged.iter().map(|(k, v)| k.len() + v.len()).sum();
        if size > MAX_METADATA_BYTES {
            return Err(illegal(format!(
                "the attributes of {key} would take {size} bytes; at most {MAX_METADATA_BYTES} are allowed"
            )));
        }
        self.user_metadata.insert(key, merged.clone());
        Ok(merged)
    }

    /// A user's attributes; empty for unknown users, as the batch query answers.
    pub(crate) fn user_metadata(&self, name: &str) -> BTreeMap<String, String> {
        self.user_metadata
            .get(&user_key(name))
            .cloned()
            .unwrap_or_default()
    }

    /// Removes all attributes of a user; whether there were any.
    pub(crate) fn delete_user_metadata(&mut self, name: &str) -> Res<bool> {
        self.user(name)?;
        Ok(self.user_metadata.remove(&user_key(name)).is_some())
    }

    /// Bytes used by all user attributes of the app.
    pub(crate) fn metadata_bytes(&self) -> usize {
        self.user_metadata
            .values()
            .flat_map(|m| m.iter())
            .map(|(k, v)| k.len() + v.len())
            .sum()
    }

    /// Checks a password grant; 400 `invalid_grant` for a wrong id or password, 401 for a
    /// banned account.
    pub(crate) fn check_password(&self, name: &str, password: &str) -> Res<UserRecord> {
        let invalid =
            || ServerError::new(400, ErrorCode::InvalidGrant, "invalid username or password");
        let user = self.users.get(&user_key(name)).ok_or_else(invalid)?;
        if user.password != password {
            return Err(invalid());
        }
        if !user.activated {
            return Err(ServerError::unauthorized(format!(
                "the user {} is deactivated",
                user.username
            )));
        }
        Ok(user.clone())
    }
}
