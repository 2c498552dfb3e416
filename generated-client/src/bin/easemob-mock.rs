//! `easemob-mock`: serves the in-memory Easemob mock until Ctrl-C.
//!
//! ```text
//! easemob-mock --listen 127.0.0.1:8080 [--config FILE] [--tenant ORG/APP/CLIENT_ID/CLIENT_SECRET ...]
//!              [--token-ttl SECONDS] [--strict-messages]
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use easemob_im::mock::{self, MockConfig, TenantConfig};

const USAGE: &str = "\
usage: easemob-mock [--listen ADDR] [--config FILE] [--tenant ORG/APP/CLIENT_ID/CLIENT_SECRET]...
                    [--token-ttl SECONDS] [--strict-messages]

Serves a stateful in-memory mock of the Easemob IM REST API until Ctrl-C.

  --listen ADDR        address to listen on (default 127.0.0.1:8080; port 0 picks a free one)
  --config FILE        JSON configuration: {\"tenants\": [{\"org\", \"app\", \"client_id\",
                       \"client_secret\"}], \"token_ttl\", \"recall_window\", \"strict_messages\"}
  --tenant SPEC        serve this app (repeatable); replaces the tenants of the default or
                       of --config. Without any, org `demo`, app `demo`, client id
                       `demo-client-id`, secret `demo-client-secret`
  --token-ttl SECONDS  app token lifetime when the token request has no ttl (0: never expires)
  --strict-messages    refuse messages to unknown recipients and from non-members
  -h, --help           this text";

#[derive(Debug)]
struct Args {
    listen: SocketAddr,
    config: MockConfig,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut listen: SocketAddr = ([127, 0, 0, 1], 8080).into();
    let mut config_file = None;
    let mut tenants = Vec::new();
    let mut token_ttl = None;
    let mut strict = false;
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
    config.check().map_err(|e| e.to_string())?;
    Ok(Some(Args { listen, config }))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("easemob-mock: {problem}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let tenants = args.config.tenants.clone();
    let ttl = args.config.token_ttl;
    let handle = match mock::start_on(args.config, args.listen).await {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("easemob-mock: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    println!("easemob-mock listening on {}", handle.base_url());
    for tenant in &tenants {
        println!(
            "  tenant {}/{}  client id {}  (base path {}/{}/{})",
            tenant.org,
            tenant.app,
            tenant.client_id,
            handle.base_url(),
            tenant.org,
            tenant.app
        );
    }
    println!(
        "  app tokens live {}",
        if ttl == 0 {
            "forever".to_owned()
        } else {
            format!("{ttl} s")
        }
    );
    println!("Ctrl-C to stop.");
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("easemob-mock: cannot wait for Ctrl-C: {error}");
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
        ])
        .unwrap()
        .unwrap();
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
        assert!(args(&["--config", "/nonexistent/mock.json"])
            .unwrap_err()
            .contains("cannot read"));
    }
}
