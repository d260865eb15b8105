//! The job's processes: the one the runner started and its descendants and, the runner being a
//! child subreaper, the job's orphans that come back to it (Ansible's workers move to sessions of
//! their own and outlive a killed `ansible-playbook`). The runner's other children (its ssh-agent)
//! are not the job's and are left alone. However a job ends, every process of it left is ended.

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
/// How often /proc is read again while processes are seen to stop or end.
const RECHECK: Duration = Duration::from_millis(2);

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

/// The live descendants of `root`.
pub fn descendants(root: Pid) -> Vec<Pid> {
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

/// A process, by pid and start time, so that a reused pid is not taken for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    pid: Pid,
    start_time: u64,
}

impl Identity {
    fn of(stat: &ProcStat) -> Self {
        Self { pid: stat.pid, start_time: stat.start_time }
    }

    fn is(self, stat: &ProcStat) -> bool {
        self == Self::of(stat)
    }
}

/// The runner's children from before the job started: neither they nor theirs are the job's.
pub struct Bystanders {
    runner: Pid,
    children: Vec<Identity>,
}

impl Bystanders {
    pub fn now() -> Self {
        let runner = Pid::this();
        // Most jobs start from a runner with no child (no ssh-agent): no need to read all of /proc.
        let children = if childless() {
            Vec::new()
        } else {
            ProcStat::all().iter().filter(|e| e.ppid == runner).map(Identity::of).collect()
        };
        Self { runner, children }
    }

    /// Whether `stat` is an orphan of the job the runner adopted.
    fn adopted(&self, stat: &ProcStat) -> bool {
        stat.ppid == self.runner && !self.children.iter().any(|child| child.is(stat))
    }
}

/// The processes of one job.
pub struct JobTree {
    /// The job's first process, which `Child` waits for.
    main: Pid,
    /// Its identity when the job started; once it is reaped, its pid may name another process.
    main_identity: Option<Identity>,
    /// The runner when it adopts the job's orphans.
    adopter: Option<Bystanders>,
}

impl JobTree {
    /// The job `main` started, as its descendants show it.
    pub fn of(main: &Child) -> Self {
        // A pid always fits; 0 would name no process.
        let main = Pid::from_raw(i32::try_from(main.id()).unwrap_or(0));
        Self { main, main_identity: ProcStat::read(main).as_ref().map(Identity::of), adopter: None }
    }

    /// With the orphans of the job that the runner, a subreaper, adopts.
    pub fn adopted_by(self, bystanders: Bystanders) -> Self {
        Self { adopter: Some(bystanders), ..self }
    }

    /// The job's live processes, as /proc shows them now. None when the runner has no child left
    /// (its first process is one, and its orphans come back to the runner), without reading /proc.
    pub fn members(&self) -> Vec<ProcStat> {
        if childless() {
            return Vec::new();
        }
        let table = ProcStat::all();
        let is_main = |e: &ProcStat| self.main_identity.is_some_and(|main| main.is(e));
        let adopted = |e: &ProcStat| !is_main(e) && self.adopter.as_ref().is_some_and(|a| a.adopted(e));
        let mut frontier: Vec<&ProcStat> = table.iter().filter(|e| is_main(e) || adopted(e)).collect();
        let mut members = Vec::new();
        while let Some(entry) = frontier.pop() {
            frontier.extend(table.iter().filter(|e| e.ppid == entry.pid));
            if entry.is_running() {
                members.push(*entry);
            }
        }
        members
    }

    /// Sends `signal` to every live process of the job.
    pub fn signal(&self, signal: Signal) {
        for member in self.members() {
            let _ = kill(member.pid, signal);
        }
    }

    /// Stops every process of the job (SIGSTOP, which none can ignore) so that nothing of it runs
    /// on while the runner is stopped, and returns whether it did before `patience` ran out: once
    /// /proc shows each held, twice in a row. A process forked meanwhile is caught by the next
    /// pass, and one forked just before its parent stopped shows in the pass after that.
    pub fn stop(&self, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        let mut held_before = false;
        loop {
            let running: Vec<Pid> = self.members().iter().filter(|m| !m.is_held()).map(|m| m.pid).collect();
            if running.is_empty() && held_before {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            held_before = running.is_empty();
            for pid in running {
                let _ = kill(pid, Signal::SIGSTOP);
            }
            std::thread::sleep(RECHECK);
        }
    }

    /// Ends whatever the job left running once its main process is gone (Ansible's workers when
    /// `ansible-playbook` was killed, background commands, SSH connection masters): SIGTERM so they
    /// can clean up (and SIGCONT, should they be stopped), then SIGKILL for what is left.
    pub fn sweep(&self) {
        let members = self.members();
        if members.is_empty() {
            return;
        }
        for member in &members {
            let _ = kill(member.pid, Signal::SIGTERM);
            let _ = kill(member.pid, Signal::SIGCONT);
        }
        let deadline = Instant::now() + SWEEP_GRACE;
        while Instant::now() < deadline {
            self.reap();
            if self.members().is_empty() {
                return;
            }
            std::thread::sleep(RECHECK);
        }
        self.kill();
    }

    /// SIGKILLs the job until no process of it is left; forks racing the kill are re-parented to the
    /// runner and caught by the next pass.
    pub fn kill(&self) {
        for _ in 0..100 {
            let members = self.members();
            if members.is_empty() {
                return;
            }
            for member in &members {
                let _ = kill(member.pid, Signal::SIGKILL);
            }
            self.reap();
            std::thread::sleep(RECHECK);
        }
    }

    /// Collects the exit status of the job's adopted orphans (never the main process's, which
    /// `Child` waits for, nor a bystander's, which its owner waits for).
    pub fn reap(&self) {
        let Some(adopter) = &self.adopter else { return };
        if childless() {
            return;
        }
        for entry in ProcStat::all().iter().filter(|e| e.is_zombie() && e.pid != self.main && adopter.adopted(e)) {
            let _ = waitpid(entry.pid, Some(WaitPidFlag::WNOHANG));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn pid_of(child: &Child) -> Pid {
        Pid::from_raw(i32::try_from(child.id()).unwrap())
    }

    /// Longer than anything here takes on a busy machine: a safety net, not a measure.
    const PATIENT: Duration = Duration::from_secs(60);

    fn wait_for(what: &str, mut condition: impl FnMut() -> bool) {
        let deadline = Instant::now() + PATIENT;
        while !condition() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the job when the test ends, failed or not: a job left stopped would hold the output
    /// of whoever runs the tests open for ever.
    struct Ends<'a>(&'a JobTree);

    impl Drop for Ends<'_> {
        fn drop(&mut self) {
            self.0.kill();
        }
    }

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
        let root = pid_of(&child);
        wait_for("the grandchild", || descendants(root).len() >= 2);
        for pid in descendants(root).into_iter().chain([root]) {
            let _ = kill(pid, Signal::SIGKILL);
        }
        let _ = child.wait();
        wait_for("the tree to go", || descendants(root).is_empty());
    }

    /// A process of the job may be stopped in the middle of a `vfork`: its parent then waits in the
    /// kernel with the signal pending, held (state D), as long as the child is stopped.
    #[test]
    fn a_job_is_stopped_whole_and_ended_whole() {
        let mut child = Command::new("sh").args(["-c", "(sleep 30; :) & wait"]).spawn().unwrap();
        let job = JobTree::of(&child);
        let _ends = Ends(&job);
        wait_for("the grandchild", || job.members().len() >= 3);
        assert!(job.stop(PATIENT), "the stop gave up");
        let members = job.members();
        assert!(members.iter().all(ProcStat::is_held), "{members:?}");
        assert!(members.iter().any(|m| m.pid == pid_of(&child)), "the main process is the job's: {members:?}");
        job.signal(Signal::SIGCONT);
        wait_for("the job to go on", || job.members().iter().all(|m| !m.is_stopped()));
        job.kill();
        child.wait().unwrap();
        wait_for("every process to end", || {
            members.iter().all(|m| ProcStat::read(m.pid).is_none_or(|now| now.is_zombie() || !Identity::of(m).is(&now)))
        });
    }

    /// A shell forking all the time: a child forked between two looks at /proc is caught by the
    /// next, and one held in `vfork` by a stopped child counts as stopped without a wait.
    #[test]
    fn a_job_stopped_while_it_forks_is_held_whole() {
        let mut child = Command::new("sh").args(["-c", "while :; do /bin/true; done"]).spawn().unwrap();
        let job = JobTree::of(&child);
        let _ends = Ends(&job);
        for _ in 0..50 {
            assert!(job.stop(PATIENT), "the stop waited for a process that could not stop");
            let members = job.members();
            assert!(members.iter().all(ProcStat::is_held), "{members:?}");
            job.signal(Signal::SIGCONT);
        }
        job.kill();
        child.wait().unwrap();
    }

    #[test]
    fn a_reused_main_pid_is_not_the_job() {
        let mut child = Command::new("sleep").arg("30").spawn().unwrap();
        let job = JobTree::of(&child);
        assert_eq!(job.members().len(), 1);
        let other = job.main_identity.map(|id| Identity { start_time: id.start_time + 1, ..id });
        let reused = JobTree { main: job.main, main_identity: other, adopter: None };
        assert!(reused.members().is_empty(), "another process under the job's pid");
        job.kill();
        child.wait().unwrap();
    }

    #[test]
    fn bystanders_are_not_adopted() {
        let me = Pid::this();
        let stat = |pid: i32, start_time: u64| ProcStat { pid: Pid::from_raw(pid), state: 'S', ppid: me, start_time };
        let bystanders = Bystanders { runner: me, children: vec![Identity::of(&stat(7, 70))] };
        assert!(!bystanders.adopted(&stat(7, 70)), "a child from before the job");
        assert!(bystanders.adopted(&stat(7, 71)), "its pid reused by an orphan of the job");
        assert!(bystanders.adopted(&stat(8, 80)));
        assert!(!bystanders.adopted(&ProcStat { ppid: Pid::from_raw(1), ..stat(9, 90) }), "not the runner's");
    }
}
