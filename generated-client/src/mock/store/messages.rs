//! Messages sent, broadcast and imported, kept so that tests can inspect them, and their
//! recall (message_single.md, message_group.md, message_chatroom.md, message_import.md,
//! message_recall.md).

use std::collections::BTreeMap;

use crate::models::{MessageChatType, MessageType};

use super::{forbidden, illegal, not_found, user_key, GlobalMuteKind, Res, Tenant};

/// How a message reached the mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageOrigin {
    /// Sent to users, groups or chat rooms (`send_*_message`).
    Sent,
    /// Sent to some members of one group or chat room (`send_*_directed_*_message`).
    Directed,
    /// Broadcast to every active chat room (`broadcast_chatroom_*_message`).
    Broadcast,
    /// Imported history (`import_*_message`); not delivered to anyone.
    Imported,
}

/// A message the mock accepted, one per recipient (user, group or chat room).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SentMessage {
    /// The message id the response gave for this recipient.
    pub msg_id: String,
    /// One-to-one, group or chat room.
    pub chat_type: MessageChatType,
    /// How it was sent.
    pub origin: MessageOrigin,
    /// The sender (`admin` when the request named none).
    pub from: String,
    /// The recipient: a user id (lower case), group id or chat room id.
    pub to: String,
    /// For directed messages, the members who see it; empty otherwise.
    pub users: Vec<String>,
    /// `txt`, `img`, `audio`, `video`, `file`, `loc`, `cmd` or `custom`.
    pub msg_type: MessageType,
    /// The message content (the request's `body`, or `msg` of a broadcast) as JSON.
    pub body: serde_json::Value,
    /// The request's `ext`, if any.
    pub ext: Option<serde_json::Value>,
    /// When it was accepted (or the `msg_timestamp` of an import), Unix milliseconds.
    pub timestamp: i64,
    /// Whether it was recalled.
    pub recalled: bool,
}

/// A message to send, as the request gave it.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) chat_type: MessageChatType,
    pub(crate) origin: MessageOrigin,
    pub(crate) from: Option<String>,
    pub(crate) to: Vec<String>,
    pub(crate) users: Vec<String>,
    pub(crate) msg_type: MessageType,
    pub(crate) body: serde_json::Value,
    pub(crate) ext: Option<serde_json::Value>,
    /// Message ids reserved for the recipients, in their order (pre-send callbacks name the
    /// id before the message is accepted); recipients past the end get new ids.
    pub(crate) ids: Vec<String>,
}

/// How a recall went: the server's `recalled` text.
pub(crate) const RECALLED: &str = "yes";
pub(crate) const RECALL_NOT_FOUND: &str = "not_found msg";
pub(crate) const RECALL_TOO_LATE: &str = "exceed recall time limit";

fn mute_kind(chat_type: &MessageChatType) -> GlobalMuteKind {
    match chat_type {
        MessageChatType::Groupchat => GlobalMuteKind::GroupChat,
        MessageChatType::Chatroom => GlobalMuteKind::ChatRoom,
        _ => GlobalMuteKind::Chat,
    }
}

impl Tenant {
    /// The sender of a request: `admin` when left out; 400 when empty.
    fn sender(from: Option<&str>) -> Res<String> {
        match from {
            None => Ok("admin".into()),
            Some("") => Err(illegal("from can't be empty")),
            Some(from) => Ok(user_key(from)),
        }
    }

    /// The checks `strict_messages` turns on: recipients exist, and the sender (unless
    /// `admin`) and directed recipients are members who may speak.
    fn check_recipients(&self, message: &Outgoing, from: &str, now: i64) -> Res<()> {
        for to in &message.to {
            let roster = match message.chat_type {
                MessageChatType::Groupchat => {
                    let group = self.group(to)?;
                    if group.disabled {
                        return Err(forbidden(format!("the group {to} is disabled")));
                    }
                    &group.roster
                }
                MessageChatType::Chatroom => &self.room(to)?.roster,
                _ => {
                    self.user(to)?;
                    if self.users[&user_key(to)].blocked.iter().any(|b| b == from) {
                        return Err(forbidden(format!("{from} is on the block list of {to}")));
                    }
                    continue;
                }
            };
            if from != "admin" {
                if !roster.is_member(from) {
                    return Err(forbidden(roster.not_in(from)));
                }
                if roster.is_silenced(from, now) {
                    return Err(forbidden(format!(
                        "user {from} is muted in {}: {to}",
                        roster.kind
                    )));
                }
            }
            if let Some(user) = message
                .users
                .iter()
                .find(|u| !roster.is_member(&user_key(u)))
            {
                return Err(forbidden(roster.not_in(&user_key(user))));
            }
        }
        Ok(())
    }

    /// The checks a message passes before it is accepted (the sender, a global mute, and
    /// with `strict` the recipients); answers the sender.
    pub(crate) fn check_send(&self, message: &Outgoing, strict: bool, now: i64) -> Res<String> {
        let from = Self::sender(message.from.as_deref())?;
        if self.is_globally_muted(&from, mute_kind(&message.chat_type), now) {
            return Err(forbidden(format!("user {from} is globally muted")));
        }
        if strict {
            self.check_recipients(message, &from, now)?;
        }
        Ok(from)
    }

    /// Accepts a message for each recipient; answers recipient → message id.
    pub(crate) fn send_message(
        &mut self,
        message: Outgoing,
        strict: bool,
        now: i64,
    ) -> Res<BTreeMap<String, String>> {
        let from = self.check_send(&message, strict, now)?;
        let mut ids = BTreeMap::new();
        for (i, to) in message.to.iter().enumerate() {
            let to_key = match message.chat_type {
                MessageChatType::Chat => user_key(to),
                _ => to.clone(),
            };
            if let Some(room) = self
                .rooms
                .get_mut(&to_key)
                .filter(|_| message.chat_type == MessageChatType::Chatroom)
            {
                room.had_message = true;
            }
            let msg_id = match message.ids.get(i) {
                Some(id) => id.clone(),
                None => self.next_message_id(),
            };
            ids.insert(to.clone(), msg_id.clone());
            self.messages.push(SentMessage {
                msg_id,
                chat_type: message.chat_type.clone(),
                origin: message.origin,
                from: from.clone(),
                to: to_key,
                users: message.users.iter().map(|u| user_key(u)).collect(),
                msg_type: message.msg_type.clone(),
                body: message.body.clone(),
                ext: message.ext.clone(),
                timestamp: now,
                recalled: false,
            });
        }
        Ok(ids)
    }

    /// Broadcasts to every active chat room (one that has had a message); answers the
    /// broadcast id.
    pub(crate) fn broadcast(
        &mut self,
        from: Option<&str>,
        msg_type: MessageType,
        body: serde_json::Value,
        ext: Option<serde_json::Value>,
        now: i64,
    ) -> Res<i64> {
        let from = Self::sender(from)?;
        let id = self.next_message_id();
        let rooms: Vec<String> = self
            .rooms
            .values()
            .filter(|r| r.had_message)
            .map(|r| r.id.clone())
            .collect();
        for room in rooms {
            self.messages.push(SentMessage {
                msg_id: id.clone(),
                chat_type: MessageChatType::Chatroom,
                origin: MessageOrigin::Broadcast,
                from: from.clone(),
                to: room,
                users: Vec::new(),
                msg_type: msg_type.clone(),
                body: body.clone(),
                ext: ext.clone(),
                timestamp: now,
                recalled: false,
            });
        }
        Ok(id.parse().expect("message ids are numbers"))
    }

    /// Imports a message into the history; answers its id. The docs do not say the users
    /// or group must exist, so only the group of a group import is looked up.
    pub(crate) fn import_message(
        &mut self,
        message: Outgoing,
        timestamp: Option<i64>,
        now: i64,
    ) -> Res<String> {
        let Outgoing {
            chat_type,
            from,
            to,
            msg_type,
            body,
            ..
        } = message;
        let from = from.unwrap_or_default();
        let target = to.into_iter().next().unwrap_or_default();
        if from.is_empty() || target.is_empty() {
            return Err(illegal("from and target must not be empty"));
        }
        if chat_type == MessageChatType::Groupchat {
            self.group(&target)?;
        }
        let msg_id = self.next_message_id();
        self.messages.push(SentMessage {
            msg_id: msg_id.clone(),
            chat_type: chat_type.clone(),
            origin: MessageOrigin::Imported,
            from: user_key(&from),
            to: if chat_type == MessageChatType::Chat {
                user_key(&target)
            } else {
                target
            },
            users: Vec::new(),
            msg_type,
            body,
            ext: None,
            timestamp: timestamp.unwrap_or(now),
            recalled: false,
        });
        Ok(msg_id)
    }

    /// Recalls a message sent within the last `window_ms`: the server's `recalled` text.
    pub(crate) fn recall(
        &mut self,
        msg_id: &str,
        to: &str,
        chat_type: &MessageChatType,
        window_ms: i64,
        now: i64,
    ) -> &'static str {
        let to = if *chat_type == MessageChatType::Chat {
            user_key(to)
        } else {
            to.to_owned()
        };
        let found = self.messages.iter_mut().find(|m| {
            m.msg_id == msg_id
                && m.to == to
                && m.chat_type == *chat_type
                && !m.recalled
                && m.origin != MessageOrigin::Imported
        });
        match found {
            None => RECALL_NOT_FOUND,
            Some(message) if now - message.timestamp > window_ms => RECALL_TOO_LATE,
            Some(message) => {
                message.recalled = true;
                RECALLED
            }
        }
    }

    /// Deletes a user's conversation with a user or group; 404 for an unknown user.
    pub(crate) fn delete_conversation(&mut self, user: &str) -> Res<()> {
        self.user(user)
            .map(|_| ())
            .map_err(|_| not_found(format!("the user {user} does not exist")))
    }
}
