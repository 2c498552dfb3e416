//! The one place that turns spec names into Rust identifiers: case conversion (heck),
//! characters Rust does not allow, leading digits, and keywords.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords of every edition, strict and reserved, plus names that cannot be raw.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Whether `name` is a Rust keyword.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// Keeps ASCII letters, digits and word separators; everything else separates words.
fn ascii_words(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// A snake_case identifier for a field, parameter, method or module: `userName` → `user_name`,
/// `restrict-access` → `restrict_access`, `type` → `type_`, `1st` → `_1st`.
pub fn snake(name: &str) -> String {
    let mut ident = ascii_words(name).to_snake_case();
    if ident.is_empty() {
        ident = "value".into();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
    }
    if is_keyword(&ident) {
        ident.push('_');
    }
    ident
}

/// An UpperCamelCase identifier for a type or variant: `groupchat` → `Groupchat`,
/// `Request Entity Too Large` → `RequestEntityTooLarge`, `1st` → `X1st`, `Self` → `Self_`.
pub fn pascal(name: &str) -> String {
    let mut ident = ascii_words(name).to_upper_camel_case();
    if ident.is_empty() {
        ident = "Value".into();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, 'X');
    }
    if is_keyword(&ident) {
        ident.push('_');
    }
    ident
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        for (input, expected) in [
            ("userName", "user_name"),
            ("user_name", "user_name"),
            ("applicationName", "application_name"),
            ("restrict-access", "restrict_access"),
            ("type", "type_"),
            ("ref", "ref_"),
            ("gen", "gen_"),
            ("self", "self_"),
            ("1st", "_1st"),
            ("foo-bar", "foo_bar"),
            ("msgIdList", "msg_id_list"),
            ("用户", "value"),
        ] {
            assert_eq!(snake(input), expected, "{input}");
        }
    }

    #[test]
    fn pascal_names() {
        for (input, expected) in [
            ("groupchat", "Groupchat"),
            ("Request Entity Too Large", "RequestEntityTooLarge"),
            ("1st", "X1st"),
            ("foo-bar", "FooBar"),
            ("Self", "Self_"),
            ("get_user", "GetUser"),
            ("", "Value"),
        ] {
            assert_eq!(pascal(input), expected, "{input}");
        }
    }

    #[test]
    fn names_that_collide_after_conversion() {
        assert_eq!(snake("userName"), snake("user_name"));
        assert_eq!(pascal("UserID"), pascal("UserId"));
    }
}
