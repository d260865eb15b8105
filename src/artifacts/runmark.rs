//! Whether a run is in progress. The process writing a run's artifacts (`run`, a started job, or
//! `process` receiving a stream) holds an exclusive `flock` on the artifact dir until it has
//! written `status`. The kernel drops the lock when that process ends, however it ends, so a run
//! without `status` whose lock nobody holds is known to have died: no pid to trust, nothing to clean
//! up. Being exclusive, it also keeps a second run with the same ident out of a dir in use.

use std::fs::File;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::artifacts::dir::ArtifactDir;

/// How long a claim waits out a `history` probe, which holds its lock for an instant.
const PROBE_WAIT: Duration = Duration::from_millis(500);

/// Held while the run is in progress.
pub struct RunningMark {
    _lock: Flock<File>,
}

/// Marks the run in `dir` as in progress for as long as the value lives. Refused (`WouldBlock`)
/// while another run holds the dir. The lock's descriptor is close-on-exec, so the job's own
/// processes do not keep the mark alive after the runner is gone.
pub fn claim(dir: &ArtifactDir) -> io::Result<RunningMark> {
    let waited_out = Instant::now() + PROBE_WAIT;
    loop {
        let file = File::from(dir.fd().try_clone_to_owned()?);
        match Flock::lock(file, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => return Ok(RunningMark { _lock: lock }),
            Err((_, Errno::EWOULDBLOCK)) if Instant::now() < waited_out => {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err((_, errno)) => return Err(io::Error::from(errno)),
        }
    }
}

/// Whether some live process holds the mark of the run in `dir`. Probing takes the lock shared for
/// an instant; a dir that cannot be opened or locked counts as not running.
pub fn is_running(dir: &Path) -> bool {
    let Ok(file) = File::open(dir) else { return false };
    match Flock::lock(file, FlockArg::LockSharedNonblock) {
        Ok(probe) => {
            drop(probe);
            false
        }
        Err((_, errno)) => errno == Errno::EWOULDBLOCK,
    }
}

/// Whether any run under the artifact root `root` is in progress.
pub fn any_running(root: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(root) else { return false };
    entries
        .filter_map(Result::ok)
        .any(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()) && is_running(&entry.path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_running_while_its_mark_lives() {
        let dir = tempfile::tempdir().unwrap();
        assert!(!is_running(dir.path()));
        let handle = ArtifactDir::open(dir.path()).unwrap();
        let held = claim(&handle).unwrap();
        assert!(is_running(dir.path()));
        let second = claim(&ArtifactDir::open(dir.path()).unwrap()).err().map(|err| err.kind());
        assert_eq!(second, Some(io::ErrorKind::WouldBlock), "one run at a time");
        drop(held);
        assert!(!is_running(dir.path()));
        assert!(!is_running(&dir.path().join("missing")));
    }
}
