//! The `easemob-mock` binary as a user runs it: its output piped into a program that stops
//! reading (`easemob-mock | head -1`).
#![cfg(feature = "mock")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A free loopback port (free when this returns; the race is harmless in a test).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn keeps_serving_when_stdout_is_closed() {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_easemob-mock"))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        // A panic would otherwise spend long on printing a backtrace before exiting.
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Close the reading end before the banner is printed, as `head -1` does after a line.
    drop(child.stdout.take());

    let start = Instant::now();
    let answer = loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            panic!("easemob-mock exited with {status}: {stderr}");
        }
        if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
            stream
                .write_all(b"GET /demo/demo/users HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            break answer;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the mock never listened"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    // The banner is printed right after listening; a failed print used to end the process.
    for _ in 0..25 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("easemob-mock exited with {status} after its stdout closed");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Starts the binary with `args` (and `RUST_LOG` if given) on a free port; waits until it
/// answers.
fn start(args: &[&str], rust_log: Option<&str>) -> (std::process::Child, u16) {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_easemob-mock"));
    command
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(args)
        .env_remove("RUST_LOG")
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Some(filter) = rust_log {
        command.env("RUST_LOG", filter);
    }
    let mut child = command.spawn().expect("the binary starts");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("easemob-mock exited with {status}");
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the mock never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, port)
}

/// Sends one raw HTTP/1.1 request and returns the answer.
fn request(port: u16, head: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Stops the binary and returns what it wrote on stderr.
fn stop(mut child: std::process::Child) -> String {
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    stderr
}

/// `POST /demo/demo/token` with the demo tenant's credentials.
fn token_request() -> String {
    let body = r#"{"grant_type":"client_credentials","client_id":"demo-client-id","client_secret":"demo-client-secret"}"#;
    format!(
        "POST /demo/demo/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\
         content-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn logs_one_line_per_request_without_secrets() {
    let (child, port) = start(&["--log", "info"], Some("off"));
    let answer = request(port, &token_request());
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let token = answer
        .split("\"access_token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a token")
        .to_owned();
    let answer = request(
        port,
        &format!(
            "GET /demo/demo/users?limit=2&access_token=QUERY-SECRET HTTP/1.1\r\nhost: x\r\n\
             authorization: Bearer {token}\r\nconnection: close\r\n\r\n"
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let answer = request(port, "GET /demo/demo/users HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    let log = stop(child);

    let lines: Vec<&str> = log.lines().filter(|l| l.contains("easemob_mock::request")).collect();
    assert_eq!(lines.len(), 3, "one line per request (--log wins over RUST_LOG): {log}");
    for (line, (method, path, status)) in lines.iter().zip([
        ("POST", "/demo/demo/token", 200),
        ("GET", "/demo/demo/users?limit=2&access_token=***", 200),
        ("GET", "/demo/demo/users", 401),
    ]) {
        assert!(line.contains(" INFO "), "{line}");
        assert!(line.contains(&format!("method={method} path={path} status={status} duration_ms=")), "{line}");
    }
    for secret in [token.as_str(), "QUERY-SECRET", "demo-client-secret", "Bearer"] {
        assert!(!log.contains(secret), "{secret:?} logged: {log}");
    }
}

#[test]
fn log_level_from_rust_log_or_the_flag() {
    // RUST_LOG=warn: no request lines.
    let (child, port) = start(&[], Some("warn"));
    request(port, "GET /demo/demo/users HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    let log = stop(child);
    assert!(!log.contains("easemob_mock::request"), "{log}");

    // Neither: request lines by default.
    let (child, port) = start(&[], None);
    request(port, "GET /demo/demo/users HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    let log = stop(child);
    assert!(log.contains("easemob_mock::request"), "{log}");

    // A directive list, and a level that is not one.
    let (child, port) = start(&["--log=easemob_mock::request=off,info"], None);
    request(port, "GET /demo/demo/users HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
    let log = stop(child);
    assert!(!log.contains("easemob_mock::request"), "{log}");
    let output = Command::new(env!("CARGO_BIN_EXE_easemob-mock"))
        .args(["--log", "loud"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--log: `loud` is not a level"));
}

#[test]
fn prints_callback_rules_without_their_secret() {
    let dir = std::env::temp_dir().join(format!("easemob-mock-callbacks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.json");
    std::fs::write(
        &file,
        r#"{"callbacks": [{"url": "http://127.0.0.1:9/easemob/events", "secret": "RULE-SECRET-VALUE", "events": ["chat_message", "recall"]}]}"#,
    )
    .unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_easemob-mock"))
        .args(["--listen", &format!("127.0.0.1:{port}"), "--log", "off", "--config"])
        .arg(&file)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(child.try_wait().unwrap().is_none(), "easemob-mock exited");
        assert!(start.elapsed() < Duration::from_secs(20), "the mock never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The banner is written right after listening; give it a moment.
    std::thread::sleep(Duration::from_millis(200));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        stdout.contains("callback PostSend to http://127.0.0.1:9/easemob/events for chat_message, recall"),
        "{stdout}"
    );
    assert!(!stdout.contains("RULE-SECRET-VALUE"), "{stdout}");
}
