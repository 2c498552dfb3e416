//! Proves the API diff's Rust verdicts. Each program in `../witnesses/` names a rule and
//! either the error code it must fail with, or that it compiles on both sides. Every program
//! must compile against the crate generated from the old spec (`witness-old`); against the
//! new one (`witness-new`) a breaking witness must fail with its error code and a
//! compatible one must still compile. The diff of the two specs must report each rule with
//! the client or server column a witness proves.

use std::path::{Path, PathBuf};
use std::process::Command;

struct Witness {
    file: PathBuf,
    rule: String,
    /// `None`: compiles on both sides.
    error: Option<String>,
}

fn witnesses() -> Vec<Witness> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../witnesses");
    let mut out: Vec<Witness> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|file| {
            let text = std::fs::read_to_string(&file).unwrap();
            let header = |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("//! {key}: ")).map(str::to_owned));
            let rule = header("rule").unwrap_or_else(|| panic!("{}: no `//! rule:` line", file.display()));
            Witness { rule, error: header("error"), file }
        })
        .collect();
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

/// The newest `lib<name>-*.rlib` next to this test binary (cargo built both sides for it).
fn rlib(name: &str) -> PathBuf {
    let deps = deps_dir();
    let prefix = format!("lib{name}-");
    std::fs::read_dir(&deps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(&prefix) && p.extension().is_some_and(|e| e == "rlib"))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .unwrap_or_else(|| panic!("no {prefix}*.rlib in {}", deps.display()))
}

fn deps_dir() -> PathBuf {
    std::env::current_exe().unwrap().parent().unwrap().to_path_buf()
}

/// Type-checks `file` against `crate_name` as `api`: Ok, or the compiler's errors.
fn check(file: &Path, crate_name: &str) -> Result<(), String> {
    let out = std::env::temp_dir().join(format!("witness-{}-{crate_name}.rmeta", std::process::id()));
    let output = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2021", "--crate-type", "lib", "--emit=metadata", "--crate-name", "witness"])
        .arg("-o")
        .arg(&out)
        .arg("-L")
        .arg(format!("dependency={}", deps_dir().display()))
        .arg("--extern")
        .arg(format!("api={}", rlib(crate_name).display()))
        .arg(file)
        .output()
        .expect("rustc runs");
    let _ = std::fs::remove_file(&out);
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

#[test]
fn every_witness_compiles_against_the_old_crate_and_breaks_as_declared_against_the_new() {
    let witnesses = witnesses();
    assert!(witnesses.len() >= 10, "{} witnesses", witnesses.len());
    let mut failures = Vec::new();
    for w in &witnesses {
        let name = w.file.file_name().unwrap().to_string_lossy();
        if let Err(errors) = check(&w.file, "witness_old") {
            failures.push(format!("{name} does not compile against the old crate:\n{errors}"));
            continue;
        }
        match (check(&w.file, "witness_new"), &w.error) {
            (Ok(()), None) => {}
            (Ok(()), Some(code)) => failures.push(format!("{name} compiles against the new crate; expected {code}")),
            (Err(errors), Some(code)) if errors.contains(&format!("error[{code}]")) => {}
            (Err(errors), Some(code)) => failures.push(format!("{name} fails against the new crate without {code}:\n{errors}")),
            (Err(errors), None) => failures.push(format!("{name} should compile against the new crate:\n{errors}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_diff_reports_what_each_witness_proves() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let old = codegen::load_spec_files(&root, &codegen::WITNESS_OLD_SPEC).unwrap();
    let new = codegen::load_spec_files(&root, &codegen::WITNESS_NEW_SPEC).unwrap();
    let changes = codegen::diff::compare(&old, &new);
    for w in witnesses() {
        let change = changes.iter().find(|c| c.rule.id == w.rule);
        let change = change.unwrap_or_else(|| panic!("{}: the diff does not report `{}`", w.file.display(), w.rule));
        let impact = change.rule.impact;
        let breaks = impact.client == codegen::diff::Effect::Break || impact.server == codegen::diff::Effect::Break;
        assert_eq!(breaks, w.error.is_some(), "{}: `{}` has client {:?}, server {:?}", w.file.display(), w.rule, impact.client, impact.server);
    }
}
