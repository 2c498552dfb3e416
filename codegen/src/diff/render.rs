//! The three forms of the report: text for a terminal, markdown for a pull-request comment,
//! JSON for machines (shape documented in `docs/api-diff.md`, versioned by `format_version`).
//! All three list changes in the report's total order, so equal inputs give equal bytes.

use std::fmt::Write as _;

use serde_json::{json, Value as Json};

use super::rules::{Effect, Impact, Level, RULES};
use super::{overall, Change, Report, Side};

/// Bumped whenever the JSON shape changes incompatibly.
pub const JSON_FORMAT_VERSION: u32 = 1;

fn effect_word(effect: Effect, column: Column) -> &'static str {
    match (effect, column) {
        (Effect::Safe, Column::Wire) => "works",
        (Effect::Safe, _) => "compiles",
        (Effect::Warn, Column::Wire) => "works, with a caveat",
        (Effect::Warn, _) => "compiles, with warnings",
        (Effect::Break, Column::Wire) => "breaks",
        (Effect::Break, _) => "breaks",
    }
}

#[derive(Clone, Copy)]
enum Column {
    Wire,
    Client,
    Server,
}

const COLUMNS: [(Column, &str); 3] = [(Column::Wire, "wire"), (Column::Client, "client code"), (Column::Server, "server stubs")];

fn column(impact: &Impact, c: Column) -> Effect {
    match c {
        Column::Wire => impact.wire,
        Column::Client => impact.client,
        Column::Server => impact.server,
    }
}

fn location_text(change: &Change) -> String {
    match &change.location {
        Some((side, l)) => format!("{}{}:{}:{}", if *side == Side::Old { "(old) " } else { "" }, l.file, l.line, l.col),
        None => change.path.clone(),
    }
}

fn counts(report: &Report) -> String {
    let (b, w, i) = (report.count(Level::Breaking), report.count(Level::Warning), report.count(Level::Info));
    let plural = |n: usize, word: &str| if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") };
    format!("{}, {}, {i} info", plural(b, "breaking change"), plural(w, "warning"))
}

/// One sentence on the version: what the changes need and whether the head has it.
fn version_sentence(report: &Report) -> String {
    let v = &report.version;
    let need = match (v.bump, v.base) {
        (super::Bump::Major, Some(base)) if base.major == 0 => "major bump (the minor number before 1.0)".to_owned(),
        (super::Bump::Minor, Some(base)) if base.major == 0 => "minor bump (the patch number before 1.0)".to_owned(),
        (bump, _) => format!("{} bump", bump.as_str()),
    };
    match (v.base, v.required(), v.head) {
        (_, _, _) if v.bump == super::Bump::None => "no version bump needed".to_owned(),
        (Some(base), Some(required), Some(head)) if head < required => {
            format!("needs a {need}: {base} → at least {required}, but generated-client/Cargo.toml says {head} (too small)")
        }
        (Some(base), Some(required), Some(head)) => format!("needs a {need}: {base} → at least {required}; generated-client/Cargo.toml says {head} (enough)"),
        (Some(base), Some(required), None) => format!("needs a {need}: {base} → at least {required}"),
        _ => format!("needs a {need}"),
    }
}

// ---- text ------------------------------------------------------------------------------

/// The terminal report; `color` adds ANSI colours.
pub fn text(report: &Report, color: bool) -> String {
    let paint = |code: &str, s: &str| if color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_owned() };
    let level_color = |level: Level| match level {
        Level::Breaking => "1;31",
        Level::Warning => "1;33",
        Level::Info => "1;36",
    };
    let mut out = String::new();
    let _ = writeln!(out, "API diff: {} → {}", report.base_name, report.head_name);
    if report.changes.is_empty() {
        let _ = writeln!(out, "\nNo API changes.");
    } else {
        let all = overall(&report.changes);
        let _ = writeln!(out, "\n{}", counts(report));
        let columns: Vec<String> = COLUMNS.iter().map(|(c, name)| format!("{name}: {}", effect_word(column(&all, *c), *c))).collect();
        let _ = writeln!(out, "Impact: {}", columns.join(" · "));
    }
    let version = version_sentence(report);
    let version = if report.version.too_small() { paint("1;31", &version) } else { version };
    let _ = writeln!(out, "Version: {version}");
    for level in [Level::Breaking, Level::Warning, Level::Info] {
        let group: Vec<&Change> = report.changes.iter().filter(|c| c.level() == level).collect();
        if group.is_empty() {
            continue;
        }
        let title = format!("{} ({})", capitalised(level.as_str()), group.len());
        let _ = writeln!(out, "\n{}", paint(level_color(level), &title));
        for c in group {
            let _ = writeln!(out, "  [{}] {}", c.rule.id, location_text(c));
            let _ = writeln!(out, "    {}", c.message);
            let columns: Vec<String> = COLUMNS.iter().map(|(col, name)| format!("{name}: {}", effect_word(column(&c.rule.impact, *col), *col))).collect();
            let _ = writeln!(out, "    {}", columns.join(" · "));
            if !c.rust_items.is_empty() {
                let _ = writeln!(out, "    Rust: {}", c.rust_items.join(", "));
            }
        }
    }
    if let Some(code) = &report.code {
        let _ = writeln!(out, "\nGenerated code: {} files changed, +{} −{}", code.files.len(), code.added(), code.removed());
        for f in &code.files {
            let _ = writeln!(out, "  src/gen/{:<28} +{} −{}", f.file, f.added, f.removed);
        }
        for f in code.files.iter().filter_map(|f| f.unified.as_ref()) {
            let _ = write!(out, "\n{f}");
        }
    }
    out
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
}

// ---- markdown --------------------------------------------------------------------------

fn mark(effect: Effect) -> &'static str {
    match effect {
        Effect::Safe => "✅",
        Effect::Warn => "⚠️",
        Effect::Break => "❌",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The pull-request comment: summary and counts first, details folded.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## API diff\n");
    let _ = writeln!(out, "`{}` → `{}`\n", report.base_name, report.head_name);
    if report.changes.is_empty() {
        let _ = writeln!(out, "No API changes. Version: {}.", version_sentence(report));
        return out;
    }
    let all = overall(&report.changes);
    let _ = writeln!(out, "**{}** · version: {}\n", counts(report), version_sentence(report));
    if report.version.too_small() {
        let _ = writeln!(out, "> [!WARNING]\n> The version in `generated-client/Cargo.toml` is too small for these changes.\n");
    }
    let _ = writeln!(out, "| | wire (deployed programs) | client code | server stubs |\n|---|---|---|---|");
    let overall_cells: Vec<String> = COLUMNS.iter().map(|(c, _)| format!("{} {}", mark(column(&all, *c)), effect_word(column(&all, *c), *c))).collect();
    let _ = writeln!(out, "| overall | {} |", overall_cells.join(" | "));
    for level in [Level::Breaking, Level::Warning, Level::Info] {
        let group: Vec<&Change> = report.changes.iter().filter(|c| c.level() == level).collect();
        if group.is_empty() {
            continue;
        }
        let open = if level == Level::Breaking { " open" } else { "" };
        let _ = writeln!(out, "\n<details{open}><summary><b>{} ({})</b></summary>\n", capitalised(level.as_str()), group.len());
        let _ = writeln!(out, "| change | where | wire | client | server | Rust items | rule |\n|---|---|---|---|---|---|---|");
        for c in group {
            let i = &c.rule.impact;
            let items: Vec<String> = c.rust_items.iter().map(|s| format!("`{s}`")).collect();
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} | `{}` |",
                cell(&c.message),
                cell(&location_text(c)),
                mark(i.wire),
                mark(i.client),
                mark(i.server),
                cell(&items.join(", ")),
                c.rule.id
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    if let Some(code) = &report.code {
        let _ = writeln!(out, "\n<details><summary><b>Generated code: {} files, +{} −{}</b></summary>\n", code.files.len(), code.added(), code.removed());
        let _ = writeln!(out, "| file | added | removed |\n|---|---|---|");
        for f in &code.files {
            let _ = writeln!(out, "| `src/gen/{}` | {} | {} |", f.file, f.added, f.removed);
        }
        for f in code.files.iter().filter_map(|f| f.unified.as_ref()) {
            let _ = writeln!(out, "\n```diff\n{}```", f);
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

// ---- JSON ------------------------------------------------------------------------------

fn effect_json(effect: Effect) -> &'static str {
    match effect {
        Effect::Safe => "safe",
        Effect::Warn => "warn",
        Effect::Break => "break",
    }
}

fn impact_json(impact: &Impact) -> Json {
    json!({ "wire": effect_json(impact.wire), "client": effect_json(impact.client), "server": effect_json(impact.server) })
}

/// The machine-readable report.
pub fn json(report: &Report) -> String {
    let changes: Vec<Json> = report
        .changes
        .iter()
        .map(|c| {
            let location = c.location.as_ref().map(|(side, l)| {
                json!({ "side": if *side == Side::Old { "old" } else { "new" }, "file": l.file, "line": l.line, "column": l.col })
            });
            json!({
                "rule": c.rule.id,
                "level": c.level().as_str(),
                "impact": impact_json(&c.rule.impact),
                "path": c.path,
                "location": location,
                "message": c.message,
                "rust_items": c.rust_items,
            })
        })
        .collect();
    let v = &report.version;
    let code = report.code.as_ref().map(|code| {
        let files: Vec<Json> = code.files.iter().map(|f| json!({ "file": f.file, "added": f.added, "removed": f.removed, "unified": f.unified })).collect();
        json!({ "added": code.added(), "removed": code.removed(), "files": files })
    });
    let value = json!({
        "format_version": JSON_FORMAT_VERSION,
        "base": report.base_name,
        "head": report.head_name,
        "summary": {
            "breaking": report.count(Level::Breaking),
            "warning": report.count(Level::Warning),
            "info": report.count(Level::Info),
            "worst": report.worst().map(Level::as_str),
            "impact": impact_json(&overall(&report.changes)),
        },
        "version": {
            "bump": v.bump.as_str(),
            "base": v.base.map(|x| x.to_string()),
            "head": v.head.map(|x| x.to_string()),
            "required": v.required().map(|x| x.to_string()),
            "too_small": v.too_small(),
        },
        "changes": changes,
        "generated_code": code,
    });
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

// ---- the rule list ---------------------------------------------------------------------

/// `docs/api-diff-rules.md`: every rule with its level and columns.
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "<!-- @generated from codegen/src/diff/rules.rs by `cargo xtask diff --rules > docs/api-diff-rules.md`; a test keeps it current. -->\n\
         # API diff rules\n\n\
         Each change `cargo xtask diff` reports carries one of these rule ids. The columns say what the change \
         does to a program built against the old crate talking to a server that speaks the new spec (wire), \
         to code that calls the crate (client) and to implementations of its server stubs (server): \
         ✅ unaffected, ⚠️ works with a caveat (a warning, new values, other behaviour), ❌ breaks. The level is \
         the worst column. Additive rules need a minor bump when nothing breaks; a ❌ in the client or server \
         column needs a major bump (the minor number before 1.0).\n\n\
         | rule | level | wire | client | server | additive | change | why |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let i = &r.impact;
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.level().as_str(),
            mark(i.wire),
            mark(i.client),
            mark(i.server),
            if r.additive { "yes" } else { "" },
            r.title,
            r.why
        );
    }
    let _ = writeln!(out, "\n{} rules.", RULES.len());
    out
}
