//! Files going up and coming down: [`FileSource`] is made from a path, bytes in memory or
//! any async reader and becomes a file part of a multipart upload; [`ByteStream`] is made
//! from the body of a download and can be streamed, collected, read or written to disk.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt};
use tokio::io::{AsyncRead, AsyncWriteExt};

use crate::Error;

/// The content of a file to upload.
///
/// A file read from a [path](Self::path) is streamed from disk, never loaded whole, and is
/// opened again if the request is retried. [Bytes](Self::bytes) are shared, not copied,
/// between attempts. A [reader](Self::reader) can be read only once, so a request carrying
/// one is never retried (not even after a `401`).
///
/// ```no_run
/// use easemob_im::files::FileSource;
/// let photo = FileSource::path("photos/cat.jpg");                   // named "cat.jpg", image/jpeg
/// let note = FileSource::bytes("note.txt", "hello").with_content_type("text/plain");
/// let piped = FileSource::reader("upload.bin", tokio::io::empty());
/// ```
pub struct FileSource {
    kind: Kind,
    file_name: Option<String>,
    content_type: Option<String>,
}

enum Kind {
    Path(PathBuf),
    Bytes(Bytes),
    /// `None` once taken.
    Reader(Option<Pin<Box<dyn AsyncRead + Send>>>),
}

impl FileSource {
    /// A file on disk. Its file name is the last component of `path`, and its content type
    /// is guessed from the extension. The file is opened when the request is sent; failing
    /// to open it gives [`Error::Io`].
    pub fn path(path: impl AsRef<Path>) -> FileSource {
        let path = path.as_ref().to_path_buf();
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        FileSource {
            kind: Kind::Path(path),
            file_name,
            content_type: None,
        }
    }

    /// Content already in memory, uploaded under `file_name`.
    pub fn bytes(file_name: impl Into<String>, data: impl Into<Bytes>) -> FileSource {
        FileSource {
            kind: Kind::Bytes(data.into()),
            file_name: Some(file_name.into()),
            content_type: None,
        }
    }

    /// The content, when it is held in memory (made by [`FileSource::bytes`], or decoded
    /// from a multipart request by the server stubs).
    pub fn as_bytes(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Bytes(data) => Some(data),
            _ => None,
        }
    }

    /// Content read from `reader` while the request is sent, uploaded under `file_name`.
    /// Requests carrying a reader are never retried, since it cannot be read twice.
    pub fn reader(
        file_name: impl Into<String>,
        reader: impl AsyncRead + Send + 'static,
    ) -> FileSource {
        FileSource {
            kind: Kind::Reader(Some(Box::pin(reader))),
            file_name: Some(file_name.into()),
            content_type: None,
        }
    }

    /// Sets the file name sent to the server.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> FileSource {
        self.file_name = Some(file_name.into());
        self
    }

    /// Sets the content type (MIME type) of the part, instead of guessing it from the file
    /// name. An invalid MIME type fails the request with [`Error::Encode`].
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> FileSource {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name sent to the server.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The content type sent to the server: the one set, or a guess from the file name,
    /// or `application/octet-stream`.
    pub fn content_type(&self) -> String {
        if let Some(content_type) = &self.content_type {
            return content_type.clone();
        }
        self.file_name
            .as_deref()
            .and_then(|name| mime_guess::from_path(name).first_raw())
            .unwrap_or("application/octet-stream")
            .to_owned()
    }

    /// Whether the content can be sent again (false for a reader).
    pub fn is_replayable(&self) -> bool {
        !matches!(self.kind, Kind::Reader(_))
    }

    /// Makes a multipart part of the content, opening the file or taking the reader.
    pub(crate) async fn make_part(&mut self) -> Result<reqwest::multipart::Part, Error> {
        let content_type = self.content_type();
        let part = match &mut self.kind {
            Kind::Path(path) => {
                let file = tokio::fs::File::open(&*path)
                    .await
                    .map_err(|e| Error::Io(with_path(e, "opening", path)))?;
                let len = file
                    .metadata()
                    .await
                    .map_err(|e| Error::Io(with_path(e, "reading the metadata of", path)))?
                    .len();
                let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::new(file));
                reqwest::multipart::Part::stream_with_length(body, len)
            }
            Kind::Bytes(bytes) => {
                let len = bytes.len() as u64;
                reqwest::multipart::Part::stream_with_length(bytes.clone(), len)
            }
            Kind::Reader(reader) => {
                let reader = reader.take().ok_or_else(|| {
                    Error::encode("the upload's reader was already consumed by an earlier attempt")
                })?;
                reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(
                    tokio_util::io::ReaderStream::new(reader),
                ))
            }
        };
        let part = match &self.file_name {
            Some(name) => part.file_name(name.clone()),
            None => part,
        };
        part.mime_str(&content_type).map_err(|e| {
            Error::Encode(crate::error::EncodeError::with_source(
                format!("invalid content type {content_type:?}"),
                e,
            ))
        })
    }
}

impl fmt::Debug for FileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FileSource");
        match &self.kind {
            Kind::Path(path) => d.field("path", path),
            Kind::Bytes(bytes) => d.field("bytes", &bytes.len()),
            Kind::Reader(reader) => d.field(
                "reader",
                &if reader.is_some() {
                    "unread"
                } else {
                    "consumed"
                },
            ),
        };
        d.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<PathBuf> for FileSource {
    fn from(path: PathBuf) -> FileSource {
        FileSource::path(path)
    }
}

impl From<&Path> for FileSource {
    fn from(path: &Path) -> FileSource {
        FileSource::path(path)
    }
}

/// An [`io::Error`] that names the file it happened to, keeping the original kind.
fn with_path(error: io::Error, doing: &str, path: &Path) -> io::Error {
    io::Error::new(
        error.kind(),
        PathError {
            doing: format!("{doing} {}", path.display()),
            source: error,
        },
    )
}

#[derive(Debug)]
struct PathError {
    doing: String,
    source: io::Error,
}

/// What was being done to which file; the failure itself is the source.
impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.doing)
    }
}

impl std::error::Error for PathError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// The body of a download, as a stream of chunks.
///
/// Implements [`Stream`]`<Item = Result<Bytes, Error>>`; or use [`collect`](Self::collect),
/// [`write_to_file`](Self::write_to_file) or [`into_reader`](Self::into_reader). The
/// client's whole-request timeout also covers reading this body, so set it (or leave it
/// unset) with large files in mind.
pub struct ByteStream {
    inner: Pin<Box<dyn Stream<Item = Result<Bytes, Error>> + Send>>,
    content_type: Option<String>,
    content_length: Option<u64>,
}

impl ByteStream {
    pub(crate) fn from_response(
        operation_id: &'static str,
        response: reqwest::Response,
    ) -> ByteStream {
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let content_length = response.content_length();
        let inner = response
            .bytes_stream()
            .map_err(move |e| Error::from_reqwest(operation_id, e));
        ByteStream {
            inner: Box::pin(inner),
            content_type,
            content_length,
        }
    }

    /// A stream over chunks already at hand; useful in tests of code that downloads.
    pub fn from_chunks<I>(chunks: I) -> ByteStream
    where
        I: IntoIterator<Item = Result<Bytes, Error>>,
        I::IntoIter: Send + 'static,
    {
        ByteStream {
            inner: Box::pin(futures_util::stream::iter(chunks)),
            content_type: None,
            content_length: None,
        }
    }

    /// The `Content-Type` the server declared.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The `Content-Length` the server declared, if any.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// Reads the whole body into memory.
    pub async fn collect(mut self) -> Result<Bytes, Error> {
        let capacity = self.content_length.unwrap_or(0).min(16 * 1024 * 1024) as usize;
        let mut buffer = BytesMut::with_capacity(capacity);
        while let Some(chunk) = self.inner.next().await {
            buffer.extend_from_slice(&chunk?);
        }
        Ok(buffer.freeze())
    }

    /// Writes the body to `path` and returns the number of bytes written.
    ///
    /// The data goes to a temporary file in the same directory, which is synced and then
    /// renamed to `path` only once the whole body has arrived. If anything fails, or the
    /// future is dropped, the temporary file is removed and `path` is left as it was.
    pub async fn write_to_file(mut self, path: impl AsRef<Path>) -> Result<u64, Error> {
        let path = path.as_ref();
        let file_name = path.file_name().ok_or_else(|| {
            Error::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", path.display()),
            ))
        })?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (mut file, guard) = create_temp(&dir, &file_name.to_string_lossy()).await?;
        let mut written = 0u64;
        while let Some(chunk) = self.inner.next().await {
            let chunk = chunk?;
            file.write_all(&chunk)
                .await
                .map_err(|e| Error::Io(with_path(e, "writing", &guard.path)))?;
            written += chunk.len() as u64;
        }
        file.flush()
            .await
            .map_err(|e| Error::Io(with_path(e, "writing", &guard.path)))?;
        file.sync_all()
            .await
            .map_err(|e| Error::Io(with_path(e, "syncing", &guard.path)))?;
        drop(file);
        tokio::fs::rename(&guard.path, path)
            .await
            .map_err(|e| Error::Io(with_path(e, "renaming the download to", path)))?;
        guard.disarm();
        Ok(written)
    }

    /// The body as an [`AsyncRead`]; errors surface as [`io::Error`]s wrapping [`Error`].
    pub fn into_reader(self) -> impl AsyncRead + Send {
        tokio_util::io::StreamReader::new(self.inner.map_err(io::Error::other))
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("content_type", &self.content_type)
            .field("content_length", &self.content_length)
            .finish_non_exhaustive()
    }
}

/// Removes the temporary file when dropped, unless disarmed.
struct TempGuard {
    path: PathBuf,
    armed: bool,
}

impl TempGuard {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            // Synchronous on purpose: Drop cannot await, and this runs at most once per
            // failed download.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

async fn create_temp(dir: &Path, file_name: &str) -> Result<(tokio::fs::File, TempGuard), Error> {
    let mut attempts = 0;
    loop {
        let path = dir.join(format!(".{file_name}.{:016x}.part", fastrand::u64(..)));
        match tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await
        {
            Ok(file) => return Ok((file, TempGuard { path, armed: true })),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempts < 8 => attempts += 1,
            Err(e) => return Err(Error::Io(with_path(e, "creating", &path))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types() {
        assert_eq!(FileSource::path("/tmp/a.jpg").content_type(), "image/jpeg");
        assert_eq!(FileSource::path("/tmp/a.jpg").file_name(), Some("a.jpg"));
        assert_eq!(
            FileSource::bytes("x", "y").content_type(),
            "application/octet-stream"
        );
        assert_eq!(
            FileSource::bytes("x.png", "y")
                .with_content_type("text/plain")
                .content_type(),
            "text/plain"
        );
    }

    #[test]
    fn replayability() {
        assert!(FileSource::path("a").is_replayable());
        assert!(FileSource::bytes("a", "b").is_replayable());
        assert!(!FileSource::reader("a", tokio::io::empty()).is_replayable());
    }

    #[tokio::test]
    async fn reader_is_taken_once() {
        let mut source = FileSource::reader("a", tokio::io::empty());
        assert!(source.make_part().await.is_ok());
        assert!(matches!(source.make_part().await, Err(Error::Encode(_))));
    }

    #[tokio::test]
    async fn missing_file_names_the_path() {
        let mut source = FileSource::path("/definitely/not/here.bin");
        let err = source.make_part().await.unwrap_err();
        match err {
            Error::Io(e) => {
                assert_eq!(e.kind(), io::ErrorKind::NotFound);
                assert!(e.to_string().contains("/definitely/not/here.bin"), "{e}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn bad_content_type_is_an_encode_error() {
        let mut source = FileSource::bytes("a", "b").with_content_type("not a mime\n");
        assert!(matches!(source.make_part().await, Err(Error::Encode(_))));
    }

    #[tokio::test]
    async fn byte_stream_collects_and_reads() {
        let s = ByteStream::from_chunks(vec![
            Ok(Bytes::from_static(b"ab")),
            Ok(Bytes::from_static(b"c")),
        ]);
        assert_eq!(s.collect().await.unwrap(), Bytes::from_static(b"abc"));

        let s = ByteStream::from_chunks(vec![Ok(Bytes::from_static(b"xy"))]);
        let mut out = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut Box::pin(s.into_reader()), &mut out)
            .await
            .unwrap();
        assert_eq!(out, b"xy");
    }
}
