//! One module per command: each turns its parsed arguments into work and an exit code.

pub mod api;
pub mod cleanup;
pub mod history;
pub mod is_alive;
pub mod process;
pub mod replay;
pub mod run;
pub mod start;
pub mod stop;
pub mod transmit;
pub mod worker;

use crate::cli::{Command, TopLevelArgs, WorkerAction};
use crate::exit::ExitStatus;
use crate::state::daemon;

/// Runs the command; its `Ok` value is the exit code.
pub fn dispatch(command: Command, top: &TopLevelArgs) -> anyhow::Result<ExitStatus> {
    match command {
        Command::Run(args) => match &args.daemonized {
            Some(dir) => daemon::daemon_run(dir, run::run_command),
            None => run::run_command(&args.to_request()),
        },
        Command::Start(args) => start::start_command(&args.to_request()),
        Command::Stop(args) => stop::stop_command(&args.run.to_request()),
        Command::IsAlive(args) => is_alive::is_alive_command(&args.run.to_request()),
        Command::Transmit(args) => transmit::transmit_command(&args.to_request()),
        Command::Worker(args) => match &args.action {
            Some(WorkerAction::Cleanup(cleanup)) => cleanup::cleanup_command(cleanup),
            None if args.worker_info => Ok(worker::worker_info()),
            None => worker::worker_command(&args),
        },
        Command::Process(args) => process::process_command(&args, top),
        Command::Replay(args) => replay::replay_command(&args),
        Command::History(args) => history::history_command(&args),
    }
}
