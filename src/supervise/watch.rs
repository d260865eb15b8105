//! The supervision loop: one `poll` over the child's output and the callback's event FIFO, which
//! hands everything on as it arrives, answers prompts, notices the child's exit, and applies cancel
//! requests and limits as `cancel` decides.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;

use super::cancel::{Action, Limits, State};
use super::prompts::PromptMatcher;
use super::tree::JobTree;
use super::{Ending, Output, Supervision};

/// How long output is still read after the child exited, for descendants that inherited the pipe.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(1);
/// How often the output is looked at while it drains after the exit.
const DRAIN_TICK: Duration = Duration::from_millis(20);
/// How long to wait for the exit status once the output closed: it follows within moments.
const EXIT_TICK: Duration = Duration::from_millis(2);
/// How often to look for the exit of a child whose output never reaches the runner (its stdout
/// and stderr are the caller's own): there is no closing output to wait on, and the job may be long.
const UNWATCHED_EXIT_TICK: Duration = Duration::from_millis(50);

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

    /// Waits up to `wait` for something to read; returns whether the output and the events are ready.
    fn poll(&self, wait: Duration) -> io::Result<(bool, bool)> {
        let mut fds = Vec::with_capacity(2);
        fds.push(PollFd::new(self.events.as_fd(), PollFlags::POLLIN));
        if self.output_open {
            fds.push(PollFd::new(self.output.as_fd(), PollFlags::POLLIN));
        }
        match poll(&mut fds, PollTimeout::try_from(wait).unwrap_or(PollTimeout::MAX)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(err) => return Err(err.into()),
        }
        let ready = |fd: &PollFd<'_>| fd.revents().is_some_and(|r| !r.is_empty());
        Ok((fds.get(1).is_some_and(ready), ready(&fds[0])))
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

/// One job under watch.
pub struct Watch<'a> {
    child: &'a mut Child,
    job: &'a JobTree,
    channels: Channels,
    prompts: PromptMatcher<'a>,
    limits: Limits,
    cancel_requests: &'a AtomicUsize,
    state: State,
    last_activity: Instant,
    /// The child's exit status and when it was collected.
    exited: Option<(ExitStatus, Instant)>,
    /// How often to look for the exit once the output is closed.
    exit_tick: Duration,
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
        Watch {
            child,
            job,
            channels,
            prompts,
            limits: Limits { started, job: supervision.job_timeout, idle: supervision.idle_timeout },
            cancel_requests: supervision.cancel_requests,
            state: State::Running,
            last_activity: started,
            exited: None,
            exit_tick: if supervision.output_reaches_runner() { EXIT_TICK } else { UNWATCHED_EXIT_TICK },
        }
    }

    /// Watches until the child exited and its output is read, or a cancel or limit ended it.
    pub fn run(&mut self, on_output: &mut impl FnMut(Output<'_>) -> io::Result<()>) -> io::Result<Ending> {
        loop {
            let (output_ready, events_ready) = self.channels.poll(self.wait())?;
            if output_ready {
                self.read_output(on_output)?;
            }
            if events_ready && self.channels.drain_events(&mut self.prompts, on_output)? {
                self.last_activity = Instant::now();
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
                None => self.escalate(),
            }
        }
    }

    /// How long to wait for output before something has to be checked again.
    fn wait(&self) -> Duration {
        let now = Instant::now();
        let mut wait = match self.exited {
            Some(_) => DRAIN_TICK,
            None if self.channels.output_open => self.limits.next_check(now, self.last_activity),
            None => self.limits.next_check(now, self.last_activity).min(self.exit_tick),
        };
        if let Some(due) = self.prompts.next_due() {
            wait = wait.min(due.saturating_duration_since(now));
        }
        wait
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

    /// Applies cancel requests and limits to the running job.
    fn escalate(&mut self) {
        let now = Instant::now();
        let overdue = self.limits.overdue(now, self.last_activity);
        let requests = self.cancel_requests.load(Ordering::SeqCst);
        let (state, action) = self.state.advance(requests, overdue, now);
        self.state = state;
        match action {
            None => {}
            Some(Action::Interrupt) => {
                crate::output::progress::notice("ansible-runner: canceling the job (interrupt again to force it)");
                self.job.signal(Signal::SIGINT);
            }
            Some(Action::Terminate) => self.job.signal(Signal::SIGTERM),
            Some(Action::Kill) => self.job.kill(),
        }
    }
}
