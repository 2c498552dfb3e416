//! Groups: settings, people (see `roster`), announcement, shared files and member
//! attributes (group.md).

use std::collections::BTreeMap;

use bytes::Bytes;

use crate::models::ErrorCode;
use crate::server::ServerError;

use super::roster::Roster;
use super::{forbidden, illegal, not_found, user_key, Res, Tenant};

/// Users per batch request (group.md).
pub(crate) const MAX_BATCH: usize = 60;
/// Characters of an announcement (group.md).
const MAX_ANNOUNCEMENT: usize = 512;
/// Bytes of a shared file (group.md: 10 MB).
const MAX_SHARE_FILE: usize = 10 * 1024 * 1024;

/// A group.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) id: String,
    pub(crate) seq: u64,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) public: bool,
    pub(crate) allow_invites: bool,
    pub(crate) members_only: bool,
    pub(crate) invite_need_confirm: bool,
    pub(crate) custom: String,
    pub(crate) roster: Roster,
    pub(crate) disabled: bool,
    pub(crate) announcement: String,
    pub(crate) created: i64,
    pub(crate) modified: i64,
    pub(crate) files: Vec<GroupFile>,
    pub(crate) member_attributes: BTreeMap<String, BTreeMap<String, String>>,
}

/// A file shared in a group.
#[derive(Debug, Clone)]
pub(crate) struct GroupFile {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) owner: String,
    pub(crate) created: i64,
    pub(crate) content_type: String,
    pub(crate) data: Bytes,
}

/// The settings of a new group.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupSettings {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) public: bool,
    pub(crate) large: bool,
    pub(crate) max_users: Option<i64>,
    pub(crate) allow_invites: Option<bool>,
    pub(crate) members_only: Option<bool>,
    pub(crate) invite_need_confirm: Option<bool>,
    pub(crate) custom: Option<String>,
}

/// What an update changes; `None` keeps the setting.
#[derive(Debug, Clone, Default)]
pub(crate) struct GroupChanges {
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) max_users: Option<i64>,
    pub(crate) members_only: Option<bool>,
    pub(crate) allow_invites: Option<bool>,
    pub(crate) invite_need_confirm: Option<bool>,
    pub(crate) custom: Option<String>,
    pub(crate) public: Option<bool>,
}

/// The outcome of a batch request for one user: `Err` holds the reason.
pub(crate) type UserOutcome = (String, Result<(), String>);

/// Applies `op` to each user of a batch; checks the batch size.
pub(crate) fn batch(
    roster: &mut Roster,
    users: &[String],
    mut op: impl FnMut(&mut Roster, &str) -> Result<(), String>,
) -> Res<Vec<UserOutcome>> {
    if users.len() > MAX_BATCH {
        return Err(illegal(format!(
            "at most {MAX_BATCH} users per request, not {}",
            users.len()
        )));
    }
    Ok(users
        .iter()
        .map(|u| {
            let key = user_key(u);
            let outcome = op(roster, &key);
            (key, outcome)
        })
        .collect())
}

impl Tenant {
    /// The group `id`; 404 if it does not exist.
    pub(crate) fn group(&self, id: &str) -> Res<&Group> {
        self.groups
            .get(id)
            .ok_or_else(|| not_found(format!("the group {id} does not exist")))
    }

    fn group_mut(&mut self, id: &str) -> Res<&mut Group> {
        self.groups
            .get_mut(id)
            .ok_or_else(|| not_found(format!("the group {id} does not exist")))
    }

    /// The group `id` for a change: 404 if it does not exist, 403 while disabled.
    fn group_for_change(&mut self, id: &str) -> Res<&mut Group> {
        let group = self.group_mut(id)?;
        if group.disabled {
            return Err(forbidden(format!("the group {id} is disabled")));
        }
        Ok(group)
    }

    /// The keys of `names`, each a registered user; 400 naming the first that is not.
    pub(crate) fn existing_users(&self, names: &[String], what: &str) -> Res<Vec<String>> {
        let mut keys: Vec<String> = Vec::new();
        for name in names {
            if !self.has_user(name) {
                return Err(illegal(format!("{what} {name} doesn't exist")));
            }
            let key = user_key(name);
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// Creates a group; answers its id.
    pub(crate) fn create_group(
        &mut self,
        settings: GroupSettings,
        owner: &str,
        members: &[String],
        now: i64,
    ) -> Res<String> {
        self.user(owner)?;
        let owner = user_key(owner);
        let members = self.existing_users(members, "group member")?;
        let max_users = settings
            .max_users
            .unwrap_or(if settings.large { 1000 } else { 200 });
        let id = self.next_numeric_id();
        let roster = Roster::new("group", &id, owner, members, max_users);
        if roster.member_count() as i64 > max_users {
            return Err(forbidden(format!(
                "the group can hold {max_users} members, not {}",
                roster.member_count()
            )));
        }
        let seq = self.next_seq();
        let group = Group {
            id: id.clone(),
            seq,
            name: settings.name.unwrap_or_default(),
            description: settings.description.unwrap_or_default(),
            public: settings.public,
            allow_invites: settings.allow_invites.unwrap_or(false),
            members_only: settings.members_only.unwrap_or(false),
            invite_need_confirm: settings.invite_need_confirm.unwrap_or(true),
            custom: settings.custom.unwrap_or_default(),
            roster,
            disabled: false,
            announcement: String::new(),
            created: now,
            modified: now,
            files: Vec::new(),
            member_attributes: BTreeMap::new(),
        };
        self.groups.insert(id.clone(), group);
        Ok(id)
    }

    /// Changes a group's settings; answers the names of the fields the request set.
    pub(crate) fn update_group(
        &mut self,
        id: &str,
        changes: GroupChanges,
        now: i64,
    ) -> Res<Vec<&'static str>> {
        let group = self.group_for_change(id)?;
        let mut set = Vec::new();
        if let Some(max) = changes.max_users {
            if max < group.roster.member_count() as i64 {
                return Err(forbidden(format!(
                    "the group has {} members, more than maxusers {max}",
                    group.roster.member_count()
                )));
            }
            group.roster.max_members = max;
            set.push("maxusers");
        }
        macro_rules! apply {
            ($($field:ident => $target:ident, $name:literal;)*) => {$(
                if let Some(value) = changes.$field {
                    group.$target = value;
                    set.push($name);
                }
            )*};
        }
        apply! {
            name => name, "groupname";
            description => description, "description";
            members_only => members_only, "membersonly";
            allow_invites => allow_invites, "allowinvites";
            invite_need_confirm => invite_need_confirm, "invite_need_confirm";
            custom => custom, "custom";
            public => public, "public";
        }
        group.modified = now;
        Ok(set)
    }

    /// Deletes a group and its threads.
    pub(crate) fn remove_group(&mut self, id: &str) -> Option<Group> {
        let group = self.groups.remove(id)?;
        self.threads.retain(|_, t| t.group_id != id);
        Some(group)
    }

    pub(crate) fn delete_group(&mut self, id: &str) -> Res<Group> {
        self.remove_group(id)
            .ok_or_else(|| not_found(format!("the group {id} does not exist")))
    }

    pub(crate) fn set_group_disabled(&mut self, id: &str, disabled: bool) -> Res<()> {
        self.group_mut(id)?.disabled = disabled;
        Ok(())
    }

    /// The app's groups, newest first, a page at a time.
    pub(crate) fn list_groups(
        &self,
        limit: usize,
        cursor: Option<&str>,
    ) -> Res<(Vec<Group>, Option<String>)> {
        let mut groups: Vec<&Group> = self.groups.values().collect();
        groups.sort_by_key(|g| std::cmp::Reverse(g.seq));
        super::cursor_page(
            groups.into_iter().map(|g| (g.seq, g.clone())),
            limit,
            cursor,
            true,
        )
    }

    /// The groups `user` owns or belongs to, oldest first.
    pub(crate) fn user_groups(&self, user: &str) -> Res<Vec<Group>> {
        self.user(user)?;
        let key = user_key(user);
        let mut groups: Vec<Group> = self
            .groups
            .values()
            .filter(|g| g.roster.is_member(&key))
            .cloned()
            .collect();
        groups.sort_by_key(|g| g.seq);
        Ok(groups)
    }

    pub(crate) fn set_group_announcement(&mut self, id: &str, text: &str) -> Res<()> {
        if text.chars().count() > MAX_ANNOUNCEMENT {
            return Err(illegal(format!(
                "an announcement has at most {MAX_ANNOUNCEMENT} characters"
            )));
        }
        self.group_for_change(id)?.announcement = text.to_owned();
        Ok(())
    }

    /// Adds a shared file; answers it.
    pub(crate) fn add_group_file(
        &mut self,
        id: &str,
        name: &str,
        content_type: String,
        data: Bytes,
        now: i64,
    ) -> Res<GroupFile> {
        if data.len() > MAX_SHARE_FILE {
            return Err(ServerError::new(
                413,
                ErrorCode::RequestEntityTooLarge,
                "a shared file has at most 10 MB",
            ));
        }
        let file_id = super::random_uuid();
        let group = self.group_for_change(id)?;
        let owner = group.roster.owner.clone();
        let file = GroupFile {
            id: file_id,
            name: name.to_owned(),
            owner,
            created: now,
            content_type,
            data,
        };
        group.files.push(file.clone());
        Ok(file)
    }

    pub(crate) fn group_file(&self, id: &str, file_id: &str) -> Res<&GroupFile> {
        self.group(id)?
            .files
            .iter()
            .find(|f| f.id == file_id)
            .ok_or_else(|| not_found(format!("the file {file_id} does not exist in group {id}")))
    }

    pub(crate) fn delete_group_file(&mut self, id: &str, file_id: &str) -> Res<()> {
        let group = self.group_for_change(id)?;
        let before = group.files.len();
        group.files.retain(|f| f.id != file_id);
        if group.files.len() == before {
            return Err(not_found(format!(
                "the file {file_id} does not exist in group {id}"
            )));
        }
        Ok(())
    }

    /// Adds one member; answers its key.
    pub(crate) fn add_group_member(&mut self, id: &str, user: &str) -> Res<String> {
        self.group(id)?;
        self.user(user)?;
        let key = user_key(user);
        self.group_for_change(id)?
            .roster
            .join(std::slice::from_ref(&key))
            .map_err(forbidden)?;
        Ok(key)
    }

    /// Adds members, skipping those already in; 403 when all of them are.
    pub(crate) fn add_group_members(&mut self, id: &str, users: &[String]) -> Res<Vec<String>> {
        if users.len() > MAX_BATCH {
            return Err(illegal(format!(
                "at most {MAX_BATCH} users per request, not {}",
                users.len()
            )));
        }
        self.group(id)?;
        let keys = self.existing_users(users, "group member")?;
        let group = self.group_for_change(id)?;
        let new: Vec<String> = keys
            .into_iter()
            .filter(|k| !group.roster.is_member(k))
            .collect();
        if new.is_empty() {
            return Err(forbidden(format!(
                "can not join this group, reason:all users are already in group: {id}"
            )));
        }
        group.roster.join(&new).map_err(forbidden)?;
        Ok(new)
    }

    fn after_group_leave(&mut self, id: &str, user: &str) {
        if let Some(group) = self.groups.get_mut(id) {
            group.member_attributes.remove(user);
        }
        for thread in self.threads.values_mut().filter(|t| t.group_id == id) {
            thread.members.retain(|m| m != user);
        }
    }

    pub(crate) fn remove_group_member(&mut self, id: &str, user: &str) -> Res<String> {
        let key = user_key(user);
        self.group_for_change(id)?
            .roster
            .leave(&key)
            .map_err(forbidden)?;
        self.after_group_leave(id, &key);
        Ok(key)
    }

    pub(crate) fn remove_group_members(
        &mut self,
        id: &str,
        users: &[String],
    ) -> Res<Vec<UserOutcome>> {
        let outcomes = batch(&mut self.group_for_change(id)?.roster, users, |r, u| {
            r.leave(u)
        })?;
        for (user, outcome) in &outcomes {
            if outcome.is_ok() {
                self.after_group_leave(id, user);
            }
        }
        Ok(outcomes)
    }

    /// Applies a roster change to one user of a group: 403 with the reason if refused.
    pub(crate) fn group_roster_op(
        &mut self,
        id: &str,
        user: &str,
        op: impl FnOnce(&mut Roster, &str) -> Result<(), String>,
    ) -> Res<String> {
        let key = user_key(user);
        op(&mut self.group_for_change(id)?.roster, &key).map_err(forbidden)?;
        Ok(key)
    }

    /// Applies a roster change to each user of a batch.
    pub(crate) fn group_roster_batch(
        &mut self,
        id: &str,
        users: &[String],
        op: impl FnMut(&mut Roster, &str) -> Result<(), String>,
    ) -> Res<Vec<UserOutcome>> {
        batch(&mut self.group_for_change(id)?.roster, users, op)
    }

    /// Blocks a member of a group: it leaves and cannot join again until unblocked.
    pub(crate) fn block_group_users(
        &mut self,
        id: &str,
        users: &[String],
    ) -> Res<Vec<UserOutcome>> {
        let outcomes = self.group_roster_batch(id, users, |r, u| r.block(u))?;
        for (user, outcome) in &outcomes {
            if outcome.is_ok() {
                self.after_group_leave(id, user);
            }
        }
        Ok(outcomes)
    }

    /// Mutes members for `duration_ms` (-1: forever); per user, the end (-1 forever) or why not.
    pub(crate) fn mute_group_members(
        &mut self,
        id: &str,
        users: &[String],
        duration_ms: i64,
        now: i64,
    ) -> Res<Vec<(String, Result<i64, String>)>> {
        check_mute_duration(users, duration_ms)?;
        let roster = &mut self.group_for_change(id)?.roster;
        Ok(users
            .iter()
            .map(|u| (user_key(u), roster.mute(&user_key(u), duration_ms, now)))
            .collect())
    }

    pub(crate) fn set_group_mute_all(&mut self, id: &str, mute: bool) -> Res<()> {
        self.group_for_change(id)?.roster.mute_all = mute;
        Ok(())
    }

    /// Sets attributes of a member (an empty value removes one); answers the member's attributes.
    pub(crate) fn set_group_member_attributes(
        &mut self,
        id: &str,
        user: &str,
        values: &BTreeMap<String, String>,
    ) -> Res<BTreeMap<String, String>> {
        let key = user_key(user);
        let group = self.group_for_change(id)?;
        if !group.roster.is_member(&key) {
            return Err(forbidden(group.roster.not_in(&key)));
        }
        let attributes = group.member_attributes.entry(key).or_default();
        for (k, v) in values {
            if v.is_empty() {
                attributes.remove(k);
            } else {
                attributes.insert(k.clone(), v.clone());
            }
        }
        Ok(attributes.clone())
    }

    pub(crate) fn group_member_attributes(
        &self,
        id: &str,
        user: &str,
    ) -> Res<BTreeMap<String, String>> {
        let key = user_key(user);
        let group = self.group(id)?;
        if !group.roster.is_member(&key) {
            return Err(forbidden(group.roster.not_in(&key)));
        }
        Ok(group
            .member_attributes
            .get(&key)
            .cloned()
            .unwrap_or_default())
    }
}

/// Checks a mute request: at most 60 users, a positive duration or -1.
pub(crate) fn check_mute_duration(users: &[String], duration_ms: i64) -> Res<()> {
    if users.len() > MAX_BATCH {
        return Err(illegal(format!(
            "at most {MAX_BATCH} users per request, not {}",
            users.len()
        )));
    }
    if duration_ms == 0 || duration_ms < -1 {
        return Err(illegal(
            "mute_duration must be positive, or -1 to mute forever",
        ));
    }
    Ok(())
}
