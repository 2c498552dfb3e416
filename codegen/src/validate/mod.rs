//! Turns the loaded files into the checked [`Spec`], or reports every problem at once.
//!
//! Checks run in phases (names, models, operations, then everything that needs the whole
//! model: defaults, examples, paging, variants); each phase keeps going after a problem so
//! that one run shows them all.

mod accessors;
mod callbacks;
mod conform;
mod cycles;
mod extends;
mod follow_on;
mod types;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value as Json;

use crate::diagnostic::{did_you_mean, Diagnostic, Diagnostics};
use crate::load::{raw, Item, Loaded, Origin};
use crate::model::*;
use crate::naming;

pub use types::mentions_file;

/// Checks everything `loaded` holds; the spec, or every problem found.
pub fn validate(loaded: &Loaded) -> Result<Spec, Diagnostics> {
    let mut ctx = Ctx {
        loaded,
        diags: Diagnostics::default(),
        incomplete: BTreeSet::new(),
        unreliable: BTreeSet::new(),
        repeats: BTreeMap::new(),
        multipart_bodies: BTreeSet::new(),
        failed_variant_sets: BTreeSet::new(),
        rust_names: BTreeMap::new(),
    };
    let api = ctx.api();
    let sources = ctx.model_sources();
    let names: BTreeSet<String> = sources.iter().map(|s| s.name.clone()).collect();
    let mut models = BTreeMap::new();
    for source in &sources {
        if let Some(model) = ctx.model(source, &names) {
            models.insert(source.name.clone(), model);
        }
    }
    ctx.resolve_extends(&sources, &mut models);
    ctx.find_unreliable(&names, &models);
    let mut operations = Vec::new();
    let mut seen_ids: HashMap<&str, &Item<raw::Operation>> = HashMap::new();
    for item in &loaded.operations {
        if let Some(first) = seen_ids.insert(&item.name, item) {
            let first_at = ctx.where_is(&Origin { file: first.file, path: first.path.clone() });
            ctx.error(
                Origin { file: item.file, path: item.path.clone() },
                format!("the operation id `{}` is used twice", item.name),
                format!("it is first used at {first_at}; rename one of them"),
            );
            continue;
        }
        if let Some(op) = ctx.operation(item, &names, api.as_ref()) {
            operations.push((op, item));
        }
    }
    let callbacks = ctx.callbacks(&names, &models, api.as_ref());
    let origins: HashMap<String, Origin> =
        sources.iter().map(|s| (s.name.clone(), s.origin.clone())).collect();
    ctx.model_late_checks(&models, &origins);
    ctx.required_cycles(&models, &origins);
    ctx.accessors(&models, &origins);
    for (op, item) in &mut operations {
        ctx.operation_late_checks(op, item, &models);
    }
    ctx.file_fields(&models, &origins);
    ctx.report_repeats();
    ctx.shared_paths(&operations);
    ctx.rename_collisions(&operations, &sources);
    if let Some(api) = &api {
        if !models.contains_key(&api.error_model) && !loaded.unavailable_models.contains(&api.error_model) {
            ctx.error(
                Origin { file: loaded.api[0].file, path: "api.error_model".into() },
                format!("the error model `{}` is not defined", api.error_model),
                "define it under `models:` or name an existing object model",
            );
        }
    }
    match api {
        Some(api) if ctx.diags.is_empty() => {
            let mut locations = locations(loaded, &operations, &sources, &models);
            for item in &loaded.events {
                let origin = Origin { file: item.file, path: item.path.clone() };
                for key in ["when", "body", "examples"] {
                    if let Some(location) = loaded.locate(&at(&origin, key)) {
                        locations.0.insert(format!("{}.{key}", item.path), location);
                    }
                }
                if let Some(location) = loaded.locate(&origin) {
                    locations.0.insert(item.path.clone(), location);
                }
            }
            if let Some(location) = loaded.callbacks.first().and_then(|c| loaded.locate(&Origin { file: c.file, path: "callbacks.common".into() })) {
                locations.0.insert("callbacks.common".into(), location);
            }
            let mut operations: Vec<Operation> = operations.into_iter().map(|(op, _)| op).collect();
            operations.sort_by(|a, b| a.id.cmp(&b.id));
            Ok(Spec { api, operations, models, callbacks, locations })
        }
        _ => Err(ctx.diags),
    }
}

/// Where every operation, parameter, model, field and enum value of a valid spec is written.
fn locations(loaded: &Loaded, operations: &[(Operation, &Item<raw::Operation>)], sources: &[ModelSource], models: &BTreeMap<String, Model>) -> Locations {
    const OPERATION_KEYS: [&str; 13] =
        ["method", "path", "group", "auth", "idempotent", "variant", "request", "response", "paging", "rate_limit", "deprecated", "summary", "examples"];
    let mut out = BTreeMap::new();
    let mut put = |key: String, origin: Origin| {
        if let Some(location) = loaded.locate(&origin) {
            out.insert(key, location);
        }
    };
    for (op, item) in operations {
        let origin = Origin { file: item.file, path: item.path.clone() };
        let key = format!("operations.{}", op.id);
        for name in OPERATION_KEYS {
            put(format!("{key}.{name}"), at(&origin, name));
        }
        for p in &op.params {
            put(format!("{key}.params.{}", p.name), at(&origin, &format!("params.{}", p.name)));
        }
        put(key, origin);
    }
    for source in sources {
        let key = format!("models.{}", source.name);
        match models.get(&source.name) {
            Some(Model::Object(m)) => {
                for f in m.fields.iter().filter(|f| f.inherited_from.is_none()) {
                    put(format!("{key}.fields.{}", f.name), at(&source.origin, &format!("fields.{}", f.name)));
                }
            }
            Some(Model::Enum(m)) => {
                for (i, v) in m.values.iter().enumerate() {
                    put(format!("{key}.enum.{}", enum_value_key(&v.value)), at(&source.origin, &format!("enum[{i}]")));
                }
            }
            None => {}
        }
        put(key, source.origin.clone());
    }
    Locations(out)
}

/// An enum value as it appears in spec paths: the string itself, or the integer.
pub fn enum_value_key(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A model to check: declared under `models:`, or a body written in place.
struct ModelSource<'a> {
    name: String,
    origin: Origin,
    raw: &'a raw::Model,
    inline_for: Option<String>,
}

struct Ctx<'a> {
    loaded: &'a Loaded,
    diags: Diagnostics,
    /// Models missing a part through an error already reported (see `follow_on`).
    incomplete: BTreeSet<String>,
    /// Incomplete models and the models that contain them.
    unreliable: BTreeSet<String>,
    /// Problems many places share, reported once (see `follow_on`).
    repeats: BTreeMap<String, follow_on::Repeat>,
    /// Request bodies of multipart operations, including operations dropped for another
    /// error (so that their `file` fields are not reported as well).
    multipart_bodies: BTreeSet<TypeRef>,
    /// Variant sets and routes of operations dropped for an error already reported: the
    /// operations that remain are not told they have no partner.
    failed_variant_sets: BTreeSet<String>,
    /// `api.rust_names`: the Rust name of every parameter and field with that wire name and
    /// no `rust_name` of its own. (An entry no name uses is not an error: the fixture specs
    /// share the API section of `spec/`.)
    rust_names: BTreeMap<String, String>,
}

fn at(origin: &Origin, key: &str) -> Origin {
    let path = if key.starts_with('[') || origin.path.is_empty() {
        format!("{}{key}", origin.path)
    } else {
        format!("{}.{key}", origin.path)
    };
    Origin { file: origin.file, path }
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize, max: u32| s.len() == len && s.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n));
    parts.len() == 3 && number(parts[0], 4, 9999) && number(parts[1], 2, 12) && number(parts[2], 2, 31)
}

fn is_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_pascal(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn rate_limit(raw: &raw::RateLimit, documented: bool) -> RateLimit {
    RateLimit {
        count: raw.count,
        per: match raw.per {
            raw::Per::Second => Per::Second,
            raw::Per::Minute => Per::Minute,
            raw::Per::Hour => Per::Hour,
            raw::Per::Day => Per::Day,
        },
        note: raw.note.clone(),
        documented,
    }
}

/// Names of the `{placeholders}` of a path, or the text of a malformed one.
fn placeholders(path: &str) -> Result<Vec<Segment>, String> {
    let mut segments = Vec::new();
    for part in path.split('/').skip(1) {
        if let Some(name) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if name.is_empty() || name.contains(['{', '}']) {
                return Err(part.to_owned());
            }
            segments.push(Segment::Param(name.to_owned()));
        } else if part.contains(['{', '}']) {
            return Err(part.to_owned());
        } else {
            segments.push(Segment::Literal(part.to_owned()));
        }
    }
    Ok(segments)
}

impl<'a> Ctx<'a> {
    /// `file:line:col` of `origin`, for messages that point at a second place.
    fn where_is(&self, origin: &Origin) -> String {
        self.loaded
            .locate(origin)
            .map_or_else(|| origin.path.clone(), |l| format!("{}:{}:{}", l.file, l.line, l.col))
    }

    fn error(&mut self, origin: Origin, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic {
            location: self.loaded.locate(&origin),
            spec_path: origin.path,
            message: message.into(),
            help: Some(help.into()),
        });
    }

    fn error_value(&mut self, origin: Origin, message: impl Into<String>, help: impl Into<String>) {
        self.diags.push(Diagnostic {
            location: self.loaded.locate_value(&origin),
            spec_path: origin.path,
            message: message.into(),
            help: Some(help.into()),
        });
    }

    // ---- api -------------------------------------------------------------------------

    fn api(&mut self) -> Option<Api> {
        let items = &self.loaded.api;
        if items.is_empty() && self.loaded.partial {
            return None;
        }
        if items.is_empty() {
            // Shown at the top of the first file, where the section usually is.
            let first_file = self.loaded.files.first().map(|f| crate::diagnostic::Location { file: f.name.clone(), line: 1, col: 1 });
            self.diags.push(Diagnostic {
                location: first_file,
                spec_path: "api".into(),
                message: "no file has an `api` section".into(),
                help: Some("add `api:` with title, version, base_path and the rest to one file (see spec/README.md)".into()),
            });
            return None;
        }
        for extra in &items[1..] {
            self.error(
                Origin { file: extra.file, path: "api".into() },
                "a second `api` section",
                format!("keep the one in {} and delete this one", self.loaded.files[items[0].file].name),
            );
        }
        let item = &items[0];
        let raw = &item.value;
        let origin = Origin { file: item.file, path: "api".into() };
        let mut base_params = Vec::new();
        match placeholders(&raw.base_path) {
            Ok(segments) => {
                for segment in segments {
                    if let Segment::Param(name) = segment {
                        match raw.base_params.get(&name) {
                            Some(param) => base_params.push((name, param.doc.clone())),
                            None => self.error_value(
                                at(&origin, "base_path"),
                                format!("the base path placeholder `{{{name}}}` is not in `base_params`"),
                                format!("add `{name}: {{doc: \"...\"}}` under `base_params`"),
                            ),
                        }
                    }
                }
            }
            Err(part) => self.error_value(at(&origin, "base_path"), format!("malformed path segment `{part}`"), "write placeholders as whole segments: `/{name}`"),
        }
        for name in raw.base_params.keys() {
            if !base_params.iter().any(|(n, _)| n == name) {
                self.error(at(&origin, &format!("base_params.{name}")), format!("`{name}` is not a placeholder of the base path"), "remove it, or add it to `base_path`");
            }
        }
        for (wire, rust) in &raw.rust_names {
            if !is_snake(rust) {
                self.error_value(at(&origin, &format!("rust_names.{wire}")), format!("`{rust}` is not a snake_case Rust name"), format!("write `{}`", naming::snake(rust)));
                continue;
            }
            self.rust_names.insert(wire.clone(), rust.clone());
        }
        Some(Api {
            title: raw.title.clone(),
            version: raw.version.clone(),
            description: raw.description.clone(),
            docs_base: raw.docs_base.clone(),
            base_path: raw.base_path.clone(),
            base_params,
            default_rate_limit: rate_limit(&raw.default_rate_limit, false),
            error_model: raw.error_model.clone(),
            servers: raw.servers.iter().map(|s| (s.url.clone(), s.doc.clone())).collect(),
        })
    }

    // ---- model names -----------------------------------------------------------------

    fn model_sources(&mut self) -> Vec<ModelSource<'a>> {
        let loaded = self.loaded;
        let mut sources: Vec<ModelSource<'a>> = Vec::new();
        let mut seen: HashMap<String, Origin> = HashMap::new();
        let mut add = |ctx: &mut Self, source: ModelSource<'a>, sources: &mut Vec<ModelSource<'a>>| {
            if let Some(first) = seen.get(&source.name) {
                let first_at = ctx.where_is(first);
                ctx.error(
                    source.origin.clone(),
                    format!("the model name `{}` is defined twice", source.name),
                    format!("it is first defined at {first_at}; rename one of them"),
                );
                return;
            }
            seen.insert(source.name.clone(), source.origin.clone());
            sources.push(source);
        };
        for item in &loaded.models {
            let origin = Origin { file: item.file, path: item.path.clone() };
            if !is_pascal(&item.name) {
                self.error(origin, format!("the model name `{}` is not UpperCamelCase", item.name), format!("rename it to `{}`", naming::pascal(&item.name)));
                continue;
            }
            add(self, ModelSource { name: item.name.clone(), origin, raw: &item.value, inline_for: None }, &mut sources);
        }
        for item in &loaded.operations {
            let op = &item.value;
            let base = naming::pascal(&item.name);
            let bodies = [
                (op.request.as_ref().map(|r| &r.body), "request.body", "Request"),
                (op.response.body.as_ref(), "response.body", "Response"),
            ];
            for (body, key, suffix) in bodies {
                if let Some(raw::Body::Inline(model)) = body {
                    let origin = Origin { file: item.file, path: format!("{}.{key}", item.path) };
                    let source = ModelSource { name: format!("{base}{suffix}"), origin, raw: model, inline_for: Some(item.name.clone()) };
                    add(self, source, &mut sources);
                }
            }
        }
        sources
    }

    // ---- deprecations and renames ----------------------------------------------------

    /// The checked `deprecated:` of the item at `origin`.
    fn deprecation(&mut self, origin: &Origin, raw: Option<&raw::Deprecated>) -> Option<Deprecation> {
        match raw? {
            raw::Deprecated::Flag(false) => None,
            raw::Deprecated::Flag(true) => Some(Deprecation::default()),
            raw::Deprecated::Details(details) => {
                if let Some(date) = &details.sunset {
                    if !is_date(date) {
                        self.error_value(at(origin, "deprecated.sunset"), format!("`{date}` is not a date"), "write the sunset date as `YYYY-MM-DD`, e.g. `2027-06-30`");
                    }
                }
                Some(Deprecation { note: details.note.clone(), sunset: details.sunset.clone() })
            }
        }
    }

    /// The checked former names of a model.
    fn model_renames(&mut self, source: &ModelSource) -> Vec<String> {
        let renames = &source.raw.renamed_from;
        if !renames.is_empty() && source.inline_for.is_some() {
            self.error(at(&source.origin, "renamed_from"), "a body written in place has no name of its own to rename", "rename the operation instead (its `renamed_from` keeps the old body names too), or move the body under `models:`");
            return Vec::new();
        }
        for (i, name) in renames.iter().enumerate() {
            if !is_pascal(name) {
                self.error_value(at(&source.origin, &format!("renamed_from[{i}]")), format!("the former name `{name}` is not UpperCamelCase"), format!("write `{}`", naming::pascal(name)));
            }
        }
        renames.clone()
    }

    /// Former operation ids and model names must not collide with current ones or each other.
    fn rename_collisions(&mut self, operations: &[(Operation, &Item<raw::Operation>)], sources: &[ModelSource]) {
        let mut ids: HashMap<&str, Origin> =
            operations.iter().map(|(op, item)| (op.id.as_str(), Origin { file: item.file, path: item.path.clone() })).collect();
        for (op, item) in operations {
            for (i, old) in op.renamed_from.iter().enumerate() {
                let here = Origin { file: item.file, path: format!("{}.renamed_from[{i}]", item.path) };
                if !is_snake(old) {
                    self.error_value(here, format!("the former id `{old}` is not snake_case"), format!("write `{}`", naming::snake(old)));
                } else if let Some(other) = ids.get(old.as_str()) {
                    let other_at = self.where_is(other);
                    self.error_value(here, format!("the former id `{old}` is in use (at {other_at})"), "an old id can only be kept by one operation, and not while an operation still has it; remove one");
                } else {
                    ids.insert(old, here);
                }
            }
        }
        let mut names: HashMap<&str, Origin> = sources.iter().map(|s| (s.name.as_str(), s.origin.clone())).collect();
        for source in sources {
            for (i, old) in source.raw.renamed_from.iter().enumerate() {
                let here = at(&source.origin, &format!("renamed_from[{i}]"));
                if let Some(other) = names.get(old.as_str()) {
                    let other_at = self.where_is(other);
                    self.error_value(here, format!("the former name `{old}` is in use (at {other_at})"), "a model's old name can only be kept once, and not while a model still has it; remove one");
                } else {
                    names.insert(old, here);
                }
            }
        }
    }

    // ---- models ----------------------------------------------------------------------

    fn type_ref(&mut self, origin: Origin, text: &str, names: &BTreeSet<String>) -> Option<TypeRef> {
        let ty = match types::parse(text) {
            Ok(ty) => ty,
            Err(message) => {
                let word: String = text.chars().filter(|c| !matches!(c, '[' | ']' | '{' | '}' | ' ' | '"')).collect();
                let known = types::BUILTIN.iter().copied().chain(names.iter().map(String::as_str));
                let help = did_you_mean(&word, known, || "see the type table in spec/README.md".into());
                self.error_value(origin, message, help);
                return None;
            }
        };
        let mut ok = true;
        for name in types::model_names(&ty) {
            if !names.contains(name) && self.loaded.unavailable_models.contains(name) {
                ok = false;
            } else if !names.contains(name) {
                let known = types::BUILTIN.iter().copied().chain(names.iter().map(String::as_str));
                let help = did_you_mean(name, known, || format!("define `{name}` under `models:`, or correct the name"));
                let message = format!("the type refers to `{name}`, which is not defined");
                self.repeated(message.clone(), origin.clone(), message, help);
                ok = false;
            }
        }
        ok.then_some(ty)
    }

    fn constraints(&mut self, origin: &Origin, raw: &raw::Typed, ty: &TypeRef) -> Constraints {
        let c = Constraints {
            min: raw.min,
            max: raw.max,
            min_length: raw.min_length,
            max_length: raw.max_length,
            min_items: raw.min_items,
            max_items: raw.max_items,
        };
        let pairs = [
            ("min", c.min, c.max),
            ("min_length", c.min_length.map(|v| v as f64), c.max_length.map(|v| v as f64)),
            ("min_items", c.min_items.map(|v| v as f64), c.max_items.map(|v| v as f64)),
        ];
        for (key, low, high) in pairs {
            if let (Some(low), Some(high)) = (low, high) {
                if low > high {
                    self.error_value(at(origin, key), format!("`{key}` ({low}) is greater than its maximum ({high})"), "swap the bounds or correct one of them");
                }
            }
        }
        let numeric = matches!(ty, TypeRef::Integer | TypeRef::Number);
        let string = matches!(ty, TypeRef::String);
        let array = matches!(ty, TypeRef::Array(_));
        let checks = [
            ("min", c.min.is_some(), numeric, "numbers"),
            ("max", c.max.is_some(), numeric, "numbers"),
            ("min_length", c.min_length.is_some(), string, "strings"),
            ("max_length", c.max_length.is_some(), string, "strings"),
            ("min_items", c.min_items.is_some(), array, "arrays"),
            ("max_items", c.max_items.is_some(), array, "arrays"),
        ];
        for (key, present, applies, what) in checks {
            if present && !applies {
                self.error(at(origin, key), format!("`{key}` applies to {what}, but the type is `{ty}`"), format!("remove `{key}` or change the type"));
            }
        }
        c
    }

    /// The item limits of a request body, which apply to array bodies only.
    fn body_constraints(&mut self, origin: &Origin, raw: &raw::Request, body: &TypeRef) -> Constraints {
        let c = Constraints { min_items: raw.min_items, max_items: raw.max_items, ..Constraints::default() };
        if let (Some(low), Some(high)) = (c.min_items, c.max_items) {
            if low > high {
                self.error_value(at(origin, "min_items"), format!("`min_items` ({low}) is greater than its maximum ({high})"), "swap the bounds or correct one of them");
            }
        }
        if !c.is_empty() && !matches!(body, TypeRef::Array(_)) {
            let key = if c.min_items.is_some() { "min_items" } else { "max_items" };
            self.error(at(origin, key), format!("`{key}` applies to array bodies, but the body is `{body}`"), format!("remove `{key}` or make the body an array (`[{body}]`)"));
        }
        c
    }

    /// A parameter's or field's own `rust_name`, else the one `api.rust_names` gives its wire
    /// name.
    fn rust_name(&self, wire: &str, own: Option<&String>) -> Option<String> {
        own.or_else(|| self.rust_names.get(wire)).cloned()
    }

    /// `unit:` (and `forever:`) on an integer field.
    fn time_field(&mut self, origin: &Origin, raw: &raw::Typed, ty: &TypeRef) -> Option<TimeField> {
        if raw.forever.is_some() && raw.unit.is_none() {
            self.error(at(origin, "forever"), "`forever` without `unit`", "add `unit: milliseconds` or `unit: seconds`, or remove `forever`");
        }
        let unit = raw.unit?;
        if *ty != TypeRef::Integer {
            self.error_value(at(origin, "unit"), format!("`unit` is for integer fields, not {ty}"), "remove `unit`, or type the field `integer`");
            return None;
        }
        if let Some(value) = raw.forever.filter(|v| *v != -1) {
            self.error_value(at(origin, "forever"), format!("`forever: {value}` is not supported"), "the crate knows `-1` as \"for good\" (the value the docs use); write `forever: -1`");
        }
        Some(TimeField { milliseconds: unit == raw::TimeUnit::Milliseconds, forever: raw.forever.is_some() })
    }

    fn field(&mut self, origin: Origin, name: &str, raw: &raw::Typed, names: &BTreeSet<String>) -> Option<Field> {
        if raw.location.is_some() {
            self.error(at(&origin, "in"), "a model field has `in`", "`in` belongs to operation parameters; remove it");
        }
        let ty = self.type_ref(at(&origin, "type"), &raw.ty, names)?;
        let constraints = self.constraints(&origin, raw, &ty);
        let time = self.time_field(&origin, raw, &ty);
        Some(Field {
            name: name.to_owned(),
            ty,
            doc: raw.doc.clone(),
            required: raw.required.unwrap_or(false),
            default: raw.default.clone(),
            rust_name: self.rust_name(name, raw.rust_name.as_ref()),
            constraints,
            deprecated: self.deprecation(&origin, raw.deprecated.as_ref()),
            inherited_from: None,
            secret: raw.secret.unwrap_or(false),
            time,
        })
    }

    fn model(&mut self, source: &ModelSource, names: &BTreeSet<String>) -> Option<Model> {
        let raw = source.raw;
        let origin = &source.origin;
        match (&raw.fields, &raw.values) {
            (Some(fields), None) => {
                if raw.repr.is_some() {
                    self.error(at(origin, "repr"), "`repr` is only for enum models", "remove `repr`");
                }
                let mut out = Vec::new();
                for (name, field) in fields {
                    match self.field(at(origin, &format!("fields.{name}")), name, field, names) {
                        Some(field) => out.push(field),
                        None => {
                            self.incomplete.insert(source.name.clone());
                        }
                    }
                }
                Some(Model::Object(ObjectModel {
                    name: source.name.clone(),
                    doc: raw.doc.clone(),
                    extends: raw.extends.clone(),
                    fields: out,
                    inline_for: source.inline_for.clone(),
                    renamed_from: self.model_renames(source),
                    accessors: raw
                        .accessors
                        .iter()
                        .map(|(name, a)| Accessor { name: name.clone(), path: a.path.split('.').map(str::to_owned).collect(), doc: a.doc.clone() })
                        .collect(),
                }))
            }
            (None, Some(values)) => {
                if raw.extends.is_some() {
                    self.error(at(origin, "extends"), "an enum model cannot extend another model", "remove `extends`");
                }
                let mut model = self.enum_model(source, values);
                model.renamed_from = self.model_renames(source);
                Some(Model::Enum(model))
            }
            (Some(_), Some(_)) => {
                self.error(origin.clone(), format!("`{}` has both `fields` and `enum`", source.name), "a model is either an object (`fields`) or an enum (`enum`); split it in two");
                None
            }
            (None, None) => {
                self.error(origin.clone(), format!("`{}` has neither `fields` nor `enum`", source.name), "add `fields:` for an object model or `enum:` for a value set (`fields: {}` for an empty object)");
                None
            }
        }
    }

    fn enum_model(&mut self, source: &ModelSource, values: &[raw::EnumValue]) -> EnumModel {
        let origin = &source.origin;
        let repr = match source.raw.repr {
            Some(raw::Repr::Integer) => Repr::Integer,
            Some(raw::Repr::Boolean) => Repr::Boolean,
            _ => Repr::String,
        };
        if repr == Repr::Boolean {
            let listed = |b: bool| values.iter().any(|v| v.value == Json::Bool(b));
            if values.len() != 2 || !listed(true) || !listed(false) {
                self.error(at(origin, "enum"), format!("the boolean enum `{}` must list `true` and `false`, once each", source.name), "list both values, each with a `rust_name` that says what it means");
            }
            for (i, value) in values.iter().enumerate().filter(|(_, v)| v.rust_name.is_none()) {
                self.error(at(origin, &format!("enum[{i}]")), format!("the value {} of the boolean enum `{}` has no `rust_name`", value.value, source.name), "name what the value means, e.g. `rust_name: Public`");
            }
        }
        if values.is_empty() {
            self.error(at(origin, "enum"), format!("the enum `{}` has no values", source.name), "list at least one documented value");
        }
        let mut seen_values: Vec<&Json> = Vec::new();
        let mut seen_names: HashMap<String, usize> = HashMap::new();
        for (i, value) in values.iter().enumerate() {
            let here = at(origin, &format!("enum[{i}]"));
            let ok = match (repr, &value.value) {
                (Repr::String, Json::String(s)) => !s.is_empty(),
                (Repr::Integer, v) => v.is_i64(),
                (Repr::Boolean, v) => v.is_boolean(),
                _ => false,
            };
            if !ok {
                let what = match repr {
                    Repr::String => "a non-empty string",
                    Repr::Integer => "an integer",
                    Repr::Boolean => "`true` or `false`",
                };
                self.error_value(at(&here, "value"), format!("enum value {} is not {what}", value.value), format!("write {what}, or set `repr` to match the values"));
            }
            if seen_values.contains(&&value.value) {
                self.error_value(at(&here, "value"), format!("the value {} is listed twice", value.value), "remove the duplicate");
                continue;
            }
            seen_values.push(&value.value);
            let rust = value.rust_name.clone().unwrap_or_else(|| match &value.value {
                Json::String(s) => naming::pascal(s),
                other => naming::pascal(&format!("v{other}")),
            });
            if let Some(first) = seen_names.insert(rust.clone(), i) {
                self.error(here, format!("enum values {} and {} both become the Rust variant `{rust}`", values[first].value, value.value), "give one of them a distinct `rust_name`");
            }
        }
        let values = values
            .iter()
            .enumerate()
            .map(|(i, v)| EnumValue {
                value: v.value.clone(),
                doc: v.doc.clone(),
                rust_name: v.rust_name.clone(),
                deprecated: self.deprecation(&at(origin, &format!("enum[{i}]")), v.deprecated.as_ref()),
            })
            .collect();
        EnumModel { name: source.name.clone(), doc: source.raw.doc.clone(), renamed_from: Vec::new(), repr, values }
    }

    /// Marks the models that follow-on problems would be reported against.
    fn find_unreliable(&mut self, names: &BTreeSet<String>, models: &BTreeMap<String, Model>) {
        let mut start = self.incomplete.clone();
        start.extend(names.iter().filter(|n| !models.contains_key(*n)).cloned());
        start.extend(self.loaded.unavailable_models.iter().cloned());
        self.unreliable = follow_on::closure(models, start);
    }

    fn model_late_checks(&mut self, models: &BTreeMap<String, Model>, origins: &HashMap<String, Origin>) {
        for (name, model) in models {
            let Model::Object(object) = model else { continue };
            let origin = &origins[name];
            let mut rust_names: HashMap<String, &str> = HashMap::new();
            for field in &object.fields {
                if field.inherited_from.is_some() {
                    continue;
                }
                let here = at(origin, &format!("fields.{}", field.name));
                let rust = field.rust_name.clone().unwrap_or_else(|| naming::snake(&field.name));
                if let Some(other) = rust_names.insert(rust.clone(), &field.name) {
                    self.error(here.clone(), format!("fields `{other}` and `{}` both become the Rust field `{rust}`", field.name), format!("add `rust_name:` to one of them, e.g. `rust_name: {rust}_2`"));
                }
                if let Some(default) = &field.default {
                    self.check_value(&at(&here, "default"), models, &field.ty, &field.constraints, default, "default");
                }
            }
        }
    }

    fn check_value(&mut self, origin: &Origin, models: &BTreeMap<String, Model>, ty: &TypeRef, constraints: &Constraints, value: &Json, what: &str) {
        if follow_on::mentions(ty, &self.unreliable) {
            return;
        }
        for mismatch in conform::check(models, ty, constraints, value) {
            let path = if mismatch.path.is_empty() { origin.clone() } else { at(origin, &mismatch.path) };
            if follow_on::is_about_the_model(&mismatch.message) {
                let message = format!("{what}: {}", mismatch.message);
                self.repeated(message.clone(), path, message, mismatch.help);
                continue;
            }
            self.error_value(path, format!("{what}: {}", mismatch.message), mismatch.help);
        }
    }

    // ---- operations ------------------------------------------------------------------

    fn operation(&mut self, item: &Item<raw::Operation>, names: &BTreeSet<String>, api: Option<&Api>) -> Option<Operation> {
        let raw = &item.value;
        let origin = Origin { file: item.file, path: item.path.clone() };
        let id = item.name.clone();
        let mut ok = true;
        if !is_snake(&id) {
            self.error(origin.clone(), format!("the operation id `{id}` is not snake_case"), format!("rename it to `{}`", naming::snake(&id)));
            ok = false;
        }
        if !is_snake(&raw.group) {
            self.error_value(at(&origin, "group"), format!("the group `{}` is not snake_case", raw.group), format!("write `{}`", naming::snake(&raw.group)));
        }
        if raw.docs.starts_with("http") || !raw.docs.contains(".html#") {
            self.error_value(at(&origin, "docs"), format!("`{}` is not a `page.html#section` link", raw.docs), "write the page and section relative to `api.docs_base`, e.g. `account_system.html#获取单个用户详情`");
        }
        if raw.summary.contains('\n') {
            self.error_value(at(&origin, "summary"), "the summary spans several lines", "keep `summary` to one line and move the rest to `description`");
        }
        let method = match raw.method {
            raw::Method::GET => Method::Get,
            raw::Method::POST => Method::Post,
            raw::Method::PUT => Method::Put,
            raw::Method::DELETE => Method::Delete,
            raw::Method::PATCH => Method::Patch,
        };
        // Path and parameters.
        let segments = match placeholders(&raw.path) {
            Ok(segments) if raw.path.starts_with('/') => segments,
            Ok(_) => {
                self.error_value(at(&origin, "path"), "the path does not start with `/`", "write it relative to the base path, starting with `/`");
                ok = false;
                Vec::new()
            }
            Err(part) => {
                self.error_value(at(&origin, "path"), format!("malformed path segment `{part}`"), "write each placeholder as a whole segment: `/{name}`; list values go in one placeholder of type `[string]`");
                ok = false;
                Vec::new()
            }
        };
        if let Some(api) = api {
            if let Some(base) = segments.iter().find_map(|s| match s {
                Segment::Param(p) if api.base_params.iter().any(|(b, _)| b == p) => Some(p),
                _ => None,
            }) {
                self.error_value(at(&origin, "path"), format!("the path repeats the base path placeholder `{{{base}}}`"), format!("write the path relative to `{}`", api.base_path));
            }
        }
        let mut params = Vec::new();
        let mut rust_names: HashMap<String, String> = HashMap::new();
        // Path parameters without a placeholder: paired below with placeholders without a
        // parameter, so that one misspelling is one problem.
        let mut unplaced: Vec<(String, Origin)> = Vec::new();
        for (name, p) in &raw.params {
            let here = at(&origin, &format!("params.{name}"));
            if p.unit.is_some() || p.forever.is_some() {
                self.error(at(&here, if p.unit.is_some() { "unit" } else { "forever" }), format!("the parameter `{name}` has `unit`"), "`unit` and `forever` are for model fields; remove them");
            }
            if p.secret.is_some() {
                self.error(at(&here, "secret"), format!("the parameter `{name}` has `secret`"), "`secret` marks model fields; the client already keeps its token and credentials out of `Debug`, remove it");
            }
            let Some(location) = p.location else {
                self.error(here, format!("the parameter `{name}` has no `in`"), "add `in: path`, `in: query` or `in: header`");
                ok = false;
                continue;
            };
            let location = match location {
                raw::ParamIn::Path => Location::Path,
                raw::ParamIn::Query => Location::Query,
                raw::ParamIn::Header => Location::Header,
            };
            let Some(ty) = self.type_ref(at(&here, "type"), &p.ty, names) else {
                ok = false;
                continue;
            };
            let scalar = |t: &TypeRef| matches!(t, TypeRef::String | TypeRef::Integer | TypeRef::Number | TypeRef::Boolean | TypeRef::Model(_));
            let allowed = match &ty {
                TypeRef::Array(inner) => scalar(inner),
                t => scalar(t),
            };
            if !allowed {
                self.error_value(at(&here, "type"), format!("a parameter cannot have the type `{ty}`"), "use a scalar, an enum model, or an array of those (sent comma-separated)");
            }
            if location == Location::Path && p.required == Some(false) {
                self.error_value(at(&here, "required"), format!("the path parameter `{name}` is marked optional"), "path parameters are always required; remove `required: false`");
            }
            if location == Location::Path && !segments.contains(&Segment::Param(name.clone())) {
                unplaced.push((name.clone(), here.clone()));
            }
            let rust_name = self.rust_name(name, p.rust_name.as_ref());
            let rust = rust_name.clone().unwrap_or_else(|| naming::snake(name));
            if let Some(other) = rust_names.insert(rust.clone(), name.clone()) {
                self.error(here.clone(), format!("parameters `{other}` and `{name}` both become the Rust name `{rust}`"), format!("add `rust_name:` to one of them, e.g. `rust_name: {rust}_2`"));
            }
            if ["send", "into_future", "into_stream", "pages", "body", "client"].contains(&rust.as_str()) {
                self.error(here.clone(), format!("the parameter `{name}` would shadow the builder method `{rust}`"), format!("add `rust_name: {rust}_param`"));
            }
            let constraints = self.constraints(&here, p, &ty);
            params.push(Param {
                name: name.clone(),
                location,
                required: location == Location::Path || p.required.unwrap_or(false),
                ty,
                doc: p.doc.clone(),
                default: p.default.clone(),
                rust_name,
                constraints,
                deprecated: self.deprecation(&here, p.deprecated.as_ref()),
            });
        }
        let orphans: Vec<&String> = segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(name) if !raw.params.iter().any(|(p, raw_p)| p == name && matches!(raw_p.location, Some(raw::ParamIn::Path))) => Some(name),
                _ => None,
            })
            .collect();
        for name in &orphans {
            let names = unplaced.iter().map(|(n, _)| n.as_str());
            let partner = crate::diagnostic::closest(name, names)
                .map(str::to_owned)
                .or_else(|| (orphans.len() == 1 && unplaced.len() == 1).then(|| unplaced[0].0.clone()));
            match partner {
                Some(param) => {
                    unplaced.retain(|(n, _)| *n != param);
                    self.error_value(
                        at(&origin, "path"),
                        format!("the placeholder `{{{name}}}` and the path parameter `{param}` do not match"),
                        format!("did you mean `{{{param}}}`? rename the placeholder or the parameter so they are the same"),
                    );
                }
                None => self.error_value(at(&origin, "path"), format!("the placeholder `{{{name}}}` has no path parameter"), format!("add `{name}: {{in: path, type: string, doc: \"...\"}}` under `params`")),
            }
            ok = false;
        }
        // A malformed path has no placeholders to match: its error is the one problem.
        let path_read = placeholders(&raw.path).is_ok() && raw.path.starts_with('/');
        for (name, here) in unplaced.into_iter().filter(|_| path_read) {
            self.error(here, format!("the path parameter `{name}` has no `{{{name}}}` placeholder in `{}`", raw.path), format!("add `{{{name}}}` to the path, or change `in` to `query`"));
        }
        // Bodies.
        let base = naming::pascal(&id);
        let body_type = |ctx: &mut Self, body: &raw::Body, key: &str, suffix: &str| -> Option<TypeRef> {
            match body {
                raw::Body::Type(text) => ctx.type_ref(at(&origin, key), text, names),
                raw::Body::Inline(_) => Some(TypeRef::Model(format!("{base}{suffix}"))),
            }
        };
        let request = match &raw.request {
            Some(r) => {
                let body = body_type(self, &r.body, "request.body", "Request");
                ok &= body.is_some();
                body.map(|body| {
                    let constraints = self.body_constraints(&at(&origin, "request"), r, &body);
                    Request {
                        encoding: match r.encoding {
                            raw::Encoding::Json => Encoding::Json,
                            raw::Encoding::Form => Encoding::Form,
                            raw::Encoding::Multipart => Encoding::Multipart,
                        },
                        body,
                        constraints,
                    }
                })
            }
            None => None,
        };
        if let Some(request) = request.as_ref().filter(|r| r.encoding == Encoding::Multipart) {
            self.multipart_bodies.insert(request.body.clone());
        }
        let r = &raw.response;
        let response = match (&r.body, &r.binary, r.empty) {
            (Some(body), None, None) => body_type(self, body, "response.body", "Response").map(Response::Json),
            (None, Some(binary), None) => Some(Response::Binary { content_type: binary.content_type.clone() }),
            (None, None, Some(true)) => Some(Response::Empty),
            _ => {
                self.error(at(&origin, "response"), "the response needs exactly one of `body`, `binary` or `empty: true`", "keep one of them");
                None
            }
        };
        let response = response?;
        let idempotent = raw.idempotent.unwrap_or(matches!(method, Method::Get | Method::Put | Method::Delete));
        let variant = raw.variant.as_ref().and_then(|v| self.variant(&at(&origin, "variant"), v));
        let default_rate = api.map(|a| a.default_rate_limit.clone()).unwrap_or(RateLimit { count: 100, per: Per::Second, note: None, documented: false });
        let op = Operation {
            id: id.clone(),
            group: raw.group.clone(),
            name_zh: raw.name_zh.clone(),
            summary: raw.summary.clone(),
            description: raw.description.clone(),
            docs_url: format!("{}{}", api.map_or("", |a| a.docs_base.as_str()), raw.docs),
            method,
            path: raw.path.clone(),
            segments,
            auth: !matches!(raw.auth, Some(raw::Auth::None)),
            idempotent,
            variant,
            params,
            request,
            response,
            paging: None,
            rate_limit: raw.rate_limit.as_ref().map_or(default_rate, |r| rate_limit(r, true)),
            note: raw.note.clone(),
            deprecated: self.deprecation(&origin, raw.deprecated.as_ref()),
            renamed_from: raw.renamed_from.clone(),
            examples: raw
                .examples
                .iter()
                .map(|e| Example {
                    title: e.title.clone(),
                    params: e.params.clone().unwrap_or_default().into_iter().collect(),
                    request: e.request.clone(),
                    response: e.response.clone(),
                })
                .collect(),
        };
        if !ok {
            if let Some(v) = &raw.variant {
                self.failed_variant_sets.insert(v.set.clone());
            }
        }
        ok.then_some(op)
    }

    fn variant(&mut self, origin: &Origin, v: &raw::Variant) -> Option<Variant> {
        let w = &v.when;
        let conditions = [w.body_field.is_some(), w.header.is_some(), w.query.is_some(), w.body_shape.is_some(), w.path_list.is_some()];
        if conditions.iter().filter(|&&c| c).count() > 1 {
            self.error(at(origin, "when"), "`when` names more than one condition", "keep one of `body_field`, `header`, `query`, `body_shape`, `path_list`");
            return None;
        }
        let keyed = w.body_field.is_some() || w.header.is_some() || w.query.is_some();
        if w.equals.is_some() && !keyed {
            self.error(at(origin, "when.equals"), "`equals` without `body_field`, `header` or `query`", "say which value `equals` is compared with");
            return None;
        }
        let equals = w.equals.clone();
        let when = if let Some(field) = &w.body_field {
            When::BodyField { field: field.split('.').map(str::to_owned).collect(), equals }
        } else if let Some(name) = &w.header {
            When::Header { name: name.clone(), equals }
        } else if let Some(name) = &w.query {
            When::Query { name: name.clone(), equals }
        } else if let Some(shape) = w.body_shape {
            When::BodyShape(match shape {
                raw::Shape::Array => Shape::Array,
                raw::Shape::Object => Shape::Object,
            })
        } else if let Some(param) = &w.path_list {
            When::PathList { param: param.clone() }
        } else {
            When::Default
        };
        Some(Variant { set: v.set.clone(), when })
    }

    fn operation_late_checks(&mut self, op: &mut Operation, item: &Item<raw::Operation>, models: &BTreeMap<String, Model>) {
        let origin = Origin { file: item.file, path: item.path.clone() };
        for p in &op.params {
            if let Some(default) = &p.default {
                self.check_value(&at(&origin, &format!("params.{}.default", p.name)), models, &p.ty, &p.constraints, default, "default");
            }
        }
        self.body_shape_checks(op, &origin, models);
        let reliable = |ty: &TypeRef| !follow_on::mentions(ty, &self.unreliable);
        let response_reliable = match &op.response {
            Response::Json(ty) => reliable(ty),
            _ => true,
        };
        let request_reliable = op.request.as_ref().is_none_or(|r| reliable(&r.body));
        if let Some(paging) = item.value.paging.as_ref().filter(|_| response_reliable) {
            op.paging = self.paging(op, &at(&origin, "paging"), paging, models);
        }
        if let Some(Variant { when: When::BodyField { field, .. }, .. }) = op.variant.as_ref().filter(|_| request_reliable) {
            let found = match &op.request {
                Some(request) => resolve_path(models, &request.body, field),
                None => Err("the operation has no request body".into()),
            };
            if let Err(message) = found {
                self.error_value(at(&origin, "variant.when.body_field"), message.replace("the response", "the request body"), "name a field (dotted path) of the request body model");
            }
        }
        if let Some(Variant { when: When::PathList { param }, .. }) = &op.variant {
            if !op.params.iter().any(|p| &p.name == param && p.location == Location::Path && matches!(p.ty, TypeRef::Array(_))) {
                self.error_value(at(&origin, "variant.when.path_list"), format!("`{param}` is not a path parameter of array type"), "name the `[string]` path parameter that carries the list");
            }
        }
        if let Some(Variant { when: When::Header { name, .. } | When::Query { name, .. }, .. }) = &op.variant {
            if !op.params.iter().any(|p| &p.name == name) {
                let help = did_you_mean(name, op.params.iter().map(|p| p.name.as_str()), || "declare it under `params`, or name an existing one".into());
                self.error_value(at(&origin, "variant.when"), format!("`{name}` is not a parameter of this operation"), help);
            }
        }
        self.examples(op, &origin, models);
    }

    fn body_shape_checks(&mut self, op: &Operation, origin: &Origin, models: &BTreeMap<String, Model>) {
        let Some(request) = &op.request else { return };
        let here = at(origin, "request.body");
        let object = match &request.body {
            TypeRef::Model(name) => match models.get(name) {
                Some(Model::Object(o)) => Some(o),
                _ => None,
            },
            _ => None,
        };
        match request.encoding {
            // `file` fields outside multipart bodies are reported by `file_fields`.
            Encoding::Json => {}
            Encoding::Form | Encoding::Multipart => {
                let map_of_strings = matches!(&request.body, TypeRef::Map(inner) if **inner == TypeRef::String);
                let kind = if request.encoding == Encoding::Form { "form" } else { "multipart" };
                match object {
                    Some(o) => {
                        for f in &o.fields {
                            let flat = matches!(f.ty, TypeRef::String | TypeRef::Integer | TypeRef::Number | TypeRef::Boolean)
                                || (f.ty == TypeRef::File && request.encoding == Encoding::Multipart)
                                || matches!(&f.ty, TypeRef::Model(n) if matches!(models.get(n), Some(Model::Enum(_))));
                            if !flat {
                                self.error(here.clone(), format!("the {kind} body field `{}` has the type `{}`", f.name, f.ty), format!("{kind} bodies carry flat values: use a scalar{}", if kind == "multipart" { " or `file`" } else { "" }));
                            }
                        }
                    }
                    None if map_of_strings && request.encoding == Encoding::Form => {}
                    None => self.error(here, format!("a {kind} body must be an object model{}", if kind == "form" { " or `{string}`" } else { "" }), "describe the body's fields in an object model"),
                }
            }
        }
    }

    /// `file` fields belong to multipart bodies only.
    fn file_fields(&mut self, models: &BTreeMap<String, Model>, origins: &HashMap<String, Origin>) {
        for (name, model) in models {
            let Model::Object(o) = model else { continue };
            if self.multipart_bodies.contains(&TypeRef::Model(name.clone())) {
                continue;
            }
            for f in o.fields.iter().filter(|f| f.inherited_from.is_none() && types::mentions_file(&f.ty)) {
                self.error_value(at(&origins[name], &format!("fields.{}.type", f.name)), format!("`{name}.{}` has the type `file`, but `{name}` is not a multipart request body", f.name), "use `encoding: multipart` for the operation that uploads it, or type the field `string`");
            }
        }
    }

    fn paging(&mut self, op: &Operation, origin: &Origin, paging: &raw::Paging, models: &BTreeMap<String, Model>) -> Option<Paging> {
        let query_param = |ctx: &mut Self, key: &str, name: &Option<String>, want: &[TypeRef]| -> Option<String> {
            let name = name.as_ref()?;
            match op.params.iter().find(|p| &p.name == name) {
                Some(p) if p.location == Location::Query && want.contains(&p.ty) => Some(name.clone()),
                Some(p) => {
                    ctx.error_value(at(origin, key), format!("`{name}` is a {} parameter of type `{}`", p.location.as_str(), p.ty), format!("paging needs a query parameter of type {}", want.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(" or ")));
                    None
                }
                None => {
                    let query = op.params.iter().filter(|p| p.location == Location::Query).map(|p| p.name.as_str());
                    let help = did_you_mean(name, query, || format!("declare `{name}` under `params` (in: query) or name an existing one"));
                    ctx.error_value(at(origin, key), format!("paging names the parameter `{name}`, which the operation does not have"), help);
                    None
                }
            }
        };
        let limit = query_param(self, "limit", &paging.limit, &[TypeRef::Integer]);
        let (cursor, page) = match paging.style {
            raw::PagingStyle::Cursor => {
                if paging.cursor.is_none() || paging.next_cursor.is_none() {
                    self.error(origin.clone(), "cursor paging needs `cursor` and `next_cursor`", "name the cursor query parameter and the dotted path of the next cursor in the response");
                }
                if paging.page.is_some() {
                    self.error(at(origin, "page"), "`page` belongs to `style: page`", "remove it, or change the style");
                }
                (query_param(self, "cursor", &paging.cursor, &[TypeRef::String]), None)
            }
            raw::PagingStyle::Page => {
                if paging.page.is_none() {
                    self.error(origin.clone(), "page paging needs `page`", "name the query parameter carrying the page number");
                }
                if paging.cursor.is_some() || paging.next_cursor.is_some() {
                    self.error(at(origin, "cursor"), "`cursor` and `next_cursor` belong to `style: cursor`", "remove them, or change the style");
                }
                (None, query_param(self, "page", &paging.page, &[TypeRef::Integer]))
            }
        };
        let Response::Json(root) = &op.response else {
            self.error(origin.clone(), "a paged operation needs a JSON response body", "remove `paging`");
            return None;
        };
        let items_path: Vec<String> = paging.items.split('.').map(str::to_owned).collect();
        let item_type = match resolve_path(models, root, &items_path) {
            Ok(TypeRef::Array(inner)) => Some(*inner),
            Ok(other) => {
                self.error_value(at(origin, "items"), format!("`{}` is `{other}` in the response, not an array", paging.items), "name the array of items");
                None
            }
            Err(message) => {
                self.error_value(at(origin, "items"), message, "give the dotted path of the item array in the response body");
                None
            }
        };
        let next_cursor = paging.next_cursor.as_ref().map(|p| p.split('.').map(str::to_owned).collect::<Vec<_>>());
        if let Some(path) = &next_cursor {
            match resolve_path(models, root, path) {
                // `json`: a cursor the server sends as a string or a number.
                Ok(TypeRef::String | TypeRef::Json) => {}
                Ok(other) => self.error_value(at(origin, "next_cursor"), format!("the next cursor is `{other}`, not a string"), "name the string field that carries the next cursor (or a `json` one, for a cursor sent as a string or a number)"),
                Err(message) => self.error_value(at(origin, "next_cursor"), message, "give the dotted path of the next cursor in the response body"),
            }
        }
        Some(Paging {
            style: match paging.style {
                raw::PagingStyle::Cursor => PagingStyle::Cursor,
                raw::PagingStyle::Page => PagingStyle::Page,
            },
            limit,
            cursor,
            next_cursor,
            page,
            items: items_path,
            item_type: item_type?,
        })
    }

    fn examples(&mut self, op: &Operation, origin: &Origin, models: &BTreeMap<String, Model>) {
        let mut has_request = false;
        let mut has_response = false;
        for (i, example) in op.examples.iter().enumerate() {
            let here = at(origin, &format!("examples[{i}]"));
            for (name, value) in &example.params {
                match op.params.iter().find(|p| &p.name == name) {
                    Some(p) => self.check_value(&at(&here, &format!("params.{name}")), models, &p.ty, &p.constraints, value, "example"),
                    None => {
                        let unset = op.params.iter().map(|p| p.name.as_str()).filter(|p| !example.params.contains_key(*p));
                        let help = did_you_mean(name, unset, || "declare the parameter or remove it from the example".into());
                        self.error(at(&here, &format!("params.{name}")), format!("the example sets `{name}`, which is not a parameter"), help)
                    }
                }
            }
            if let Some(body) = &example.request {
                has_request = true;
                match &op.request {
                    Some(request) => self.check_value(&at(&here, "request"), models, &request.body, &request.constraints, body, "example"),
                    None => self.error(at(&here, "request"), "the example has a request body, but the operation has no `request`", "declare `request:` or remove the body from the example"),
                }
            }
            if let Some(body) = &example.response {
                has_response = true;
                match &op.response {
                    Response::Json(ty) => self.check_value(&at(&here, "response"), models, ty, &Constraints::default(), body, "example"),
                    _ => self.error(at(&here, "response"), "the example has a JSON response, but the response is not JSON", "remove it from the example"),
                }
            }
        }
        let needs_request = op.request.as_ref().is_some_and(|r| r.encoding != Encoding::Multipart);
        if needs_request && !has_request {
            self.error(at(origin, "examples"), "no example shows the request body", "add `request:` with the body from the page's request example");
        }
        if matches!(op.response, Response::Json(_)) && !has_response {
            self.error(at(origin, "examples"), "no example shows the response body", "add `response:` with the body from the page's response example");
        }
    }

    // ---- operations sharing a method and path ----------------------------------------

    fn shared_paths(&mut self, operations: &[(Operation, &Item<raw::Operation>)]) {
        let mut by_route: BTreeMap<(Method, String), Vec<usize>> = BTreeMap::new();
        for (i, (op, _)) in operations.iter().enumerate() {
            let shape: Vec<String> = op
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Literal(l) => l.clone(),
                    Segment::Param(_) => "{}".into(),
                })
                .collect();
            by_route.entry((op.method, shape.join("/"))).or_default().push(i);
        }
        for indices in by_route.values() {
            let (first, first_item) = &operations[indices[0]];
            if indices.len() == 1 {
                // The other variants may be in what could not be read.
                if let Some(v) = first.variant.as_ref().filter(|v| !self.loaded.partial && !self.failed_variant_sets.contains(&v.set)) {
                    let origin = Origin { file: first_item.file, path: format!("{}.variant", first_item.path) };
                    self.error(origin, format!("`{}` declares the variant set `{}`, but no other operation shares {} {}", first.id, v.set, first.method.as_str(), first.path), "remove `variant`, or check the other operations' method and path");
                }
                continue;
            }
            let ids: Vec<&str> = indices.iter().map(|&i| operations[i].0.id.as_str()).collect();
            let mut whens: Vec<(&When, &str)> = Vec::new();
            for &i in indices {
                let (op, item) = &operations[i];
                let origin = Origin { file: item.file, path: item.path.clone() };
                match &op.variant {
                    None => self.error(origin, format!("`{}` shares {} {} with {} but declares no `variant`", op.id, op.method.as_str(), op.path, ids.iter().filter(|&&x| x != op.id).map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")), "add `variant: {set: ..., when: {...}}` to each of them; conditions: `body_field` (with or without `equals`), `body_shape`, `header`, `query`, `path_list`, or `{}` for the fallback (spec/README.md, Variants)"),
                    Some(v) => {
                        if let Some(other) = indices.iter().map(|&j| &operations[j].0).find_map(|o| o.variant.as_ref().filter(|ov| ov.set != v.set).map(|ov| ov.set.clone())) {
                            self.error_value(at(&origin, "variant.set"), format!("the variant set `{}` differs from `{other}` of another operation on {} {}", v.set, op.method.as_str(), op.path), "use one set name for all of them");
                        }
                        if let Some((_, twin)) = whens.iter().find(|(w, _)| **w == v.when) {
                            self.error(at(&origin, "variant.when"), format!("`{}` and `{twin}` have the same `when`", op.id), "give each variant a distinct condition");
                        }
                        whens.push((&v.when, &op.id));
                    }
                }
            }
        }
    }
}

/// The type at a dotted path inside a JSON type.
fn resolve_path(models: &BTreeMap<String, Model>, root: &TypeRef, path: &[String]) -> Result<TypeRef, String> {
    let mut ty = root.clone();
    for (depth, key) in path.iter().enumerate() {
        let here = path[..=depth].join(".");
        ty = match &ty {
            TypeRef::Model(name) => match models.get(name) {
                Some(Model::Object(o)) => match o.fields.iter().find(|f| &f.name == key) {
                    Some(f) => f.ty.clone(),
                    None => {
                        let close = crate::diagnostic::closest(key, o.fields.iter().map(|f| f.name.as_str()));
                        let hint = close.map_or(String::new(), |c| format!("; did you mean `{c}`?"));
                        return Err(format!("the response has no field `{here}` (`{name}` has no `{key}`{hint})"));
                    }
                },
                _ => return Err(format!("`{name}` is not an object, so `{here}` does not exist")),
            },
            TypeRef::Map(inner) => (**inner).clone(),
            other => return Err(format!("`{here}` goes inside `{other}`, which has no fields")),
        };
    }
    Ok(ty)
}
