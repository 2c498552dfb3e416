//! Every operation of the spec, driven through the client against one mock: fails naming
//! any operation no call reached.
//!
//! The hand-written flows exercise what the mock models (users, groups, chat rooms,
//! messages, ...), with real state. Every other operation, including one just added to the
//! spec, is driven from the spec's own examples (`tests/spec_examples.json`, written by
//! `cargo xtask codegen`): each example's parameters and request body are sent as they
//! are, and the answer must be the example's response. So adding an endpoint needs no edit
//! here, and the new operation passes or fails on its own merits.
#![cfg(feature = "mock")]

mod mock_support;

use std::collections::BTreeSet;

use easemob_im::models::{RetryStoredCallbacksRequest, TokenAppRequest, TokenGrantType};
use easemob_im::path::encode_segment;
use easemob_im::request::{Body, OperationRequest};
use easemob_im::Client;
use mock_support::*;
use serde_json::Value;

/// The spec's examples, with where each parameter goes.
const SPEC_EXAMPLES: &str = include_str!("spec_examples.json");

#[tokio::test]
async fn every_operation_is_exercised() {
    let (mock, client) = start().await;
    client
        .tokens()
        .get_app_token(TokenAppRequest::new(
            TokenGrantType::ClientCredentials,
            "demo-client-id",
            "demo-client-secret",
        ))
        .await
        .unwrap();
    users_flow(&mock, &client).await;
    contacts_flow(&mock, &client).await;
    metadata_flow(&mock, &client).await;
    groups_flow(&mock, &client).await;
    chatrooms_flow(&mock, &client).await;
    threads_flow(&mock, &client).await;
    presence_flow(&mock, &client).await;
    messages_flow(&mock, &client).await;
    let stored = client
        .callbacks()
        .get_callback_storage_info()
        .await
        .unwrap();
    assert_eq!(stored.data, Some(Vec::new()));
    let retried = client
        .callbacks()
        .retry_stored_callbacks(RetryStoredCallbacksRequest::new("202108272230"))
        .await
        .unwrap();
    assert_eq!(retried.data.as_deref(), Some("success"));
    delete_users_flow(&mock, &client).await;

    // Whatever the flows did not reach, from the spec's examples.
    let examples: Value = serde_json::from_str(SPEC_EXAMPLES).expect("spec_examples.json is JSON");
    let mut failures = Vec::new();
    for op in examples["operations"].as_array().expect("operations") {
        let id = op["id"].as_str().expect("id");
        if mock.server().served_operations().contains(id) {
            continue;
        }
        for (i, example) in op["examples"].as_array().into_iter().flatten().enumerate() {
            if let Err(problem) = send_example(&client, op, example).await {
                failures.push(format!("{id} (example {}): {problem}", i + 1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "operations driven from their spec examples failed:\n  {}",
        failures.join("\n  ")
    );

    let served = mock.server().served_operations();
    let all: BTreeSet<&str> = easemob_im::OPERATIONS
        .iter()
        .map(|(_, id, _, _)| *id)
        .collect();
    let missing: Vec<&str> = all.difference(&served).copied().collect();
    assert!(
        missing.is_empty(),
        "{} of {} operations were never exercised (no flow calls them and their spec examples \
         reached another operation or none): {missing:?}",
        missing.len(),
        all.len()
    );
    let unknown: Vec<&str> = served.difference(&all).copied().collect();
    assert!(
        unknown.is_empty(),
        "served operations the spec does not list: {unknown:?}"
    );
}

/// A static string for the request's names (the test leaks a few short strings).
fn leak(text: &str) -> &'static str {
    Box::leak(text.to_owned().into_boxed_str())
}

/// A parameter value as it travels: text as is, lists comma-separated.
fn wire(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(wire).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// Keys holding `null` say nothing the generated types keep: left out on both sides.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map_or_else(|| value.clone(), |f| Value::from(f as i64)),
        other => other.clone(),
    }
}

/// Sends one example as written in the spec and compares the answer with its response.
async fn send_example(client: &Client, op: &Value, example: &Value) -> Result<(), String> {
    let id = leak(op["id"].as_str().unwrap_or_default());
    let template = op["path"].as_str().unwrap_or_default();
    let method = op["method"].as_str().unwrap_or_default();
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut path = template.to_owned();
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for (name, value) in example["params"].as_object().into_iter().flatten() {
        match op["params"][name].as_str() {
            Some("path") => {
                path = path.replace(&format!("{{{name}}}"), &encode_segment(&wire(value)))
            }
            Some("query") => query.push((leak(name), wire(value))),
            Some("header") => headers.push((leak(name), wire(value))),
            _ => {
                return Err(format!(
                    "the example sets `{name}`, which is not a parameter"
                ))
            }
        }
    }
    if path.contains('{') {
        return Err(format!(
            "the example leaves a placeholder of `{template}` unset"
        ));
    }
    let mut req = OperationRequest::new(id, method, leak(template), path);
    req.query = query;
    req.headers = headers;
    let request = &example["request"];
    req.body = match (op["request"].as_str(), request.is_null()) {
        (_, true) => Body::Empty,
        (Some("form"), false) => Body::form(request).map_err(|e| e.to_string())?,
        (Some("multipart"), false) => {
            return Err(
                "multipart requests cannot be sent from an example: call it from a flow".into(),
            )
        }
        _ => Body::json(request).map_err(|e| e.to_string())?,
    };
    match op["response"].as_str() {
        Some("binary") => client
            .execute_binary(req)
            .await
            .map(drop)
            .map_err(|e| e.to_string()),
        Some("empty") => client.execute_empty(req).await.map_err(|e| e.to_string()),
        _ => {
            let got: Value = client.execute_json(req).await.map_err(|e| e.to_string())?;
            // The mock answers an operation's first example whichever was sent: the answer
            // must be one of the operation's example responses.
            let wants: Vec<&Value> = op["examples"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| &e["response"])
                .filter(|r| !r.is_null())
                .collect();
            if wants.is_empty()
                || wants
                    .iter()
                    .any(|want| without_nulls(&got) == without_nulls(want))
            {
                Ok(())
            } else {
                Err(format!(
                    "the answer is none of the example responses:\n    got  {got}\n    want {}",
                    wants[0]
                ))
            }
        }
    }
}
