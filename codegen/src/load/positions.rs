//! Where each node of a YAML file sits, keyed by its dotted spec path
//! (`operations.get_user.params.username`, `examples[0].response`).

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

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

/// Positions of the keys and values of one file.
#[derive(Debug, Default)]
pub struct PositionIndex {
    keys: HashMap<String, Pos>,
    values: HashMap<String, Pos>,
}

impl PositionIndex {
    /// Indexes `text`; a file that does not parse yields an empty index (the syntax error is
    /// reported by the loader).
    pub fn build(text: &str) -> PositionIndex {
        let mut builder = Builder::default();
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut builder, false).is_err() {
            return PositionIndex::default();
        }
        builder.index
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

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

#[derive(Default)]
struct Builder {
    index: PositionIndex,
    stack: Vec<Frame>,
}

impl Builder {
    /// The path of the value about to be read, or None when a key is about to be read.
    fn value_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map { path, key: Some(key) }) => Some(join(path, key)),
            Some(Frame::Seq { path, index }) => Some(format!("{path}[{index}]")),
        }
    }

    fn value_done(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    fn start_container(&mut self, mark: Marker, seq: bool) {
        // A container used as a map key has no useful path; index it under a placeholder.
        let path = self.value_path().unwrap_or_else(|| "?".into());
        self.index.values.insert(path.clone(), mark.into());
        self.stack.push(if seq { Frame::Seq { path, index: 0 } } else { Frame::Map { path, key: None } });
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => match self.value_path() {
                Some(path) => {
                    self.index.values.insert(path, mark.into());
                    self.value_done();
                }
                None => {
                    if let Some(Frame::Map { path, key }) = self.stack.last_mut() {
                        self.index.keys.insert(join(path, &text), mark.into());
                        *key = Some(text);
                    }
                }
            },
            Event::Alias(_) => {
                if let Some(path) = self.value_path() {
                    self.index.values.insert(path, mark.into());
                    self.value_done();
                }
            }
            Event::SequenceStart(..) => self.start_container(mark, true),
            Event::MappingStart(..) => self.start_container(mark, false),
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
                self.value_done();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_keys_values_and_sequences() {
        let text = "a:\n  b: 1\n  list:\n    - x\n    - {k: v}\n";
        let index = PositionIndex::build(text);
        assert_eq!(index.find("a.b"), Some(Pos { line: 2, col: 3 }));
        assert_eq!(index.find_value("a.b"), Some(Pos { line: 2, col: 6 }));
        assert_eq!(index.find("a.list[1].k"), Some(Pos { line: 5, col: 8 }));
        assert_eq!(index.find_value("a.list[0]"), Some(Pos { line: 4, col: 7 }));
        // Unknown paths fall back to the nearest known ancestor.
        assert_eq!(index.find("a.list[1].missing"), Some(Pos { line: 5, col: 7 }));
    }
}
