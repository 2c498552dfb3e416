//! Does a JSON value conform to a type of the spec? Used for examples and defaults.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::model::{Constraints, Model, Repr, TypeRef};

/// A place in the value where it does not conform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Dotted path relative to the value's root ("" for the root itself).
    pub path: String,
    pub message: String,
    pub help: String,
}

/// Checks `value` against `ty` and `constraints`, collecting every mismatch.
pub fn check(models: &BTreeMap<String, Model>, ty: &TypeRef, constraints: &Constraints, value: &Json) -> Vec<Mismatch> {
    let mut out = Vec::new();
    Checker { models, out: &mut out }.value(ty, constraints, value, String::new());
    out
}

struct Checker<'a> {
    models: &'a BTreeMap<String, Model>,
    out: &'a mut Vec<Mismatch>,
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn kind(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

impl Checker<'_> {
    fn fail(&mut self, path: &str, message: String, help: &str) {
        self.out.push(Mismatch { path: path.to_owned(), message, help: help.to_owned() });
    }

    fn wrong_type(&mut self, path: &str, ty: &TypeRef, value: &Json) {
        self.fail(
            path,
            format!("{} where the schema says `{ty}`", kind(value)),
            "fix the value, or the type if the docs show this is the real wire format",
        );
    }

    fn value(&mut self, ty: &TypeRef, c: &Constraints, value: &Json, path: String) {
        match (ty, value) {
            (TypeRef::Json, _) => {}
            (TypeRef::String | TypeRef::File, Json::String(s)) => {
                let len = s.chars().count() as u64;
                if c.max_length.is_some_and(|max| len > max) || c.min_length.is_some_and(|min| len < min) {
                    self.fail(&path, format!("the string is {len} characters long, outside the documented length"), "correct the value or min_length/max_length");
                }
            }
            (TypeRef::Integer, Json::Number(n)) if n.is_i64() || n.is_u64() => self.range(n.as_f64(), c, &path),
            (TypeRef::Number, Json::Number(n)) => self.range(n.as_f64(), c, &path),
            (TypeRef::Boolean, Json::Bool(_)) => {}
            (TypeRef::Array(inner), Json::Array(items)) => {
                let len = items.len() as u64;
                if c.max_items.is_some_and(|max| len > max) || c.min_items.is_some_and(|min| len < min) {
                    self.fail(&path, format!("the array has {len} items, outside the documented bounds"), "correct the value or min_items/max_items");
                }
                for (i, item) in items.iter().enumerate() {
                    self.value(inner, &Constraints::default(), item, format!("{path}[{i}]"));
                }
            }
            (TypeRef::Map(inner), Json::Object(map)) => {
                for (key, item) in map {
                    self.value(inner, &Constraints::default(), item, child(&path, key));
                }
            }
            (TypeRef::Model(name), _) => self.model(name, value, path),
            _ => self.wrong_type(&path, ty, value),
        }
    }

    fn range(&mut self, n: Option<f64>, c: &Constraints, path: &str) {
        let Some(n) = n else { return };
        if c.min.is_some_and(|min| n < min) || c.max.is_some_and(|max| n > max) {
            self.fail(path, format!("{n} is outside the documented range"), "correct the value or min/max");
        }
    }

    fn model(&mut self, name: &str, value: &Json, path: String) {
        let Some(model) = self.models.get(name) else { return };
        match (model, value) {
            (Model::Object(object), Json::Object(map)) => {
                for field in &object.fields {
                    match map.get(&field.name) {
                        None if field.required => self.fail(
                            &path,
                            format!("the example lacks the required field `{}` of `{name}`", field.name),
                            "add the field to the value, or make it optional if the docs allow leaving it out",
                        ),
                        Some(Json::Null) if !field.required => {}
                        Some(item) => self.value(&field.ty, &field.constraints, item, child(&path, &field.name)),
                        None => {}
                    }
                }
                for key in map.keys() {
                    if !object.fields.iter().any(|f| &f.name == key) {
                        // A likely misspelling is one of the fields the value does not set.
                        let unset = object.fields.iter().map(|f| f.name.as_str()).filter(|f| !map.contains_key(*f));
                        let help = crate::diagnostic::did_you_mean(key, unset, || {
                            format!("add `{key}` to the fields of `{name}` (with its type and doc), or remove it from the value")
                        });
                        self.fail(&child(&path, key), format!("`{key}` is not a field of `{name}`"), &help);
                    }
                }
            }
            (Model::Enum(en), Json::String(_) | Json::Number(_) | Json::Bool(_)) => {
                let repr_ok = match en.repr {
                    Repr::String => value.is_string(),
                    Repr::Integer => value.is_i64() || value.is_u64(),
                    Repr::Boolean => value.is_boolean(),
                };
                if !repr_ok {
                    self.wrong_type(&path, &TypeRef::Model(name.to_owned()), value);
                } else if !en.values.iter().any(|v| &v.value == value) {
                    self.fail(
                        &path,
                        format!("{value} is not a value of the enum `{name}`"),
                        &format!("add {value} to `{name}` if the docs allow it, or correct the value"),
                    );
                }
            }
            _ => self.wrong_type(&path, &TypeRef::Model(name.to_owned()), value),
        }
    }
}
