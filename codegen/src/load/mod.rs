//! Reads `spec/*.yaml` into the raw serde types of [`raw`], one operation or model at a time
//! so that a mistake in one item does not hide mistakes in the others. Every problem becomes
//! a [`Diagnostic`] with its `file:line:col`. This is the only module that knows which YAML
//! crate parses the files.

pub mod limits;
pub mod positions;
pub mod raw;
pub mod syntax;

use std::collections::BTreeSet;
use std::io::Read as _;
use std::path::Path;

use indexmap::IndexMap;
use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use positions::PositionIndex;

/// One spec file: its name (as shown in diagnostics), text and node positions.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
    positions: PositionIndex,
}

/// An operation, model or api section, with the file and spec path it came from.
#[derive(Debug)]
pub struct Item<T> {
    pub name: String,
    pub file: usize,
    pub path: String,
    pub value: T,
}

/// Everything the files contain, before any semantic check.
#[derive(Debug, Default)]
pub struct Loaded {
    pub files: Vec<SourceFile>,
    pub api: Vec<Item<raw::Api>>,
    pub operations: Vec<Item<raw::Operation>>,
    pub models: Vec<Item<raw::Model>>,
    /// `callbacks:` sections (one is allowed), without their events.
    pub callbacks: Vec<Item<raw::Callbacks>>,
    /// The events of every `callbacks:` section.
    pub events: Vec<Item<raw::Event>>,
    /// Model names that are declared but could not be read (their file or their own entry
    /// has an error already reported): references to them are not errors of their own.
    pub unavailable_models: BTreeSet<String>,
    /// Whether some file, operation or model could not be read, so that checks needing the
    /// whole spec (an `api` section somewhere, the other variants of a route) would only
    /// report what follows from that error.
    pub partial: bool,
}

/// Where an item (or a node inside it) is: a file and a spec path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: usize,
    pub path: String,
}

impl Loaded {
    /// The location of the key (or value) at `origin`.
    pub fn locate(&self, origin: &Origin) -> Option<Location> {
        let file = self.files.get(origin.file)?;
        let pos = file.positions.find(&origin.path)?;
        Some(Location { file: file.name.clone(), line: pos.line, col: pos.col })
    }

    /// The location of the value at `origin`.
    pub fn locate_value(&self, origin: &Origin) -> Option<Location> {
        let file = self.files.get(origin.file)?;
        let pos = file.positions.find_value(&origin.path)?;
        Some(Location { file: file.name.clone(), line: pos.line, col: pos.col })
    }

    /// The text of the file called `name`, for rendering snippets.
    pub fn source(&self, name: &str) -> Option<&str> {
        self.files.iter().find(|f| f.name == name).map(|f| f.text.as_str())
    }
}

/// Reads every `*.yaml` file of `dir`, in name order. `display_dir` is how the folder is
/// shown in diagnostics (e.g. `spec`). Only listing the folder can fail: a file that cannot
/// be read is a diagnostic naming it, and no file is read past [`limits::MAX_FILE_BYTES`].
pub fn load_dir(dir: &Path, display_dir: &str) -> std::io::Result<(Loaded, Diagnostics)> {
    let mut names: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    names.sort();
    let mut loaded = Loaded::default();
    let mut diags = Diagnostics::default();
    for path in names {
        let file_name = path.file_name().unwrap_or_default().to_string_lossy();
        let name = format!("{display_dir}/{file_name}");
        let mut bytes = Vec::new();
        let read = std::fs::File::open(&path).and_then(|file| {
            let len = file.metadata()?.len();
            file.take(limits::MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes)?;
            Ok(len)
        });
        match read {
            Ok(len) => add_file(&mut loaded, &mut diags, name, bytes, len),
            Err(err) => {
                loaded.partial = true;
                diags.push(Diagnostic {
                    location: None,
                    spec_path: String::new(),
                    message: format!("cannot read {name}: {err}"),
                    help: Some("check that the file exists and is readable".into()),
                });
            }
        }
    }
    limit_models(&mut loaded, &mut diags);
    Ok((loaded, diags))
}

/// Parses in-memory files (name, text).
pub fn load_sources(sources: Vec<(String, String)>) -> (Loaded, Diagnostics) {
    load_bytes(sources.into_iter().map(|(name, text)| (name, text.into_bytes())).collect())
}

/// Parses in-memory files (name, content), which need not be UTF-8.
pub fn load_bytes(sources: Vec<(String, Vec<u8>)>) -> (Loaded, Diagnostics) {
    let mut loaded = Loaded::default();
    let mut diags = Diagnostics::default();
    for (name, bytes) in sources {
        let len = bytes.len() as u64;
        add_file(&mut loaded, &mut diags, name, bytes, len);
    }
    limit_models(&mut loaded, &mut diags);
    (loaded, diags)
}

/// Checks a file's size and encoding, indexes it (within the nesting and alias limits),
/// then decodes it; a file that fails a check is kept for its snippets only.
/// `len` is the file's full length; `bytes` may stop after [`limits::MAX_FILE_BYTES`] + 1.
fn add_file(loaded: &mut Loaded, diags: &mut Diagnostics, name: String, bytes: Vec<u8>, len: u64) {
    let index = loaded.files.len();
    let refuse = |loaded: &mut Loaded, diags: &mut Diagnostics, text: String, diagnostic: Diagnostic| {
        diags.push(diagnostic);
        loaded.unavailable_models.extend(limits::declared_names(&text));
        loaded.partial = true;
        loaded.files.push(SourceFile { name: name.clone(), text, positions: PositionIndex::default() });
    };
    if bytes.len() > limits::MAX_FILE_BYTES {
        let diagnostic = limits::too_large(&name, &bytes, len);
        let head = String::from_utf8_lossy(&bytes[..limits::MAX_FILE_BYTES]).into_owned();
        return refuse(loaded, diags, head, diagnostic);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let diagnostic = limits::not_utf8(&name, err.as_bytes(), err.utf8_error().valid_up_to());
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            return refuse(loaded, diags, text, diagnostic);
        }
    };
    let (positions, stop) = PositionIndex::build(&text);
    if let Some(stop) = stop {
        // serde_yaml is not given a file the scan could not vouch for: past the stop, its
        // nesting and aliases are unknown.
        let diagnostic = limits::stopped(&name, &text, &stop);
        diags.push(diagnostic);
        loaded.unavailable_models.extend(limits::declared_names(&text));
        loaded.partial = true;
        loaded.files.push(SourceFile { name, text, positions });
        return;
    }
    loaded.files.push(SourceFile { name, text, positions });
    load_file(loaded, index, diags);
}

/// Keeps the first [`limits::MAX_MODELS`] models.
fn limit_models(loaded: &mut Loaded, diags: &mut Diagnostics) {
    if loaded.models.len() <= limits::MAX_MODELS {
        return;
    }
    let first = &loaded.models[limits::MAX_MODELS];
    let origin = Origin { file: first.file, path: first.path.clone() };
    diags.push(limits::too_many_models(loaded.locate(&origin), &first.path));
    let dropped = loaded.models.split_off(limits::MAX_MODELS);
    loaded.unavailable_models.extend(dropped.into_iter().map(|item| item.name));
    loaded.partial = true;
}

fn load_file(loaded: &mut Loaded, file: usize, diags: &mut Diagnostics) {
    let source = &loaded.files[file];
    let parsed: Result<serde_yaml::Value, _> = serde_yaml::from_str(&source.text);
    let doc = match parsed {
        Ok(doc) => doc,
        Err(err) => {
            let message = err.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
            let (line, col) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
            let explained = syntax::explain(&source.text, line, col, &message);
            diags.push(Diagnostic {
                location: Some(Location { file: source.name.clone(), line: explained.line, col: explained.col }),
                spec_path: String::new(),
                message: explained.message,
                help: Some(explained.help),
            });
            let names = limits::declared_names(&source.text);
            loaded.unavailable_models.extend(names);
            loaded.partial = true;
            return;
        }
    };
    let top = match doc {
        serde_yaml::Value::Mapping(map) => map,
        serde_yaml::Value::Null => return,
        _ => {
            loaded.partial = true;
            let origin = Origin { file, path: String::new() };
            diags.push(Diagnostic {
                location: loaded.locate(&origin),
                spec_path: String::new(),
                message: "a spec file must be a map with the keys `api`, `operations` and `models`".into(),
                help: Some("start the file with `operations:` or `models:`".into()),
            });
            return;
        }
    };
    for (key, value) in top {
        let key = key_text(&key);
        match key.as_str() {
            "api" => match decode(loaded, file, "api", value, diags) {
                Some(value) => loaded.api.push(Item { name: "api".into(), file, path: "api".into(), value }),
                None => loaded.partial = true,
            },
            "operations" => {
                for (name, value) in entries(loaded, file, "operations", value, diags) {
                    let path = format!("operations.{name}");
                    match decode(loaded, file, &path, value, diags) {
                        Some(value) => loaded.operations.push(Item { name, file, path, value }),
                        None => loaded.partial = true,
                    }
                }
            }
            "callbacks" => load_callbacks(loaded, file, value, diags),
            "models" => {
                for (name, value) in entries(loaded, file, "models", value, diags) {
                    let path = format!("models.{name}");
                    match decode(loaded, file, &path, value, diags) {
                        Some(value) => loaded.models.push(Item { name, file, path, value }),
                        None => {
                            loaded.unavailable_models.insert(name);
                            loaded.partial = true;
                        }
                    }
                }
            }
            _ => {
                // Perhaps a misspelt `api`, `operations` or `models`: what it holds is missing.
                loaded.partial = true;
                diags.push(Diagnostic {
                    location: loaded.locate(&Origin { file, path: key.clone() }),
                    spec_path: key.clone(),
                    message: format!("unknown top-level key `{key}`"),
                    help: Some(crate::diagnostic::did_you_mean(&key, ["api", "operations", "models", "callbacks"], || {
                        "a spec file has only `api`, `operations`, `models` and `callbacks`".into()
                    })),
                });
            }
        }
    }
}

/// The `callbacks:` section: its settings as one item, its events one at a time.
fn load_callbacks(loaded: &mut Loaded, file: usize, value: serde_yaml::Value, diags: &mut Diagnostics) {
    let mut section = match value {
        serde_yaml::Value::Mapping(map) => map,
        _ => {
            loaded.partial = true;
            diags.push(Diagnostic {
                location: loaded.locate_value(&Origin { file, path: "callbacks".into() }),
                spec_path: "callbacks".into(),
                message: "`callbacks` must be a map with `doc`, `group`, `common` and `events`".into(),
                help: Some("see spec/README.md, Callbacks".into()),
            });
            return;
        }
    };
    let events = section.remove("events").unwrap_or(serde_yaml::Value::Null);
    match decode(loaded, file, "callbacks", serde_yaml::Value::Mapping(section), diags) {
        Some(value) => loaded.callbacks.push(Item { name: "callbacks".into(), file, path: "callbacks".into(), value }),
        None => loaded.partial = true,
    }
    for (name, value) in entries(loaded, file, "callbacks.events", events, diags) {
        let path = format!("callbacks.events.{name}");
        match decode(loaded, file, &path, value, diags) {
            Some(value) => loaded.events.push(Item { name, file, path, value }),
            None => loaded.partial = true,
        }
    }
}

fn key_text(key: &serde_yaml::Value) -> String {
    match key {
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_owned(),
    }
}

/// The entries of a `operations:` or `models:` map.
fn entries(
    loaded: &Loaded,
    file: usize,
    path: &str,
    value: serde_yaml::Value,
    diags: &mut Diagnostics,
) -> IndexMap<String, serde_yaml::Value> {
    match value {
        serde_yaml::Value::Mapping(map) => map.into_iter().map(|(k, v)| (key_text(&k), v)).collect(),
        serde_yaml::Value::Null => IndexMap::new(),
        _ => {
            diags.push(Diagnostic {
                location: loaded.locate_value(&Origin { file, path: path.into() }),
                spec_path: path.into(),
                message: format!("`{path}` must be a map keyed by name"),
                help: Some(format!("write `{path}:` followed by indented `name:` entries")),
            });
            IndexMap::new()
        }
    }
}

/// Deserializes one item, turning the first error inside it into a located diagnostic.
fn decode<T: DeserializeOwned>(
    loaded: &Loaded,
    file: usize,
    path: &str,
    value: serde_yaml::Value,
    diags: &mut Diagnostics,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(value) => Some(value),
        Err(err) => {
            let mut inner = String::from(path);
            for segment in err.path().iter() {
                match segment {
                    serde_path_to_error::Segment::Seq { index } => inner.push_str(&format!("[{index}]")),
                    serde_path_to_error::Segment::Map { key } => {
                        inner.push('.');
                        inner.push_str(key);
                    }
                    _ => {}
                }
            }
            let message = err.inner().to_string();
            let help = help_for_serde_error(&message);
            let origin = Origin { file, path: inner.clone() };
            let location = if message.starts_with("invalid type") || message.starts_with("unknown variant") {
                loaded.locate_value(&origin)
            } else {
                loaded.locate(&origin)
            };
            diags.push(Diagnostic { location, spec_path: inner, message, help: Some(help) });
            None
        }
    }
}

/// For `unknown field `x`, expected one of `a`, `b`` (and `unknown variant`): the name
/// written and the names allowed.
fn unknown_and_expected(message: &str) -> Option<(&str, Vec<&str>)> {
    let mut quoted = message.split('`').skip(1).step_by(2);
    let unknown = quoted.next()?;
    Some((unknown, quoted.collect()))
}

fn help_for_serde_error(message: &str) -> String {
    let suggestion = unknown_and_expected(message).and_then(|(unknown, expected)| crate::diagnostic::closest(unknown, expected));
    if let Some(name) = suggestion.filter(|_| message.starts_with("unknown field") || message.starts_with("unknown variant")) {
        format!("did you mean `{name}`?")
    } else if message.starts_with("unknown field") {
        "remove the key or correct its spelling (see spec/README.md for the keys allowed here)".into()
    } else if let Some(rest) = message.strip_prefix("missing field ") {
        format!("add {rest}, which is required here")
    } else if message.starts_with("unknown variant") {
        "use one of the values listed".into()
    } else if message.starts_with("invalid type") {
        "write a value of the expected type".into()
    } else {
        "see spec/README.md for the expected form".into()
    }
}
