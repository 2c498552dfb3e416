//! The spec files as written: serde types that mirror `spec/spec.schema.json` and reject
//! unknown keys. Nothing outside `load` sees these; `validate` turns them into `model`.

use std::fmt;

use indexmap::IndexMap;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value as Json;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    pub title: String,
    pub version: String,
    pub description: String,
    pub docs_base: String,
    pub base_path: String,
    pub base_params: IndexMap<String, BaseParam>,
    pub default_rate_limit: RateLimit,
    pub error_model: String,
    pub servers: Vec<Server>,
    /// Rust names by wire name, for every parameter and field without a `rust_name`.
    #[serde(default)]
    pub rust_names: IndexMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseParam {
    pub doc: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    pub url: String,
    pub doc: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    Second,
    Minute,
    Hour,
    Day,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub count: u32,
    pub per: Per,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub enum Method {
    GET,
    POST,
    PUT,
    DELETE,
    PATCH,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Auth {
    AppToken,
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    pub group: String,
    pub name_zh: String,
    pub summary: String,
    pub description: Option<String>,
    pub docs: String,
    pub method: Method,
    pub path: String,
    pub auth: Option<Auth>,
    pub idempotent: Option<bool>,
    pub variant: Option<Variant>,
    #[serde(default)]
    pub params: IndexMap<String, Typed>,
    pub request: Option<Request>,
    pub response: Response,
    pub paging: Option<Paging>,
    pub rate_limit: Option<RateLimit>,
    pub note: Option<String>,
    pub deprecated: Option<Deprecated>,
    #[serde(default)]
    pub renamed_from: Vec<String>,
    pub examples: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub set: String,
    pub when: When,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub body_field: Option<String>,
    pub header: Option<String>,
    pub query: Option<String>,
    pub equals: Option<Json>,
    pub body_shape: Option<Shape>,
    pub path_list: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    Array,
    Object,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

/// A parameter (with `in`) or a field (without): both carry a type, docs and constraints.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Typed {
    #[serde(rename = "in")]
    pub location: Option<ParamIn>,
    #[serde(rename = "type")]
    pub ty: String,
    pub doc: String,
    pub required: Option<bool>,
    pub default: Option<Json>,
    pub rust_name: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub deprecated: Option<Deprecated>,
    /// A credential: `Debug` of the generated model shows `***` instead.
    pub secret: Option<bool>,
    /// An integer that counts time: the Rust field is a `Duration`.
    pub unit: Option<TimeUnit>,
    /// With `unit`: the wire value that means "for good" (the Rust field is a `Lasting`).
    pub forever: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Milliseconds,
    Seconds,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Json,
    Form,
    Multipart,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub encoding: Encoding,
    pub body: Body,
    /// Items an array body may hold (a batch limit).
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    pub body: Option<Body>,
    pub binary: Option<Binary>,
    pub empty: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Binary {
    pub content_type: String,
}

/// A type expression, or an object model written in place.
#[derive(Debug)]
pub enum Body {
    Type(String),
    Inline(Box<Model>),
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BodyVisitor;
        impl<'de> Visitor<'de> for BodyVisitor {
            type Value = Body;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a type expression or an object model with `doc` and `fields`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Body, E> {
                Ok(Body::Type(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Body, A::Error> {
                Model::deserialize(de::value::MapAccessDeserializer::new(map)).map(|model| Body::Inline(Box::new(model)))
            }
        }
        deserializer.deserialize_any(BodyVisitor)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    pub style: PagingStyle,
    pub limit: Option<String>,
    pub cursor: Option<String>,
    pub next_cursor: Option<String>,
    pub page: Option<String>,
    pub items: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PagingStyle {
    Cursor,
    Page,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub title: Option<String>,
    pub params: Option<IndexMap<String, Json>>,
    pub request: Option<Json>,
    pub response: Option<Json>,
}

/// An object model (`fields`) or an enum model (`enum`); which one is checked later.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub doc: String,
    pub extends: Option<String>,
    #[serde(default)]
    pub renamed_from: Vec<String>,
    pub fields: Option<IndexMap<String, Typed>>,
    #[serde(default)]
    pub accessors: IndexMap<String, Accessor>,
    pub repr: Option<Repr>,
    #[serde(rename = "enum")]
    pub values: Option<Vec<EnumValue>>,
}

/// A method of an object model that reaches one value through its fields: `path` is the
/// dot-separated wire names (`data.groupid`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Accessor {
    pub path: String,
    pub doc: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Repr {
    String,
    Integer,
    Boolean,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: Json,
    pub doc: String,
    pub rust_name: Option<String>,
    pub deprecated: Option<Deprecated>,
}

/// `deprecated: true`, or `deprecated: {note: ..., sunset: YYYY-MM-DD}`.
#[derive(Debug)]
pub enum Deprecated {
    Flag(bool),
    Details(DeprecationDetails),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecationDetails {
    pub note: Option<String>,
    pub sunset: Option<String>,
}

impl<'de> Deserialize<'de> for Deprecated {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DeprecatedVisitor;
        impl<'de> Visitor<'de> for DeprecatedVisitor {
            type Value = Deprecated;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("`true`, or a map with `note` and `sunset`")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Deprecated, E> {
                Ok(Deprecated::Flag(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Deprecated, A::Error> {
                DeprecationDetails::deserialize(de::value::MapAccessDeserializer::new(map)).map(Deprecated::Details)
            }
        }
        deserializer.deserialize_any(DeprecatedVisitor)
    }
}

/// The `callbacks:` section: the requests the API sends to the app's server.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callbacks {
    pub doc: String,
    pub group: String,
    #[serde(default)]
    pub common: Vec<String>,
    // `events` is taken out and read one event at a time by the loader, so that one
    // mistake does not hide the others.
}

/// One kind of callback request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub name_zh: String,
    pub summary: String,
    pub description: Option<String>,
    pub docs: String,
    pub when: IndexMap<String, Json>,
    pub body: String,
    pub note: Option<String>,
    pub examples: Vec<EventExample>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventExample {
    pub title: Option<String>,
    /// The dotted path of the field the example shows, when the page shows only that field.
    pub fragment: Option<String>,
    pub body: Json,
}
