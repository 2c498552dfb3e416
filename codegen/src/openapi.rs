//! Writes the checked spec as an OpenAPI 3.1 document, so that validators, Swagger UI and
//! other generators can read the API. Operations sharing a method and path become one
//! OpenAPI operation whose request bodies are a `oneOf`.

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
    for op in &spec.operations {
        routes.entry((op.path.clone(), op.method)).or_default().push(op);
    }
    for ((path, method), ops) in routes {
        paths
            .entry(path)
            .or_default()
            .insert(method.as_str().to_lowercase(), operation(spec, &ops));
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
    let schemas: Map<String, Json> = spec.models.iter().map(|(name, model)| (name.clone(), model_schema(model))).collect();
    let mut tags: Vec<&str> = spec.operations.iter().map(|o| o.group.as_str()).collect();
    tags.sort_unstable();
    tags.dedup();
    json!({
        "openapi": "3.1.0",
        "info": { "title": api.title, "version": api.version, "description": api.description },
        "externalDocs": { "url": api.docs_base },
        "servers": servers,
        "tags": tags.iter().map(|t| json!({ "name": t })).collect::<Vec<_>>(),
        "security": [{ "appToken": [] }],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "appToken": { "type": "http", "scheme": "bearer", "description": "The app token from the token endpoint." }
            }
        }
    })
}

fn placeholders(url: &str) -> Vec<String> {
    url.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned())).collect()
}

/// One OpenAPI operation for every spec operation on this method and path.
fn operation(spec: &Spec, ops: &[&Operation]) -> Json {
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
    let params = merged_params(ops);
    if !params.is_empty() {
        out.insert("parameters".into(), Json::Array(params));
    }
    if let Some(body) = request_body(ops) {
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

/// Parameters of all variants; required only where every variant requires them.
fn merged_params(ops: &[&Operation]) -> Vec<Json> {
    let mut seen: Vec<(String, Location)> = Vec::new();
    let mut out = Vec::new();
    for op in ops {
        for p in &op.params {
            if seen.contains(&(p.name.clone(), p.location)) {
                continue;
            }
            seen.push((p.name.clone(), p.location));
            let required = ops.iter().all(|o| o.params.iter().any(|q| q.name == p.name && q.location == p.location && q.required));
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

fn request_body(ops: &[&Operation]) -> Option<Json> {
    let mut by_type: BTreeMap<&str, (Vec<Json>, Map<String, Json>)> = BTreeMap::new();
    let mut required = true;
    for op in ops {
        let Some(request) = &op.request else {
            required = false;
            continue;
        };
        let entry = by_type.entry(request.encoding.content_type()).or_default();
        let schema = type_schema(&request.body);
        if !entry.0.contains(&schema) {
            entry.0.push(schema);
        }
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
        .map(|(content_type, (mut schemas, examples))| {
            let schema = if schemas.len() == 1 { schemas.remove(0) } else { json!({ "oneOf": schemas }) };
            let mut media = json!({ "schema": schema });
            if !examples.is_empty() {
                media["examples"] = Json::Object(examples);
            }
            (content_type.to_owned(), media)
        })
        .collect();
    Some(json!({ "required": required, "content": content }))
}

fn responses(spec: &Spec, ops: &[&Operation]) -> Json {
    let mut schemas: Vec<Json> = Vec::new();
    let mut examples = Map::new();
    let mut binary: Option<&str> = None;
    for op in ops {
        match &op.response {
            Response::Json(ty) => {
                let schema = type_schema(ty);
                if !schemas.contains(&schema) {
                    schemas.push(schema);
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
        let schema = if schemas.len() == 1 { schemas.remove(0) } else { json!({ "oneOf": schemas }) };
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
        ("minimum", c.min.map(|v| json!(v))),
        ("maximum", c.max.map(|v| json!(v))),
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

fn model_schema(model: &Model) -> Json {
    match model {
        Model::Enum(e) => {
            let values: Vec<&Json> = e.values.iter().map(|v| &v.value).collect();
            let docs: Vec<String> = e.values.iter().map(|v| format!("- `{}`: {}", v.value, v.doc)).collect();
            json!({
                "type": if e.repr == Repr::Integer { "integer" } else { "string" },
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
