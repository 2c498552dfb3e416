//! Threads: sub-conversations of a group started from one of its messages (threads.yaml).

use super::{cursor_page, forbidden, illegal, not_found, user_key, Res, Tenant};

/// Characters of a thread name.
const MAX_NAME: usize = 64;

/// A thread of a group.
#[derive(Debug, Clone)]
pub(crate) struct Thread {
    pub(crate) id: String,
    pub(crate) seq: u64,
    pub(crate) group_id: String,
    pub(crate) name: String,
    pub(crate) msg_id: String,
    pub(crate) owner: String,
    /// Members in the order they joined; the owner first.
    pub(crate) members: Vec<String>,
    pub(crate) created: i64,
}

fn page(
    mut threads: Vec<Thread>,
    limit: usize,
    cursor: Option<&str>,
    descending: bool,
) -> Res<(Vec<Thread>, Option<String>)> {
    threads.sort_by_key(|t| t.seq);
    if descending {
        threads.reverse();
    }
    cursor_page(
        threads.into_iter().map(|t| (t.seq, t)),
        limit,
        cursor,
        descending,
    )
}

impl Tenant {
    pub(crate) fn thread(&self, id: &str) -> Res<&Thread> {
        self.threads
            .get(id)
            .ok_or_else(|| not_found(format!("the thread {id} does not exist")))
    }

    fn thread_mut(&mut self, id: &str) -> Res<&mut Thread> {
        self.threads
            .get_mut(id)
            .ok_or_else(|| not_found(format!("the thread {id} does not exist")))
    }

    fn check_thread_name(name: &str) -> Res<()> {
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(illegal(format!(
                "a thread name has 1 to {MAX_NAME} characters"
            )));
        }
        Ok(())
    }

    /// Creates a thread in a group from one of its messages; the owner must be a member.
    pub(crate) fn create_thread(
        &mut self,
        group_id: &str,
        name: &str,
        msg_id: &str,
        owner: &str,
        now: i64,
    ) -> Res<String> {
        Self::check_thread_name(name)?;
        self.user(owner)?;
        let owner = user_key(owner);
        let group = self.group(group_id)?;
        if !group.roster.is_member(&owner) {
            return Err(forbidden(group.roster.not_in(&owner)));
        }
        let id = self.next_numeric_id();
        let seq = self.next_seq();
        let thread = Thread {
            id: id.clone(),
            seq,
            group_id: group_id.to_owned(),
            name: name.to_owned(),
            msg_id: msg_id.to_owned(),
            members: vec![owner.clone()],
            owner,
            created: now,
        };
        self.threads.insert(id.clone(), thread);
        Ok(id)
    }

    pub(crate) fn rename_thread(&mut self, id: &str, name: &str) -> Res<()> {
        Self::check_thread_name(name)?;
        self.thread_mut(id)?.name = name.to_owned();
        Ok(())
    }

    pub(crate) fn delete_thread(&mut self, id: &str) -> Res<Thread> {
        self.threads
            .remove(id)
            .ok_or_else(|| not_found(format!("the thread {id} does not exist")))
    }

    /// The app's threads, a page at a time.
    pub(crate) fn list_threads(
        &self,
        limit: usize,
        cursor: Option<&str>,
        descending: bool,
    ) -> Res<(Vec<Thread>, Option<String>)> {
        page(
            self.threads.values().cloned().collect(),
            limit,
            cursor,
            descending,
        )
    }

    /// The threads `user` is in (of one group when given), a page at a time.
    pub(crate) fn user_threads(
        &self,
        user: &str,
        group_id: Option<&str>,
        limit: usize,
        cursor: Option<&str>,
        descending: bool,
    ) -> Res<(Vec<Thread>, Option<String>)> {
        self.user(user)?;
        if let Some(group_id) = group_id {
            self.group(group_id)?;
        }
        let key = user_key(user);
        let threads = self
            .threads
            .values()
            .filter(|t| t.members.contains(&key) && group_id.is_none_or(|g| t.group_id == g))
            .cloned()
            .collect();
        page(threads, limit, cursor, descending)
    }

    /// Members of a thread, a page at a time.
    pub(crate) fn thread_members(
        &self,
        id: &str,
        limit: usize,
        cursor: Option<&str>,
    ) -> Res<(Vec<String>, Option<String>)> {
        let thread = self.thread(id)?;
        cursor_page(
            thread
                .members
                .iter()
                .cloned()
                .enumerate()
                .map(|(i, m)| (i as u64, m)),
            limit,
            cursor,
            false,
        )
    }

    /// Adds members of the thread's group to the thread.
    pub(crate) fn add_thread_members(&mut self, id: &str, users: &[String]) -> Res<()> {
        let group_id = self.thread(id)?.group_id.clone();
        let group = self.group(&group_id)?;
        let mut keys = Vec::new();
        for user in users {
            let key = user_key(user);
            if !group.roster.is_member(&key) {
                return Err(forbidden(group.roster.not_in(&key)));
            }
            keys.push(key);
        }
        let thread = self.thread_mut(id)?;
        for key in keys {
            if !thread.members.contains(&key) {
                thread.members.push(key);
            }
        }
        Ok(())
    }

    /// Removes members from a thread; per user, whether it was removed.
    pub(crate) fn remove_thread_members(
        &mut self,
        id: &str,
        users: &[String],
    ) -> Res<Vec<(String, bool)>> {
        let thread = self.thread_mut(id)?;
        Ok(users
            .iter()
            .map(|u| {
                let key = user_key(u);
                let removed = key != thread.owner && thread.members.contains(&key);
                if removed {
                    thread.members.retain(|m| *m != key);
                }
                (key, removed)
            })
            .collect())
    }
}
