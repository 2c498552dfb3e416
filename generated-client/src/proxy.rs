//! The HTTP(S) proxy the client sends through, made from a proxy URL, the requests it is
//! for (all, `http://` or `https://` ones) and optional basic credentials, and turned into
//! reqwest's proxy when the client is built. Its `Debug` hides the password, also one
//! written in the URL.

use std::fmt;

use reqwest::Url;

use crate::{Error, Secret};

/// Which requests go through a [`Proxy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Http,
    Https,
}

/// An HTTP or HTTPS forward proxy, for [`ClientBuilder::proxy`](crate::ClientBuilder::proxy).
///
/// ```no_run
/// # fn main() -> Result<(), easemob_im::Error> {
/// use easemob_im::{Client, Credentials, Proxy};
/// let client = Client::builder()
///     .base_url("https://a1.easemob.com")
///     .app_key("easemob-demo#testapp")
///     .credentials(Credentials::client_credentials("client-id", "client-secret"))
///     .proxy(Proxy::all("http://proxy.internal:3128").basic_auth("me", "proxy-password"))
///     .build()?;
/// # Ok(()) }
/// ```
///
/// `https://` requests are tunnelled (`CONNECT`), so the proxy sees only the host; `http://`
/// ones are sent to the proxy whole.
#[derive(Clone)]
pub struct Proxy {
    url: String,
    scope: Scope,
    auth: Option<(String, Secret)>,
}

impl Proxy {
    /// A proxy for every request. `url` is the proxy's, such as `http://proxy:3128`
    /// (`http` or `https`).
    pub fn all(url: impl Into<String>) -> Proxy {
        Proxy::new(url.into(), Scope::All)
    }

    /// A proxy for `http://` requests only.
    pub fn http(url: impl Into<String>) -> Proxy {
        Proxy::new(url.into(), Scope::Http)
    }

    /// A proxy for `https://` requests only.
    pub fn https(url: impl Into<String>) -> Proxy {
        Proxy::new(url.into(), Scope::Https)
    }

    fn new(url: String, scope: Scope) -> Proxy {
        Proxy {
            url,
            scope,
            auth: None,
        }
    }

    /// Authenticates to the proxy with HTTP basic credentials (`Proxy-Authorization`).
    pub fn basic_auth(mut self, username: impl Into<String>, password: impl Into<Secret>) -> Proxy {
        self.auth = Some((username.into(), password.into()));
        self
    }

    /// reqwest's proxy; the error says which proxy (by position) and why, never its URL
    /// (which may hold a password).
    pub(crate) fn to_reqwest(&self, index: usize) -> Result<reqwest::Proxy, Error> {
        let fail = |why: &str| Error::Config(format!("proxy #{}: {why}", index + 1));
        let url = Url::parse(&self.url).map_err(|e| fail(&format!("not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(fail("the URL must be http:// or https://"));
        }
        if url.host().is_none() {
            return Err(fail("the URL has no host"));
        }
        let proxy = match self.scope {
            Scope::All => reqwest::Proxy::all(url),
            Scope::Http => reqwest::Proxy::http(url),
            Scope::Https => reqwest::Proxy::https(url),
        }
        .map_err(|_| fail("reqwest refused the URL"))?;
        Ok(match &self.auth {
            Some((username, password)) => proxy.basic_auth(username, password.expose()),
            None => proxy,
        })
    }

    /// The URL with any password in it replaced by `***`.
    fn shown_url(&self) -> String {
        match Url::parse(&self.url) {
            Ok(mut url) => {
                if url.password().is_some() {
                    // Cannot fail: the URL has a password, so it has a host.
                    let _ = url.set_password(Some("***"));
                }
                url.to_string()
            }
            Err(_) => "(not a URL)".to_owned(),
        }
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.shown_url())
            .field("scope", &self.scope)
            .field(
                "basic_auth",
                &self.auth.as_ref().map(|(user, password)| (user, password)),
            )
            .finish()
    }
}
