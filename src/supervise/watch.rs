//! The supervision loop: one `poll` over the child's output, the callback's event FIFO and the
//! job's inputs, which hands everything on as it arrives, answers prompts, notices the child's exit,
//! stops and continues the job with the runner, and applies cancel requests and limits as `cancel`
//! decides. It sleeps until something arrives or the next deadline, never on a tick.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;

use super::cancel::{Action, Limits, State};
use super::input::{suspend_runner, Input, Inputs};
use super::prompts::PromptMatcher;
use super::tree::JobTree;
use super::{Ending, Output, Supervision};

/// How long output is still read after the child exited, for descendants that inherited the pipe.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);
/// How often to look for the child's exit on a kernel without pidfds (before Linux 5.3), where
/// nothing else tells of it while a descendant holds the output open.
const EXIT_LOOK: Duration = Duration::from_millis(20);
/// How long the loop rests after events came before it looks again, so that those a busy job sends
/// meanwhile are read in one go: a wake-up per event costs the runner, and the job whose CPU it
/// shares, more than the events themselves. Nobody sees 10 ms on a terminal; the event FIFO holds
/// 64 KiB, so a burst waits in it rather than stalling the job.
const EVENT_GATHER: Duration = Duration::from_millis(10);
/// How long stopping the job may take before the runner stops all the same: each process stops
/// the next time it runs, which on a busy machine may take a while.
const STOP_PATIENCE: Duration = Duration::from_secs(5);

/// Opens the callback's event FIFO, before the child starts writing to it. Opened read-write so
/// that it neither blocks on open nor reports end-of-file between writers.
pub fn open_events(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).write(true).custom_flags(nix::libc::O_NONBLOCK).open(path)
}

/// Where the child's output arrives: its stdout and stderr (pipe or terminal), and the callback's
/// event lines.
pub struct Channels {
    output: File,
    output_open: bool,
    events: File,
    /// The start of an event line whose end has not arrived yet.
    partial: Vec<u8>,
    buf: Vec<u8>,
}

impl Channels {
    pub fn new(output: File, events: File) -> Self {
        Self { output, output_open: true, events, partial: Vec::new(), buf: vec![0u8; 64 * 1024] }
    }

    /// Waits up to `wait` (or until something comes, when `None`) for something to read on these
    /// channels or on `inputs`, or for `exit` to tell that the child exited.
    fn poll(&self, wait: Option<Duration>, inputs: BorrowedFd<'_>, exit: Option<BorrowedFd<'_>>) -> io::Result<Ready> {
        let mut fds = Vec::with_capacity(4);
        fds.push(PollFd::new(inputs, PollFlags::POLLIN));
        fds.push(PollFd::new(self.events.as_fd(), PollFlags::POLLIN));
        if self.output_open {
            fds.push(PollFd::new(self.output.as_fd(), PollFlags::POLLIN));
        }
        fds.extend(exit.map(|fd| PollFd::new(fd, PollFlags::POLLIN)));
        match poll(&mut fds, poll_timeout(wait)) {
            // A signal arriving interrupts the wait; its input is read at the next turn.
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(err) => return Err(err.into()),
        }
        let ready = |fd: Option<&PollFd<'_>>| fd.and_then(PollFd::revents).is_some_and(|r| !r.is_empty());
        let output = self.output_open && ready(fds.get(2));
        Ok(Ready { inputs: ready(fds.first()), events: ready(fds.get(1)), output })
    }

    /// Reads what the output holds; `None` when nothing came, or it closed.
    fn read_output(&mut self) -> io::Result<Option<&[u8]>> {
        match self.output.read(&mut self.buf) {
            Ok(0) => self.output_open = false,
            Ok(n) => return Ok(Some(&self.buf[..n])),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            // A pseudo-terminal reports EIO once the last process holding its other side is gone.
            Err(err) if err.raw_os_error() == Some(nix::libc::EIO) => self.output_open = false,
            Err(err) => return Err(err),
        }
        Ok(None)
    }

    /// Reads every event available and hands out the complete lines. Returns whether any came.
    fn drain_events(
        &mut self,
        prompts: &mut PromptMatcher<'_>,
        on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>,
    ) -> io::Result<bool> {
        let any = self.read_events()?;
        let mut start = 0;
        while let Some(offset) = self.partial[start..].iter().position(|b| *b == b'\n') {
            let line = &self.partial[start..start + offset];
            if !line.is_empty() {
                on_output(Output::Record(line))?;
                prompts.see_event(line);
            }
            start += offset + 1;
        }
        self.partial.drain(..start);
        Ok(any)
    }

    fn read_events(&mut self) -> io::Result<bool> {
        let mut any = false;
        loop {
            match self.events.read(&mut self.buf) {
                Ok(0) => return Ok(any),
                Ok(n) => {
                    any = true;
                    self.partial.extend_from_slice(&self.buf[..n]);
                }
                Err(err) if err.kind() == io::ErrorKind::WouldBlock => return Ok(any),
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(err),
            }
        }
    }

    /// Hands out an event line the child left unfinished.
    fn flush_partial(&mut self, on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>) -> io::Result<()> {
        if self.partial.is_empty() {
            return Ok(());
        }
        on_output(Output::Record(&self.partial))
    }
}

/// What a `poll` found to read.
struct Ready {
    inputs: bool,
    events: bool,
    output: bool,
}

/// `wait` in whole milliseconds for `poll`, rounded up: a deadline woken for early would be spun on.
fn poll_timeout(wait: Option<Duration>) -> PollTimeout {
    wait.map_or(PollTimeout::NONE, |wait| {
        PollTimeout::try_from(wait.saturating_add(Duration::from_nanos(999_999))).unwrap_or(PollTimeout::MAX)
    })
}

/// A descriptor that becomes readable when `child` exits (a pidfd): the loop waits for the exit as
/// it waits for output. `None` on a kernel without pidfds.
fn exit_notice(child: &Child) -> Option<OwnedFd> {
    let pid = i32::try_from(child.id()).ok()?;
    // SAFETY: pidfd_open takes two integers and returns a new descriptor, or -1; it touches no memory.
    let fd = unsafe { nix::libc::syscall(nix::libc::SYS_pidfd_open, pid, 0) };
    let fd = i32::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: the descriptor was just made for this process, and nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// One job under watch.
pub struct Watch<'a> {
    child: &'a mut Child,
    job: &'a JobTree,
    channels: Channels,
    prompts: PromptMatcher<'a>,
    limits: Limits,
    inputs: &'a Inputs,
    state: State,
    last_activity: Instant,
    /// The child's exit status and when it was collected.
    exited: Option<(ExitStatus, Instant)>,
    /// Readable once the child exited (close-on-exec, as pidfds are made).
    exit_notice: Option<OwnedFd>,
    /// Since when the job is stopped (Ctrl-Z), while it is.
    stopped: Option<Instant>,
    /// Stops the runner once its job is stopped, and returns when the runner is continued.
    suspend: fn(),
}

impl<'a> Watch<'a> {
    pub fn new(
        child: &'a mut Child,
        job: &'a JobTree,
        channels: Channels,
        prompts: PromptMatcher<'a>,
        supervision: &Supervision<'a>,
    ) -> Self {
        let started = Instant::now();
        let exit_notice = exit_notice(child);
        Watch {
            child,
            job,
            channels,
            prompts,
            limits: Limits { started, job: supervision.job_timeout, idle: supervision.idle_timeout },
            inputs: supervision.inputs,
            state: State::Running,
            last_activity: started,
            exit_notice,
            exited: None,
            stopped: None,
            suspend: suspend_runner,
        }
    }

    /// Watches until the child exited and its output is read, or a cancel or limit ended it.
    pub fn run(&mut self, on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>) -> io::Result<Ending> {
        loop {
            // Once the child's status is collected, its pidfd stays readable and tells nothing more.
            let exit = self.exit_notice.as_ref().filter(|_| self.exited.is_none()).map(AsFd::as_fd);
            let ready = self.channels.poll(self.wait(), self.inputs.as_fd(), exit)?;
            if ready.inputs {
                self.take_inputs();
            }
            if ready.output {
                self.read_output(on_output)?;
            }
            if ready.events && self.channels.drain_events(&mut self.prompts, on_output)? {
                self.last_activity = Instant::now();
                self.gather();
            }
            // An answer counts as activity, as in the Python tool.
            if self.prompts.tick(Instant::now())? {
                self.last_activity = Instant::now();
                on_output(Output::Answered)?;
            }
            match self.exit_status()? {
                Some((status, at)) if !self.channels.output_open || at.elapsed() >= DRAIN_AFTER_EXIT => {
                    return self.finish(status, on_output);
                }
                Some(_) => {}
                None => {
                    if self.escalate() {
                        on_output(Output::Interrupting)?;
                    }
                }
            }
        }
    }

    /// How long to wait for output before something is due: a limit, a cancel's next step, a
    /// prompt's answer, the end of the drain after the exit. `None` waits for whatever comes first.
    fn wait(&self) -> Option<Duration> {
        let now = Instant::now();
        if let Some((_, at)) = self.exited {
            return Some((at + DRAIN_AFTER_EXIT).saturating_duration_since(now));
        }
        // A stopped job is not running: no limit passes while it is.
        let limit = if self.stopped.is_some() { None } else { self.limits.next_due(self.last_activity) };
        let due = [limit, self.state.next_due(), self.prompts.next_due()].into_iter().flatten().min();
        let wait = due.map(|due| due.saturating_duration_since(now));
        match self.exit_notice {
            Some(_) => wait,
            None => Some(wait.map_or(EXIT_LOOK, |wait| wait.min(EXIT_LOOK))),
        }
    }

    /// Rests [`EVENT_GATHER`], or less when something is due sooner.
    fn gather(&self) {
        let rest = self.wait().map_or(EVENT_GATHER, |due| due.min(EVENT_GATHER));
        std::thread::sleep(rest);
    }

    /// Acts on job control; cancel requests are counted by `inputs`, for `escalate`.
    fn take_inputs(&mut self) {
        for input in self.inputs.take() {
            match input {
                Input::Stop => self.stop_job(),
                Input::Continue => self.continue_job(),
                Input::Cancel(_) | Input::CancelLine | Input::ReaderGone | Input::ApplicationGone => {}
            }
        }
    }

    /// Ctrl-Z: stops the whole job, then the runner, as a shell's job control would have, had the
    /// job not been in a session of its own.
    fn stop_job(&mut self) {
        self.job.stop(STOP_PATIENCE);
        self.stopped.get_or_insert_with(Instant::now);
        (self.suspend)();
    }

    /// `fg` or `bg`: the job goes on, its limits moved on by the time it was stopped.
    fn continue_job(&mut self) {
        let Some(since) = self.stopped.take() else { return };
        self.job.signal(Signal::SIGCONT);
        let stopped = since.elapsed();
        self.limits.pause(stopped);
        self.last_activity = self.last_activity.checked_add(stopped).unwrap_or(self.last_activity);
    }

    fn read_output(&mut self, on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>) -> io::Result<()> {
        if let Some(bytes) = self.channels.read_output()? {
            self.last_activity = Instant::now();
            on_output(Output::Raw(bytes))?;
            self.prompts.see_raw(bytes);
        }
        Ok(())
    }

    fn exit_status(&mut self) -> io::Result<Option<(ExitStatus, Instant)>> {
        if self.exited.is_none() {
            self.exited = self.child.try_wait()?.map(|status| (status, Instant::now()));
        }
        Ok(self.exited)
    }

    /// Hands out the last events and ends what is left of the job.
    fn finish(
        &mut self,
        status: ExitStatus,
        on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>,
    ) -> io::Result<Ending> {
        self.channels.drain_events(&mut self.prompts, on_output)?;
        self.channels.flush_partial(on_output)?;
        if let Some(ending) = self.state.ending() {
            self.job.kill();
            return Ok(ending);
        }
        self.job.sweep();
        Ok(match (status.code(), status.signal()) {
            (Some(code), _) => Ending::Exited(code),
            (None, Some(signal)) => Ending::Signalled(signal),
            (None, None) => Ending::Exited(1),
        })
    }

    /// Applies cancel requests and limits to the running job; true when it was just interrupted, so
    /// that whoever shows the job can say a second request forces it down.
    fn escalate(&mut self) -> bool {
        let now = Instant::now();
        let overdue = if self.stopped.is_some() { None } else { self.limits.overdue(now, self.last_activity) };
        let (state, action) = self.state.advance(self.inputs.requests(), overdue, now);
        self.state = state;
        if action.is_some() {
            // A stopped job would act on its cancel only once continued.
            self.continue_job();
        }
        match action {
            None => {}
            Some(Action::Interrupt) => self.job.signal(Signal::SIGINT),
            Some(Action::Terminate) => self.job.signal(Signal::SIGTERM),
            Some(Action::Kill) => self.job.kill(),
        }
        action == Some(Action::Interrupt)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::thread;

    use nix::sys::signal::kill;
    use nix::sys::stat::Mode;
    use nix::unistd::Pid;

    use super::*;
    use crate::job::command_line::CommandLine;
    use crate::request::ChildStdio;
    use crate::supervise::cancel::CANCEL_GRACE;
    use crate::supervise::input::InputSender;
    use crate::supervise::procfs::ProcStat;
    use crate::supervise::spawn::{spawn, Spawned};
    use crate::supervise::TimeoutKind;

    /// How late a busy machine may let the loop act on a deadline. The deadlines themselves are
    /// computed exactly (see `cancel`): these tests show that the loop wakes for them, rather than
    /// for output or on a tick, and acts.
    const SLACK: Duration = Duration::from_secs(3);
    /// Longer than anything here takes on a busy machine: a safety net, not a measure.
    const PATIENT: Duration = Duration::from_secs(60);

    thread_local! {
        /// When the watch on this thread last stopped its job, where the runner would stop itself.
        static SUSPENDED: Cell<Option<Instant>> = const { Cell::new(None) };
    }

    /// A job as the runner starts one: `script` under `sh`, in a session of its own, on a pipe or a
    /// terminal, with an event FIFO nobody writes to.
    struct TestJob {
        child: Child,
        channels: Channels,
        inputs: Inputs,
        /// Just before the job was started.
        spawned: Instant,
        _dir: tempfile::TempDir,
    }

    fn start(script: &str, terminal: bool) -> TestJob {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("events");
        nix::unistd::mkfifo(&fifo, Mode::S_IRWXU).unwrap();
        let events = open_events(&fifo).unwrap();
        let env = [("PATH".to_owned(), std::env::var("PATH").unwrap())].into_iter().collect();
        let command = ["sh", "-c", script].map(str::to_owned).to_vec();
        let line = CommandLine { command, cwd: dir.path().to_owned(), env };
        let program = crate::supervise::resolve_program("sh", &line).unwrap();
        let spawned = Instant::now();
        let Spawned { child, output, .. } = spawn(&line, &program, terminal, ChildStdio::default()).unwrap();
        let inputs = Inputs::new().unwrap();
        TestJob { child, channels: Channels::new(output, events), inputs, spawned, _dir: dir }
    }

    /// Limits for a test job.
    #[derive(Default)]
    struct Limited {
        job: Option<Duration>,
        idle: Option<Duration>,
        terminal: bool,
    }

    /// How a watch ended, and when it began and returned.
    struct Watched {
        ending: Ending,
        began: Instant,
        ended: Instant,
    }

    /// Watches `test` to its end; `on_text` sees its output as it comes, with a way to send inputs.
    fn watch(test: TestJob, limits: &Limited, job: &JobTree, mut on_text: impl FnMut(&str, &InputSender)) -> Watched {
        let TestJob { mut child, channels, inputs, .. } = test;
        let supervision = Supervision {
            job_timeout: limits.job,
            idle_timeout: limits.idle,
            inputs: &inputs,
            prompts: &[],
            terminal: limits.terminal,
            stdio: ChildStdio::default(),
        };
        let sender = inputs.sender();
        let mut seen = String::new();
        let began = Instant::now();
        let mut watch = Watch::new(&mut child, job, channels, PromptMatcher::new(None, &[]), &supervision);
        // The test's process must go on watching while its job is stopped.
        watch.suspend = || SUSPENDED.with(|at| at.set(Some(Instant::now())));
        let ending = watch.run(&mut |output| {
            if let Output::Raw(bytes) = output {
                seen.push_str(&String::from_utf8_lossy(bytes));
                on_text(&seen, &sender);
            }
            Ok(())
        });
        let ended = Instant::now();
        let _ = child.wait();
        Watched { ending: ending.unwrap(), began, ended }
    }

    /// Waits for `condition`, looking at /proc every few milliseconds; false if it never held.
    fn poll_until(mut condition: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + PATIENT;
        while !condition() {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(5));
        }
        true
    }

    /// Runs `attempt` with `limit`, then with the limit doubled while the attempt returns `None`:
    /// the limit passed before the job got where the test needs it, as it may on a busy machine.
    fn with_room(mut limit: Duration, mut attempt: impl FnMut(Duration) -> Option<()>) {
        for _ in 0..5 {
            if attempt(limit).is_some() {
                return;
            }
            limit *= 2;
        }
        panic!("the limit passed before the job got going, up to {:?}", limit / 2);
    }

    // The scripts start their `sleep` in the background before saying "ready": no process of the
    // job is being forked when the runner signals it, and none escapes the signal.

    #[test]
    fn a_cancel_interrupts_the_job_and_a_second_forces_it_down() {
        let script = "trap 'echo interrupted' INT; trap '' TERM; sleep 30 & echo ready; while :; do wait; done";
        let test = start(script, false);
        let job = JobTree::of(&test.child);
        let mut first = None;
        let mut second = None;
        let watched = watch(test, &Limited::default(), &job, |seen, inputs| {
            if seen.contains("ready") && first.is_none() {
                first = Some(Instant::now());
                inputs.send(Input::CancelLine);
            }
            if seen.contains("interrupted") && second.is_none() {
                second = Some(Instant::now());
                inputs.send(Input::Cancel(Signal::SIGINT));
            }
        });
        assert_eq!(watched.ending, Ending::Canceled);
        let (first, second) = (first.unwrap(), second.expect("the job was not interrupted"));
        assert!(second.duration_since(first) < CANCEL_GRACE, "SIGINT came with the first cancel");
        // Unforced, the job (which ignores SIGTERM) would have been killed a grace later still.
        let forced = watched.ended.duration_since(second);
        assert!(forced < CANCEL_GRACE, "the second cancel did not force the end: {forced:?}");
        assert!(job.members().is_empty());
    }

    #[test]
    fn a_job_that_ignores_the_interrupt_is_terminated_after_the_grace() {
        let test = start("trap '' INT; sleep 30 & echo ready; wait", false);
        let job = JobTree::of(&test.child);
        let mut sent = None;
        let watched = watch(test, &Limited::default(), &job, |seen, inputs| {
            if seen.contains("ready") && sent.is_none() {
                sent = Some(Instant::now());
                inputs.send(Input::ReaderGone);
            }
        });
        assert_eq!(watched.ending, Ending::Canceled);
        // Left to the kill after a second grace, it would have taken twice as long.
        let took = watched.ended.duration_since(sent.unwrap());
        assert!(took >= CANCEL_GRACE && took < CANCEL_GRACE * 2, "SIGTERM came {took:?} after the cancel");
    }

    #[test]
    fn an_exit_is_seen_while_a_descendant_holds_the_output() {
        // The background `sleep` holds the output open for a minute. Without the runner's
        // subreaper the test does not adopt it: it is ended by the pid the script tells.
        let test = start("sleep 60 & echo \"$!\"; sleep 0.2; exit 3", false);
        let job = JobTree::of(&test.child);
        let mut told = None;
        let watched = watch(test, &Limited::default(), &job, |seen, _| {
            if told.is_none() {
                told = seen.split_once('\n').map(|(pid, _)| (pid.trim().parse::<i32>().unwrap(), Instant::now()));
            }
        });
        let (sleep, told) = told.unwrap();
        let _ = kill(Pid::from_raw(sleep), Signal::SIGKILL);
        assert_eq!(watched.ending, Ending::Exited(3));
        let took = watched.ended.duration_since(told);
        assert!(took < DRAIN_AFTER_EXIT + SLACK, "the exit was not seen before the output closed: {took:?}");
    }

    #[test]
    fn the_job_timeout_fires_on_time() {
        let limit = Duration::from_millis(300);
        let test = start("sleep 30", false);
        let job = JobTree::of(&test.child);
        let watched = watch(test, &Limited { job: Some(limit), ..Limited::default() }, &job, |_, _| {});
        assert_eq!(watched.ending, Ending::TimedOut(TimeoutKind::Job));
        let took = watched.ended.duration_since(watched.began);
        assert!(took >= limit && took < limit + SLACK, "{took:?}");
        assert!(job.members().is_empty());
    }

    #[test]
    fn the_idle_timeout_counts_from_the_last_output() {
        with_room(Duration::from_millis(300), idle_counts_from_the_last_output);
    }

    /// `b` comes 0.2 s after `a`, then nothing for long. `None` when the limit passed before `b`.
    fn idle_counts_from_the_last_output(limit: Duration) -> Option<()> {
        let gap = Duration::from_millis(200);
        let test = start("echo a; sleep 0.2; echo b; sleep 30", false);
        let spawned = test.spawned;
        let job = JobTree::of(&test.child);
        let mut b = None;
        let watched = watch(test, &Limited { idle: Some(limit), ..Limited::default() }, &job, |seen, _| {
            if seen.contains('b') && b.is_none() {
                b = Some(Instant::now());
            }
        });
        assert_eq!(watched.ending, Ending::TimedOut(TimeoutKind::Idle));
        let b = b?;
        let took = watched.ended.duration_since(spawned);
        assert!(took >= gap + limit, "the limit did not count from the last output: {took:?}");
        let after = watched.ended.duration_since(b);
        assert!(after < limit + SLACK, "{after:?} after the last output");
        Some(())
    }

    /// Ctrl-Z stops every process of the job and holds its limit; `fg` continues both. `None` when
    /// the limit passed before the stop.
    fn a_stopped_job_does_not_time_out(limits: &Limited) -> Option<()> {
        let limit = limits.job.or(limits.idle).unwrap();
        // Past what was left of the limit: had it gone on counting, the job would be over.
        let stopped_for = limit + SLACK;
        let test = start("sleep 30 & echo ready; wait", limits.terminal);
        let job = JobTree::of(&test.child);
        let view = JobTree::of(&test.child);
        let (sender, inputs) = (test.inputs.sender(), test.inputs.sender());
        // Continues the job whatever it saw, or the watch would wait for ever.
        let looker = thread::spawn(move || {
            let held = || {
                let members = view.members();
                members.len() == 2 && members.iter().all(ProcStat::is_held)
            };
            let stopped = poll_until(|| held() || view.members().is_empty()) && held();
            if stopped {
                thread::sleep(stopped_for);
            }
            let still = stopped && held();
            let continued_at = Instant::now();
            inputs.send(Input::Continue);
            let continued = poll_until(|| view.members().iter().all(|m| !m.is_stopped()));
            (stopped, still, continued, continued_at)
        });
        SUSPENDED.with(|at| at.set(None));
        let mut stopping = false;
        let watched = watch(test, limits, &job, |seen, _| {
            if seen.contains("ready") && !stopping {
                stopping = true;
                sender.send(Input::Stop);
            }
        });
        let (stopped, held, continued, continued_at) = looker.join().unwrap();
        let kind = if limits.job.is_some() { TimeoutKind::Job } else { TimeoutKind::Idle };
        assert_eq!(watched.ending, Ending::TimedOut(kind));
        let stopped_at = SUSPENDED.with(Cell::take)?;
        assert!(stopped && held && continued, "stopped {stopped}, held while stopped {held}, continued {continued}");
        // The time stopped does not count, and is not counted twice either.
        let (took, paused) = (watched.ended.duration_since(watched.began), continued_at.duration_since(stopped_at));
        assert!(took >= limit + paused, "{took:?}, stopped for {paused:?}");
        let after = watched.ended.duration_since(continued_at);
        assert!(after < limit + SLACK, "{after:?} after the job went on");
        Some(())
    }

    #[test]
    fn a_stopped_job_on_a_pipe_does_not_time_out() {
        with_room(Duration::from_millis(500), |limit| {
            a_stopped_job_does_not_time_out(&Limited { job: Some(limit), ..Limited::default() })
        });
    }

    #[test]
    fn a_stopped_job_on_a_terminal_does_not_go_idle() {
        with_room(Duration::from_millis(500), |limit| {
            a_stopped_job_does_not_time_out(&Limited { idle: Some(limit), terminal: true, ..Limited::default() })
        });
    }
}
