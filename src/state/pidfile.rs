//! `<private_data_dir>/pid` and the record `start` keeps beside it (`pid.json`). The pid alone
//! cannot tell the job apart from a process that later got the same number, or from another
//! directory's job whose pid was copied here; the record adds the process's start time, the boot
//! it belongs to and the directory, and the job's own command line names the directory. `pid` keeps
//! holding just the number, as scripts read it.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use anyhow::Context;
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use crate::job::pdd::PID_FILE;
use crate::job::pdd::PID_RECORD;
use crate::supervise::procfs::ProcStat;

/// What `start` knows of the process it launched.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Record {
    pid: i32,
    /// Field 22 of `/proc/<pid>/stat`: when the process started, in clock ticks after boot.
    start_time: u64,
    boot_id: String,
    /// The private data dir, canonical.
    private_data_dir: PathBuf,
}

/// The job `start` launched in this directory, still running.
#[derive(Debug, Clone, Copy)]
pub struct StartedJob {
    pub pid: Pid,
    start_time: u64,
}

impl StartedJob {
    /// Whether the process is still the job (alive, not a zombie, not a reused pid).
    pub fn is_running(&self) -> bool {
        start_time(self.pid) == Some(self.start_time)
    }
}

/// What `<pdd>/pid` names.
#[derive(Debug)]
pub enum PidFile {
    Absent,
    Running(StartedJob),
    /// A pid that is not this directory's running job, and why.
    Stale {
        pid: Pid,
        reason: &'static str,
    },
}

pub fn pid_path(pdd: &Path) -> PathBuf {
    pdd.join(PID_FILE)
}

/// The directory as the record and the job's command line name it.
pub fn canonical(pdd: &Path) -> anyhow::Result<PathBuf> {
    fs::canonicalize(pdd).with_context(|| format!("cannot resolve {}", pdd.display()))
}

/// Reads `<pdd>/pid` and checks that it names the job `start` launched here.
pub fn inspect(pdd: &Path, daemon_flag: &str) -> anyhow::Result<PidFile> {
    let Some(pid) = read_pid(pdd)? else { return Ok(PidFile::Absent) };
    let stale = |reason| Ok(PidFile::Stale { pid, reason });
    let Some(record) = read_record(pdd) else {
        return stale("no record of it beside the pid file");
    };
    if record.pid != pid.as_raw() {
        return stale("the record names another pid");
    }
    let dir = canonical(pdd)?;
    if record.private_data_dir != dir {
        return stale("the record names another directory");
    }
    if record.boot_id != boot_id() {
        return stale("the record is from before the machine restarted");
    }
    match start_time(pid) {
        None => return stale("that process has ended"),
        Some(time) if time != record.start_time => return stale("the pid now belongs to another process"),
        Some(_) => {}
    }
    if !command_names(pid, daemon_flag, &dir) {
        return stale("its command line names another directory");
    }
    Ok(PidFile::Running(StartedJob { pid, start_time: record.start_time }))
}

/// Reads the pid recorded in `<pdd>/pid`; `None` when there is no pid file.
fn read_pid(pdd: &Path) -> anyhow::Result<Option<Pid>> {
    let path = pid_path(pdd);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    let first = text.lines().next().unwrap_or_default().trim();
    let pid: i32 =
        first.parse().with_context(|| format!("{} does not hold a process id: {first:?}", path.display()))?;
    Ok(Some(Pid::from_raw(pid)))
}

fn read_record(pdd: &Path) -> Option<Record> {
    let text = fs::read(pdd.join(PID_RECORD)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Writes the record for the process `start` just launched (before `pid` names it, so a reader
/// that finds the pid finds the record too).
pub fn record(dir: &Path, pid: Pid) -> anyhow::Result<()> {
    let start_time = start_time(pid).context("the detached job ended at once")?;
    let record = Record { pid: pid.as_raw(), start_time, boot_id: boot_id(), private_data_dir: dir.to_owned() };
    let path = dir.join(PID_RECORD);
    let bytes = serde_json::to_vec(&record).context("cannot encode the pid record")?;
    crate::util::atomic::write(&path, &bytes, 0o644, crate::util::atomic::Durability::Renamed)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Removes the pid file and its record.
pub fn remove(pdd: &Path) -> anyhow::Result<()> {
    for name in [PID_FILE, PID_RECORD] {
        match fs::remove_file(pdd.join(name)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {
                return Err(err).with_context(|| format!("cannot remove {}", pdd.join(name).display()))
            }
            _ => {}
        }
    }
    Ok(())
}

/// When `pid` started (clock ticks after boot); `None` when it is gone or a zombie.
fn start_time(pid: Pid) -> Option<u64> {
    ProcStat::read(pid).filter(ProcStat::is_running).map(|stat| stat.start_time)
}

/// Changes with every boot, so a record from before a restart never matches.
fn boot_id() -> String {
    fs::read_to_string("/proc/sys/kernel/random/boot_id").map(|id| id.trim().to_owned()).unwrap_or_default()
}

/// Whether the process's arguments hold `<daemon_flag> <dir>`, as `start` launches the job.
fn command_names(pid: Pid, daemon_flag: &str, dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(cmdline) = fs::read(format!("/proc/{pid}/cmdline")) else { return false };
    let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
    args.windows(2).any(|pair| pair[0] == daemon_flag.as_bytes() && pair[1] == dir.as_os_str().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_is_this_process_s_and_stable() {
        let me = Pid::this();
        let first = start_time(me).unwrap();
        assert_eq!(start_time(me), Some(first));
        assert_eq!(start_time(Pid::from_raw(0)), None);
    }

    #[test]
    fn a_pid_without_a_record_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(pid_path(dir.path()), format!("{}\n", Pid::this())).unwrap();
        let state = inspect(dir.path(), "--daemonized").unwrap();
        assert!(matches!(state, PidFile::Stale { .. }), "{state:?}");
        remove(dir.path()).unwrap();
        assert!(matches!(inspect(dir.path(), "--daemonized").unwrap(), PidFile::Absent));
    }
}
