//! Problems found in the spec, each tied to a place in a file, and their rendering as
//! `file:line:col` reports with the offending line shown.

use std::collections::HashMap;
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
    pub fn render<'s>(&self, source: impl Fn(&str) -> Option<&'s str>) -> String {
        let mut out = String::new();
        let sorted = self.sorted();
        let mut lines: HashMap<String, Option<Lines<'s>>> = HashMap::new();
        for d in &sorted {
            let line_text = d.location.as_ref().and_then(|loc| {
                let lines = lines.entry(loc.file.clone()).or_insert_with(|| source(&loc.file).map(Lines::new));
                lines.as_ref().and_then(|l| l.get(loc.line))
            });
            render_one(&mut out, d, line_text);
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

/// A text with the start of each line, so that each snippet costs one line, not one file.
struct Lines<'s> {
    text: &'s str,
    starts: Vec<usize>,
}

impl<'s> Lines<'s> {
    fn new(text: &'s str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }

    /// Line `line` (1-based), without its line break.
    fn get(&self, line: usize) -> Option<&'s str> {
        let start = *self.starts.get(line.checked_sub(1)?)?;
        if start == self.text.len() && line > 1 {
            // After the final line break: no line (as `str::lines` sees it).
            return None;
        }
        let end = self.starts.get(line).map_or(self.text.len(), |&next| next - 1);
        Some(self.text[start..end].trim_end_matches('\r'))
    }
}

/// Snippets show at most this many characters of a line, around the column.
const MAX_SNIPPET: usize = 120;

fn render_one(out: &mut String, d: &Diagnostic, line_text: Option<&str>) {
    let _ = writeln!(out, "error: {}", d.message);
    if let Some(loc) = &d.location {
        let _ = writeln!(out, "  --> {}:{}:{}", loc.file, loc.line, loc.col);
        if let Some(text) = line_text {
            let (text, col) = window(text, loc.col);
            let gutter = loc.line.to_string().len();
            let pad = " ".repeat(gutter);
            let caret_pad: String = text
                .chars()
                .take(col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let width = token_width(&text, col);
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

/// The part of a long line around `col`, marked with `…` where cut, and the column in it.
fn window(line: &str, col: usize) -> (String, usize) {
    let count = line.chars().count();
    if count <= MAX_SNIPPET {
        return (line.to_owned(), col);
    }
    let start = col.saturating_sub(1 + MAX_SNIPPET / 3).min(count.saturating_sub(MAX_SNIPPET));
    let mut text: String = line.chars().skip(start).take(MAX_SNIPPET).collect();
    let mut col = col - start;
    if start > 0 {
        text.insert(0, '…');
        col += 1;
    }
    if start + MAX_SNIPPET < count {
        text.push('…');
    }
    (text, col)
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

/// The known name closest to `unknown`, if it is close enough to be a likely typo: the
/// same but for case, or within a small edit distance (about one edit per three
/// characters, at least one). Ties go to the first in `known`.
pub fn closest<'k>(unknown: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let lower = unknown.to_lowercase();
    let limit = (unknown.chars().count() / 3).max(1);
    let mut best: Option<(usize, &'k str)> = None;
    for name in known {
        if name == unknown {
            continue;
        }
        let distance = if name.to_lowercase() == lower { 0 } else { edit_distance(&lower, &name.to_lowercase()) };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// `did you mean `x`?` for the name [`closest`] finds, or `otherwise`.
pub fn did_you_mean<'k>(unknown: &str, known: impl IntoIterator<Item = &'k str>, otherwise: impl FnOnce() -> String) -> String {
    match closest(unknown, known) {
        Some(name) => format!("did you mean `{name}`?"),
        None => otherwise(),
    }
}

/// Optimal string alignment distance (Levenshtein plus adjacent transpositions), by chars.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for transpositions), previous, current.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
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
        let text = all.render(|_| Some("a: 1\n  key: value\n"));
        let first = text.find("first").unwrap();
        let second = text.find("second").unwrap();
        assert!(first < second, "{text}");
        assert!(text.contains("2 |   key: value\n  |   ^^^\n"), "{text}");
        assert!(text.ends_with("error: the spec has 2 problems\n"), "{text}");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let mut all = Diagnostics::default();
        let line = format!("k: [{}x]", "1, ".repeat(1000));
        let col = line.find('x').unwrap() + 1;
        all.push(Diagnostic { location: Some(Location { file: "f".into(), line: 1, col }), ..diag(1, "long") });
        let text = all.render(|_| Some(line.as_str()));
        assert!(text.contains("1 | … 1, 1, "), "{text}");
        assert!(text.contains("1, x]\n"), "{text}");
        let snippet = text.lines().find(|l| l.starts_with("1 | ")).unwrap();
        let caret = text.lines().find(|l| l.trim_end().ends_with('^')).unwrap();
        assert_eq!(snippet.chars().position(|c| c == 'x'), caret.chars().position(|c| c == '^'), "{text}");
        assert!(snippet.chars().count() <= MAX_SNIPPET + 10, "{text}");
    }

    #[test]
    fn edit_distance_counts_edits_and_transpositions() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("usre", "user"), 1);
        assert_eq!(edit_distance("名字", "名子"), 1);
    }

    #[test]
    fn closest_suggests_only_likely_typos() {
        let known = ["User", "UserList", "Group", "username"];
        assert_eq!(closest("Usr", known), Some("User"));
        assert_eq!(closest("user", known), Some("User"));
        assert_eq!(closest("usernmae", known), Some("username"));
        assert_eq!(closest("Chatroom", known), None);
        assert_eq!(closest("x", known), None);
        assert_eq!(did_you_mean("Grop", known, || "define it".into()), "did you mean `Group`?");
        assert_eq!(did_you_mean("Zzz", known, || "define it".into()), "define it");
    }
}
