//! `--lock`: one run at a time per private data dir, for cron. The lock is an `flock` on
//! `<pdd>/.ansible-runner.lock`, so the kernel drops it when its holder dies: never a stale lock.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use nix::fcntl::{Flock, FlockArg};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum LockError {
    #[error("another run holds the lock on {0} (use --lock-wait SECONDS to wait for it)")]
    Held(PathBuf),
    #[error("another run still held the lock on {0} after waiting {1} s")]
    StillHeld(PathBuf, f64),
    #[error("cannot open lock file {0}: {1}")]
    Open(PathBuf, std::io::Error),
}

impl LockError {
    /// The error as the program ends with it: another run holding the lock is `LOCKED` (try again
    /// later), a lock file that cannot be opened a plain failure.
    pub fn into_ending(self) -> anyhow::Error {
        match self {
            Self::Open(..) => self.into(),
            held => crate::exit::Failure::new(crate::exit::LOCKED, held.to_string()).into(),
        }
    }
}

/// Held for as long as the value lives.
pub struct RunLock {
    _lock: Flock<File>,
}

const RETRY: Duration = Duration::from_millis(50);

/// Takes the lock at once, or within `wait`.
pub fn acquire(pdd: &Path, wait: Option<Duration>) -> Result<RunLock, LockError> {
    let path = pdd.join(crate::job::pdd::LOCK_FILE);
    // A wait past what the clock can hold (the flags never give one) waits as long as it can.
    let deadline = wait.map(|wait| Instant::now().checked_add(wait).unwrap_or_else(far_future));
    loop {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&path)
            .map_err(|err| LockError::Open(path.clone(), err))?;
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => return Ok(RunLock { _lock: lock }),
            Err((_, errno)) if errno == nix::errno::Errno::EWOULDBLOCK => match deadline {
                None => return Err(LockError::Held(pdd.to_owned())),
                Some(deadline) if Instant::now() >= deadline => {
                    return Err(LockError::StillHeld(pdd.to_owned(), wait.unwrap_or_default().as_secs_f64()))
                }
                Some(_) => std::thread::sleep(RETRY),
            },
            Err((_, errno)) => return Err(LockError::Open(path, errno.into())),
        }
    }
}

/// The latest instant the clock holds, found by halving: a stand-in for "no deadline".
fn far_future() -> Instant {
    let now = Instant::now();
    let mut step = Duration::from_secs(u64::MAX / 4);
    loop {
        if let Some(later) = now.checked_add(step) {
            return later;
        }
        step /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = acquire(dir.path(), None).unwrap();
        assert!(matches!(acquire(dir.path(), None), Err(LockError::Held(_))));
        assert!(matches!(acquire(dir.path(), Some(Duration::from_millis(100))), Err(LockError::StillHeld(..))));
        drop(first);
        assert!(acquire(dir.path(), None).is_ok());
    }
}
