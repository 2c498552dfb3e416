//! The generated-code layer of the API diff: both specs are generated in memory (nothing is
//! written to disk) and compared file by file.

use similar::{ChangeTag, TextDiff};

use crate::emit;
use crate::model::Spec;

/// Lines added and removed in one generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDelta {
    /// Relative to `src/gen/`, e.g. `operations/users.rs`.
    pub file: String,
    pub added: usize,
    pub removed: usize,
    /// The unified diff, when asked for.
    pub unified: Option<String>,
}

/// What regenerating the crate from the new spec changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CodeDiff {
    /// Only the files that differ, by path.
    pub files: Vec<FileDelta>,
}

impl CodeDiff {
    pub fn added(&self) -> usize {
        self.files.iter().map(|f| f.added).sum()
    }

    pub fn removed(&self) -> usize {
        self.files.iter().map(|f| f.removed).sum()
    }
}

/// Generates both specs and compares the files; `unified` keeps each file's unified diff.
pub fn compare(old: &Spec, new: &Spec, unified: bool) -> CodeDiff {
    let (before, after) = (emit::generate(old), emit::generate(new));
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    let mut files = Vec::new();
    for name in names {
        let (a, b) = (before.get(name).map_or("", String::as_str), after.get(name).map_or("", String::as_str));
        if a == b {
            continue;
        }
        let diff = TextDiff::from_lines(a, b);
        let count = |tag| diff.iter_all_changes().filter(|c| c.tag() == tag).count();
        let text = unified.then(|| diff.unified_diff().context_radius(3).header(&format!("a/src/gen/{name}"), &format!("b/src/gen/{name}")).to_string());
        files.push(FileDelta { file: name.clone(), added: count(ChangeTag::Insert), removed: count(ChangeTag::Delete), unified: text });
    }
    CodeDiff { files }
}
