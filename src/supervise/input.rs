//! What reaches a job from outside the job: the runner's signals and the messages of its threads (a
//! worker's reader gone, the Python package's cancel line or its end). Each arrives as a typed
//! [`Input`] behind one wake-up socket that the watch loop polls along with the job's output, so a
//! cancel or a Ctrl-Z is acted on the moment it comes and nothing wakes up to look for one.

use std::cell::{Cell, RefCell};
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;

use nix::sys::signal::Signal;
use signal_hook::iterator::backend::SignalDelivery;
use signal_hook::iterator::exfiltrator::SignalOnly;

/// One thing the job is told from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// SIGINT, SIGTERM, SIGHUP (the terminal or SSH session went away) or SIGQUIT (Ctrl-\): a
    /// cancel request. Left to their default, the last two would kill the runner and leave the job
    /// running with no `status`.
    Cancel(Signal),
    /// A cancel line from the Python package (or a line that means nothing else): as a signal.
    CancelLine,
    /// Nobody reads a worker's output any more: a first cancel request, unless one came already.
    ReaderGone,
    /// The Python package's end of the pipe closed: the application is gone and nobody waits for
    /// a graceful end, so the job is ended at once.
    ApplicationGone,
    /// SIGTSTP (Ctrl-Z): the job is stopped, then the runner.
    Stop,
    /// SIGCONT (`fg`, `bg`): the job goes on where it was stopped.
    Continue,
}

/// Every signal the runner takes as an input rather than leave to its default action.
const SIGNALS: [Signal; 6] =
    [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP, Signal::SIGQUIT, Signal::SIGTSTP, Signal::SIGCONT];

impl Input {
    fn from_signal(number: i32) -> Option<Self> {
        match Signal::try_from(number).ok()? {
            Signal::SIGTSTP => Some(Input::Stop),
            Signal::SIGCONT => Some(Input::Continue),
            signal => Some(Input::Cancel(signal)),
        }
    }

    /// The cancel requests counted once this input is taken, `so_far` before it: one asks the job
    /// to stop, two or more force it.
    pub fn requests_after(self, so_far: usize) -> usize {
        match self {
            Input::Cancel(_) | Input::CancelLine => so_far.saturating_add(1),
            Input::ReaderGone => so_far.max(1),
            Input::ApplicationGone => so_far.max(2),
            Input::Stop | Input::Continue => so_far,
        }
    }
}

/// Hands inputs to the runner's main thread from any other thread.
#[derive(Clone)]
pub struct InputSender {
    queue: Sender<Input>,
    wake: Arc<UnixStream>,
}

impl InputSender {
    /// Queues `input`, then wakes the reader: in that order, so that a reader woken finds it.
    pub fn send(&self, input: Input) {
        // A runner past its job takes no more inputs; nobody to tell is fine.
        if self.queue.send(input).is_ok() {
            // The socket does not block: when it is full, the reader has a wake-up waiting already.
            let _ = (&*self.wake).write(&[1]);
        }
    }
}

/// The inputs, as the runner's main thread takes them. Shared by reference between the phases of
/// a job (each may have to give way to a cancel), hence the cells.
pub struct Inputs {
    /// Readable when an input may be waiting.
    wake: UnixStream,
    /// The signals, when the runner handles them (tests feed inputs through the queue only).
    signals: Option<RefCell<SignalDelivery<UnixStream, SignalOnly>>>,
    queue: Receiver<Input>,
    sender: InputSender,
    /// Cancel requests taken so far, by [`Input::requests_after`].
    requests: Cell<usize>,
}

impl Inputs {
    /// Inputs from other threads only.
    pub fn new() -> io::Result<Self> {
        let (wake, write) = UnixStream::pair()?;
        wake.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        let (queue_in, queue) = mpsc::channel();
        let sender = InputSender { queue: queue_in, wake: Arc::new(write) };
        Ok(Self { wake, signals: None, queue, sender, requests: Cell::new(0) })
    }

    /// Inputs from other threads and from the runner's signals, which from now on are inputs only:
    /// their handlers write to the socket, without `unsafe` and with nothing else to do.
    pub fn with_signals() -> io::Result<Self> {
        let mut inputs = Self::new()?;
        let write = inputs.sender.wake.try_clone()?;
        let numbers = SIGNALS.map(|signal| signal as i32);
        let delivery = SignalDelivery::with_pipe(inputs.wake.try_clone()?, write, SignalOnly, numbers)?;
        inputs.signals = Some(RefCell::new(delivery));
        Ok(inputs)
    }

    /// Sends inputs from another thread.
    pub fn sender(&self) -> InputSender {
        self.sender.clone()
    }

    /// Takes every input waiting, without blocking.
    pub fn take(&self) -> Vec<Input> {
        let mut taken = Vec::new();
        // The socket is emptied before the signals and the queue are read, so that an input coming
        // meanwhile leaves a wake-up behind.
        match &self.signals {
            Some(signals) => taken.extend(signals.borrow_mut().pending().filter_map(Input::from_signal)),
            None => self.empty_socket(),
        }
        taken.extend(self.queue.try_iter());
        for input in &taken {
            self.requests.set(input.requests_after(self.requests.get()));
        }
        taken
    }

    /// The cancel requests taken so far.
    pub fn requests(&self) -> usize {
        self.requests.get()
    }

    /// Whether the job must give way to a cancel, for the phases before the job's processes run: a
    /// Ctrl-Z meanwhile stops the runner, which is all there is to stop.
    pub fn canceled(&self) -> bool {
        if self.take().contains(&Input::Stop) {
            suspend_runner();
        }
        self.requests() > 0
    }

    fn empty_socket(&self) {
        let mut buf = [0u8; 256];
        while matches!((&self.wake).read(&mut buf), Ok(n) if n > 0) {}
    }
}

impl AsFd for Inputs {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.wake.as_fd()
    }
}

/// Stops the runner as SIGTSTP would have, had it been left to its default; returns once the
/// runner is continued.
pub fn suspend_runner() {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::this(), Signal::SIGSTOP);
}

#[cfg(test)]
mod tests {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

    use super::*;

    fn readable(inputs: &Inputs, wait: u16) -> bool {
        let mut fds = [PollFd::new(inputs.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(wait)).is_ok_and(|n| n > 0)
    }

    #[test]
    fn inputs_from_threads_wake_the_reader_in_order() {
        let inputs = Inputs::new().unwrap();
        assert!(!readable(&inputs, 0), "nothing sent yet");
        let sender = inputs.sender();
        std::thread::spawn(move || {
            sender.send(Input::ReaderGone);
            sender.send(Input::CancelLine);
        })
        .join()
        .unwrap();
        assert!(readable(&inputs, 1000));
        assert_eq!(inputs.take(), [Input::ReaderGone, Input::CancelLine]);
        assert_eq!(inputs.requests(), 2);
        assert!(!readable(&inputs, 0), "the wake-ups were taken with the inputs");
        assert!(inputs.take().is_empty());
    }

    #[test]
    fn requests_count_cancels_and_repeats_force_them() {
        assert_eq!(Input::Cancel(Signal::SIGINT).requests_after(0), 1);
        assert_eq!(Input::CancelLine.requests_after(1), 2);
        assert_eq!(Input::ReaderGone.requests_after(0), 1);
        assert_eq!(Input::ReaderGone.requests_after(1), 1, "a reader gone adds nothing to a cancel under way");
        assert_eq!(Input::ApplicationGone.requests_after(0), 2, "the application gone forces the end");
        assert_eq!(Input::Stop.requests_after(1), 1);
        assert_eq!(Input::Continue.requests_after(0), 0);
    }

    #[test]
    fn signals_map_to_their_inputs() {
        assert_eq!(Input::from_signal(nix::libc::SIGTSTP), Some(Input::Stop));
        assert_eq!(Input::from_signal(nix::libc::SIGCONT), Some(Input::Continue));
        assert_eq!(Input::from_signal(nix::libc::SIGQUIT), Some(Input::Cancel(Signal::SIGQUIT)));
        assert_eq!(Input::from_signal(-1), None);
    }
}
