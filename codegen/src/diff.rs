//! Compares two checked specs the way a caller of the generated crate sees them: what
//! changed in the API, which changes break code written against the old crate, and which
//! semver bump the crate needs.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ir::{field_ident, variant_ident};
use crate::model::{Field, Model, Operation, Param, Response, Spec};

/// How a change affects callers of the generated crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// Code written against the old crate may stop compiling or behave differently.
    Breaking,
    /// New API surface; existing code keeps compiling.
    Addition,
    /// Docs, examples, limits or wire details that leave the Rust API as it was.
    Other,
}

/// One difference between the specs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub impact: Impact,
    /// Spec path of what changed, e.g. `operations.get_user.params.limit`.
    pub path: String,
    pub description: String,
}

/// The semver bump a set of changes needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bump {
    Major,
    Minor,
    Patch,
    None,
}

/// Every difference from `old` to `new`, sorted by impact and path.
pub fn compare(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut out = Changes::default();
    operations(&mut out, old, new);
    models(&mut out, old, new);
    if old.api.version != new.api.version {
        out.push(Impact::Other, "api.version", format!("API description version {} → {}", old.api.version, new.api.version));
    }
    let mut changes = out.0;
    changes.sort();
    changes
}

/// The bump `changes` need. Before 1.0, a breaking change bumps the minor version.
pub fn bump(changes: &[Change]) -> Bump {
    if changes.iter().any(|c| c.impact == Impact::Breaking) {
        Bump::Major
    } else if changes.iter().any(|c| c.impact == Impact::Addition) {
        Bump::Minor
    } else if changes.is_empty() {
        Bump::None
    } else {
        Bump::Patch
    }
}

/// The report `cargo xtask diff` prints.
pub fn render(changes: &[Change], crate_version: &str) -> String {
    let mut text = String::new();
    for (impact, title) in [
        (Impact::Breaking, "Breaking changes for callers of the crate"),
        (Impact::Addition, "Additions"),
        (Impact::Other, "Other changes"),
    ] {
        let group: Vec<&Change> = changes.iter().filter(|c| c.impact == impact).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(text, "{title} ({}):", group.len());
        for change in group {
            let _ = writeln!(text, "  - {} [{}]", change.description, change.path);
        }
        text.push('\n');
    }
    let pre_1_0 = crate_version.starts_with("0.");
    let advice = match (bump(changes), pre_1_0) {
        (Bump::Major, false) => "major (breaking changes)",
        (Bump::Major, true) => "minor (breaking changes; the crate is before 1.0)",
        (Bump::Minor, false) => "minor (additions only)",
        (Bump::Minor, true) => "patch (additions only; the crate is before 1.0)",
        (Bump::Patch, _) => "patch (no change to the Rust API)",
        (Bump::None, _) => "none (the specs describe the same API)",
    };
    let _ = writeln!(text, "Version bump needed from {crate_version}: {advice}");
    text
}

#[derive(Default)]
struct Changes(Vec<Change>);

impl Changes {
    fn push(&mut self, impact: Impact, path: impl Into<String>, description: impl Into<String>) {
        self.0.push(Change { impact, path: path.into(), description: description.into() });
    }
}

fn by_id(spec: &Spec) -> BTreeMap<&str, &Operation> {
    spec.operations.iter().map(|o| (o.id.as_str(), o)).collect()
}

fn route(op: &Operation) -> String {
    format!("{} {}", op.method.as_str(), op.path)
}

fn operations(out: &mut Changes, old: &Spec, new: &Spec) {
    let (old_ops, new_ops) = (by_id(old), by_id(new));
    for (id, op) in &old_ops {
        if !new_ops.contains_key(id) {
            out.push(Impact::Breaking, format!("operations.{id}"), format!("operation `{id}` ({}) removed", route(op)));
        }
    }
    for (id, op) in &new_ops {
        let path = format!("operations.{id}");
        let Some(before) = old_ops.get(id) else {
            out.push(Impact::Addition, path, format!("operation `{id}` ({}) added", route(op)));
            continue;
        };
        operation(out, &path, before, op);
    }
}

fn operation(out: &mut Changes, path: &str, old: &Operation, new: &Operation) {
    let id = &new.id;
    if old.group != new.group {
        out.push(Impact::Breaking, format!("{path}.group"), format!("`{id}` moved from client.{}() to client.{}()", old.group, new.group));
    }
    if route(old) != route(new) {
        out.push(Impact::Other, format!("{path}.path"), format!("`{id}` now sends {} instead of {}", route(new), route(old)));
    }
    params(out, path, old, new);
    let body = |op: &Operation| op.request.as_ref().map(|r| (r.encoding, r.body.clone()));
    match (body(old), body(new)) {
        (None, Some(_)) => out.push(Impact::Breaking, format!("{path}.request"), format!("`{id}` now takes a request body")),
        (Some(_), None) => out.push(Impact::Breaking, format!("{path}.request"), format!("`{id}` no longer takes a request body")),
        (Some((_, a)), Some((_, b))) if a != b => {
            out.push(Impact::Breaking, format!("{path}.request.body"), format!("`{id}` takes `{b}` instead of `{a}`"))
        }
        (Some((a, _)), Some((b, _))) if a != b => {
            out.push(Impact::Other, format!("{path}.request.encoding"), format!("`{id}` sends its body as {} instead of {}", b.content_type(), a.content_type()))
        }
        _ => {}
    }
    if old.response != new.response {
        out.push(Impact::Breaking, format!("{path}.response"), format!("`{id}` returns {} instead of {}", response(&new.response), response(&old.response)));
    }
    match (&old.paging, &new.paging) {
        (None, Some(_)) => out.push(Impact::Addition, format!("{path}.paging"), format!("`{id}` can be streamed page by page")),
        (Some(_), None) => out.push(Impact::Breaking, format!("{path}.paging"), format!("`{id}` is no longer paged (`into_stream` removed)")),
        (Some(a), Some(b)) if a.item_type != b.item_type => out.push(
            Impact::Breaking,
            format!("{path}.paging"),
            format!("`{id}` streams `{}` instead of `{}`", b.item_type, a.item_type),
        ),
        (Some(a), Some(b)) if a != b => out.push(Impact::Other, format!("{path}.paging"), format!("`{id}` pages differently")),
        _ => {}
    }
    let others = [
        (old.summary != new.summary || old.description != new.description, "summary", "docs changed"),
        (old.rate_limit != new.rate_limit, "rate_limit", "documented rate limit changed"),
        (old.idempotent != new.idempotent, "idempotent", "retry safety changed"),
        (old.auth != new.auth, "auth", "authentication changed"),
        (old.variant != new.variant, "variant", "variant condition changed"),
        (old.examples != new.examples, "examples", "examples changed"),
        (old.note != new.note || old.docs_url != new.docs_url || old.name_zh != new.name_zh, "docs", "doc links or notes changed"),
    ];
    for (changed, key, what) in others {
        if changed {
            out.push(Impact::Other, format!("{path}.{key}"), format!("`{id}`: {what}"));
        }
    }
}

fn response(r: &Response) -> String {
    match r {
        Response::Json(ty) => format!("`{ty}`"),
        Response::Binary { content_type } => format!("a {content_type} stream"),
        Response::Empty => "nothing".into(),
    }
}

fn params(out: &mut Changes, path: &str, old: &Operation, new: &Operation) {
    let id = &new.id;
    let find = |op: &'_ Operation, name: &str| op.params.iter().find(|p| p.name == name).cloned();
    for p in &old.params {
        if find(new, &p.name).is_none() {
            out.push(Impact::Breaking, format!("{path}.params.{}", p.name), format!("`{id}` lost the parameter `{}`", p.name));
        }
    }
    for p in &new.params {
        let here = format!("{path}.params.{}", p.name);
        let Some(before) = find(old, &p.name) else {
            if p.required {
                out.push(Impact::Breaking, here, format!("`{id}` has a new required parameter `{}`", p.name));
            } else {
                out.push(Impact::Addition, here, format!("`{id}` has a new optional parameter `{}`", p.name));
            }
            continue;
        };
        param(out, &here, id, &before, p);
    }
}

fn param(out: &mut Changes, here: &str, id: &str, old: &Param, new: &Param) {
    let name = &new.name;
    if old.ty != new.ty {
        out.push(Impact::Breaking, here, format!("`{id}` parameter `{name}` is `{}` instead of `{}`", new.ty, old.ty));
    }
    if old.required != new.required {
        let now = if new.required { "required (an argument)" } else { "optional (a setter)" };
        out.push(Impact::Breaking, here, format!("`{id}` parameter `{name}` is now {now}"));
    }
    if field_ident(&old.name, old.rust_name.as_ref()) != field_ident(&new.name, new.rust_name.as_ref()) {
        out.push(Impact::Breaking, here, format!("`{id}` parameter `{name}` has a new Rust name"));
    }
    if old.location != new.location {
        out.push(Impact::Other, here, format!("`{id}` sends `{name}` in the {} instead of the {}", new.location.as_str(), old.location.as_str()));
    }
    if old.constraints != new.constraints || old.default != new.default || old.doc != new.doc {
        out.push(Impact::Other, here, format!("`{id}` parameter `{name}`: docs, limits or default changed"));
    }
}

fn models(out: &mut Changes, old: &Spec, new: &Spec) {
    for (name, model) in &old.models {
        if !new.models.contains_key(name) {
            out.push(Impact::Breaking, format!("models.{name}"), format!("{} `{name}` removed", kind(model)));
        }
    }
    for (name, model) in &new.models {
        let path = format!("models.{name}");
        match (old.models.get(name), model) {
            (None, _) => out.push(Impact::Addition, path, format!("{} `{name}` added", kind(model))),
            (Some(Model::Object(a)), Model::Object(b)) => {
                fields(out, &path, name, &a.fields, &b.fields);
                if a.doc != b.doc {
                    out.push(Impact::Other, path, format!("`{name}`: docs changed"));
                }
            }
            (Some(Model::Enum(a)), Model::Enum(b)) => {
                for v in &a.values {
                    if !b.values.iter().any(|w| w.value == v.value) {
                        out.push(Impact::Breaking, path.clone(), format!("`{name}` lost the value {}", v.value));
                    }
                }
                for v in &b.values {
                    match a.values.iter().find(|w| w.value == v.value) {
                        None => out.push(Impact::Addition, path.clone(), format!("`{name}` has a new value {}", v.value)),
                        Some(w) if variant_ident(w) != variant_ident(v) => {
                            out.push(Impact::Breaking, path.clone(), format!("`{name}` value {} has a new Rust variant name", v.value))
                        }
                        Some(w) if w.doc != v.doc => out.push(Impact::Other, path.clone(), format!("`{name}` value {}: docs changed", v.value)),
                        _ => {}
                    }
                }
                if a.repr != b.repr {
                    out.push(Impact::Breaking, path, format!("`{name}` values changed between strings and integers"));
                }
            }
            (Some(before), after) => {
                out.push(Impact::Breaking, path, format!("`{name}` changed from {} to {}", kind(before), kind(after)));
            }
        }
    }
}

fn kind(model: &Model) -> &'static str {
    match model {
        Model::Object(_) => "struct",
        Model::Enum(_) => "enum",
    }
}

fn fields(out: &mut Changes, path: &str, model: &str, old: &[Field], new: &[Field]) {
    for f in old {
        if !new.iter().any(|g| g.name == f.name) {
            out.push(Impact::Breaking, format!("{path}.fields.{}", f.name), format!("`{model}` lost the field `{}`", f.name));
        }
    }
    for f in new {
        let here = format!("{path}.fields.{}", f.name);
        let Some(before) = old.iter().find(|g| g.name == f.name) else {
            if f.required {
                out.push(Impact::Breaking, here, format!("`{model}` has a new required field `{}` (`new` takes it)", f.name));
            } else {
                out.push(Impact::Addition, here, format!("`{model}` has a new optional field `{}`", f.name));
            }
            continue;
        };
        if before.ty != f.ty {
            out.push(Impact::Breaking, here.clone(), format!("`{model}.{}` is `{}` instead of `{}`", f.name, f.ty, before.ty));
        }
        if before.required != f.required {
            let now = if f.required { "required" } else { "optional" };
            out.push(Impact::Breaking, here.clone(), format!("`{model}.{}` is now {now}", f.name));
        }
        if field_ident(&before.name, before.rust_name.as_ref()) != field_ident(&f.name, f.rust_name.as_ref()) {
            out.push(Impact::Breaking, here.clone(), format!("`{model}.{}` has a new Rust name", f.name));
        }
        if before.doc != f.doc || before.constraints != f.constraints || before.default != f.default {
            out.push(Impact::Other, here, format!("`{model}.{}`: docs, limits or default changed", f.name));
        }
    }
}

impl std::fmt::Display for Bump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
            Bump::None => "none",
        })
    }
}
