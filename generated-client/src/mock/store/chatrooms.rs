//! Chat rooms: settings, people (see `roster`), announcement, custom attributes and the
//! app's super admins (chatroom.md).

use std::collections::BTreeMap;

use super::groups::{batch, check_mute_duration, MAX_BATCH};
use super::roster::Roster;
use super::{forbidden, illegal, not_found, user_key, Res, Tenant, UserOutcome};

/// Users a batch removal takes (chatroom.md).
const MAX_REMOVE: usize = 100;
/// Characters of an announcement.
const MAX_ANNOUNCEMENT: usize = 512;
/// Attributes per request, per room, and the size of keys and values (chatroom.md).
const MAX_METADATA_PER_REQUEST: usize = 10;
const MAX_METADATA_PER_ROOM: usize = 100;
const MAX_METADATA_KEY: usize = 128;
const MAX_METADATA_VALUE: usize = 4096;

/// A chat room.
#[derive(Debug, Clone)]
pub(crate) struct Room {
    pub(crate) id: String,
    pub(crate) seq: u64,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) custom: String,
    pub(crate) roster: Roster,
    pub(crate) announcement: String,
    pub(crate) created: i64,
    pub(crate) metadata: BTreeMap<String, RoomMetadataEntry>,
    /// Whether a message was ever sent to it (broadcasts go to rooms with members that
    /// have seen a message).
    pub(crate) had_message: bool,
}

/// The settings of a new chat room.
#[derive(Debug, Clone, Default)]
pub(crate) struct RoomSettings {
    pub(crate) name: String,
    pub(crate) description: String,
    /// Members including the owner; 10,000 when left out.
    pub(crate) max_users: Option<i64>,
    pub(crate) custom: Option<String>,
}

/// One custom attribute of a chat room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RoomMetadataEntry {
    pub(crate) value: String,
    /// The user who set it; only they can change or delete it without forcing.
    pub(crate) owner: String,
    /// Deleted when the owner leaves the room.
    pub(crate) auto_delete: bool,
}

/// Per key: `Ok` when done, `Err` with the reason.
pub(crate) type KeyOutcomes = Vec<(String, Result<(), String>)>;

impl Tenant {
    /// The chat room `id`; 404 if it does not exist.
    pub(crate) fn room(&self, id: &str) -> Res<&Room> {
        self.rooms
            .get(id)
            .ok_or_else(|| not_found(format!("the chat room {id} does not exist")))
    }

    pub(crate) fn room_mut(&mut self, id: &str) -> Res<&mut Room> {
        self.rooms
            .get_mut(id)
            .ok_or_else(|| not_found(format!("the chat room {id} does not exist")))
    }

    /// Creates a chat room; answers its id.
    pub(crate) fn create_room(
        &mut self,
        settings: RoomSettings,
        owner: &str,
        members: &[String],
        now: i64,
    ) -> Res<String> {
        self.user(owner)?;
        let owner = user_key(owner);
        let members = self.existing_users(members, "chatroom member")?;
        let max_users = settings.max_users.unwrap_or(10_000);
        let id = self.next_numeric_id();
        let roster = Roster::new("chatroom", &id, owner, members, max_users);
        if roster.member_count() as i64 > max_users {
            return Err(forbidden(format!(
                "the chat room can hold {max_users} members, not {}",
                roster.member_count()
            )));
        }
        let seq = self.next_seq();
        let room = Room {
            id: id.clone(),
            seq,
            name: settings.name,
            description: settings.description,
            custom: settings.custom.unwrap_or_default(),
            roster,
            announcement: String::new(),
            created: now,
            metadata: BTreeMap::new(),
            had_message: false,
        };
        self.rooms.insert(id.clone(), room);
        Ok(id)
    }

    pub(crate) fn update_room(
        &mut self,
        id: &str,
        name: &str,
        description: &str,
        max_users: i64,
    ) -> Res<()> {
        let room = self.room_mut(id)?;
        if max_users < room.roster.member_count() as i64 {
            return Err(forbidden(format!(
                "the chat room has {} members, more than maxusers {max_users}",
                room.roster.member_count()
            )));
        }
        room.name = name.to_owned();
        room.description = description.to_owned();
        room.roster.max_members = max_users;
        Ok(())
    }

    pub(crate) fn delete_room(&mut self, id: &str) -> Res<Room> {
        self.rooms
            .remove(id)
            .ok_or_else(|| not_found(format!("the chat room {id} does not exist")))
    }

    /// The app's chat rooms, oldest first, a page at a time.
    pub(crate) fn list_rooms(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Res<(Vec<Room>, Option<String>)> {
        let mut rooms: Vec<&Room> = self.rooms.values().collect();
        rooms.sort_by_key(|r| r.seq);
        super::cursor_page(
            rooms.into_iter().map(|r| (r.seq, r.clone())),
            limit,
            cursor,
            false,
        )
    }

    /// The rooms `user` owns or belongs to, most recently created first.
    pub(crate) fn user_rooms(&self, user: &str) -> Res<Vec<Room>> {
        self.user(user)?;
        let key = user_key(user);
        let mut rooms: Vec<Room> = self
            .rooms
            .values()
            .filter(|r| r.roster.is_member(&key))
            .cloned()
            .collect();
        rooms.sort_by_key(|r| std::cmp::Reverse(r.seq));
        Ok(rooms)
    }

    pub(crate) fn set_room_announcement(&mut self, id: &str, text: &str) -> Res<()> {
        if text.chars().count() > MAX_ANNOUNCEMENT {
            return Err(illegal(format!(
                "an announcement has at most {MAX_ANNOUNCEMENT} characters"
            )));
        }
        self.room_mut(id)?.announcement = text.to_owned();
        Ok(())
    }

    pub(crate) fn add_room_member(&mut self, id: &str, user: &str) -> Res<String> {
        self.room(id)?;
        self.user(user)?;
        let key = user_key(user);
        self.room_mut(id)?
            .roster
            .join(std::slice::from_ref(&key))
            .map_err(forbidden)?;
        Ok(key)
    }

    /// Adds members, skipping those already in; 403 when all of them are.
    pub(crate) fn add_room_members(&mut self, id: &str, users: &[String]) -> Res<Vec<String>> {
        if users.len() > MAX_BATCH {
            return Err(illegal(format!(
                "at most {MAX_BATCH} users per request, not {}",
                users.len()
            )));
        }
        self.room(id)?;
        let keys = self.existing_users(users, "chatroom member")?;
        let room = self.room_mut(id)?;
        let new: Vec<String> = keys
            .into_iter()
            .filter(|k| !room.roster.is_member(k))
            .collect();
        if new.is_empty() {
            return Err(forbidden(format!(
                "can not join this chatroom, reason:all users are already in chatroom: {id}"
            )));
        }
        room.roster.join(&new).map_err(forbidden)?;
        Ok(new)
    }

    fn after_room_leave(&mut self, id: &str, user: &str) {
        if let Some(room) = self.rooms.get_mut(id) {
            room.metadata
                .retain(|_, entry| !(entry.owner == user && entry.auto_delete));
        }
    }

    pub(crate) fn remove_room_member(&mut self, id: &str, user: &str) -> Res<String> {
        let key = self.room_roster_op(id, user, |r, u| r.leave(u))?;
        self.after_room_leave(id, &key);
        Ok(key)
    }

    pub(crate) fn remove_room_members(
        &mut self,
        id: &str,
        users: &[String],
    ) -> Res<Vec<UserOutcome>> {
        if users.len() > MAX_REMOVE {
            return Err(illegal(format!(
                "at most {MAX_REMOVE} users per request, not {}",
                users.len()
            )));
        }
        let room = self.room_mut(id)?;
        let outcomes: Vec<UserOutcome> = users
            .iter()
            .map(|u| {
                let key = user_key(u);
                let outcome = room.roster.leave(&key);
                (key, outcome)
            })
            .collect();
        for (user, outcome) in &outcomes {
            if outcome.is_ok() {
                self.after_room_leave(id, user);
            }
        }
        Ok(outcomes)
    }

    /// Applies a roster change to one user of a room: 403 with the reason if refused.
    pub(crate) fn room_roster_op(
        &mut self,
        id: &str,
        user: &str,
        op: impl FnOnce(&mut Roster, &str) -> Result<(), String>,
    ) -> Res<String> {
        let key = user_key(user);
        op(&mut self.room_mut(id)?.roster, &key).map_err(forbidden)?;
        Ok(key)
    }

    /// Applies a roster change to each user of a batch.
    pub(crate) fn room_roster_batch(
        &mut self,
        id: &str,
        users: &[String],
        op: impl FnMut(&mut Roster, &str) -> Result<(), String>,
    ) -> Res<Vec<UserOutcome>> {
        batch(&mut self.room_mut(id)?.roster, users, op)
    }

    /// Blocks members of a room: they leave and cannot join again until unblocked.
    pub(crate) fn block_room_users(&mut self, id: &str, users: &[String]) -> Res<Vec<UserOutcome>> {
        let outcomes = self.room_roster_batch(id, users, |r, u| r.block(u))?;
        for (user, outcome) in &outcomes {
            if outcome.is_ok() {
                self.after_room_leave(id, user);
            }
        }
        Ok(outcomes)
    }

    /// Mutes members for `duration_ms` (-1: forever); per user, the end (-1 forever) or why not.
    pub(crate) fn mute_room_members(
        &mut self,
        id: &str,
        users: &[String],
        duration_ms: i64,
        now: i64,
    ) -> Res<Vec<(String, Result<i64, String>)>> {
        check_mute_duration(users, duration_ms)?;
        let roster = &mut self.room_mut(id)?.roster;
        Ok(users
            .iter()
            .map(|u| (user_key(u), roster.mute(&user_key(u), duration_ms, now)))
            .collect())
    }

    /// Adds an app super admin (who may create chat rooms).
    pub(crate) fn add_super_admin(&mut self, user: &str) -> Res<String> {
        self.user(user)?;
        let key = user_key(user);
        if self.super_admins.contains(&key) {
            return Err(forbidden(format!("user {key} is already a super admin")));
        }
        self.super_admins.push(key.clone());
        Ok(key)
    }

    pub(crate) fn remove_super_admin(&mut self, user: &str) -> Res<String> {
        let key = user_key(user);
        if !self.super_admins.contains(&key) {
            return Err(not_found(format!("{key} is not a super admin")));
        }
        self.super_admins.retain(|s| *s != key);
        Ok(key)
    }

    /// Sets custom attributes of a room as `user`: without `force`, keys another user set are
    /// refused; per key, done or why not.
    pub(crate) fn set_room_metadata(
        &mut self,
        id: &str,
        user: &str,
        values: &BTreeMap<String, String>,
        auto_delete: bool,
        force: bool,
    ) -> Res<KeyOutcomes> {
        if values.is_empty() || values.len() > MAX_METADATA_PER_REQUEST {
            return Err(illegal(format!(
                "metaData holds 1 to {MAX_METADATA_PER_REQUEST} attributes, not {}",
                values.len()
            )));
        }
        self.user(user)?;
        let key = user_key(user);
        let room = self.room_mut(id)?;
        if !room.roster.is_member(&key) {
            return Err(forbidden(room.roster.not_in(&key)));
        }
        let mut outcomes = Vec::new();
        for (name, value) in values {
            let outcome = if name.is_empty()
                || name.len() > MAX_METADATA_KEY
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            {
                Err(format!("the key must be 1 to {MAX_METADATA_KEY} characters of a-z, A-Z, 0-9, _, - and ."))
            } else if value.chars().count() > MAX_METADATA_VALUE {
                Err(format!(
                    "the value has more than {MAX_METADATA_VALUE} characters"
                ))
            } else if room.metadata.get(name).is_some_and(|e| e.owner != key) && !force {
                Err("the key was set by another user".to_owned())
            } else if !room.metadata.contains_key(name)
                && room.metadata.len() >= MAX_METADATA_PER_ROOM
            {
                Err(format!(
                    "a chat room has at most {MAX_METADATA_PER_ROOM} attributes"
                ))
            } else {
                room.metadata.insert(
                    name.clone(),
                    RoomMetadataEntry {
                        value: value.clone(),
                        owner: key.clone(),
                        auto_delete,
                    },
                );
                Ok(())
            };
            outcomes.push((name.clone(), outcome));
        }
        Ok(outcomes)
    }

    /// Deletes custom attributes of a room as `user` (all of theirs when `keys` is empty):
    /// without `force`, keys another user set are refused.
    pub(crate) fn delete_room_metadata(
        &mut self,
        id: &str,
        user: &str,
        keys: &[String],
        force: bool,
    ) -> Res<KeyOutcomes> {
        if keys.len() > MAX_METADATA_PER_REQUEST {
            return Err(illegal(format!(
                "at most {MAX_METADATA_PER_REQUEST} keys per request, not {}",
                keys.len()
            )));
        }
        let key = user_key(user);
        let room = self.room_mut(id)?;
        let keys: Vec<String> = if keys.is_empty() {
            room.metadata
                .iter()
                .filter(|(_, e)| e.owner == key)
                .map(|(k, _)| k.clone())
                .collect()
        } else {
            keys.to_vec()
        };
        Ok(keys
            .into_iter()
            .map(|name| {
                let outcome = match room.metadata.get(&name) {
                    None => Err("the key does not exist".to_owned()),
                    Some(entry) if entry.owner != key && !force => {
                        Err("the key was set by another user".to_owned())
                    }
                    Some(_) => {
                        room.metadata.remove(&name);
                        Ok(())
                    }
                };
                (name, outcome)
            })
            .collect())
    }

    /// A room's custom attributes; only `keys` when given.
    pub(crate) fn room_metadata(&self, id: &str, keys: &[String]) -> Res<BTreeMap<String, String>> {
        let room = self.room(id)?;
        Ok(room
            .metadata
            .iter()
            .filter(|(k, _)| keys.is_empty() || keys.contains(k))
            .map(|(k, e)| (k.clone(), e.value.clone()))
            .collect())
    }
}
