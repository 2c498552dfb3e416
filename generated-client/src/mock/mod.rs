//! A stateful, in-memory Easemob server for tests and local development (feature `mock`).
//!
//! [`MockServer`] implements [`EasemobApi`](crate::server::EasemobApi) on top of the
//! generated router: the router decodes and validates every request against the spec, the
//! mock checks the app token and keeps what the requests create — users, contacts, block
//! lists, attributes, groups, chat rooms, threads, messages, presence and files — per
//! tenant (org and app), answering the errors the docs list. Operations it does not model
//! (push settings, reactions, message history files, ...) answer the spec's example.
//!
//! ```no_run
//! use easemob_im::mock::{self, MockConfig};
//! use easemob_im::models::UserRegistration;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let mock = mock::start(MockConfig::default()).await?;
//! let client = mock.client()?; // the demo tenant's credentials
//! client.users().register_users(vec![UserRegistration::new("alice", "secret")]).await?;
//! assert_eq!(mock.server().usernames("demo", "demo"), ["alice"]);
//! # Ok(()) }
//! ```
//!
//! With callback rules in its configuration ([`MockConfig::with_callback`]), the mock POSTs
//! signed callbacks as Easemob does: post-send events for the messages and the group, chat
//! room and contact operations it serves, and pre-send requests whose answers decide what
//! happens to a message; [`MockServer::callback_deliveries`] lists what was sent.
//!
//! The `easemob-mock` binary serves the same on a port of your choice, logging one line per
//! request. In-process, the mock emits the same lines as `tracing` events (target
//! [`REQUEST_TARGET`]) for your subscriber, if you install one.

mod api;
mod callbacks;
mod config;
mod log;
mod serve;
mod store;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Client, Credentials};

pub use callbacks::{CallbackDelivery, PreSendOutcome};
pub use config::{
    CallbackKind, CallbackRule, ConfigError, MockConfig, PreSendFailure, TenantConfig,
    DEFAULT_BODY_READ_TIMEOUT, DEFAULT_CALLBACK_QUEUE, DEFAULT_CALLBACK_TIMEOUT,
    DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_TOKEN_TTL_SECS,
};
pub use log::REQUEST_TARGET;
pub use store::{MessageOrigin, SentMessage};

use callbacks::Callbacks;
use store::{Store, Tenant};

/// The mock: configuration, state and what it has served. Share it in an [`Arc`]; serve it
/// with [`MockServer::router`] or [`start`].
pub struct MockServer {
    store: Store,
    served: Mutex<BTreeSet<&'static str>>,
    callbacks: Callbacks,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("config", &self.store.config)
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// A mock with empty tenants.
    pub fn new(config: MockConfig) -> MockServer {
        MockServer {
            callbacks: Callbacks::new(&config),
            store: Store::new(config),
            served: Mutex::new(BTreeSet::new()),
        }
    }

    /// What it serves.
    pub fn config(&self) -> &MockConfig {
        &self.store.config
    }

    /// An axum router serving this mock (every path under `/{org}/{app}/...`). It emits a
    /// `tracing` event per request (target [`REQUEST_TARGET`], level `INFO`: method, path,
    /// status and duration; never a header, and query values of secret-looking keys as
    /// `***`).
    pub fn router(self: &Arc<Self>) -> axum::Router {
        crate::server::router(Arc::clone(self)).layer(axum::middleware::from_fn(log::log_request))
    }

    /// The ids of the operations that reached this mock after authentication and
    /// validation (answered by its state or by the spec's example), in order of id.
    pub fn served_operations(&self) -> BTreeSet<&'static str> {
        self.served
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn record(&self, operation_id: &'static str) {
        self.served
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(operation_id);
    }

    /// Moves the mock's clock forward: tokens, mutes, subscriptions and the recall window
    /// expire as if that much time had passed.
    pub fn advance_clock(&self, by: Duration) {
        self.store.advance(by);
    }

    /// The mock's time, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.store.now_ms()
    }

    fn inspect<T: Default>(&self, org: &str, app: &str, read: impl FnOnce(&Tenant) -> T) -> T {
        self.store
            .tenant(org, app)
            .map(|t| read(&t))
            .unwrap_or_default()
    }

    /// Every message accepted for tenant `org/app` (sent, directed, broadcast or imported),
    /// one per recipient, oldest first; empty for an unknown tenant.
    pub fn sent_messages(&self, org: &str, app: &str) -> Vec<SentMessage> {
        self.inspect(org, app, |t| t.messages.clone())
    }

    /// The registered user ids of `org/app` in registration order (lower case).
    pub fn usernames(&self, org: &str, app: &str) -> Vec<String> {
        self.inspect(org, app, |t| {
            let mut users: Vec<_> = t.users.values().collect();
            users.sort_by_key(|u| u.seq);
            users.into_iter().map(|u| u.username.clone()).collect()
        })
    }

    /// The members of a group of `org/app`, owner first; `None` if it does not exist.
    pub fn group_members(&self, org: &str, app: &str, group_id: &str) -> Option<Vec<String>> {
        self.inspect(org, app, |t| {
            t.groups.get(group_id).map(|g| {
                g.roster
                    .affiliations()
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect()
            })
        })
    }

    /// The members of a chat room of `org/app`, owner first; `None` if it does not exist.
    pub fn chatroom_members(&self, org: &str, app: &str, chatroom_id: &str) -> Option<Vec<String>> {
        self.inspect(org, app, |t| {
            t.rooms.get(chatroom_id).map(|r| {
                r.roster
                    .affiliations()
                    .into_iter()
                    .map(|(_, m)| m)
                    .collect()
            })
        })
    }

    /// The friends of a user of `org/app`, in the order they were added.
    pub fn contacts(&self, org: &str, app: &str, username: &str) -> Vec<String> {
        self.inspect(org, app, |t| {
            t.user(username)
                .map(|u| u.contacts.iter().map(|c| c.username.clone()).collect())
                .unwrap_or_default()
        })
    }

    /// The callbacks sent to the rules of the configuration, in the order they completed
    /// (the latest 10,000): post-send deliveries once their last attempt is over, pre-send
    /// calls with what the mock did with the message.
    ///
    /// Post-send callbacks: sending a message (`chat_message`, `groupchat_message` for
    /// groups and chat rooms, one per recipient; not broadcasts or imports), recalling one
    /// (`recall`), creating a group (`muc_create`, then `muc_presence` for each member it
    /// was created with; the docs list no event for creating a chat room), deleting a group or chat room (`muc_destroy`), adding members
    /// (`muc_presence` per member), removing them (`muc_kick` then `muc_absence` per
    /// member), adding and removing a contact (`roster_add`, `roster_remove`). They are
    /// queued without slowing the API call and POSTed in order by one task; a non-2xx
    /// answer or none is retried once at once, then given up.
    ///
    /// Pre-send rules are asked about each recipient's copy of a message sent, and the
    /// answer applies: a rejected copy is neither stored nor reported to post-send rules
    /// (as the docs say), a rewritten one is stored with the new text, and a call without a
    /// usable answer applies the rule's [`PreSendFailure`]. The docs describe rejection
    /// only as a sending client sees it (pre-send callbacks do not apply to messages sent
    /// through the REST API), so the REST caller gets the usual answer, the rejected copy's
    /// message id included; the rejection is recorded here.
    pub fn callback_deliveries(&self) -> Vec<CallbackDelivery> {
        self.callbacks.deliveries()
    }

    /// How many post-send callbacks were dropped because the queue
    /// ([`MockConfig::callback_queue`]) was full.
    pub fn callback_dropped(&self) -> u64 {
        self.callbacks.dropped()
    }

    /// How many app tokens were issued for `org/app`.
    pub fn issued_app_tokens(&self, org: &str, app: &str) -> usize {
        self.store.issued_tokens(org, app).0
    }
}

/// An axum router serving a new mock with `config`. Use [`MockServer::router`] to keep a
/// handle on the state.
pub fn router(config: MockConfig) -> axum::Router {
    Arc::new(MockServer::new(config)).router()
}

/// Serves a new mock on `127.0.0.1` with a free port, in the current tokio runtime, with
/// the timeouts and connection limit of `config`.
pub async fn start(config: MockConfig) -> std::io::Result<MockHandle> {
    start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
}

/// Serves a new mock on `addr` (port 0: a free one), in the current tokio runtime.
pub async fn start_on(config: MockConfig, addr: SocketAddr) -> std::io::Result<MockHandle> {
    config
        .check()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let limits = serve::Limits {
        header_read_timeout: nonzero(config.header_read_timeout),
        body_read_timeout: nonzero(config.body_read_timeout),
        max_connections: config.max_connections,
    };
    let server = Arc::new(MockServer::new(config));
    let app = server.router();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve::serve(listener, app, limits, stopped));
    Ok(MockHandle {
        addr,
        server,
        stop: Some(stop),
        task: Some(task),
    })
}

/// `None` for zero, which means no limit.
fn nonzero(timeout: Duration) -> Option<Duration> {
    (!timeout.is_zero()).then_some(timeout)
}

/// A running mock: where it listens and its state. Dropping it stops the server.
#[derive(Debug)]
pub struct MockHandle {
    addr: SocketAddr,
    server: Arc<MockServer>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockHandle {
    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The mock, to inspect its state.
    pub fn server(&self) -> &Arc<MockServer> {
        &self.server
    }

    /// A client for the first configured tenant, with its client credentials.
    pub fn client(&self) -> Result<Client, crate::Error> {
        let tenant = &self.server.config().tenants[0];
        self.client_for(tenant)
    }

    /// A client for `tenant` (which need not be configured: its requests then fail as the
    /// real server's would).
    pub fn client_for(&self, tenant: &TenantConfig) -> Result<Client, crate::Error> {
        Client::builder()
            .base_url(self.base_url())
            .org_name(&tenant.org)
            .app_name(&tenant.app)
            .credentials(Credentials::client_credentials(
                tenant.client_id.clone(),
                tenant.client_secret.clone(),
            ))
            .build()
    }

    /// Stops serving and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            // Connections still open (a client's idle pool) would keep a graceful shutdown
            // waiting; give them a moment, then stop regardless.
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(1), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for MockHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
