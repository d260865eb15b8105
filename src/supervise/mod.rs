//! The Ansible child process: spawned in a session of its own, its output read from one pipe (or
//! from a pseudo-terminal when prompts must be answered) together with the callback's event FIFO in
//! a single `poll` loop that also enforces the job and idle timeouts and cancellation.
//!
//! The runner makes itself a child subreaper, so every process the job starts stays its descendant
//! even after its parent dies — including Ansible's workers, which move to sessions of their own.
//! However a job ends, every descendant left is ended with it, and the child is tied to the
//! runner's life so that a killed runner takes its job along.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;

use crate::command::CommandLine;

pub mod procfs;
mod prompts;
mod spawn;
mod tree;

pub use prompts::PromptAnswer;
use prompts::PromptMatcher;
pub use spawn::own_session;
use spawn::Spawned;
pub use tree::descendants;
use tree::{kill_descendants, reap_orphans, signal_descendants, sweep};

/// What the child produced: text outside any event, or one line from the callback's channel.
pub enum Output<'a> {
    Raw(&'a [u8]),
    Record(&'a [u8]),
    /// An answer from `env/passwords` was just typed.
    Answered,
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
    /// Incremented by signal handlers: 1 asks for a graceful cancel, 2 or more forces it.
    pub cancel_requests: &'a AtomicUsize,
    /// When not empty, the child runs on a pseudo-terminal and matching prompts are answered.
    pub prompts: &'a [PromptAnswer],
}

/// How long a cancelled job gets to stop after SIGINT, then after SIGTERM, before SIGKILL.
const CANCEL_GRACE: Duration = Duration::from_secs(2);
/// How long output is still read after the child exited, for descendants that inherited the pipe.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);

/// Finds `program` the way `execvp` would, using the child's own `PATH`.
pub fn resolve_program(program: &str, line: &CommandLine) -> Option<PathBuf> {
    if program.is_empty() {
        return None;
    }
    if program.contains('/') {
        let path = if Path::new(program).is_absolute() { PathBuf::from(program) } else { line.cwd.join(program) };
        return is_executable(&path).then_some(path);
    }
    let search = line.env.get("PATH").map_or("/usr/local/bin:/usr/bin:/bin", String::as_str);
    search
        .split(':')
        .map(|dir| Path::new(if dir.is_empty() { "." } else { dir }).join(program))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
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
    // Opened read-write so that it neither blocks on open nor reports end-of-file between writers.
    let mut fifo = OpenOptions::new().read(true).write(true).custom_flags(nix::libc::O_NONBLOCK).open(events_fifo)?;
    let Spawned { mut child, mut output, answers } = spawn::spawn(line, program, !supervision.prompts.is_empty())?;
    let mut prompts = PromptMatcher::new(answers, supervision.prompts);
    let outcome = watch(&mut child, &mut output, &mut fifo, supervision, &mut prompts, &mut on_output);
    if outcome.is_err() {
        kill_descendants(&child);
        let _ = child.wait();
    }
    reap_orphans(&child);
    outcome
}

/// States of a cancel in progress.
enum Cancel {
    None,
    Interrupted(Instant),
    Terminated(Instant),
    Killed,
}

fn watch(
    child: &mut Child,
    output: &mut File,
    fifo: &mut File,
    supervision: &Supervision<'_>,
    prompts: &mut PromptMatcher<'_>,
    on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>,
) -> io::Result<Ending> {
    let started = Instant::now();
    let mut last_activity = started;
    let mut output_open = true;
    let mut exited: Option<(std::process::ExitStatus, Instant)> = None;
    let mut cancel = Cancel::None;
    let mut timed_out: Option<TimeoutKind> = None;
    let mut records = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let mut wait = next_wakeup(supervision, started, last_activity, exited.is_some());
        if !output_open && exited.is_none() {
            // The output closed as the child exits: its exit status follows within moments.
            wait = wait.min(Duration::from_millis(2));
        }
        if let Some(due) = prompts.next_due() {
            wait = wait.min(due.saturating_duration_since(Instant::now()));
        }
        let (output_ready, fifo_ready) = {
            let mut fds = Vec::with_capacity(2);
            fds.push(PollFd::new(fifo.as_fd(), PollFlags::POLLIN));
            if output_open {
                fds.push(PollFd::new(output.as_fd(), PollFlags::POLLIN));
            }
            match poll(&mut fds, PollTimeout::try_from(wait).unwrap_or(PollTimeout::MAX)) {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(err) => return Err(err.into()),
            }
            let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
            (fds.get(1).is_some_and(ready), ready(&fds[0]))
        };
        if output_ready {
            match output.read(&mut buf) {
                Ok(0) => output_open = false,
                Ok(n) => {
                    last_activity = Instant::now();
                    on_output(Output::Raw(&buf[..n]))?;
                    prompts.see_raw(&buf[..n]);
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                // A pseudo-terminal reports EIO once the last process holding its other side is gone.
                Err(err) if err.raw_os_error() == Some(nix::libc::EIO) => output_open = false,
                Err(err) => return Err(err),
            }
        }
        if fifo_ready && drain_records(fifo, &mut buf, &mut records, prompts, on_output)? {
            last_activity = Instant::now();
        }
        // An answer counts as activity, as in the Python tool.
        if prompts.tick(Instant::now())? {
            last_activity = Instant::now();
            on_output(Output::Answered)?;
        }
        if exited.is_none() {
            if let Some(status) = child.try_wait()? {
                exited = Some((status, Instant::now()));
            }
        }
        if let Some((status, at)) = exited {
            if !output_open || at.elapsed() >= DRAIN_AFTER_EXIT {
                drain_records(fifo, &mut buf, &mut records, prompts, on_output)?;
                if !records.is_empty() {
                    on_output(Output::Record(&records))?;
                }
                if let Some(kind) = timed_out {
                    kill_descendants(child);
                    return Ok(Ending::TimedOut(kind));
                }
                if !matches!(cancel, Cancel::None) {
                    kill_descendants(child);
                    return Ok(Ending::Canceled);
                }
                sweep(child);
                return Ok(match (status.code(), status.signal()) {
                    (Some(code), _) => Ending::Exited(code),
                    (None, Some(signal)) => Ending::Signalled(signal),
                    (None, None) => Ending::Exited(1),
                });
            }
            continue;
        }
        let now = Instant::now();
        if timed_out.is_none() && matches!(cancel, Cancel::None) {
            if supervision.job_timeout.is_some_and(|limit| now.duration_since(started) > limit) {
                timed_out = Some(TimeoutKind::Job);
            } else if supervision.idle_timeout.is_some_and(|limit| now.duration_since(last_activity) > limit) {
                timed_out = Some(TimeoutKind::Idle);
            }
            if timed_out.is_some() {
                kill_descendants(child);
                continue;
            }
        }
        let requests = supervision.cancel_requests.load(Ordering::SeqCst);
        cancel = match cancel {
            Cancel::None if requests >= 2 => kill_now(child),
            Cancel::None if requests == 1 => {
                errln!("ansible-runner: canceling the job (interrupt again to force it)");
                signal_descendants(Signal::SIGINT);
                Cancel::Interrupted(now)
            }
            Cancel::Interrupted(_) if requests >= 2 => kill_now(child),
            Cancel::Interrupted(at) if now.duration_since(at) >= CANCEL_GRACE => {
                signal_descendants(Signal::SIGTERM);
                Cancel::Terminated(now)
            }
            Cancel::Terminated(at) if requests >= 2 || now.duration_since(at) >= CANCEL_GRACE => kill_now(child),
            state => state,
        };
    }
}

fn kill_now(child: &Child) -> Cancel {
    kill_descendants(child);
    Cancel::Killed
}

/// How long until something has to be checked again.
fn next_wakeup(supervision: &Supervision<'_>, started: Instant, last_activity: Instant, exited: bool) -> Duration {
    if exited {
        return Duration::from_millis(20);
    }
    let mut wait = TICK;
    let margin = Duration::from_millis(1);
    if let Some(limit) = supervision.job_timeout {
        wait = wait.min((started + limit).saturating_duration_since(Instant::now()) + margin);
    }
    if let Some(limit) = supervision.idle_timeout {
        wait = wait.min((last_activity + limit).saturating_duration_since(Instant::now()) + margin);
    }
    wait
}

/// Reads everything available on the FIFO and hands out complete lines. Returns whether any came.
fn drain_records(
    fifo: &mut File,
    buf: &mut [u8],
    pending: &mut Vec<u8>,
    prompts: &mut PromptMatcher<'_>,
    on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>,
) -> io::Result<bool> {
    let mut any = false;
    loop {
        match fifo.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                any = true;
                pending.extend_from_slice(&buf[..n]);
            }
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    let mut start = 0;
    while let Some(offset) = pending[start..].iter().position(|b| *b == b'\n') {
        let line = &pending[start..start + offset];
        if !line.is_empty() {
            on_output(Output::Record(line))?;
            prompts.see_event(line);
        }
        start += offset + 1;
    }
    pending.drain(..start);
    Ok(any)
}
