//! What the mock serves: its tenants (org, app and the app's credentials) and token lifetime,
//! built in code or read from a small JSON file.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Deserializer};

/// The default token lifetime: 7 days, in seconds.
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 7 * 24 * 60 * 60;

/// The default time a client has to send a request head: 30 s.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// The default time a client has to send a request body once its head arrived: 60 s.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
/// The default number of connections served at once.
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Whether a callback rule is told after the fact or asked before a message is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackKind {
    /// Post-send: the mock POSTs each event it emits, asynchronously, retrying once.
    #[default]
    PostSend,
    /// Pre-send: the mock asks before it accepts a message, and honours the answer.
    PreSend,
}

/// What a pre-send rule does when the app's server does not answer in time, answers other
/// than `200`, or answers without a boolean `valid` (the console's "default policy on
/// failure").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreSendFailure {
    /// Deliver the message.
    #[default]
    Allow,
    /// Do not deliver it.
    Reject,
}

/// A callback rule, as the console configures one: where the mock POSTs, the secret it signs
/// with (`security` = md5(callId + secret + timestamp)), which events and whether it is a
/// post-send or a pre-send rule. The secret never appears in `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackRule {
    /// The app server's URL (`http://...`; the mock speaks https only with a TLS feature).
    pub url: String,
    /// The rule's secret; never printed.
    pub secret: String,
    /// Spec event names (`chat_message`, `muc_create`, ...) or `all` (the default).
    #[serde(default = "all_events")]
    pub events: Vec<String>,
    /// Post-send (the default) or pre-send.
    #[serde(default)]
    pub kind: CallbackKind,
    /// Pre-send rules: what a failed call decides (default: allow).
    #[serde(default)]
    pub on_failure: PreSendFailure,
}

fn all_events() -> Vec<String> {
    vec!["all".into()]
}

impl CallbackRule {
    /// A post-send rule for every event.
    pub fn post_send(url: impl Into<String>, secret: impl Into<String>) -> CallbackRule {
        CallbackRule {
            url: url.into(),
            secret: secret.into(),
            events: all_events(),
            kind: CallbackKind::PostSend,
            on_failure: PreSendFailure::Allow,
        }
    }

    /// A pre-send rule for one-to-one and group messages, allowing on failure.
    pub fn pre_send(url: impl Into<String>, secret: impl Into<String>) -> CallbackRule {
        CallbackRule {
            events: vec!["chat_message".into(), "groupchat_message".into()],
            kind: CallbackKind::PreSend,
            ..CallbackRule::post_send(url, secret)
        }
    }

    /// Only these events (spec names, or `all`).
    pub fn with_events<S: Into<String>>(
        mut self,
        events: impl IntoIterator<Item = S>,
    ) -> CallbackRule {
        self.events = events.into_iter().map(Into::into).collect();
        self
    }

    /// What a failed pre-send call decides.
    pub fn with_on_failure(mut self, policy: PreSendFailure) -> CallbackRule {
        self.on_failure = policy;
        self
    }

    /// Whether the rule wants the event of this spec name.
    pub fn wants(&self, event: &str) -> bool {
        self.events.iter().any(|e| e == "all" || e == event)
    }
}

impl fmt::Debug for CallbackRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackRule")
            .field("url", &self.url)
            .field("secret", &"***")
            .field("events", &self.events)
            .field("kind", &self.kind)
            .field("on_failure", &self.on_failure)
            .finish()
    }
}

/// The default size of the post-send delivery queue: events past it are dropped and counted.
pub const DEFAULT_CALLBACK_QUEUE: usize = 1024;
/// The default time the mock waits for the app's server to answer a callback: 5 s.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_secs(5);

/// One app the mock serves, under `/{org}/{app}`, with the credentials its app token is
/// granted for.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    /// The org name (the part of the app key before `#`).
    pub org: String,
    /// The app name (the part of the app key after `#`).
    pub app: String,
    /// The client id that `get_app_token` accepts.
    pub client_id: String,
    /// The client secret that `get_app_token` accepts; never printed.
    pub client_secret: String,
}

impl TenantConfig {
    /// A tenant with its credentials.
    pub fn new(
        org: impl Into<String>,
        app: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> TenantConfig {
        TenantConfig {
            org: org.into(),
            app: app.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// Parses `ORG/APP/CLIENT_ID/CLIENT_SECRET` (the `--tenant` flag of `easemob-mock`).
    pub fn parse(spec: &str) -> Result<TenantConfig, ConfigError> {
        let parts: Vec<&str> = spec.splitn(4, '/').collect();
        match parts.as_slice() {
            [org, app, id, secret] if [org, app, id, secret].iter().all(|p| !p.is_empty()) => {
                Ok(TenantConfig::new(*org, *app, *id, *secret))
            }
            _ => Err(ConfigError(
                "a tenant is written ORG/APP/CLIENT_ID/CLIENT_SECRET, each part non-empty".into(),
            )),
        }
    }

    /// The app key, `org#app`.
    pub fn app_key(&self) -> String {
        format!("{}#{}", self.org, self.app)
    }
}

impl fmt::Debug for TenantConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TenantConfig")
            .field("org", &self.org)
            .field("app", &self.app)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

/// The mock's configuration.
///
/// ```
/// use easemob_im::mock::{MockConfig, TenantConfig};
///
/// // One tenant `demo/demo` with the demo credentials and 7-day tokens:
/// let config = MockConfig::default();
/// assert_eq!(config.tenants[0].client_id, "demo-client-id");
///
/// // Or any set of tenants:
/// let config = MockConfig::new()
///     .with_tenant(TenantConfig::new("acme", "chat", "id-1", "secret-1"))
///     .with_tenant(TenantConfig::new("acme", "support", "id-2", "secret-2"))
///     .with_token_ttl(3600);
/// assert_eq!(config.tenants.len(), 2);
/// ```
///
/// The JSON form, for [`MockConfig::from_json_file`] and `easemob-mock --config`:
///
/// ```json
/// {
///   "tenants": [
///     {"org": "acme", "app": "chat", "client_id": "id-1", "client_secret": "secret-1"}
///   ],
///   "token_ttl": 3600,
///   "recall_window": 120,
///   "strict_messages": false,
///   "header_read_timeout": 30,
///   "body_read_timeout": 60,
///   "max_connections": 1024,
///   "callbacks": [
///     {"url": "http://127.0.0.1:9000/easemob/events", "secret": "rule-secret",
///      "events": ["chat_message", "groupchat_message", "recall"], "kind": "post_send"},
///     {"url": "http://127.0.0.1:9000/easemob/pre-send", "secret": "rule-secret",
///      "events": ["chat_message"], "kind": "pre_send", "on_failure": "reject"}
///   ],
///   "callback_queue": 1024,
///   "callback_timeout": 5
/// }
/// ```
///
/// Timeouts are in seconds (fractions allowed; 0: no limit).
///
/// Every key is optional: without `tenants` the demo tenant is served.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MockConfig {
    /// The apps served; data of each is kept apart from the others.
    pub tenants: Vec<TenantConfig>,
    /// Lifetime of app tokens in seconds when the token request gives no `ttl`
    /// (0: tokens never expire).
    pub token_ttl: u64,
    /// How long after sending a message can still be recalled, in seconds (the docs'
    /// default is 2 minutes).
    pub recall_window: u64,
    /// Check message recipients, which the real server does not (its docs say it sends to
    /// unknown user, group and chat room ids without complaint): with this on, unknown
    /// recipients answer 404 `service_resource_not_found`, and senders who are not members
    /// of the group or chat room, or are muted or blocked in it, 403 `forbidden_op`.
    pub strict_messages: bool,
    /// How long a client may take to send a request's head, and an idle connection may
    /// wait for its next request, before the connection is closed (zero: no limit).
    #[serde(deserialize_with = "seconds")]
    pub header_read_timeout: Duration,
    /// How long a client may take to send a request's body once its head has arrived;
    /// past that the mock answers `408` and closes the connection (zero: no limit).
    #[serde(deserialize_with = "seconds")]
    pub body_read_timeout: Duration,
    /// How many connections are served at once; more wait to be accepted (at least 1).
    pub max_connections: usize,
    /// Callback rules: post-send rules are told of the events the mock emits (see
    /// [`MockServer::callback_deliveries`](super::MockServer::callback_deliveries)),
    /// pre-send rules are asked about each message sent.
    pub callbacks: Vec<CallbackRule>,
    /// How many post-send deliveries may wait; past that, events are dropped and counted.
    pub callback_queue: usize,
    /// How long the mock waits for a callback's answer (zero: no limit).
    #[serde(deserialize_with = "seconds")]
    pub callback_timeout: Duration,
}

/// A duration written as a number of seconds.
fn seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(deserializer)?;
    Duration::try_from_secs_f64(secs)
        .map_err(|_| serde::de::Error::custom(format!("{secs} is not a number of seconds")))
}

impl Default for MockConfig {
    fn default() -> MockConfig {
        MockConfig {
            tenants: vec![TenantConfig::new(
                "demo",
                "demo",
                "demo-client-id",
                "demo-client-secret",
            )],
            token_ttl: DEFAULT_TOKEN_TTL_SECS,
            recall_window: 120,
            strict_messages: false,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            callbacks: Vec::new(),
            callback_queue: DEFAULT_CALLBACK_QUEUE,
            callback_timeout: DEFAULT_CALLBACK_TIMEOUT,
        }
    }
}

impl MockConfig {
    /// A configuration without tenants (add them with [`with_tenant`](Self::with_tenant)),
    /// 7-day tokens.
    pub fn new() -> MockConfig {
        MockConfig {
            tenants: Vec::new(),
            ..MockConfig::default()
        }
    }

    /// Adds a tenant.
    pub fn with_tenant(mut self, tenant: TenantConfig) -> MockConfig {
        self.tenants.push(tenant);
        self
    }

    /// Sets the default app token lifetime in seconds (0: forever).
    pub fn with_token_ttl(mut self, seconds: u64) -> MockConfig {
        self.token_ttl = seconds;
        self
    }

    /// Sets how long messages can be recalled, in seconds.
    pub fn with_recall_window(mut self, seconds: u64) -> MockConfig {
        self.recall_window = seconds;
        self
    }

    /// Turns recipient and membership checks of sent messages on or off (see
    /// [`strict_messages`](Self::strict_messages)).
    pub fn with_strict_messages(mut self, strict: bool) -> MockConfig {
        self.strict_messages = strict;
        self
    }

    /// Sets how long a request's head (or an idle connection) may take (zero: no limit).
    pub fn with_header_read_timeout(mut self, timeout: Duration) -> MockConfig {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets how long a request's body may take once its head arrived (zero: no limit).
    pub fn with_body_read_timeout(mut self, timeout: Duration) -> MockConfig {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets how many connections are served at once.
    pub fn with_max_connections(mut self, connections: usize) -> MockConfig {
        self.max_connections = connections;
        self
    }

    /// Adds a callback rule.
    pub fn with_callback(mut self, rule: CallbackRule) -> MockConfig {
        self.callbacks.push(rule);
        self
    }

    /// Sets how many post-send deliveries may wait (at least 1).
    pub fn with_callback_queue(mut self, size: usize) -> MockConfig {
        self.callback_queue = size;
        self
    }

    /// Sets how long the mock waits for a callback's answer (zero: no limit).
    pub fn with_callback_timeout(mut self, timeout: Duration) -> MockConfig {
        self.callback_timeout = timeout;
        self
    }

    /// Reads the JSON form (see the type's docs).
    pub fn from_json_str(text: &str) -> Result<MockConfig, ConfigError> {
        let config: MockConfig = serde_json::from_str(text)
            .map_err(|e| ConfigError(format!("invalid configuration: {e}")))?;
        config.check()?;
        Ok(config)
    }

    /// Reads the JSON form from a file.
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<MockConfig, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read {}: {e}", path.display())))?;
        MockConfig::from_json_str(&text)
            .map_err(|e| ConfigError(format!("{}: {}", path.display(), e.0)))
    }

    /// Checks that there is at least one tenant and that no org/app pair is served twice.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.tenants.is_empty() {
            return Err(ConfigError("no tenant is configured".into()));
        }
        if self.max_connections == 0 {
            return Err(ConfigError("max_connections must be at least 1".into()));
        }
        if self.callback_queue == 0 {
            return Err(ConfigError("callback_queue must be at least 1".into()));
        }
        for (i, rule) in self.callbacks.iter().enumerate() {
            if !(rule.url.starts_with("http://") || rule.url.starts_with("https://")) {
                return Err(ConfigError(format!(
                    "callback rule {}: the url must start with http:// or https://",
                    i + 1
                )));
            }
            if rule.events.is_empty() {
                return Err(ConfigError(format!("callback rule {}: no events", i + 1)));
            }
            let emitted: &[&str] = match rule.kind {
                CallbackKind::PostSend => super::callbacks::POST_SEND_EVENTS,
                CallbackKind::PreSend => super::callbacks::PRE_SEND_EVENTS,
            };
            if let Some(unknown) = rule
                .events
                .iter()
                .find(|e| *e != "all" && !emitted.contains(&e.as_str()))
            {
                return Err(ConfigError(format!(
                    "callback rule {}: the mock sends no {} event `{unknown}` (it sends: all, {})",
                    i + 1,
                    match rule.kind {
                        CallbackKind::PostSend => "post-send",
                        CallbackKind::PreSend => "pre-send",
                    },
                    emitted.join(", ")
                )));
            }
        }
        for (i, tenant) in self.tenants.iter().enumerate() {
            if tenant.org.is_empty() || tenant.app.is_empty() || tenant.client_id.is_empty() {
                return Err(ConfigError(format!(
                    "tenant {}: org, app and client_id must not be empty",
                    i + 1
                )));
            }
            if self.tenants[..i]
                .iter()
                .any(|t| t.org == tenant.org && t.app == tenant.app)
            {
                return Err(ConfigError(format!(
                    "the tenant {}/{} is configured twice",
                    tenant.org, tenant.app
                )));
            }
        }
        Ok(())
    }
}

/// A configuration that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_the_demo_tenant() {
        let config = MockConfig::default();
        assert_eq!(config.tenants.len(), 1);
        assert_eq!(config.tenants[0].app_key(), "demo#demo");
        assert_eq!(config.token_ttl, 7 * 24 * 3600);
        config.check().unwrap();
    }

    #[test]
    fn json_form_with_defaults() {
        let config = MockConfig::from_json_str(
            r#"{"tenants": [{"org": "a", "app": "b", "client_id": "i", "client_secret": "s"}], "token_ttl": 60}"#,
        )
        .unwrap();
        assert_eq!(config.tenants, vec![TenantConfig::new("a", "b", "i", "s")]);
        assert_eq!(config.token_ttl, 60);
        assert_eq!(config.recall_window, 120);
        assert_eq!(config.header_read_timeout, DEFAULT_HEADER_READ_TIMEOUT);
        let config = MockConfig::from_json_str(
            r#"{"header_read_timeout": 0.25, "body_read_timeout": 0, "max_connections": 2}"#,
        )
        .unwrap();
        assert_eq!(config.header_read_timeout, Duration::from_millis(250));
        assert_eq!(config.body_read_timeout, Duration::ZERO);
        assert_eq!(config.max_connections, 2);
        assert_eq!(
            MockConfig::from_json_str("{}").unwrap(),
            MockConfig::default()
        );
    }

    #[test]
    fn json_form_problems_are_reported() {
        assert!(MockConfig::from_json_str(r#"{"tenant": []}"#)
            .unwrap_err()
            .0
            .contains("unknown field"));
        assert!(MockConfig::from_json_str(r#"{"tenants": []}"#)
            .unwrap_err()
            .0
            .contains("no tenant"));
        let twice = r#"{"tenants": [
            {"org": "a", "app": "b", "client_id": "i", "client_secret": "s"},
            {"org": "a", "app": "b", "client_id": "j", "client_secret": "t"}]}"#;
        assert!(MockConfig::from_json_str(twice)
            .unwrap_err()
            .0
            .contains("twice"));
        assert!(MockConfig::from_json_str(r#"{"header_read_timeout": -1}"#)
            .unwrap_err()
            .0
            .contains("seconds"));
        assert!(MockConfig::from_json_str(r#"{"max_connections": 0}"#)
            .unwrap_err()
            .0
            .contains("max_connections"));
    }

    #[test]
    fn tenant_flag() {
        assert_eq!(
            TenantConfig::parse("org/app/id/se/cret").unwrap(),
            TenantConfig::new("org", "app", "id", "se/cret")
        );
        assert!(TenantConfig::parse("org/app/id").is_err());
        assert!(TenantConfig::parse("org//id/secret").is_err());
    }

    #[test]
    fn callback_rules_in_the_json_form() {
        let config = MockConfig::from_json_str(
            r#"{"callbacks": [
                {"url": "http://127.0.0.1:9/e", "secret": "s3cr3t-value"},
                {"url": "http://127.0.0.1:9/p", "secret": "s", "events": ["chat_message"], "kind": "pre_send", "on_failure": "reject"}],
              "callback_queue": 8, "callback_timeout": 0.5}"#,
        )
        .unwrap();
        assert_eq!(
            config.callbacks,
            vec![
                CallbackRule::post_send("http://127.0.0.1:9/e", "s3cr3t-value"),
                CallbackRule::pre_send("http://127.0.0.1:9/p", "s")
                    .with_events(["chat_message"])
                    .with_on_failure(PreSendFailure::Reject),
            ]
        );
        assert_eq!(
            (config.callback_queue, config.callback_timeout),
            (8, Duration::from_millis(500))
        );
        let text = format!("{config:?}");
        assert!(!text.contains("s3cr3t-value"), "{text}");
        for (bad, problem) in [
            (
                r#"{"callbacks": [{"url": "ftp://x", "secret": "s"}]}"#,
                "http://",
            ),
            (
                r#"{"callbacks": [{"url": "http://x", "secret": "s", "events": ["chat_mesage"]}]}"#,
                "chat_mesage",
            ),
            (
                r#"{"callbacks": [{"url": "http://x", "secret": "s", "kind": "pre_send", "events": ["recall"]}]}"#,
                "pre-send",
            ),
            (r#"{"callbacks": [{"url": "http://x"}]}"#, "secret"),
            (r#"{"callback_queue": 0}"#, "callback_queue"),
        ] {
            let err = MockConfig::from_json_str(bad).unwrap_err().0;
            assert!(err.contains(problem), "{bad}: {err}");
        }
    }

    #[test]
    fn debug_hides_the_secret() {
        let text = format!("{:?}", TenantConfig::new("o", "a", "id", "very-secret"));
        assert!(!text.contains("very-secret"), "{text}");
    }
}
