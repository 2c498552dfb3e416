//! An operation's command line turned into the values its typed call takes: each argument
//! becomes JSON of its kind, then the client's own model through serde, so the command line
//! is checked by the same types as a Rust caller's values.

use std::io::Read;

use clap::ArgMatches;
use easemob_im::files::FileSource;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::exit::Failure;
use crate::table::{Arg, Body, Kind, Operation, Place, Response};

/// The id of the positional that stands for [`Operation::text_arg`](crate::table::Operation::text_arg).
pub const TEXT_POSITIONAL: &str = "TEXT";

/// The largest `--body` read, file or standard input.
const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// The parsed command line of one operation.
pub struct Args<'a> {
    operation: &'static Operation,
    global: &'a ArgMatches,
    matches: &'a ArgMatches,
}

impl<'a> Args<'a> {
    pub fn new(operation: &'static Operation, global: &'a ArgMatches, matches: &'a ArgMatches) -> Args<'a> {
        Args { operation, global, matches }
    }

    pub fn operation(&self) -> &'static Operation {
        self.operation
    }

    /// `--all` was given (paged operations only).
    pub fn all(&self) -> bool {
        self.operation.paged && self.matches.get_flag("all")
    }

    pub fn raw(&self) -> bool {
        self.global.get_flag("raw")
    }

    pub fn pretty(&self) -> bool {
        self.global.get_flag("pretty")
    }

    /// `--output FILE`, for a download.
    pub fn output(&self) -> Option<&str> {
        match self.operation.response {
            Response::Binary => self.matches.get_one::<String>("output").map(String::as_str),
            Response::Json => None,
        }
    }

    /// Fails before anything is sent when a download has nowhere to go.
    pub fn check_output(&self) -> Result<(), Failure> {
        use std::io::IsTerminal;
        if self.operation.response == Response::Binary && self.output().is_none() && std::io::stdout().is_terminal() {
            return Err(Failure::usage("the answer is file content: pass --output FILE, or redirect standard output"));
        }
        Ok(())
    }

    /// A required argument as `T`.
    pub fn get<T: DeserializeOwned>(&self, id: &str) -> Result<T, Failure> {
        self.opt(id)?.ok_or_else(|| Failure::usage(format!("{} is required", shown(self.operation.arg(id)))))
    }

    /// An optional argument as `T`, if given.
    pub fn opt<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, Failure> {
        let arg = self.operation.arg(id);
        let Some(value) = self.value(arg)? else { return Ok(None) };
        serde_json::from_value(value).map(Some).map_err(|e| Failure::usage(format!("{}: {e}", shown(arg))))
    }

    /// A required file part.
    pub fn file(&self, id: &str) -> Result<FileSource, Failure> {
        self.opt_file(id)?.ok_or_else(|| Failure::usage(format!("{} is required", shown(self.operation.arg(id)))))
    }

    pub fn opt_file(&self, id: &str) -> Result<Option<FileSource>, Failure> {
        let Some(path) = self.matches.get_one::<String>(id) else { return Ok(None) };
        if !std::path::Path::new(path).is_file() {
            return Err(Failure::refused(format!("{}: {path} is not a readable file", shown(self.operation.arg(id)))));
        }
        Ok(Some(FileSource::path(path)))
    }

    /// The request body: `--body` (a file or standard input), overlaid by the field flags,
    /// with the values the operation fixes; then checked by decoding it as `T`.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Failure> {
        let mut body = match self.matches.get_one::<String>("body") {
            Some(source) => read_body(source)?,
            None => match self.operation.body {
                Body::Object { .. } => Value::Object(Map::new()),
                _ if self.operation.args.iter().any(|a| a.place == Place::Entry) => Value::Object(Map::new()),
                _ => return Err(Failure::usage("this operation's body is JSON: pass --body FILE, or --body - to read standard input")),
            },
        };
        for arg in self.operation.args {
            match arg.place {
                Place::Field(path) => {
                    if let Some(value) = self.value(arg)? {
                        set(&mut body, path, value)?;
                    }
                }
                Place::Entry => {
                    for entry in self.matches.get_many::<String>(arg.id).into_iter().flatten() {
                        let (key, value) = entry.split_once('=').ok_or_else(|| Failure::usage(format!("--{} {entry}: expected KEY=VALUE", arg.id)))?;
                        set(&mut body, &[key], Value::String(value.to_owned()))?;
                    }
                }
                _ => {}
            }
        }
        if let Body::Object { fixed } = self.operation.body {
            for (path, json) in fixed {
                let value = serde_json::from_str(json).expect("the generator writes fixed values as JSON");
                set(&mut body, path, value)?;
            }
        }
        serde_path_to_error::deserialize(body).map_err(|e| {
            let path = e.path().to_string();
            // A missing field is reported at the object that lacks it: name the field itself.
            let message = e.inner().to_string();
            let missing = message.strip_prefix("missing field `").and_then(|rest| rest.split('`').next());
            let wanted = match (missing, path.as_str()) {
                (Some(field), ".") => field.to_owned(),
                (Some(field), _) => format!("{path}.{field}"),
                (None, _) => path.clone(),
            };
            let flag = self.operation.args.iter().find(|a| {
                matches!(a.place, Place::Field(p) if p.join(".") == wanted || p.first() == Some(&wanted.as_str()) || p.join(".").starts_with(&format!("{wanted}.")))
            });
            let hint = match flag {
                Some(arg) => format!("; set it with --{}, or in --body", arg.id),
                None => String::new(),
            };
            let at = if path == "." { String::new() } else { format!(" at `{path}`") };
            Failure::usage(format!("the request body is not valid{at}: {}{hint}", e.inner()))
        })
    }

    /// The argument's values as JSON of its kind: a list for list arguments.
    fn value(&self, arg: &Arg) -> Result<Option<Value>, Failure> {
        let texts = match self.matches.get_many::<String>(arg.id) {
            Some(texts) => texts,
            None if self.operation.text_arg == Some(arg.id) => match self.matches.get_many::<String>(TEXT_POSITIONAL) {
                Some(texts) => texts,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        let values = texts.map(|text| to_json(arg, text)).collect::<Result<Vec<_>, _>>()?;
        Ok(Some(if arg.list { Value::Array(values) } else { values.into_iter().next().unwrap_or(Value::Null) }))
    }
}

/// `--limit` for a flag, `<USERNAME>` for a positional.
fn shown(arg: &Arg) -> String {
    match arg.place {
        Place::Path => format!("<{}>", arg.id.to_uppercase().replace('-', "_")),
        _ => format!("--{}", arg.id),
    }
}

fn to_json(arg: &Arg, text: &str) -> Result<Value, Failure> {
    let bad = |what: &str| Failure::usage(format!("{}: `{text}` is not {what}", shown(arg)));
    Ok(match arg.kind {
        Kind::Text | Kind::File => Value::String(text.to_owned()),
        Kind::Integer => Value::from(text.parse::<i64>().map_err(|_| bad("an integer"))?),
        Kind::Number => serde_json::Number::from_f64(text.parse::<f64>().map_err(|_| bad("a number"))?).map(Value::Number).ok_or_else(|| bad("a finite number"))?,
        Kind::Boolean => Value::Bool(text.parse::<bool>().map_err(|_| bad("true or false"))?),
        Kind::Json => serde_json::from_str(text).map_err(|e| Failure::usage(format!("{}: not JSON: {e}", shown(arg))))?,
    })
}

/// Puts `value` at `path` of `body`, making the objects on the way.
fn set(body: &mut Value, path: &[&str], value: Value) -> Result<(), Failure> {
    let mut at = body;
    for (depth, key) in path.iter().enumerate() {
        let Value::Object(object) = at else {
            return Err(Failure::usage(format!("the request body has no object at `{}` to set `{key}` in", path[..depth].join("."))));
        };
        if depth + 1 == path.len() {
            object.insert((*key).to_owned(), value);
            return Ok(());
        }
        at = object.entry(*key).or_insert_with(|| Value::Object(Map::new()));
    }
    Ok(())
}

/// `--body FILE`, or `-` for standard input, parsed as JSON.
fn read_body(source: &str) -> Result<Value, Failure> {
    let mut text = Vec::new();
    let read = if source == "-" {
        std::io::stdin().lock().take(MAX_BODY_BYTES + 1).read_to_end(&mut text)
    } else {
        std::fs::File::open(source).and_then(|file| file.take(MAX_BODY_BYTES + 1).read_to_end(&mut text))
    };
    let name = if source == "-" { "standard input" } else { source };
    read.map_err(|e| Failure::refused(format!("--body: cannot read {name}: {e}")))?;
    if text.len() as u64 > MAX_BODY_BYTES {
        return Err(Failure::usage(format!("--body: {name} is over {} MiB", MAX_BODY_BYTES / 1024 / 1024)));
    }
    serde_json::from_slice(&text).map_err(|e| Failure::usage(format!("--body: {name} is not JSON: {e}")))
}
