//! Host discovery, opt-in: the app's REST hosts read from Easemob's host configuration
//! document (`GET {config_host}/easemob/server.json?app_key=org%23app`, the document the
//! vendor's SDKs read), used before the configured base URLs and read again once a day.
//! A failed read keeps the hosts in use; the configured base URLs are always the fallback.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Url;
use serde::Deserialize;

use crate::hosts::Host;
use crate::path::encode_segment;

/// Where the vendor's SDKs read the host configuration.
pub const DEFAULT_CONFIG_HOST: &str = "https://rs.easemob.com";

/// How long discovered hosts are used before the document is read again.
const DEFAULT_REFRESH: Duration = Duration::from_secs(24 * 60 * 60);

/// How long after a failed read the next one is tried.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(60);

/// The largest configuration document read.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// How long one read of the document may take.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads the app's REST hosts from Easemob's host configuration, for
/// [`ClientBuilder::discover_hosts`](crate::ClientBuilder::discover_hosts).
///
/// The discovered hosts are tried first, in the document's order, and the configured
/// base URLs after them, with the same failover between them as
/// [`base_urls`](crate::ClientBuilder::base_urls). The document is read before the first
/// request and again after [`refresh_every`](Self::refresh_every) (a day by default);
/// when a read fails (no answer, not 2xx, not the expected JSON, no usable host) the
/// hosts in use stay, a warning is logged, and the read is tried again a minute later.
/// Only `https` hosts are used, or `http` ones when the configuration host itself is
/// `http` (a local test setup).
///
/// ```no_run
/// # fn main() -> Result<(), easemob_im::Error> {
/// use easemob_im::{Client, Credentials, HostDiscovery};
/// let client = Client::builder()
///     .base_url("https://a1.easemob.com") // used when discovery fails
///     .app_key("easemob-demo#testapp")
///     .credentials(Credentials::client_credentials("YXA6...", "YXA6..."))
///     .discover_hosts(HostDiscovery::new())
///     .build()?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostDiscovery {
    config_host: String,
    refresh: Duration,
}

impl Default for HostDiscovery {
    fn default() -> Self {
        HostDiscovery {
            config_host: DEFAULT_CONFIG_HOST.to_owned(),
            refresh: DEFAULT_REFRESH,
        }
    }
}

impl HostDiscovery {
    /// Reads from [`DEFAULT_CONFIG_HOST`] once a day.
    pub fn new() -> HostDiscovery {
        HostDiscovery::default()
    }

    /// Another configuration host, such as a private deployment's or a test server's.
    pub fn config_host(mut self, url: impl Into<String>) -> HostDiscovery {
        self.config_host = url.into();
        self
    }

    /// How long discovered hosts are used before the document is read again.
    pub fn refresh_every(mut self, refresh: Duration) -> HostDiscovery {
        self.refresh = refresh;
        self
    }
}

/// Discovery as a client runs it: what to read, and when next.
#[derive(Debug)]
pub(crate) struct Discoverer {
    document: Url,
    http_allowed: bool,
    refresh: Duration,
    /// `None` until the first read; then when the next read is due.
    next_read: Mutex<Option<Instant>>,
    /// One read at a time; the others wait for it and then find it done.
    reading: tokio::sync::Mutex<()>,
}

impl Discoverer {
    pub(crate) fn new(discovery: &HostDiscovery, org: &str, app: &str) -> Result<Discoverer, String> {
        let base = Url::parse(&discovery.config_host)
            .map_err(|e| format!("discovery config host {:?}: {e}", discovery.config_host))?;
        if !matches!(base.scheme(), "http" | "https") || base.host_str().is_none() {
            return Err(format!(
                "discovery config host {:?} is not an http(s) URL",
                discovery.config_host
            ));
        }
        let app_key = encode_segment(&format!("{org}#{app}"));
        let document = format!(
            "{}/easemob/server.json?app_key={app_key}",
            base.as_str().trim_end_matches('/')
        );
        let document = Url::parse(&document).map_err(|e| format!("discovery URL: {e}"))?;
        Ok(Discoverer {
            http_allowed: base.scheme() == "http",
            document,
            refresh: discovery.refresh,
            next_read: Mutex::new(None),
            reading: tokio::sync::Mutex::new(()),
        })
    }

    fn due(&self, now: Instant) -> bool {
        let next = *self.next_read.lock().unwrap_or_else(|e| e.into_inner());
        next.is_none_or(|at| at <= now)
    }

    /// Reads the document if it is due, and returns the hosts it names; `None` when no
    /// read was due or the read failed (the hosts in use stay).
    pub(crate) async fn refresh(
        &self,
        http: &reqwest::Client,
        prefix: impl Fn(&Url) -> String,
    ) -> Option<Vec<Host>> {
        if !self.due(Instant::now()) {
            return None;
        }
        let _reading = self.reading.lock().await;
        // Another task may have read it while this one waited.
        if !self.due(Instant::now()) {
            return None;
        }
        let outcome = self.read(http).await;
        let wait = match &outcome {
            Ok(_) => self.refresh,
            Err(problem) => {
                tracing::warn!(url = %self.document, %problem, "host discovery failed; keeping the hosts in use");
                RETRY_AFTER_FAILURE.min(self.refresh)
            }
        };
        *self.next_read.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now().checked_add(wait);
        let bases = outcome.ok()?;
        tracing::debug!(hosts = bases.len(), "host discovery read");
        Some(
            bases
                .into_iter()
                .map(|base| {
                    let prefix = prefix(&base);
                    Host { base, prefix }
                })
                .collect(),
        )
    }

    async fn read(&self, http: &reqwest::Client) -> Result<Vec<Url>, String> {
        let mut response = http
            .get(self.document.clone())
            .timeout(READ_TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        if !response.status().is_success() {
            return Err(format!("answered HTTP {}", response.status().as_u16()));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| format!("reading the answer: {e}"))? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(format!("the document is over {MAX_DOCUMENT_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        let document: Document =
            serde_json::from_slice(&body).map_err(|e| format!("not the expected JSON: {e}"))?;
        let hosts = rest_hosts(&document, self.http_allowed);
        if hosts.is_empty() {
            return Err("the document names no usable REST host".to_owned());
        }
        Ok(hosts)
    }
}

/// The part of the document this reads: `{"rest": {"hosts": [...]}}`.
#[derive(Debug, Deserialize)]
struct Document {
    rest: Option<Service>,
}

#[derive(Debug, Deserialize)]
struct Service {
    #[serde(default)]
    hosts: Vec<Record>,
}

/// `{"protocol": "https", "domain": "a1.easemob.com", "ip": "...", "port": 443}`.
#[derive(Debug, Deserialize)]
struct Record {
    protocol: Option<String>,
    domain: Option<String>,
    ip: Option<String>,
    port: Option<u16>,
}

/// The base URLs of the document's REST hosts, in its order, without duplicates: the
/// domain (or, without one, the IP address) and port; `https` only unless `http_allowed`.
fn rest_hosts(document: &Document, http_allowed: bool) -> Vec<Url> {
    let mut urls: Vec<Url> = Vec::new();
    for record in document.rest.iter().flat_map(|s| &s.hosts) {
        let scheme = record.protocol.as_deref().unwrap_or("https").to_ascii_lowercase();
        if !(scheme == "https" || (scheme == "http" && http_allowed)) {
            continue;
        }
        let Some(host) = record.domain.as_deref().or(record.ip.as_deref()).map(str::trim).filter(|h| !h.is_empty()) else {
            continue;
        };
        let Ok(mut url) = Url::parse(&format!("{scheme}://{host}")) else { continue };
        // Only a bare host: anything that makes the URL more than that is not a host name.
        if url.host_str().is_none() || url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
            continue;
        }
        if let Some(port) = record.port.filter(|p| *p != 0) {
            if url.set_port(Some(port)).is_err() {
                continue;
            }
        }
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
    urls
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(json: &str) -> Document {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn reads_rest_hosts_in_order_preferring_domains() {
        let doc = document(
            r#"{"file_version": "243", "deploy_name": "magic",
                "rest": {"hosts": [
                    {"protocol": "https", "domain": "a1.example.com", "port": 443},
                    {"protocol": "https", "ip": "10.0.0.7", "port": 8443},
                    {"protocol": "http", "domain": "plain.example.com", "port": 80},
                    {"protocol": "https", "domain": "a1.example.com", "port": 443},
                    {"protocol": "https", "domain": "evil.example.com/path?x=1"},
                    {"protocol": "https"}
                ]},
                "msync-wx": {"hosts": [{"protocol": "https", "domain": "msync.example.com"}]}}"#,
        );
        let urls: Vec<String> = rest_hosts(&doc, false).iter().map(Url::to_string).collect();
        assert_eq!(urls, ["https://a1.example.com/", "https://10.0.0.7:8443/"]);
        let urls: Vec<String> = rest_hosts(&doc, true).iter().map(Url::to_string).collect();
        assert_eq!(urls, ["https://a1.example.com/", "https://10.0.0.7:8443/", "http://plain.example.com/"]);
    }

    #[test]
    fn a_document_without_rest_hosts_names_none() {
        assert!(rest_hosts(&document(r#"{"msync-wx": {"hosts": []}}"#), true).is_empty());
        assert!(rest_hosts(&document(r#"{"rest": {}}"#), true).is_empty());
    }

    #[test]
    fn the_document_url_carries_the_encoded_app_key() {
        let d = Discoverer::new(&HostDiscovery::new(), "easemob", "demo").unwrap();
        assert_eq!(d.document.as_str(), "https://rs.easemob.com/easemob/server.json?app_key=easemob%23demo");
        assert!(!d.http_allowed);
        assert!(Discoverer::new(&HostDiscovery::new().config_host("ftp://x"), "o", "a").is_err());
    }
}
