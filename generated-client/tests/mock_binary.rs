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
