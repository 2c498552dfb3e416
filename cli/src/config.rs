//! The target of a run: each setting from its flag, else its environment variable (clap
//! reads both), else the chosen profile of the config file; or the embedded mock.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::ArgMatches;
use easemob_im::mock::{self, MockConfig, MockHandle};
use easemob_im::{Client, Credentials};
use serde::Deserialize;

use crate::exit::Failure;

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    base_url: Option<String>,
    app_key: Option<String>,
    org_name: Option<String>,
    app_name: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    timeout_secs: Option<u64>,
}

/// Where a run sends its requests.
pub enum Target {
    Mock,
    Server(Settings),
}

/// The resolved settings of a real server, each with where it came from.
pub struct Settings {
    base_urls: Vec<String>,
    org: String,
    app: String,
    client_id: String,
    client_secret: String,
    timeout: Option<u64>,
    sources: Vec<(&'static str, String)>,
}

impl Target {
    pub fn is_mock(&self) -> bool {
        matches!(self, Target::Mock)
    }

    /// A client for the target, and the mock it talks to (kept alive by the caller).
    pub async fn client(&self) -> Result<(Client, Option<MockHandle>), Failure> {
        match self {
            Target::Mock => {
                let handle = mock::start(MockConfig::default()).await.map_err(|e| Failure::refused(format!("cannot start the mock: {e}")))?;
                Ok((handle.client()?, Some(handle)))
            }
            Target::Server(s) => {
                let mut builder = Client::builder()
                    .base_urls(s.base_urls.clone())
                    .org_name(&s.org)
                    .app_name(&s.app)
                    .credentials(Credentials::client_credentials(s.client_id.clone(), s.client_secret.clone()))
                    .user_agent(concat!("easemob-cli/", env!("CARGO_PKG_VERSION")));
                if let Some(seconds) = s.timeout {
                    builder = builder.timeout(Duration::from_secs(seconds));
                }
                Ok((builder.build()?, None))
            }
        }
    }

    /// What `easemob config` prints: each setting and its source; the secret only as set.
    pub fn describe(&self) -> String {
        match self {
            Target::Mock => "target: the embedded mock (--mock), tenant demo#demo\n".to_owned(),
            Target::Server(s) => {
                let mut text = String::new();
                let source = |name: &str| s.sources.iter().find(|(n, _)| *n == name).map_or("", |(_, from)| from.as_str()).to_owned();
                let _ = writeln!(text, "base_url: {} ({})", s.base_urls.join(","), source("base_url"));
                let _ = writeln!(text, "app_key: {}#{} ({})", s.org, s.app, source("app_key"));
                let _ = writeln!(text, "client_id: {} ({})", s.client_id, source("client_id"));
                let _ = writeln!(text, "client_secret: set, not shown ({})", source("client_secret"));
                match s.timeout {
                    Some(seconds) => {
                        let _ = writeln!(text, "timeout: {seconds} s ({})", source("timeout"));
                    }
                    None => text.push_str("timeout: the client's default\n"),
                }
                text
            }
        }
    }
}

/// Resolves the target from the global options, the environment and the config file.
pub fn resolve(matches: &ArgMatches) -> Result<Target, Failure> {
    if matches.get_flag("mock") {
        return Ok(Target::Mock);
    }
    let (profile_name, profile, file) = profile(matches)?;
    let mut sources = Vec::new();
    let from_profile = |what: &str| match (&profile_name, &file) {
        (Some(name), Some(path)) => format!("profile `{name}` of {}", path.display()),
        _ => format!("no {what}"),
    };
    // A flag or variable wins over the profile; says which one it was.
    let mut pick = |name: &'static str, flag: &str, env: &str, profile_value: Option<String>| -> Option<String> {
        let given = matches.get_one::<String>(flag).cloned();
        let from = match matches.value_source(flag) {
            Some(ValueSource::CommandLine) => format!("--{flag}"),
            Some(ValueSource::EnvVariable) => env.to_owned(),
            _ => from_profile(name),
        };
        let value = given.or(profile_value);
        if value.is_some() {
            sources.push((name, from));
        }
        value
    };
    let base_url = pick("base_url", "base-url", "EASEMOB_BASE_URL", profile.base_url.clone());
    let app_key = pick("app_key", "app-key", "EASEMOB_APP_KEY", profile.app_key.clone());
    let org = pick("org_name", "org", "EASEMOB_ORG_NAME", profile.org_name.clone());
    let app = pick("app_name", "app", "EASEMOB_APP_NAME", profile.app_name.clone());
    let client_id = pick("client_id", "client-id", "EASEMOB_CLIENT_ID", profile.client_id.clone());
    let client_secret = pick("client_secret", "client-secret", "EASEMOB_CLIENT_SECRET", profile.client_secret.clone());
    let timeout = matches.get_one::<u64>("timeout").copied();
    let timeout_from = match matches.value_source("timeout") {
        Some(ValueSource::CommandLine) => "--timeout".to_owned(),
        Some(ValueSource::EnvVariable) => "EASEMOB_TIMEOUT_SECS".to_owned(),
        _ => from_profile("timeout"),
    };
    let timeout = timeout.or(profile.timeout_secs);
    if timeout.is_some() {
        sources.push(("timeout", timeout_from));
    }
    let where_to = |setting: &str, flag: &str, env: &str| {
        let file = file.as_ref().map_or_else(|| default_config_path().map_or("the config file".to_owned(), |p| p.display().to_string()), |p| p.display().to_string());
        Failure::usage(format!("no {setting}: pass --{flag}, set {env}, or add `{}` to a profile of {file} (or try --mock)", setting.replace(' ', "_")))
    };
    let base_url = base_url.ok_or_else(|| where_to("base url", "base-url", "EASEMOB_BASE_URL"))?;
    let (org, app) = match (app_key, org, app) {
        (Some(key), None, None) => match key.split_once('#') {
            Some((org, app)) if !org.is_empty() && !app.is_empty() => (org.to_owned(), app.to_owned()),
            _ => return Err(Failure::usage(format!("the app key `{key}` is not ORG#APP"))),
        },
        (Some(_), _, _) => return Err(Failure::usage("give the app key or the org and app names, not both")),
        (None, Some(org), Some(app)) => (org, app),
        (None, None, None) => return Err(where_to("app key", "app-key", "EASEMOB_APP_KEY")),
        (None, None, Some(_)) => return Err(where_to("org name", "org", "EASEMOB_ORG_NAME")),
        (None, Some(_), None) => return Err(where_to("app name", "app", "EASEMOB_APP_NAME")),
    };
    if let Some((_, from)) = sources.iter().find(|(name, _)| *name == "org_name") {
        let from = from.clone();
        sources.push(("app_key", from));
    }
    let client_id = client_id.ok_or_else(|| where_to("client id", "client-id", "EASEMOB_CLIENT_ID"))?;
    let client_secret = client_secret.ok_or_else(|| where_to("client secret", "client-secret", "EASEMOB_CLIENT_SECRET"))?;
    let base_urls = base_url.split(',').map(|url| url.trim().to_owned()).collect::<Vec<_>>();
    if base_urls.iter().any(String::is_empty) {
        return Err(Failure::usage(format!("the base url `{base_url}` has an empty entry")));
    }
    Ok(Target::Server(Settings { base_urls, org, app, client_id, client_secret, timeout, sources }))
}

/// The chosen profile (by --profile, EASEMOB_PROFILE, or the file's `default_profile`), and
/// the file it came from. No file and no profile asked for is not an error.
fn profile(matches: &ArgMatches) -> Result<(Option<String>, Profile, Option<PathBuf>), Failure> {
    let asked = matches.get_one::<String>("profile").cloned();
    let explicit = matches.get_one::<String>("config").map(PathBuf::from);
    let path = match explicit.clone().or_else(default_config_path) {
        Some(path) => path,
        None if asked.is_some() => return Err(Failure::usage("--profile needs a config file, and no home folder is known: pass --config FILE")),
        None => return Ok((None, Profile::default(), None)),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && explicit.is_none() && asked.is_none() => return Ok((None, Profile::default(), None)),
        Err(e) => return Err(Failure::usage(format!("cannot read the config file {}: {e}", path.display()))),
    };
    let file: ConfigFile = toml::from_str(&text).map_err(|e| Failure::usage(format!("the config file {} is not valid: {e}", path.display())))?;
    warn_if_readable_by_others(&path, &file);
    let Some(name) = asked.or_else(|| file.default_profile.clone()).or_else(|| file.profiles.contains_key("default").then(|| "default".to_owned())) else {
        return Ok((None, Profile::default(), Some(path)));
    };
    match file.profiles.get(&name) {
        Some(profile) => Ok((Some(name), profile.clone(), Some(path))),
        None => {
            let known: Vec<&str> = file.profiles.keys().map(String::as_str).collect();
            let known = if known.is_empty() { "it has none".to_owned() } else { format!("it has {}", known.join(", ")) };
            Err(Failure::usage(format!("no profile `{name}` in {}: {known}", path.display())))
        }
    }
}

/// `$XDG_CONFIG_HOME/easemob/config.toml`, else `~/.config/easemob/config.toml`.
fn default_config_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").filter(|v| !v.is_empty()).map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("easemob").join("config.toml"))
}

/// A client secret in a file others can read deserves a warning.
fn warn_if_readable_by_others(path: &std::path::Path, file: &ConfigFile) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let has_secret = file.profiles.values().any(|p| p.client_secret.is_some());
        if let Ok(meta) = std::fs::metadata(path) {
            if has_secret && meta.permissions().mode() & 0o077 != 0 {
                eprintln!("warning: {} holds a client secret and others can read it; run `chmod 600 {}`", path.display(), path.display());
            }
        }
    }
    #[cfg(not(unix))]
    let _ = (path, file);
}

/// `easemob mock`: serves the mock until Ctrl-C, after printing how to point commands at it.
pub async fn serve_mock(listen: std::net::SocketAddr) -> Result<(), Failure> {
    let config = MockConfig::default();
    let tenant = config.tenants[0].clone();
    let handle = mock::start_on(config, listen).await.map_err(|e| Failure::refused(format!("cannot start the mock on {listen}: {e}")))?;
    crate::send::print_line(&format!(
        "export EASEMOB_BASE_URL={} EASEMOB_APP_KEY='{}#{}' EASEMOB_CLIENT_ID={} EASEMOB_CLIENT_SECRET={}",
        handle.base_url(),
        tenant.org,
        tenant.app,
        tenant.client_id,
        tenant.client_secret
    ))?;
    eprintln!("mock listening on {}; Ctrl-C stops it", handle.base_url());
    tokio::signal::ctrl_c().await.map_err(|e| Failure::refused(format!("cannot wait for Ctrl-C: {e}")))?;
    handle.shutdown().await;
    Ok(())
}
