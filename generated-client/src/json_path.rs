//! Where in a JSON text a decode error happened, as a path such as `entities[1].created`.
//!
//! Responses are decoded with plain `serde_json`, which reports a line and column. Walking
//! the text up to that point recovers the path without wrapping every response type's
//! `Deserialize` in a path-tracking deserializer (which would compile that code twice).

/// One level of nesting on the way to the error.
enum Frame {
    /// In an object; the key of the member being read, once seen.
    Object(Option<String>),
    /// In an array, at this index.
    Array(usize),
}

/// The path of the value at 1-based `line` and `column` of `text` (`.` for the root).
pub(crate) fn at(text: &[u8], line: usize, column: usize) -> String {
    let end = offset(text, line, column);
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i < end {
        match text[i] {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < text.len() && text[i] != b'"' {
                    i += if text[i] == b'\\' { 2 } else { 1 };
                }
                if let Some(Frame::Object(key @ None)) = stack.last_mut() {
                    let raw = &text[start..i.min(text.len())];
                    *key = Some(serde_json::from_slice::<String>(&[b"\"", raw, b"\""].concat()).unwrap_or_else(|_| String::from_utf8_lossy(raw).into_owned()));
                }
            }
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object(key)) => *key = None,
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    // At an object's closing brace (a missing field), the error is the object's own.
    if text.get(end) == Some(&b'}') {
        if let Some(Frame::Object(key)) = stack.last_mut() {
            *key = None;
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(index) => path.push_str(&format!("[{index}]")),
        }
    }
    if path.is_empty() {
        ".".to_owned()
    } else {
        path
    }
}

/// The byte offset of 1-based `line` and `column` (serde_json counts bytes in a line).
fn offset(text: &[u8], line: usize, column: usize) -> usize {
    let mut start = 0;
    for _ in 1..line {
        match text[start..].iter().position(|&b| b == b'\n') {
            Some(n) => start += n + 1,
            None => return text.len(),
        }
    }
    (start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    struct Page {
        entities: Vec<Entity>,
    }

    #[allow(dead_code)]
    #[derive(Debug, Deserialize)]
    struct Entity {
        name: String,
        created: i64,
        tags: Option<Vec<u8>>,
    }

    fn path_of(text: &str) -> String {
        let error = serde_json::from_str::<Page>(text).unwrap_err();
        super::at(text.as_bytes(), error.line(), error.column())
    }

    #[test]
    fn finds_the_member_that_does_not_fit() {
        assert_eq!(path_of(r#"{"entities": [{"name": "a", "created": 1}, {"name": "b", "created": "x"}]}"#), "entities[1].created");
        assert_eq!(path_of("{\"entities\": [\n  {\"name\": \"a\",\n   \"created\": 1, \"tags\": [1, 2, 300]}]}"), "entities[0].tags[2]");
        assert_eq!(path_of(r#"{"entities": [{"na\"me": 1, "name": 5, "created": 1}]}"#), "entities[0].name");
    }

    #[test]
    fn a_missing_field_names_its_object() {
        assert_eq!(path_of(r#"{"entities": [{"name": "a"}]}"#), "entities[0]");
    }

    #[test]
    fn root_errors_are_a_dot() {
        assert_eq!(path_of("{}"), ".");
        assert_eq!(path_of(r#"{"entities": []} x"#), ".");
    }

    #[test]
    fn a_wrong_container_is_named_by_its_key() {
        assert_eq!(path_of(r#"{"entities": {"a": 1}}"#), "entities");
        assert_eq!(path_of(r#"{"entities": [{"name": "a", "created": {"x": 1}}]}"#), "entities[0].created");
    }
}
