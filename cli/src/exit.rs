//! How a run ends: a failure's class picks the exit status, documented in `--help`.

use std::process::ExitCode;

use easemob_im::Error;

/// The exit statuses, as `--help` lists them.
pub const EXIT_STATUS_HELP: &str = "\
Exit status:
  0  success
  1  the server refused the request (a 4xx not listed below), or a local file could not be
     read or written, or a confirmation was declined
  2  usage: an unknown command or flag, a bad value or body, a missing setting
  3  authentication: wrong credentials, or a token the server refused (401, 403)
  4  not found (404)
  5  rate limited (429), after the client's retries
  6  server error (5xx), or a 2xx answer that does not match the spec
  7  transport: no connection, TLS, or a timeout
  130  interrupted (Ctrl-C); a download in progress leaves no file behind";

/// What kind of failure ended the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Refused,
    Usage,
    Auth,
    NotFound,
    RateLimited,
    Server,
    Transport,
    Interrupted,
    /// Standard output was closed (`| head`): the run stops quietly, as a success.
    Closed,
}

impl Class {
    pub fn code(self) -> u8 {
        match self {
            Class::Refused => 1,
            Class::Usage => 2,
            Class::Auth => 3,
            Class::NotFound => 4,
            Class::RateLimited => 5,
            Class::Server => 6,
            Class::Transport => 7,
            Class::Interrupted => 130,
            Class::Closed => 0,
        }
    }
}

/// A failed run: the message for standard error and the class of its exit status.
#[derive(Debug)]
pub struct Failure {
    pub class: Class,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure { class: Class::Usage, message: message.into() }
    }

    pub fn refused(message: impl Into<String>) -> Failure {
        Failure { class: Class::Refused, message: message.into() }
    }

    pub fn interrupted() -> Failure {
        Failure { class: Class::Interrupted, message: "interrupted; nothing more was sent".to_owned() }
    }

    pub fn closed() -> Failure {
        Failure { class: Class::Closed, message: String::new() }
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.class.code())
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        let class = classify(&error);
        let message = match &error {
            // `code (HTTP 404): description`, the Easemob error first.
            Error::Api(api) => match (api.code(), api.description()) {
                (Some(code), Some(description)) => format!("{code} (HTTP {}): {description}", api.status().as_u16()),
                (Some(code), None) => format!("{code} (HTTP {})", api.status().as_u16()),
                _ => format!("{error:#}"),
            },
            Error::Decode(_) => format!("the server's answer does not match the spec: {error:#}"),
            _ => format!("{error:#}"),
        };
        Failure { class, message }
    }
}

fn classify(error: &Error) -> Class {
    match error {
        Error::Api(api) => match api.status().as_u16() {
            401 | 403 => Class::Auth,
            404 => Class::NotFound,
            429 => Class::RateLimited,
            500.. => Class::Server,
            _ => Class::Refused,
        },
        // The token request failed: wrong credentials are an authentication failure whatever
        // status the server chose (400 `invalid_grant`); the rest keeps its own class.
        Error::Token(inner) => match classify(inner) {
            Class::Refused | Class::NotFound => Class::Auth,
            other => other,
        },
        Error::Transport(_) | Error::Timeout { .. } => Class::Transport,
        Error::Decode(_) => Class::Server,
        Error::Config(_) | Error::Env(_) | Error::Encode(_) => Class::Usage,
        _ => Class::Refused,
    }
}
