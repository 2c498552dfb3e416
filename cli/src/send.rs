//! Sends the typed request and prints the answer: JSON (pretty on a terminal, one line when
//! piped), JSON lines for `--all`, the body as received for `--raw`, file content to
//! `--output` or standard output.

use std::io::{IsTerminal, Write};

use easemob_im::request::OperationRequest;
use easemob_im::{Client, Error, Stream, StreamExt};
use serde::Serialize;

use crate::args::Args;
use crate::exit::Failure;

/// A finished call: what it printed is already on standard output.
pub struct Outcome;

/// Sends a request whose answer is JSON of type `T`, and prints it.
pub async fn json<T>(client: &Client, args: &Args<'_>, request: Result<OperationRequest, Error>) -> Result<Outcome, Failure>
where
    T: serde::de::DeserializeOwned + Serialize,
{
    let request = request?;
    if args.raw() {
        let mut response = client.execute(request).await?;
        while let Some(chunk) = response.chunk().await.map_err(Error::Transport)? {
            write_out(&chunk)?;
        }
        return Ok(Outcome);
    }
    let answer: T = client.execute_json(request).await?;
    print_json(&answer, args.pretty() || std::io::stdout().is_terminal())?;
    Ok(Outcome)
}

/// Prints every item of every page as one JSON line, as the pages arrive.
pub async fn stream<T: Serialize>(items: impl Stream<Item = Result<T, Error>>) -> Result<Outcome, Failure> {
    let mut items = std::pin::pin!(items);
    while let Some(item) = items.next().await {
        print_json(&item?, false)?;
    }
    Ok(Outcome)
}

/// Sends a download and writes the content to `--output` (whole or not at all) or to
/// standard output.
pub async fn binary(client: &Client, args: &Args<'_>, request: Result<OperationRequest, Error>) -> Result<Outcome, Failure> {
    let mut content = client.execute_binary(request?).await?;
    match args.output() {
        Some(path) => {
            let bytes = content.write_to_file(path).await?;
            let _ = writeln!(std::io::stderr(), "wrote {bytes} bytes to {path}");
        }
        None => {
            while let Some(chunk) = content.next().await {
                write_out(&chunk?)?;
            }
        }
    }
    Ok(Outcome)
}

fn print_json<T: Serialize>(value: &T, pretty: bool) -> Result<(), Failure> {
    let mut text = if pretty { serde_json::to_vec_pretty(value) } else { serde_json::to_vec(value) }
        .map_err(|e| Failure::refused(format!("cannot print the answer as JSON: {e}")))?;
    text.push(b'\n');
    write_out(&text)
}

pub fn print_line(text: &str) -> Result<(), Failure> {
    write_out(format!("{text}\n").as_bytes())
}

pub fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    write_out(bytes)
}

/// Writes to standard output; a closed pipe (`| head`) ends the run quietly, fetching no
/// more pages.
fn write_out(bytes: &[u8]) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(Failure::closed()),
        Err(e) => Err(Failure::refused(format!("cannot write to standard output: {e}"))),
    }
}
