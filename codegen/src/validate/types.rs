//! Parsing of type expressions: `string`, `Name`, `[T]`, `{T}`.

use crate::model::TypeRef;

/// How deep `[...]` and `{...}` may nest in a type. The spec nests 2 deep.
pub const MAX_TYPE_NESTING: usize = 8;

/// The names of the built-in types, for suggestions.
pub const BUILTIN: [&str; 6] = ["string", "integer", "number", "boolean", "json", "file"];

/// Parses `text`; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<TypeRef, String> {
    parse_nested(text, 0)
}

fn parse_nested(text: &str, depth: usize) -> Result<TypeRef, String> {
    let text = text.trim();
    if depth > MAX_TYPE_NESTING {
        return Err(format!("the type nests `[...]` and `{{...}}` more than {MAX_TYPE_NESTING} deep"));
    }
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(|| format!("`{text}` opens `[` but does not close it"))?;
        return Ok(TypeRef::Array(Box::new(parse_nested(inner, depth + 1)?)));
    }
    if let Some(inner) = text.strip_prefix('{') {
        let inner = inner.strip_suffix('}').ok_or_else(|| format!("`{text}` opens `{{` but does not close it"))?;
        return Ok(TypeRef::Map(Box::new(parse_nested(inner, depth + 1)?)));
    }
    Ok(match text {
        "string" => TypeRef::String,
        "integer" => TypeRef::Integer,
        "number" => TypeRef::Number,
        "boolean" => TypeRef::Boolean,
        "json" => TypeRef::Json,
        "file" => TypeRef::File,
        "" => return Err("the type is empty".into()),
        name if name.starts_with(|c: char| c.is_ascii_uppercase())
            && name.chars().all(|c| c.is_ascii_alphanumeric()) =>
        {
            TypeRef::Model(name.to_owned())
        }
        other => {
            return Err(format!(
                "`{other}` is not a type: use string, integer, number, boolean, json, file, a model name, [T] or {{T}}"
            ))
        }
    })
}

/// Every model name a type mentions.
pub fn model_names(ty: &TypeRef) -> Vec<&str> {
    match ty {
        TypeRef::Model(name) => vec![name.as_str()],
        TypeRef::Array(inner) | TypeRef::Map(inner) => model_names(inner),
        _ => Vec::new(),
    }
}

/// Whether `file` appears anywhere in the type.
pub fn mentions_file(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::File => true,
        TypeRef::Array(inner) | TypeRef::Map(inner) => mentions_file(inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_expressions() {
        assert_eq!(parse("[{User}]"), Ok(TypeRef::Array(Box::new(TypeRef::Map(Box::new(TypeRef::Model("User".into())))))));
        assert_eq!(parse("integer"), Ok(TypeRef::Integer));
        assert!(parse("[string").unwrap_err().contains("does not close"));
        assert!(parse("int").unwrap_err().contains("is not a type"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}string{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(&deep).unwrap_err().contains("more than 8 deep"));
        let ok = format!("{}string{}", "[".repeat(MAX_TYPE_NESTING), "]".repeat(MAX_TYPE_NESTING));
        assert!(parse(&ok).is_ok());
    }
}
