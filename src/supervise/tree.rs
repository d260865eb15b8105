//! The job's processes. The runner is a child subreaper, so every process the job starts stays its
//! descendant even after its parent dies — including Ansible's workers, which move to sessions of
//! their own — and however a job ends, every descendant left is ended with it.

use std::io;
use std::process::Child;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitid, waitpid, Id, WaitPidFlag};
use nix::unistd::Pid;

use super::procfs::ProcStat;

/// How long processes still running when the job ends get to stop after SIGTERM.
const SWEEP_GRACE: Duration = Duration::from_secs(1);

/// Has orphans of the job re-parented to the runner, so none can escape the final kill.
pub fn become_subreaper() -> io::Result<()> {
    nix::sys::prctl::set_child_subreaper(true).map_err(io::Error::from)
}

/// Whether the runner has no child at all, running or exited and not yet waited for. As a
/// subreaper it then has no descendant either, and the walk of /proc (a file read for every
/// process on the machine) can be skipped: the usual case once a job's main process has been
/// waited for.
fn childless() -> bool {
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    matches!(waitid(Id::All, flags), Err(Errno::ECHILD))
}

/// The live descendants of `root`: for the runner, with the subreaper set, every process of the job.
pub fn descendants(root: Pid) -> Vec<Pid> {
    if root == Pid::this() && childless() {
        return Vec::new();
    }
    let table = ProcStat::all();
    let mut members = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for entry in table.iter().filter(|e| e.ppid == parent) {
            frontier.push(entry.pid);
            if !entry.is_zombie() {
                members.push(entry.pid);
            }
        }
    }
    members
}

/// Sends `signal` to every live process of the job.
pub fn signal_descendants(signal: Signal) {
    for pid in descendants(Pid::this()) {
        let _ = kill(pid, signal);
    }
}

/// Ends whatever the job left running once its main process is gone (Ansible's workers when
/// `ansible-playbook` was killed, background commands, SSH connection masters): SIGTERM so they
/// can clean up, then SIGKILL for what is left.
pub fn sweep(child: &Child) {
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
pub fn kill_descendants(child: &Child) {
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
pub fn reap_orphans(child: &Child) {
    if childless() {
        return;
    }
    let main = Pid::from_raw(i32::try_from(child.id()).unwrap_or(0));
    for entry in ProcStat::all().iter().filter(|e| e.is_zombie() && e.ppid == Pid::this() && e.pid != main) {
        let _ = waitpid(entry.pid, Some(WaitPidFlag::WNOHANG));
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    #[test]
    fn a_process_with_a_child_is_not_childless() {
        // Other tests may have children too: only the answer while this one runs is certain.
        let mut child = Command::new("sleep").arg("5").spawn().unwrap();
        assert!(!childless());
        let _ = child.kill();
        let _ = child.wait();
    }

    #[test]
    fn descendants_include_grandchildren() {
        // Only this test's own tree is looked at and killed: other tests run children in parallel.
        let mut child = Command::new("sh").args(["-c", "sh -c 'sleep 5' & wait"]).spawn().unwrap();
        let root = Pid::from_raw(i32::try_from(child.id()).unwrap());
        let deadline = Instant::now() + Duration::from_secs(5);
        while descendants(root).len() < 2 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let tree = descendants(root);
        assert!(tree.len() >= 2, "the shell's child and grandchild: {tree:?}");
        for pid in tree.into_iter().chain([root]) {
            let _ = kill(pid, Signal::SIGKILL);
        }
        let _ = child.wait();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !descendants(root).is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(descendants(root).is_empty());
    }
}
