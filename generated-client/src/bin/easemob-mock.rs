//! `easemob-mock`: serves the in-memory Easemob mock until Ctrl-C.
//!
//! ```text
//! easemob-mock --listen 127.0.0.1:8080 [--config FILE] [--tenant ORG/APP/CLIENT_ID/CLIENT_SECRET ...]
//!              [--token-ttl SECONDS] [--strict-messages] [--header-timeout SECONDS]
//!              [--body-timeout SECONDS] [--max-connections N] [--log FILTER]
//! ```
//!
//! Requests are logged to stderr, one line each (see `--log`).
//!
//! Output goes through [`say`], never `println!`: with `easemob-mock | head -1`, stdout
//! closes after one line, and the server keeps serving rather than panic on the next.

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use easemob_im::mock::{self, MockConfig, TenantConfig};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Layer, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

const USAGE: &str = "\
usage: easemob-mock [--listen ADDR] [--config FILE] [--tenant ORG/APP/CLIENT_ID/CLIENT_SECRET]...
                    [--token-ttl SECONDS] [--strict-messages] [--header-timeout SECONDS]
                    [--body-timeout SECONDS] [--max-connections N] [--log FILTER]

Serves a stateful in-memory mock of the Easemob IM REST API until Ctrl-C.

  --listen ADDR        address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --config FILE        JSON configuration: {\"tenants\": [{\"org\", \"app\", \"client_id\",
                       \"client_secret\"}], \"token_ttl\", \"recall_window\", \"strict_messages\",
                       \"callbacks\": [{\"url\", \"secret\", \"events\", \"kind\": \"post_send\" or
                       \"pre_send\", \"on_failure\"}], \"callback_queue\", \"callback_timeout\"}
  --tenant SPEC        serve this app (repeatable); replaces the tenants of the default or
                       of --config. Without any, org `demo`, app `demo`, client id
                       `demo-client-id`, secret `demo-client-secret`
  --token-ttl SECONDS  app token lifetime when the token request has no ttl (0: never expires)
  --strict-messages    refuse messages to unknown recipients and from non-members
  --header-timeout SECONDS
                       time a client has to send a request head; also how long an idle
                       connection stays open (default 30; 0: no limit)
  --body-timeout SECONDS
                       time a client has to send a body once its head arrived; then 408
                       (default 60; 0: no limit)
  --max-connections N  connections served at once; more wait (default 1024)
  --log FILTER         what to log on stderr: a level (off, error, warn, info, debug,
                       trace) or comma-separated TARGET=LEVEL directives; default
                       $RUST_LOG, else `info`: one line per request (method, path, status,
                       duration; never headers or tokens, secret query values as ***)
  -h, --help           this text";

/// Writes to stdout (`Out`) or stderr (`Err`), ignoring failures: a closed stdout must not
/// stop the server, and there is nowhere else to report it.
fn say(to: Stream, text: fmt::Arguments<'_>) {
    let _ = match to {
        Stream::Out => writeln!(std::io::stdout().lock(), "{text}"),
        Stream::Err => writeln!(std::io::stderr().lock(), "{text}"),
    };
}

#[derive(Clone, Copy)]
enum Stream {
    Out,
    Err,
}

fn seconds(flag: &str, text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("{flag}: `{text}` is not a number of seconds"))
}

/// The log filter when neither `--log` nor `RUST_LOG` sets one: the request lines.
const DEFAULT_LOG: &str = "info";

#[derive(Debug)]
struct Args {
    listen: SocketAddr,
    config: MockConfig,
    /// From `--log`; `None`: `RUST_LOG`, else [`DEFAULT_LOG`].
    log: Option<Targets>,
}

/// A log filter: a level, or `target=level` directives as `RUST_LOG` has them. A single
/// word must be a level (in `RUST_LOG` it could also be a target, enabled at every level,
/// but for `--log` a misspelt level is the likelier meaning).
fn log_filter(flag: &str, text: &str) -> Result<Targets, String> {
    let text = text.trim();
    let problem = |e: &dyn fmt::Display| {
        format!("{flag}: `{text}` is not a level (off, error, warn, info, debug, trace) or a list of TARGET=LEVEL: {e}")
    };
    if !text.contains(['=', ',']) {
        let level = text
            .parse::<LevelFilter>()
            .map_err(|e| problem(&e))?;
        return Ok(Targets::new().with_default(level));
    }
    text.parse::<Targets>().map_err(|e| problem(&e))
}

/// Sends log events to stderr, filtered by `--log`, else `RUST_LOG`, else [`DEFAULT_LOG`].
fn init_logging(flag: Option<Targets>) -> Result<(), String> {
    let filter = match flag {
        Some(filter) => filter,
        None => match std::env::var("RUST_LOG") {
            Ok(text) if !text.trim().is_empty() => text
                .trim()
                .parse::<Targets>()
                .map_err(|e| format!("RUST_LOG: `{text}`: {e}"))?,
            _ => log_filter("--log", DEFAULT_LOG)?,
        },
    };
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .try_init()
        .map_err(|e| e.to_string())
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 8080).into();
    let mut config_file = None;
    let mut tenants = Vec::new();
    let mut token_ttl = None;
    let mut strict = false;
    let mut header_timeout = None;
    let mut body_timeout = None;
    let mut max_connections = None;
    let mut log = None;
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--listen" => {
                let text = value("--listen")?;
                listen = text.parse().map_err(|_| {
                    format!("--listen: `{text}` is not an address like 127.0.0.1:8080")
                })?;
            }
            "--config" => config_file = Some(value("--config")?),
            "--tenant" => tenants.push(
                TenantConfig::parse(&value("--tenant")?).map_err(|e| format!("--tenant: {e}"))?,
            ),
            "--token-ttl" => {
                let text = value("--token-ttl")?;
                token_ttl =
                    Some(text.parse::<u64>().map_err(|_| {
                        format!("--token-ttl: `{text}` is not a number of seconds")
                    })?);
            }
            "--strict-messages" => strict = true,
            "--header-timeout" => {
                header_timeout = Some(seconds("--header-timeout", &value("--header-timeout")?)?)
            }
            "--body-timeout" => {
                body_timeout = Some(seconds("--body-timeout", &value("--body-timeout")?)?)
            }
            "--max-connections" => {
                let text = value("--max-connections")?;
                max_connections = Some(text.parse::<usize>().map_err(|_| {
                    format!("--max-connections: `{text}` is not a number of connections")
                })?);
            }
            "--log" => log = Some(log_filter("--log", &value("--log")?)?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let mut config = match config_file {
        Some(path) => MockConfig::from_json_file(path).map_err(|e| e.to_string())?,
        None => MockConfig::default(),
    };
    if !tenants.is_empty() {
        config.tenants = tenants;
    }
    if let Some(ttl) = token_ttl {
        config.token_ttl = ttl;
    }
    config.strict_messages |= strict;
    if let Some(timeout) = header_timeout {
        config.header_read_timeout = timeout;
    }
    if let Some(timeout) = body_timeout {
        config.body_read_timeout = timeout;
    }
    if let Some(connections) = max_connections {
        config.max_connections = connections;
    }
    config.check().map_err(|e| e.to_string())?;
    Ok(Some(Args {
        listen,
        config,
        log,
    }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            say(Stream::Out, format_args!("{USAGE}"));
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            say(
                Stream::Err,
                format_args!("easemob-mock: {problem}\n\n{USAGE}"),
            );
            return ExitCode::from(2);
        }
    };
    if let Err(problem) = init_logging(args.log) {
        say(Stream::Err, format_args!("easemob-mock: {problem}"));
        return ExitCode::from(2);
    }
    let tenants = args.config.tenants.clone();
    let rules = args.config.callbacks.clone();
    let ttl = args.config.token_ttl;
    let handle = match mock::start_on(args.config, args.listen).await {
        Ok(handle) => handle,
        Err(error) => {
            say(
                Stream::Err,
                format_args!("easemob-mock: cannot listen on {}: {error}", args.listen),
            );
            return ExitCode::FAILURE;
        }
    };
    say(
        Stream::Out,
        format_args!("easemob-mock listening on {}", handle.base_url()),
    );
    for tenant in &tenants {
        say(
            Stream::Out,
            format_args!(
                "  tenant {}/{}  client id {}  (base path {}/{}/{})",
                tenant.org,
                tenant.app,
                tenant.client_id,
                handle.base_url(),
                tenant.org,
                tenant.app
            ),
        );
    }
    let lifetime = if ttl == 0 {
        "forever".to_owned()
    } else {
        format!("{ttl} s")
    };
    say(Stream::Out, format_args!("  app tokens live {lifetime}"));
    // The rule's URL, kind and events; never its secret.
    for rule in &rules {
        say(
            Stream::Out,
            format_args!(
                "  callback {:?} to {} for {}",
                rule.kind,
                rule.url,
                rule.events.join(", ")
            ),
        );
    }
    say(Stream::Out, format_args!("Ctrl-C to stop."));
    if let Err(error) = tokio::signal::ctrl_c().await {
        say(
            Stream::Err,
            format_args!("easemob-mock: cannot wait for Ctrl-C: {error}"),
        );
    }
    handle.shutdown().await;
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse(list.iter().map(|s| s.to_string()))
    }

    #[test]
    fn defaults_to_the_demo_tenant() {
        let parsed = args(&[]).unwrap().unwrap();
        assert_eq!(parsed.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(parsed.config, MockConfig::default());
    }

    #[test]
    fn flags() {
        let parsed = args(&[
            "--listen",
            "127.0.0.1:0",
            "--tenant",
            "a/b/c/d",
            "--tenant=e/f/g/h",
            "--token-ttl",
            "5",
            "--strict-messages",
            "--header-timeout",
            "0.5",
            "--body-timeout=2",
            "--max-connections",
            "8",
            "--log",
            "easemob_mock::request=debug,warn",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            parsed.config.header_read_timeout,
            Duration::from_millis(500)
        );
        assert_eq!(parsed.config.body_read_timeout, Duration::from_secs(2));
        assert_eq!(parsed.config.max_connections, 8);
        assert_eq!(parsed.listen.port(), 0);
        assert_eq!(
            parsed.config.tenants,
            vec![
                TenantConfig::new("a", "b", "c", "d"),
                TenantConfig::new("e", "f", "g", "h")
            ]
        );
        assert_eq!(parsed.config.token_ttl, 5);
        assert!(parsed.config.strict_messages);
        let log = parsed.log.unwrap();
        assert!(log.would_enable("easemob_mock::request", &tracing::Level::DEBUG));
        assert!(!log.would_enable("hyper", &tracing::Level::INFO));
        assert!(args(&[]).unwrap().unwrap().log.is_none());
        assert!(args(&["--help"]).unwrap().is_none());
    }

    #[test]
    fn problems() {
        assert!(args(&["--listen", "nowhere"])
            .unwrap_err()
            .contains("--listen"));
        assert!(args(&["--tenant", "a/b"]).unwrap_err().contains("--tenant"));
        assert!(args(&["--token-ttl"])
            .unwrap_err()
            .contains("needs a value"));
        assert!(args(&["--tenant", "a/b/c/d", "--tenant", "a/b/x/y"])
            .unwrap_err()
            .contains("twice"));
        assert!(args(&["--bogus"]).unwrap_err().contains("unknown"));
        assert!(args(&["--log", "loud"]).unwrap_err().contains("--log"));
        assert!(args(&["--header-timeout", "soon"])
            .unwrap_err()
            .contains("--header-timeout"));
        assert!(args(&["--max-connections", "0"])
            .unwrap_err()
            .contains("max_connections"));
        assert!(args(&["--config", "/nonexistent/mock.json"])
            .unwrap_err()
            .contains("cannot read"));
    }
}
