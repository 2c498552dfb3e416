//! Every file in `tests/broken/` holds one mistake, loaded beside `tests/fixtures/base.yaml`
//! (with `spec/easemob.yaml`, a valid spec). Its rendered diagnostics are an insta snapshot, so a change in what the
//! person editing the spec sees is reviewed like any other change.

mod snapshot_help;

use std::path::Path;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The valid spec every fixture builds on: the real API section and shared models, and a
/// small API of things.
fn base() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        ("spec/easemob.yaml".into(), read(&root.join("../spec/easemob.yaml"))),
        ("fixtures/base.yaml".into(), read(&root.join("tests/fixtures/base.yaml"))),
    ]
}

#[test]
fn the_base_fixture_is_valid() {
    let spec = codegen::load_spec_sources(base()).unwrap_or_else(|report| panic!("{report}"));
    assert_eq!(spec.operations.len(), 2);
    let list = spec.operations.iter().find(|o| o.id == "list_things").unwrap();
    assert_eq!(list.paging.as_ref().unwrap().item_type, codegen::model::TypeRef::Model("Thing".into()));
}

#[test]
fn every_broken_spec_is_reported_with_its_location() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    assert!(names.len() >= 20, "expected at least 20 broken fixtures, found {}", names.len());
    for path in names {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let file = format!("broken/{stem}.yaml");
        // Bytes, not text: a fixture may be invalid UTF-8 on purpose.
        let mut sources: Vec<(String, Vec<u8>)> = base().into_iter().map(|(name, text)| (name, text.into_bytes())).collect();
        sources.push((file.clone(), std::fs::read(&path).unwrap()));
        let report = match codegen::load_spec_bytes(sources) {
            Ok(_) => panic!("{file} loaded without a problem"),
            Err(report) => report,
        };
        assert!(report.contains("  --> "), "{file}: no location in\n{report}");
        assert!(report.contains("= help: "), "{file}: no help in\n{report}");
        snapshot_help::reviewed(|| insta::assert_snapshot!(stem, report));
    }
}
