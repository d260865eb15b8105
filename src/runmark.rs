//! Whether a run is in progress. The process writing a run's artifacts (`run`, a started job, or
//! `process` receiving a stream) holds a shared `flock` on the artifact dir until it has written
//! `status`. The kernel drops the lock when that process ends, however it ends, so a run without
//! `status` whose lock nobody holds is known to have died: no pid to trust, nothing to clean up.

use std::fs::File;
use std::io;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

/// Held while the run is in progress.
pub struct RunningMark {
    _lock: Flock<File>,
}

/// Marks the run in `dir` as in progress for as long as the value lives. Opened close-on-exec, so
/// the job's own processes do not keep the mark alive after the runner is gone.
pub fn mark(dir: &Path) -> io::Result<RunningMark> {
    let file = File::open(dir)?;
    // Blocking: `is_running` holds its exclusive probe only for an instant.
    let lock = Flock::lock(file, FlockArg::LockShared).map_err(|(_, errno)| io::Error::from(errno))?;
    Ok(RunningMark { _lock: lock })
}

/// Whether some live process holds the mark of the run in `dir`. Probing takes the lock exclusively
/// for an instant; a dir that cannot be opened or locked counts as not running.
pub fn is_running(dir: &Path) -> bool {
    let Ok(file) = File::open(dir) else { return false };
    match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
        Ok(probe) => {
            drop(probe);
            false
        }
        Err((_, errno)) => errno == Errno::EWOULDBLOCK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_running_while_its_mark_lives() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_running(dir.path()));
        let held = mark(dir.path()).unwrap();
        let second = mark(dir.path()).unwrap();
        assert!(is_running(dir.path()));
        drop(held);
        assert!(is_running(dir.path()), "any holder keeps it running");
        drop(second);
        assert!(!is_running(dir.path()));
        assert!(!is_running(&dir.path().join("missing")));
    }
}
