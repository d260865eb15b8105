//! The Ansible child process: spawned in a session of its own with stdout and stderr on one pipe,
//! watched together with the callback's event FIFO in a single `poll` loop that also enforces the
//! job and idle timeouts and cancellation. Ending a job kills every process it started, including
//! Ansible's workers that move to sessions of their own.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::command::CommandLine;

/// What the child produced: text outside any event, or one line from the callback's channel.
pub enum Output<'a> {
    Raw(&'a [u8]),
    Record(&'a [u8]),
}

/// How the child's life ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Exited(i32),
    /// Killed by a signal from outside the runner.
    Signalled(i32),
    TimedOut,
    Canceled,
}

/// Limits and controls that apply while the job runs.
pub struct Supervision<'a> {
    pub job_timeout: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    /// Incremented by signal handlers: 1 asks for a graceful cancel, 2 or more forces it.
    pub cancel_requests: &'a AtomicUsize,
}

/// How long a cancelled job gets to stop after SIGINT, then after SIGTERM, before SIGKILL.
const CANCEL_GRACE: Duration = Duration::from_secs(3);
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
    // Opened read-write so that it neither blocks on open nor reports end-of-file between writers.
    let mut fifo = OpenOptions::new().read(true).write(true).custom_flags(nix::libc::O_NONBLOCK).open(events_fifo)?;
    let (read_end, write_end) = nix::unistd::pipe().map_err(io::Error::from)?;
    let mut output = File::from(read_end);
    let mut command = Command::new(program);
    command
        .arg0(line.program())
        .args(&line.command[1..])
        .current_dir(&line.cwd)
        .env_clear()
        .envs(&line.env)
        .stdin(Stdio::null())
        .stdout(Stdio::from(write_end.try_clone()?))
        .stderr(Stdio::from(write_end));
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| nix::unistd::setsid().map(drop).map_err(io::Error::from));
    }
    let mut child = command.spawn()?;
    drop(command);
    let mut job = Job::new(&child);
    let outcome = watch(&mut child, &mut job, &mut output, &mut fifo, supervision, &mut on_output);
    if outcome.is_err() {
        job.kill_all();
        let _ = child.wait();
    }
    outcome
}

/// The processes of one job: the child (a session leader) and everything descended from it.
struct Job {
    leader: Pid,
}

impl Job {
    fn new(child: &Child) -> Self {
        Self { leader: Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX)) }
    }

    /// Sends `signal` to every live process of the job.
    fn signal_all(&self, signal: Signal) {
        for pid in job_processes(self.leader) {
            let _ = kill(pid, signal);
        }
    }

    /// SIGKILLs the job until no process of it is left (new forks are caught by the next pass).
    fn kill_all(&self) {
        for _ in 0..20 {
            let pids = job_processes(self.leader);
            if pids.is_empty() {
                return;
            }
            for pid in pids {
                let _ = kill(pid, Signal::SIGKILL);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The job's processes: its session, plus descendants that started sessions of their own
/// (ansible-core forks its workers with `setsid`).
pub fn job_processes(leader: Pid) -> Vec<Pid> {
    let table = process_table();
    let mut members: Vec<Pid> = Vec::new();
    let mut frontier = vec![leader];
    for entry in &table {
        if entry.sid == leader.as_raw() && !frontier.contains(&Pid::from_raw(entry.pid)) {
            frontier.push(Pid::from_raw(entry.pid));
        }
    }
    while let Some(pid) = frontier.pop() {
        if members.contains(&pid) {
            continue;
        }
        if table.iter().any(|e| e.pid == pid.as_raw() && !e.zombie) {
            members.push(pid);
        }
        frontier.extend(table.iter().filter(|e| e.ppid == pid.as_raw()).map(|e| Pid::from_raw(e.pid)));
    }
    members
}

struct ProcEntry {
    pid: i32,
    ppid: i32,
    sid: i32,
    zombie: bool,
}

fn process_table() -> Vec<ProcEntry> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|entry| {
        let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // Fields after the parenthesised command name: state ppid pgrp session ...
        let after = &stat[stat.rfind(')')? + 2..];
        let mut fields = after.split_whitespace();
        let state = fields.next()?;
        let ppid = fields.next()?.parse().ok()?;
        let _pgrp = fields.next()?;
        let sid = fields.next()?.parse().ok()?;
        Some(ProcEntry { pid, ppid, sid, zombie: state == "Z" })
    })
    .collect()
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
    job: &mut Job,
    output: &mut File,
    fifo: &mut File,
    supervision: &Supervision<'_>,
    on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>,
) -> io::Result<Ending> {
    let started = Instant::now();
    let mut last_activity = started;
    let mut output_open = true;
    let mut exited: Option<(std::process::ExitStatus, Instant)> = None;
    let mut cancel = Cancel::None;
    let mut timed_out = false;
    let mut record_buf: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let wait = next_wakeup(supervision, started, last_activity, exited.is_some());
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
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
        if fifo_ready && drain_records(fifo, &mut buf, &mut record_buf, on_output)? {
            last_activity = Instant::now();
        }
        if exited.is_none() {
            if let Some(status) = child.try_wait()? {
                exited = Some((status, Instant::now()));
            }
        }
        if let Some((status, at)) = exited {
            if !output_open || at.elapsed() >= DRAIN_AFTER_EXIT {
                drain_records(fifo, &mut buf, &mut record_buf, on_output)?;
                if !record_buf.is_empty() {
                    on_output(Output::Record(&record_buf))?;
                }
                if matches!(cancel, Cancel::None) && !timed_out {
                    return Ok(match (status.code(), status.signal()) {
                        (Some(code), _) => Ending::Exited(code),
                        (None, Some(signal)) => Ending::Signalled(signal),
                        (None, None) => Ending::Exited(1),
                    });
                }
                // Whatever the job left behind goes with it.
                job.kill_all();
                return Ok(if timed_out { Ending::TimedOut } else { Ending::Canceled });
            }
            continue;
        }
        let now = Instant::now();
        let over_job = supervision.job_timeout.is_some_and(|limit| now.duration_since(started) > limit);
        let over_idle = supervision.idle_timeout.is_some_and(|limit| now.duration_since(last_activity) > limit);
        if !timed_out && matches!(cancel, Cancel::None) && (over_job || over_idle) {
            timed_out = true;
            job.kill_all();
            continue;
        }
        let requests = supervision.cancel_requests.load(Ordering::SeqCst);
        cancel = match cancel {
            Cancel::None if requests >= 2 => kill_now(job),
            Cancel::None if requests == 1 => {
                job.signal_all(Signal::SIGINT);
                Cancel::Interrupted(now)
            }
            Cancel::Interrupted(_) if requests >= 2 => kill_now(job),
            Cancel::Interrupted(at) if now.duration_since(at) >= CANCEL_GRACE => {
                job.signal_all(Signal::SIGTERM);
                Cancel::Terminated(now)
            }
            Cancel::Terminated(at) if requests >= 2 || now.duration_since(at) >= CANCEL_GRACE => kill_now(job),
            state => state,
        };
    }
}

fn kill_now(job: &Job) -> Cancel {
    job.kill_all();
    Cancel::Killed
}

/// Milliseconds until something has to be checked again.
fn next_wakeup(supervision: &Supervision<'_>, started: Instant, last_activity: Instant, exited: bool) -> Duration {
    let mut wait = TICK;
    if exited {
        return Duration::from_millis(20);
    }
    if let Some(limit) = supervision.job_timeout {
        wait = wait.min((started + limit).saturating_duration_since(Instant::now()) + Duration::from_millis(1));
    }
    if let Some(limit) = supervision.idle_timeout {
        wait = wait.min((last_activity + limit).saturating_duration_since(Instant::now()) + Duration::from_millis(1));
    }
    wait
}

/// Reads everything available on the FIFO and hands out complete lines. Returns whether any came.
fn drain_records(
    fifo: &mut File,
    buf: &mut [u8],
    pending: &mut Vec<u8>,
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
        }
        start += offset + 1;
    }
    pending.drain(..start);
    Ok(any)
}
