//! Scrubbing of known secrets out of server text, made from the secrets the client holds
//! (the client secret, the fixed or current app token).
//!
//! A server, a proxy or an error page may echo the request back: the token request's body
//! with the client secret, or the `Authorization` header with the token. Every piece of
//! server text an error keeps (the raw body of an [`ApiError`](crate::ApiError), the
//! excerpt, message and path of a [`DecodeError`](crate::DecodeError)) goes through a
//! [`Scrub`] first, which replaces each secret by `***` as it appears raw, JSON-escaped and
//! percent-encoded (either case, `+` or `%20` for spaces).

use std::borrow::Cow;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};

const MASK: &[u8] = b"***";

/// The forms in which known secrets may come back.
#[derive(Debug, Default, Clone)]
pub(crate) struct Scrub {
    /// Longest first, so that a form containing another is replaced whole.
    forms: Vec<Vec<u8>>,
}

impl Scrub {
    /// A scrubber for these secrets; empty ones are ignored.
    pub(crate) fn new<'a>(secrets: impl IntoIterator<Item = &'a str>) -> Scrub {
        let mut forms: Vec<Vec<u8>> = Vec::new();
        for secret in secrets.into_iter().filter(|s| !s.is_empty()) {
            let json = serde_json::to_string(secret).unwrap_or_default();
            let json = json
                .strip_prefix('"')
                .and_then(|j| j.strip_suffix('"'))
                .unwrap_or(secret)
                .to_owned();
            let percent = utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string();
            let form = percent.replace("%20", "+");
            for form in [secret.to_owned(), json, percent.clone(), form] {
                let lower = lowercase_escapes(&form);
                for variant in [form, lower] {
                    if !forms.iter().any(|f| f == variant.as_bytes()) {
                        forms.push(variant.into_bytes());
                    }
                }
            }
        }
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        Scrub { forms }
    }

    /// `body` with every known secret replaced by `***`.
    pub(crate) fn bytes<'b>(&self, body: &'b [u8]) -> Cow<'b, [u8]> {
        let mut out: Cow<'b, [u8]> = Cow::Borrowed(body);
        for form in &self.forms {
            if let Some(replaced) = replace(&out, form) {
                out = Cow::Owned(replaced);
            }
        }
        out
    }

    /// `text` with every known secret replaced by `***`.
    pub(crate) fn text(&self, text: &str) -> String {
        String::from_utf8_lossy(&self.bytes(text.as_bytes())).into_owned()
    }

    /// A body that was cut at some limit, scrubbed: a secret cut in half by the limit
    /// leaves no prefix of itself at the end.
    pub(crate) fn cut(&self, body: &[u8]) -> Vec<u8> {
        let mut out = self.bytes(body).into_owned();
        let partial = self
            .forms
            .iter()
            .flat_map(|form| (1..form.len()).rev().map(move |k| &form[..k]))
            .filter(|prefix| out.ends_with(prefix))
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0);
        out.truncate(out.len() - partial);
        out
    }

    /// The first `max` bytes of `body` as they may be shown: scrubbed before cutting, so
    /// that a secret running across the cut is replaced whole.
    pub(crate) fn prefix(&self, body: &[u8], max: usize) -> Vec<u8> {
        let longest = self.forms.first().map_or(0, Vec::len);
        let window = &body[..body.len().min(max.saturating_add(longest))];
        let mut out = if window.len() < body.len() {
            self.cut(window)
        } else {
            self.bytes(window).into_owned()
        };
        out.truncate(max);
        out
    }
}

/// `body` with each `needle` replaced by the mask, or `None` if there is none.
fn replace(body: &[u8], needle: &[u8]) -> Option<Vec<u8>> {
    if needle.is_empty() || body.len() < needle.len() {
        return None;
    }
    let mut out: Option<Vec<u8>> = None;
    let mut start = 0;
    let mut i = 0;
    while i + needle.len() <= body.len() {
        if &body[i..i + needle.len()] == needle {
            let buffer = out.get_or_insert_with(|| Vec::with_capacity(body.len()));
            buffer.extend_from_slice(&body[start..i]);
            buffer.extend_from_slice(MASK);
            i += needle.len();
            start = i;
        } else {
            i += 1;
        }
    }
    let mut out = out?;
    out.extend_from_slice(&body[start..]);
    Some(out)
}

/// `%2F` → `%2f`: percent escapes in lower case, the rest unchanged.
fn lowercase_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut escape = 0;
    for c in text.chars() {
        if c == '%' {
            escape = 2;
            out.push(c);
        } else if escape > 0 {
            escape -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_secret_is_masked() {
        let scrub = Scrub::new(["s3/+ é\"x", ""]);
        for echoed in [
            "a s3/+ é\"x b",
            r#"{"client_secret":"s3/+ é\"x"}"#,
            "client_secret=s3%2F%2B+%C3%A9%22x&b",
            "client_secret=s3%2f%2b%20%c3%a9%22x",
        ] {
            let out = scrub.text(echoed);
            assert!(!out.contains("s3"), "{echoed} -> {out}");
            assert!(out.contains("***"), "{echoed} -> {out}");
        }
        assert_eq!(scrub.text("nothing here"), "nothing here");
        assert!(matches!(scrub.bytes(b"clean"), Cow::Borrowed(_)));
        assert_eq!(Scrub::new([]).text("s3/+ é\"x"), "s3/+ é\"x");
    }

    #[test]
    fn secrets_cut_by_a_limit_leave_no_prefix() {
        let scrub = Scrub::new(["topsecret"]);
        assert_eq!(scrub.cut(b"abc topsec"), b"abc ");
        assert_eq!(scrub.cut(b"abc topsecret"), b"abc ***");
        assert_eq!(scrub.cut(b"abc t"), b"abc ");
        assert_eq!(scrub.cut(b"abc x"), b"abc x");
        // A prefix for showing: scrubbed before cutting.
        assert_eq!(scrub.prefix(b"0123topsecret tail", 6), b"0123**");
        assert_eq!(scrub.prefix(b"0123456789topsecret", 10), b"0123456789");
        assert_eq!(scrub.prefix(b"short", 10), b"short");
    }

    #[test]
    fn repeated_and_adjacent_occurrences() {
        let scrub = Scrub::new(["ab"]);
        assert_eq!(scrub.text("abab-ab"), "******-***");
        assert_eq!(scrub.text("aab"), "a***");
    }
}
