//! Uploads (multipart from a path, bytes and a reader) and downloads (`ByteStream`,
//! `write_to_file`) over loopback.

mod runtime_support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::body::Body as AxumBody;
use axum::extract::Multipart as AxumMultipart;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get as get_route, post};
use axum::{Json, Router};
use easemob_im::files::{ByteStream, FileSource};
use easemob_im::request::{Body, Multipart, OperationRequest};
use easemob_im::{Credentials, Error};
use futures_util::StreamExt;
use runtime_support::*;
use serde_json::{json, Value};

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "easemob-im-{tag}-{}-{:x}",
            std::process::id(),
            fastrand_u64()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    h.finish()
}

/// `POST /org/app/chatfiles`: describes every part it receives, with the restrict-access
/// header. Answers 503 to the first `fail_first` requests (after reading the body).
async fn upload_server(fail_first: usize) -> (String, Counter) {
    let hits = Counter::default();
    let h = hits.clone();
    let router = Router::new().route(
        "/org/app/chatfiles",
        post(move |headers: HeaderMap, mut multipart: AxumMultipart| {
            let n = h.incr();
            async move {
                assert_eq!(bearer(&headers).as_deref(), Some("fixed"));
                let mut parts = Vec::new();
                while let Some(field) = multipart.next_field().await.unwrap() {
                    let name = field.name().map(str::to_owned);
                    let file_name = field.file_name().map(str::to_owned);
                    let content_type = field.content_type().map(str::to_owned);
                    let data = field.bytes().await.unwrap();
                    parts.push(json!({
                        "name": name,
                        "file_name": file_name,
                        "content_type": content_type,
                        "len": data.len(),
                        "text": String::from_utf8(data.to_vec()).ok().filter(|t| t.len() < 100),
                        "sum": data.iter().map(|&b| u64::from(b)).sum::<u64>(),
                    }));
                }
                if n <= fail_first {
                    return (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
                }
                Json(json!({
                    "restrict_access": headers.get("restrict-access").and_then(|v| v.to_str().ok()),
                    "content_type": headers.get("content-type").and_then(|v| v.to_str().ok()),
                    "parts": parts,
                }))
                .into_response()
            }
        }),
    );
    (serve(router).await, hits)
}

fn upload(file: FileSource) -> OperationRequest {
    let mut req = OperationRequest::new(
        "upload_chat_file",
        easemob_im::reqwest::Method::POST,
        "/chatfiles",
        "/chatfiles",
    )
    .header("restrict-access", "true")
    .body(Body::Multipart(
        Multipart::new()
            .text("thumbnail-height", "100".to_owned())
            .file("file", file)
            .text("thumbnail-width", "80".to_owned()),
    ));
    req.rate_limit = easemob_im::request::RateLimit::per_second(100);
    req
}

fn fixed(base: &str) -> easemob_im::ClientBuilder {
    client(base).credentials(Credentials::token("fixed"))
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

fn sum(data: &[u8]) -> u64 {
    data.iter().map(|&b| u64::from(b)).sum()
}

#[tokio::test]
async fn upload_from_path_streams_the_file() {
    let dir = TempDir::new("upload");
    let path = dir.path().join("photo.jpg");
    let data = sample(300_000);
    std::fs::write(&path, &data).unwrap();
    let (base, hits) = upload_server(0).await;
    let client = fixed(&base).build().unwrap();

    // A stray Content-Type must not replace the multipart one.
    let req = upload(FileSource::path(&path)).header("Content-Type", "application/json");
    let v: Value = client.execute_json(req).await.unwrap();
    assert_eq!(v["restrict_access"], "true");
    assert!(v["content_type"]
        .as_str()
        .unwrap()
        .starts_with("multipart/form-data; boundary="));
    let parts = v["parts"].as_array().unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[0]["name"], "thumbnail-height");
    assert_eq!(parts[0]["text"], "100");
    assert_eq!(parts[1]["name"], "file");
    assert_eq!(parts[1]["file_name"], "photo.jpg");
    assert_eq!(parts[1]["content_type"], "image/jpeg");
    assert_eq!(parts[1]["len"], data.len());
    assert_eq!(parts[1]["sum"], sum(&data));
    assert_eq!(parts[2]["name"], "thumbnail-width");
    assert_eq!(parts[2]["text"], "80");
    assert_eq!(hits.get(), 1);
}

#[tokio::test]
async fn upload_from_path_and_bytes_is_replayed_on_retry() {
    let dir = TempDir::new("replay");
    let path = dir.path().join("voice.amr");
    std::fs::write(&path, sample(1000)).unwrap();
    let (base, hits) = upload_server(1).await;
    let client = fixed(&base).build().unwrap();
    // Uploads are not idempotent by default; this one says it is.
    let v: Value = client
        .execute_json(upload(FileSource::path(&path)).idempotent(true))
        .await
        .unwrap();
    assert_eq!(
        v["parts"][1]["len"], 1000,
        "the whole file again on the second attempt"
    );
    assert_eq!(hits.get(), 2);

    let (base, hits) = upload_server(1).await;
    let client = fixed(&base).build().unwrap();
    let file =
        FileSource::bytes("note.txt", "hello bytes").with_content_type("text/plain; charset=utf-8");
    let v: Value = client
        .execute_json(upload(file).idempotent(true))
        .await
        .unwrap();
    assert_eq!(v["parts"][1]["text"], "hello bytes");
    assert_eq!(v["parts"][1]["file_name"], "note.txt");
    assert_eq!(v["parts"][1]["content_type"], "text/plain; charset=utf-8");
    assert_eq!(hits.get(), 2);
}

#[tokio::test]
async fn upload_from_reader_is_sent_once() {
    let data = sample(70_000);
    let (base, hits) = upload_server(0).await;
    let client = fixed(&base).build().unwrap();
    let reader = std::io::Cursor::new(data.clone());
    let v: Value = client
        .execute_json(upload(FileSource::reader("clip.mp4", reader)))
        .await
        .unwrap();
    assert_eq!(v["parts"][1]["len"], data.len());
    assert_eq!(v["parts"][1]["sum"], sum(&data));
    assert_eq!(v["parts"][1]["content_type"], "video/mp4");
    assert_eq!(hits.get(), 1);

    // A reader cannot be replayed: no retry even when the request is idempotent.
    let (base, hits) = upload_server(1).await;
    let client = fixed(&base).build().unwrap();
    let reader = std::io::Cursor::new(data);
    let err = client
        .execute_json::<Value>(upload(FileSource::reader("clip.mp4", reader)).idempotent(true))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(hits.get(), 1);
}

#[tokio::test]
async fn upload_of_a_missing_file_is_an_io_error() {
    let (base, hits) = upload_server(0).await;
    let client = fixed(&base).build().unwrap();
    let err = client
        .execute_empty(upload(FileSource::path("/no/such/dir/file.png")))
        .await
        .unwrap_err();
    let Error::Io(e) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
    assert!(err.to_string().contains("/no/such/dir/file.png"), "{err}");
    assert_eq!(hits.get(), 0);
}

/// `GET /org/app/chatfiles/{id}`: `good` sends `sample(len)`; `broken` declares the same
/// length but fails half-way; anything else is a 404. Checks the Accept header.
async fn download_server(len: usize) -> String {
    let router = Router::new().route(
        "/org/app/chatfiles/{id}",
        get_route(move |axum::extract::Path(id): axum::extract::Path<String>, headers: HeaderMap| async move {
            assert_eq!(headers["accept"], "application/octet-stream");
            let data = sample(len);
            match id.as_str() {
                "good" => ([("content-type", "image/png")], data).into_response(),
                "broken" => {
                    let half = data[..len / 2].to_vec();
                    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                        vec![Ok(half), Err(std::io::Error::other("disk on fire"))];
                    let stream = futures_util::stream::iter(chunks).then(|c| async move {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        c
                    });
                    Response::builder()
                        .header("content-type", "image/png")
                        .header("content-length", len.to_string())
                        .body(AxumBody::from_stream(stream))
                        .unwrap()
                }
                _ => (StatusCode::NOT_FOUND, Json(json!({"error": "storage_object_not_found"}))).into_response(),
            }
        }),
    );
    serve(router).await
}

fn download(id: &str) -> OperationRequest {
    OperationRequest::new(
        "download_chat_file",
        easemob_im::reqwest::Method::GET,
        "/chatfiles/{file_uuid}",
        format!("/chatfiles/{id}"),
    )
}

#[tokio::test]
async fn download_as_stream_and_collect() {
    let len = 200_000;
    let base = download_server(len).await;
    let client = fixed(&base).build().unwrap();

    let stream = client.execute_binary(download("good")).await.unwrap();
    assert_eq!(stream.content_type(), Some("image/png"));
    assert_eq!(stream.content_length(), Some(len as u64));
    assert_eq!(stream.collect().await.unwrap(), sample(len));

    let mut stream = client.execute_binary(download("good")).await.unwrap();
    let mut total = 0;
    while let Some(chunk) = stream.next().await {
        total += chunk.unwrap().len();
    }
    assert_eq!(total, len);

    let err = client
        .execute_binary(download("missing"))
        .await
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some(&easemob_im::models::ErrorCode::StorageObjectNotFound)
    );
}

#[tokio::test]
async fn write_to_file_is_atomic() {
    let len = 150_000;
    let base = download_server(len).await;
    let client = fixed(&base).build().unwrap();
    let dir = TempDir::new("download");
    let target = dir.path().join("image.png");

    let stream = client.execute_binary(download("good")).await.unwrap();
    assert_eq!(stream.write_to_file(&target).await.unwrap(), len as u64);
    assert_eq!(std::fs::read(&target).unwrap(), sample(len));
    assert_eq!(dir.entries(), ["image.png"]);

    // A download that breaks half-way leaves the existing file alone and no temp file.
    std::fs::write(&target, b"previous").unwrap();
    let stream = client.execute_binary(download("broken")).await.unwrap();
    let err = stream.write_to_file(&target).await.unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"previous");
    assert_eq!(dir.entries(), ["image.png"]);

    // Same for a new file: nothing at all is left.
    let fresh = dir.path().join("fresh.png");
    let stream = client.execute_binary(download("broken")).await.unwrap();
    stream.write_to_file(&fresh).await.unwrap_err();
    assert!(!fresh.exists());
    assert_eq!(dir.entries(), ["image.png"]);

    // A directory that does not exist is an I/O error.
    let stream = client.execute_binary(download("good")).await.unwrap();
    let err = stream
        .write_to_file(dir.path().join("nope/x.png"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Io(_)), "{err:?}");
}

#[tokio::test]
async fn dropped_write_to_file_leaves_nothing() {
    let dir = TempDir::new("cancel");
    let target = dir.path().join("slow.bin");
    // The server sends one chunk and then nothing, forever; the caller gives up.
    let base = {
        let router = Router::new().route(
            "/org/app/chatfiles/{id}",
            get_route(|| async {
                let stream =
                    futures_util::stream::once(async { Ok::<_, std::io::Error>(vec![1u8; 10]) })
                        .chain(futures_util::stream::pending());
                Response::builder()
                    .body(AxumBody::from_stream(stream))
                    .unwrap()
            }),
        );
        serve(router).await
    };
    let client = fixed(&base).build().unwrap();
    let stream = client.execute_binary(download("slow")).await.unwrap();
    let result =
        tokio::time::timeout(Duration::from_millis(200), stream.write_to_file(&target)).await;
    assert!(result.is_err(), "the download never finishes");
    assert!(dir.entries().is_empty(), "{:?}", dir.entries());
}

#[tokio::test]
async fn byte_stream_from_chunks_reports_errors() {
    let dir = TempDir::new("chunks");
    let target = dir.path().join("x.bin");
    let stream = ByteStream::from_chunks(vec![
        Ok(bytes::Bytes::from_static(b"partial")),
        Err(Error::Config("stop".into())),
    ]);
    assert!(matches!(
        stream.write_to_file(&target).await,
        Err(Error::Config(_))
    ));
    assert!(dir.entries().is_empty());
}
