//! `easemob`: see `easemob --help`.

fn main() -> std::process::ExitCode {
    easemob_cli::main_with(std::env::args_os())
}
