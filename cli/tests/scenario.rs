//! The `easemob` binary against the mock server (in this process): a realistic session
//! through the command line, asserting on its standard output and exit statuses; then the
//! failures each exit status stands for, profiles, and what is never printed.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use easemob_im::mock::{self, MockConfig, MockHandle};
use serde_json::Value;

/// Runs the binary with only the variables given (no `EASEMOB_*` or config of the machine).
struct Cli {
    env: Vec<(String, String)>,
    home: PathBuf,
}

impl Cli {
    fn against(mock: &MockHandle, name: &str) -> Cli {
        let tenant = &mock.server().config().tenants[0];
        let home = std::env::temp_dir().join(format!("easemob-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(&home).unwrap();
        Cli {
            env: vec![
                ("EASEMOB_BASE_URL".into(), mock.base_url()),
                ("EASEMOB_APP_KEY".into(), format!("{}#{}", tenant.org, tenant.app)),
                ("EASEMOB_CLIENT_ID".into(), tenant.client_id.clone()),
                ("EASEMOB_CLIENT_SECRET".into(), tenant.client_secret.clone()),
                ("HOME".into(), home.display().to_string()),
            ],
            home,
        }
    }

    fn without(mut self, name: &str) -> Cli {
        self.env.retain(|(n, _)| n != name);
        self
    }

    fn with(mut self, name: &str, value: &str) -> Cli {
        self.env.retain(|(n, _)| n != name);
        self.env.push((name.into(), value.into()));
        self
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, "")
    }

    fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_easemob"))
            .args(args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    }

    /// Runs a command that must succeed and print one JSON document.
    fn json(&self, args: &[&str]) -> Value {
        let output = self.run(args);
        assert_eq!(code(&output), 0, "`easemob {}` failed: {}", args.join(" "), stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("`easemob {}` printed no JSON ({e}): {}", args.join(" "), stdout(&output)))
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_group_send_list_delete() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let cli = Cli::against(&mock, "scenario");

    // Register one user from flags and two from a JSON body on standard input.
    let alice = cli.json(&["users", "register", "--username", "alice", "--password", "secret-1"]);
    assert_eq!(alice["entities"][0]["username"], "alice");
    let output = cli.run_with_input(
        &["users", "register-users", "--body", "-"],
        r#"[{"username": "bob", "password": "secret-2"}, {"username": "carol", "password": "secret-3"}]"#,
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(mock.server().usernames("demo", "demo").contains(&"carol".to_owned()));
    // The operation id reaches the same command.
    assert_eq!(cli.json(&["users", "get-user", "bob"])["entities"][0]["username"], "bob");

    // A group owned by alice, with bob and carol as members.
    let created = cli.json(&["groups", "create", "--group-name", "team", "--public", "true", "--owner", "alice", "--max-users", "50"]);
    let group = created["data"]["groupid"].as_str().expect("a group id").to_owned();
    let added = cli.json(&["groups", "add-members", &group, "--usernames", "bob,carol"]);
    assert_eq!(added["data"]["newmembers"], serde_json::json!(["bob", "carol"]));

    // A text message to the group; the message's `type` is set by the command.
    // The message text may come last, as in `send-group-text --to G "hello team"`.
    let sent = cli.json(&["messages", "send-group-text", "--from", "alice", "--to", &group, "hello team"]);
    assert!(sent["data"][&group].is_string(), "no message id: {sent}");
    assert_eq!(mock.server().sent_messages("demo", "demo").len(), 1);

    // Every member, one JSON line each, over pages of one.
    let output = cli.run(&["groups", "list-members", &group, "--all", "--page-size", "1"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let lines: Vec<Value> = stdout(&output).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines, vec![serde_json::json!({"owner": "alice"}), serde_json::json!({"member": "bob"}), serde_json::json!({"member": "carol"})]);

    // The same through the vendor SDK's `version=v3` listing: ids, by cursor.
    let output = cli.run(&["groups", "list-member-ids", &group, "--all", "--limit", "2"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "\"alice\"\n\"bob\"\n\"carol\"\n");

    // Deleting asks first: with no terminal, it refuses without --yes and sends nothing.
    let output = cli.run(&["groups", "delete", &group]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--yes"), "{}", stderr(&output));
    assert!(stderr(&output).contains(&format!("(DELETE /chatgroups/{group})")), "{}", stderr(&output));
    assert!(cli.json(&["groups", "get-groups", &group])["data"][0]["id"] == group.as_str());
    let deleted = cli.json(&["groups", "delete", &group, "--yes"]);
    assert_eq!(deleted["data"]["success"], true);

    // Now it is gone: 404 is exit status 4, with the Easemob error on standard error.
    let output = cli.run(&["groups", "delete", &group, "--yes"]);
    assert_eq!(code(&output), 4);
    assert!(stderr(&output).starts_with("error: service_resource_not_found (HTTP 404)"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_checked_by_the_models_before_sending() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let cli = Cli::against(&mock, "bodies");

    // A required field left out names its flag.
    let output = cli.run(&["users", "register", "--password", "secret-1"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("missing field `username`; set it with --username"), "{}", stderr(&output));
    // A body of the wrong shape, from a file.
    let file = cli.home.join("body.json");
    std::fs::write(&file, r#"{"username": 7, "password": "x"}"#).unwrap();
    let output = cli.run(&["users", "register", "--body", file.to_str().unwrap()]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("at `username`"), "{}", stderr(&output));
    // Flags override the file's fields.
    std::fs::write(&file, r#"{"username": "dave", "password": "secret-4"}"#).unwrap();
    let registered = cli.json(&["users", "register", "--body", file.to_str().unwrap(), "--username", "erin"]);
    assert_eq!(registered["entities"][0]["username"], "erin");
    // Not JSON at all.
    let output = cli.run_with_input(&["users", "register-users", "--body", "-"], "{not json");
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--body: standard input is not JSON"), "{}", stderr(&output));
    // Limits the client checks: more than 60 users per batch.
    let many: Vec<Value> = (0..61).map(|i| serde_json::json!({"username": format!("u{i}"), "password": "secret-1"})).collect();
    let output = cli.run_with_input(&["users", "register-users", "--body", "-"], &serde_json::to_string(&many).unwrap());
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(!mock.server().usernames("demo", "demo").contains(&"u0".to_owned()));
    // The text by its flag; and not both ways at once.
    cli.json(&["users", "register", "--username", "bob", "--password", "secret-2"]);
    cli.json(&["messages", "send-user-text", "--to", "bob", "--body-msg", "hi"]);
    assert_eq!(code(&cli.run(&["messages", "send-user-text", "--to", "bob", "--body-msg", "hi", "hello"])), 2);
    // A value clap checks: not an integer.
    let output = cli.run(&["users", "list-users", "--limit", "many"]);
    assert_eq!(code(&output), 2);
    // A map body from --set entries.
    cli.json(&["users", "register", "--username", "frank", "--password", "secret-5"]);
    let set = cli.json(&["metadata", "set-user", "frank", "--set", "city=Beijing", "--set", "lang=zh=CN"]);
    assert_eq!(set["data"], serde_json::json!({"city": "Beijing", "lang": "zh=CN"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_output_files_and_tokens() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let cli = Cli::against(&mock, "files");
    cli.json(&["users", "register", "--username", "alice", "--password", "secret-1"]);

    // --raw prints the body as the server sent it (the mock's key order, every field).
    let output = cli.run(&["--raw", "users", "get", "alice"]);
    assert_eq!(code(&output), 0);
    let raw: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(raw["entities"][0]["username"], "alice");

    // Upload a file, then download it to --output.
    let source = cli.home.join("hello.txt");
    std::fs::write(&source, b"hello from the command line").unwrap();
    let uploaded = cli.json(&["files", "upload-chat", "--file", source.to_str().unwrap()]);
    let uuid = uploaded["entities"][0]["uuid"].as_str().expect("an uuid").to_owned();
    let target = cli.home.join("copy.txt");
    let output = cli.run(&["files", "download-chat", &uuid, "--output", target.to_str().unwrap()]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(std::fs::read(&target).unwrap(), b"hello from the command line");
    // Without --output, to standard output (a pipe here).
    let output = cli.run(&["files", "download-chat", &uuid]);
    assert_eq!(output.stdout, b"hello from the command line");
    // An unknown file: 404, and nothing is left at the target.
    let missing = cli.home.join("missing.txt");
    let output = cli.run(&["files", "download-chat", "00000000-0000-0000-0000-000000000000", "--output", missing.to_str().unwrap()]);
    assert_eq!(code(&output), 4, "{}", stderr(&output));
    assert!(!missing.exists());

    // `token` prints just the token, which the mock accepts.
    let output = cli.run(&["token"]);
    assert_eq!(code(&output), 0);
    let token = stdout(&output).trim().to_owned();
    assert!(!token.is_empty() && !token.contains(char::is_whitespace));
    let mut response = String::new();
    let mut stream = std::net::TcpStream::connect(mock.addr()).unwrap();
    write!(stream, "GET /demo/demo/users/alice HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n").unwrap();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_statuses_name_the_failure() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let cli = Cli::against(&mock, "exits");

    // Usage: an unknown command.
    assert_eq!(code(&cli.run(&["users", "fetch", "alice"])), 2);
    // Authentication: a wrong secret.
    let wrong = Cli::against(&mock, "exits-auth").with("EASEMOB_CLIENT_SECRET", "not-the-secret");
    let output = wrong.run(&["users", "get", "alice"]);
    assert_eq!(code(&output), 3, "{}", stderr(&output));
    assert!(!stderr(&output).contains("not-the-secret"));
    // A missing setting says where to give it.
    let output = Cli::against(&mock, "exits-missing").without("EASEMOB_CLIENT_ID").run(&["users", "get", "alice"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("--client-id") && stderr(&output).contains("EASEMOB_CLIENT_ID"), "{}", stderr(&output));
    // Transport: nothing listens there.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let output = Cli::against(&mock, "exits-transport").with("EASEMOB_BASE_URL", &url).with("EASEMOB_TIMEOUT_SECS", "5").run(&["users", "get", "alice"]);
    assert_eq!(code(&output), 7, "{}", stderr(&output));
    // Server error and rate limiting, from a server that answers every request so.
    for (status, expected) in [(500, 6), (429, 5)] {
        let url = answer_always(status);
        let output = Cli::against(&mock, "exits-status").with("EASEMOB_BASE_URL", &url).run(&["users", "get", "alice"]);
        assert_eq!(code(&output), expected, "HTTP {status}: {}", stderr(&output));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profiles_of_the_config_file() {
    let mock = mock::start(MockConfig::default()).await.unwrap();
    let tenant = mock.server().config().tenants[0].clone();
    // Only HOME: every setting comes from the file.
    let cli = Cli::against(&mock, "profiles")
        .without("EASEMOB_BASE_URL")
        .without("EASEMOB_APP_KEY")
        .without("EASEMOB_CLIENT_ID")
        .without("EASEMOB_CLIENT_SECRET");
    let dir = cli.home.join(".config/easemob");
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "default_profile = \"local\"\n\n[profiles.local]\nbase_url = \"{}\"\norg_name = \"{}\"\napp_name = \"{}\"\nclient_id = \"{}\"\nclient_secret = \"{}\"\n\n[profiles.staging]\nbase_url = \"http://127.0.0.1:9\"\napp_key = \"org#app\"\n",
            mock.base_url(),
            tenant.org,
            tenant.app,
            tenant.client_id,
            tenant.client_secret
        ),
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::PermissionsExt::set_mode(&mut std::fs::metadata(&config).unwrap().permissions(), 0o600);
    #[cfg(unix)]
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();

    cli.json(&["users", "register", "--username", "alice", "--password", "secret-1"]);
    // `config` says where each setting comes from, and never prints the secret.
    let output = cli.run(&["config"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("profile `local`"), "{text}");
    assert!(text.contains("client_secret: set, not shown"), "{text}");
    assert!(!text.contains(&tenant.client_secret));
    // A flag wins over the profile, and says so.
    let text = stdout(&cli.run(&["config", "--client-id", "other-id"]));
    assert!(text.contains("client_id: other-id (--client-id)"), "{text}");
    // A profile without credentials says what is missing; an unknown one lists the others.
    let output = cli.run(&["--profile", "staging", "users", "get", "alice"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no client id"), "{}", stderr(&output));
    let output = cli.run(&["--profile", "prod", "users", "get", "alice"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("no profile `prod`") && stderr(&output).contains("local, staging"), "{}", stderr(&output));
    // A typo in the file is an error with its place.
    std::fs::write(&config, "[profiles.local]\nbase_ulr = \"x\"\n").unwrap();
    let output = cli.run(&["users", "get", "alice"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("base_ulr") && stderr(&output).contains("line 2"), "{}", stderr(&output));
}

#[test]
fn mock_flag_needs_no_account_and_helpers_print() {
    let cli = Cli { env: vec![("HOME".into(), std::env::temp_dir().display().to_string())], home: std::env::temp_dir().join("easemob-cli-unused") };
    let output = cli.run(&["--mock", "users", "register", "--username", "zed", "--password", "secret-1"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // Destructive commands need no confirmation against the mock.
    let output = cli.run(&["--mock", "users", "delete", "zed"]);
    assert_eq!(code(&output), 4, "a fresh mock per command: {}", stderr(&output));
    let output = cli.run(&["completions", "bash"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).contains("easemob__subcmd__users__subcmd__get)"), "no completion for `users get`");
    let output = cli.run(&["man"]);
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).starts_with(".ie \\n(.g .ds Aq"), "{}", &stdout(&output)[..80.min(output.stdout.len())]);
}

/// A server that answers every request with `status` and an Easemob error body.
fn answer_always(status: u16) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buffer = [0u8; 8192];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buffer[..n]),
                    }
                }
                let body = r#"{"error":"server_busy","error_description":"try later"}"#;
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} Status\r\nContent-Type: application/json\r\nRetry-After: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            });
        }
    });
    url
}

#[test]
fn mock_command_serves_until_stopped_and_prints_its_variables() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_easemob"))
        .args(["mock", "--listen", "127.0.0.1:0"])
        .env_clear()
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let exports: Vec<(String, String)> = line
        .trim()
        .strip_prefix("export ")
        .expect("an export line")
        .split(' ')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.trim_matches('\'').to_owned())
        })
        .collect();
    let cli = Cli { env: exports, home: std::env::temp_dir().join("easemob-cli-unused") };
    // State lasts from one command to the next.
    cli.json(&["users", "register", "--username", "alice", "--password", "secret-1"]);
    assert_eq!(cli.json(&["users", "get", "alice"])["entities"][0]["username"], "alice");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Ctrl-C during a download: status 130, and neither the file nor its temporary part is
/// left behind. The server sends the head and a few bytes, then stalls.
#[cfg(unix)]
#[test]
fn an_interrupted_download_leaves_no_file() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut buffer = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buffer) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buffer[..n]),
                    }
                }
                if head.starts_with(b"POST") {
                    let body = r#"{"access_token":"token-1","expires_in":3600,"application":"app"}"#;
                    let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
                } else {
                    let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\nfirst bytes");
                    let _ = stream.flush();
                    std::thread::sleep(std::time::Duration::from_secs(30));
                }
            });
        }
    });
    let dir = std::env::temp_dir().join(format!("easemob-cli-interrupt-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("file.bin");
    let child = Command::new(env!("CARGO_BIN_EXE_easemob"))
        .args(["files", "download-chat", "some-uuid", "--output", target.to_str().unwrap()])
        .env_clear()
        .envs([
            ("EASEMOB_BASE_URL", url.as_str()),
            ("EASEMOB_APP_KEY", "org#app"),
            ("EASEMOB_CLIENT_ID", "id"),
            ("EASEMOB_CLIENT_SECRET", "secret"),
            ("HOME", dir.to_str().unwrap()),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the temporary part to appear: the download is under way.
    let started = std::time::Instant::now();
    while std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).all(|e| !e.file_name().to_string_lossy().ends_with(".part")) {
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the download never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
    assert!(stderr(&output).contains("interrupted"), "{}", stderr(&output));
    let left: Vec<String> = std::fs::read_dir(&dir).unwrap().filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
