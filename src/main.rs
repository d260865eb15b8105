//! `ansible-runner`: parse the command line, dispatch to the command, map errors to exit codes.

/// `println!` that never panics: a closed stdout (`| head`) must not crash a run.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never panics: a closed stderr must not crash a run. Says nothing once notices
/// are silenced (a worker).
macro_rules! errln {
    ($($arg:tt)*) => {{
        if !crate::output::notices_silenced() {
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), $($arg)*);
        }
    }};
}

mod artifacts;
mod callback;
mod cli;
mod commands;
mod confine;
mod events;
mod exit;
mod job;
mod output;
mod report;
mod request;
mod runner;
mod state;
mod streaming;
mod supervise;
mod util;

use std::path::PathBuf;

use clap::Parser;

use crate::cli::outcome::Ending;
use crate::cli::{assets, diagnostics, Cli};

fn main() {
    cli::outcome::claim();
    let ending = real_main();
    ending.tell();
    std::process::exit(ending.code);
}

fn real_main() -> Ending {
    // Lossy copies for the checks below; clap parses the raw arguments, so paths keep their bytes.
    let args: Vec<String> = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()).collect();
    // `--version` wins anywhere on the line, before required arguments are checked (as argparse does).
    if args.iter().skip(1).any(|arg| arg == "--version") {
        outln!("{}", cli::version_text(std::io::IsTerminal::is_terminal(&std::io::stdout())));
        return Ending::system_exit(exit::OK);
    }
    // Two entries no person types stay out of clap, and so out of help, usage errors, completions
    // and man pages: the Python package's pipe (python/PROTOCOL.md) and the asset generator.
    match args.get(1..).unwrap_or_default() {
        [api] if api == "api" => return commands::api::api_command().map_or_else(|err| report(&err), Ending::returned),
        [flag, _] if flag == "--generate-assets" => {
            let root = std::env::args_os().nth(2).map(PathBuf::from).unwrap_or_default();
            return assets::generate_command(&root).map_or_else(|err| report(&err), Ending::returned);
        }
        _ => {}
    }
    // argparse's refusals and help end in SystemExit, as with the Python tool.
    if let Some(code) = diagnostics::cmdline_without_value(args.get(1..).unwrap_or_default()) {
        return Ending::system_exit(code);
    }
    let cli = match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => return Ending::system_exit(diagnostics::usage_error(&err, args.get(1..).unwrap_or_default())),
    };
    // An abbreviation of `--version` (argparse accepts unique prefixes) reaches here.
    if cli.version {
        outln!("{}", cli::version_text(std::io::IsTerminal::is_terminal(&std::io::stdout())));
        return Ending::system_exit(exit::OK);
    }
    let Some(command) = cli.command else { return Ending::system_exit(diagnostics::missing_command()) };
    commands::dispatch(command, &cli.top).map_or_else(|err| report(&err), Ending::returned)
}

/// Says on stderr why the program ends, and how it ends: the exit code that error owns and what
/// the Python tool raises there. Said even by a worker: its stream could not carry it.
fn report(err: &anyhow::Error) -> Ending {
    output::last_word(&exit::message_of(err));
    Ending::of_error(err)
}
