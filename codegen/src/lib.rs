//! The generator: loads `spec/*.yaml`, checks it, and turns it into the OpenAPI document and
//! the generated client crate.

pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod load;
pub mod model;
pub mod naming;
pub mod openapi;
pub mod usage;
pub mod validate;
pub mod write;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::Spec;

/// Loads and checks the spec in `dir`; on failure, the rendered report of every problem.
/// `display_dir` is how the folder is named in that report (e.g. `spec`).
pub fn load_spec(dir: &Path, display_dir: &str) -> Result<Spec, String> {
    let (loaded, mut diags) = load::load_dir(dir, display_dir).map_err(|e| format!("error: cannot read {}: {e}", dir.display()))?;
    check_loaded(&loaded, &mut diags)
}

/// The spec of `codegen/fixture-client`, relative to the workspace root: the real API
/// section and shared models, plus the fixture APIs that exercise every construct.
pub const FIXTURE_SPEC: [&str; 12] = [
    "spec/easemob.yaml",
    "codegen/tests/fixtures/base.yaml",
    "codegen/tests/fixtures/constructs/binary_variants.yaml",
    "codegen/tests/fixtures/constructs/boolean_enums.yaml",
    "codegen/tests/fixtures/constructs/callbacks.yaml",
    "codegen/tests/fixtures/constructs/deprecations_and_renames.yaml",
    "codegen/tests/fixtures/constructs/durations.yaml",
    "codegen/tests/fixtures/constructs/form_and_list_path.yaml",
    "codegen/tests/fixtures/constructs/json_variants.yaml",
    "codegen/tests/fixtures/constructs/multipart.yaml",
    "codegen/tests/fixtures/constructs/page_paging_and_names.yaml",
    "codegen/tests/fixtures/constructs/recursive_models.yaml",
];

/// The two sides of the API-diff witnesses (`codegen/diff-witness/{old,new}`): programs that
/// compile against the crate generated from the first and not the second prove the diff's
/// "breaks client code" verdicts.
pub const WITNESS_OLD_SPEC: [&str; 2] = ["spec/easemob.yaml", "codegen/tests/diff/base.yaml"];
pub const WITNESS_NEW_SPEC: [&str; 2] = ["spec/easemob.yaml", "codegen/tests/diff/witness.yaml"];

/// Loads and checks the files `names` (relative to `root`, and shown so in diagnostics).
pub fn load_spec_files(root: &Path, names: &[&str]) -> Result<Spec, String> {
    let mut sources = Vec::new();
    for name in names {
        let bytes = std::fs::read(root.join(name)).map_err(|e| format!("error: cannot read {name}: {e}"))?;
        sources.push(((*name).to_owned(), bytes));
    }
    load_spec_bytes(sources)
}

/// Loads and checks in-memory spec files (name, text), as tests do.
pub fn load_spec_sources(sources: Vec<(String, String)>) -> Result<Spec, String> {
    let (loaded, mut diags) = load::load_sources(sources);
    check_loaded(&loaded, &mut diags)
}

/// Loads and checks in-memory spec files (name, content) that need not be UTF-8.
pub fn load_spec_bytes(sources: Vec<(String, Vec<u8>)>) -> Result<Spec, String> {
    let (loaded, mut diags) = load::load_bytes(sources);
    check_loaded(&loaded, &mut diags)
}

fn check_loaded(loaded: &load::Loaded, diags: &mut Diagnostics) -> Result<Spec, String> {
    match validate::validate(loaded) {
        Ok(spec) if diags.is_empty() => Ok(spec),
        Ok(_) => Err(diags.render(|name| loaded.source(name))),
        Err(more) => {
            for d in more.sorted() {
                diags.push(d.clone());
            }
            Err(diags.render(|name| loaded.source(name)))
        }
    }
}

/// What `sync_generated` did, or found in check mode.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub written: Vec<String>,
    pub unchanged: Vec<String>,
    /// Generated files that no longer belong (removed, or reported in check mode).
    pub removed: Vec<String>,
}

impl SyncReport {
    /// Whether everything on disk was already as generated.
    pub fn is_fresh(&self) -> bool {
        self.written.is_empty() && self.removed.is_empty()
    }
}

/// Brings `gen_dir` (the generated crate's `src/gen/`) in line with `spec`. With `check`,
/// changes nothing and reports what would change.
pub fn sync_generated(spec: &Spec, gen_dir: &Path, check: bool) -> std::io::Result<SyncReport> {
    sync_files(&emit::generate(spec), gen_dir, check)
}

/// Brings `gen_dir` (the command line's `src/gen/`) in line with `spec`, as
/// [`sync_generated`] does for the client.
pub fn sync_generated_cli(spec: &Spec, gen_dir: &Path, check: bool) -> std::io::Result<SyncReport> {
    sync_files(&emit::generate_cli(spec), gen_dir, check)
}

/// Writes `files` (path relative to `gen_dir`, text) where they differ and removes generated
/// files that are no longer among them; with `check`, only reports.
fn sync_files(files: &std::collections::BTreeMap<String, String>, gen_dir: &Path, check: bool) -> std::io::Result<SyncReport> {
    let mut report = SyncReport::default();
    for (name, text) in files {
        let path = gen_dir.join(name);
        let fresh = write::is_fresh(&path, text);
        if !fresh && !check {
            write::write_file(&path, text)?;
        }
        if fresh { &mut report.unchanged } else { &mut report.written }.push(name.clone());
    }
    for path in generated_files_on_disk(gen_dir)? {
        let name = path.strip_prefix(gen_dir).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if !files.contains_key(&name) {
            if !check {
                std::fs::remove_file(&path)?;
            }
            report.removed.push(name);
        }
    }
    Ok(report)
}

/// `.rs` files under `dir` that carry the generated header.
fn generated_files_on_disk(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(out) };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(generated_files_on_disk(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs")
            && std::fs::read_to_string(&path).is_ok_and(|t| t.starts_with(emit::HEADER.trim_end()))
        {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}
