//! Client configuration from environment variables, made from a lookup function
//! (`std::env::var` for [`ClientBuilder::from_env`]) into a [`ClientBuilder`], or an
//! [`EnvError`] naming the variable that is missing or malformed, never its value.
//!
//! | variable | meaning |
//! | --- | --- |
//! | `EASEMOB_BASE_URL` | the REST host, such as `https://a1.easemob.com` (required); several, separated by commas, for failover ([`ClientBuilder::base_urls`]) |
//! | `EASEMOB_APP_KEY` | `org_name#app_name`; or both of the next two |
//! | `EASEMOB_ORG_NAME`, `EASEMOB_APP_NAME` | the org and app names |
//! | `EASEMOB_CLIENT_ID`, `EASEMOB_CLIENT_SECRET` | the app's client credentials (required) |
//! | `EASEMOB_TIMEOUT_SECS` | the per-request timeout in whole seconds (optional) |

use std::env::VarError;
use std::fmt;
use std::time::Duration;

use crate::{Client, ClientBuilder, Credentials, Error};

/// `EASEMOB_BASE_URL`.
pub const BASE_URL: &str = "EASEMOB_BASE_URL";
/// `EASEMOB_APP_KEY`.
pub const APP_KEY: &str = "EASEMOB_APP_KEY";
/// `EASEMOB_ORG_NAME`.
pub const ORG_NAME: &str = "EASEMOB_ORG_NAME";
/// `EASEMOB_APP_NAME`.
pub const APP_NAME: &str = "EASEMOB_APP_NAME";
/// `EASEMOB_CLIENT_ID`.
pub const CLIENT_ID: &str = "EASEMOB_CLIENT_ID";
/// `EASEMOB_CLIENT_SECRET`.
pub const CLIENT_SECRET: &str = "EASEMOB_CLIENT_SECRET";
/// `EASEMOB_TIMEOUT_SECS`.
pub const TIMEOUT_SECS: &str = "EASEMOB_TIMEOUT_SECS";

/// An environment variable that could not configure the client. Names the variable and
/// what is wrong with it, never its value (it may be a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EnvError {
    /// The variable, such as `EASEMOB_CLIENT_ID`.
    pub variable: &'static str,
    /// What is wrong with it.
    pub problem: EnvProblem,
}

/// What is wrong with an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvProblem {
    /// It is not set (or set to the empty string).
    Missing,
    /// Its value is not valid Unicode.
    NotUnicode,
    /// Its value does not have the expected form, described here.
    Malformed(&'static str),
    /// It is set together with another variable that says the same thing.
    Conflicts(&'static str),
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let variable = self.variable;
        match &self.problem {
            EnvProblem::Missing if variable == APP_KEY => write!(
                f,
                "environment variable {variable} is not set (nor {ORG_NAME} and {APP_NAME})"
            ),
            EnvProblem::Missing => write!(f, "environment variable {variable} is not set"),
            EnvProblem::NotUnicode => {
                write!(f, "environment variable {variable} is not valid Unicode")
            }
            EnvProblem::Malformed(expected) => {
                write!(
                    f,
                    "environment variable {variable} is malformed: {expected}"
                )
            }
            EnvProblem::Conflicts(other) => write!(
                f,
                "environment variables {variable} and {other} are both set; set one"
            ),
        }
    }
}

impl std::error::Error for EnvError {}

impl From<EnvError> for Error {
    fn from(e: EnvError) -> Error {
        Error::Env(e)
    }
}

fn error(variable: &'static str, problem: EnvProblem) -> Error {
    Error::Env(EnvError { variable, problem })
}

/// Reads variables through `lookup`, treating an empty value as unset.
struct Vars<F>(F);

impl<F: Fn(&str) -> Result<String, VarError>> Vars<F> {
    fn optional(&self, variable: &'static str) -> Result<Option<String>, Error> {
        match (self.0)(variable) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(VarError::NotPresent) => Ok(None),
            Err(VarError::NotUnicode(_)) => Err(error(variable, EnvProblem::NotUnicode)),
        }
    }

    fn required(&self, variable: &'static str) -> Result<String, Error> {
        self.optional(variable)?
            .ok_or_else(|| error(variable, EnvProblem::Missing))
    }
}

impl ClientBuilder {
    /// A builder configured from the process environment (see the table in
    /// [`env`](crate::env)); set anything else on it, then [`build`](Self::build).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), easemob_im::Error> {
    /// use easemob_im::{ClientBuilder, RetryPolicy};
    /// let client = ClientBuilder::from_env()?.retry(RetryPolicy::never()).build()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<ClientBuilder, Error> {
        ClientBuilder::from_env_with(|name| std::env::var(name))
    }

    /// Like [`from_env`](Self::from_env), reading each variable through `lookup` (a map
    /// of settings, a secrets store, a test's fixed values).
    pub fn from_env_with(
        lookup: impl Fn(&str) -> Result<String, VarError>,
    ) -> Result<ClientBuilder, Error> {
        let vars = Vars(lookup);
        let base_url = vars.required(BASE_URL)?;
        let org_name = vars.optional(ORG_NAME)?;
        let app_name = vars.optional(APP_NAME)?;
        let builder = match vars.optional(APP_KEY)? {
            Some(app_key) => {
                if org_name.is_some() {
                    return Err(error(APP_KEY, EnvProblem::Conflicts(ORG_NAME)));
                }
                if app_name.is_some() {
                    return Err(error(APP_KEY, EnvProblem::Conflicts(APP_NAME)));
                }
                match app_key.split_once('#') {
                    Some((org, app)) if !org.is_empty() && !app.is_empty() => {
                        Client::builder().app_key(app_key)
                    }
                    _ => {
                        return Err(error(
                            APP_KEY,
                            EnvProblem::Malformed("expected org_name#app_name"),
                        ))
                    }
                }
            }
            None => match (org_name, app_name) {
                (Some(org), Some(app)) => Client::builder().org_name(org).app_name(app),
                (None, None) => return Err(error(APP_KEY, EnvProblem::Missing)),
                (None, Some(_)) => return Err(error(ORG_NAME, EnvProblem::Missing)),
                (Some(_), None) => return Err(error(APP_NAME, EnvProblem::Missing)),
            },
        };
        let client_id = vars.required(CLIENT_ID)?;
        let client_secret = vars.required(CLIENT_SECRET)?;
        let base_urls: Vec<&str> = base_url.split(',').map(str::trim).collect();
        if base_urls.iter().any(|url| url.is_empty()) {
            return Err(error(
                BASE_URL,
                EnvProblem::Malformed("an empty URL in the comma-separated list"),
            ));
        }
        let mut builder = builder
            .base_urls(base_urls)
            .credentials(Credentials::client_credentials(client_id, client_secret));
        if let Some(timeout) = vars.optional(TIMEOUT_SECS)? {
            let seconds = timeout
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&s| s > 0)
                .ok_or_else(|| {
                    error(
                        TIMEOUT_SECS,
                        EnvProblem::Malformed("expected a whole number of seconds above 0"),
                    )
                })?;
            builder = builder.timeout(Duration::from_secs(seconds));
        }
        Ok(builder)
    }
}

impl Client {
    /// A client configured from the process environment: [`ClientBuilder::from_env`],
    /// then [`build`](ClientBuilder::build).
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }
}
