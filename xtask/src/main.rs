//! `cargo xtask <command>`: the project's commands. Each command is a thin shell around
//! the `codegen` library; run `cargo xtask help` for the list.

mod check;
mod diff;
mod examples;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <command>

commands:
  check                  the inner loop: validate, codegen --check, then the fast tests (the
                         generator's, the broken-spec snapshots, the fixture client's); seconds once built
  codegen [--check]      regenerate generated-client/src/gen/ from spec/ (--check: change nothing, fail if stale)
  validate               load and check spec/, printing every problem
  openapi --out FILE     write the spec as an OpenAPI 3.1 JSON document
  diff [OPTIONS]         API changes between two specs: what breaks on the wire, for callers
                         and for server implementors, and the version bump (diff --help)
  help                   show this text

`codegen`, `validate` and `openapi` take `--spec DIR` to read another spec folder than spec/
(e.g. a copy you are experimenting with).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let ["diff", rest @ ..] = args.as_slice() {
        // Its own exit codes: 0 clean, 1 the --fail-on gate tripped, 2 the tool failed.
        return match diff::run(&root(), rest) {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(message) => {
                print_err(&message);
                ExitCode::from(2)
            }
        };
    }
    let (args, spec_dir) = match take_spec(&args) {
        Ok(split) => split,
        Err(message) => {
            print_err(&message);
            return ExitCode::FAILURE;
        }
    };
    let spec = SpecDir::new(spec_dir);
    let result = match (args.as_slice(), &spec.custom) {
        (["check"], None) => check::run(&root(), || validate(&spec), || codegen(&spec, true)),
        (["codegen"], _) => codegen(&spec, false),
        (["codegen", "--check"], _) => codegen(&spec, true),
        (["validate"], _) => validate(&spec),
        (["openapi", "--out", out], _) => openapi(&spec, Path::new(out)),
        (["help"] | ["--help"] | ["-h"] | [], None) => {
            print!("{HELP}");
            Ok(())
        }
        _ => Err(format!(
            "error: unknown command `{}{}`\n\n{HELP}",
            args.join(" "),
            spec.custom.as_ref().map_or(String::new(), |d| format!(" --spec {}", d.display()))
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            print_err(&message);
            ExitCode::FAILURE
        }
    }
}

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn print_out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn print_err(message: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(message.as_bytes());
    if !message.ends_with('\n') {
        let _ = err.write_all(b"\n");
    }
}

/// The workspace root: the parent of this crate's folder.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives inside the workspace").to_path_buf()
}

/// `--spec DIR` taken out of the arguments, wherever it is.
fn take_spec<'a>(args: &[&'a str]) -> Result<(Vec<&'a str>, Option<PathBuf>), String> {
    let mut rest = Vec::new();
    let mut dir = None;
    let mut iter = args.iter();
    while let Some(&arg) = iter.next() {
        if arg == "--spec" {
            let value = iter.next().ok_or("error: `--spec` needs a folder: `--spec DIR`")?;
            dir = Some(PathBuf::from(value));
        } else if let Some(value) = arg.strip_prefix("--spec=") {
            dir = Some(PathBuf::from(value));
        } else {
            rest.push(arg);
        }
    }
    Ok((rest, dir))
}

/// The spec folder to read: `spec/` of the workspace, or the one `--spec` named.
struct SpecDir {
    custom: Option<PathBuf>,
}

impl SpecDir {
    fn new(custom: Option<PathBuf>) -> SpecDir {
        SpecDir { custom }
    }

    fn load(&self) -> Result<codegen::Spec, String> {
        match &self.custom {
            None => codegen::load_spec(&root().join("spec"), "spec"),
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(format!("error: `--spec {}` is not a folder", dir.display()));
                }
                // Shown as given, so that `file:line:col` opens in an editor from here.
                let display = dir.to_string_lossy();
                codegen::load_spec(dir, display.trim_end_matches('/'))
            }
        }
    }
}

fn validate(dir: &SpecDir) -> Result<(), String> {
    let spec = dir.load()?;
    println!("spec is valid: {} operations, {} models", spec.operations.len(), spec.models.len());
    Ok(())
}

/// Where generated code goes, relative to the workspace root.
const CLIENT_GEN: &str = "generated-client/src/gen";
const CLI_GEN: &str = "cli/src/gen";
const FIXTURE_GEN: &str = "codegen/fixture-client/src/gen";
const WITNESS_OLD_GEN: &str = "codegen/diff-witness/old/src/gen";
const WITNESS_NEW_GEN: &str = "codegen/diff-witness/new/src/gen";

fn codegen(dir: &SpecDir, check: bool) -> Result<(), String> {
    let spec = dir.load()?;
    let fixture = codegen::load_spec_files(&root(), &codegen::FIXTURE_SPEC)?;
    let sync = |spec: &codegen::Spec, dir: &str| {
        codegen::sync_generated(spec, &root().join(dir), check).map_err(|e| format!("error: cannot write {dir}: {e}"))
    };
    let mut report = sync(&spec, CLIENT_GEN)?;
    // The command line is generated from the same spec; its files are named with their folder.
    let cli = codegen::sync_generated_cli(&spec, &root().join(CLI_GEN), check).map_err(|e| format!("error: cannot write {CLI_GEN}: {e}"))?;
    report.written.extend(cli.written.iter().map(|f| format!("{CLI_GEN}/{f}")));
    report.unchanged.extend(cli.unchanged.iter().map(|f| format!("{CLI_GEN}/{f}")));
    report.removed.extend(cli.removed.iter().map(|f| format!("{CLI_GEN}/{f}")));
    let mut fixture_report = sync(&fixture, FIXTURE_GEN)?;
    for (files, dir) in [(&codegen::WITNESS_OLD_SPEC, WITNESS_OLD_GEN), (&codegen::WITNESS_NEW_SPEC, WITNESS_NEW_GEN)] {
        let witness = sync(&codegen::load_spec_files(&root(), files)?, dir)?;
        fixture_report.written.extend(witness.written.iter().map(|f| format!("{dir}/{f}")));
        fixture_report.removed.extend(witness.removed.iter().map(|f| format!("{dir}/{f}")));
    }
    // The spec's examples for the every-operation mock test, only for the workspace's spec.
    let examples_stale = if dir.custom.is_none() {
        let path = root().join(examples::PATH);
        let text = examples::render(&spec);
        let fresh = std::fs::read_to_string(&path).is_ok_and(|old| old == text);
        if !fresh && !check {
            codegen::write::write_file(&path, &text).map_err(|e| format!("error: cannot write {}: {e}", examples::PATH))?;
            fixture_report.written.push(examples::PATH.to_owned());
        }
        !fresh
    } else {
        false
    };
    let files = report.written.len() + report.unchanged.len();
    if check {
        let mut stale = Vec::new();
        if examples_stale {
            stale.push(format!("  stale or missing: {}", examples::PATH));
        }
        // The command line's names carry their folder; the client's do not.
        let client = |f: &String| if f.starts_with(CLI_GEN) { f.clone() } else { format!("{CLIENT_GEN}/{f}") };
        stale.extend(report.written.iter().map(|f| format!("  stale or missing: {}", client(f))));
        stale.extend(report.removed.iter().map(|f| format!("  no longer generated: {}", client(f))));
        // Fixture and witness names already carry their folder, except the fixture client's.
        let qualify = |f: &String| if f.starts_with("codegen/") { f.clone() } else { format!("{FIXTURE_GEN}/{f}") };
        stale.extend(fixture_report.written.iter().map(|f| format!("  stale or missing: {}", qualify(f))));
        stale.extend(fixture_report.removed.iter().map(|f| format!("  no longer generated: {}", qualify(f))));
        if !stale.is_empty() {
            return Err(format!("error: generated code is out of date with the spec:\n{}\nrun `cargo xtask codegen` and commit the result\n", stale.join("\n")));
        }
        println!("codegen --check: {} operations, {} models, {files} files up to date", spec.operations.len(), spec.models.len());
    } else {
        println!(
            "codegen: {} operations, {} models -> {files} files ({} written, {} unchanged, {} removed); fixtures: {} written",
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

fn openapi(dir: &SpecDir, out: &Path) -> Result<(), String> {
    let spec = dir.load()?;
    let text = codegen::openapi::render(&spec);
    codegen::write::write_file(out, &text).map_err(|e| format!("error: cannot write {}: {e}", out.display()))?;
    println!("wrote {} ({} operations, {} schemas)", out.display(), spec.operations.len(), spec.models.len());
    Ok(())
}
