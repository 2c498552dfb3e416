//! The mock's state: issued tokens and, per tenant, the users, contacts, groups, chat rooms,
//! threads, messages, attributes, presence and files the requests create. Every rule the
//! docs state (who may join, who may be removed, what a limit is) is checked here and
//! answered with the documented error; the API layer only turns inputs into calls and
//! results into response models.

mod chatrooms;
mod groups;
mod messages;
mod presence;
mod roster;
mod threads;
mod users;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::models::ErrorCode;
use crate::server::ServerError;

use super::config::MockConfig;

pub(crate) use chatrooms::{Room, RoomSettings};
pub(crate) use groups::{Group, GroupChanges, GroupSettings, UserOutcome};
pub use messages::{MessageOrigin, SentMessage};
pub(crate) use messages::{Outgoing, RECALLED, RECALL_NOT_FOUND, RECALL_TOO_LATE};
pub(crate) use presence::PresenceRecord;
pub(crate) use roster::Roster;
pub(crate) use threads::Thread;
pub(crate) use users::{GlobalMuteKind, MuteUntil, UserRecord};

/// A result whose error is an Easemob error answer.
pub(crate) type Res<T> = Result<T, ServerError>;

/// 404 `service_resource_not_found`.
pub(crate) fn not_found(what: impl std::fmt::Display) -> ServerError {
    ServerError::not_found(format!("Service resource not found: {what}"))
}

/// 403 `forbidden_op`.
pub(crate) fn forbidden(description: impl Into<String>) -> ServerError {
    ServerError::forbidden(description)
}

/// 400 `illegal_argument`.
pub(crate) fn illegal(description: impl Into<String>) -> ServerError {
    ServerError::bad_request(description)
}

/// The canonical form of a user id: ids are case-insensitive and the server answers them
/// in lower case.
pub(crate) fn user_key(name: &str) -> String {
    name.to_ascii_lowercase()
}

/// Whether `name` is a legal user id: 1 to 64 bytes of a-z, A-Z, 0-9, `_`, `-` and `.`.
pub(crate) fn legal_username(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// A cursor is the sequence number of the first item of the next page, in hex.
pub(crate) fn encode_cursor(seq: u64) -> String {
    format!("{seq:016x}")
}

fn decode_cursor(cursor: &str) -> Res<u64> {
    u64::from_str_radix(cursor, 16).map_err(|_| illegal(format!("invalid cursor `{cursor}`")))
}

/// One page of `items` (sorted by their sequence number, ascending or `descending`)
/// starting at `cursor`, and the cursor of the next page when more remain.
pub(crate) fn cursor_page<T>(
    items: impl IntoIterator<Item = (u64, T)>,
    limit: usize,
    cursor: Option<&str>,
    descending: bool,
) -> Res<(Vec<T>, Option<String>)> {
    let start = cursor
        .filter(|c| !c.is_empty())
        .map(decode_cursor)
        .transpose()?;
    let limit = limit.max(1);
    let mut page = Vec::new();
    let after_start = |seq: u64| match (start, descending) {
        (None, _) => true,
        (Some(start), false) => seq >= start,
        (Some(start), true) => seq <= start,
    };
    for (seq, item) in items.into_iter().filter(|(seq, _)| after_start(*seq)) {
        if page.len() == limit {
            return Ok((page, Some(encode_cursor(seq))));
        }
        page.push(item);
    }
    Ok((page, None))
}

/// The `version=v3` member listing: up to `limit` ids from the offset `cursor` (decimal
/// text), and the offset of the next page when more remain.
pub(crate) fn offset_page(ids: &[String], limit: Option<i64>, cursor: Option<&str>) -> Res<(Vec<String>, Option<u64>)> {
    let start = match cursor.filter(|c| !c.is_empty()) {
        Some(text) => text.parse::<u64>().map_err(|_| illegal(format!("invalid cursor `{text}`")))?,
        None => 0,
    };
    let limit = limit.unwrap_or(100).max(1) as usize;
    let page: Vec<String> = ids.iter().skip(start as usize).take(limit).cloned().collect();
    let next = start + page.len() as u64;
    let more = (next as usize) < ids.len();
    Ok((page, more.then_some(next)))
}

/// Page `page_num` (from 1) of `page_size` items.
pub(crate) fn numbered_page<T: Clone>(
    items: &[T],
    page_num: Option<i64>,
    page_size: Option<i64>,
    default_size: i64,
) -> Vec<T> {
    let size = page_size.unwrap_or(default_size).max(1) as usize;
    let num = page_num.unwrap_or(1).max(1) as usize;
    items
        .iter()
        .skip((num - 1).saturating_mul(size))
        .take(size)
        .cloned()
        .collect()
}

/// What a token was issued as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// An app (administrator) token: authorizes the REST API.
    App,
    /// A user token, for the user's SDK login; the REST API refuses it.
    User(String),
}

#[derive(Debug, Clone)]
struct IssuedToken {
    org: String,
    app: String,
    kind: TokenKind,
    /// Unix milliseconds; `None` never expires.
    expires_at: Option<i64>,
}

/// All state of one mock server.
pub(crate) struct Store {
    pub(crate) config: MockConfig,
    clock_offset_ms: AtomicI64,
    tokens: Mutex<HashMap<String, IssuedToken>>,
    tenants: BTreeMap<(String, String), Mutex<Tenant>>,
}

fn unknown_tenant(org: &str, app: &str) -> ServerError {
    ServerError::new(
        404,
        ErrorCode::OrganizationApplicationNotFound,
        format!("Could not find application for {org}/{app} from URI: {org}/{app}"),
    )
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Store {
    pub(crate) fn new(config: MockConfig) -> Store {
        let tenants = config
            .tenants
            .iter()
            .map(|t| {
                (
                    (t.org.clone(), t.app.clone()),
                    Mutex::new(Tenant::new(&t.org, &t.app)),
                )
            })
            .collect();
        Store {
            config,
            clock_offset_ms: AtomicI64::new(0),
            tokens: Mutex::new(HashMap::new()),
            tenants,
        }
    }

    /// The mock's time in Unix milliseconds: the wall clock plus what tests advanced it by.
    pub(crate) fn now_ms(&self) -> i64 {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        wall + self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// Moves the mock's clock forward (token expiry, mutes, recall window).
    pub(crate) fn advance(&self, by: Duration) {
        self.clock_offset_ms
            .fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }

    /// The tenant `org/app`, locked; 404 `organization_application_not_found` if not served.
    pub(crate) fn tenant(&self, org: &str, app: &str) -> Res<MutexGuard<'_, Tenant>> {
        self.tenants
            .get(&(org.to_owned(), app.to_owned()))
            .map(lock)
            .ok_or_else(|| unknown_tenant(org, app))
    }

    /// 404 `organization_application_not_found` if `org/app` is not served.
    fn check_tenant(&self, org: &str, app: &str) -> Res<()> {
        if self.tenants.contains_key(&(org.to_owned(), app.to_owned())) {
            Ok(())
        } else {
            Err(unknown_tenant(org, app))
        }
    }

    fn issue(&self, org: &str, app: &str, kind: TokenKind, ttl_secs: u64) -> String {
        let mut tokens = lock(&self.tokens);
        let token = loop {
            let mut token = String::from("YWMt");
            token.extend((0..88).map(|_| fastrand::alphanumeric()));
            if !tokens.contains_key(&token) {
                break token;
            }
        };
        let expires_at = (ttl_secs > 0).then(|| {
            self.now_ms()
                .saturating_add((ttl_secs as i64).saturating_mul(1000))
        });
        tokens.insert(
            token.clone(),
            IssuedToken {
                org: org.into(),
                app: app.into(),
                kind,
                expires_at,
            },
        );
        token
    }

    /// Issues an app token for the client credentials of tenant `org/app`: the token and
    /// its lifetime in seconds.
    pub(crate) fn issue_app_token(
        &self,
        org: &str,
        app: &str,
        client_id: &str,
        client_secret: &str,
        ttl: Option<i64>,
    ) -> Res<(String, u64)> {
        self.check_tenant(org, app)?;
        let tenant = self
            .config
            .tenants
            .iter()
            .find(|t| t.org == org && t.app == app)
            .expect("served tenants come from the configuration");
        if tenant.client_id != client_id {
            return Err(ServerError::new(
                400,
                ErrorCode::InvalidGrant,
                "client_id does not match",
            ));
        }
        if tenant.client_secret != client_secret {
            return Err(ServerError::new(
                400,
                ErrorCode::InvalidGrant,
                "client_secret does not match",
            ));
        }
        let ttl = ttl.map_or(self.config.token_ttl, |t| t.max(0) as u64);
        Ok((self.issue(org, app, TokenKind::App, ttl), ttl))
    }

    /// Issues a user token for `username` of tenant `org/app`.
    pub(crate) fn issue_user_token(
        &self,
        org: &str,
        app: &str,
        username: &str,
        ttl_secs: u64,
    ) -> String {
        self.issue(org, app, TokenKind::User(user_key(username)), ttl_secs)
    }

    /// Checks that `token` is an unexpired app token of tenant `org/app`.
    pub(crate) fn check_app_token(&self, org: &str, app: &str, token: Option<&str>) -> Res<()> {
        self.check_tenant(org, app)?;
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(ServerError::unauthorized(
                "Unable to authenticate due to expired access token",
            ));
        };
        let tokens = lock(&self.tokens);
        let bad = || ServerError::new(401, ErrorCode::AuthBadAccessToken, "Unable to authenticate");
        let issued = tokens.get(token).ok_or_else(bad)?;
        if issued.org != org || issued.app != app || issued.kind != TokenKind::App {
            return Err(bad());
        }
        if issued.expires_at.is_some_and(|at| at <= self.now_ms()) {
            return Err(ServerError::unauthorized(
                "Unable to authenticate due to expired access token",
            ));
        }
        Ok(())
    }

    /// How many tokens of each kind were issued for `org/app`: (app, user).
    pub(crate) fn issued_tokens(&self, org: &str, app: &str) -> (usize, usize) {
        let tokens = lock(&self.tokens);
        let of_tenant = tokens.values().filter(|t| t.org == org && t.app == app);
        of_tenant.fold((0, 0), |(a, u), t| match t.kind {
            TokenKind::App => (a + 1, u),
            TokenKind::User(_) => (a, u + 1),
        })
    }
}

/// Everything one app holds.
pub(crate) struct Tenant {
    pub(crate) org: String,
    pub(crate) app: String,
    /// The app's "internal UUID", derived from its key.
    pub(crate) application: String,
    seq: u64,
    pub(crate) users: BTreeMap<String, UserRecord>,
    pub(crate) groups: BTreeMap<String, Group>,
    pub(crate) rooms: BTreeMap<String, Room>,
    pub(crate) super_admins: Vec<String>,
    pub(crate) threads: BTreeMap<String, Thread>,
    pub(crate) messages: Vec<SentMessage>,
    pub(crate) user_metadata: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) presence: BTreeMap<String, PresenceRecord>,
    pub(crate) files: BTreeMap<String, StoredFile>,
}

/// An uploaded chat file.
#[derive(Debug, Clone)]
pub(crate) struct StoredFile {
    pub(crate) share_secret: String,
    pub(crate) restrict_access: bool,
    pub(crate) content_type: String,
    pub(crate) data: bytes::Bytes,
}

impl Tenant {
    pub(crate) fn new(org: &str, app: &str) -> Tenant {
        Tenant {
            org: org.to_owned(),
            app: app.to_owned(),
            application: uuid_from(&format!("{org}#{app}")),
            seq: 0,
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
            rooms: BTreeMap::new(),
            super_admins: Vec::new(),
            threads: BTreeMap::new(),
            messages: Vec::new(),
            user_metadata: BTreeMap::new(),
            presence: BTreeMap::new(),
            files: BTreeMap::new(),
        }
    }

    /// The next sequence number: orders users, groups, rooms and threads, and makes ids.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// A numeric id like the server's group, chat room and thread ids (15 digits).
    pub(crate) fn next_numeric_id(&mut self) -> String {
        let seq = self.next_seq();
        (200_000_000_000_000u64 + seq * 4097).to_string()
    }

    /// A message id like the server's (19 digits).
    pub(crate) fn next_message_id(&mut self) -> String {
        let seq = self.next_seq();
        (1_100_000_000_000_000_000u64 + seq * 65_537).to_string()
    }

    /// Stores an uploaded chat file: its uuid and share secret.
    pub(crate) fn store_file(
        &mut self,
        data: bytes::Bytes,
        content_type: String,
        restrict_access: bool,
    ) -> (String, String) {
        let uuid = random_uuid();
        let share_secret: String = (0..40).map(|_| fastrand::alphanumeric()).collect();
        self.files.insert(
            uuid.clone(),
            StoredFile {
                share_secret: share_secret.clone(),
                restrict_access,
                content_type,
                data,
            },
        );
        (uuid, share_secret)
    }

    /// A stored chat file; 404 if unknown, 401 when access is restricted and the share
    /// secret is missing or wrong.
    pub(crate) fn file(&self, uuid: &str, share_secret: Option<&str>) -> Res<&StoredFile> {
        let file = self
            .files
            .get(uuid)
            .ok_or_else(|| not_found(format!("the file {uuid} does not exist")))?;
        if file.restrict_access && share_secret != Some(file.share_secret.as_str()) {
            return Err(ServerError::unauthorized("the file needs its share-secret"));
        }
        Ok(file)
    }
}

/// A random UUID (version 4 layout).
pub(crate) fn random_uuid() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
}

/// A UUID-shaped text derived from `text` (FNV-1a), stable across runs.
fn uuid_from(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut g: u64 = 0x8422_2325_cbf2_9ce4;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        g = (g ^ u64::from(b))
            .wrapping_mul(0x100_0000_01b3)
            .rotate_left(7);
    }
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xffff,
        g >> 48,
        g & 0xffff_ffff_ffff
    )
}
