//! The clap command: global options, the utility commands, and one subcommand per
//! operation built from the generated tables.

use clap::builder::{PossibleValuesParser, ValueParser};
use clap::{value_parser, Arg as Flag, ArgAction, Command};

use crate::table::{Body, Kind, Operation, Place, Response};

const ABOUT: &str = "Every operation of the Easemob (环信) IM server REST API, from the command line";

const LONG_ABOUT: &str = "\
Every operation of the Easemob (环信) IM server REST API, from the command line.

Commands are `easemob <group> <operation>`: path parameters are positional, query parameters
and body fields are flags, and `--body FILE` (or `-` for standard input) gives a whole JSON
body, checked against the operation's model before anything is sent. Answers are printed as
JSON (pretty on a terminal, one line when piped); `--all` streams every item of a paged list
as JSON lines.

The target comes from flags, then environment variables, then a profile of the config file
(~/.config/easemob/config.toml, or $XDG_CONFIG_HOME/easemob/config.toml):

    default_profile = \"staging\"

    [profiles.staging]
    base_url = \"https://a1.easemob.com\"
    app_key = \"org#app\"          # or org_name and app_name
    client_id = \"YXA6...\"
    client_secret = \"YXA6...\"
    timeout_secs = 30

`--mock` runs every command against an embedded mock server instead, with no account.";

/// The whole command line.
pub fn command() -> Command {
    let mut root = Command::new("easemob")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .long_about(LONG_ABOUT)
        .after_long_help(crate::exit::EXIT_STATUS_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .args(global_flags());
    for group in crate::groups() {
        let mut command = Command::new(group.name).about(group.about).subcommand_required(true).arg_required_else_help(true);
        for operation in group.operations {
            command = command.subcommand(operation_command(operation));
        }
        root = root.subcommand(command);
    }
    root.subcommand(Command::new("token").about("Print an app token for the target, for scripts: TOKEN=$(easemob token)"))
        .subcommand(Command::new("config").about("Show the target the other commands would use and where each setting comes from (secrets are never shown)"))
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script")
                .arg(Flag::new("shell").required(true).value_parser(value_parser!(clap_complete::Shell))),
        )
        .subcommand(
            Command::new("mock")
                .about("Run the embedded mock server until interrupted, for trying the commands with no account")
                .long_about("Run the embedded mock server until interrupted (Ctrl-C), for trying the commands with no account. \
                    It prints the variables that point the other commands at it; unlike --mock, which starts a fresh mock \
                    for one command, its state lasts until it stops.")
                .arg(Flag::new("listen").long("listen").value_name("ADDR").default_value("127.0.0.1:0").value_parser(value_parser!(std::net::SocketAddr)).help("The address to listen on (port 0: any free port)")),
        )
        .subcommand(
            Command::new("man")
                .about("Print the man page, or write one page per command to a folder")
                .arg(Flag::new("dir").long("dir").value_name("DIR").help("Write easemob.1 and a page for every subcommand into DIR")),
        )
}

fn global_flags() -> Vec<Flag> {
    let setting = |id: &'static str, env: &'static str, value: &'static str, help: &'static str| {
        // The variables' values are never shown: one is a secret, and help must not depend on them.
        Flag::new(id).long(id).env(env).hide_env_values(true).value_name(value).help(help).global(true).help_heading("Target")
    };
    let switch = |id: &'static str, help: &'static str| Flag::new(id).long(id).action(ArgAction::SetTrue).help(help).global(true);
    vec![
        setting("profile", "EASEMOB_PROFILE", "NAME", "The profile of the config file to use"),
        setting("config", "EASEMOB_CONFIG", "FILE", "The config file [default: ~/.config/easemob/config.toml]"),
        setting("base-url", "EASEMOB_BASE_URL", "URL", "The REST host, e.g. https://a1.easemob.com; several, comma-separated, for failover"),
        setting("app-key", "EASEMOB_APP_KEY", "ORG#APP", "The app key (or --org and --app)"),
        setting("org", "EASEMOB_ORG_NAME", "ORG", "The org name"),
        setting("app", "EASEMOB_APP_NAME", "APP", "The app name"),
        setting("client-id", "EASEMOB_CLIENT_ID", "ID", "The app's client id"),
        setting("client-secret", "EASEMOB_CLIENT_SECRET", "SECRET", "The app's client secret (prefer the variable or a profile: flags show in the process list)"),
        setting("timeout", "EASEMOB_TIMEOUT_SECS", "SECONDS", "The per-request timeout").value_parser(value_parser!(u64).range(1..)),
        switch("mock", "Run against a fresh embedded mock server (tenant demo#demo) that lasts this command; see `easemob mock`").help_heading("Target"),
        switch("yes", "Do not ask before a destructive operation (needed without a terminal)").short('y'),
        switch("raw", "Print the answer's body as received, instead of the decoded and re-encoded model").help_heading("Output"),
        switch("pretty", "Indent the JSON even when standard output is not a terminal").help_heading("Output"),
    ]
}

fn operation_command(operation: &'static Operation) -> Command {
    let mut command = Command::new(operation.name).about(operation.about).long_about(operation.long_about);
    let full = operation.id.replace('_', "-");
    if full != operation.name {
        command = command.visible_alias(full);
    }
    command = command.aliases(operation.former.iter().copied());
    if !operation.deprecated.is_empty() {
        command = command.about(format!("[deprecated] {}", operation.about));
    }
    if operation.destructive {
        command = command.after_help("Destructive: asks for confirmation on a terminal; pass --yes otherwise.");
    }
    let last_positional = operation.args.iter().rposition(|a| a.place == Place::Path);
    for (index, arg) in operation.args.iter().enumerate() {
        let mut flag = Flag::new(arg.id).help(arg.help).long_help(arg.long_help).value_parser(parser(arg.kind, arg.values));
        if arg.place == Place::Path {
            flag = flag.required(true).value_name(arg.id.to_uppercase().replace('-', "_"));
            if arg.list {
                flag = flag.value_delimiter(',');
                if Some(index) == last_positional {
                    flag = flag.num_args(1..);
                }
            }
        } else {
            flag = flag.long(arg.id).required(arg.required).value_name(value_name(arg.kind));
            flag = match arg.place {
                Place::Field(_) | Place::Entry => flag.help_heading("Body"),
                _ => flag,
            };
            if arg.list {
                flag = flag.action(ArgAction::Append).value_delimiter(if arg.place == Place::Entry { None } else { Some(',') });
            }
        }
        command = command.arg(flag);
    }
    if let Some(flag) = operation.text_arg {
        command = command.arg(
            Flag::new(crate::args::TEXT_POSITIONAL)
                .value_name("TEXT")
                .conflicts_with(flag)
                .help(format!("The same as --{flag}, given as the last argument")),
        );
    }
    if matches!(operation.body, Body::Object { .. } | Body::Other) {
        command = command.arg(
            Flag::new("body")
                .long("body")
                .value_name("FILE")
                .help_heading("Body")
                .help("The whole request body as JSON, from FILE or - (standard input); flags override its fields"),
        );
    }
    if operation.paged {
        command = command.arg(
            Flag::new("all").long("all").action(ArgAction::SetTrue).help("Fetch every page and print every item as one JSON line"),
        );
    }
    if operation.response == Response::Binary {
        command = command.arg(
            Flag::new("output")
                .long("output")
                .short('o')
                .value_name("FILE")
                .help("Write the file content to FILE (written whole or not at all); without it, to standard output when that is not a terminal"),
        );
    }
    command
}

fn value_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "TEXT",
        Kind::Integer => "INT",
        Kind::Number => "NUMBER",
        Kind::Boolean => "BOOL",
        Kind::Json => "JSON",
        Kind::File => "PATH",
    }
}

/// Checks a value as its kind needs; every value is kept as text.
fn parser(kind: Kind, values: &'static [&'static str]) -> ValueParser {
    if !values.is_empty() {
        return PossibleValuesParser::new(values.iter().copied()).into();
    }
    match kind {
        Kind::Integer => ValueParser::new(|text: &str| text.parse::<i64>().map(|_| text.to_owned()).map_err(|_| "expected an integer")),
        Kind::Number => ValueParser::new(|text: &str| text.parse::<f64>().map(|_| text.to_owned()).map_err(|_| "expected a number")),
        Kind::Boolean => PossibleValuesParser::new(["true", "false"]).into(),
        Kind::Json => ValueParser::new(|text: &str| {
            serde_json::from_str::<serde_json::Value>(text).map(|_| text.to_owned()).map_err(|e| format!("not JSON: {e}"))
        }),
        Kind::Text | Kind::File => ValueParser::string(),
    }
}
