//! Lowers the checked spec into plain data for the emitters: Rust names already chosen
//! (through `naming`), doc comments split into lines, every type resolved to what the
//! generated code spells. Emitters only print; every decision about names is made here.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::model::{self, Deprecation, Encoding, Location, Model, PagingStyle, Repr, Response, Spec, TypeRef, When};
use crate::naming;

/// Everything the generated crate is made from.
#[derive(Debug, Clone)]
pub struct Crate {
    /// Sorted by name.
    pub models: Vec<ModelIr>,
    /// Sorted by module name.
    pub groups: Vec<Group>,
    /// Lines of the crate's API description.
    pub api_docs: Vec<String>,
    pub base_params: Vec<String>,
    pub callbacks: Option<CallbacksIr>,
}

/// The callback events: one variant each, in the order a request is matched against them.
#[derive(Debug, Clone)]
pub struct CallbacksIr {
    /// The cargo feature the generated module is behind.
    pub feature: String,
    pub docs: Vec<String>,
    pub events: Vec<EventIr>,
    pub accessors: Vec<CommonFieldIr>,
}

#[derive(Debug, Clone)]
pub struct EventIr {
    pub variant: String,
    /// The spec's event name.
    pub name: String,
    pub docs: Vec<String>,
    /// The model of the whole body.
    pub body: String,
    /// Every condition holds: the value at the path (wire names) is one of these.
    pub when: Vec<(Vec<String>, Vec<Json>)>,
}

/// A method reading one common field, whatever the event.
#[derive(Debug, Clone)]
pub struct CommonFieldIr {
    pub method: String,
    pub wire: String,
    /// `String` or `I64`.
    pub ty: RustType,
    pub docs: Vec<String>,
    /// Per event (in `events` order): the body's field ident and whether it is required,
    /// or None when that body has no such field.
    pub fields: Vec<Option<(String, bool)>>,
}

#[derive(Debug, Clone)]
pub enum ModelIr {
    Struct(StructIr),
    Enum(EnumIr),
}

impl ModelIr {
    pub fn name(&self) -> &str {
        match self {
            ModelIr::Struct(s) => &s.name,
            ModelIr::Enum(e) => &e.name,
        }
    }
}

#[derive(Debug, Clone)]
pub struct StructIr {
    pub name: String,
    pub docs: Vec<String>,
    pub fields: Vec<FieldIr>,
    /// Former names, kept as deprecated type aliases.
    pub aliases: Vec<String>,
    /// Holds a file part, so it is built for multipart upload and never (de)serialised.
    pub has_file: bool,
    /// Which way it travels: the client serialises requests and deserialises responses; the
    /// other direction (and a response's `new` and setters) is for the server side and tests.
    pub directions: crate::usage::Directions,
    /// The resource-group features that compile it; `None` when every build needs it.
    pub features: Option<Vec<String>>,
    pub accessors: Vec<AccessorIr>,
}

/// `pub fn <name>(&self) -> Option<&T>`: follows `steps` (each field optional or not) to a
/// value of type `ty`.
#[derive(Debug, Clone)]
pub struct AccessorIr {
    pub name: String,
    pub docs: Vec<String>,
    pub steps: Vec<AccessorStep>,
    pub ty: RustType,
}

#[derive(Debug, Clone)]
pub struct AccessorStep {
    pub ident: String,
    pub optional: bool,
    /// The field is a list and the path goes on with (or ends at) its first item.
    pub first: bool,
}

#[derive(Debug, Clone)]
pub struct FieldIr {
    pub ident: String,
    pub wire: String,
    pub ty: RustType,
    pub required: bool,
    pub docs: Vec<String>,
    pub constraints: model::Constraints,
    /// The value `new` sets: the field tells this body's operation apart from the other
    /// variants of its route (e.g. `type: txt`), so callers need not repeat it.
    pub fixed: Option<Json>,
    /// The `#[deprecated]` note, when the spec deprecates it.
    pub deprecated: Option<String>,
    /// The field closes a cycle of models containing each other, so it holds a `Box` (the
    /// type would have an infinite size otherwise).
    pub boxed: bool,
    /// A credential: `Debug` shows `***` in its place.
    pub secret: bool,
    /// An integer counting time, held as a `Duration` or `Lasting` (see `model::TimeField`).
    pub time: Option<model::TimeField>,
}

#[derive(Debug, Clone)]
pub struct EnumIr {
    pub name: String,
    pub docs: Vec<String>,
    pub integer: bool,
    /// `true` and `false` on the wire, one variant each (no `Unknown`).
    pub boolean: bool,
    pub variants: Vec<VariantIr>,
    /// Former names, kept as deprecated type aliases.
    pub aliases: Vec<String>,
    /// Which way it travels (see [`StructIr::directions`]).
    pub directions: crate::usage::Directions,
    /// The resource-group features that compile it; `None` when every build needs it.
    pub features: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct VariantIr {
    pub ident: String,
    /// The wire value: a string, or an integer for integer enums.
    pub value: Json,
    pub docs: Vec<String>,
    /// The `#[deprecated]` note, when the spec deprecates it.
    pub deprecated: Option<String>,
}

/// A type as the generated code spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    String,
    I64,
    F64,
    Bool,
    Json,
    File,
    Model(String),
    Vec(Box<RustType>),
    Map(Box<RustType>),
}

impl RustType {
    /// The Rust spelling of a spec type.
    pub fn from(ty: &TypeRef) -> RustType {
        match ty {
            TypeRef::String => RustType::String,
            TypeRef::Integer => RustType::I64,
            TypeRef::Number => RustType::F64,
            TypeRef::Boolean => RustType::Bool,
            TypeRef::Json => RustType::Json,
            TypeRef::File => RustType::File,
            TypeRef::Model(name) => RustType::Model(name.clone()),
            TypeRef::Array(inner) => RustType::Vec(Box::new(RustType::from(inner))),
            TypeRef::Map(inner) => RustType::Map(Box::new(RustType::from(inner))),
        }
    }
}

/// One resource group: a module, a handle type and the client method returning it.
#[derive(Debug, Clone)]
pub struct Group {
    /// Module and accessor name, e.g. `users`.
    pub module: String,
    /// Handle type, e.g. `Users`.
    pub handle: String,
    pub operations: Vec<OperationIr>,
}

#[derive(Debug, Clone)]
pub struct OperationIr {
    pub id: String,
    /// The method on the group handle.
    pub method_name: String,
    /// The builder type.
    pub builder: String,
    /// Former operation ids: their methods, builders and inputs stay as deprecated aliases.
    pub aliases: Vec<String>,
    /// The `#[deprecated]` note, when the spec deprecates it.
    pub deprecated: Option<String>,
    pub docs: Vec<String>,
    pub http_method: &'static str,
    /// Relative to the base path, e.g. `/users/{username}`.
    pub path_template: String,
    pub path: Vec<PathPart>,
    /// Path parameters, then required query and header parameters, in spec order.
    pub required: Vec<ParamIr>,
    /// Optional query and header parameters: builder setters.
    pub optional: Vec<ParamIr>,
    /// Parameters the variant fixes (e.g. `thumbnail: true`): always sent, never set.
    pub fixed: Vec<(String, Location, String)>,
    pub body: Option<BodyIr>,
    pub response: ResponseIr,
    pub paging: Option<PagingIr>,
    pub idempotent: bool,
    pub auth: bool,
    pub rate_count: u32,
    pub rate_seconds: u64,
    /// A batch variant that shares its route with a single-item one: the list parameter
    /// that must hold at least two values, and why.
    pub batch_list: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub enum PathPart {
    Literal(String),
    Param { ident: String, list: bool },
}

#[derive(Debug, Clone)]
pub struct ParamIr {
    pub ident: String,
    pub wire: String,
    pub location: Location,
    pub ty: RustType,
    pub docs: Vec<String>,
    pub constraints: model::Constraints,
    /// The `#[deprecated]` note, when the spec deprecates it.
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone)]
pub struct BodyIr {
    pub encoding: Encoding,
    pub ty: RustType,
    /// Items an array body may hold (`min_items`, `max_items`), checked before sending.
    pub items: (Option<u64>, Option<u64>),
    /// The list fields of an object body with item limits, checked before sending.
    pub field_items: Vec<ItemLimit>,
}

/// A list (parameter or top-level body field) with `min_items` or `max_items`.
#[derive(Debug, Clone)]
pub struct ItemLimit {
    pub ident: String,
    pub wire: String,
    pub required: bool,
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Debug, Clone)]
pub enum ResponseIr {
    Json(RustType),
    Binary,
    Empty,
}

#[derive(Debug, Clone)]
pub struct PagingIr {
    pub cursor_style: bool,
    /// Builder field carrying the cursor (cursor style) or page number (page style).
    pub position_ident: String,
    /// Builder field carrying the page size, if the operation has one.
    pub limit_ident: Option<String>,
    /// Steps from the response to the items: field ident and whether it is optional.
    pub items: Vec<(String, bool)>,
    pub next_cursor: Vec<(String, bool)>,
    /// The next cursor is free-form JSON (a string or a number), read as text.
    pub next_cursor_json: bool,
    pub item_type: RustType,
}

/// Splits text into doc lines, each with the leading space rustdoc expects.
pub fn doc_lines(text: &str) -> Vec<String> {
    text.lines().map(|l| if l.trim().is_empty() { String::new() } else { format!(" {}", l.trim_end()) }).collect()
}

/// The Rust field name of a field or parameter.
pub fn field_ident(wire: &str, rust_name: Option<&String>) -> String {
    rust_name.cloned().unwrap_or_else(|| naming::snake(wire))
}

/// The method of an operation on its group handle, and of the server trait.
pub fn method_name(operation_id: &str) -> String {
    naming::snake(operation_id)
}

/// The builder type of an operation.
pub fn builder_name(operation_id: &str) -> String {
    naming::pascal(operation_id)
}

/// The server-stub input type of an operation.
pub fn input_name(operation_id: &str) -> String {
    format!("{}Input", builder_name(operation_id))
}

/// The handle type of a resource group (`client.users()` returns `Users`).
pub fn handle_name(group: &str) -> String {
    naming::pascal(&naming::snake(group))
}

/// The `with_*` setter of a field (or server input parameter) with this Rust name.
pub fn setter_name(field_ident: &str) -> String {
    format!("with_{}", field_ident.trim_matches('_'))
}

/// The Rust variant name of an enum value.
pub fn variant_ident(value: &model::EnumValue) -> String {
    value.rust_name.clone().unwrap_or_else(|| match &value.value {
        Json::String(s) => naming::pascal(s),
        other => naming::pascal(&format!("v{other}")),
    })
}

/// Lowers the whole spec.
pub fn lower(spec: &Spec) -> Crate {
    let boxed = boxed_fields(spec);
    let directions = crate::usage::directions(spec);
    let mut features = crate::usage::features(spec);
    let models = spec
        .models
        .values()
        .map(|m| {
            let name = match m {
                Model::Object(o) => &o.name,
                Model::Enum(e) => &e.name,
            };
            let usage = Usage { directions: directions.get(name).copied().unwrap_or_default(), features: features.remove(name).flatten() };
            lower_model(spec, m, &boxed, usage)
        })
        .collect();
    let mut groups: BTreeMap<String, Vec<OperationIr>> = BTreeMap::new();
    for op in &spec.operations {
        groups.entry(naming::snake(&op.group)).or_default().push(lower_operation(spec, op));
    }
    Crate {
        models,
        groups: groups
            .into_iter()
            .map(|(module, operations)| Group { handle: handle_name(&module), module, operations })
            .collect(),
        api_docs: doc_lines(&spec.api.description),
        base_params: spec.api.base_params.iter().map(|(n, _)| n.clone()).collect(),
        callbacks: spec.callbacks.as_ref().map(|c| lower_callbacks(spec, c)),
    }
}

fn lower_callbacks(spec: &Spec, callbacks: &model::Callbacks) -> CallbacksIr {
    let events: Vec<EventIr> = callbacks
        .events
        .iter()
        .map(|e| {
            let mut docs = vec![format!(" {}", e.summary), String::new(), format!(" {} · {}", e.name_zh, when_text(&e.when))];
            if let Some(description) = &e.description {
                docs.push(String::new());
                docs.extend(doc_lines(description));
            }
            if let Some(note) = &e.note {
                docs.push(String::new());
                docs.push(format!(" Note: {note}"));
            }
            docs.push(String::new());
            docs.push(format!(" [Official documentation]({})", e.docs_url.replace(' ', "%20")));
            EventIr { variant: naming::pascal(&e.name), name: e.name.clone(), docs, body: e.body.clone(), when: e.when.clone() }
        })
        .collect();
    let accessors = callbacks
        .common
        .iter()
        .map(|(wire, ty)| {
            let fields = callbacks
                .events
                .iter()
                .map(|e| match spec.models.get(&e.body) {
                    Some(Model::Object(o)) => o.fields.iter().find(|f| &f.name == wire).map(|f| (field_ident(&f.name, f.rust_name.as_ref()), f.required)),
                    _ => None,
                })
                .collect();
            let docs = vec![format!(" `{wire}`, when the event has it."), String::new(), " For an `Unknown` event, read from its JSON.".to_owned()];
            CommonFieldIr { method: naming::snake(wire), wire: wire.clone(), ty: RustType::from(ty), docs, fields }
        })
        .collect();
    CallbacksIr { feature: naming::snake(&callbacks.group), docs: doc_lines(&callbacks.doc), events, accessors }
}

/// `chat_type` is `muc` and `payload.operation` is `create`.
fn when_text(when: &[(Vec<String>, Vec<Json>)]) -> String {
    let parts: Vec<String> = when
        .iter()
        .map(|(path, values)| {
            let values: Vec<String> = values.iter().map(|v| format!("`{}`", v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect();
            format!("`{}` is {}", path.join("."), values.join(" or "))
        })
        .collect();
    format!("when {}", parts.join(" and "))
}

/// The fields (model, field name) to box: a depth-first walk over the fields that hold a
/// model by value (an array or map is on the heap already) boxes each field that leads back
/// to a model still being walked. Without those fields the models form no cycle, so every
/// type has a finite size; models and fields are walked in order, so the choice is stable.
pub fn boxed_fields(spec: &Spec) -> BTreeSet<(String, String)> {
    let by_value = |name: &str| -> Vec<(String, String)> {
        match spec.models.get(name) {
            Some(Model::Object(o)) => o
                .fields
                .iter()
                .filter_map(|f| match &f.ty {
                    TypeRef::Model(target) if matches!(spec.models.get(target), Some(Model::Object(_))) => Some((f.name.clone(), target.clone())),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Walking,
        Done,
    }
    let mut state: BTreeMap<&str, State> = BTreeMap::new();
    let mut boxed = BTreeSet::new();
    for root in spec.models.keys() {
        if state.contains_key(root.as_str()) {
            continue;
        }
        // An explicit stack of (model, its by-value fields, next field to follow): specs
        // may hold thousands of models, more than the call stack should.
        state.insert(root, State::Walking);
        let mut stack = vec![(root.as_str(), by_value(root), 0usize)];
        while let Some((model, fields, next)) = stack.last_mut() {
            let model: &str = model;
            let Some((field, target)) = fields.get(*next).cloned() else {
                state.insert(model, State::Done);
                stack.pop();
                continue;
            };
            *next += 1;
            let Some((target, _)) = spec.models.get_key_value(&target) else { continue };
            match state.get(target.as_str()) {
                Some(State::Walking) => {
                    boxed.insert((model.to_owned(), field));
                }
                Some(State::Done) => {}
                None => {
                    state.insert(target, State::Walking);
                    stack.push((target.as_str(), by_value(target), 0));
                }
            }
        }
    }
    boxed
}

/// How the crate uses a model: its serde directions and the features that compile it.
struct Usage {
    directions: crate::usage::Directions,
    features: Option<Vec<String>>,
}

/// The steps of a validated accessor path and the type at its end.
fn lower_accessor(spec: &Spec, model: &model::ObjectModel, accessor: &model::Accessor) -> Option<AccessorIr> {
    let mut current = model;
    let mut steps = Vec::new();
    let mut ty = None;
    for step in &accessor.path {
        let (step, first) = model::Accessor::step(step);
        let field = current.fields.iter().find(|f| f.name == step)?;
        steps.push(AccessorStep { ident: field_ident(&field.name, field.rust_name.as_ref()), optional: !field.required, first });
        let field_ty = match (&field.ty, first) {
            (TypeRef::Array(item), true) => item.as_ref(),
            (other, _) => other,
        };
        ty = Some(RustType::from(field_ty));
        if let TypeRef::Model(next) = field_ty {
            if let Some(Model::Object(next)) = spec.models.get(next) {
                current = next;
            }
        }
    }
    Some(AccessorIr { name: accessor.name.clone(), docs: doc_lines(&accessor.doc), steps, ty: ty? })
}

fn lower_model(spec: &Spec, model: &Model, boxed: &BTreeSet<(String, String)>, usage: Usage) -> ModelIr {
    match model {
        Model::Object(o) => {
            let fixed = fixed_field(spec, o);
            let mut docs = doc_lines(&o.doc);
            if let Some(op) = &o.inline_for {
                docs.push(String::new());
                docs.push(format!(" Body of the `{op}` operation."));
            }
            let mut fields: Vec<FieldIr> = o
                .fields
                .iter()
                .map(|f| FieldIr {
                    ident: field_ident(&f.name, f.rust_name.as_ref()),
                    wire: f.name.clone(),
                    ty: RustType::from(&f.ty),
                    required: f.required,
                    docs: field_docs(&f.doc, &f.constraints, f.default.as_ref()),
                    constraints: f.constraints.clone(),
                    fixed: fixed.as_ref().filter(|(name, _)| *name == f.name).map(|(_, v)| v.clone()),
                    deprecated: f.deprecated.as_ref().map(Deprecation::message),
                    boxed: boxed.contains(&(o.name.clone(), f.name.clone())),
                    secret: f.secret,
                    time: f.time,
                })
                .collect();
            for field in fields.iter_mut().filter(|f| f.fixed.is_some()) {
                let value = field.fixed.as_ref().map(|v| v.to_string()).unwrap_or_default();
                field.docs.push(String::new());
                field.docs.push(format!(" `new` sets it to `{value}`, which selects this body's operation."));
            }
            ModelIr::Struct(StructIr {
                name: o.name.clone(),
                docs,
                has_file: o.fields.iter().any(|f| crate::validate::mentions_file(&f.ty)),
                fields,
                aliases: model_aliases(spec, &o.name, &o.renamed_from, o.inline_for.as_deref()),
                directions: usage.directions,
                features: usage.features,
                accessors: o.accessors.iter().filter_map(|a| lower_accessor(spec, o, a)).collect(),
            })
        }
        Model::Enum(e) => {
            ModelIr::Enum(EnumIr {
                name: e.name.clone(),
                docs: doc_lines(&e.doc),
                integer: e.repr == Repr::Integer,
                boolean: e.repr == Repr::Boolean,
                variants: e
                    .values
                    .iter()
                    .map(|v| VariantIr {
                        ident: variant_ident(v),
                        value: v.value.clone(),
                        docs: doc_lines(&v.doc),
                        deprecated: v.deprecated.as_ref().map(Deprecation::message),
                    })
                    .collect(),
                aliases: model_aliases(spec, &e.name, &e.renamed_from, None),
                directions: usage.directions,
                features: usage.features,
            })
        }
    }
}

/// A model's former names: its own `renamed_from`, or for a body written in place, the
/// same body under each former id of its operation (`SendMsgRequest` for `send_msg`).
fn model_aliases(spec: &Spec, name: &str, renamed_from: &[String], inline_for: Option<&str>) -> Vec<String> {
    let Some(op) = inline_for.and_then(|id| spec.operations.iter().find(|o| o.id == id)) else {
        return renamed_from.to_vec();
    };
    let suffix = name.strip_prefix(&builder_name(&op.id)).unwrap_or_default();
    op.renamed_from.iter().map(|old| format!("{}{suffix}", builder_name(old))).collect()
}

/// The top-level body field whose value tells an inline request body's operation apart
/// from the other variants of its route, with that value; only required text fields.
fn fixed_field(spec: &Spec, object: &model::ObjectModel) -> Option<(String, Json)> {
    let op = spec.operations.iter().find(|o| object.inline_for.as_ref() == Some(&o.id))?;
    let request_body = matches!(&op.request, Some(r) if r.body == TypeRef::Model(object.name.clone()));
    let Some(When::BodyField { field, equals: Some(value @ Json::String(_)) }) = op.variant.as_ref().map(|v| &v.when) else { return None };
    let [name] = field.as_slice() else { return None };
    let target = object.fields.iter().find(|f| &f.name == name && f.required)?;
    let text_like = match &target.ty {
        TypeRef::String => true,
        TypeRef::Model(m) => matches!(spec.models.get(m), Some(Model::Enum(e)) if e.repr == Repr::String),
        _ => false,
    };
    (request_body && text_like).then(|| (name.clone(), value.clone()))
}

fn field_docs(doc: &str, c: &model::Constraints, default: Option<&Json>) -> Vec<String> {
    let mut docs = doc_lines(doc);
    let mut facts = Vec::new();
    if let Some(v) = c.min {
        facts.push(format!("minimum {v}"));
    }
    if let Some(v) = c.max {
        facts.push(format!("maximum {v}"));
    }
    if let Some(v) = c.min_length {
        facts.push(format!("at least {v} characters"));
    }
    if let Some(v) = c.max_length {
        facts.push(format!("at most {v} characters"));
    }
    if let Some(v) = c.min_items {
        facts.push(format!("at least {v} items"));
    }
    if let Some(v) = c.max_items {
        facts.push(format!("at most {v} items"));
    }
    if let Some(v) = default {
        facts.push(format!("server default `{v}`"));
    }
    if !facts.is_empty() {
        docs.push(String::new());
        docs.push(format!(" Documented limits: {}.", facts.join(", ")));
    }
    docs
}

fn lower_operation(spec: &Spec, op: &model::Operation) -> OperationIr {
    let mut fixed = Vec::new();
    if let Some(v) = &op.variant {
        if let When::Header { name, equals: Some(value) } | When::Query { name, equals: Some(value) } = &v.when {
            let location = if matches!(v.when, When::Header { .. }) { Location::Header } else { Location::Query };
            let text = match value {
                Json::String(s) => s.clone(),
                other => other.to_string(),
            };
            fixed.push((name.clone(), location, text));
        }
    }
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for p in &op.params {
        if fixed.iter().any(|(n, _, _)| n == &p.name) {
            continue;
        }
        let param = ParamIr {
            ident: field_ident(&p.name, p.rust_name.as_ref()),
            wire: p.name.clone(),
            location: p.location,
            ty: RustType::from(&p.ty),
            docs: field_docs(&p.doc, &p.constraints, p.default.as_ref()),
            constraints: p.constraints.clone(),
            deprecated: p.deprecated.as_ref().map(Deprecation::message),
        };
        if p.required {
            required.push(param);
        } else {
            optional.push(param);
        }
    }
    required.sort_by_key(|p| p.location != Location::Path);
    let path = op
        .segments
        .iter()
        .map(|s| match s {
            model::Segment::Literal(l) => PathPart::Literal(l.clone()),
            model::Segment::Param(name) => {
                let p = op.params.iter().find(|p| &p.name == name).expect("validated: every placeholder has a parameter");
                PathPart::Param { ident: field_ident(&p.name, p.rust_name.as_ref()), list: matches!(p.ty, TypeRef::Array(_)) }
            }
        })
        .collect();
    let response = match &op.response {
        Response::Json(ty) => ResponseIr::Json(RustType::from(ty)),
        Response::Binary { .. } => ResponseIr::Binary,
        Response::Empty => ResponseIr::Empty,
    };
    let paging = op.paging.as_ref().map(|p| {
        let response_ty = match &op.response {
            Response::Json(ty) => ty,
            _ => unreachable!("validated: paged operations answer JSON"),
        };
        let ident_of = |name: &String| {
            let p = op.params.iter().find(|q| &q.name == name).expect("validated: paging names a parameter");
            field_ident(&p.name, p.rust_name.as_ref())
        };
        PagingIr {
            cursor_style: p.style == PagingStyle::Cursor,
            position_ident: ident_of(p.cursor.as_ref().or(p.page.as_ref()).expect("validated: cursor or page is named")),
            limit_ident: p.limit.as_ref().map(ident_of),
            items: steps(spec, response_ty, &p.items),
            next_cursor: p.next_cursor.as_ref().map(|n| steps(spec, response_ty, n)).unwrap_or_default(),
            next_cursor_json: p.next_cursor.as_ref().is_some_and(|n| leaf_type(spec, response_ty, n) == Some(TypeRef::Json)),
            item_type: RustType::from(&p.item_type),
        }
    });
    OperationIr {
        id: op.id.clone(),
        method_name: method_name(&op.id),
        builder: builder_name(&op.id),
        aliases: op.renamed_from.clone(),
        deprecated: op.deprecated.as_ref().map(Deprecation::message),
        docs: operation_docs(spec, op),
        http_method: op.method.as_str(),
        path_template: op.path.clone(),
        path,
        required,
        optional,
        fixed,
        body: op.request.as_ref().map(|r| BodyIr {
            encoding: r.encoding,
            ty: RustType::from(&r.body),
            items: (r.constraints.min_items, r.constraints.max_items),
            field_items: match (&r.body, r.encoding) {
                (TypeRef::Model(name), Encoding::Json | Encoding::Form) => match spec.models.get(name) {
                    Some(Model::Object(o)) => o
                        .fields
                        .iter()
                        .filter(|f| matches!(f.ty, TypeRef::Array(_)) && (f.constraints.min_items.is_some() || f.constraints.max_items.is_some()))
                        .map(|f| ItemLimit {
                            ident: field_ident(&f.name, f.rust_name.as_ref()),
                            wire: f.name.clone(),
                            required: f.required,
                            min: f.constraints.min_items,
                            max: f.constraints.max_items,
                        })
                        .collect(),
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            },
        }),
        response,
        paging,
        idempotent: op.idempotent,
        auth: op.auth,
        rate_count: op.rate_limit.count,
        rate_seconds: op.rate_limit.per.seconds(),
        batch_list: batch_list(spec, op),
    }
}

/// For a `path_list` variant: one value would make the request its single-item sibling's,
/// answered in that operation's shape, so the batch builder insists on two.
fn batch_list(spec: &Spec, op: &model::Operation) -> Option<(String, String)> {
    let variant = op.variant.as_ref()?;
    let When::PathList { param } = &variant.when else { return None };
    let p = op.params.iter().find(|p| &p.name == param)?;
    let single = spec
        .operations
        .iter()
        .find(|o| o.id != op.id && o.variant.as_ref().is_some_and(|v| v.set == variant.set && v.when == When::Default))
        .map_or_else(|| "the single-item operation".to_owned(), |o| format!("`{}`", naming::snake(&o.id)));
    let ident = field_ident(&p.name, p.rust_name.as_ref());
    Some((ident.clone(), format!("`{}` needs at least two values in `{ident}`; for one, call {single}, which shares this route", naming::snake(&op.id))))
}

/// The Rust field idents along a dotted path of the response, each with its optionality.
/// The type at the end of `path` (field names) from `root`, if every step is a field.
fn leaf_type(spec: &Spec, root: &TypeRef, path: &[String]) -> Option<TypeRef> {
    let mut ty = root.clone();
    for key in path {
        let TypeRef::Model(name) = &ty else { return None };
        let Some(Model::Object(o)) = spec.models.get(name) else { return None };
        ty = o.fields.iter().find(|f| &f.name == key)?.ty.clone();
    }
    Some(ty)
}

fn steps(spec: &Spec, root: &TypeRef, path: &[String]) -> Vec<(String, bool)> {
    let mut ty = root.clone();
    let mut out = Vec::new();
    for key in path {
        let Some(TypeRef::Model(name)) = Some(&ty) else { break };
        let Some(Model::Object(o)) = spec.models.get(name) else { break };
        let Some(field) = o.fields.iter().find(|f| &f.name == key) else { break };
        out.push((field_ident(&field.name, field.rust_name.as_ref()), !field.required));
        ty = field.ty.clone();
    }
    out
}

fn operation_docs(spec: &Spec, op: &model::Operation) -> Vec<String> {
    let mut docs = vec![format!(" {}", op.summary), String::new()];
    docs.push(format!(" {} · `{} {}{}`", op.name_zh, op.method.as_str(), spec.api.base_path, op.path));
    if let Some(description) = &op.description {
        docs.push(String::new());
        docs.extend(doc_lines(description));
    }
    docs.push(String::new());
    let rate = &op.rate_limit;
    let source = if rate.documented { "documented" } else { "API default" };
    docs.push(format!(" Rate limit: {} per {} ({source}).", rate.count, rate.per.as_str()));
    if let Some(note) = &rate.note {
        docs.push(format!(" {note}"));
    }
    if !op.idempotent {
        docs.push(" Not retried automatically: repeating it is not known to be safe.".into());
    }
    if let Some(note) = &op.note {
        docs.push(String::new());
        docs.push(format!(" Note: {note}"));
    }
    docs.push(String::new());
    docs.push(format!(" [Official documentation]({})", op.docs_url.replace(' ', "%20")));
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(models: &str) -> Spec {
        let text = format!(
            "api:\n  title: t\n  version: '1'\n  description: d\n  docs_base: https://x/\n  base_path: /a\n  base_params: {{}}\n  default_rate_limit: {{count: 1, per: second}}\n  error_model: E\n  servers: []\nmodels:\n  E:\n    doc: e\n    fields: {{}}\n{models}"
        );
        crate::load_spec_sources(vec![("s.yaml".into(), text)]).unwrap_or_else(|report| panic!("{report}"))
    }

    fn boxed(models: &str) -> Vec<(String, String)> {
        boxed_fields(&spec(models)).into_iter().collect()
    }

    fn pair(model: &str, field: &str) -> (String, String) {
        (model.to_owned(), field.to_owned())
    }

    #[test]
    fn a_model_containing_itself_boxes_that_field() {
        let models = "  Node:\n    doc: n\n    fields:\n      next: {type: Node, doc: n}\n      v: {type: string, doc: v}\n";
        assert_eq!(boxed(models), [pair("Node", "next")]);
    }

    #[test]
    fn a_cycle_through_several_models_boxes_one_field() {
        let models = "  A:\n    doc: a\n    fields:\n      b: {type: B, required: true, doc: b}\n  B:\n    doc: b\n    fields:\n      c: {type: C, doc: c}\n  C:\n    doc: c\n    fields:\n      a: {type: A, doc: a}\n      a2: {type: A, doc: a}\n";
        // Walked from A: A → B → C, whose two fields back to A each close the cycle.
        assert_eq!(boxed(models), [pair("C", "a"), pair("C", "a2")]);
    }

    #[test]
    fn arrays_maps_and_acyclic_references_are_not_boxed() {
        let models = "  Tree:\n    doc: t\n    fields:\n      kids: {type: \"[Tree]\", doc: k}\n      named: {type: \"{Tree}\", doc: n}\n      leaf: {type: Leaf, doc: l}\n  Leaf:\n    doc: l\n    fields:\n      e: {type: E, doc: e}\n  Other:\n    doc: o\n    fields:\n      leaf: {type: Leaf, doc: l}\n";
        assert_eq!(boxed(models), Vec::<(String, String)>::new());
    }
}
