//! The [`Client`], made by a [`ClientBuilder`] from a base URL, org and app names and
//! [`Credentials`], and the one place where an [`OperationRequest`] becomes HTTP: base URL,
//! app token, headers, body, timeout, retries, rate limiting, tracing, then the answer
//! turned into a value, nothing, a byte stream or an [`Error`].

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::error::{ApiError, DecodeError, EncodeError, MAX_ERROR_BODY};
use crate::call::{BinaryCall, EmptyCall, Fetched, JsonCall};
use crate::files::ByteStream;
use crate::discovery::{Discoverer, HostDiscovery};
use crate::hosts::{Host, HostSet, Hosts, DEFAULT_COOLDOWN};
use crate::path::{check_path, encode_segment};
use crate::proxy::Proxy;
use crate::rate_limit::RateLimiter;
use crate::redact::Scrub;
use crate::request::{Body, OperationRequest};
use crate::retry::{classify, parse_retry_after, retryable_status, RetryPolicy, TransportRetry};
use crate::token::{Token, TokenManager};
use crate::Error;

/// The `User-Agent` sent unless [`ClientBuilder::user_agent`] says otherwise.
pub const DEFAULT_USER_AGENT: &str = concat!("easemob-im/", env!("CARGO_PKG_VERSION"));

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// A secret string (client secret, token): its `Debug` prints `***`, and the crate never
/// logs it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Secret {
        Secret(secret.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Secret {
        Secret(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Secret {
        Secret(secret.to_owned())
    }
}

/// How the client authenticates.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Credentials {
    /// The app's client id and secret (console → app details). The client fetches app
    /// tokens with them and renews them before they expire.
    ClientCredentials {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: Secret,
    },
    /// An app token obtained elsewhere, used as it is and never renewed: once it expires,
    /// calls fail with `401`.
    Token(Secret),
}

impl Credentials {
    /// [`Credentials::ClientCredentials`] from a client id and secret.
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Credentials {
        Credentials::ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        }
    }

    /// [`Credentials::Token`] from an app token.
    pub fn token(token: impl Into<Secret>) -> Credentials {
        Credentials::Token(token.into())
    }
}

/// Configures and builds a [`Client`]; from [`Client::builder`].
///
/// ```no_run
/// # fn main() -> Result<(), easemob_im::Error> {
/// use easemob_im::{Client, Credentials};
/// let client = Client::builder()
///     .base_url("https://a1.easemob.com")
///     .app_key("easemob-demo#testapp")
///     .credentials(Credentials::client_credentials("YXA6...", "YXA6..."))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use]
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: Option<String>,
    fallback_base_urls: Vec<String>,
    host_cooldown: Duration,
    org_name: Option<String>,
    app_name: Option<String>,
    app_key: Option<String>,
    credentials: Option<Credentials>,
    token_ttl: Option<u64>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    connect_timeout_set: bool,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    client_side_rate_limit: bool,
    max_response_bytes: usize,
    proxies: Vec<Proxy>,
    root_certificates: Vec<Vec<u8>>,
    built_in_root_certs: bool,
    discovery: Option<HostDiscovery>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: None,
            fallback_base_urls: Vec::new(),
            host_cooldown: DEFAULT_COOLDOWN,
            org_name: None,
            app_name: None,
            app_key: None,
            credentials: None,
            token_ttl: None,
            timeout: Some(DEFAULT_TIMEOUT),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            connect_timeout_set: false,
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            client_side_rate_limit: false,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            proxies: Vec::new(),
            root_certificates: Vec::new(),
            built_in_root_certs: true,
            discovery: None,
        }
    }
}

impl ClientBuilder {
    /// The REST host of the app's data centre, such as `https://a1.easemob.com` (required).
    /// `http://` is accepted for local testing; a path prefix is kept. With
    /// [`base_urls`](Self::base_urls), this replaces the first and keeps the others.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Several REST hosts of the app, tried in this order: the first is the
    /// [`base_url`](Self::base_url), the others take over when it fails. A host whose
    /// connection fails or that answers `5xx` is skipped for a
    /// [cool-down](Self::host_cooldown), and a request that is safe to repeat (the
    /// [`RetryPolicy`]'s rule) is sent again at once to the next host, as one of its
    /// attempts. An empty list leaves the base URL unset.
    pub fn base_urls<I>(mut self, base_urls: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let mut urls = base_urls.into_iter().map(Into::into);
        self.base_url = urls.next();
        self.fallback_base_urls = urls.collect();
        self
    }

    /// Reads the app's REST hosts from Easemob's host configuration and tries them before
    /// the configured base URLs, which stay as the fallback ([`HostDiscovery`]). Off by
    /// default.
    pub fn discover_hosts(mut self, discovery: HostDiscovery) -> Self {
        self.discovery = Some(discovery);
        self
    }

    /// How long a host that failed is skipped when there are several
    /// ([`base_urls`](Self::base_urls)). Default: 30 s.
    pub fn host_cooldown(mut self, cooldown: Duration) -> Self {
        self.host_cooldown = cooldown;
        self
    }

    /// The organisation name, the part of the app key before `#` (required, or use
    /// [`app_key`](Self::app_key)).
    pub fn org_name(mut self, org_name: impl Into<String>) -> Self {
        self.org_name = Some(org_name.into());
        self
    }

    /// The app name, the part of the app key after `#` (required, or use
    /// [`app_key`](Self::app_key)).
    pub fn app_name(mut self, app_name: impl Into<String>) -> Self {
        self.app_name = Some(app_name.into());
        self
    }

    /// Sets org and app name from an app key such as `easemob-demo#testapp`.
    pub fn app_key(mut self, app_key: impl Into<String>) -> Self {
        self.app_key = Some(app_key.into());
        self
    }

    /// How to authenticate (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// The lifetime, in seconds, to ask for when fetching app tokens (0: never expires).
    /// Without it, the lifetime set in the console applies.
    pub fn token_ttl(mut self, seconds: u64) -> Self {
        self.token_ttl = Some(seconds);
        self
    }

    /// The longest a request may take, from connecting until the response body has been
    /// read, for each attempt. Default: 60 s. `None` waits forever; consider that for large
    /// downloads.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// The longest connecting may take. Default: 10 s. Cannot be combined with
    /// [`reqwest_client`](Self::reqwest_client); configure that client instead.
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = timeout.into();
        self.connect_timeout_set = true;
        self
    }

    /// The `User-Agent` header. Default: `easemob-im/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sends requests with this reqwest client (for proxies, custom TLS roots, connection
    /// pools shared with other code...). It should not follow redirects: the client sends
    /// the app token on every request.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sends requests through this proxy (several: the first whose scope matches). Without
    /// one, the `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` environment variables apply, as
    /// reqwest reads them. Cannot be combined with [`reqwest_client`](Self::reqwest_client).
    pub fn proxy(mut self, proxy: Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Also trusts the root certificates in `pem` (one or more PEM `CERTIFICATE` blocks),
    /// such as a company's TLS-inspecting proxy's or a private test server's. Cannot be
    /// combined with [`reqwest_client`](Self::reqwest_client).
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Whether to trust the built-in (Mozilla) root certificates. Default: `true`; with
    /// `false`, only those added by [`add_root_certificate_pem`](Self::add_root_certificate_pem)
    /// are trusted. Cannot be combined with [`reqwest_client`](Self::reqwest_client).
    pub fn tls_built_in_root_certs(mut self, trust: bool) -> Self {
        self.built_in_root_certs = trust;
        self
    }

    /// How failed requests are retried. Default: [`RetryPolicy::default`].
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Delays requests so as to stay within each endpoint's documented rate limit, rather
    /// than let the server answer `429`. Off by default. The limit applies to this client
    /// (and its clones) only; the server counts per app.
    pub fn client_side_rate_limit(mut self, enabled: bool) -> Self {
        self.client_side_rate_limit = enabled;
        self
    }

    /// The largest JSON answer accepted, in bytes; a longer one fails with
    /// [`Error::Decode`] rather than exhausting memory. Default: 32 MiB. Downloads
    /// ([`Client::execute_binary`]) are streamed and not limited.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Checks the configuration and builds the client. Nothing is sent yet: the first app
    /// token is fetched by the first request (or by [`Client::authenticate`]).
    pub fn build(self) -> Result<Client, Error> {
        let config = |message: String| Error::Config(message);
        let base_url = self
            .base_url
            .ok_or_else(|| config("base_url is required".into()))?;
        let mut bases = vec![parse_base_url(&base_url)?];
        for fallback in &self.fallback_base_urls {
            bases.push(parse_base_url(fallback)?);
        }

        let (org_name, app_name) = match (self.app_key, self.org_name, self.app_name) {
            (Some(key), None, None) => match key.split_once('#') {
                Some((org, app)) => (org.to_owned(), app.to_owned()),
                None => {
                    return Err(config(format!(
                        "app key {key:?} is not of the form org_name#app_name"
                    )))
                }
            },
            (Some(_), _, _) => {
                return Err(config(
                    "set either app_key or org_name and app_name, not both".into(),
                ))
            }
            (None, Some(org), Some(app)) => (org, app),
            (None, None, _) => return Err(config("org_name is required".into())),
            (None, _, None) => return Err(config("app_name is required".into())),
        };
        for (what, value) in [("org_name", &org_name), ("app_name", &app_name)] {
            if value.is_empty() || value == "." || value == ".." {
                return Err(config(format!("{what} {value:?} is not a valid name")));
            }
        }
        let hosts = bases
            .into_iter()
            .map(|base| {
                let prefix = host_prefix(&base, &org_name, &app_name);
                Host { base, prefix }
            })
            .collect();
        let hosts = Hosts::new(hosts, self.host_cooldown);
        let discoverer = match &self.discovery {
            Some(discovery) => Some(Discoverer::new(discovery, &org_name, &app_name).map_err(config)?),
            None => None,
        };

        let credentials = self
            .credentials
            .ok_or_else(|| config("credentials are required".into()))?;
        let tokens = match &credentials {
            Credentials::ClientCredentials {
                client_id,
                client_secret,
            } => {
                if client_id.is_empty() || client_secret.expose().is_empty() {
                    return Err(config(
                        "client_id and client_secret must not be empty".into(),
                    ));
                }
                TokenManager::fetched(client_id.clone(), client_secret.clone(), self.token_ttl)
            }
            Credentials::Token(token) => {
                if token.expose().is_empty() {
                    return Err(config("the app token must not be empty".into()));
                }
                TokenManager::fixed(token.expose()).ok_or_else(|| {
                    config("the app token contains characters not allowed in a header".into())
                })?
            }
        };

        let user_agent = self.user_agent.as_deref().unwrap_or(DEFAULT_USER_AGENT);
        let user_agent = HeaderValue::from_str(user_agent).map_err(|_| {
            config(format!(
                "user agent {user_agent:?} is not a valid header value"
            ))
        })?;

        let http = match self.http {
            Some(http) => {
                let unusable = [
                    (self.connect_timeout_set, "connect_timeout"),
                    (!self.proxies.is_empty(), "proxy"),
                    (!self.root_certificates.is_empty(), "add_root_certificate_pem"),
                    (!self.built_in_root_certs, "tls_built_in_root_certs"),
                ];
                if let Some((_, what)) = unusable.iter().find(|(set, _)| *set) {
                    return Err(config(format!(
                        "{what} cannot be applied to a caller-supplied reqwest client; set it on that client"
                    )));
                }
                http
            }
            None => {
                let mut builder = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(user_agent.clone());
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                for (index, proxy) in self.proxies.iter().enumerate() {
                    builder = builder.proxy(proxy.to_reqwest(index)?);
                }
                builder = apply_tls(builder, &self.root_certificates, self.built_in_root_certs)?;
                builder
                    .build()
                    .map_err(|e| {
                        // A PEM block whose content is not a certificate fails only here.
                        let hint = if self.root_certificates.is_empty() {
                            ""
                        } else {
                            " (is every root certificate valid?)"
                        };
                        config(format!("could not build the HTTP client{hint}: {e}"))
                    })?
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                hosts,
                discoverer,
                org_name,
                app_name,
                credentials,
                tokens,
                user_agent,
                timeout: self.timeout,
                retry: self.retry,
                limiter: self.client_side_rate_limit.then(RateLimiter::default),
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("fallback_base_urls", &self.fallback_base_urls)
            .field("host_cooldown", &self.host_cooldown)
            .field("org_name", &self.org_name)
            .field("app_name", &self.app_name)
            .field("app_key", &self.app_key)
            .field("credentials", &self.credentials)
            .field("token_ttl", &self.token_ttl)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("user_agent", &self.user_agent)
            .field("reqwest_client", &self.http.is_some())
            .field("retry", &self.retry)
            .field("client_side_rate_limit", &self.client_side_rate_limit)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("proxies", &self.proxies)
            .field("root_certificates", &self.root_certificates.len())
            .field("discovery", &self.discovery)
            .field("built_in_root_certs", &self.built_in_root_certs)
            .finish()
    }
}

/// `{base}/{org}/{app}`, encoded, without a trailing slash: what every path is appended to.
fn host_prefix(base: &Url, org_name: &str, app_name: &str) -> String {
    format!(
        "{}/{}/{}",
        base.as_str().trim_end_matches('/'),
        encode_segment(org_name),
        encode_segment(app_name)
    )
}

fn parse_base_url(base_url: &str) -> Result<Url, Error> {
    let url = Url::parse(base_url)
        .map_err(|e| Error::Config(format!("base_url {base_url:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "https" | "http") {
        return Err(Error::Config(format!(
            "base_url {base_url:?} must use https (or http for local testing), not {:?}",
            url.scheme()
        )));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::Config(format!("base_url {base_url:?} has no host")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(format!(
            "base_url {base_url:?} must not have a query or fragment"
        )));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "base_url must not contain credentials".into(),
        ));
    }
    Ok(url)
}

/// An async client of the Easemob IM REST API for one app.
///
/// Cheap to clone (an `Arc` inside), `Send` and `Sync`: make one and share it. The
/// generated operations are methods of the groups returned by `client.users()`,
/// `client.messages()` and so on; the `execute*` methods below run any
/// [`OperationRequest`], which helps with endpoints the crate does not cover yet.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    /// The REST hosts, at least one.
    hosts: Hosts,
    /// Reads more hosts from Easemob's host configuration, when enabled.
    discoverer: Option<Discoverer>,
    org_name: String,
    app_name: String,
    credentials: Credentials,
    tokens: TokenManager,
    user_agent: HeaderValue,
    timeout: Option<Duration>,
    retry: RetryPolicy,
    limiter: Option<RateLimiter>,
    max_response_bytes: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("Client")
            .field(
                "base_urls",
                &inner.hosts.configured().iter().map(|h| h.base.as_str()).collect::<Vec<_>>(),
            )
            .field("org_name", &inner.org_name)
            .field("app_name", &inner.app_name)
            .field("credentials", &inner.credentials)
            .field("timeout", &inner.timeout)
            .field("retry", &inner.retry)
            .field("client_side_rate_limit", &inner.limiter.is_some())
            .finish_non_exhaustive()
    }
}

/// What to do with the answer's body; decides the default `Accept` header.
#[derive(Clone, Copy)]
enum Expect {
    Raw,
    Json,
    Binary,
}

impl Client {
    /// A builder; see [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL, as configured (the first, if there are several).
    pub fn base_url(&self) -> &Url {
        &self.inner.hosts.configured()[0].base
    }

    /// Every base URL, in the order they are tried ([`ClientBuilder::base_urls`]).
    pub fn base_urls(&self) -> impl Iterator<Item = &Url> {
        self.inner.hosts.configured().iter().map(|host| &host.base)
    }

    /// The organisation name.
    pub fn org_name(&self) -> &str {
        &self.inner.org_name
    }

    /// The app name.
    pub fn app_name(&self) -> &str {
        &self.inner.app_name
    }

    // Used by `dynamic_token` (feature `dynamic-token`); this file is also compiled into
    // crates without it.
    #[allow(dead_code)]
    pub(crate) fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// A scrubber for the secrets this client knows: the client secret or fixed token, the
    /// current app token and the one `sent` with the request at hand.
    pub(crate) fn scrub(&self, sent: Option<&Token>) -> Scrub {
        let configured = match &self.inner.credentials {
            Credentials::ClientCredentials { client_secret, .. } => client_secret.expose(),
            Credentials::Token(token) => token.expose(),
        };
        let current = self.inner.tokens.current();
        Scrub::new(
            [
                Some(configured),
                current.as_ref().map(Token::secret),
                sent.map(Token::secret),
            ]
            .into_iter()
            .flatten(),
        )
    }

    /// Fetches the app token now, unless a valid one is cached, so that wrong credentials
    /// show up at start-up rather than at the first real call. Fails with
    /// [`Error::Token`]. With a fixed token ([`Credentials::Token`]) it does nothing.
    pub async fn authenticate(&self) -> Result<(), Error> {
        self.inner.tokens.get(self).await.map(drop)
    }

    /// The app token this client sends, for calls made outside the crate (a server
    /// proxying for its users, the Easemob console, `curl`): the cached one, or one fetched
    /// with the configured client credentials, through the same single fetch and cache as
    /// every request (so it is renewed before it expires, and however many callers wait,
    /// one request asks for it). With [`Credentials::Token`], the configured token.
    ///
    /// Ask again rather than keep it: the token returned may be close to its renewal.
    /// Failing to get one is an [`Error::Token`], whose [`code`](Error::code) tells wrong
    /// credentials ([`ErrorCode::InvalidGrant`](crate::models::ErrorCode::InvalidGrant))
    /// apart from an outage.
    ///
    /// ```no_run
    /// # async fn demo(client: easemob_im::Client) -> Result<(), easemob_im::Error> {
    /// let token = client.app_token().await?;
    /// let header = format!("Bearer {}", token.expose());
    /// # Ok(()) }
    /// ```
    pub async fn app_token(&self) -> Result<Secret, Error> {
        let token = self.inner.tokens.get(self).await?;
        Ok(Secret::new(token.secret()))
    }

    /// Sends `req` and returns the answer if its status is 2xx; any other status is an
    /// [`Error::Api`]. Handles the base URL, the app token (renewed and the request
    /// repeated once after a `401`), retries, rate limiting, timeouts and tracing.
    pub async fn execute(&self, req: OperationRequest) -> Result<reqwest::Response, Error> {
        let span = request_span(&req);
        self.send(req, Expect::Raw).instrument(span).await
    }

    /// Like [`execute`](Self::execute), then decodes the JSON body as `T`. A body that does
    /// not fit is an [`Error::Decode`] naming the path of the offending field.
    pub async fn execute_json<T: DeserializeOwned>(
        &self,
        req: OperationRequest,
    ) -> Result<T, Error> {
        self.call_json(Ok(req)).await
    }

    /// Like [`execute_json`](Self::execute_json), but a decode error carries no excerpt of
    /// the body: for answers that hold secrets, such as tokens.
    pub(crate) async fn execute_json_redacted<T: DeserializeOwned>(
        &self,
        req: OperationRequest,
    ) -> Result<T, Error> {
        let client = self.clone();
        JsonCall::new(Box::pin(async move { client.fetch_json(req, true).await })).await
    }

    /// The call a generated builder returns for a JSON answer: `req` is the request, or
    /// why it could not be made (answered without sending anything).
    // Generated code calls it when the spec has an operation of this kind.
    #[allow(dead_code)]
    pub(crate) fn call_json<T>(&self, req: Result<OperationRequest, Error>) -> JsonCall<T> {
        let client = self.clone();
        JsonCall::new(Box::pin(async move { client.fetch_json(req?, false).await }))
    }

    /// Sends `req` and reads its JSON answer; the same code for every operation.
    async fn fetch_json(&self, req: OperationRequest, redact: bool) -> Result<Fetched, Error> {
        let span = request_span(&req);
        let operation_id = req.operation_id;
        let max = self.inner.max_response_bytes;
        async move {
            let response = self.send(req, Expect::Json).await?;
            let status = response.status();
            let body = read_json_body(operation_id, response, max).await?;
            Ok(Fetched { operation_id, status, body, redact, client: self.clone() })
        }
        .instrument(span)
        .await
    }

    /// The call a generated builder returns when the answer's body does not matter.
    // Generated code calls it when the spec has an operation of this kind.
    #[allow(dead_code)]
    pub(crate) fn call_empty(&self, req: Result<OperationRequest, Error>) -> EmptyCall {
        let client = self.clone();
        EmptyCall(Box::pin(async move { client.execute_empty(req?).await }))
    }

    /// The call a generated builder returns for a download.
    // Generated code calls it when the spec has an operation of this kind.
    #[allow(dead_code)]
    pub(crate) fn call_binary(&self, req: Result<OperationRequest, Error>) -> BinaryCall {
        let client = self.clone();
        BinaryCall(Box::pin(async move { client.execute_binary(req?).await }))
    }

    /// Like [`execute`](Self::execute), discarding the body.
    pub async fn execute_empty(&self, req: OperationRequest) -> Result<(), Error> {
        let span = request_span(&req);
        async move {
            let mut response = self.send(req, Expect::Json).await?;
            // Read a little so the connection can be reused; the call has succeeded
            // whatever happens here.
            let mut read = 0;
            while let Ok(Some(chunk)) = response.chunk().await {
                read += chunk.len();
                if read > MAX_ERROR_BODY {
                    break;
                }
            }
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// Like [`execute`](Self::execute), returning the body as a stream of bytes (a
    /// download). Sends `Accept: application/octet-stream` unless `req` has an `Accept`.
    pub async fn execute_binary(&self, req: OperationRequest) -> Result<ByteStream, Error> {
        let span = request_span(&req);
        let operation_id = req.operation_id;
        let response = self.send(req, Expect::Binary).instrument(span).await?;
        Ok(ByteStream::from_response(operation_id, response))
    }

    async fn send(
        &self,
        mut req: OperationRequest,
        expect: Expect,
    ) -> Result<reqwest::Response, Error> {
        let inner = &*self.inner;
        let operation_id = req.operation_id;
        if let Some(discoverer) = &inner.discoverer {
            let prefix = |base: &Url| host_prefix(base, &inner.org_name, &inner.app_name);
            if let Some(found) = discoverer.refresh(&inner.http, prefix).await {
                inner.hosts.replace(found);
            }
        }
        // The request keeps this list of hosts, however discovery changes it meanwhile.
        let hosts = inner.hosts.current();
        // The first attempt takes these; a repeated one makes them again, the same way.
        let mut host = hosts.pick(Instant::now());
        let mut first = Some((
            self.url_for(&req, &hosts, host)?,
            headers_for(&req, expect, &inner.user_agent)?,
        ));
        let replayable = req.body.is_replayable();
        let may_retry = replayable && (req.idempotent || inner.retry.retry_non_idempotent);
        let span = tracing::Span::current();

        // Sends that count against the retry policy, and all sends.
        let mut attempts = 0u32;
        let mut sends = 0u32;
        let mut renewed_token = false;
        loop {
            if let Some(limiter) = &inner.limiter {
                limiter
                    .acquire(&req.method, req.path_template, req.rate_limit)
                    .await;
            }
            let token = if req.auth {
                Some(inner.tokens.get(self).await?)
            } else {
                None
            };
            attempts += 1;
            sends += 1;
            span.record("attempt", sends);

            let (url, mut headers) = match first.take() {
                Some(parts) => parts,
                None => {
                    host = hosts.pick(Instant::now());
                    (
                        self.url_for(&req, &hosts, host)?,
                        headers_for(&req, expect, &inner.user_agent)?,
                    )
                }
            };
            if let Some(token) = &token {
                headers.insert(AUTHORIZATION, token.header.clone());
            }
            let mut request = reqwest::Request::new(req.method.clone(), url);
            *request.headers_mut() = headers;
            *request.timeout_mut() = inner.timeout;
            let request = attach_body(operation_id, &inner.http, request, &mut req.body).await?;

            let response = match inner.http.execute(request).await {
                Ok(response) => response,
                Err(error) => {
                    let kind = classify(&error);
                    // The host failed, unless the request was merely slow.
                    if kind != TransportRetry::Never && !error.is_timeout() {
                        hosts.mark_down(host, Instant::now());
                    }
                    let retry = match kind {
                        TransportRetry::NotSent => replayable,
                        TransportRetry::MaybeSent => may_retry,
                        TransportRetry::Never => false,
                    };
                    if retry && self.fails_over(&hosts, host, attempts) {
                        tracing::debug!(
                            error = %TransportSummary(&error),
                            "trying the next host after a transport error"
                        );
                        continue;
                    }
                    if retry {
                        if let Some(delay) = inner.retry.next_delay(attempts, None, fastrand::f64())
                        {
                            tracing::debug!(
                                error = %TransportSummary(&error),
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a transport error"
                            );
                            tokio::time::sleep(delay).await;
                            continue;
                        }
                    }
                    return Err(Error::from_reqwest(operation_id, error));
                }
            };

            let status = response.status();
            span.record("status", status.as_u16());
            if status.is_server_error() {
                hosts.mark_down(host, Instant::now());
            } else {
                hosts.mark_up(host);
            }
            if status.is_success() {
                return Ok(response);
            }
            if status == StatusCode::UNAUTHORIZED {
                if let Some(token) = &token {
                    inner.tokens.invalidate(token);
                    if inner.tokens.renewable() && !renewed_token && replayable {
                        renewed_token = true;
                        attempts -= 1;
                        tracing::debug!("401: renewing the app token and repeating the request");
                        continue;
                    }
                }
            }
            if status.is_server_error() && may_retry && self.fails_over(&hosts, host, attempts) {
                tracing::debug!(status = status.as_u16(), "trying the next host");
                drop(response);
                continue;
            }
            let retry_after = parse_retry_after(response.headers(), SystemTime::now());
            if retryable_status(status) && may_retry {
                if let Some(delay) = inner
                    .retry
                    .next_delay(attempts, retry_after, fastrand::f64())
                {
                    tracing::debug!(
                        status = status.as_u16(),
                        delay_ms = delay.as_millis() as u64,
                        "retrying"
                    );
                    drop(response);
                    tokio::time::sleep(delay).await;
                    continue;
                }
            }
            let scrub = self.scrub(token.as_ref());
            return Err(Error::Api(
                read_api_error(operation_id, response, retry_after, &scrub).await,
            ));
        }
    }

    /// Whether a request that failed at `host` after `attempts` sends is sent again at
    /// once to another host: there is one not cooling down, and the retry policy allows
    /// another attempt. (Whether the request is safe to repeat is the caller's question.)
    fn fails_over(&self, hosts: &HostSet, host: usize, attempts: u32) -> bool {
        hosts.several()
            && hosts.pick(Instant::now()) != host
            && self.inner.retry.allows_another(attempts)
    }

    /// The full URL of `req` at host number `host`, after checking that its path is safe
    /// to send.
    fn url_for(&self, req: &OperationRequest, hosts: &HostSet, host: usize) -> Result<Url, Error> {
        if let Some(problem) = check_path(&req.path) {
            return Err(Error::encode(format!("{}: {problem}", req.operation_id)));
        }
        let prefix = &hosts.get(host).prefix;
        let mut full = String::with_capacity(prefix.len() + req.path.len());
        full.push_str(prefix);
        full.push_str(&req.path);
        let mut url = Url::parse(&full).map_err(|e| {
            Error::Encode(EncodeError::with_source(
                format!("{}: invalid URL", req.operation_id),
                e,
            ))
        })?;
        // URL parsing normalizes some paths; refuse to send to anything but what was asked.
        let sent = url.path();
        if sent.len() < req.path.len()
            || !full.ends_with(sent)
            || !sent.ends_with(req.path.as_str())
        {
            return Err(Error::encode(format!(
                "{}: the path {:?} would not be sent as given",
                req.operation_id, req.path
            )));
        }
        if !req.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in &req.query {
                pairs.append_pair(name, value);
            }
        }
        Ok(url)
    }
}

/// A transport error for logs: its kind and causes, without the URL (which holds the
/// concrete path and query values).
struct TransportSummary<'a>(&'a reqwest::Error);

impl fmt::Display for TransportSummary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        let kind = if e.is_timeout() {
            "timeout"
        } else if e.is_connect() {
            "connect error"
        } else if e.is_body() {
            "body error"
        } else {
            "request error"
        };
        f.write_str(kind)?;
        let mut source = std::error::Error::source(e);
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

fn request_span(req: &OperationRequest) -> tracing::Span {
    tracing::info_span!(
        "easemob.request",
        operation_id = req.operation_id,
        method = %req.method,
        path_template = req.path_template,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
    )
}

fn headers_for(
    req: &OperationRequest,
    expect: Expect,
    user_agent: &HeaderValue,
) -> Result<HeaderMap, Error> {
    let mut headers = HeaderMap::new();
    headers.insert(USER_AGENT, user_agent.clone());
    for (name, value) in &req.headers {
        let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            Error::encode(format!(
                "{}: invalid header name {name:?}",
                req.operation_id
            ))
        })?;
        if header_name == AUTHORIZATION {
            return Err(Error::encode(format!(
                "{}: the Authorization header is set by the client",
                req.operation_id
            )));
        }
        // The value is not shown: headers such as share-secret are secrets.
        let value = HeaderValue::from_str(value).map_err(|_| {
            Error::encode(format!(
                "{}: the value of header {name:?} is not a valid header value",
                req.operation_id
            ))
        })?;
        headers.append(header_name, value);
    }
    if matches!(req.body, Body::Multipart(_)) {
        // The multipart content type carries the boundary; reqwest adds it, and a second
        // Content-Type would confuse the server.
        headers.remove(CONTENT_TYPE);
    }
    if !headers.contains_key(ACCEPT) {
        match expect {
            Expect::Raw => {}
            Expect::Json => {
                headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
            }
            Expect::Binary => {
                headers.insert(ACCEPT, HeaderValue::from_static("application/octet-stream"));
            }
        }
    }
    Ok(headers)
}

/// `request` with `body`, and its content type unless the caller set one.
async fn attach_body(
    operation_id: &'static str,
    http: &reqwest::Client,
    mut request: reqwest::Request,
    body: &mut Body,
) -> Result<reqwest::Request, Error> {
    let (bytes, content_type) = match body {
        Body::Empty => return Ok(request),
        Body::Json(bytes) => (bytes.clone(), "application/json"),
        Body::Form(bytes) => (bytes.clone(), "application/x-www-form-urlencoded"),
        // reqwest sets the content type with the boundary (any other was removed).
        Body::Multipart(multipart) => {
            let form = multipart.make_form().await?;
            return reqwest::RequestBuilder::from_parts(http.clone(), request)
                .multipart(form)
                .build()
                .map_err(|e| Error::from_reqwest(operation_id, e));
        }
    };
    if !request.headers().contains_key(CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    *request.body_mut() = Some(bytes.into());
    Ok(request)
}

/// The most [`read_capped`] reserves up front from a `Content-Length`; a longer body
/// grows the buffer as it arrives, so a false length cannot make it reserve the whole limit.
const MAX_PREALLOCATED: usize = 4 * 1024 * 1024;

/// Reads at most `limit` bytes of the body; whether more was left unread.
///
/// A body that arrives in one chunk (most JSON answers) is returned as that chunk, without
/// copying; a longer one is gathered in a buffer sized from its `Content-Length`.
async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<(Bytes, bool), reqwest::Error> {
    let announced = response
        .content_length()
        .map_or(0, |len| usize::try_from(len).unwrap_or(usize::MAX));
    let Some(first) = response.chunk().await? else {
        return Ok((Bytes::new(), false));
    };
    if first.len() > limit {
        return Ok((first.slice(..limit), true));
    }
    let Some(mut chunk) = response.chunk().await? else {
        return Ok((first, false));
    };
    let capacity = announced
        .max(first.len() + chunk.len())
        .min(limit)
        .min(MAX_PREALLOCATED);
    let mut buffer = BytesMut::with_capacity(capacity);
    buffer.extend_from_slice(&first);
    loop {
        let room = limit - buffer.len();
        if chunk.len() > room {
            buffer.extend_from_slice(&chunk[..room]);
            return Ok((buffer.freeze(), true));
        }
        buffer.extend_from_slice(&chunk);
        match response.chunk().await? {
            Some(next) => chunk = next,
            None => return Ok((buffer.freeze(), false)),
        }
    }
}

async fn read_api_error(
    operation_id: &'static str,
    mut response: reqwest::Response,
    retry_after: Option<Duration>,
    scrub: &Scrub,
) -> ApiError {
    let status = response.status();
    // A body cut short by the network still says more than none.
    let (raw, truncated) = match read_capped(&mut response, MAX_ERROR_BODY).await {
        Ok(read) => read,
        Err(_) => (Bytes::new(), false),
    };
    ApiError::new(operation_id, status, raw, truncated, retry_after, scrub)
}

async fn read_json_body(
    operation_id: &'static str,
    mut response: reqwest::Response,
    max: usize,
) -> Result<Bytes, Error> {
    let status = response.status();
    let too_large = || {
        Error::Decode(DecodeError::new(
            operation_id,
            Some(status),
            ".".into(),
            format!("the response body is larger than the {max} bytes allowed (ClientBuilder::max_response_bytes)"),
            b"",
            &Scrub::default(),
        ))
    };
    if response
        .content_length()
        .is_some_and(|len| len > max as u64)
    {
        return Err(too_large());
    }
    match read_capped(&mut response, max).await {
        Ok((_, true)) => Err(too_large()),
        Ok((body, false)) => Ok(body),
        Err(e) => Err(Error::from_reqwest(operation_id, e)),
    }
}

/// Decodes `body` as `T`; `scrub` makes the scrubber for the error, only if there is one.
pub(crate) fn decode_json<T: DeserializeOwned>(
    operation_id: &'static str,
    status: StatusCode,
    body: &[u8],
    redact: bool,
    scrub: impl FnOnce() -> Scrub,
) -> Result<T, Error> {
    let fail = |path: String, error: serde_json::Error| {
        Error::Decode(DecodeError::new(
            operation_id,
            Some(status),
            path,
            error.to_string(),
            if redact { b"" } else { body },
            &scrub(),
        ))
    };
    serde_json::from_slice(body).map_err(|e| {
        let path = crate::json_path::at(body, e.line(), e.column());
        fail(path, e)
    })
}

/// Applies the root certificate settings to the HTTP client's builder.
#[cfg(any(feature = "rustls", feature = "rustls-native-roots"))]
fn apply_tls(mut builder: reqwest::ClientBuilder, root_certificates: &[Vec<u8>], built_in_root_certs: bool) -> Result<reqwest::ClientBuilder, Error> {
    for (index, pem) in root_certificates.iter().enumerate() {
        let certificates = reqwest::Certificate::from_pem_bundle(pem)
            .ok()
            .filter(|found| !found.is_empty())
            .ok_or_else(|| Error::Config(format!("root certificate #{}: no PEM certificate could be read", index + 1)))?;
        for certificate in certificates {
            builder = builder.add_root_certificate(certificate);
        }
    }
    Ok(builder.tls_built_in_root_certs(built_in_root_certs))
}

/// Without a TLS stack there are no roots to set: asking for them is a configuration error.
#[cfg(not(any(feature = "rustls", feature = "rustls-native-roots")))]
fn apply_tls(builder: reqwest::ClientBuilder, root_certificates: &[Vec<u8>], built_in_root_certs: bool) -> Result<reqwest::ClientBuilder, Error> {
    if !root_certificates.is_empty() || !built_in_root_certs {
        return Err(Error::Config("root certificates need a TLS stack: enable the `rustls` or `rustls-native-roots` feature".into()));
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn builder() -> ClientBuilder {
        Client::builder()
            .base_url("https://a1.easemob.com")
            .org_name("org")
            .app_name("app")
            .credentials(Credentials::client_credentials("id", "very-secret"))
    }

    fn config_error(builder: ClientBuilder) -> String {
        match builder.build() {
            Err(Error::Config(message)) => message,
            other => panic!("expected a config error, got {other:?}"),
        }
    }

    #[test]
    fn builds_and_is_send_sync_clone() {
        fn check<T: Send + Sync + Clone + 'static>() {}
        check::<Client>();
        let client = builder().build().unwrap();
        assert_eq!(client.org_name(), "org");
        assert_eq!(client.inner.hosts.current().get(0).prefix, "https://a1.easemob.com/org/app");
    }

    #[test]
    fn builder_validation() {
        assert!(config_error(Client::builder()).contains("base_url"));
        assert!(config_error(builder().base_url("ftp://x")).contains("https"));
        assert!(config_error(builder().base_url("not a url")).contains("not a URL"));
        assert!(config_error(builder().base_url("https://x/?q=1")).contains("query"));
        assert!(config_error(builder().base_url("https://u:p@x/")).contains("credentials"));
        assert!(config_error(builder().org_name("")).contains("org_name"));
        assert!(config_error(builder().app_name("..")).contains("app_name"));
        assert!(config_error(builder().app_key("a#b")).contains("either"));
        assert!(
            config_error(Client::builder().base_url("https://x").app_key("nohash"))
                .contains("org_name#app_name")
        );
        assert!(config_error(builder().credentials(Credentials::token(""))).contains("empty"));
        assert!(config_error(builder().credentials(Credentials::token("a\nb"))).contains("header"));
        assert!(config_error(builder().user_agent("a\nb")).contains("user agent"));
        assert!(config_error(
            builder()
                .connect_timeout(Duration::from_secs(1))
                .reqwest_client(reqwest::Client::new())
        )
        .contains("connect_timeout"));
        let no_creds = Client::builder().base_url("https://x").app_key("o#a");
        assert!(config_error(no_creds).contains("credentials"));
    }

    #[test]
    fn app_key_and_prefixes() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:8080/proxy/")
            .app_key("my org#my/app")
            .credentials(Credentials::token("t"))
            .build()
            .unwrap();
        assert_eq!(
            client.inner.hosts.current().get(0).prefix,
            "http://127.0.0.1:8080/proxy/my%20org/my%2Fapp"
        );
        assert_eq!(client.app_name(), "my/app");
    }

    #[test]
    fn urls() {
        let client = builder().build().unwrap();
        let req = OperationRequest::new(
            "op",
            reqwest::Method::GET,
            "/users/{u}",
            format!("/users/{}", encode_segment("a/b ?")),
        )
        .query("q", "x y&z");
        let url = client.url_for(&req, &client.inner.hosts.current(), 0).unwrap();
        assert_eq!(
            url.as_str(),
            "https://a1.easemob.com/org/app/users/a%2Fb%20%3F?q=x+y%26z"
        );
        for bad in ["/users/%2E%2E", "/users/", "users", "/users/a b"] {
            let req = OperationRequest::new("op", reqwest::Method::GET, "/users/{u}", bad);
            assert!(
                matches!(client.url_for(&req, &client.inner.hosts.current(), 0), Err(Error::Encode(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let b = builder();
        let client = b.clone().build().unwrap();
        for text in [
            format!("{b:?}"),
            format!("{client:?}"),
            format!("{:?}", Credentials::token("tok-secret")),
        ] {
            assert!(
                !text.contains("very-secret") && !text.contains("tok-secret"),
                "{text}"
            );
            assert!(text.contains("***"), "{text}");
        }
    }

    #[test]
    fn headers() {
        let ua = HeaderValue::from_static("ua");
        let req = OperationRequest::new("op", reqwest::Method::GET, "/x", "/x")
            .header("share-secret", "s");
        let h = headers_for(&req, Expect::Binary, &ua).unwrap();
        assert_eq!(h["accept"], "application/octet-stream");
        assert_eq!(h["share-secret"], "s");
        let req = req.header("Accept", "text/plain");
        assert_eq!(
            headers_for(&req, Expect::Json, &ua).unwrap()["accept"],
            "text/plain"
        );
        let bad =
            OperationRequest::new("op", reqwest::Method::GET, "/x", "/x").header("x", "a\r\nb");
        let err = headers_for(&bad, Expect::Raw, &ua).unwrap_err();
        assert!(!err.to_string().contains("a\r\nb"));
        let auth = OperationRequest::new("op", reqwest::Method::GET, "/x", "/x")
            .header("authorization", "x");
        assert!(headers_for(&auth, Expect::Raw, &ua).is_err());
    }

    #[test]
    fn decoding() {
        #[derive(Debug, Deserialize)]
        struct Page {
            #[allow(dead_code)]
            entities: Vec<Item>,
        }
        #[derive(Debug, Deserialize)]
        struct Item {
            #[allow(dead_code)]
            created: i64,
        }
        let body = br#"{"entities":[{"created":1},{"created":"x"}]}"#;
        match decode_json::<Page>("op", StatusCode::OK, body, false, Scrub::default) {
            Err(Error::Decode(e)) => {
                assert_eq!(e.path(), "entities[1].created");
                assert!(e.excerpt().contains("entities"));
            }
            other => panic!("{other:?}"),
        }
        match decode_json::<Page>("op", StatusCode::OK, body, true, Scrub::default) {
            Err(Error::Decode(e)) => assert_eq!(e.excerpt(), ""),
            other => panic!("{other:?}"),
        }
        assert!(decode_json::<Page>(
            "op",
            StatusCode::OK,
            br#"{"entities":[]} x"#,
            false,
            Scrub::default
        )
        .is_err());
        assert!(decode_json::<Page>(
            "op",
            StatusCode::OK,
            br#"{"entities":[]} "#,
            false,
            Scrub::default
        )
        .is_ok());
    }
}
