//! `/proc/<pid>/stat`: the process facts the runner needs (state, parent, start time), read in one
//! place for the job's process tree and for `start`'s pid record.

use std::fs;
use std::io::Read;

use nix::sys::signal::Signal;
use nix::unistd::Pid;

/// One process as the kernel describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcStat {
    pub pid: Pid,
    /// One letter: `R` running, `S` sleeping, `Z` zombie, `X` dead, ...
    pub state: char,
    pub ppid: Pid,
    /// When the process started, in clock ticks after boot (field 22): with the pid, it names one
    /// process even after the pid is reused.
    pub start_time: u64,
}

impl ProcStat {
    /// The process `pid`; `None` when there is none.
    pub fn read(pid: Pid) -> Option<Self> {
        if pid.as_raw() <= 0 {
            return None;
        }
        // One read: the line is well under a page, and a walk of /proc reads one per process.
        let mut buf = [0u8; 2048];
        let len = fs::File::open(format!("/proc/{pid}/stat")).ok()?.read(&mut buf).ok()?;
        Self::parse(std::str::from_utf8(buf.get(..len)?).ok()?)
    }

    /// Every process in the system (those that end while the table is read are left out).
    pub fn all() -> Vec<Self> {
        let Ok(dir) = fs::read_dir("/proc") else { return Vec::new() };
        dir.filter_map(|entry| {
            let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            Self::read(Pid::from_raw(pid))
        })
        .collect()
    }

    /// Parses the line `pid (comm) state ppid ...`. The command name may hold spaces and `)`, but
    /// nothing after it does, so the fields start after the last `)`.
    fn parse(stat: &str) -> Option<Self> {
        let (head, tail) = stat.rsplit_once(')')?;
        let (pid, _comm) = head.split_once('(')?;
        let mut fields = tail.split_whitespace();
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        // Fields 5 to 21 lie between the parent and the start time.
        let start_time = fields.nth(17)?.parse().ok()?;
        Some(Self { pid: Pid::from_raw(pid.trim().parse().ok()?), state, ppid: Pid::from_raw(ppid), start_time })
    }

    /// Ended, its exit status not collected yet by its parent.
    pub fn is_zombie(&self) -> bool {
        self.state == 'Z'
    }

    /// Stopped by a signal (`T`), or by a debugger (`t`).
    pub fn is_stopped(&self) -> bool {
        matches!(self.state, 'T' | 't')
    }

    /// Whether the process runs none of its own code until it is continued: stopped, or blocked in
    /// the kernel with a SIGSTOP pending, which it obeys before it returns to its code. (A parent
    /// blocked in `vfork` until its child runs stays so while the child is stopped.) A runnable
    /// process with the signal pending is not held yet: it may be finishing a `fork`, and the child
    /// it is about to have does not get the signal.
    pub fn is_held(&self) -> bool {
        self.is_stopped() || (self.state == 'D' && self.stop_pending())
    }

    /// Whether a SIGSTOP waits for this process to take it.
    fn stop_pending(&self) -> bool {
        fs::read_to_string(format!("/proc/{}/status", self.pid)).is_ok_and(|status| pending(&status, Signal::SIGSTOP))
    }

    /// Neither a zombie nor being torn down.
    pub fn is_running(&self) -> bool {
        !matches!(self.state, 'Z' | 'X')
    }
}

/// Whether `signal` is pending, for the process or one of its threads, in a `/proc/<pid>/status`.
fn pending(status: &str, signal: Signal) -> bool {
    let bit = 1u64 << (signal as i32 - 1);
    status
        .lines()
        .filter_map(|line| line.strip_prefix("ShdPnd:").or_else(|| line.strip_prefix("SigPnd:")))
        .filter_map(|mask| u64::from_str_radix(mask.trim(), 16).ok())
        .any(|mask| mask & bit != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_command_name_with_spaces_and_parentheses() {
        let line = "4242 (a) b) (c) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 2 3\n";
        let stat = ProcStat::parse(line).unwrap();
        assert_eq!(
            stat,
            ProcStat { pid: Pid::from_raw(4242), state: 'S', ppid: Pid::from_raw(17), start_time: 987_654 }
        );
        assert!(stat.is_running() && !stat.is_zombie() && !stat.is_stopped());
        assert!(ProcStat { state: 'T', ..stat }.is_stopped());
        assert!(ProcStat { state: 't', ..stat }.is_held());
        let blocked = ProcStat { pid: Pid::this(), state: 'D', ..stat };
        assert!(!ProcStat { state: 'R', ..stat }.is_held() && !blocked.is_held(), "no SIGSTOP pending");
    }

    #[test]
    fn reads_pending_signals_of_the_process_and_its_threads() {
        let status = "Name:\tsh\nSigPnd:\t0000000000000000\nShdPnd:\t0000000000040000\nSigBlk:\t0000000000080000\n";
        assert!(pending(status, Signal::SIGSTOP), "bit 18 is SIGSTOP (19)");
        assert!(!pending(status, Signal::SIGTSTP));
        assert!(pending("SigPnd:\t0000000000000002\nShdPnd:\t0000000000000000\n", Signal::SIGINT));
        assert!(!pending("SigBlk:\t0000000000040000\n", Signal::SIGSTOP), "blocked is not pending");
        assert!(!ProcStat::read(Pid::this()).unwrap().stop_pending());
    }

    #[test]
    fn a_truncated_line_is_not_a_process() {
        assert_eq!(ProcStat::parse("12 (sh) Z 1 12 12"), None);
        assert_eq!(ProcStat::parse("garbage"), None);
    }

    #[test]
    fn reads_this_process() {
        let me = ProcStat::read(Pid::this()).unwrap();
        assert_eq!((me.pid, me.ppid), (Pid::this(), nix::unistd::getppid()));
        assert!(me.is_running());
        assert_eq!(ProcStat::read(Pid::this()).map(|again| again.start_time), Some(me.start_time));
        assert!(ProcStat::all().iter().any(|p| p.pid == Pid::this()));
        assert_eq!(ProcStat::read(Pid::from_raw(0)), None);
    }
}
