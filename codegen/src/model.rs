//! The checked spec: what `validate` makes of the files once every reference resolves and
//! every example conforms. Names are still the spec's (wire names, operation ids); Rust
//! names are chosen later, in `ir`. The OpenAPI export and the API diff read this model.

use std::collections::BTreeMap;

use serde_json::Value as Json;

/// The whole API.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub api: Api,
    /// Sorted by id.
    pub operations: Vec<Operation>,
    /// Keyed by name; inline request and response bodies appear here under derived names.
    pub models: BTreeMap<String, Model>,
    /// The requests the API sends to the app's server, when the spec describes them.
    pub callbacks: Option<Callbacks>,
    /// Where each item is written, for reports that point into the files.
    pub locations: Locations,
}

/// Where operations, their parameters and keys, models, fields and enum values are written,
/// keyed by spec path: `operations.<id>`, `operations.<id>.params.<name>`,
/// `operations.<id>.<key>`, `models.<Name>`, `models.<Name>.fields.<name>` and
/// `models.<Name>.enum.<value>`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Locations(pub BTreeMap<String, crate::diagnostic::Location>);

impl Locations {
    /// The place of `path`, or of its nearest ancestor that has one.
    pub fn find(&self, path: &str) -> Option<&crate::diagnostic::Location> {
        let mut path = path;
        loop {
            if let Some(location) = self.0.get(path) {
                return Some(location);
            }
            path = &path[..path.rfind('.')?];
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: String,
    pub docs_base: String,
    pub base_path: String,
    /// Placeholder name and docs, in path order.
    pub base_params: Vec<(String, String)>,
    pub default_rate_limit: RateLimit,
    pub error_model: String,
    pub servers: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Per {
    Second,
    Minute,
    Hour,
    Day,
}

impl Per {
    pub fn seconds(self) -> u64 {
        match self {
            Per::Second => 1,
            Per::Minute => 60,
            Per::Hour => 3600,
            Per::Day => 86_400,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Per::Second => "second",
            Per::Minute => "minute",
            Per::Hour => "hour",
            Per::Day => "day",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RateLimit {
    pub count: u32,
    pub per: Per,
    pub note: Option<String>,
    /// False when the operation has no documented limit and the API default applies.
    pub documented: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
    Patch,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub id: String,
    pub group: String,
    pub name_zh: String,
    pub summary: String,
    pub description: Option<String>,
    /// Full link to the official page and section.
    pub docs_url: String,
    pub method: Method,
    /// Relative to `api.base_path`, e.g. `/users/{username}`.
    pub path: String,
    pub segments: Vec<Segment>,
    /// Whether the app token is sent.
    pub auth: bool,
    /// Whether the request is safe to repeat.
    pub idempotent: bool,
    pub variant: Option<Variant>,
    /// In spec order.
    pub params: Vec<Param>,
    pub request: Option<Request>,
    pub response: Response,
    pub paging: Option<Paging>,
    pub rate_limit: RateLimit,
    pub note: Option<String>,
    pub deprecated: Option<Deprecation>,
    /// Former ids of this operation: the generated crate keeps them as deprecated aliases.
    pub renamed_from: Vec<String>,
    pub examples: Vec<Example>,
}

/// Why and until when something is deprecated; emitted as `#[deprecated]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deprecation {
    pub note: Option<String>,
    /// `YYYY-MM-DD`: the date after which it may be removed.
    pub sunset: Option<String>,
}

impl Deprecation {
    /// The text of `#[deprecated(note = ...)]`.
    pub fn message(&self) -> String {
        let mut text = self.note.clone().unwrap_or_else(|| "deprecated by the API".to_owned());
        if let Some(date) = &self.sunset {
            text.push_str(&format!(" (may be removed after {date})"));
        }
        text
    }
}

/// A piece of an operation path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Param(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub set: String,
    pub when: When,
}

/// How a request is told apart from the other variants of its set.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// The fallback variant: none of the others matched.
    Default,
    /// A body field (dotted path) has this value, or is present when `equals` is None.
    BodyField { field: Vec<String>, equals: Option<Json> },
    BodyShape(Shape),
    Header { name: String, equals: Option<Json> },
    Query { name: String, equals: Option<Json> },
    /// The path parameter holds a comma-separated list (the batch form of a single-item route).
    PathList { param: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Array,
    Object,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    Path,
    Query,
    Header,
}

impl Location {
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub location: Location,
    pub ty: TypeRef,
    pub doc: String,
    pub required: bool,
    pub default: Option<Json>,
    pub rust_name: Option<String>,
    pub constraints: Constraints,
    pub deprecated: Option<Deprecation>,
}

/// Documented limits on a value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Form,
    Multipart,
}

impl Encoding {
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Json => "application/json",
            Encoding::Form => "application/x-www-form-urlencoded",
            Encoding::Multipart => "multipart/form-data",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub encoding: Encoding,
    pub body: TypeRef,
    /// Limits on the body itself: `min_items`/`max_items` of an array body (a batch).
    pub constraints: Constraints,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    Json(TypeRef),
    Binary { content_type: String },
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PagingStyle {
    Cursor,
    Page,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paging {
    pub style: PagingStyle,
    /// Query parameter carrying the page size.
    pub limit: Option<String>,
    /// Cursor style: query parameter carrying the cursor.
    pub cursor: Option<String>,
    /// Cursor style: dotted path of the next cursor in the response body.
    pub next_cursor: Option<Vec<String>>,
    /// Page style: query parameter carrying the page number.
    pub page: Option<String>,
    /// Dotted path of the item array in the response body.
    pub items: Vec<String>,
    /// Type of one item.
    pub item_type: TypeRef,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub title: Option<String>,
    pub params: BTreeMap<String, Json>,
    pub request: Option<Json>,
    pub response: Option<Json>,
}

/// A type expression, resolved.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    String,
    Integer,
    Number,
    Boolean,
    Json,
    File,
    Model(String),
    Array(Box<TypeRef>),
    Map(Box<TypeRef>),
}

impl std::fmt::Display for TypeRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeRef::String => f.write_str("string"),
            TypeRef::Integer => f.write_str("integer"),
            TypeRef::Number => f.write_str("number"),
            TypeRef::Boolean => f.write_str("boolean"),
            TypeRef::Json => f.write_str("json"),
            TypeRef::File => f.write_str("file"),
            TypeRef::Model(name) => f.write_str(name),
            TypeRef::Array(inner) => write!(f, "[{inner}]"),
            TypeRef::Map(inner) => write!(f, "{{{inner}}}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    Object(ObjectModel),
    Enum(EnumModel),
}

impl Model {
    pub fn doc(&self) -> &str {
        match self {
            Model::Object(m) => &m.doc,
            Model::Enum(m) => &m.doc,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ObjectModel {
    pub name: String,
    pub doc: String,
    pub extends: Option<String>,
    /// Every field, inherited ones first, in wire order.
    pub fields: Vec<Field>,
    /// The operation whose request or response body this model was written in place for.
    pub inline_for: Option<String>,
    /// Former names of this model: the generated crate keeps them as deprecated aliases.
    pub renamed_from: Vec<String>,
    /// Methods that reach one value through the fields (`group_id()` for `data.groupid`).
    pub accessors: Vec<Accessor>,
}

/// A method of an object model that returns the value at the end of `path` (wire names of
/// fields, each but the last holding an object model), or `None` where an optional field on
/// the way is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Accessor {
    pub name: String,
    pub path: Vec<String>,
    pub doc: String,
}

impl Accessor {
    /// A step of the path as (wire name, whether it takes the first item of a list): `data`
    /// or `entities[0]`.
    pub fn step(step: &str) -> (&str, bool) {
        match step.strip_suffix("[0]") {
            Some(name) => (name, true),
            None => (step, false),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: TypeRef,
    pub doc: String,
    pub required: bool,
    pub default: Option<Json>,
    pub rust_name: Option<String>,
    pub constraints: Constraints,
    pub deprecated: Option<Deprecation>,
    /// The model this field was copied from through `extends`.
    pub inherited_from: Option<String>,
    /// A credential (a password, a token): the generated `Debug` shows `***`.
    pub secret: bool,
    /// An integer that counts time (`unit:`), and whether `-1` means "for good" (`forever:`).
    pub time: Option<TimeField>,
}

/// How an integer field counts time; Rust sees a `Duration` (or a `Lasting` when a wire
/// value means "for good").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeField {
    pub milliseconds: bool,
    pub forever: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repr {
    String,
    Integer,
    /// `true` and `false`, each with a variant name that says what it means.
    Boolean,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumModel {
    pub name: String,
    pub doc: String,
    /// Former names of this model: the generated crate keeps them as deprecated aliases.
    pub renamed_from: Vec<String>,
    pub repr: Repr,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValue {
    /// A string, or an integer when `repr` is integer.
    pub value: Json,
    pub doc: String,
    pub rust_name: Option<String>,
    pub deprecated: Option<Deprecation>,
}

/// The `callbacks:` section: the requests the API sends to the app's own server.
#[derive(Debug, Clone, PartialEq)]
pub struct Callbacks {
    pub doc: String,
    /// The resource group (cargo feature) the generated event types belong to.
    pub group: String,
    /// Wire names of the fields offered on every event (the accessors), with their type:
    /// `string` or `integer`.
    pub common: Vec<(String, TypeRef)>,
    /// In the order a request is matched against them: more conditions first, then by name.
    pub events: Vec<Event>,
}

/// One kind of callback request, told apart from the others by the values of some fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub name: String,
    pub name_zh: String,
    pub summary: String,
    pub description: Option<String>,
    /// Full link to the official page and section.
    pub docs_url: String,
    /// Every condition holds: the field at the dotted path has one of the values.
    pub when: Vec<(Vec<String>, Vec<Json>)>,
    /// The object model of the whole request body.
    pub body: String,
    pub note: Option<String>,
    pub examples: Vec<EventExample>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventExample {
    pub title: Option<String>,
    /// Empty for a whole request body; else the dotted path of the one field the page shows.
    pub fragment: Vec<String>,
    /// The type at `fragment` (the body model itself when the example is whole).
    pub ty: TypeRef,
    pub body: Json,
}

impl Event {
    /// Whether a request body satisfies every condition of this event.
    pub fn matches(&self, body: &Json) -> bool {
        self.when.iter().all(|(path, values)| {
            let found = path.iter().try_fold(body, |v, key| v.get(key));
            found.is_some_and(|found| values.contains(found))
        })
    }
}
