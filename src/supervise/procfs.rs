//! `/proc/<pid>/stat`: the process facts the runner needs (state, parent, start time), read in one
//! place for the job's process tree and for `start`'s pid record.

use std::fs;

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
        Self::parse(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
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

    /// Neither a zombie nor being torn down.
    pub fn is_running(&self) -> bool {
        !matches!(self.state, 'Z' | 'X')
    }
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
        assert!(stat.is_running() && !stat.is_zombie());
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
