//! `cargo xtask <command>`: the project's commands. Each command is a thin shell around
//! the `codegen` library; run `cargo xtask help` for the list.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  codegen [--check]      regenerate generated-client/src/gen/ from spec/ (--check: change nothing, fail if stale)
  validate               load and check spec/, printing every problem
  openapi --out FILE     write the spec as an OpenAPI 3.1 JSON document
  diff [REV]             compare spec/ at git revision REV (default HEAD) with spec/ now
  diff OLD_DIR NEW_DIR   compare two spec folders: API changes, breaks, version bump
  help                   show this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen(false),
        ["codegen", "--check"] => codegen(true),
        ["validate"] => validate(),
        ["openapi", "--out", out] => openapi(Path::new(out)),
        ["diff"] => diff_rev("HEAD"),
        ["diff", rev] => diff_rev(rev),
        ["diff", old, new] => diff_dirs(Path::new(old), Path::new(new)),
        ["help"] | ["--help"] | ["-h"] | [] => {
            print!("{HELP}");
            Ok(())
        }
        _ => Err(format!("error: unknown command `{}`\n\n{HELP}", args.join(" "))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprint!("{message}");
            if !message.ends_with('\n') {
                eprintln!();
            }
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's folder.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives inside the workspace").to_path_buf()
}

fn load() -> Result<codegen::Spec, String> {
    codegen::load_spec(&root().join("spec"), "spec")
}

fn validate() -> Result<(), String> {
    let spec = load()?;
    println!("spec is valid: {} operations, {} models", spec.operations.len(), spec.models.len());
    Ok(())
}

/// Where generated code goes, relative to the workspace root.
const CLIENT_GEN: &str = "generated-client/src/gen";
const FIXTURE_GEN: &str = "codegen/fixture-client/src/gen";

fn codegen(check: bool) -> Result<(), String> {
    let spec = load()?;
    let fixture = codegen::load_spec_files(&root(), &codegen::FIXTURE_SPEC)?;
    let sync = |spec: &codegen::Spec, dir: &str| {
        codegen::sync_generated(spec, &root().join(dir), check).map_err(|e| format!("error: cannot write {dir}: {e}"))
    };
    let report = sync(&spec, CLIENT_GEN)?;
    let fixture_report = sync(&fixture, FIXTURE_GEN)?;
    let files = report.written.len() + report.unchanged.len();
    if check {
        let mut stale = Vec::new();
        for (dir, r) in [(CLIENT_GEN, &report), (FIXTURE_GEN, &fixture_report)] {
            stale.extend(r.written.iter().map(|f| format!("  stale or missing: {dir}/{f}")));
            stale.extend(r.removed.iter().map(|f| format!("  no longer generated: {dir}/{f}")));
        }
        if !stale.is_empty() {
            return Err(format!("error: generated code is out of date with the spec:\n{}\nrun `cargo xtask codegen` and commit the result\n", stale.join("\n")));
        }
        println!("codegen --check: {} operations, {} models, {files} files up to date", spec.operations.len(), spec.models.len());
    } else {
        println!(
            "codegen: {} operations, {} models -> {files} files ({} written, {} unchanged, {} removed); fixture client: {} written",
            spec.operations.len(),
            spec.models.len(),
            report.written.len(),
            report.unchanged.len(),
            report.removed.len(),
            fixture_report.written.len() + fixture_report.removed.len()
        );
    }
    Ok(())
}

fn openapi(out: &Path) -> Result<(), String> {
    let spec = load()?;
    let text = codegen::openapi::render(&spec);
    codegen::write::write_file(out, &text).map_err(|e| format!("error: cannot write {}: {e}", out.display()))?;
    println!("wrote {} ({} operations, {} schemas)", out.display(), spec.operations.len(), spec.models.len());
    Ok(())
}

fn diff_dirs(old: &Path, new: &Path) -> Result<(), String> {
    let old_spec = codegen::load_spec(old, &old.display().to_string())?;
    let new_spec = codegen::load_spec(new, &new.display().to_string())?;
    print_diff(&format!("{} → {}", old.display(), new.display()), &old_spec, &new_spec)
}

/// Compares `spec/` as committed at `rev` with `spec/` in the work tree.
fn diff_rev(rev: &str) -> Result<(), String> {
    let git = |args: &[&str]| -> Result<String, String> {
        let output = std::process::Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .map_err(|e| format!("error: cannot run git: {e}"))?;
        if !output.status.success() {
            return Err(format!("error: git {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let mut sources = Vec::new();
    for name in git(&["ls-tree", "--name-only", rev, "spec/"])?.lines().filter(|n| n.ends_with(".yaml")) {
        sources.push((format!("{rev}:{name}"), git(&["show", &format!("{rev}:{name}")])?));
    }
    if sources.is_empty() {
        return Err(format!("error: {rev} has no spec/*.yaml"));
    }
    let old_spec = codegen::load_spec_sources(sources)?;
    let new_spec = load()?;
    print_diff(&format!("spec/ at {rev} → spec/ now"), &old_spec, &new_spec)
}

fn print_diff(title: &str, old: &codegen::Spec, new: &codegen::Spec) -> Result<(), String> {
    let manifest = std::fs::read_to_string(root().join("generated-client/Cargo.toml")).map_err(|e| format!("error: {e}"))?;
    let version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = ").map(|v| v.trim_matches('"').to_owned()))
        .unwrap_or_else(|| "0.0.0".into());
    let changes = codegen::diff::compare(old, new);
    println!("API diff: {title}\n");
    print!("{}", codegen::diff::render(&changes, &version));
    Ok(())
}
