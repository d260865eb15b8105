//! The Ansible child process: spawned in a session of its own, its output read from one pipe (or
//! from a pseudo-terminal when prompts must be answered) together with the callback's event FIFO in
//! a single `poll` loop that also enforces the job and idle timeouts and cancellation.
//!
//! The runner makes itself a child subreaper, so every process the job starts stays its descendant
//! even after its parent dies — including Ansible's workers, which move to sessions of their own.
//! However a job ends, every descendant left is ended with it, and the child is tied to the
//! runner's life so that a killed runner takes its job along.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag};
use nix::unistd::Pid;
use regex::Regex;

use crate::command::CommandLine;

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

/// A prompt pattern and the text typed in answer (from `env/passwords`).
pub struct PromptAnswer {
    pub pattern: Regex,
    pub answer: String,
}

/// Limits and controls that apply while the job runs.
pub struct Supervision<'a> {
    pub job_timeout: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    /// Incremented by signal handlers: 1 asks for a graceful cancel, 2 or more forces it.
    pub cancel_requests: &'a AtomicUsize,
    /// When not empty, the child runs on a pseudo-terminal and matching prompts are answered.
    pub prompts: &'a [PromptAnswer],
    /// Run on a pseudo-terminal even without prompts (a container engine given `--tty`).
    pub terminal: bool,
}

/// How long a cancelled job gets to stop after SIGINT, then after SIGTERM, before SIGKILL.
const CANCEL_GRACE: Duration = Duration::from_secs(2);
/// How long output is still read after the child exited, for descendants that inherited the pipe.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);
const TICK: Duration = Duration::from_millis(100);
/// How much recent output is searched for prompts.
const PROMPT_WINDOW: usize = 1024;

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
    // Orphans of the job are re-parented to the runner, so none can escape the final kill.
    nix::sys::prctl::set_child_subreaper(true).map_err(io::Error::from)?;
    // Opened read-write so that it neither blocks on open nor reports end-of-file between writers.
    let mut fifo = OpenOptions::new().read(true).write(true).custom_flags(nix::libc::O_NONBLOCK).open(events_fifo)?;
    let mut command = Command::new(program);
    command.arg0(line.program()).args(&line.command[1..]).current_dir(&line.cwd).env_clear().envs(&line.env);
    let (mut output, answers) = if supervision.prompts.is_empty() && !supervision.terminal {
        let (read_end, write_end) = nix::unistd::pipe().map_err(io::Error::from)?;
        command.stdin(Stdio::null()).stdout(Stdio::from(write_end.try_clone()?)).stderr(Stdio::from(write_end));
        own_session(&mut command, false);
        (File::from(read_end), None)
    } else {
        let master = attach_pty(&mut command)?;
        own_session(&mut command, true);
        let answers = File::from(master.try_clone()?);
        (File::from(master), Some(answers))
    };
    let mut child = command.spawn()?;
    drop(command);
    let mut prompts = PromptMatcher { answers, window: String::new(), prompts: supervision.prompts, pending: None };
    let outcome = watch(&mut child, &mut output, &mut fifo, supervision, &mut prompts, &mut on_output);
    if outcome.is_err() {
        kill_descendants(&child);
        let _ = child.wait();
    }
    reap_orphans(&child);
    outcome
}

/// Gives the child a new pseudo-terminal (80 columns, echo off, as the Python tool's pexpect does)
/// as its controlling terminal and stdio. Returns the master side.
fn attach_pty(command: &mut Command) -> io::Result<OwnedFd> {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    let size = nix::pty::Winsize { ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0 };
    // The child inherits this master descriptor on purpose (openpty leaves it inheritable): were
    // the runner's the only one, the runner's death would hang the terminal up, and the hang-up's
    // SIGHUP kills ansible-playbook before its parent-death SIGTERM lets it stop its workers.
    let pty = nix::pty::openpty(&size, None).map_err(io::Error::from)?;
    let mut termios = tcgetattr(&pty.slave).map_err(io::Error::from)?;
    termios.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &termios).map_err(io::Error::from)?;
    command
        .stdin(Stdio::from(pty.slave.try_clone()?))
        .stdout(Stdio::from(pty.slave.try_clone()?))
        .stderr(Stdio::from(pty.slave));
    Ok(pty.master)
}

/// Starts the child in a session of its own (with its standard input as controlling terminal when
/// `with_tty`), and has it sent SIGTERM if the runner dies, even by SIGKILL: Ansible answers
/// SIGTERM by passing it to its workers, which end their own process groups, so the whole job
/// ends with its runner. (SIGKILL would leave those workers running.)
///
/// The parent-death signal follows the thread that forked: jobs are started from the main thread,
/// which lives as long as the runner.
pub fn own_session(command: &mut Command, with_tty: bool) {
    let runner = Pid::this();
    // SAFETY: setsid, ioctl, prctl and getppid are async-signal-safe and touch no memory of the parent.
    unsafe {
        command.pre_exec(move || {
            nix::unistd::setsid().map_err(io::Error::from)?;
            if with_tty && nix::libc::ioctl(0, nix::libc::TIOCSCTTY, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            nix::sys::prctl::set_pdeathsig(Signal::SIGTERM).map_err(io::Error::from)?;
            if nix::unistd::getppid() != runner {
                // The runner died before the signal was armed.
                return Err(io::Error::from(io::ErrorKind::BrokenPipe));
            }
            Ok(())
        });
    }
}

/// Answers prompts seen in the recent output, as `env/passwords` says.
///
/// Prompts discard typed-ahead input right after printing themselves (Ansible's `pause` flushes the
/// terminal, `getpass` sets it with TCSAFLUSH), so an answer is typed after a short delay and typed
/// again while nothing new is printed; a copy that arrives early is flushed by the prompt itself.
struct PromptMatcher<'a> {
    answers: Option<File>,
    window: String,
    prompts: &'a [PromptAnswer],
    pending: Option<PendingAnswer>,
}

struct PendingAnswer {
    text: String,
    due: Instant,
    tries_left: u8,
}

const ANSWER_DELAY: Duration = Duration::from_millis(100);
const ANSWER_RETRY: Duration = Duration::from_secs(1);
const ANSWER_TRIES: u8 = 5;

impl PromptMatcher<'_> {
    /// Adds output text and looks for a prompt in it.
    fn see(&mut self, text: &str) {
        if self.answers.is_none() || text.is_empty() {
            return;
        }
        // New output means the last answer was taken.
        self.pending = None;
        self.window.push_str(text);
        if self.window.len() > PROMPT_WINDOW {
            let mut cut = self.window.len() - PROMPT_WINDOW;
            while !self.window.is_char_boundary(cut) {
                cut += 1;
            }
            self.window.drain(..cut);
        }
        let found = self.prompts.iter().find_map(|p| p.pattern.find(&self.window).map(|m| (m.end(), &p.answer)));
        if let Some((end, answer)) = found {
            self.pending = Some(PendingAnswer {
                text: format!("{answer}\n"),
                due: Instant::now() + ANSWER_DELAY,
                tries_left: ANSWER_TRIES,
            });
            self.window.drain(..end);
        }
    }

    /// Types a pending answer when it is due; returns whether it did.
    fn tick(&mut self, now: Instant) -> io::Result<bool> {
        let (Some(answers), Some(pending)) = (&mut self.answers, &mut self.pending) else { return Ok(false) };
        if now < pending.due {
            return Ok(false);
        }
        silence_echo(answers);
        answers.write_all(pending.text.as_bytes())?;
        pending.tries_left -= 1;
        pending.due = now + ANSWER_RETRY;
        if pending.tries_left == 0 {
            self.pending = None;
        }
        Ok(true)
    }

    fn next_due(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.due)
    }

    fn active(&self) -> bool {
        self.answers.is_some()
    }
}

/// Turns the terminal's echo off before an answer is typed. Prompts that show what is typed turn
/// it on while they read (Ansible's `pause` does): the answer would come back as output, after the
/// prompt, in `stdout` and on the screen. The prompt restores its own settings when it is done.
/// Best effort: on anything but a terminal there is no echo to turn off.
fn silence_echo(terminal: &File) {
    use nix::sys::termios::{tcgetattr, tcsetattr, LocalFlags, SetArg};
    if let Ok(mut settings) = tcgetattr(terminal) {
        if settings.local_flags.contains(LocalFlags::ECHO) {
            settings.local_flags.remove(LocalFlags::ECHO);
            let _ = tcsetattr(terminal, SetArg::TCSANOW, &settings);
        }
    }
}

/// The runner's live descendants: with the subreaper set, that is every process of the job.
pub fn descendants(root: Pid) -> Vec<Pid> {
    let table = process_table();
    let mut members = Vec::new();
    let mut frontier = vec![root.as_raw()];
    while let Some(parent) = frontier.pop() {
        for entry in table.iter().filter(|e| e.ppid == parent) {
            frontier.push(entry.pid);
            if !entry.zombie {
                members.push(Pid::from_raw(entry.pid));
            }
        }
    }
    members
}

struct ProcEntry {
    pid: i32,
    ppid: i32,
    zombie: bool,
}

fn process_table() -> Vec<ProcEntry> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|entry| {
        let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the parenthesised command name: state ppid ...
        let after = stat.get(stat.rfind(')')? + 2..)?;
        let mut fields = after.split_whitespace();
        let state = fields.next()?;
        let ppid = fields.next()?.parse().ok()?;
        Some(ProcEntry { pid, ppid, zombie: state == "Z" })
    })
    .collect()
}

/// Sends `signal` to every live process of the job.
fn signal_descendants(signal: Signal) {
    for pid in descendants(Pid::this()) {
        let _ = kill(pid, signal);
    }
}

/// How long processes still running when the job ends get to stop after SIGTERM.
const SWEEP_GRACE: Duration = Duration::from_secs(1);

/// Ends whatever the job left running once its main process is gone (Ansible's workers when
/// `ansible-playbook` was killed, background commands, SSH connection masters): SIGTERM so they
/// can clean up, then SIGKILL for what is left.
fn sweep(child: &Child) {
    let pids = descendants(Pid::this());
    if pids.is_empty() {
        return;
    }
    for pid in &pids {
        let _ = kill(*pid, Signal::SIGTERM);
    }
    let deadline = Instant::now() + SWEEP_GRACE;
    while Instant::now() < deadline {
        reap_orphans(child);
        if descendants(Pid::this()).is_empty() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    kill_descendants(child);
}

/// SIGKILLs the job until no process of it is left; forks racing the kill are re-parented to the
/// runner and caught by the next pass.
fn kill_descendants(child: &Child) {
    for _ in 0..100 {
        let pids = descendants(Pid::this());
        if pids.is_empty() {
            return;
        }
        for pid in &pids {
            let _ = kill(*pid, Signal::SIGKILL);
        }
        reap_orphans(child);
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Collects the exit status of re-parented descendants (never the main child, which `Child` waits for).
fn reap_orphans(child: &Child) {
    let main = i32::try_from(child.id()).unwrap_or(0);
    for entry in process_table().iter().filter(|e| e.zombie && e.ppid == Pid::this().as_raw() && e.pid != main) {
        let _ = waitpid(Pid::from_raw(entry.pid), Some(WaitPidFlag::WNOHANG));
    }
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
                    if prompts.active() {
                        prompts.see(&String::from_utf8_lossy(&buf[..n]));
                    }
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
            if prompts.active() {
                // Prompts printed through Ansible's display (the `pause` module) arrive as events.
                let stdout = serde_json::from_slice::<serde_json::Value>(line)
                    .ok()
                    .and_then(|v| v.get("stdout").and_then(|s| s.as_str()).map(str::to_owned));
                if let Some(text) = stdout {
                    prompts.see(&text);
                }
            }
        }
        start += offset + 1;
    }
    pending.drain(..start);
    Ok(any)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_matcher_answers_after_a_delay_and_retries_until_output() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let prompts = [PromptAnswer { pattern: Regex::new("(?m)Password:\\s*$").unwrap(), answer: "s3cret".into() }];
        let mut matcher = PromptMatcher {
            answers: Some(file.reopen().unwrap()),
            window: String::new(),
            prompts: &prompts,
            pending: None,
        };
        matcher.see("Enter ");
        assert!(matcher.next_due().is_none());
        matcher.see("Password: ");
        let due = matcher.next_due().unwrap();
        assert!(!matcher.tick(due - Duration::from_millis(50)).unwrap(), "typed before the delay");
        assert!(matcher.tick(due).unwrap());
        assert!(matcher.tick(due + ANSWER_RETRY).unwrap(), "retyped while nothing was printed");
        matcher.see("\nok\n");
        assert!(matcher.next_due().is_none(), "output stops the retries");
        assert_eq!(std::fs::read_to_string(file.path()).unwrap(), "s3cret\ns3cret\n");
    }

    #[test]
    fn descendants_include_grandchildren() {
        let mut child = Command::new("sh").args(["-c", "sleep 5 & wait"]).spawn().unwrap();
        let me = Pid::this();
        let deadline = Instant::now() + Duration::from_secs(5);
        while descendants(me).len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(descendants(me).len() >= 2);
        kill_descendants(&child);
        let _ = child.wait();
        assert!(descendants(me).is_empty());
    }
}
