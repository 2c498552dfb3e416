//! Percent-encoding of path parameters, made so that any value — `../x`, `a/b`, `?`, `#`,
//! `%`, spaces, non-ASCII — stays inside the one path segment it was given for.
//!
//! Generated operations build [`OperationRequest::path`](crate::request::OperationRequest::path)
//! with these functions. The client checks the finished path again before sending it: an
//! empty segment (an empty path parameter) or a dot segment is refused with
//! [`Error::Encode`](crate::Error::Encode), because URL normalization would otherwise send
//! the request to a different resource, such as the collection instead of one item.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything except the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `value` as one path segment.
///
/// Every byte outside the unreserved characters is encoded, so the value can never add a
/// segment, a query or a fragment. The whole-segment values `.` and `..` come out as
/// `%2E` and `%2E%2E`; such segments still cannot be sent: URL parsers (the WHATWG URL
/// standard, which reqwest follows) and RFC 3986 normalization in proxies read them as `.`
/// and `..`, so `DELETE /users/%2E%2E` would reach `/users` or above. The client refuses
/// them with [`Error::Encode`](crate::Error::Encode) before sending anything; servers
/// (such as the mock) that receive them percent-encoded decode them to `.` and `..`.
///
/// ```
/// use easemob_im::path::encode_segment;
/// assert_eq!(encode_segment("alice"), "alice");
/// assert_eq!(encode_segment("a/b c"), "a%2Fb%20c");
/// assert_eq!(encode_segment("ü"), "%C3%BC");
/// ```
pub fn encode_segment(value: &str) -> String {
    match value {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        // Through `Cow` rather than `Display`: one exact allocation, no formatter.
        _ => std::borrow::Cow::from(utf8_percent_encode(value, SEGMENT)).into_owned(),
    }
}

/// Encodes a list for a path segment: items joined with `,`, each item encoded with
/// [`encode_segment`] (so a comma inside an item is `%2C` and stays part of it).
///
/// Query parameters need no such care: join their items with `,` and the client encodes
/// the whole value.
///
/// ```
/// use easemob_im::path::encode_list;
/// let users = vec!["alice".to_owned(), "b,ob".to_owned()];
/// assert_eq!(encode_list(&users), "alice,b%2Cob");
/// ```
pub fn encode_list(values: &[String]) -> String {
    let mut out = String::new();
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&encode_segment(value));
    }
    out
}

/// Why a finished path cannot be sent, or `None` if it can.
pub(crate) fn check_path(path: &str) -> Option<String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Some(format!("the path {path:?} does not start with '/'"));
    };
    for segment in rest.split('/') {
        if segment.is_empty() {
            return Some(format!(
                "the path {path:?} has an empty segment; is a path parameter empty?"
            ));
        }
        if is_dot_segment(segment) {
            return Some(format!(
                "the path {path:?} has the segment {segment:?}, which URLs treat as a \
                 relative reference; a path parameter cannot be \".\" or \"..\""
            ));
        }
        if let Some(c) = segment.chars().find(|&c| !is_pchar(c)) {
            return Some(format!(
                "the path {path:?} contains {c:?}, which must be percent-encoded \
                 (build path parameters with easemob_im::path::encode_segment)"
            ));
        }
    }
    None
}

fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// Characters a percent-encoded segment may hold (RFC 3986 `pchar` without `/`).
fn is_pchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:@".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> String {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .unwrap()
            .into_owned()
    }

    #[test]
    fn hostile_values_stay_one_segment_and_round_trip() {
        for value in [
            "../x", "a/b", "?", "#", "%", " ", "ü", "a,b", "+", "&x=y", "\n", "%2F",
        ] {
            let encoded = encode_segment(value);
            assert!(!encoded.contains('/'), "{value:?} -> {encoded}");
            assert!(encoded
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._~%".contains(c)));
            assert_eq!(decode(&encoded), value);
            assert_eq!(check_path(&format!("/users/{encoded}")), None, "{value:?}");
        }
    }

    #[test]
    fn dot_segments_are_encoded_and_refused() {
        assert_eq!(encode_segment("."), "%2E");
        assert_eq!(encode_segment(".."), "%2E%2E");
        assert_eq!(encode_segment("..."), "...");
        assert_eq!(encode_segment(".a"), ".a");
        for path in [
            "/users/%2E%2E",
            "/users/%2e.",
            "/users/..",
            "/users/%2E",
            "/./x",
        ] {
            assert!(check_path(path).is_some(), "{path}");
        }
        assert_eq!(check_path("/users/..."), None);
    }

    #[test]
    fn url_parsing_resolves_encoded_dot_segments() {
        // Why `.` and `..` are refused rather than sent as `%2E%2E`: the URL standard (and
        // RFC 3986 normalization, which proxies may apply) reads them as dot segments, so
        // the request would reach the parent resource, such as every user at once.
        for path in [
            "/org/app/users/%2E%2E",
            "/org/app/users/%2e%2E",
            "/org/app/users/.%2E",
        ] {
            let url = reqwest::Url::parse(&format!("http://h{path}")).unwrap();
            assert_eq!(url.path(), "/org/app/", "{path}");
        }
        let url = reqwest::Url::parse("http://h/org/app/users/%2E").unwrap();
        assert_eq!(url.path(), "/org/app/users/");
    }

    #[test]
    fn empty_and_unencoded_paths_are_refused() {
        assert!(check_path("/users/").is_some());
        assert!(check_path("/users//x").is_some());
        assert!(check_path("users").is_some());
        assert!(check_path("/users/a b").is_some());
        assert!(check_path("/users/a?b").is_some());
        assert!(check_path("/users/ü").is_some());
        assert_eq!(check_path("/users/alice/contacts/users/bob"), None);
    }

    #[test]
    fn lists() {
        assert_eq!(encode_list(&[]), "");
        assert_eq!(encode_list(&["a".into()]), "a");
        assert_eq!(
            encode_list(&["a b".into(), "c,d".into(), "..".into()]),
            "a%20b,c%2Cd,%2E%2E"
        );
    }
}
