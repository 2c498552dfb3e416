//! Problems found in the spec, each tied to a place in a file, and their rendering as
//! `file:line:col` reports with the offending line shown.

use std::fmt::Write as _;

/// A position in a spec file: 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Path of the file as given to the loader, e.g. `spec/users.yaml`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub col: usize,
}

/// One problem: where it is, what is wrong, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is, when it can be tied to a place in a file.
    pub location: Option<Location>,
    /// Dotted path inside the spec, e.g. `operations.get_user.params.username`.
    pub spec_path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    fn sort_key(&self) -> (Option<&Location>, &str, &str) {
        (self.location.as_ref(), &self.spec_path, &self.message)
    }
}

/// Every problem found in one run, kept sorted by position.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds a problem.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The problems, sorted by file, line and column (problems without a place last).
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut items: Vec<&Diagnostic> = self.items.iter().collect();
        items.sort_by(|a, b| match (&a.location, &b.location) {
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            _ => a.sort_key().cmp(&b.sort_key()),
        });
        items.dedup_by(|a, b| a == b);
        items
    }

    /// Renders every problem, rustc style, with the offending line of `source(file)`.
    pub fn render(&self, source: impl Fn(&str) -> Option<String>) -> String {
        let mut out = String::new();
        let sorted = self.sorted();
        for d in &sorted {
            render_one(&mut out, d, &source);
        }
        let n = sorted.len();
        let _ = writeln!(
            out,
            "error: the spec has {n} problem{}",
            if n == 1 { "" } else { "s" }
        );
        out
    }
}

fn render_one(out: &mut String, d: &Diagnostic, source: &impl Fn(&str) -> Option<String>) {
    let _ = writeln!(out, "error: {}", d.message);
    if let Some(loc) = &d.location {
        let _ = writeln!(out, "  --> {}:{}:{}", loc.file, loc.line, loc.col);
        let line_text = source(&loc.file)
            .and_then(|text| text.lines().nth(loc.line - 1).map(str::to_owned));
        if let Some(text) = line_text {
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            let caret_pad: String = text
                .chars()
                .take(loc.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = token_width(&text, loc.col);
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{} | {}", loc.line, text.trim_end());
            let _ = writeln!(out, "{pad} | {caret_pad}{}", "^".repeat(width));
        }
    }
    let _ = writeln!(out, "   = at: {}", if d.spec_path.is_empty() { "(top)" } else { &d.spec_path });
    if let Some(help) = &d.help {
        let _ = writeln!(out, "   = help: {help}");
    }
    out.push('\n');
}

/// Width of the token starting at `col`: up to the next `:`, `,`, `}` or end of line.
fn token_width(line: &str, col: usize) -> usize {
    let rest: String = line.chars().skip(col.saturating_sub(1)).collect();
    let width = rest
        .char_indices()
        .find(|&(i, c)| i > 0 && matches!(c, ':' | ',' | '}' | ']' | '#'))
        .map_or(rest.trim_end().chars().count(), |(i, _)| rest[..i].trim_end().chars().count());
    width.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(line: usize, msg: &str) -> Diagnostic {
        Diagnostic {
            location: Some(Location { file: "spec/a.yaml".into(), line, col: 3 }),
            spec_path: "operations.x".into(),
            message: msg.into(),
            help: Some("do this".into()),
        }
    }

    #[test]
    fn sorts_by_position_and_renders_the_line() {
        let mut all = Diagnostics::default();
        all.push(diag(2, "second"));
        all.push(diag(1, "first"));
        let text = all.render(|_| Some("a: 1\n  key: value\n".into()));
        let first = text.find("first").unwrap();
        let second = text.find("second").unwrap();
        assert!(first < second, "{text}");
        assert!(text.contains("2 |   key: value\n  |   ^^^\n"), "{text}");
        assert!(text.ends_with("error: the spec has 2 problems\n"), "{text}");
    }
}
