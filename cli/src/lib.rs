//! `easemob`: one subcommand per operation of the Easemob IM REST API, generated from the
//! spec like the client it calls. The tables and calls under `gen/` are generated; this
//! crate builds the clap command from them, resolves the target (flags, environment,
//! profiles), asks before destructive operations and prints the answers.

mod args;
mod command;
mod config;
mod exit;
#[rustfmt::skip]
mod gen;
mod send;
mod table;

use std::ffi::OsString;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

use clap::ArgMatches;

pub use command::command;
pub use exit::EXIT_STATUS_HELP;
pub use table::{Arg, Body, Group, Kind, Operation, Place, Response};

use exit::Failure;

/// Every resource group and its operations, as the command line offers them.
pub fn groups() -> &'static [Group] {
    &gen::GROUPS
}

/// Runs the command line `args` (the program name first) and says how it ended.
pub fn main_with(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let matches = match command().try_get_matches_from(args) {
        Ok(matches) => matches,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { exit::Class::Usage.code() } else { 0 });
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => return report(Failure::refused(format!("cannot start the runtime: {error}"))),
    };
    // Ctrl-C drops the run, so a download's temporary file is removed rather than left behind.
    let outcome = runtime.block_on(async {
        tokio::select! {
            outcome = run(&matches) => outcome,
            _ = tokio::signal::ctrl_c() => Err(Failure::interrupted()),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => report(failure),
    }
}

fn report(failure: Failure) -> ExitCode {
    if failure.class != exit::Class::Closed {
        let _ = writeln!(std::io::stderr().lock(), "error: {}", failure.message);
    }
    failure.exit_code()
}

async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else { unreachable!("clap requires a subcommand") };
    match name {
        "token" => {
            let target = config::resolve(matches)?;
            let (client, _mock) = target.client().await?;
            let token = client.app_token().await?;
            send::print_line(token.expose())
        }
        "config" => {
            let target = config::resolve(matches)?;
            send::print_line(target.describe().trim_end())
        }
        "completions" => {
            let shell = *sub.get_one::<clap_complete::Shell>("shell").expect("required");
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut command(), "easemob", &mut out);
            send::print_bytes(&out)
        }
        "mock" => {
            let listen = *sub.get_one::<std::net::SocketAddr>("listen").expect("has a default");
            config::serve_mock(listen).await
        }
        "man" => match sub.get_one::<String>("dir") {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| Failure::refused(format!("cannot create {dir}: {e}")))?;
                clap_mangen::generate_to(command(), dir).map_err(|e| Failure::refused(format!("cannot write the man pages to {dir}: {e}")))
            }
            None => {
                let mut out = Vec::new();
                clap_mangen::Man::new(command()).render(&mut out).map_err(|e| Failure::refused(e.to_string()))?;
                send::print_bytes(&out)
            }
        },
        group => {
            let (op_name, op_matches) = sub.subcommand().expect("clap requires an operation");
            let operation = gen::GROUPS
                .iter()
                .find(|g| g.name == group)
                .and_then(|g| g.operations.iter().find(|o| o.name == op_name))
                .expect("clap only accepts the commands the tables declare");
            if !operation.deprecated.is_empty() {
                eprintln!("warning: `easemob {group} {}` is deprecated: {}", operation.name, operation.deprecated);
            }
            let args = args::Args::new(operation, matches, op_matches);
            let target = config::resolve(matches)?;
            args.check_output()?;
            if operation.destructive && !target.is_mock() && !matches.get_flag("yes") {
                confirm(group, operation, &route(operation, op_matches)).await?;
            }
            let (client, _mock) = target.client().await?;
            gen::call(group, &client, &args).await.map(|_| ())
        }
    }
}

/// The operation's route with the path parameters of this command line filled in:
/// `DELETE /users/alice`.
fn route(operation: &Operation, matches: &ArgMatches) -> String {
    let mut values = operation.args.iter().filter(|a| a.place == Place::Path).map(|a| {
        matches.get_many::<String>(a.id).map(|v| v.cloned().collect::<Vec<_>>().join(",")).unwrap_or_default()
    });
    let mut path = String::new();
    for (index, part) in operation.path.split('{').enumerate() {
        match part.split_once('}') {
            Some((_, rest)) if index > 0 => {
                path.push_str(&values.next().unwrap_or_default());
                path.push_str(rest);
            }
            _ => path.push_str(part),
        }
    }
    format!("{} {path}", operation.method)
}

/// Asks on the terminal before a destructive operation; without one, `--yes` is required.
async fn confirm(group: &str, operation: &Operation, route: &str) -> Result<(), Failure> {
    let command = format!("easemob {group} {}", operation.name);
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(Failure::usage(format!("`{command}` changes data on the server ({route}); pass --yes to run it without a terminal")));
    }
    eprint!("{command}: {} ({route}). Continue? [y/N] ", operation.about);
    // Read on a blocking thread, so that Ctrl-C at the prompt still ends the run.
    let answer = tokio::task::spawn_blocking(|| {
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer).map(|_| answer)
    })
    .await
    .map_err(|e| Failure::refused(format!("cannot read the answer: {e}")))?
    .map_err(|e| Failure::refused(format!("cannot read the answer: {e}")))?;
    if matches!(answer.trim(), "y" | "Y" | "yes" | "Yes") {
        Ok(())
    } else {
        Err(Failure::refused("not confirmed; nothing was sent"))
    }
}
