//! Who is in a group or chat room and in which role: owner, members, admins, block list,
//! white list (allow list) and mutes. The rules are the same for both (group.md,
//! chatroom.md); answers name the kind of conversation as the server's messages do.

use std::collections::BTreeMap;

use super::MuteUntil;

/// Admins besides the owner (owner and admins together at most 100).
const MAX_ADMINS: usize = 99;

/// The people of one group or chat room. Every name is a user key.
#[derive(Debug, Clone)]
pub(crate) struct Roster {
    /// `group` or `chatroom`, for messages.
    pub(crate) kind: &'static str,
    /// The group or chat room id, for messages.
    pub(crate) id: String,
    pub(crate) owner: String,
    /// Members other than the owner, in the order they joined.
    pub(crate) members: Vec<String>,
    pub(crate) admins: Vec<String>,
    pub(crate) blocked: Vec<String>,
    /// Members who may speak while everyone is muted.
    pub(crate) allowed: Vec<String>,
    pub(crate) mutes: BTreeMap<String, MuteUntil>,
    pub(crate) mute_all: bool,
    /// Members including the owner.
    pub(crate) max_members: i64,
}

impl Roster {
    pub(crate) fn new(
        kind: &'static str,
        id: &str,
        owner: String,
        members: Vec<String>,
        max_members: i64,
    ) -> Roster {
        Roster {
            kind,
            id: id.to_owned(),
            members: members.into_iter().filter(|m| *m != owner).collect(),
            owner,
            admins: Vec::new(),
            blocked: Vec::new(),
            allowed: Vec::new(),
            mutes: BTreeMap::new(),
            mute_all: false,
            max_members,
        }
    }

    /// Whether `user` is the owner or a member.
    pub(crate) fn is_member(&self, user: &str) -> bool {
        self.owner == user || self.members.iter().any(|m| m == user)
    }

    /// Members including the owner.
    pub(crate) fn member_count(&self) -> usize {
        self.members.len() + 1
    }

    /// (is owner, user) for the owner then every member.
    pub(crate) fn affiliations(&self) -> Vec<(bool, String)> {
        std::iter::once((true, self.owner.clone()))
            .chain(self.members.iter().map(|m| (false, m.clone())))
            .collect()
    }

    /// Whether `user` may not speak now: muted, or everyone muted and `user` neither
    /// owner, admin nor allowed.
    pub(crate) fn is_silenced(&self, user: &str, now: i64) -> bool {
        let muted = self
            .mutes
            .get(user)
            .is_some_and(|m| m.remaining_secs(now).is_some());
        let privileged = self.owner == user
            || self.admins.iter().any(|a| a == user)
            || self.allowed.iter().any(|a| a == user);
        muted || (self.mute_all && !privileged)
    }

    pub(crate) fn is_blocked(&self, user: &str) -> bool {
        self.blocked.iter().any(|b| b == user)
    }

    pub(crate) fn not_in(&self, user: &str) -> String {
        format!("user: {user} doesn't exist in {}: {}", self.kind, self.id)
    }

    /// Removes every trace of `user` but ownership.
    pub(crate) fn forget(&mut self, user: &str) {
        self.remove_membership(user);
        self.blocked.retain(|m| m != user);
    }

    fn remove_membership(&mut self, user: &str) {
        self.members.retain(|m| m != user);
        self.admins.retain(|m| m != user);
        self.allowed.retain(|m| m != user);
        self.mutes.remove(user);
    }

    /// Checks that `users` (not yet members) may join.
    pub(crate) fn check_join(&self, users: &[String]) -> Result<(), String> {
        for user in users {
            if self.is_member(user) {
                return Err(format!(
                    "can not join this {}, reason:user: {user} already in {}: {}",
                    self.kind, self.kind, self.id
                ));
            }
            if self.is_blocked(user) {
                return Err(format!(
                    "can not join this {}, reason:user: {user} is blocked in {}: {}",
                    self.kind, self.kind, self.id
                ));
            }
        }
        if (self.member_count() + users.len()) as i64 > self.max_members {
            return Err(format!(
                "can not join this {}, reason:{} {} is full",
                self.kind, self.kind, self.id
            ));
        }
        Ok(())
    }

    pub(crate) fn join(&mut self, users: &[String]) -> Result<(), String> {
        self.check_join(users)?;
        self.members.extend(users.iter().cloned());
        Ok(())
    }

    pub(crate) fn leave(&mut self, user: &str) -> Result<(), String> {
        if self.owner == user {
            return Err(format!("forbidden operation on {} owner!", self.kind));
        }
        if !self.members.iter().any(|m| m == user) {
            return Err(format!(
                "users [{user}] are not members of this {}!",
                self.kind
            ));
        }
        self.remove_membership(user);
        Ok(())
    }

    pub(crate) fn add_admin(&mut self, user: &str) -> Result<(), String> {
        if self.owner == user {
            return Err(format!("forbidden operation on {} owner!", self.kind));
        }
        if !self.is_member(user) {
            return Err(self.not_in(user));
        }
        if self.admins.iter().any(|a| a == user) {
            return Err(format!(
                "user {user} is already an admin of {}: {}",
                self.kind, self.id
            ));
        }
        if self.admins.len() >= MAX_ADMINS {
            return Err(format!("a {} has at most {MAX_ADMINS} admins", self.kind));
        }
        self.admins.push(user.to_owned());
        Ok(())
    }

    pub(crate) fn remove_admin(&mut self, user: &str) -> Result<(), String> {
        if !self.admins.iter().any(|a| a == user) {
            return Err(format!(
                "user {user} is not an admin of {}: {}",
                self.kind, self.id
            ));
        }
        self.admins.retain(|a| a != user);
        Ok(())
    }

    /// Makes a member the owner; the old owner stays as a member.
    pub(crate) fn transfer(&mut self, user: &str) -> Result<(), String> {
        if self.owner == user {
            return Err("new owner and old owner are the same".into());
        }
        if !self.members.iter().any(|m| m == user) {
            return Err(self.not_in(user));
        }
        let old = std::mem::replace(&mut self.owner, user.to_owned());
        self.remove_membership(user);
        self.members.insert(0, old);
        Ok(())
    }

    /// Blocks a member: it leaves and cannot join again until unblocked.
    pub(crate) fn block(&mut self, user: &str) -> Result<(), String> {
        if self.owner == user {
            return Err(format!("forbidden operation on {} owner!", self.kind));
        }
        if !self.members.iter().any(|m| m == user) {
            return Err(self.not_in(user));
        }
        self.remove_membership(user);
        self.blocked.push(user.to_owned());
        Ok(())
    }

    pub(crate) fn unblock(&mut self, user: &str) -> Result<(), String> {
        if !self.is_blocked(user) {
            return Err(format!(
                "user: {user} is not in the block list of {}: {}",
                self.kind, self.id
            ));
        }
        self.blocked.retain(|b| b != user);
        Ok(())
    }

    pub(crate) fn allow(&mut self, user: &str) -> Result<(), String> {
        if !self.is_member(user) {
            return Err(self.not_in(user));
        }
        if !self.allowed.iter().any(|a| a == user) {
            self.allowed.push(user.to_owned());
        }
        Ok(())
    }

    pub(crate) fn disallow(&mut self, user: &str) -> Result<(), String> {
        if !self.allowed.iter().any(|a| a == user) {
            return Err(format!(
                "user: {user} is not in the white list of {}: {}",
                self.kind, self.id
            ));
        }
        self.allowed.retain(|a| a != user);
        Ok(())
    }

    /// Mutes a member for `duration_ms` (-1: forever); the end in Unix ms, or -1.
    pub(crate) fn mute(&mut self, user: &str, duration_ms: i64, now: i64) -> Result<i64, String> {
        if !self.is_member(user) {
            return Err(self.not_in(user));
        }
        if duration_ms < 0 {
            self.mutes.insert(user.to_owned(), MuteUntil::Forever);
            Ok(-1)
        } else {
            self.mutes
                .insert(user.to_owned(), MuteUntil::At(now + duration_ms));
            Ok(now + duration_ms)
        }
    }

    pub(crate) fn unmute(&mut self, user: &str) -> Result<(), String> {
        self.mutes
            .remove(user)
            .map(|_| ())
            .ok_or_else(|| format!("user: {user} is not muted in {}: {}", self.kind, self.id))
    }

    /// Active mutes: (user, end in Unix ms or -1).
    pub(crate) fn active_mutes(&self, now: i64) -> Vec<(String, i64)> {
        self.mutes
            .iter()
            .filter(|(_, until)| until.remaining_secs(now).is_some())
            .map(|(user, until)| {
                let end = match until {
                    MuteUntil::Forever => -1,
                    MuteUntil::At(at) => *at,
                };
                (user.clone(), end)
            })
            .collect()
    }
}
