//! What the generated tables say about each operation: enough to build its subcommand and
//! to turn the command line into the typed request (see `gen/`).

/// One operation of the spec as a subcommand.
#[derive(Debug)]
pub struct Operation {
    /// The spec's operation id, e.g. `get_user`.
    pub id: &'static str,
    /// The subcommand, e.g. `get` (under `users`).
    pub name: &'static str,
    /// Former operation ids (kebab-case), still accepted as hidden aliases.
    pub former: &'static [&'static str],
    /// Why the spec deprecates it; empty when it does not.
    pub deprecated: &'static str,
    /// The spec's summary.
    pub about: &'static str,
    /// Everything the spec says of it: summary, Chinese name, route, description, rate limit.
    pub long_about: &'static str,
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// Relative to `/{org_name}/{app_name}`.
    pub path: &'static str,
    /// Deletes, removes, bans, blocks, recalls or disconnects: asks before sending.
    pub destructive: bool,
    /// Has `--all`, streaming every item of every page.
    pub paged: bool,
    /// What the answer is.
    pub response: Response,
    /// How the request body is given.
    pub body: Body,
    /// The flag (a required text field nested in the body, such as a message's text) that
    /// may also be given as the last positional argument.
    pub text_arg: Option<&'static str>,
    /// Positionals, then flags, in spec order.
    pub args: &'static [Arg],
}

impl Operation {
    /// The argument with this id. The generated code only asks for ids it declared.
    pub fn arg(&self, id: &str) -> &'static Arg {
        self.args.iter().find(|a| a.id == id).unwrap_or_else(|| panic!("`{}` has no argument `{id}`", self.id))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// A JSON document, printed as JSON.
    Json,
    /// File content, written to `--output` or standard output.
    Binary,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// No request body.
    None,
    /// A JSON object (or form fields): `--body FILE|-`, overlaid by one flag per field.
    Object {
        /// Values the operation fixes (the message `type`), as (wire path, JSON text).
        fixed: &'static [(&'static [&'static str], &'static str)],
    },
    /// A JSON array or map: `--body FILE|-` (or, for a map of text, `--set KEY=VALUE`).
    Other,
    /// A multipart upload: one flag per part, the file a path.
    Multipart,
}

/// One positional or flag.
#[derive(Debug)]
pub struct Arg {
    /// The flag (without `--`) or the positional's name; the id the generated code asks for.
    pub id: &'static str,
    pub place: Place,
    pub kind: Kind,
    /// Takes several values (repeated, or separated by commas).
    pub list: bool,
    /// The command line must give it (path parameters, required query parameters, files).
    pub required: bool,
    /// The documented values, when the type is an enum: clap completes and checks them.
    pub values: &'static [&'static str],
    /// One line.
    pub help: &'static str,
    /// The spec's whole doc, with limits and defaults.
    pub long_help: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// A path parameter: positional.
    Path,
    /// A query or header parameter.
    Param,
    /// A field of the JSON (or form) body, at this wire path.
    Field(&'static [&'static str]),
    /// `--set KEY=VALUE` entries of a map body.
    Entry,
    /// A multipart part (the generated code reads it).
    Part,
}

/// How a value is read from the command line, and what JSON it becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    Number,
    Boolean,
    /// Any JSON value, given as JSON text.
    Json,
    /// A path to a file to upload.
    File,
}

/// One resource group: a subcommand holding one subcommand per operation.
#[derive(Debug)]
pub struct Group {
    /// `users`, `chatrooms`, ...
    pub name: &'static str,
    pub about: &'static str,
    pub operations: &'static [Operation],
}
