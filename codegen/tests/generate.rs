//! The generator's output for small fixture specs, one construct each, as insta snapshots,
//! and the properties every output must have: deterministic, parseable, headed.

use std::path::Path;

fn fixture(names: &[&str]) -> codegen::Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let sources = names
        .iter()
        .map(|n| (format!("fixtures/{n}"), std::fs::read_to_string(dir.join(n)).unwrap()))
        .collect();
    codegen::load_spec_sources(sources).unwrap_or_else(|report| panic!("{report}"))
}

#[test]
fn fixture_output_snapshots() {
    let spec = fixture(&["base.yaml", "constructs.yaml"]);
    let files = codegen::emit::generate(&spec);
    for (name, text) in &files {
        assert!(text.starts_with(codegen::emit::HEADER), "{name} lacks the header");
        syn::parse_file(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        insta::assert_snapshot!(name.replace('/', "__"), text);
    }
}

#[test]
fn generation_is_deterministic() {
    let first = codegen::emit::generate(&fixture(&["base.yaml", "constructs.yaml"]));
    let second = codegen::emit::generate(&fixture(&["base.yaml", "constructs.yaml"]));
    assert_eq!(first, second);
}

#[test]
fn the_checked_in_client_is_fresh_and_has_every_operation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let spec = codegen::load_spec(&root.join("spec"), "spec").unwrap_or_else(|report| panic!("{report}"));
    let gen = root.join("generated-client/src/gen");
    let report = codegen::sync_generated(&spec, &gen, true).unwrap();
    assert!(report.is_fresh(), "stale: {:?} {:?}; run `cargo xtask codegen`", report.written, report.removed);
    for op in &spec.operations {
        let group = codegen::naming::snake(&op.group);
        let module = std::fs::read_to_string(gen.join(format!("operations/{group}.rs"))).unwrap();
        let method = format!("pub fn {}(", codegen::naming::snake(&op.id));
        assert!(module.contains(&method), "`{}` is not a method of client.{group}()", op.id);
    }
}
