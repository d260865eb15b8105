//! `ansible-runner`: parse the command line, dispatch to the command, map errors to exit codes.

/// `println!` that never panics: a closed stdout (`| head`) must not crash a run.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// `eprintln!` that never panics: a closed stderr must not crash a run.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

mod artifacts;
mod assets;
mod callback;
mod cli;
mod command;
mod commands;
mod config;
mod daemon;
mod debuglog;
mod diagnostics;
mod display;
mod events;
mod exit;
mod hangup;
mod job;
mod kwargs;
mod lock;
mod pidfile;
mod progress;
mod pyjson;
mod report;
mod request;
mod role;
mod runmark;
mod runner;
mod sshagent;
mod streaming;
mod supervise;

use clap::Parser;

use crate::cli::{Cli, Command, WorkerAction};
use crate::commands::{cleanup, history, process, replay, run, transmit, worker};
use crate::job::JobError;

fn main() {
    std::process::exit(real_main());
}

fn real_main() -> i32 {
    // Lossy copies for the checks below; clap parses the raw arguments, so paths keep their bytes.
    let args: Vec<String> = std::env::args_os().map(|arg| arg.to_string_lossy().into_owned()).collect();
    // `--version` wins anywhere on the line, before required arguments are checked (as argparse does).
    if args.iter().skip(1).any(|arg| arg == "--version") {
        outln!("{}", env!("CARGO_PKG_VERSION"));
        return exit::OK;
    }
    let cli = match Cli::try_parse_from(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => return diagnostics::usage_error(&err, args.get(1..).unwrap_or_default()),
    };
    // An abbreviation of `--version` (argparse accepts unique prefixes) reaches here.
    if cli.version {
        outln!("{}", env!("CARGO_PKG_VERSION"));
        return exit::OK;
    }
    if let Some(dir) = &cli.generate_assets {
        return match assets::generate(dir) {
            Ok(()) => exit::OK,
            Err(err) => {
                errln!("ansible-runner: cannot write completions and man pages into {}: {err}", dir.display());
                exit::FAILURE
            }
        };
    }
    let Some(command) = cli.command else { return diagnostics::missing_command() };
    let result = match command {
        Command::Run(args) => match &args.daemonized {
            Some(dir) => daemon::daemon_run(&args, dir),
            None => run::run_command(&args.to_request()),
        },
        Command::Start(args) => daemon::start_command(&args),
        Command::Stop(args) => daemon::stop_command(&args.run),
        Command::IsAlive(args) => daemon::is_alive_command(&args.run),
        Command::Transmit(args) => transmit::transmit_command(&args.to_request()),
        Command::Worker(args) => match &args.action {
            Some(WorkerAction::Cleanup(cleanup)) => cleanup::cleanup_command(cleanup),
            None if args.worker_info => Ok(worker::worker_info()),
            None => worker::worker_command(&args),
        },
        Command::Process(args) => process::process_command(&args, &cli.top),
        Command::Replay(args) => replay::replay_command(&args),
        Command::History(args) => history::history_command(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            report(&err);
            exit::code_for(&err)
        }
    }
}

/// One line on stderr. The Python tool's own validation messages are printed bare, as it does.
fn report(err: &anyhow::Error) {
    match err.downcast_ref::<JobError>() {
        Some(JobError::HostsWithoutModuleOrRole | JobError::NothingToRun | JobError::BadInventory) => {
            errln!("{err}")
        }
        _ => errln!("ansible-runner: {}", diagnostics::one_line(err)),
    }
}
