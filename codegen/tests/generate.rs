//! The generator's output for the fixture specs as insta snapshots (the same output is
//! compiled as `codegen/fixture-client`), and the properties every output must have:
//! deterministic, parseable, headed, and checked in up to date.

mod snapshot_help;

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn fixture() -> codegen::Spec {
    codegen::load_spec_files(root(), &codegen::FIXTURE_SPEC).unwrap_or_else(|report| panic!("{report}"))
}

#[test]
fn fixture_output_snapshots() {
    let spec = fixture();
    let files = codegen::emit::generate(&spec);
    for (name, text) in &files {
        assert!(text.starts_with(codegen::emit::HEADER), "{name} lacks the header");
        syn::parse_file(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        snapshot_help::reviewed(|| insta::assert_snapshot!(name.replace('/', "__"), text));
    }
}

/// The command line's tables and calls for the fixture specs: every construct (multipart,
/// list paths, form and map bodies, fixed values, enums of each kind, downloads, paging).
#[test]
fn fixture_cli_snapshots() {
    let files = codegen::emit::generate_cli(&fixture());
    for (name, text) in &files {
        assert!(text.starts_with(codegen::emit::HEADER), "{name} lacks the header");
        syn::parse_file(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        snapshot_help::reviewed(|| insta::assert_snapshot!(format!("cli__{}", name.replace('/', "__")), text));
    }
}

#[test]
fn the_cli_is_fresh() {
    let spec = codegen::load_spec(&root().join("spec"), "spec").unwrap_or_else(|report| panic!("{report}"));
    let report = codegen::sync_generated_cli(&spec, &root().join("cli/src/gen"), true).unwrap();
    assert!(report.is_fresh(), "stale: {:?} {:?}; run `cargo xtask codegen`", report.written, report.removed);
}

#[test]
fn generation_is_deterministic() {
    let first = codegen::emit::generate(&fixture());
    let second = codegen::emit::generate(&fixture());
    assert_eq!(first, second);
}

#[test]
fn the_fixture_client_is_fresh() {
    let gen = root().join("codegen/fixture-client/src/gen");
    let report = codegen::sync_generated(&fixture(), &gen, true).unwrap();
    assert!(report.is_fresh(), "stale: {:?} {:?}; run `cargo xtask codegen`", report.written, report.removed);
}

#[test]
fn the_diff_witness_crates_are_fresh() {
    for (files, dir) in [(&codegen::WITNESS_OLD_SPEC, "codegen/diff-witness/old/src/gen"), (&codegen::WITNESS_NEW_SPEC, "codegen/diff-witness/new/src/gen")] {
        let spec = codegen::load_spec_files(root(), files).unwrap_or_else(|report| panic!("{report}"));
        let report = codegen::sync_generated(&spec, &root().join(dir), true).unwrap();
        assert!(report.is_fresh(), "{dir} stale: {:?} {:?}; run `cargo xtask codegen`", report.written, report.removed);
    }
}

/// The `[features]` of a crate's manifest: `all-groups` must list exactly the spec's groups, and
/// each group must be a feature of its own, or the generated `#[cfg(feature = "…")]` lines would
/// name features that do not exist.
fn assert_groups_are_features(spec: &codegen::Spec, manifest: &str) {
    let text = std::fs::read_to_string(root().join(manifest)).unwrap();
    let all_groups = text.lines().find_map(|line| line.strip_prefix("all-groups = [")).unwrap_or_else(|| panic!("{manifest} has no `all-groups` feature"));
    let listed: std::collections::BTreeSet<String> =
        all_groups.trim_end_matches(']').split(',').map(|name| name.trim().trim_matches('"').to_string()).filter(|name| !name.is_empty()).collect();
    let mut groups: std::collections::BTreeSet<String> = spec.operations.iter().map(|op| codegen::naming::snake(&op.group)).collect();
    groups.extend(spec.callbacks.iter().map(|c| codegen::naming::snake(&c.group)));
    assert_eq!(listed, groups, "{manifest}: `all-groups` must list the spec's groups");
    for group in &groups {
        // A group's feature may turn on optional dependencies (`callbacks = ["dep:md-5"]`).
        assert!(text.lines().any(|line| line.trim().starts_with(&format!("{group} = ["))), "{manifest} has no `{group} = [...]` feature");
    }
}

#[test]
fn every_group_of_each_spec_is_a_feature_of_its_crate() {
    let spec = codegen::load_spec(&root().join("spec"), "spec").unwrap_or_else(|report| panic!("{report}"));
    assert_groups_are_features(&spec, "generated-client/Cargo.toml");
    assert_groups_are_features(&fixture(), "codegen/fixture-client/Cargo.toml");
    for (files, dir) in [(&codegen::WITNESS_OLD_SPEC, "codegen/diff-witness/old"), (&codegen::WITNESS_NEW_SPEC, "codegen/diff-witness/new")] {
        let spec = codegen::load_spec_files(root(), files).unwrap_or_else(|report| panic!("{report}"));
        assert_groups_are_features(&spec, &format!("{dir}/Cargo.toml"));
    }
}

#[test]
fn the_checked_in_client_is_fresh_and_has_every_operation() {
    let root = root();
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
