//! The mock's HTTP/1.1 server, made from a listener, the mock's router and the limits of
//! its [`MockConfig`](super::MockConfig): at most `max_connections` connections at once
//! (more wait to be accepted), a request head (or the wait for the next one on an idle
//! connection) within `header_read_timeout`, a body within `body_read_timeout` (the
//! router answers `408`), and the errors the HTTP parser answers by itself (`400`, `414`,
//! `431`) in Easemob's JSON error format rather than with an empty body.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Semaphore};
use tokio::task::JoinSet;

use crate::models::ErrorCode;
use crate::server::{BodyReadTimeout, ServerError};

/// How the server protects itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) header_read_timeout: Option<Duration>,
    pub(crate) body_read_timeout: Option<Duration>,
    pub(crate) max_connections: usize,
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped), then closes
/// the connections gracefully and returns once they are done.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let app = match limits.body_read_timeout {
        Some(timeout) => app.layer(axum::Extension(BodyReadTimeout(timeout))),
        None => app,
    };
    let service = TowerToHyperService::new(app);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, closing_seen) = watch::channel(false);
    let mut connections = JoinSet::new();
    loop {
        // A slot first: beyond the limit, connections wait in the listen backlog.
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%error, "the mock could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        while connections.try_join_next().is_some() {}
        let service = service.clone();
        let mut closing_seen = closing_seen.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let connection =
                builder.serve_connection(TokioIo::new(JsonHttpErrors::new(stream)), service);
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%error, "mock connection ended");
                    }
                }
                _ = closing_seen.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}

/// A connection whose automatic error answers from the HTTP parser get an Easemob JSON
/// body. The parser writes such an answer — a head with `content-length: 0`, status 400,
/// 414 or 431 — only when a request head could not be parsed, so no response of the
/// router is in progress then; the router's own answers always carry a body.
struct JsonHttpErrors {
    inner: TcpStream,
    /// A replacement answer still to be written.
    pending: Vec<u8>,
    written: usize,
}

impl JsonHttpErrors {
    fn new(inner: TcpStream) -> JsonHttpErrors {
        JsonHttpErrors {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }

    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl AsyncRead for JsonHttpErrors {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for JsonHttpErrors {
    // Not vectored, so that the parser hands over each answer's head in one buffer.
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some((status, answer)) = json_error_answer(buf) {
            tracing::info!(
                target: super::REQUEST_TARGET,
                status,
                "a request the HTTP parser refused"
            );
            self.pending = answer;
            // Written on the next write, flush or shutdown, which the parser always calls.
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// If `written` is exactly one of the parser's own error answers (a bodiless head), the
/// same answer with an Easemob error body, and its status.
fn json_error_answer(written: &[u8]) -> Option<(u16, Vec<u8>)> {
    if written.len() > 1024 || !written.starts_with(b"HTTP/1.") || !written.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(&written[..written.len() - 4]).ok()?;
    if head.contains("\r\n\r\n") {
        return None;
    }
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.split(' ').nth(1)?.parse().ok()?;
    let description = match status {
        400 => "Bad Request: the request could not be parsed as HTTP",
        414 => "URI Too Long: the request target is longer than this server accepts",
        431 => {
            "Request Header Fields Too Large: the request head is larger than this server accepts"
        }
        _ => return None,
    };
    let headers: Vec<&str> = lines.collect();
    if !headers
        .iter()
        .any(|h| h.eq_ignore_ascii_case("content-length: 0"))
        || headers
            .iter()
            .any(|h| h.to_ascii_lowercase().starts_with("content-type:"))
    {
        return None;
    }
    let body =
        serde_json::to_vec(&ServerError::new(status, ErrorCode::IllegalArgument, description).body)
            .ok()?;
    let mut answer = format!("{status_line}\r\n");
    for header in headers
        .iter()
        .filter(|h| !h.to_ascii_lowercase().starts_with("content-length:"))
    {
        answer.push_str(header);
        answer.push_str("\r\n");
    }
    answer.push_str(&format!(
        "content-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    ));
    let mut answer = answer.into_bytes();
    answer.extend_from_slice(&body);
    Some((status, answer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_errors_get_a_json_body() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        let (status, answer) = json_error_answer(head).unwrap();
        assert_eq!(status, 431);
        let answer = String::from_utf8(answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("date: Thu"), "{head}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert!(
            head.contains(&format!("content-length: {}", body.len())),
            "{head}"
        );
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"], "illegal_argument");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("too large")
                || body["error_description"]
                    .as_str()
                    .unwrap()
                    .contains("larger")
        );
    }

    #[test]
    fn other_writes_pass_unchanged() {
        for written in [
            &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 431 X\r\ncontent-length: 5\r\n\r\n",
            b"HTTP/1.1 414 X\r\ncontent-length: 0\r\n\r\nHTTP/1.1 414 X\r\ncontent-length: 0\r\n\r\n",
            b"some body bytes\r\n\r\n",
        ] {
            assert!(json_error_answer(written).is_none(), "{}", String::from_utf8_lossy(written));
        }
    }
}
