//! Raw HTTP/1.1 over loopback TCP for the hostile-request tests: requests a real client
//! would refuse to send (raw dot segments, 70 KB URIs, half-sent bodies), and the answer
//! as bytes, headers and JSON.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// No single exchange in these tests may take longer.
pub const EXCHANGE_LIMIT: Duration = Duration::from_secs(10);

/// An answer as read from the socket.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }

    pub fn assert_status(&self, status: u16) {
        assert_eq!(self.status, status, "{}", self.text());
    }

    /// An Easemob error body: `error` and `error_description` strings, JSON content type.
    pub fn assert_easemob_error(&self) -> Value {
        assert!(
            self.status >= 400,
            "status {}: {}",
            self.status,
            self.text()
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "status {}: {}",
            self.status,
            self.text()
        );
        let body = self.json();
        assert!(body["error"].is_string(), "{body}");
        assert!(body["error_description"].is_string(), "{body}");
        body
    }

    pub fn assert_error(&self, status: u16, code: &str) {
        let body = self.assert_easemob_error();
        assert_eq!(self.status, status, "{body}");
        assert_eq!(body["error"], code, "{body}");
    }
}

/// Sends one request (with `connection: close`) and reads the whole answer.
pub async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Answer {
    let mut head = format!("{method} {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    exchange(addr, &bytes).await
}

/// Sends `head` (which must end with an empty line) and no body; reads the answer.
pub async fn send_head_only(addr: SocketAddr, head: &str, limit: Duration) -> Answer {
    tokio::time::timeout(limit, exchange(addr, head.as_bytes()))
        .await
        .unwrap_or_else(|_| panic!("no answer within {limit:?} to {head:?}"))
}

/// POSTs `body` as JSON with chunked transfer encoding.
pub async fn send_chunked(addr: SocketAddr, target: &str, auth: &str, body: &[u8]) -> Answer {
    let mut bytes = format!(
        "POST {target} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\nauthorization: {auth}\r\n\
         content-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    for chunk in body.chunks(64 * 1024) {
        bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        bytes.extend_from_slice(chunk);
        bytes.extend_from_slice(b"\r\n");
    }
    bytes.extend_from_slice(b"0\r\n\r\n");
    exchange(addr, &bytes).await
}

async fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let run = async {
        let stream = TcpStream::connect(addr).await.expect("connect");
        let (mut read, mut write) = stream.into_split();
        // Write while reading: the server may answer (and close) before taking everything.
        let request = request.to_vec();
        let writer = tokio::spawn(async move {
            let _ = write.write_all(&request).await;
            write
        });
        let mut raw = Vec::new();
        let _ = read.read_to_end(&mut raw).await;
        drop(writer.await);
        parse(&raw)
    };
    tokio::time::timeout(EXCHANGE_LIMIT, run)
        .await
        .expect("the exchange ends in time")
}

/// Parses the final (non-1xx) answer in `raw`.
pub fn parse(mut raw: &[u8]) -> Answer {
    loop {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or_else(|| panic!("no complete head in {:?}", String::from_utf8_lossy(raw)));
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let rest = &raw[end + 4..];
        let mut lines = head.split("\r\n");
        let status: u16 = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {head:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        if (100..200).contains(&status) {
            raw = rest;
            continue;
        }
        let length = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok());
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        let body = if chunked {
            dechunk(rest)
        } else {
            rest[..length.unwrap_or(rest.len()).min(rest.len())].to_vec()
        };
        return Answer {
            status,
            headers,
            body,
        };
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(i) = raw.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..i]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = i + 2;
        out.extend_from_slice(&raw[start..(start + size).min(raw.len())]);
        raw = &raw[(start + size + 2).min(raw.len())..];
    }
    out
}

/// An app token from the mock's token endpoint.
pub async fn app_token(addr: SocketAddr, org: &str, app: &str, id: &str, secret: &str) -> String {
    let body = serde_json::json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret});
    let answer = send(
        addr,
        "POST",
        &format!("/{org}/{app}/token"),
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
    .await;
    answer.assert_status(200);
    answer.json()["access_token"]
        .as_str()
        .expect("a token")
        .to_owned()
}
