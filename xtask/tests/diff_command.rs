//! `cargo xtask diff` as a CI gate runs it: the binary on two spec folders and on git
//! revisions, its JSON report, and its exit statuses (0 clean, 1 the gate tripped, 2 the
//! tool failed).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A copy of `spec/` in a fresh folder, with `edit` applied to `users.yaml`.
fn spec_copy(name: &str, edit: Option<(&str, &str)>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(root().join("spec")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let mut text = std::fs::read_to_string(&path).unwrap();
            if let (Some((from, to)), Some("users.yaml")) = (edit, path.file_name().and_then(|n| n.to_str())) {
                assert!(text.contains(from), "the edit no longer applies: {from}");
                text = text.replace(from, to);
            }
            std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    dir
}

fn diff(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).arg("diff").args(args).current_dir(root()).output().unwrap()
}

#[test]
fn a_breaking_change_trips_the_gate_and_is_in_the_json_report() {
    let old = spec_copy("old", None);
    let new = spec_copy("new", Some(("    path: /users/{username}/password\n", "    path: /users/{username}/pwd\n")));
    let (old_arg, new_arg) = (old.to_str().unwrap(), new.to_str().unwrap());

    let output = diff(&["--base", old_arg, "--head", new_arg, "--format", "json", "--fail-on", "breaking", "--no-code"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    assert_eq!(report["format_version"], 1);
    assert!(report["summary"]["breaking"].as_u64().unwrap() >= 1, "{report:#}");
    let change = report["changes"].as_array().unwrap().iter().find(|c| c["level"] == "breaking").expect("a breaking change");
    assert_eq!(change["location"]["file"].as_str().map(|f| f.ends_with("users.yaml")), Some(true), "{change:#}");

    // Without --fail-on it reports and exits 0; the positional form is the same comparison.
    assert_eq!(diff(&[old_arg, new_arg, "--no-code"]).status.code(), Some(0));
    // No change: the strictest gate passes.
    assert_eq!(diff(&["--base", old_arg, "--head", old_arg, "--fail-on", "any", "--no-code"]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&old);
    let _ = std::fs::remove_dir_all(&new);
}

#[test]
fn git_revisions_and_tool_failures() {
    // A revision against itself (this checkout's HEAD): nothing changed.
    let output = diff(&["--base", "HEAD", "--head", "HEAD", "--fail-on", "any", "--no-code"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("No API changes."), "{}", String::from_utf8_lossy(&output.stdout));
    // Tool failures are status 2, with the reason on stderr.
    for args in [&["--format", "xml"][..], &["--base", "no-such-revision-or-folder"], &["--fail-on", "sometimes"]] {
        let output = diff(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).starts_with("error:"), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
}
