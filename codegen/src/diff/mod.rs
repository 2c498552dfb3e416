//! The API diff: what changed between two checked specs, what each change does on the wire,
//! to code that calls the generated crate and to implementations of its server stubs, and
//! which version bump the crate needs.
//!
//! - [`rules`]: the table of change kinds and their effects;
//! - `compare`: walks both specs and emits [`Change`]s (renames and aliases included);
//! - [`code`]: the generated-code layer, from generating both specs in memory;
//! - [`render`]: the text, markdown and JSON reports.

pub mod code;
mod compare;
pub mod render;
pub mod rules;

use crate::diagnostic::Location;
use crate::model::Spec;
pub use rules::{Effect, Impact, Level, Rule, RULES};

/// Which spec a location points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    Old,
    New,
}

/// One difference between the specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub rule: &'static Rule,
    /// Spec path of what changed, e.g. `operations.get_user.params.limit`.
    pub path: String,
    /// Where it is written: in the new spec, or in the old one for what was removed.
    pub location: Option<(Side, Location)>,
    pub message: String,
    /// The generated items it touches, e.g. `Users::get_user`, `User::with_nickname`.
    pub rust_items: Vec<String>,
}

impl Change {
    pub fn level(&self) -> Level {
        self.rule.level()
    }

    /// The total order of a report: loudest first, then by spec path, rule and message.
    fn sort_key(&self) -> (std::cmp::Reverse<Level>, &str, &str, &str) {
        (std::cmp::Reverse(self.level()), &self.path, self.rule.id, &self.message)
    }
}

/// Every difference from `old` to `new`, in the report's order.
pub fn compare(old: &Spec, new: &Spec) -> Vec<Change> {
    let mut changes = compare::run(old, new);
    changes.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    changes.dedup();
    changes
}

/// The semver bump a set of changes needs, in the 1.x sense (see [`Version::next`] for 0.x).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

/// What `changes` need: major when code written against the old crate (a caller or a server
/// implementation) stops compiling, minor when the API grows or deprecates, else patch.
pub fn bump(changes: &[Change]) -> Bump {
    let breaks_code = |c: &Change| c.rule.impact.client == Effect::Break || c.rule.impact.server == Effect::Break;
    if changes.iter().any(breaks_code) {
        Bump::Major
    } else if changes.iter().any(|c| c.rule.additive) {
        Bump::Minor
    } else if changes.is_empty() {
        Bump::None
    } else {
        Bump::Patch
    }
}

/// The worst effect in each column.
pub fn overall(changes: &[Change]) -> Impact {
    let worst = |f: fn(&Impact) -> Effect| changes.iter().map(|c| f(&c.rule.impact)).max().unwrap_or(Effect::Safe);
    Impact { wire: worst(|i| i.wire), client: worst(|i| i.client), server: worst(|i| i.server) }
}

/// A `major.minor.patch` crate version (pre-release and build suffixes are ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let core = text.trim().split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        let version = Version { major: parts.next()??, minor: parts.next()??, patch: parts.next()?? };
        parts.next().is_none().then_some(version)
    }

    /// The smallest version after `self` that a `bump` allows. Before 1.0, Cargo treats the
    /// minor number as major: breaking changes bump the minor, everything else the patch.
    pub fn next(self, bump: Bump) -> Version {
        let Version { major, minor, patch } = self;
        match (bump, major) {
            (Bump::None, _) => self,
            (Bump::Major, 0) => Version { major, minor: minor + 1, patch: 0 },
            (Bump::Major, _) => Version { major: major + 1, minor: 0, patch: 0 },
            (Bump::Minor, 0) | (Bump::Patch, _) => Version { major, minor, patch: patch + 1 },
            (Bump::Minor, _) => Version { major, minor: minor + 1, patch: 0 },
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The crate's version on both sides, when known, and what the changes require of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionCheck {
    pub bump: Bump,
    /// The version in the base's `generated-client/Cargo.toml`.
    pub base: Option<Version>,
    /// The version in the head's `generated-client/Cargo.toml`.
    pub head: Option<Version>,
}

impl VersionCheck {
    pub fn new(changes: &[Change], base: Option<Version>, head: Option<Version>) -> VersionCheck {
        VersionCheck { bump: bump(changes), base, head }
    }

    /// The smallest version the head may carry.
    pub fn required(&self) -> Option<Version> {
        self.base.map(|v| v.next(self.bump))
    }

    /// Whether the head's version is too small for the changes (false when unknown).
    pub fn too_small(&self) -> bool {
        matches!((self.required(), self.head), (Some(required), Some(head)) if head < required)
    }
}

/// Everything one report says.
#[derive(Debug, Clone)]
pub struct Report {
    /// How the two sides are named, e.g. `main (merge base 1a2b3c4)` and `work tree`.
    pub base_name: String,
    pub head_name: String,
    pub changes: Vec<Change>,
    pub version: VersionCheck,
    /// The generated-code layer, when it was computed.
    pub code: Option<code::CodeDiff>,
}

impl Report {
    /// The loudest level found, counting a version bump that is too small as a warning.
    pub fn worst(&self) -> Option<Level> {
        let version = self.version.too_small().then_some(Level::Warning);
        self.changes.iter().map(Change::level).chain(version).max()
    }

    pub fn count(&self, level: Level) -> usize {
        self.changes.iter().filter(|c| c.level() == level).count()
    }
}
