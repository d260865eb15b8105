//! Running the Ansible child under supervision. The child gets a session of its own and is tied to
//! the runner's life, so a killed runner takes its job along; its output (one pipe, or a
//! pseudo-terminal when prompts must be answered), the callback's event FIFO and the job's inputs
//! (signals, cancel requests) are read in one `poll` loop that also answers prompts, applies the job
//! and idle timeouts and cancel requests, and stops and continues the job with the runner (Ctrl-Z,
//! `fg`). The runner is a child subreaper: however a job ends, every process of it is ended with it.
//!
//! `spawn` starts the child, `watch` runs the loop, `input` brings signals and other threads'
//! requests to it, `prompts` answers `env/passwords`, `cancel` decides the escalation, `tree` finds,
//! stops and ends the job's processes, `procfs` reads `/proc`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::job::command_line::CommandLine;
use crate::request::ChildStdio;

mod cancel;
mod input;
pub mod procfs;
mod prompts;
mod spawn;
mod tree;
mod watch;

pub use input::{Input, InputSender, Inputs};
pub use prompts::PromptAnswer;
use prompts::PromptMatcher;
pub use spawn::own_session;
use spawn::Spawned;
pub use tree::descendants;
use tree::{Bystanders, JobTree};
use watch::{Channels, Watch};

/// What the child produced: text outside any event, or one line from the callback's channel.
pub enum Output<'a> {
    Raw(&'a [u8]),
    Record(&'a [u8]),
    /// An answer from `env/passwords` was just typed.
    Answered,
    /// A cancel request just interrupted the job; another one forces it down.
    Interrupting,
}

/// Which limit ended a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutKind {
    Job,
    Idle,
}

/// How the child's life ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// Killed by a signal from outside the runner.
    Signalled(i32),
    TimedOut(TimeoutKind),
    Canceled,
}

/// Limits and controls that apply while the job runs.
pub struct Supervision<'a> {
    pub job_timeout: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    /// Signals and cancel requests: a first cancel asks the job to stop, a second forces it.
    pub inputs: &'a Inputs,
    /// When not empty, the child runs on a pseudo-terminal and matching prompts are answered.
    pub prompts: &'a [PromptAnswer],
    /// Run on a pseudo-terminal even without prompts (a container engine given `--tty`).
    pub terminal: bool,
    /// Descriptors the child gets instead of the runner's pipe, when not on a terminal.
    pub stdio: ChildStdio,
}

impl Supervision<'_> {
    /// Whether the child runs on a pseudo-terminal (for prompts, or a container's `--tty`).
    fn on_terminal(&self) -> bool {
        self.terminal || !self.prompts.is_empty()
    }
}

/// Finds `program` the way `execvp` would, using the child's own `PATH`.
pub fn resolve_program(program: &str, line: &CommandLine) -> Option<PathBuf> {
    crate::util::lookup::find_executable(program, line.env.get("PATH").map(String::as_str), &line.cwd)
}

/// Runs the command to its end, handing every piece of output to `on_output` as it arrives.
pub fn run(
    line: &CommandLine,
    program: &Path,
    events_fifo: &Path,
    supervision: &Supervision<'_>,
    mut on_output: impl FnMut(Output<'_>) -> io::Result<()>,
) -> io::Result<Ending> {
    tree::become_subreaper()?;
    let events = watch::open_events(events_fifo)?;
    // Noted before the job can leave orphans to the runner: these are not the job's.
    let bystanders = Bystanders::now();
    let Spawned { mut child, output, answers } =
        spawn::spawn(line, program, supervision.on_terminal(), supervision.stdio)?;
    let job = JobTree::of(&child).adopted_by(bystanders);
    let prompts = PromptMatcher::new(answers, supervision.prompts);
    let channels = Channels::new(output, events);
    let outcome = Watch::new(&mut child, &job, channels, prompts, supervision).run(&mut on_output);
    if outcome.is_err() {
        job.kill();
        let _ = child.wait();
    }
    job.reap();
    outcome
}
