//! The generator: loads `spec/*.yaml`, checks it, and turns it into the OpenAPI document and
//! the generated client crate.

pub mod diagnostic;
pub mod load;
pub mod model;
pub mod naming;
pub mod openapi;
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

/// Loads and checks in-memory spec files (name, text), as tests do.
pub fn load_spec_sources(sources: Vec<(String, String)>) -> Result<Spec, String> {
    let (loaded, mut diags) = load::load_sources(sources);
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
