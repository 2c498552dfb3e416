//! `generated-client/tests/spec_examples.json`: every operation's examples with what is
//! needed to send them (method, path, where each parameter goes, the body encoding, the
//! response kind). Written by `cargo xtask codegen` beside the generated code, checked by
//! `--check`; read by the every-operation mock test, which drives the operations the mock
//! does not model through their own examples.

use codegen::model::{Encoding, Response, Spec};
use serde_json::{json, Value};

/// Where the file goes, relative to the workspace root.
pub const PATH: &str = "generated-client/tests/spec_examples.json";

/// The file's text.
pub fn render(spec: &Spec) -> String {
    let operations: Vec<Value> = spec
        .operations
        .iter()
        .map(|op| {
            let params: serde_json::Map<String, Value> =
                op.params.iter().map(|p| (p.name.clone(), json!(p.location.as_str()))).collect();
            let encoding = op.request.as_ref().map(|r| match r.encoding {
                Encoding::Json => "json",
                Encoding::Form => "form",
                Encoding::Multipart => "multipart",
            });
            let response = match &op.response {
                Response::Json(_) => "json",
                Response::Binary { .. } => "binary",
                Response::Empty => "empty",
            };
            let examples: Vec<Value> = op
                .examples
                .iter()
                .map(|e| json!({ "params": e.params, "request": e.request, "response": e.response }))
                .collect();
            json!({
                "id": op.id,
                "method": op.method.as_str(),
                "path": op.path,
                "params": params,
                "request": encoding,
                "response": response,
                "examples": examples,
            })
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&json!({
        "generated": "by `cargo xtask codegen` from spec/; do not edit",
        "operations": operations,
    }))
    .expect("JSON values serialize");
    text.push('\n');
    text
}
