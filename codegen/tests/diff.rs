//! `codegen::diff` on edited copies of the fixture spec: each edit is classified the way a
//! caller of the generated crate experiences it, and the bump follows.

use std::path::Path;

use codegen::diff::{bump, compare, render, Bump, Impact};

fn base_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/base.yaml");
    std::fs::read_to_string(path).unwrap()
}

fn spec(base: &str) -> codegen::Spec {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = std::fs::read_to_string(root.join("spec/easemob.yaml")).unwrap();
    codegen::load_spec_sources(vec![("spec/easemob.yaml".into(), shared), ("fixtures/base.yaml".into(), base.to_owned())])
        .unwrap_or_else(|report| panic!("{report}"))
}

/// The impacts of editing the base fixture by replacing `from` with `to`.
fn impacts(from: &str, to: &str) -> (Vec<(Impact, String)>, Bump) {
    let text = base_text();
    assert!(text.contains(from), "the fixture has no `{from}`");
    let changes = compare(&spec(&text), &spec(&text.replacen(from, to, 1)));
    (changes.iter().map(|c| (c.impact, c.description.clone())).collect(), bump(&changes))
}

#[test]
fn identical_specs_need_no_bump() {
    let text = base_text();
    let changes = compare(&spec(&text), &spec(&text));
    assert!(changes.is_empty(), "{changes:?}");
    assert_eq!(bump(&changes), Bump::None);
}

#[test]
fn new_optional_parameters_fields_and_values_are_additions() {
    let (found, b) = impacts(
        "      name: {in: path, type: string, doc: \"The thing's name.\"}\n",
        "      name: {in: path, type: string, doc: \"The thing's name.\"}\n      verbose: {in: query, type: boolean, doc: \"More detail.\"}\n",
    );
    assert_eq!(found, [(Impact::Addition, "`get_thing` has a new optional parameter `verbose`".to_owned())]);
    assert_eq!(b, Bump::Minor);
    let (found, _) = impacts("      kind: {type: Kind, doc: \"Its kind.\"}", "      kind: {type: Kind, doc: \"Its kind.\"}\n      colour: {type: string, doc: \"Colour.\"}");
    assert_eq!(found, [(Impact::Addition, "`Thing` has a new optional field `colour`".to_owned())]);
    let (found, _) = impacts("      - {value: large, doc: \"A large thing.\"}", "      - {value: large, doc: \"A large thing.\"}\n      - {value: huge, doc: \"A huge thing.\"}");
    assert_eq!(found, [(Impact::Addition, "`Kind` has a new value \"huge\"".to_owned())]);
}

#[test]
fn removals_and_new_requirements_break_callers() {
    let (found, b) = impacts("      cursor: {type: string, doc: \"Next cursor.\"}", "      cursor: {type: string, required: true, doc: \"Next cursor.\"}");
    assert!(found.contains(&(Impact::Breaking, "`ThingPage.cursor` is now required".to_owned())), "{found:?}");
    assert_eq!(b, Bump::Major);
    let (found, _) = impacts("      - {value: large, doc: \"A large thing.\"}\n", "");
    assert!(found.iter().any(|(i, d)| *i == Impact::Breaking && d.contains("lost the value \"large\"")), "{found:?}");
    let (found, _) = impacts("    response: {body: Thing}", "    response: {body: json}");
    assert!(found.iter().any(|(i, d)| *i == Impact::Breaking && d.contains("returns `json` instead of `Thing`")), "{found:?}");
}

#[test]
fn doc_and_limit_changes_are_patches() {
    let (found, b) = impacts("    summary: Get one thing.", "    summary: Fetch one thing.");
    assert_eq!(found, [(Impact::Other, "`get_thing`: docs changed".to_owned())]);
    assert_eq!(b, Bump::Patch);
}

#[test]
fn the_report_groups_changes_and_advises_a_bump() {
    let text = base_text();
    let edited = text
        .replacen("      - {value: large, doc: \"A large thing.\"}\n", "", 1)
        .replacen("      kind: {type: Kind, doc: \"Its kind.\"}", "      kind: {type: Kind, doc: \"Its kind.\"}\n      colour: {type: string, doc: \"Colour.\"}", 1)
        .replacen("    summary: List things.", "    summary: List every thing.", 1);
    let changes = compare(&spec(&text), &spec(&edited));
    insta::assert_snapshot!(render(&changes, "0.1.0"));
}
