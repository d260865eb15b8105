//! A worker whose output nobody reads any more (the SSH connection to its controller or the pipe
//! to `process` is gone) ends its job rather than run it for no one: a silent task would otherwise
//! keep the job, and the worker, alive on the node until it finished by itself.

use std::io;
use std::os::fd::AsFd;

use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// Watches stdout on a thread of its own and, once its reader is gone, calls `reader_gone` (the
/// caller turns it into a cancel request for its job). Waits in `poll` for the error
/// or hang-up the kernel reports on a pipe or socket whose other end closed; a file, a terminal or
/// `/dev/null` never reports one, so the thread then simply sleeps until the worker exits.
pub fn when_stdout_closes(reader_gone: impl FnOnce() + Send + 'static) {
    std::thread::spawn(move || loop {
        let stdout = io::stdout();
        let mut fds = [PollFd::new(stdout.as_fd(), PollFlags::empty())];
        match poll(&mut fds, PollTimeout::NONE) {
            Err(Errno::EINTR) => {}
            Err(_) => return,
            Ok(_) => {
                let events = fds[0].revents().unwrap_or(PollFlags::empty());
                if events.intersects(PollFlags::POLLERR | PollFlags::POLLHUP) {
                    reader_gone();
                    return;
                }
                // Anything else reported ends the watch too: no stdout at all.
                if !events.is_empty() {
                    return;
                }
            }
        }
    });
}
