//! Parsing of type expressions: `string`, `Name`, `[T]`, `{T}`.

use crate::model::TypeRef;

/// Parses `text`; the error says what is wrong with it.
pub fn parse(text: &str) -> Result<TypeRef, String> {
    let text = text.trim();
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(|| format!("`{text}` opens `[` but does not close it"))?;
        return Ok(TypeRef::Array(Box::new(parse(inner)?)));
    }
    if let Some(inner) = text.strip_prefix('{') {
        let inner = inner.strip_suffix('}').ok_or_else(|| format!("`{text}` opens `{{` but does not close it"))?;
        return Ok(TypeRef::Map(Box::new(parse(inner)?)));
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
}
