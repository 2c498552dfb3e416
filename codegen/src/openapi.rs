//! Writes the checked spec as an OpenAPI 3.1 document that accepts what the generated crate
//! accepts, so that validators, test generators and other client generators see the same
//! API: optional fields of JSON bodies take `null` (serde reads it as `None`; a form field is
//! never `null`), the documented limits the server stubs check are JSON Schema keywords
//! (whole numbers as integers), and operations sharing a method and path
//! become one OpenAPI operation whose request body is a `oneOf` of variant schemas that each
//! pin what tells them apart, in the generated router's order, so exactly one matches.
//! Callback events are `webhooks`: one POST each, whose body schema is the event's model
//! with its conditions pinned.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value as Json};

use crate::model::*;

/// The document as pretty-printed JSON, ending with a newline.
pub fn render(spec: &Spec) -> String {
    let mut text = serde_json::to_string_pretty(&document(spec)).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// The document as a JSON value.
pub fn document(spec: &Spec) -> Json {
    let api = &spec.api;
    let mut paths: BTreeMap<String, Map<String, Json>> = BTreeMap::new();
    let mut routes: BTreeMap<(String, Method), Vec<&Operation>> = BTreeMap::new();
    let mut variants = Map::new();
    // Variants may name a placeholder differently (`{username}`, and `{usernames}` for the
    // comma-separated batch form): one OpenAPI path per shape, written as `route_path` says.
    for op in &spec.operations {
        routes.entry((path_shape(&op.path), op.method)).or_default().push(op);
    }
    let routes: BTreeMap<(String, Method), Vec<&Operation>> =
        routes.into_values().map(|ops| ((route_path(&ops).to_owned(), ops[0].method), ops)).collect();
    for ((path, method), ops) in routes {
        paths
            .entry(path)
            .or_default()
            .insert(method.as_str().to_lowercase(), operation(spec, &ops, &mut variants));
    }
    let servers: Vec<Json> = api
        .servers
        .iter()
        .map(|(url, doc)| {
            let url = format!("{url}{}", api.base_path);
            let variables: Map<String, Json> = placeholders(&url)
                .into_iter()
                .map(|name| {
                    let doc = api.base_params.iter().find(|(n, _)| *n == name).map_or("The REST host.", |(_, d)| d.as_str());
                    (name.clone(), json!({ "default": name, "description": doc }))
                })
                .collect();
            json!({ "url": url, "description": doc, "variables": variables })
        })
        .collect();
    // Models sent as form or multipart bodies: a form field is text or absent, never
    // `null`, so their optional fields are not nullable (the server reads `null` as text).
    let form_bodies: Vec<&str> = spec
        .operations
        .iter()
        .filter_map(|op| op.request.as_ref())
        .filter(|r| r.encoding != Encoding::Json)
        .filter_map(|r| match &r.body {
            TypeRef::Model(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let mut schemas: Map<String, Json> = spec
        .models
        .iter()
        .map(|(name, model)| (name.clone(), model_schema(model, form_bodies.contains(&name.as_str()))))
        .collect();
    for (name, schema) in variants {
        let clash = schemas.insert(name.clone(), schema);
        assert!(clash.is_none(), "the variant body component `{name}` has the name of a model");
    }
    let mut tags: Vec<&str> = spec.operations.iter().map(|o| o.group.as_str()).collect();
    tags.extend(spec.callbacks.iter().map(|c| c.group.as_str()));
    tags.sort_unstable();
    tags.dedup();
    let webhooks: Map<String, Json> = spec.callbacks.iter().flat_map(|c| c.events.iter().map(move |e| (e.name.clone(), webhook(c, e)))).collect();
    json!({
        "openapi": "3.1.0",
        "info": { "title": api.title, "version": api.version, "description": api.description },
        "externalDocs": { "url": api.docs_base },
        "servers": servers,
        "tags": tags.iter().map(|t| json!({ "name": t })).collect::<Vec<_>>(),
        "security": [{ "appToken": [] }],
        "paths": paths,
        "webhooks": webhooks,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "appToken": { "type": "http", "scheme": "bearer", "description": "The app token from the token endpoint." }
            }
        }
    })
}

/// A callback event as a webhook: its model, with each condition pinned as an `enum`, and
/// its whole examples.
fn webhook(callbacks: &Callbacks, event: &Event) -> Json {
    let mut schema = vec![json!({ "$ref": format!("#/components/schemas/{}", event.body) })];
    schema.extend(event.when.iter().map(|(path, values)| nested(path, json!({ "enum": values }))));
    let examples: Map<String, Json> = event
        .examples
        .iter()
        .enumerate()
        .filter(|(_, e)| e.fragment.is_empty())
        .map(|(i, e)| {
            let mut example = json!({ "value": e.body });
            if let Some(title) = &e.title {
                example["summary"] = json!(title);
            }
            (format!("example{}", i + 1), example)
        })
        .collect();
    let mut content = json!({ "schema": { "allOf": schema } });
    if !examples.is_empty() {
        content["examples"] = Json::Object(examples);
    }
    let mut description = format!("{}\n\n{}", event.name_zh, event.description.as_deref().unwrap_or(""));
    if let Some(note) = &event.note {
        description.push_str(&format!("\n\nNote: {note}"));
    }
    json!({
        "post": {
            "operationId": event.name,
            "tags": [callbacks.group],
            "summary": event.summary,
            "description": description.trim_end(),
            "externalDocs": { "url": event.docs_url },
            "security": [],
            "requestBody": { "required": true, "content": { "application/json": content } },
            "responses": { "200": { "description": "Received. Easemob ignores the body of a post-send reply; a pre-send reply says whether to deliver the message." } }
        }
    })
}

/// `/users/{username}` → `/users/{}`.
fn path_shape(path: &str) -> String {
    path.split('/').map(|s| if s.starts_with('{') { "{}" } else { s }).collect::<Vec<_>>().join("/")
}

/// The path a route is exported under: the batch variant's (its list parameter also takes a
/// single item), else the first operation's.
fn route_path<'a>(ops: &[&'a Operation]) -> &'a str {
    let batch = ops.iter().find(|o| matches!(o.variant.as_ref().map(|v| &v.when), Some(When::PathList { .. })));
    &batch.unwrap_or(&ops[0]).path
}

fn placeholders(url: &str) -> Vec<String> {
    url.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned())).collect()
}

/// One OpenAPI operation for every spec operation on this method and path.
fn operation(spec: &Spec, ops: &[&Operation], variants: &mut Map<String, Json>) -> Json {
    let first = ops[0];
    let id = match (&first.variant, ops.len()) {
        (Some(v), n) if n > 1 => v.set.clone(),
        _ => first.id.clone(),
    };
    let mut out = Map::new();
    out.insert("operationId".into(), json!(id));
    out.insert("tags".into(), json!([first.group]));
    if ops.len() == 1 {
        out.insert("summary".into(), json!(first.summary));
        let mut description = format!("{} ({})", first.summary, first.name_zh);
        if let Some(text) = &first.description {
            description = format!("{description}\n\n{text}");
        }
        if let Some(note) = &first.note {
            description = format!("{description}\n\nNote: {note}");
        }
        out.insert("description".into(), json!(description));
    } else {
        out.insert("summary".into(), json!(format!("One of: {}", ops.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().join(", "))));
        let lines: Vec<String> = ops.iter().map(|o| format!("- `{}` ({}): {} [{}]", o.id, o.name_zh, o.summary, when_text(o))).collect();
        out.insert("description".into(), json!(lines.join("\n")));
    }
    out.insert("externalDocs".into(), json!({ "url": first.docs_url }));
    if !first.auth {
        out.insert("security".into(), json!([]));
    }
    let params = merged_params(ops, &placeholders(route_path(ops)));
    if !params.is_empty() {
        out.insert("parameters".into(), Json::Array(params));
    }
    if let Some(body) = request_body(ops, variants) {
        out.insert("requestBody".into(), body);
    }
    out.insert("responses".into(), responses(spec, ops));
    out.insert(
        "x-rate-limit".into(),
        json!({ "count": first.rate_limit.count, "per": first.rate_limit.per.as_str(), "documented": first.rate_limit.documented }),
    );
    out.insert("x-idempotent".into(), json!(first.idempotent));
    if let Some(paging) = &first.paging {
        out.insert("x-paging".into(), paging_json(paging));
    }
    if ops.len() > 1 {
        let variants: Vec<Json> = ops.iter().map(|o| json!({ "operationId": o.id, "when": when_text(o) })).collect();
        out.insert("x-variants".into(), Json::Array(variants));
    }
    Json::Object(out)
}

fn when_text(op: &Operation) -> String {
    match op.variant.as_ref().map(|v| &v.when) {
        None | Some(When::Default) => "otherwise".into(),
        Some(When::BodyField { field, equals }) => condition("body field", &field.join("."), equals.as_ref()),
        Some(When::BodyShape(Shape::Array)) => "body is an array".into(),
        Some(When::BodyShape(Shape::Object)) => "body is an object".into(),
        Some(When::Header { name, equals }) => condition("header", name, equals.as_ref()),
        Some(When::Query { name, equals }) => condition("query", name, equals.as_ref()),
        Some(When::PathList { param }) => format!("path parameter `{param}` is a comma-separated list"),
    }
}

fn condition(what: &str, name: &str, equals: Option<&Json>) -> String {
    match equals {
        Some(value) => format!("{what} `{name}` = {value}"),
        None => format!("{what} `{name}` is present"),
    }
}

fn paging_json(p: &Paging) -> Json {
    json!({
        "style": match p.style { PagingStyle::Cursor => "cursor", PagingStyle::Page => "page" },
        "limit": p.limit,
        "cursor": p.cursor,
        "nextCursor": p.next_cursor.as_ref().map(|v| v.join(".")),
        "page": p.page,
        "items": p.items.join("."),
    })
}

/// Parameters of all variants; required only where every variant requires them. Path
/// parameters are those of the exported path (`path_params`): another variant's name for
/// the same placeholder is left out.
fn merged_params(ops: &[&Operation], path_params: &[String]) -> Vec<Json> {
    let mut seen: Vec<(String, Location)> = Vec::new();
    let mut out = Vec::new();
    for op in ops {
        for p in &op.params {
            if seen.contains(&(p.name.clone(), p.location)) || (p.location == Location::Path && !path_params.contains(&p.name)) {
                continue;
            }
            seen.push((p.name.clone(), p.location));
            let required = p.location == Location::Path
                || ops.iter().all(|o| o.params.iter().any(|q| q.name == p.name && q.location == p.location && q.required));
            let mut schema = type_schema(&p.ty);
            add_constraints(&mut schema, &p.constraints, p.default.as_ref());
            let mut param = json!({
                "name": p.name,
                "in": p.location.as_str(),
                "required": required,
                "description": p.doc,
                "schema": schema,
            });
            if matches!(p.ty, TypeRef::Array(_)) {
                param["style"] = json!(if p.location == Location::Query { "form" } else { "simple" });
                param["explode"] = json!(false);
            }
            let examples: Vec<&Json> = ops.iter().flat_map(|o| o.examples.iter()).filter_map(|e| e.params.get(&p.name)).collect();
            if let Some(example) = examples.first() {
                param["example"] = (*example).clone();
            }
            out.push(param);
        }
    }
    out
}

/// The request body of a route. When several variants send bodies of one content type, each
/// variant's schema pins what tells it apart (a field's `const`, its presence, the body's
/// `type`) and excludes the conditions the server tries before it, so that exactly one
/// variant matches a body: the same first-match order as the generated router. Those
/// schemas become components (`variant_components`) and the body a `oneOf` of them, with a
/// `discriminator` when a top-level property decides.
fn request_body(ops: &[&Operation], variants: &mut Map<String, Json>) -> Option<Json> {
    let mut by_type: BTreeMap<&str, (Vec<&Operation>, Map<String, Json>)> = BTreeMap::new();
    let mut required = true;
    for op in ops {
        let Some(request) = &op.request else {
            required = false;
            continue;
        };
        let entry = by_type.entry(request.encoding.content_type()).or_default();
        entry.0.push(op);
        for (i, example) in op.examples.iter().enumerate() {
            if let Some(body) = &example.request {
                let name = format!("{}_{}", op.id, i + 1);
                let summary = example.title.clone().unwrap_or_else(|| op.summary.clone());
                entry.1.insert(name, json!({ "summary": summary, "value": body }));
            }
        }
    }
    if by_type.is_empty() {
        return None;
    }
    let content: Map<String, Json> = by_type
        .into_iter()
        .map(|(content_type, (senders, examples))| {
            let mut media = json!({ "schema": variant_bodies(&senders, variants) });
            if !examples.is_empty() {
                media["examples"] = Json::Object(examples);
            }
            (content_type.to_owned(), media)
        })
        .collect();
    Some(json!({ "required": required, "content": content }))
}

/// The schema of a request body itself: its type and the documented limits on it.
fn body_schema(request: &Request) -> Json {
    let mut schema = type_schema(&request.body);
    add_constraints(&mut schema, &request.constraints, None);
    schema
}

/// The body schema of `senders` (the variants sending one content type), in router order.
fn variant_bodies(senders: &[&Operation], variants: &mut Map<String, Json>) -> Json {
    let bodies: Vec<Json> = senders.iter().filter_map(|op| op.request.as_ref().map(body_schema)).collect();
    if senders.len() == 1 || bodies.iter().all(|b| *b == bodies[0]) {
        return bodies[0].clone();
    }
    let mut ordered: Vec<&Operation> = senders.to_vec();
    ordered.sort_by_key(|o| is_fallback(o));
    let conditions: Vec<Option<Json>> = ordered.iter().map(|o| body_condition(o)).collect();
    let mut refs = Vec::new();
    for (i, op) in ordered.iter().enumerate() {
        let mut parts = vec![op.request.as_ref().map(body_schema).unwrap_or_default()];
        let excluded: Vec<Json> = match &conditions[i] {
            // The fallback: none of the others' conditions holds.
            None => conditions.iter().flatten().cloned().collect(),
            Some(own) => conditions[..i].iter().flatten().filter(|c| !disjoint(own, c)).cloned().collect(),
        };
        if let Some(own) = conditions[i].as_ref().filter(|c| !implied(&parts[0], c)) {
            parts.push(own.clone());
        }
        if !excluded.is_empty() {
            parts.push(json!({ "not": { "anyOf": excluded } }));
        }
        let name = variant_component_name(op);
        variants.insert(
            name.clone(),
            json!({ "description": format!("The body of `{}`: {}.", op.id, when_text(op)), "x-operationId": op.id, "allOf": parts }),
        );
        refs.push(json!({ "$ref": format!("#/components/schemas/{name}") }));
    }
    let mut schema = json!({ "oneOf": refs });
    if let Some(discriminator) = discriminator(&ordered) {
        schema["discriminator"] = discriminator;
    }
    schema
}

fn is_fallback(op: &Operation) -> bool {
    matches!(op.variant.as_ref().map(|v| &v.when), None | Some(When::Default))
}

/// The component holding one variant's pinned body schema: `send_user_text_message` →
/// `SendUserTextMessageBody`.
fn variant_component_name(op: &Operation) -> String {
    format!("{}Body", crate::naming::pascal(&op.id))
}

/// A schema that holds exactly when a body meets the variant's condition; `None` when the
/// body does not decide (the fallback, or a header, query or path condition).
fn body_condition(op: &Operation) -> Option<Json> {
    match &op.variant.as_ref()?.when {
        When::BodyField { field, equals: Some(value) } => Some(nested(field, json!({ "const": value }))),
        // The router takes a field as present when it is there and not null.
        When::BodyField { field, equals: None } => Some(nested(field, json!({ "not": { "type": "null" } }))),
        When::BodyShape(Shape::Array) => Some(json!({ "type": "array" })),
        When::BodyShape(Shape::Object) => Some(json!({ "type": "object" })),
        _ => None,
    }
}

/// Whether `schema` already says what `condition` requires (an array body is an array).
fn implied(schema: &Json, condition: &Json) -> bool {
    condition.as_object().is_some_and(|c| c.len() == 1) && condition.get("type").is_some_and(|t| schema.get("type") == Some(t))
}

/// `{"type": "object", "required": [a], "properties": {a: ...leaf}}` along a dotted path.
fn nested(path: &[String], leaf: Json) -> Json {
    path.iter().rev().fold(leaf, |inner, key| json!({ "type": "object", "required": [key], "properties": { key: inner } }))
}

/// Whether no body can meet both conditions (so the later one need not exclude the earlier).
fn disjoint(a: &Json, b: &Json) -> bool {
    let shape = |c: &Json| c.get("type").and_then(Json::as_str).map(str::to_owned);
    if let (Some(x), Some(y)) = (shape(a), shape(b)) {
        if x != y {
            return true;
        }
    }
    // Two `const`s on the same path.
    let mut path_a = a;
    let mut path_b = b;
    loop {
        match (path_a.get("const"), path_b.get("const")) {
            (Some(x), Some(y)) => return x != y,
            (None, None) => {}
            _ => return false,
        }
        let key = |c: &Json| c.get("required").and_then(|r| r.get(0)).and_then(Json::as_str).map(str::to_owned);
        match (key(path_a), key(path_b)) {
            (Some(x), Some(y)) if x == y => {
                path_a = &path_a["properties"][&x];
                path_b = &path_b["properties"][&y];
            }
            _ => return false,
        }
    }
}

/// A `discriminator` when every variant is told by the value of one top-level property.
fn discriminator(ordered: &[&Operation]) -> Option<Json> {
    let mut property: Option<&str> = None;
    let mut mapping = Map::new();
    for op in ordered {
        let Some(When::BodyField { field, equals: Some(value) }) = op.variant.as_ref().map(|v| &v.when) else { return None };
        let ([name], Some(text)) = (field.as_slice(), value.as_str()) else { return None };
        if property.is_some_and(|p| p != name) {
            return None;
        }
        property = Some(name);
        mapping.insert(text.to_owned(), json!(format!("#/components/schemas/{}", variant_component_name(op))));
    }
    Some(json!({ "propertyName": property?, "mapping": mapping }))
}

fn responses(spec: &Spec, ops: &[&Operation]) -> Json {
    let mut schemas: Vec<(Json, Vec<&str>)> = Vec::new();
    let mut examples = Map::new();
    let mut binary: Option<&str> = None;
    for op in ops {
        match &op.response {
            Response::Json(ty) => {
                let schema = type_schema(ty);
                match schemas.iter_mut().find(|(s, _)| *s == schema) {
                    Some((_, ids)) => ids.push(&op.id),
                    None => schemas.push((schema, vec![&op.id])),
                }
                for (i, example) in op.examples.iter().enumerate() {
                    if let Some(body) = &example.response {
                        let summary = example.title.clone().unwrap_or_else(|| op.summary.clone());
                        examples.insert(format!("{}_{}", op.id, i + 1), json!({ "summary": summary, "value": body }));
                    }
                }
            }
            Response::Binary { content_type } => binary = Some(content_type),
            Response::Empty => {}
        }
    }
    let mut ok = json!({ "description": "Success." });
    if let Some(content_type) = binary {
        ok["content"] = json!({ content_type: { "schema": { "type": "string", "contentMediaType": content_type } } });
    } else if !schemas.is_empty() {
        let schema = if schemas.len() == 1 {
            schemas.remove(0).0
        } else {
            // A response does not say which request it answers, and these bodies share their
            // (optional) fields and allow unknown ones, so one body may fit several: `anyOf`,
            // not a `oneOf` that would reject it. The caller knows which variant it sent.
            let which: Vec<String> = schemas.iter().map(|(_, ids)| ids.join(", ")).collect();
            json!({
                "description": format!(
                    "The answer to the variant sent, in this order: {}. The body does not name the variant and these schemas overlap (optional fields, unknown fields allowed), so `anyOf`: the caller knows which variant it sent.",
                    which.join("; ")
                ),
                "x-operationIds": schemas.iter().map(|(_, ids)| ids.clone()).collect::<Vec<_>>(),
                "anyOf": schemas.into_iter().map(|(s, _)| s).collect::<Vec<_>>(),
            })
        };
        let mut media = json!({ "schema": schema });
        if !examples.is_empty() {
            media["examples"] = Json::Object(examples);
        }
        ok["content"] = json!({ "application/json": media });
    }
    json!({
        "200": ok,
        "default": {
            "description": "An Easemob error.",
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{}", spec.api.error_model) } } }
        }
    })
}

fn type_schema(ty: &TypeRef) -> Json {
    match ty {
        TypeRef::String => json!({ "type": "string" }),
        TypeRef::Integer => json!({ "type": "integer", "format": "int64" }),
        TypeRef::Number => json!({ "type": "number" }),
        TypeRef::Boolean => json!({ "type": "boolean" }),
        TypeRef::Json => json!({}),
        TypeRef::File => json!({ "type": "string", "contentMediaType": "application/octet-stream" }),
        TypeRef::Model(name) => json!({ "$ref": format!("#/components/schemas/{name}") }),
        TypeRef::Array(inner) => json!({ "type": "array", "items": type_schema(inner) }),
        TypeRef::Map(inner) => json!({ "type": "object", "additionalProperties": type_schema(inner) }),
    }
}

fn add_constraints(schema: &mut Json, c: &Constraints, default: Option<&Json>) {
    let Json::Object(map) = schema else { return };
    let pairs = [
        ("minimum", c.min.map(bound)),
        ("maximum", c.max.map(bound)),
        ("minLength", c.min_length.map(|v| json!(v))),
        ("maxLength", c.max_length.map(|v| json!(v))),
        ("minItems", c.min_items.map(|v| json!(v))),
        ("maxItems", c.max_items.map(|v| json!(v))),
        ("default", default.cloned()),
    ];
    for (key, value) in pairs {
        if let Some(value) = value {
            map.insert(key.into(), value);
        }
    }
}

/// A `minimum` or `maximum`: an integer when it is one (`1`, not `1.0`), so that an
/// `integer` field's bounds are integers too for tools that type them from the literal.
fn bound(value: f64) -> Json {
    if value.fract() == 0.0 && value.abs() < 2f64.powi(53) {
        json!(value as i64)
    } else {
        json!(value)
    }
}

/// An optional field also accepts `null`: the generated code reads it as an `Option` with
/// `#[serde(default)]`, and serde turns `null` into `None`.
fn nullable(schema: Json) -> Json {
    match schema.get("type").and_then(Json::as_str) {
        Some(ty) => {
            let mut schema = schema.clone();
            schema["type"] = json!([ty, "null"]);
            schema
        }
        // `json` (`{}`) takes null already; a `$ref` is wrapped.
        None if schema.as_object().is_some_and(Map::is_empty) => schema,
        None => json!({ "anyOf": [schema, { "type": "null" }] }),
    }
}

/// A model's schema; `form`: it is sent as a form or multipart body, whose optional fields
/// are left out when absent and never `null`.
fn model_schema(model: &Model, form: bool) -> Json {
    match model {
        Model::Enum(e) => {
            let values: Vec<&Json> = e.values.iter().map(|v| &v.value).collect();
            let docs: Vec<String> = e.values.iter().map(|v| format!("- `{}`: {}", v.value, v.doc)).collect();
            json!({
                "type": match e.repr {
                    Repr::Integer => "integer",
                    Repr::Boolean => "boolean",
                    Repr::String => "string",
                },
                "enum": values,
                "description": format!("{}\n\n{}", e.doc, docs.join("\n")),
            })
        }
        Model::Object(o) => {
            let own: Vec<&Field> = o.fields.iter().filter(|f| f.inherited_from.is_none()).collect();
            let mut properties = Map::new();
            for f in &own {
                let mut schema = type_schema(&f.ty);
                add_constraints(&mut schema, &f.constraints, f.default.as_ref());
                if !f.required && !form {
                    schema = nullable(schema);
                }
                schema["description"] = json!(f.doc);
                properties.insert(f.name.clone(), schema);
            }
            let required: Vec<&str> = own.iter().filter(|f| f.required).map(|f| f.name.as_str()).collect();
            let mut body = json!({ "type": "object", "properties": properties });
            if !required.is_empty() {
                body["required"] = json!(required);
            }
            match &o.extends {
                Some(parent) => json!({
                    "description": o.doc,
                    "allOf": [{ "$ref": format!("#/components/schemas/{parent}") }, body],
                }),
                None => {
                    body["description"] = json!(o.doc);
                    body
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn real_spec() -> Spec {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        crate::load_spec(&root, "spec").unwrap_or_else(|report| panic!("{report}"))
    }

    /// Every JSON number under a `minimum` or `maximum` key, with its pointer.
    fn bounds<'a>(value: &'a Json, at: String, out: &mut Vec<(String, &'a Json)>) {
        match value {
            Json::Object(map) => {
                for (key, inner) in map {
                    if key == "minimum" || key == "maximum" {
                        out.push((format!("{at}/{key}"), inner));
                    }
                    bounds(inner, format!("{at}/{key}"), out);
                }
            }
            Json::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    bounds(inner, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn integral_bounds_are_integers() {
        assert_eq!(bound(1.0), json!(1));
        assert_eq!(bound(-1.0), json!(-1));
        assert_eq!(bound(0.5), json!(0.5));
        let doc = document(&real_spec());
        let mut found = Vec::new();
        bounds(&doc, String::new(), &mut found);
        assert!(!found.is_empty());
        // The spec's limits are all whole numbers (`maxusers` had `minimum: 1.0`).
        let floats: Vec<&String> = found.iter().filter(|(_, v)| !v.is_i64()).map(|(at, _)| at).collect();
        assert!(floats.is_empty(), "bounds written as floats: {floats:?}");
    }

    #[test]
    fn callback_events_are_webhooks_with_their_conditions_pinned() {
        let spec = real_spec();
        let doc = document(&spec);
        let webhooks = doc["webhooks"].as_object().unwrap();
        assert_eq!(webhooks.len(), spec.callbacks.as_ref().unwrap().events.len());
        let create = &webhooks["muc_create"]["post"]["requestBody"]["content"]["application/json"];
        assert_eq!(create["schema"]["allOf"][0], json!({"$ref": "#/components/schemas/CallbackMucEvent"}));
        assert_eq!(create["schema"]["allOf"][2]["properties"]["payload"]["properties"]["operation"], json!({"enum": ["create"]}));
        assert_eq!(create["examples"]["example1"]["value"]["payload"]["operation"], json!("create"));
        // A fragment is not a whole body, so it is no example of one.
        assert!(webhooks["chat_message"]["post"]["requestBody"]["content"]["application/json"].get("examples").is_none());
    }

    #[test]
    fn form_body_fields_are_not_nullable() {
        let doc = document(&real_spec());
        let upload = &doc["components"]["schemas"]["UploadChatFileRequest"]["properties"];
        assert_eq!(upload["thumbnail-width"]["type"], json!("integer"));
        // A JSON body's optional field still takes `null`.
        let room = &doc["components"]["schemas"]["CreateChatroomRequest"]["properties"];
        assert_eq!(room["maxusers"]["type"], json!(["integer", "null"]));
    }
}
