//! `cli/src/gen/`: the `easemob` command line. Per resource group, a table describing each
//! operation's subcommand (name, help, positionals and flags, body, response) and one
//! function that turns a parsed command line into the generated client's typed call.
//! The hand-written runtime beside it (`cli/src/`) builds the clap commands from the tables.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::{client_type, ident};
use crate::ir::{Crate, EnumIr, FieldIr, Group, ModelIr, OperationIr, ParamIr, ResponseIr, RustType, StructIr};
use crate::model::{Encoding, Location};

/// Flags every operation's command has already (global options and the per-kind ones):
/// a field or parameter that would take one of these names gets a suffix instead.
pub const RESERVED_FLAGS: &[&str] = &[
    "help", "version", "profile", "config", "base-url", "app-key", "org", "app", "client-id", "client-secret", "timeout", "mock", "yes", "raw",
    "pretty", "body", "set", "all", "output",
];

/// Operation ids whose first word makes them destructive, besides every `DELETE`.
const DESTRUCTIVE_VERBS: &[&str] = &["delete", "remove", "ban", "block", "disconnect", "recall", "deactivate", "disable", "force"];

/// `gen/mod.rs`: the group modules and their list.
pub fn emit_index(krate: &Crate) -> TokenStream {
    let modules = krate.groups.iter().map(|g| {
        let module = ident(&g.module);
        quote!(pub mod #module;)
    });
    let groups = krate.groups.iter().map(|g| {
        let module = ident(&g.module);
        let name = g.module.replace('_', "-");
        let names = command_names(g);
        let shown: Vec<&str> = names.iter().take(4).map(String::as_str).collect();
        let more = if names.len() > shown.len() { ", ..." } else { "" };
        let count = if names.len() == 1 { "1 operation".to_owned() } else { format!("{} operations", names.len()) };
        let about = format!("{count}: {}{more}", shown.join(", "));
        quote!(crate::table::Group { name: #name, about: #about, operations: &#module::OPERATIONS })
    });
    let arms = krate.groups.iter().map(|g| {
        let module = ident(&g.module);
        let name = g.module.replace('_', "-");
        quote!(#name => #module::call(client, args).await,)
    });
    let count = proc_macro2::Literal::usize_unsuffixed(krate.groups.len());
    quote! {
        //! The command line's tables and calls, one module per resource group.
        // Generated code keeps using what the spec deprecates; callers get the warnings.
        #![allow(deprecated)]

        #(#modules)*

        /// Every resource group, sorted by name.
        pub static GROUPS: [crate::table::Group; #count] = [#(#groups),*];

        /// Sends the operation `args` names, in the group named `group`.
        pub async fn call(group: &str, client: &::easemob_im::Client, args: &crate::args::Args<'_>) -> ::std::result::Result<crate::send::Outcome, crate::exit::Failure> {
            match group {
                #(#arms)*
                other => ::std::unreachable!("`{other}` is not a group"),
            }
        }
    }
}

/// `gen/<group>.rs`: the group's table and its calls.
pub fn emit_group(krate: &Crate, group: &Group) -> TokenStream {
    let names = command_names(group);
    let commands: Vec<Command> = group.operations.iter().zip(names).map(|(op, name)| Command::new(krate, op, name)).collect();
    let table = commands.iter().map(Command::table_entry);
    let arms = commands.iter().map(|c| c.call_arm(group));
    let count = proc_macro2::Literal::usize_unsuffixed(commands.len());
    let doc = format!(" The `{}` operations, sorted by operation id.", group.module);
    quote! {
        //! One subcommand per operation of the group.
        use crate::table::{Arg, Body, Kind, Operation, Place, Response};

        #[doc = #doc]
        pub static OPERATIONS: [Operation; #count] = [#(#table),*];

        /// Sends the operation `args` names, built from its arguments.
        pub async fn call(client: &::easemob_im::Client, args: &crate::args::Args<'_>) -> ::std::result::Result<crate::send::Outcome, crate::exit::Failure> {
            match args.operation().id {
                #(#arms)*
                other => ::std::unreachable!("`{other}` is not an operation of this group"),
            }
        }
    }
}

/// The subcommand of each operation: its id without the group's noun (`users get` for
/// `get_user`, `groups list-members` for `list_group_members`), or the whole id where
/// that would be empty or taken twice.
pub fn command_names(group: &Group) -> Vec<String> {
    let noun = singular(&group.module);
    let short: Vec<String> = group.operations.iter().map(|op| op.id.split('_').filter(|w| *w != noun).collect::<Vec<_>>().join("-")).collect();
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for name in &short {
        *seen.entry(name.as_str()).or_default() += 1;
    }
    let full: BTreeSet<String> = group.operations.iter().map(|op| op.id.replace('_', "-")).collect();
    group
        .operations
        .iter()
        .zip(&short)
        .map(|(op, name)| {
            // A short name may not be another operation's full name either.
            let own = op.id.replace('_', "-");
            if name.is_empty() || seen[name.as_str()] > 1 || (full.contains(name) && *name != own) {
                own
            } else {
                name.clone()
            }
        })
        .collect()
}

/// `users` → `user`; `push`, `presence` and `metadata` stay.
fn singular(group: &str) -> &str {
    match group.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') => stem,
        _ => group,
    }
}

/// One operation's subcommand, as the emitter builds it.
struct Command<'a> {
    op: &'a OperationIr,
    name: String,
    args: Vec<ArgSpec>,
    body: BodySpec<'a>,
}

struct ArgSpec {
    /// The parameter's or field's Rust name, to find the argument again.
    key: String,
    id: String,
    /// A body field the body requires (the flag itself is optional: `--body` may give it).
    body_required: bool,
    place: PlaceSpec,
    kind: &'static str,
    list: bool,
    required: bool,
    values: Vec<String>,
    help: String,
    long_help: String,
}

enum PlaceSpec {
    Path,
    Param,
    Field(Vec<String>),
    Entry,
    Part,
}

enum BodySpec<'a> {
    None,
    /// A JSON or form object, with the values the operation fixes.
    Object { ty: &'a RustType, fixed: Vec<(Vec<String>, String)> },
    Other(&'a RustType),
    Multipart(&'a StructIr),
}

impl<'a> Command<'a> {
    fn new(krate: &'a Crate, op: &'a OperationIr, name: String) -> Command<'a> {
        let mut taken: BTreeSet<String> = RESERVED_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        let mut args = Vec::new();
        for p in op.required.iter().chain(&op.optional) {
            let required = op.required.iter().any(|r| r.ident == p.ident);
            args.push(param_arg(krate, p, required, &mut taken));
        }
        let body = match &op.body {
            None => BodySpec::None,
            Some(body) => match (&body.ty, body.encoding) {
                (RustType::Model(name), Encoding::Multipart) => {
                    let model = struct_model(krate, name).expect("a multipart body is an object model");
                    for f in &model.fields {
                        let (kind, list, values) = kind_of(krate, &f.ty);
                        let id = free_id(&kebab(&f.ident), &mut taken, kind);
                        let (help, long_help) = field_help(f, kind, f.required);
                        args.push(ArgSpec { key: f.ident.clone(), id, body_required: false, place: PlaceSpec::Part, kind, list, required: f.required, values, help, long_help });
                    }
                    BodySpec::Multipart(model)
                }
                (RustType::Model(name), _) if struct_model(krate, name).is_some() => {
                    let model = struct_model(krate, name).expect("checked just above");
                    let mut fixed = Vec::new();
                    for f in &model.fields {
                        field_args(krate, f, (&[], &[]), f.required, &mut fixed, &mut args, &mut taken);
                    }
                    BodySpec::Object { ty: &body.ty, fixed }
                }
                (RustType::Map(inner), _) if **inner == RustType::String => {
                    let help = "An entry of the body, KEY=VALUE (repeat for more); or give the whole body with --body".to_owned();
                    args.push(ArgSpec { key: "set".to_owned(), id: "set".to_owned(), body_required: false, place: PlaceSpec::Entry, kind: "Text", list: true, required: false, values: Vec::new(), long_help: help.clone(), help });
                    BodySpec::Other(&body.ty)
                }
                (ty, _) => BodySpec::Other(ty),
            },
        };
        Command { op, name, args, body }
    }

    /// The one required text field nested in the body (a message's `body.msg`), which may
    /// also be given as the last positional argument: `send-user-text --to bob "hi"`.
    fn text_arg(&self) -> Option<&str> {
        let mut candidates = self.args.iter().filter(|a| a.body_required && a.kind == "Text" && !a.list && a.values.is_empty() && matches!(&a.place, PlaceSpec::Field(path) if path.len() == 2));
        match (candidates.next(), candidates.next()) {
            (Some(only), None) => Some(&only.id),
            _ => None,
        }
    }

    fn destructive(&self) -> bool {
        self.op.http_method == "DELETE" || DESTRUCTIVE_VERBS.contains(&self.op.id.split('_').next().unwrap_or_default())
    }

    fn table_entry(&self) -> TokenStream {
        let op = self.op;
        let (id, name, method, path) = (&op.id, &self.name, op.http_method, &op.path_template);
        let about = op.docs.first().map_or(String::new(), |l| l.trim().to_owned());
        let long_about = op.docs.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
        // Former ids keep working on the command line, as the client keeps their methods.
        let former: Vec<String> = op.aliases.iter().map(|old| old.replace('_', "-")).collect();
        let deprecated = op.deprecated.clone().unwrap_or_default();
        let text_arg = match self.text_arg() {
            Some(id) => quote!(::std::option::Option::Some(#id)),
            None => quote!(::std::option::Option::None),
        };
        let destructive = self.destructive();
        let paged = op.paging.is_some();
        let response = match op.response {
            ResponseIr::Binary => quote!(Response::Binary),
            _ => quote!(Response::Json),
        };
        let body = match &self.body {
            BodySpec::None => quote!(Body::None),
            BodySpec::Object { fixed, .. } => {
                let fixed = fixed.iter().map(|(path, json)| quote!((&[#(#path),*], #json)));
                quote!(Body::Object { fixed: &[#(#fixed),*] })
            }
            BodySpec::Other(_) => quote!(Body::Other),
            BodySpec::Multipart(_) => quote!(Body::Multipart),
        };
        let args = self.args.iter().map(|a| {
            let (id, list, required, help, long_help) = (&a.id, a.list, a.required, &a.help, &a.long_help);
            let kind = ident(a.kind);
            let values = &a.values;
            let place = match &a.place {
                PlaceSpec::Path => quote!(Place::Path),
                PlaceSpec::Param => quote!(Place::Param),
                PlaceSpec::Field(path) => quote!(Place::Field(&[#(#path),*])),
                PlaceSpec::Entry => quote!(Place::Entry),
                PlaceSpec::Part => quote!(Place::Part),
            };
            quote!(Arg { id: #id, place: #place, kind: Kind::#kind, list: #list, required: #required, values: &[#(#values),*], help: #help, long_help: #long_help })
        });
        quote! {
            Operation {
                id: #id, name: #name, former: &[#(#former),*], deprecated: #deprecated, about: #about, long_about: #long_about, method: #method, path: #path,
                destructive: #destructive, paged: #paged, response: #response, body: #body, text_arg: #text_arg,
                args: &[#(#args),*],
            }
        }
    }

    /// `"get_user" => { ... }`: builds the typed call from the arguments and sends it.
    fn call_arm(&self, group: &Group) -> TokenStream {
        let op = self.op;
        let id = &op.id;
        let module = ident(&group.module);
        let method = ident(&op.method_name);
        let arg_of = |p: &ParamIr| self.args.iter().find(|a| matches!(a.place, PlaceSpec::Path | PlaceSpec::Param) && a.key == p.ident).expect("every parameter has an argument");
        let mut ctor_args: Vec<TokenStream> = op
            .required
            .iter()
            .map(|p| {
                let (ty, id) = (client_type(&p.ty), &arg_of(p).id);
                quote!(args.get::<#ty>(#id)?)
            })
            .collect();
        let body = match &self.body {
            BodySpec::None => None,
            BodySpec::Object { ty, .. } | BodySpec::Other(ty) => {
                let ty = client_type(ty);
                ctor_args.push(quote!(args.body::<#ty>()?));
                None
            }
            BodySpec::Multipart(model) => {
                ctor_args.push(quote!(body));
                Some(self.multipart_body(model))
            }
        };
        let setters = op.optional.iter().map(|p| {
            let (ty, arg) = (client_type(&p.ty), &arg_of(p).id);
            let setter = ident(&p.ident);
            quote!(if let ::std::option::Option::Some(value) = args.opt::<#ty>(#arg)? { call = call.#setter(value); })
        });
        let mutable = if op.optional.is_empty() { quote!() } else { quote!(mut) };
        let all = op.paging.as_ref().map(|_| {
            quote! {
                if args.all() {
                    return crate::send::stream(call.into_stream()).await;
                }
            }
        });
        let send = match &op.response {
            ResponseIr::Json(ty) => {
                let ty = client_type(ty);
                quote!(crate::send::json::<#ty>(client, args, call.into_request()).await)
            }
            _ => quote!(crate::send::binary(client, args, call.into_request()).await),
        };
        quote! {
            #id => {
                #body
                let #mutable call = client.#module().#method(#(#ctor_args),*);
                #(#setters)*
                #all
                #send
            }
        }
    }

    /// `let body = Model::new(required parts)`, then the optional parts.
    fn multipart_body(&self, model: &StructIr) -> TokenStream {
        let name = ident(&model.name);
        let part = |f: &FieldIr| self.args.iter().find(|a| matches!(a.place, PlaceSpec::Part) && a.key == f.ident).expect("every part has an argument");
        let read = |f: &FieldIr, optional: bool| {
            let id = &part(f).id;
            match (&f.ty, optional) {
                (RustType::File, false) => quote!(args.file(#id)?),
                (RustType::File, true) => quote!(args.opt_file(#id)?),
                (ty, false) => {
                    let ty = client_type(ty);
                    quote!(args.get::<#ty>(#id)?)
                }
                (ty, true) => {
                    let ty = client_type(ty);
                    quote!(args.opt::<#ty>(#id)?)
                }
            }
        };
        let required = model.fields.iter().filter(|f| f.required && f.fixed.is_none()).map(|f| read(f, false));
        let optional = model.fields.iter().filter(|f| !f.required).map(|f| {
            let setter = ident(&crate::ir::setter_name(&f.ident));
            let value = read(f, true);
            quote!(if let ::std::option::Option::Some(value) = #value { body = body.#setter(value); })
        });
        let mutable = if model.fields.iter().any(|f| !f.required) { quote!(mut) } else { quote!() };
        quote! {
            let #mutable body = ::easemob_im::models::#name::new(#(#required),*);
            #(#optional)*
        }
    }
}

fn param_arg(krate: &Crate, p: &ParamIr, required: bool, taken: &mut BTreeSet<String>) -> ArgSpec {
    let (kind, list, values) = kind_of(krate, &p.ty);
    let place = if p.location == Location::Path { PlaceSpec::Path } else { PlaceSpec::Param };
    // Positionals and flags share clap's ids, so path parameters take theirs from the same pool.
    let id = free_id(&kebab(&p.ident), taken, kind);
    let help = p.docs.first().map_or(String::new(), |l| l.trim().to_owned());
    let mut long_help = p.docs.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
    if p.location == Location::Header {
        long_help.push_str(&format!("\n\nSent as the `{}` header.", p.wire));
    }
    ArgSpec { key: p.ident.clone(), id, body_required: false, place, kind, list, required, values, help, long_help }
}

/// The flags of one body field: itself, or, for an object field, one per field of that
/// object (`--body-msg` for `body.msg`); deeper objects are given as JSON.
/// `parent` is the wire path and the Rust names of the enclosing fields.
fn field_args(krate: &Crate, f: &FieldIr, parent: (&[String], &[String]), required: bool, fixed: &mut Vec<(Vec<String>, String)>, args: &mut Vec<ArgSpec>, taken: &mut BTreeSet<String>) {
    let mut path = parent.0.to_vec();
    path.push(f.wire.clone());
    let mut names = parent.1.to_vec();
    names.push(kebab(&f.ident));
    if let Some(value) = &f.fixed {
        fixed.push((path, value.to_string()));
        return;
    }
    if parent.0.is_empty() {
        if let RustType::Model(name) = &f.ty {
            if let Some(inner) = struct_model(krate, name).filter(|m| !m.has_file && !m.fields.is_empty()) {
                for sub in &inner.fields {
                    field_args(krate, sub, (&path, &names), required && sub.required, fixed, args, taken);
                }
                return;
            }
        }
    }
    let (kind, list, values) = kind_of(krate, &f.ty);
    let id = free_id(&names.join("-"), taken, kind);
    let (help, long_help) = field_help(f, kind, required);
    args.push(ArgSpec { key: f.ident.clone(), id, body_required: required, place: PlaceSpec::Field(path), kind, list, required: false, values, help, long_help });
}

fn field_help(f: &FieldIr, kind: &str, required: bool) -> (String, String) {
    let mut help = f.docs.first().map_or(String::new(), |l| l.trim().to_owned());
    let mut long_help = f.docs.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
    if let Some(time) = &f.time {
        let unit = if time.milliseconds { "milliseconds" } else { "seconds" };
        long_help.push_str(&format!("\n\nIn {unit}{}.", if time.forever { "; -1 for ever" } else { "" }));
    }
    if kind == "Json" {
        long_help.push_str("\n\nGiven as JSON.");
    }
    if required {
        help.push_str(" [required]");
        long_help.push_str("\n\nRequired: give it here or in --body.");
    }
    (help, long_help)
}

/// `base`, or `base-json` / `base-value` when a global flag or an earlier argument has it.
fn free_id(base: &str, taken: &mut BTreeSet<String>, kind: &str) -> String {
    let mut id = base.to_owned();
    if taken.contains(&id) {
        id = format!("{base}-{}", if kind == "Json" { "json" } else { "value" });
    }
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(id.clone());
    id
}

/// `group_id` → `group-id`, `type_` → `type`.
fn kebab(ident: &str) -> String {
    ident.trim_matches('_').replace('_', "-")
}

fn struct_model<'a>(krate: &'a Crate, name: &str) -> Option<&'a StructIr> {
    match krate.models.iter().find(|m| m.name() == name) {
        Some(ModelIr::Struct(s)) => Some(s),
        _ => None,
    }
}

fn enum_model<'a>(krate: &'a Crate, name: &str) -> Option<&'a EnumIr> {
    match krate.models.iter().find(|m| m.name() == name) {
        Some(ModelIr::Enum(e)) => Some(e),
        _ => None,
    }
}

/// How a value of this type is read: its kind, whether it is a list, and an enum's values.
fn kind_of(krate: &Crate, ty: &RustType) -> (&'static str, bool, Vec<String>) {
    match ty {
        RustType::String => ("Text", false, Vec::new()),
        RustType::I64 => ("Integer", false, Vec::new()),
        RustType::F64 => ("Number", false, Vec::new()),
        RustType::Bool => ("Boolean", false, Vec::new()),
        RustType::File => ("File", false, Vec::new()),
        RustType::Model(name) => match enum_model(krate, name) {
            Some(e) => {
                let values = e.variants.iter().map(|v| v.value.as_str().map_or_else(|| v.value.to_string(), str::to_owned)).collect();
                (if e.boolean { "Boolean" } else if e.integer { "Integer" } else { "Text" }, false, values)
            }
            None => ("Json", false, Vec::new()),
        },
        RustType::Vec(inner) => match kind_of(krate, inner) {
            (kind, false, values) if kind != "Json" && kind != "File" => (kind, true, values),
            _ => ("Json", false, Vec::new()),
        },
        RustType::Json | RustType::Map(_) => ("Json", false, Vec::new()),
    }
}
