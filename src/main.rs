use basinmap::cli::Cli;
use basinmap::sweep::interrupt::Interrupted;
use clap::Parser;
use clap::error::ErrorKind;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return usage_error(err),
    };
    match basinmap::commands::run(cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit_code(&err)
        }
    }
}

/// 1 for an error; after an interruption the shell's convention, 128 + the
/// signal's number (130 for Ctrl-C, 143 for SIGTERM), so that a script or
/// a batch system sees that the command was stopped, not that it failed.
fn exit_code(err: &anyhow::Error) -> ExitCode {
    match err.downcast_ref::<Interrupted>() {
        Some(interrupted) => ExitCode::from(interrupted.signal.exit_code()),
        None => ExitCode::FAILURE,
    }
}

/// Help and version go out as clap writes them; a mistake becomes clap's
/// one-line message (which names the flag and what is valid) plus a pointer
/// to `--help`, instead of a usage block.
fn usage_error(err: clap::Error) -> ExitCode {
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(if err.use_stderr() { 2 } else { 0 })
        }
        _ => {
            let text = err.render().to_string();
            let first = text.lines().next().unwrap_or("error: invalid arguments");
            // What would be valid, when clap knows it, on the same line.
            let valid = text
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with("[possible values:"))
                .map(|l| format!(" {l}"))
                .unwrap_or_default();
            eprintln!("{first}{valid} (see --help)");
            ExitCode::from(2)
        }
    }
}
