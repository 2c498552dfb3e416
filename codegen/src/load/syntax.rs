//! YAML syntax errors explained: the parsers report where they noticed a problem, which is
//! often a line or more after the one that caused it (a mis-indented key is seen at the next
//! key, an unclosed `{` at the end of the file). [`explain`] looks at the text around that
//! place for the usual causes (a tab in the indentation, a line indented differently from
//! its neighbours, an unclosed quote or bracket, a duplicated key, a `: ` in a plain value)
//! and points at the line that broke, with advice for that cause.

/// A syntax error, placed and explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    /// 1-based line and column of the cause.
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub help: String,
}

const GENERIC_HELP: &str = "fix the YAML syntax; in flow mappings `{...}`, quote text that contains `,`, `:` or `#`";

/// Explains the parser's `message`, reported at `line`:`col` (1-based) of `text`.
pub fn explain(text: &str, line: usize, col: usize, message: &str) -> Explained {
    let lines: Vec<&str> = text.lines().collect();
    let said = message.trim();
    let plain = |line: usize, col: usize, what: String, help: &str| Explained {
        line,
        col,
        message: format!("the file is not valid YAML: {what}"),
        help: help.to_owned(),
    };
    if let Some((l, c)) = leading_tab(&lines, line) {
        return plain(
            l,
            c,
            format!("line {l} is indented with a tab (the parser says: {said})"),
            "YAML indents with spaces only: replace the tab with spaces (this spec uses 2 per level)",
        );
    }
    if let Some(key) = duplicate_key(said) {
        let (l, c, first) = second_occurrence(&lines, line, col, &key).unwrap_or((line, col, line));
        return plain(
            l,
            c,
            format!("the key `{key}` appears twice in the same mapping (first at line {first})"),
            "keep one of them: a mapping holds each key once (merge the two values, or rename one)",
        );
    }
    let scan = Scan::run(&lines, line);
    if let Some((l, c, bracket)) = scan.open_flow {
        let close = if bracket == '{' { '}' } else { ']' };
        return plain(
            l,
            c,
            format!("the `{bracket}` opened here is not closed (the parser says: {said})"),
            &format!(
                "close it with `{close}`; inside `{{...}}` and `[...]`, quote text that contains `,`, `:`, `#`, `{{` or `}}` (`doc: \"a, b\"`)"
            ),
        );
    }
    if said.contains("quoted scalar") {
        if let Some((l, c)) = scan.open_quote {
            return plain(
                l,
                c,
                format!("the quoted text opened here is not closed (the parser says: {said})"),
                "end it with the same quote on this line; to write a quote inside \"...\", escape it as `\\\"`",
            );
        }
    }
    if let Some(bad) = scan.bad_indent {
        let help = match bad.kind {
            Indent::Unaligned { sibling: (line, spaces), parent } => format!(
                "indent it {spaces} spaces to continue the keys of line {line}, or {parent} to start a key of the level above"
            ),
            Indent::UnderValue { key_line } => format!(
                "line {key_line} already has a value, so nothing can be nested under it: align this line with line {key_line}, or move the value of line {key_line} onto lines of its own"
            ),
            Indent::Dedented { expected } => format!("indent it {expected} spaces, like the lines around it"),
        };
        let what = match bad.kind {
            Indent::Unaligned { .. } => format!("line {} is indented {} spaces, which matches no key above it", bad.line, bad.indent),
            Indent::UnderValue { key_line } => format!("line {} is indented deeper than line {key_line}, which has a value", bad.line),
            Indent::Dedented { .. } => format!("line {} is indented less than the lines around it", bad.line),
        };
        return plain(bad.line, bad.indent + 1, format!("{what} (the parser says: {said})"), &help);
    }
    if said.contains("mapping values are not allowed") {
        return plain(
            line,
            col,
            format!("`: ` inside a value that is not quoted ({said})"),
            "quote the value: `key: \"text: more text\"` (after `key: `, an unquoted `: ` starts another key)",
        );
    }
    if said.contains("cannot start any token") {
        return plain(
            line,
            col,
            format!("a value starts with a character YAML reserves ({said})"),
            "quote the value: text starting with `` ` ``, `@`, `%` or `|` must be written \"...\"",
        );
    }
    plain(line, col, said.to_owned(), GENERIC_HELP)
}

/// The first line at or before `line` (or just after it) whose indentation holds a tab.
fn leading_tab(lines: &[&str], line: usize) -> Option<(usize, usize)> {
    lines.iter().take(line + 1).enumerate().find_map(|(i, text)| {
        let indent: String = text.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
        let rest = &text[indent.len()..];
        (indent.contains('\t') && !rest.is_empty() && !rest.starts_with('#')).then(|| (i + 1, indent.find('\t').unwrap_or(0) + 1))
    })
}

/// The key of a serde_yaml duplicate-key message.
fn duplicate_key(message: &str) -> Option<String> {
    let rest = message.split("duplicate entry with key ").nth(1)?;
    Some(rest.trim().trim_matches('"').to_owned())
}

/// The second `key:` of the block mapping whose first key is at `line`:`col`, and the first.
fn second_occurrence(lines: &[&str], line: usize, col: usize, key: &str) -> Option<(usize, usize, usize)> {
    let indent = col.checked_sub(1)?;
    let mut first = None;
    for (i, text) in lines.iter().enumerate().skip(line.checked_sub(1)?) {
        let trimmed = text.trim_start();
        let here = text.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if here < indent {
            break;
        }
        if here != indent {
            continue;
        }
        let written = [format!("{key}:"), format!("\"{key}\":"), format!("'{key}':")];
        if written.iter().any(|w| trimmed.starts_with(w.as_str())) {
            match first {
                None => first = Some(i + 1),
                Some(f) => return Some((i + 1, indent + 1, f)),
            }
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Indent {
    /// Shallower than the line before, at a depth no enclosing key has.
    Unaligned { sibling: (usize, usize), parent: usize },
    /// Deeper than a key that already has a value, and itself a key.
    UnderValue { key_line: usize },
    /// Shallower than its neighbours (the line after it goes back to their depth).
    Dedented { expected: usize },
}

#[derive(Debug, Clone, Copy)]
struct BadIndent {
    line: usize,
    indent: usize,
    kind: Indent,
}

/// What the lines up to the error say: the first badly indented line, a flow collection
/// or quote still open.
#[derive(Debug, Default)]
struct Scan {
    bad_indent: Option<BadIndent>,
    open_flow: Option<(usize, usize, char)>,
    open_quote: Option<(usize, usize)>,
}

/// One line that is a key or a sequence item (not a continuation, comment or block text).
#[derive(Debug, Clone, Copy)]
struct Structural {
    line: usize,
    indent: usize,
    /// `key:` with nothing after it, or `-` alone: the next lines may nest under it.
    opens: bool,
    is_key: bool,
}

impl Scan {
    fn run(lines: &[&str], until: usize) -> Scan {
        let mut scan = Scan::default();
        let mut stack: Vec<usize> = Vec::new();
        let mut prev: Option<Structural> = None;
        let mut before_prev: Option<Structural> = None;
        let mut flow_depth = 0usize;
        let mut flow_open: Option<(usize, usize, char)> = None;
        let mut block_text_above: Option<usize> = None;
        let last = until.min(lines.len());
        for (i, text) in lines.iter().enumerate().take(last) {
            let number = i + 1;
            let trimmed = text.trim_start();
            let indent = text.len() - trimmed.len();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            if let Some(key_indent) = block_text_above {
                if indent > key_indent {
                    continue;
                }
                block_text_above = None;
            }
            if flow_depth > 0 {
                // Inside a `{...}` or `[...]` spanning lines: indentation is free.
                let (depth, _, quote) = brackets(text, 0, flow_depth);
                flow_depth = depth;
                if quote.is_some() && scan.open_quote.is_none() {
                    scan.open_quote = quote.map(|c| (number, c));
                }
                if flow_depth == 0 {
                    flow_open = None;
                }
                continue;
            }
            let is_item = trimmed.starts_with("- ") || trimmed == "-";
            let content = if is_item { trimmed[1..].trim_start() } else { trimmed };
            let value = key_value(content);
            let is_key = value.is_some();
            let value = value.unwrap_or(content).trim();
            // A deeper line after a plain value continues it, unless it is a key itself.
            if let Some(p) = prev.filter(|p| !p.opens && indent > p.indent) {
                if is_key && !is_item && scan.bad_indent.is_none() {
                    let kind = match before_prev {
                        Some(b) if b.indent == indent && p.indent < indent && p.is_key => Indent::Dedented { expected: indent },
                        _ => Indent::UnderValue { key_line: p.line },
                    };
                    let culprit = if matches!(kind, Indent::Dedented { .. }) { p.line } else { number };
                    let culprit_indent = if matches!(kind, Indent::Dedented { .. }) { p.indent } else { indent };
                    scan.bad_indent = Some(BadIndent { line: culprit, indent: culprit_indent, kind });
                }
                continue;
            }
            while stack.last().is_some_and(|&top| top > indent) {
                stack.pop();
            }
            let aligned = stack.last().is_none_or(|&top| top == indent);
            let nests = prev.is_some_and(|p| p.opens && (indent > p.indent || (indent == p.indent && is_item)));
            if !aligned && !nests && scan.bad_indent.is_none() {
                let parent = stack.last().copied().unwrap_or(0);
                let sibling = prev.map_or((number, parent), |p| (p.line, p.indent));
                scan.bad_indent = Some(BadIndent { line: number, indent, kind: Indent::Unaligned { sibling, parent } });
            }
            if stack.last() != Some(&indent) {
                stack.push(indent);
            }
            let content_indent = indent + (trimmed.len() - content.len());
            if is_item && content_indent != indent && is_key {
                stack.push(content_indent);
            }
            let block_text = is_key && (value.starts_with('|') || value.starts_with('>'));
            if block_text {
                block_text_above = Some(indent);
            }
            let (depth, opened, quote) = brackets(value, 0, 0);
            if depth > 0 {
                flow_depth = depth;
                let col = text.len() - value.len() + opened.unwrap_or(0) + 1;
                let bracket = value.chars().nth(opened.unwrap_or(0)).unwrap_or('{');
                flow_open = Some((number, col, bracket));
            }
            if let Some(c) = quote {
                if scan.open_quote.is_none() {
                    scan.open_quote = Some((number, text.len() - value.len() + c + 1));
                }
            }
            before_prev = prev;
            // The keys of a `- key: value` item continue at the column of `key`.
            let own_indent = if is_item && is_key { content_indent } else { indent };
            prev = Some(Structural { line: number, indent: own_indent, opens: value.is_empty(), is_key });
        }
        if flow_depth > 0 {
            scan.open_flow = flow_open;
        }
        scan
    }
}

/// The value after `key:` when `content` is a key (`key:` or `key: value`).
fn key_value(content: &str) -> Option<&str> {
    if content.starts_with(['{', '[', '"', '\'']) && !content.starts_with('"') && !content.starts_with('\'') {
        return None;
    }
    let bytes = content.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate() {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if (b == b'"' || b == b'\'') && i == 0 => quote = Some(b),
            None if b == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') => return Some(&content[i + 1..]),
            None if b == b'#' && i > 0 && bytes[i - 1] == b' ' => return None,
            None => {}
        }
    }
    None
}

/// Bracket depth after `text` starting at `depth`, the byte offset of the first bracket
/// opened (from depth 0), and the byte offset of a quote left open.
fn brackets(text: &str, _start: usize, depth: usize) -> (usize, Option<usize>, Option<usize>) {
    let mut depth = depth;
    let mut first_open = None;
    let mut quote: Option<(char, usize)> = None;
    let mut prev = ' ';
    for (i, c) in text.char_indices() {
        match quote {
            Some((q, _)) if c == q && !(q == '"' && prev == '\\') => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' if matches!(prev, ' ' | '{' | '[' | ',' | ':') || i == 0 => quote = Some((c, i)),
                '#' if prev == ' ' || i == 0 => break,
                '{' | '[' => {
                    if depth == 0 && first_open.is_none() {
                        first_open = Some(i);
                    }
                    depth += 1;
                }
                '}' | ']' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        prev = c;
    }
    (depth, first_open, quote.map(|(_, i)| i))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "operations:\n  get_user:\n    group: users\n    docs: a.html#b\n    method: GET\n    path: /users/{username}\n    params:\n      username: {in: path, type: string, doc: \"The user id.\"}\n    examples:\n      - params: {username: x}\n        response: {\"a\": 1}\n";

    fn broken(from: &str, to: &str) -> String {
        assert!(BASE.contains(from));
        BASE.replacen(from, to, 1)
    }

    #[test]
    fn a_valid_file_has_no_suspect() {
        let lines: Vec<&str> = BASE.lines().collect();
        let scan = Scan::run(&lines, lines.len());
        assert!(scan.bad_indent.is_none() && scan.open_flow.is_none() && scan.open_quote.is_none(), "{scan:?}");
    }

    #[test]
    fn no_file_of_the_real_spec_has_a_suspect_line() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let lines: Vec<&str> = text.lines().collect();
                let scan = Scan::run(&lines, lines.len());
                assert!(scan.bad_indent.is_none() && scan.open_flow.is_none(), "{}: {scan:?}", path.display());
            }
        }
    }

    #[test]
    fn a_tab_in_the_indentation_is_named() {
        let text = broken("    method", "\tmethod");
        let e = explain(&text, 4, 11, "while scanning a plain scalar, found a tab");
        assert_eq!((e.line, e.col), (5, 1), "{e:?}");
        assert!(e.help.contains("spaces only"), "{e:?}");
    }

    #[test]
    fn a_line_indented_less_than_its_siblings() {
        let text = broken("    method", "   method");
        let e = explain(&text, 5, 10, "did not find expected key");
        assert_eq!((e.line, e.col), (5, 4), "{e:?}");
        assert!(e.message.contains("matches no key"), "{e:?}");
    }

    #[test]
    fn a_key_nested_under_a_value() {
        let text = broken("    method", "     method");
        let e = explain(&text, 5, 12, "mapping values are not allowed in this context");
        assert_eq!(e.line, 5, "{e:?}");
        assert!(e.help.contains("line 4 already has a value"), "{e:?}");
    }

    #[test]
    fn a_line_dedented_among_its_siblings() {
        let text = broken("    path", "  path");
        let e = explain(&text, 7, 11, "mapping values are not allowed in this context");
        assert_eq!((e.line, e.col), (6, 3), "{e:?}");
        assert!(e.help.contains("4 spaces"), "{e:?}");
    }

    #[test]
    fn an_unclosed_flow_mapping_points_at_its_brace() {
        let text = broken("doc: \"The user id.\"}", "doc: \"The user id.\"");
        let e = explain(&text, 9, 5, "while parsing a flow mapping, did not find expected ',' or '}'");
        assert_eq!((e.line, e.col), (8, 17), "{e:?}");
    }

    #[test]
    fn an_unclosed_quote() {
        let text = broken("group: users", "group: \"users");
        let e = explain(&text, 3, 12, "while scanning a quoted scalar, found unexpected end of stream");
        assert_eq!((e.line, e.col), (3, 12), "{e:?}");
        assert!(e.message.contains("not closed"), "{e:?}");
    }

    #[test]
    fn a_duplicate_key_points_at_the_second() {
        let text = broken("    path:", "    method: POST\n    path:");
        let e = explain(&text, 3, 5, "operations.get_user: duplicate entry with key \"method\"");
        assert_eq!((e.line, e.col), (6, 5), "{e:?}");
        assert!(e.message.contains("first at line 5"), "{e:?}");
    }

    #[test]
    fn a_colon_in_a_plain_value_asks_for_quotes() {
        let text = broken("group: users", "group: users: all");
        let e = explain(&text, 3, 16, "mapping values are not allowed in this context");
        assert!(e.help.contains("quote the value"), "{e:?}");
    }
}
