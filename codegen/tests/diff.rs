//! The API diff rule by rule: each case edits `tests/diff/base.yaml` (or the shared
//! `spec/easemob.yaml`, or the callback events of `tests/diff/callbacks.yaml`) and must make its rule fire, and no rule it does not name. Every
//! rule runs against every case, so a rule that fires where it should not shows up; each
//! report is an insta snapshot.

mod snapshot_help;

use std::collections::BTreeSet;
use std::path::Path;

use codegen::diff::{self, render, Bump, Report, VersionCheck, RULES};

const SHARED: &str = "spec/easemob.yaml";
const BASE: &str = "tests/diff/base.yaml";
const CALLBACKS: &str = "tests/diff/callbacks.yaml";

fn sources() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    vec![
        (SHARED.to_owned(), read(&dir.join("..").join(SHARED))),
        (BASE.to_owned(), read(&dir.join(BASE))),
        (CALLBACKS.to_owned(), read(&dir.join(CALLBACKS))),
    ]
}

fn load(sources: Vec<(String, String)>) -> codegen::Spec {
    codegen::load_spec_sources(sources).unwrap_or_else(|report| panic!("{report}"))
}

/// The block of a map entry: the line `anchor` and every deeper-indented line after it.
fn block<'t>(text: &'t str, anchor: &str) -> &'t str {
    let start = text.find(&format!("{anchor}\n")).unwrap_or_else(|| panic!("no block `{anchor}`"));
    let indent = anchor.len() - anchor.trim_start().len();
    let mut end = start + anchor.len() + 1;
    for line in text[end..].split_inclusive('\n') {
        let depth = line.len() - line.trim_start().len();
        if !line.trim().is_empty() && depth <= indent {
            break;
        }
        end += line.len();
    }
    &text[start..end]
}

/// Applies each edit: `from` (or, written `BLOCK:<anchor>`, a whole map entry) is replaced by
/// `to` wherever it occurs; it must occur somewhere.
fn edited(edits: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut files = sources();
    for (from, to) in edits {
        let hit = files.iter_mut().find(|(_, text)| match from.strip_prefix("BLOCK:") {
            Some(anchor) => text.contains(&format!("{anchor}\n")),
            None => text.contains(from),
        });
        let (_, text) = hit.unwrap_or_else(|| panic!("no file contains `{from}`"));
        let from = match from.strip_prefix("BLOCK:") {
            Some(anchor) => block(text, anchor).to_owned(),
            None => (*from).to_owned(),
        };
        *text = text.replace(&from, to);
    }
    files
}

fn report(changes: Vec<diff::Change>) -> Report {
    let version = VersionCheck::new(&changes, None, None);
    Report { base_name: "base".into(), head_name: "edited".into(), changes, version, code: None }
}

const W_ID: &str = r#"      id: {type: string, required: true, doc: "Its id."}"#;
const W_NAME: &str = r#"      name: {type: string, doc: "Its name."}"#;
const W_SIZE: &str = r#"      size: {type: integer, min: 0, max: 10, doc: "Its size."}"#;
const W_LEGACY: &str = "      legacy: {type: string, deprecated: true, doc: \"An old field.\"}\n";
const D_NAME: &str = r#"      name: {type: string, required: true, max_length: 20, doc: "Its name."}"#;
const D_SIZE: &str = r#"      size: {type: integer, default: 1, doc: "Its size."}"#;
const D_NOTE: &str = "      note: {type: string, deprecated: true, doc: \"An old field.\"}\n";
const D_COLOUR: &str = r#"      colour: {type: Colour, doc: "Its colour."}"#;
const ACCESSOR: &str = "      first_widget: {path: \"entities[0]\", doc: \"The first widget.\"}\n";
const ACCESSORS: &str = "    accessors:\n      first_widget: {path: \"entities[0]\", doc: \"The first widget.\"}\n";
const GREEN: &str = r#"      - {value: green, doc: "Green."}"#;
const VERBOSE: &str = r#"      verbose: {in: query, type: boolean, default: false, doc: "More detail."}"#;
const DEPTH: &str = r#"      depth: {in: query, type: integer, min: 1, max: 5, doc: "Detail depth."}"#;
const TOKEN: &str = r#"      token: {in: header, type: string, required: true, doc: "A touch token."}"#;
const TOUCH_PATH: &str = "    path: /widgets/{id}/touch\n";
const GET_EXAMPLE: &str = "      - params: {id: w1}\n        response: {id: w1}";
const CREATE_BODY: &str = "    request: {encoding: json, body: WidgetDraft}\n";
const LIST_PAGING: &str = "    paging: {style: cursor, limit: limit, cursor: cursor, next_cursor: cursor, items: entities}\n";
const SPARE: &str = "  Spare:\n    doc: A spare part no operation uses.\n    fields:\n      id: {type: string, doc: \"Its id.\"}\n";
const NEW_OP: &str = "  poke_widget:\n    group: widgets\n    name_zh: 戳\n    summary: Poke a widget.\n    docs: widgets.html#戳\n    method: POST\n    path: /widgets/{id}/poke\n    params:\n      id: {in: path, type: string, doc: \"The widget id.\"}\n    response: {empty: true}\n    examples:\n      - params: {id: w1}\n";

/// (rule, other rules the edit also fires, edits).
type Case = (&'static str, &'static [&'static str], &'static [(&'static str, &'static str)]);

const CASES: &[Case] = &[
    ("api-base-path-changed", &[], &[("base_path: /{org_name}/{app_name}", "base_path: /v2/{org_name}/{app_name}")]),
    ("api-version-changed", &[], &[("  version: 1.0.0", "  version: 1.1.0")]),
    ("api-servers-changed", &[], &[("    - url: https://{host}", "    - url: https://{host}:443")]),
    ("operation-added", &[], &[("  touch_widget:\n", concat!("  poke_widget:\n    group: widgets\n    name_zh: 戳\n    summary: Poke a widget.\n    docs: widgets.html#戳\n    method: POST\n    path: /widgets/{id}/poke\n    params:\n      id: {in: path, type: string, doc: \"The widget id.\"}\n    response: {empty: true}\n    examples:\n      - params: {id: w1}\n", "  touch_widget:\n"))]),
    ("operation-removed", &[], &[("BLOCK:  touch_widget:", "")]),
    ("deprecated-operation-removed", &[], &[("BLOCK:  widget_stats:", "")]),
    ("operation-renamed", &[], &[("  touch_widget:\n", "  poke_widget:\n")]),
    ("operation-renamed-with-alias", &[], &[("  touch_widget:\n", "  poke_widget:\n    renamed_from: [touch_widget]\n")]),
    ("operation-method-changed", &[], &[("    method: PUT\n    path: /widgets/{id}/touch", "    method: DELETE\n    path: /widgets/{id}/touch")]),
    ("operation-path-changed", &[], &[(TOUCH_PATH, "    path: /widgets/{id}/poke\n")]),
    ("operation-group-changed", &[], &[("    group: widgets\n    name_zh: 刷新", "    group: gadgets\n    name_zh: 刷新")]),
    ("operation-deprecated", &[], &[(TOUCH_PATH, "    path: /widgets/{id}/touch\n    deprecated: true\n")]),
    ("operation-undeprecated", &[], &[("    deprecated: {note: \"statistics moved to the console\", sunset: \"2027-01-01\"}\n", "")]),
    ("operation-auth-added", &[], &[("    auth: none\n", "")]),
    ("operation-auth-removed", &[], &[(TOUCH_PATH, "    path: /widgets/{id}/touch\n    auth: none\n")]),
    ("operation-no-longer-idempotent", &[], &[(TOUCH_PATH, "    path: /widgets/{id}/touch\n    idempotent: false\n")]),
    ("operation-now-idempotent", &[], &[(CREATE_BODY, "    idempotent: true\n    request: {encoding: json, body: WidgetDraft}\n")]),
    ("operation-variant-changed", &[], &[("{set: retire, when: {}}", "{set: retirement, when: {}}"), ("{set: retire, when: {path_list: ids}}", "{set: retirement, when: {path_list: ids}}")]),
    ("operation-rate-limit-lowered", &[], &[("{count: 100, per: second}", "{count: 50, per: second}")]),
    ("operation-rate-limit-raised", &[], &[("{count: 100, per: second}", "{count: 2, per: day}"), ("{count: 2, per: day}", "{count: 20, per: minute}"), ("{count: 20, per: minute}", "{count: 200, per: second}")]),
    ("operation-docs-changed", &[], &[("    summary: Touch a widget.", "    summary: Touch a widget now.")]),
    ("operation-examples-changed", &[], &[(GET_EXAMPLE, "      - params: {id: w2}\n        response: {id: w2}")]),
    ("param-added-required", &[], &[(TOKEN, concat!(r#"      token: {in: header, type: string, required: true, doc: "A touch token."}"#, "\n", r#"      nonce: {in: header, type: string, required: true, doc: "A nonce."}"#))]),
    ("param-added-optional", &[], &[(DEPTH, concat!(r#"      depth: {in: query, type: integer, min: 1, max: 5, doc: "Detail depth."}"#, "\n", r#"      tag: {in: query, type: string, doc: "A tag."}"#))]),
    ("param-removed", &[], &[(DEPTH, "")]),
    ("deprecated-param-removed", &[], &[("      trace: {in: header, type: string, deprecated: true, doc: \"A trace id.\"}\n", "")]),
    ("param-became-required", &[], &[(DEPTH, r#"      depth: {in: query, type: integer, required: true, min: 1, max: 5, doc: "Detail depth."}"#)]),
    ("param-became-optional", &[], &[(TOKEN, r#"      token: {in: header, type: string, doc: "A touch token."}"#)]),
    ("param-type-changed", &[], &[(DEPTH, r#"      depth: {in: query, type: number, min: 1, max: 5, doc: "Detail depth."}"#)]),
    ("param-location-changed", &[], &[(VERBOSE, r#"      verbose: {in: header, type: boolean, default: false, doc: "More detail."}"#)]),
    ("param-rust-name-changed", &[], &[(VERBOSE, r#"      verbose: {in: query, type: boolean, default: false, rust_name: detailed, doc: "More detail."}"#)]),
    ("param-default-changed", &[], &[(VERBOSE, r#"      verbose: {in: query, type: boolean, default: true, doc: "More detail."}"#)]),
    ("param-constraint-tightened", &[], &[(DEPTH, r#"      depth: {in: query, type: integer, min: 1, max: 3, doc: "Detail depth."}"#)]),
    ("param-constraint-loosened", &[], &[(DEPTH, r#"      depth: {in: query, type: integer, min: 1, max: 9, doc: "Detail depth."}"#)]),
    ("param-deprecated", &[], &[(VERBOSE, r#"      verbose: {in: query, type: boolean, default: false, deprecated: true, doc: "More detail."}"#)]),
    ("param-docs-changed", &[], &[(VERBOSE, r#"      verbose: {in: query, type: boolean, default: false, doc: "More details."}"#)]),
    ("request-body-added", &["operation-examples-changed"], &[(TOUCH_PATH, "    path: /widgets/{id}/touch\n    request: {encoding: json, body: \"{string}\"}\n"), ("      - params: {id: w1, token: t}", "      - params: {id: w1, token: t}\n        request: {a: b}")]),
    ("request-body-removed", &["operation-examples-changed"], &[(CREATE_BODY, ""), ("      - request: {name: w}\n", "      - ")]),
    ("request-body-type-changed", &[], &[(CREATE_BODY, "    request: {encoding: json, body: \"{string}\"}\n")]),
    ("request-encoding-changed", &[], &[(CREATE_BODY, "    request: {encoding: form, body: WidgetDraft}\n")]),
    ("response-type-changed", &["operation-examples-changed"], &[("    response: {empty: true}\n    examples:\n      - params: {id: w1, token: t}", "    response: {body: \"{string}\"}\n    examples:\n      - params: {id: w1, token: t}\n        response: {a: b}")]),
    ("paging-added", &[], &[("      - response: {entities: [{id: w1}], cursor: c}\n  retire_widget:", concat!("      - response: {entities: [{id: w1}], cursor: c}\n", "    paging: {style: cursor, limit: limit, cursor: cursor, next_cursor: cursor, items: entities}\n", "  retire_widget:"))]),
    ("paging-removed", &[], &[(LIST_PAGING, "")]),
    ("paging-item-type-changed", &["paging-changed"], &[(LIST_PAGING, "    paging: {style: cursor, limit: limit, cursor: cursor, next_cursor: cursor, items: ids}\n")]),
    ("paging-changed", &[], &[(LIST_PAGING, "    paging: {style: cursor, cursor: cursor, next_cursor: cursor, items: entities}\n")]),
    ("model-added", &[], &[("  Spare:\n", "  Gadget:\n    doc: A gadget.\n    fields:\n      id: {type: string, doc: \"Its id.\"}\n  Spare:\n")]),
    ("model-removed", &[], &[(SPARE, "")]),
    ("model-renamed", &[], &[("  Spare:\n", "  Extra:\n")]),
    ("model-renamed-with-alias", &[], &[("  Spare:\n", "  Extra:\n    renamed_from: [Spare]\n")]),
    ("model-kind-changed", &[], &[(SPARE, "  Spare:\n    doc: A spare part no operation uses.\n    enum:\n      - {value: one, doc: \"One.\"}\n")]),
    ("model-docs-changed", &[], &[("    doc: A spare part no operation uses.", "    doc: A spare part nothing uses.")]),
    ("accessor-added", &[], &[(ACCESSOR, "      first_widget: {path: \"entities[0]\", doc: \"The first widget.\"}\n      next_cursor: {path: cursor, doc: \"The next cursor.\"}\n")]),
    ("accessor-removed", &[], &[(ACCESSORS, "")]),
    ("accessor-path-changed", &[], &[(ACCESSOR, "      first_widget: {path: \"entities[0].id\", doc: \"The first widget.\"}\n")]),
    ("request-field-added-required", &["operation-examples-changed"], &[(D_COLOUR, concat!(r#"      colour: {type: Colour, doc: "Its colour."}"#, "\n", r#"      shape: {type: string, required: true, doc: "Its shape."}"#)), ("      - request: {name: w}", "      - request: {name: w, shape: round}")]),
    ("request-field-added-optional", &[], &[(D_COLOUR, concat!(r#"      colour: {type: Colour, doc: "Its colour."}"#, "\n", r#"      shape: {type: string, doc: "Its shape."}"#))]),
    ("request-field-removed", &[], &[(D_COLOUR, "")]),
    ("deprecated-request-field-removed", &[], &[(D_NOTE, "")]),
    ("request-field-became-required", &["operation-examples-changed"], &[(D_COLOUR, r#"      colour: {type: Colour, required: true, doc: "Its colour."}"#), ("      - request: {name: w}", "      - request: {name: w, colour: red}")]),
    ("request-field-became-optional", &[], &[(D_NAME, r#"      name: {type: string, max_length: 20, doc: "Its name."}"#)]),
    ("request-field-type-changed", &[], &[(D_SIZE, r#"      size: {type: number, default: 1, doc: "Its size."}"#)]),
    ("request-field-constraint-tightened", &[], &[(D_NAME, r#"      name: {type: string, required: true, max_length: 10, doc: "Its name."}"#)]),
    ("request-field-constraint-loosened", &[], &[(D_NAME, r#"      name: {type: string, required: true, max_length: 40, doc: "Its name."}"#)]),
    ("request-field-default-changed", &[], &[(D_SIZE, r#"      size: {type: integer, default: 2, doc: "Its size."}"#)]),
    ("response-field-added-required", &["operation-examples-changed"], &[(W_ID, concat!(r#"      id: {type: string, required: true, doc: "Its id."}"#, "\n", r#"      kind: {type: string, required: true, doc: "Its kind."}"#)), ("{id: w1}", "{id: w1, kind: k}"), ("params: {id: w1, kind: k}", "params: {id: w1}")]),
    ("response-field-added-optional", &[], &[(W_ID, concat!(r#"      id: {type: string, required: true, doc: "Its id."}"#, "\n", r#"      kind: {type: string, doc: "Its kind."}"#))]),
    ("response-field-removed", &[], &[(W_NAME, "")]),
    ("deprecated-response-field-removed", &[], &[(W_LEGACY, "")]),
    ("response-field-became-optional", &[], &[(W_ID, r#"      id: {type: string, doc: "Its id."}"#)]),
    ("response-field-became-required", &["operation-examples-changed"], &[(W_NAME, r#"      name: {type: string, required: true, doc: "Its name."}"#), ("{id: w1}", "{id: w1, name: n}"), ("params: {id: w1, name: n}", "params: {id: w1}")]),
    ("response-field-type-changed", &[], &[(W_NAME, r#"      name: {type: "[string]", doc: "Its name."}"#)]),
    ("response-field-constraint-tightened", &[], &[(W_SIZE, r#"      size: {type: integer, min: 0, max: 5, doc: "Its size."}"#)]),
    ("response-field-constraint-loosened", &[], &[(W_SIZE, r#"      size: {type: integer, min: 0, max: 20, doc: "Its size."}"#)]),
    ("field-rust-name-changed", &[], &[(W_NAME, r#"      name: {type: string, rust_name: title, doc: "Its name."}"#)]),
    ("field-time-unit-changed", &[], &[(W_SIZE, r#"      size: {type: integer, unit: seconds, min: 0, max: 10, doc: "Its size."}"#)]),
    ("field-deprecated", &[], &[(W_NAME, r#"      name: {type: string, deprecated: true, doc: "Its name."}"#)]),
    ("field-docs-changed", &[], &[(W_NAME, r#"      name: {type: string, doc: "Its display name."}"#)]),
    ("request-enum-value-added", &[], &[(GREEN, concat!(r#"      - {value: green, doc: "Green."}"#, "\n", r#"      - {value: yellow, doc: "Yellow."}"#))]),
    ("response-enum-value-added", &[], &[(r#"      - {value: active, doc: "Active."}"#, concat!(r#"      - {value: active, doc: "Active."}"#, "\n", r#"      - {value: paused, doc: "Paused."}"#))]),
    ("request-enum-value-removed", &[], &[(GREEN, "")]),
    ("deprecated-request-enum-value-removed", &[], &[("      - {value: blue, deprecated: true, doc: \"Blue.\"}\n", "")]),
    ("response-enum-value-removed", &[], &[("      - {value: broken, doc: \"Broken.\"}\n", "")]),
    ("deprecated-response-enum-value-removed", &[], &[("      - {value: retired, deprecated: true, doc: \"Retired.\"}\n", "")]),
    ("enum-variant-rust-name-changed", &[], &[(GREEN, r#"      - {value: green, rust_name: Verdant, doc: "Green."}"#)]),
    ("enum-repr-changed", &["response-enum-value-added", "response-enum-value-removed"], &[("    repr: integer\n    enum:\n      - {value: 1, rust_name: Low, doc: \"Low.\"}\n      - {value: 2, rust_name: High, doc: \"High.\"}", "    enum:\n      - {value: low, doc: \"Low.\"}\n      - {value: high, doc: \"High.\"}")]),
    ("enum-value-deprecated", &[], &[(GREEN, r#"      - {value: green, deprecated: true, doc: "Green."}"#)]),
    ("enum-value-docs-changed", &[], &[(GREEN, r#"      - {value: green, doc: "Grass green."}"#)]),
    ("event-added", &[], &[("    widget_broken:\n", "    widget_lost:\n      name_zh: 丢了\n      summary: A widget was lost.\n      docs: widgets.html#丢了\n      when: {kind: lost}\n      body: WidgetEvent\n      examples:\n        - body: {kind: lost}\n    widget_broken:\n")]),
    ("event-removed", &[], &[("BLOCK:    widget_broken:", "")]),
    ("event-conditions-changed", &[], &[("when: {kind: broken}", "when: {kind: [broken, failed]}")]),
    ("event-body-changed", &["model-added"], &[("      body: WidgetEvent\n      examples:\n        - body: {kind: broken", "      body: WidgetFault\n      examples:\n        - body: {kind: broken"), ("  WidgetEvent:\n", "  WidgetFault:\n    doc: A widget's fault.\n    fields:\n      kind: {type: string, doc: \"What happened.\"}\n      id: {type: string, doc: \"The widget id.\"}\n  WidgetEvent:\n")]),
    ("event-docs-changed", &[], &[("      summary: A widget broke.", "      summary: A widget broke down.")]),
    ("event-examples-changed", &[], &[("        - body: {kind: broken, id: w1}", "        - body: {kind: broken, id: w2}")]),
    ("callback-common-field-added", &[], &[("  common: [id]", "  common: [id, kind]")]),
    ("callback-common-field-removed", &[], &[("  common: [id]", "  common: []")]),
];

#[test]
fn every_rule_fires_on_its_own_fixture_and_only_there() {
    let base = load(sources());
    let mut failures = Vec::new();
    for (rule, also, edits) in CASES {
        let changes = diff::compare(&base, &load(edited(edits)));
        let fired: BTreeSet<&str> = changes.iter().map(|c| c.rule.id).collect();
        let expected: BTreeSet<&str> = std::iter::once(*rule).chain(also.iter().copied()).collect();
        if fired != expected {
            failures.push(format!("{rule}: expected {expected:?}, fired {fired:?}"));
        }
        snapshot_help::reviewed(|| insta::assert_snapshot!(format!("diff_rule_{rule}"), render::text(&report(changes), false)));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_case() {
    let cased: BTreeSet<&str> = CASES.iter().map(|(rule, _, _)| *rule).collect();
    let missing: Vec<&str> = RULES.iter().map(|r| r.id).filter(|id| !cased.contains(id)).collect();
    assert!(missing.is_empty(), "rules without a fixture case: {missing:?}");
    assert!(RULES.len() >= 40, "{} rules", RULES.len());
}

#[test]
fn identical_specs_report_nothing_and_need_no_bump() {
    let changes = diff::compare(&load(sources()), &load(sources()));
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(diff::bump(&changes), Bump::None);
}

#[test]
fn bumps_follow_the_client_and_server_columns() {
    let base = load(sources());
    let bump_of = |edits: &[(&str, &str)]| diff::bump(&diff::compare(&base, &load(edited(edits))));
    // Breaks only deployed programs: a patch (the Rust API is unchanged).
    assert_eq!(bump_of(&[(TOUCH_PATH, "    path: /widgets/{id}/poke\n")]), Bump::Patch);
    // Adds API: minor. Deprecates: minor. Breaks code: major.
    assert_eq!(bump_of(&[("  touch_widget:\n", &format!("{NEW_OP}  touch_widget:\n"))]), Bump::Minor);
    assert_eq!(bump_of(&[("  touch_widget:\n", "  poke_widget:\n    renamed_from: [touch_widget]\n")]), Bump::Minor);
    assert_eq!(bump_of(&[("  touch_widget:\n", "  poke_widget:\n")]), Bump::Major);
    // Only the server column breaks: still major, implementors' code stops compiling.
    assert_eq!(bump_of(&[(W_ID, &format!("{W_ID}\n      kind: {{type: string, required: true, doc: \"k\"}}")), ("{id: w1}", "{id: w1, kind: k}"), ("params: {id: w1, kind: k}", "params: {id: w1}")]), Bump::Major);
}

#[test]
fn versions_follow_the_0_x_convention() {
    use diff::Version;
    let v = |s| Version::parse(s).unwrap();
    assert_eq!(v("0.1.3").next(Bump::Major), v("0.2.0"));
    assert_eq!(v("0.1.3").next(Bump::Minor), v("0.1.4"));
    assert_eq!(v("1.4.2").next(Bump::Major), v("2.0.0"));
    assert_eq!(v("1.4.2").next(Bump::Minor), v("1.5.0"));
    assert_eq!(v("1.4.2").next(Bump::Patch), v("1.4.3"));
    assert_eq!(Version::parse("1.2"), None);
    let check = VersionCheck { bump: Bump::Major, base: Some(v("0.1.0")), head: Some(v("0.1.5")) };
    assert!(check.too_small());
    let check = VersionCheck { bump: Bump::Major, base: Some(v("0.1.0")), head: Some(v("0.2.0")) };
    assert!(!check.too_small());
}

#[test]
fn locations_point_at_the_edited_line() {
    let base = load(sources());
    let changes = diff::compare(&base, &load(edited(&[(DEPTH, r#"      depth: {in: query, type: integer, min: 1, max: 3, doc: "Detail depth."}"#)])));
    let (side, location) = changes[0].location.clone().expect("located");
    let line = sources()[1].1.lines().position(|l| l == DEPTH).unwrap() + 1;
    assert_eq!((side, location.file.as_str(), location.line, location.col), (diff::Side::New, BASE, line, 7));
    // What was removed is located in the old spec.
    let changes = diff::compare(&base, &load(edited(&[("BLOCK:  touch_widget:", "")])));
    let (side, location) = changes[0].location.clone().expect("located");
    let line = sources()[1].1.lines().position(|l| l == "  touch_widget:").unwrap() + 1;
    assert_eq!((side, location.line), (diff::Side::Old, line));
}

#[test]
fn reports_are_byte_identical_across_runs() {
    let edits: &[(&str, &str)] = &[(W_NAME, ""), (GREEN, ""), ("  touch_widget:\n", "  poke_widget:\n"), (DEPTH, "")];
    let render_all = || {
        let changes = diff::compare(&load(sources()), &load(edited(edits)));
        let r = report(changes);
        (render::text(&r, true), render::markdown(&r), render::json(&r))
    };
    let first = render_all();
    for _ in 0..3 {
        assert_eq!(render_all(), first);
    }
}

#[test]
fn the_rule_document_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/api-diff-rules.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(on_disk == render::rules_markdown(), "docs/api-diff-rules.md is stale: run `cargo xtask diff --rules > docs/api-diff-rules.md`");
}

/// The real spec, every file of `spec/`.
fn real_spec_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "yaml")).collect();
    names.sort();
    names.into_iter().map(|p| (format!("spec/{}", p.file_name().unwrap().to_string_lossy()), std::fs::read_to_string(&p).unwrap())).collect()
}

/// A dozen edits of the real spec: (file, from, to); each `from` occurs once in its file.
const REAL_EDITS: [(&str, &str, &str); 12] = [
    ("spec/users.yaml", "  disconnect_user:\n", "  force_logout_user:\n"),
    ("spec/users.yaml", "    path: /users/{username}/password\n", "    path: /users/{username}/pwd\n"),
    ("spec/users.yaml", "max: 100, default: 10, doc: \"Number of users to return", "max: 50, default: 10, doc: \"Number of users to return"),
    ("spec/users.yaml", "    name_zh: 获取单个用户的详情\n", "    name_zh: 获取单个用户的详情\n    deprecated: {note: \"use query_users\"}\n"),
    ("spec/users.yaml", "    summary: Get the details of one user.", "    summary: Get one user's details."),
    ("spec/users.yaml", "      body: UserEntitiesResponse\n    rate_limit: {count: 100, per: second}\n    examples:\n      - params: {username: XXXX}\n", "      body: UserEntitiesResponse\n    rate_limit: {count: 50, per: second}\n    examples:\n      - params: {username: XXXX}\n"),
    ("spec/users.yaml", "      nickname: {type: string, doc: \"Nickname shown in offline push notifications.\"}", "      nickname: {type: string, deprecated: true, doc: \"Nickname shown in offline push notifications.\"}"),
    ("spec/contacts.yaml", "  ContactEntry:\n", "  FriendEntry:\n"),
    ("spec/contacts.yaml", "\"[ContactEntry]\"", "\"[FriendEntry]\""),
    ("spec/contacts.yaml", "    doc: One page of a friend list.", "    doc: One page of a contact list."),
    ("spec/messages.yaml", "      - {value: txt, doc: \"Text message.\"}\n", "      - {value: txt, doc: \"Text message.\"}\n      - {value: sticker, doc: \"Sticker message.\"}\n"),
    ("spec/easemob.yaml", "  version: 1.0.0", "  version: 1.1.0"),
];

#[test]
fn the_real_spec_against_itself_reports_nothing() {
    let changes = diff::compare(&load(real_spec_files()), &load(real_spec_files()));
    assert!(changes.is_empty(), "{changes:?}");
}

#[test]
fn the_real_spec_with_a_dozen_edits_reports_exactly_those() {
    let mut files = real_spec_files();
    for (file, from, to) in REAL_EDITS {
        let (_, text) = files.iter_mut().find(|(name, _)| name == file).unwrap();
        assert_eq!(text.matches(from).count(), 1, "{file}: `{from}`");
        *text = text.replacen(from, to, 1);
    }
    let changes = diff::compare(&load(real_spec_files()), &load(files));
    let found: Vec<(&str, &str)> = changes.iter().map(|c| (c.rule.id, c.path.as_str())).collect();
    let mut expected = vec![
        ("operation-renamed", "operations.force_logout_user"),
        ("operation-path-changed", "operations.set_user_password.path"),
        ("param-constraint-tightened", "operations.list_users.params.limit"),
        ("operation-deprecated", "operations.get_user.deprecated"),
        ("operation-docs-changed", "operations.get_user.summary"),
        ("operation-rate-limit-lowered", "operations.get_user.rate_limit"),
        ("field-deprecated", "models.User.fields.nickname"),
        ("model-renamed", "models.FriendEntry"),
        ("model-docs-changed", "models.ContactPage"),
        ("request-enum-value-added", "models.MessageType.enum.sticker"),
        // Message history records (a downloaded file no operation decodes) carry it too.
        ("response-enum-value-added", "models.MessageType.enum.sticker"),
        ("api-version-changed", "api.version"),
    ];
    let mut found_sorted = found.clone();
    found_sorted.sort();
    expected.sort();
    assert_eq!(found_sorted, expected, "report order: {found:?}");
}
