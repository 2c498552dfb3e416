//! Where each node of a YAML file sits, keyed by its dotted spec path
//! (`operations.get_user.params.username`, `examples[0].response`), read from yaml-rust2's
//! event stream in one loop (no recursion, so nesting cannot overflow the stack).
//!
//! This pass also guards the loader: it runs before serde_yaml builds any value, and stops
//! at the first node nested deeper than [`MAX_DEPTH`] or the alias that makes aliases expand
//! to more than [`MAX_ALIAS_NODES`] nodes, so serde_yaml only ever sees files whose expanded
//! size is known to be small.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::Marker;

/// How deep mappings and sequences may nest. The spec nests 11 deep at most; serde_yaml
/// gives up at 128.
pub const MAX_DEPTH: usize = 64;

/// How many nodes the aliases of one file may expand to, all together. The spec uses no
/// aliases; an alias bomb of a few kilobytes expands to billions.
pub const MAX_ALIAS_NODES: u64 = 100_000;

/// Keys longer than this are indexed under a placeholder: no spec key is that long, and
/// every path below a key repeats it.
const MAX_INDEXED_KEY: usize = 256;

/// 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl From<Marker> for Pos {
    fn from(m: Marker) -> Self {
        Pos { line: m.line(), col: m.col() + 1 }
    }
}

/// Why the scan stopped before the end of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The file is not YAML (as yaml-rust2 reads it).
    Syntax { pos: Pos, message: String },
    /// A mapping or sequence nested deeper than [`MAX_DEPTH`].
    TooDeep { pos: Pos },
    /// Aliases expanding to more than [`MAX_ALIAS_NODES`] nodes.
    AliasExpansion { pos: Pos },
}

/// Positions of the keys and values of one file.
#[derive(Debug, Default)]
pub struct PositionIndex {
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
}

impl PositionIndex {
    /// Indexes `text`. When the scan stops early, the index holds what came before the stop.
    ///
    /// A tab that libyaml (serde_yaml) takes as a separator is refused by yaml-rust2 in some
    /// places; when the text only scans with its tabs read as spaces, that reading is used,
    /// which keeps every line and column as it is.
    pub fn build(text: &str) -> (PositionIndex, Option<Stop>) {
        let (index, stop) = scan(text);
        if matches!(stop, Some(Stop::Syntax { .. })) && text.contains('\t') {
            let (spaced, spaced_stop) = scan(&text.replace('\t', " "));
            if !matches!(spaced_stop, Some(Stop::Syntax { .. })) {
                return (spaced, spaced_stop);
            }
        }
        (index, stop)
    }

    /// Where the node at `path` starts: its key when it is a map entry, else its value.
    /// Falls back to the nearest ancestor that is known.
    pub fn find(&self, path: &str) -> Option<Pos> {
        let mut path = path;
        loop {
            if let Some(pos) = self.keys.get(path).or_else(|| self.values.get(path)) {
                return Some(*pos);
            }
            path = parent(path)?;
        }
    }

    /// Where the value at `path` starts (for errors about a value rather than a key).
    pub fn find_value(&self, path: &str) -> Option<Pos> {
        self.values.get(path).copied().or_else(|| self.find(path))
    }
}

fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

fn scan(text: &str) -> (PositionIndex, Option<Stop>) {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) => return (builder.index, None),
            Ok((event, mark)) => {
                if let Err(stop) = builder.on_event(event, mark) {
                    return (builder.index, Some(stop));
                }
            }
            Err(err) => {
                let pos = (*err.marker()).into();
                // yaml-rust2 scans flow collections ahead of their events, and stops itself
                // a little deeper than MAX_DEPTH.
                let stop = if err.info() == "recursion limit exceeded" {
                    Stop::TooDeep { pos }
                } else {
                    Stop::Syntax { pos, message: err.info().to_owned() }
                };
                return (builder.index, Some(stop));
            }
        }
    }
}

enum Kind {
    Map { key: Option<String> },
    Seq { index: usize },
}

struct Frame {
    path: String,
    kind: Kind,
    /// The container's anchor, 0 for none.
    anchor: usize,
    /// Nodes in the container so far, counting what aliases expand to.
    nodes: u64,
}

#[derive(Default)]
struct Builder {
    index: PositionIndex,
    stack: Vec<Frame>,
    /// Expanded size of each anchored node.
    anchored: HashMap<usize, u64>,
    /// Nodes reached through aliases so far.
    alias_nodes: u64,
}

impl Builder {
    /// The path of the value about to be read, or None when a key is about to be read.
    fn value_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame { kind: Kind::Map { key: None }, .. }) => None,
            Some(Frame { path, kind: Kind::Map { key: Some(key) }, .. }) => Some(join(path, key)),
            Some(Frame { path, kind: Kind::Seq { index }, .. }) => Some(format!("{path}[{index}]")),
        }
    }

    /// A node of `nodes` (expanded) nodes was read.
    fn node_done(&mut self, nodes: u64) {
        if let Some(frame) = self.stack.last_mut() {
            frame.nodes = frame.nodes.saturating_add(nodes);
            match &mut frame.kind {
                Kind::Map { key } => *key = None,
                Kind::Seq { index } => *index += 1,
            }
        }
    }

    fn start_container(&mut self, mark: Marker, seq: bool, anchor: usize) -> Result<(), Stop> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Stop::TooDeep { pos: mark.into() });
        }
        // A container used as a map key has no useful path; index it under a placeholder.
        let path = self.value_path().unwrap_or_else(|| "?".into());
        self.index.values.insert(path.clone(), mark.into());
        let kind = if seq { Kind::Seq { index: 0 } } else { Kind::Map { key: None } };
        self.stack.push(Frame { path, kind, anchor, nodes: 1 });
        Ok(())
    }

    fn on_event(&mut self, ev: Event, mark: Marker) -> Result<(), Stop> {
        match ev {
            Event::Scalar(text, _, anchor, _) => {
                if anchor != 0 {
                    self.anchored.insert(anchor, 1);
                }
                match self.value_path() {
                    Some(path) => {
                        self.index.values.insert(path, mark.into());
                        self.node_done(1);
                    }
                    None => {
                        if let Some(Frame { path, kind: Kind::Map { key }, nodes, .. }) = self.stack.last_mut() {
                            let text = if text.len() > MAX_INDEXED_KEY { "?".to_owned() } else { text };
                            self.index.keys.insert(join(path, &text), mark.into());
                            *key = Some(text);
                            *nodes = nodes.saturating_add(1);
                        }
                    }
                }
            }
            Event::Alias(anchor) => {
                let nodes = self.anchored.get(&anchor).copied().unwrap_or(1);
                self.alias_nodes = self.alias_nodes.saturating_add(nodes);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(Stop::AliasExpansion { pos: mark.into() });
                }
                match self.value_path() {
                    Some(path) => {
                        self.index.values.insert(path, mark.into());
                        self.node_done(nodes);
                    }
                    // An alias used as a key: the key is not indexed, the entry still counts.
                    None => {
                        if let Some(Frame { kind: Kind::Map { key }, nodes: count, .. }) = self.stack.last_mut() {
                            *key = Some("?".into());
                            *count = count.saturating_add(nodes);
                        }
                    }
                }
            }
            Event::SequenceStart(anchor, _) => self.start_container(mark, true, anchor)?,
            Event::MappingStart(anchor, _) => self.start_container(mark, false, anchor)?,
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(frame) = self.stack.pop() {
                    if frame.anchor != 0 {
                        self.anchored.insert(frame.anchor, frame.nodes);
                    }
                    // A container that was a map key completes the key, not the entry.
                    if frame.path == "?" {
                        if let Some(Frame { kind: Kind::Map { key }, nodes, .. }) = self.stack.last_mut() {
                            if key.is_none() {
                                *key = Some("?".into());
                                *nodes = nodes.saturating_add(frame.nodes);
                                return Ok(());
                            }
                        }
                    }
                    self.node_done(frame.nodes);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> PositionIndex {
        let (index, stop) = PositionIndex::build(text);
        assert_eq!(stop, None);
        index
    }

    #[test]
    fn indexes_keys_values_and_sequences() {
        let text = "a:\n  b: 1\n  list:\n    - x\n    - {k: v}\n";
        let index = index(text);
        assert_eq!(index.find("a.b"), Some(Pos { line: 2, col: 3 }));
        assert_eq!(index.find_value("a.b"), Some(Pos { line: 2, col: 6 }));
        assert_eq!(index.find("a.list[1].k"), Some(Pos { line: 5, col: 8 }));
        assert_eq!(index.find_value("a.list[0]"), Some(Pos { line: 4, col: 7 }));
        // Unknown paths fall back to the nearest known ancestor.
        assert_eq!(index.find("a.list[1].missing"), Some(Pos { line: 5, col: 7 }));
    }

    #[test]
    fn a_container_used_as_a_key_does_not_shift_the_entries_after_it() {
        let index = index("a:\n  ? [x]\n  : 1\n  b: 2\n");
        assert_eq!(index.find("a.b"), Some(Pos { line: 4, col: 3 }));
    }

    #[test]
    fn a_tab_that_yaml_rust2_refuses_keeps_its_positions() {
        // libyaml reads `\t` after `key:` as a separator; yaml-rust2 0.10 refuses it.
        let text = "a:\n  b:\tx\n  c: 2\n";
        let (index, stop) = PositionIndex::build(text);
        assert_eq!(stop, None);
        assert_eq!(index.find("a.c"), Some(Pos { line: 3, col: 3 }));
    }

    #[test]
    fn stops_at_the_first_node_nested_too_deep() {
        let text: String = (0..10_000).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        let (_, stop) = PositionIndex::build(&text);
        // The mapping under `k63:` is the 65th; yaml-rust2 marks a block mapping at the `:`
        // of its first key, `k64:` on line 65.
        assert_eq!(stop, Some(Stop::TooDeep { pos: Pos { line: MAX_DEPTH + 1, col: MAX_DEPTH + 4 } }));
        let flow = format!("a: {}1{}\n", "[".repeat(10_000), "]".repeat(10_000));
        let (_, stop) = PositionIndex::build(&flow);
        assert!(matches!(stop, Some(Stop::TooDeep { .. })), "{stop:?}");
    }

    #[test]
    fn stops_at_the_alias_that_expands_too_far() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            text.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
        }
        let (_, stop) = PositionIndex::build(&text);
        let Some(Stop::AliasExpansion { pos }) = stop else { panic!("{stop:?}") };
        // a0 is 11 nodes, a1 111, a2 1,111, a3 11,111: their aliases add 12,330 nodes, and
        // the eighth alias of `a4` (line 5) takes the total past 100,000.
        assert_eq!(pos, Pos { line: 5, col: 10 + 7 * 5 });
    }

    #[test]
    fn a_few_aliases_are_fine() {
        let index = index("base: &b {x: 1}\nuse: *b\nalso: *b\n");
        assert_eq!(index.find_value("also"), Some(Pos { line: 3, col: 7 }));
    }

    #[test]
    fn a_syntax_error_keeps_what_came_before() {
        let (index, stop) = PositionIndex::build("a: 1\nb: [\n");
        assert!(matches!(stop, Some(Stop::Syntax { .. })), "{stop:?}");
        assert_eq!(index.find("a"), Some(Pos { line: 1, col: 1 }));
    }
}
