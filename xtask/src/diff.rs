//! `cargo xtask diff`: finds the two sides (git revisions or spec folders), loads both specs,
//! and prints the report in the asked format. Exit codes: 0 nothing at the `--fail-on` level,
//! 1 something at that level, 2 the tool itself failed (bad arguments, spec or revision).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::diff::{self, render, Level, Report, Version, VersionCheck};

pub const HELP: &str = "\
usage: cargo xtask diff [--base REV|DIR] [--head REV|DIR] [--format text|markdown|json]
                        [--fail-on breaking|warning|any] [--code-diff] [--no-code]
       cargo xtask diff REV            (same as --base REV)
       cargo xtask diff OLD NEW        (same as --base OLD --head NEW)
       cargo xtask diff --rules        (print the rule table as markdown)

  --base      the old side: a git revision, or a folder holding the spec (default: the merge
              base of HEAD and main, or HEAD when there is no main)
  --head      the new side (default: spec/ in the work tree)
  --format    text (default; coloured on a terminal unless NO_COLOR is set), markdown (for a
              pull-request comment) or json (see docs/api-diff.md)
  --fail-on   exit 1 when a change at this level or louder is found (breaking, warning, or
              any change at all); without it the exit code is 0
  --code-diff include the unified diff of the generated code
  --no-code   skip regenerating both sides (no generated-code section)

exit codes: 0 nothing at the --fail-on level, 1 something at that level, 2 the tool failed
";

/// What `cargo xtask diff` was asked.
#[derive(Debug, Default)]
struct Options {
    base: Option<String>,
    head: Option<String>,
    format: Format,
    fail_on: Option<Threshold>,
    code_diff: bool,
    no_code: bool,
    rules: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Format {
    #[default]
    Text,
    Markdown,
    Json,
}

#[derive(Debug, Clone, Copy)]
enum Threshold {
    Breaking,
    Warning,
    Any,
}

/// Runs the command; `Err` is a tool failure (exit 2), `Ok(false)` a tripped gate (exit 1).
pub fn run(root: &Path, args: &[&str]) -> Result<bool, String> {
    let options = parse(args)?;
    if options.rules {
        print!("{}", render::rules_markdown());
        return Ok(true);
    }
    let base = match &options.base {
        Some(spec) => Side::resolve(root, spec)?,
        None => Side::default_base(root)?,
    };
    let head = match &options.head {
        Some(spec) => Side::resolve(root, spec)?,
        None => Side::WorkTree,
    };
    let old = base.load(root)?;
    let new = head.load(root)?;
    let changes = diff::compare(&old, &new);
    let version = VersionCheck::new(&changes, base.crate_version(root), head.crate_version(root));
    let code = (!options.no_code).then(|| diff::code::compare(&old, &new, options.code_diff));
    let report = Report { base_name: base.name(root), head_name: head.name(root), changes, version, code };
    let color = options.format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = match options.format {
        Format::Text => render::text(&report, color),
        Format::Markdown => render::markdown(&report),
        Format::Json => render::json(&report),
    };
    crate::print_out(&text);
    let threshold = match options.fail_on {
        None => return Ok(true),
        Some(Threshold::Breaking) => Level::Breaking,
        Some(Threshold::Warning) => Level::Warning,
        Some(Threshold::Any) => Level::Info,
    };
    Ok(report.worst().is_none_or(|worst| worst < threshold))
}

fn parse(args: &[&str]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut positional = Vec::new();
    let mut args = args.iter();
    let value = |flag: &str, v: Option<&&str>| v.map(|s| (*s).to_owned()).ok_or_else(|| format!("error: `{flag}` needs a value\n\n{HELP}"));
    while let Some(arg) = args.next() {
        match *arg {
            "--base" => options.base = Some(value(arg, args.next())?),
            "--head" => options.head = Some(value(arg, args.next())?),
            "--format" => {
                options.format = match value(arg, args.next())?.as_str() {
                    "text" => Format::Text,
                    "markdown" | "md" => Format::Markdown,
                    "json" => Format::Json,
                    other => return Err(format!("error: unknown format `{other}`; use text, markdown or json")),
                }
            }
            "--fail-on" => {
                options.fail_on = Some(match value(arg, args.next())?.as_str() {
                    "breaking" => Threshold::Breaking,
                    "warning" => Threshold::Warning,
                    "any" => Threshold::Any,
                    other => return Err(format!("error: unknown level `{other}` for --fail-on; use breaking, warning or any")),
                })
            }
            "--code-diff" => options.code_diff = true,
            "--no-code" => options.no_code = true,
            "--rules" => options.rules = true,
            "-h" | "--help" => return Err(HELP.to_owned()),
            flag if flag.starts_with('-') => return Err(format!("error: unknown option `{flag}`\n\n{HELP}")),
            other => positional.push(other.to_owned()),
        }
    }
    match positional.len() {
        0 => {}
        1 if options.base.is_none() => options.base = positional.pop(),
        2 if options.base.is_none() && options.head.is_none() => {
            options.head = positional.pop();
            options.base = positional.pop();
        }
        _ => return Err(format!("error: too many arguments: {}\n\n{HELP}", positional.join(" "))),
    }
    if options.code_diff && options.no_code {
        return Err("error: `--code-diff` and `--no-code` contradict each other".into());
    }
    Ok(options)
}

/// One side of the comparison.
#[derive(Debug)]
enum Side {
    WorkTree,
    /// A git revision: as given, and the commit it names.
    Git { rev: String, commit: String, label: String },
    /// A folder holding `*.yaml` spec files.
    Folder(PathBuf),
}

impl Side {
    /// A folder if `spec` is one (a spec folder, or a checkout with `spec/`), else a revision.
    fn resolve(root: &Path, spec: &str) -> Result<Side, String> {
        let path = Path::new(spec);
        if path.is_dir() {
            let folder = if path.join("spec").is_dir() { path.join("spec") } else { path.to_path_buf() };
            return Ok(Side::Folder(folder));
        }
        let commit = git(root, &["rev-parse", "--verify", "--quiet", &format!("{spec}^{{commit}}")])
            .map_err(|_| format!("error: `{spec}` is neither a folder nor a git revision"))?;
        Ok(Side::Git { rev: spec.to_owned(), commit: commit.trim().to_owned(), label: spec.to_owned() })
    }

    /// The merge base of HEAD and `main`, or HEAD.
    fn default_base(root: &Path) -> Result<Side, String> {
        if let Ok(base) = git(root, &["merge-base", "HEAD", "main"]) {
            let commit = base.trim().to_owned();
            let short = &commit[..commit.len().min(10)];
            return Ok(Side::Git { rev: commit.clone(), label: format!("main (merge base {short})"), commit });
        }
        let commit = git(root, &["rev-parse", "--verify", "HEAD"]).map_err(|e| format!("{e}\nhint: outside a git checkout, name both sides: cargo xtask diff --base DIR --head DIR"))?;
        Ok(Side::Git { rev: "HEAD".into(), commit: commit.trim().to_owned(), label: "HEAD".into() })
    }

    fn name(&self, root: &Path) -> String {
        match self {
            Side::WorkTree => "spec/ in the work tree".into(),
            Side::Git { label, .. } => label.clone(),
            Side::Folder(path) => path.strip_prefix(root).unwrap_or(path).display().to_string(),
        }
    }

    fn load(&self, root: &Path) -> Result<codegen::Spec, String> {
        let loaded = match self {
            Side::WorkTree => codegen::load_spec(&root.join("spec"), "spec"),
            Side::Folder(path) => codegen::load_spec(path, &path.display().to_string()),
            Side::Git { rev, commit, .. } => {
                let mut sources = Vec::new();
                for name in git(root, &["ls-tree", "--name-only", commit, "spec/"])?.lines().filter(|n| n.ends_with(".yaml")) {
                    sources.push((format!("{rev}:{name}"), git(root, &["show", &format!("{commit}:{name}")])?));
                }
                if sources.is_empty() {
                    return Err(format!("error: {rev} has no spec/*.yaml"));
                }
                codegen::load_spec_sources(sources)
            }
        };
        loaded.map_err(|report| format!("{report}\nerror: the spec of {} does not load", self.name(root)))
    }

    /// The version in this side's `generated-client/Cargo.toml`, when there is one.
    fn crate_version(&self, root: &Path) -> Option<Version> {
        let manifest = match self {
            Side::WorkTree => std::fs::read_to_string(root.join("generated-client/Cargo.toml")).ok()?,
            Side::Folder(path) => std::fs::read_to_string(path.parent()?.join("generated-client/Cargo.toml")).ok()?,
            Side::Git { commit, .. } => git(root, &["show", &format!("{commit}:generated-client/Cargo.toml")]).ok()?,
        };
        manifest.lines().find_map(|l| l.strip_prefix("version = ")).and_then(|v| Version::parse(v.trim_matches('"')))
    }
}

fn git(root: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git").args(args).current_dir(root).output().map_err(|e| format!("error: cannot run git: {e}"))?;
    if !output.status.success() {
        return Err(format!("error: git {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
