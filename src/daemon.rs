//! `start`, `stop` and `is-alive`: a job running detached from the terminal, found again through
//! `<private_data_dir>/pid`. Unlike the Python tool, `start` refuses a directory whose job is still
//! alive (and clears a stale pid file), `stop` and `is-alive` act only on the very process `start`
//! launched for this directory (see `pidfile`), and `stop` ends the whole job and leaves
//! `status`/`rc`.

use std::ffi::OsString;
use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::artifacts::{self, Status};
use crate::cli::RunArgs;
use crate::config::{self, PrivateDataDir};
use crate::exit;
use crate::job::JobSpec;
use crate::pidfile::{self, PidFile};
use crate::runner;

/// Hidden flag telling `run` that it is the detached half of `start`.
pub const DAEMON_FLAG: &str = "--daemonized";
/// How long `stop` waits for the job to end gracefully before killing what is left.
const STOP_PATIENCE: Duration = Duration::from_secs(15);

/// `daemon.log` receives the detached job's own errors; created 0600 as the Python tool does.
fn touch_daemon_log(pdd: &Path) -> io::Result<fs::File> {
    OpenOptions::new().create(true).append(true).mode(0o600).open(pdd.join("daemon.log"))
}

/// Whether `<pdd>/pid` names the running job `start` launched there (an unreadable pid file counts
/// as not running).
pub fn job_alive(pdd: &Path) -> bool {
    matches!(pidfile::inspect(pdd, DAEMON_FLAG), Ok(PidFile::Running(_)))
}

/// `ansible-runner start`: validates, then re-runs itself as a detached `run` and returns at once.
pub fn start_command(args: &RunArgs) -> anyhow::Result<i32> {
    let spec = JobSpec::resolve(&args.to_request())?;
    let pdd = &spec.pdd.root;
    let log = touch_daemon_log(pdd).with_context(|| format!("cannot create {}", pdd.join("daemon.log").display()))?;
    match pidfile::inspect(pdd, DAEMON_FLAG)? {
        PidFile::Running(job) => bail!(
            "a job is already running in {} (pid {}); stop it with `ansible-runner stop {}`",
            pdd.display(),
            job.pid,
            pdd.display()
        ),
        PidFile::Stale { .. } => pidfile::remove(pdd)?,
        PidFile::Absent => {}
    }
    if args.report.lock {
        // Refuse at once rather than from the detached process, whose errors only reach daemon.log.
        drop(crate::lock::acquire(pdd, None)?);
    }
    let dir = pidfile::canonical(pdd)?;
    let pid_path = pidfile::pid_path(pdd);
    let mut pid_out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&pid_path)
        .with_context(|| format!("cannot create {} (is another start running?)", pid_path.display()))?;
    let mut child = match spawn_detached(&dir, log) {
        Ok(child) => child,
        Err(err) => {
            let _ = pidfile::remove(pdd);
            return Err(err);
        }
    };
    let recorded = i32::try_from(child.id())
        .context("the detached job has no valid pid")
        .and_then(|pid| pidfile::record(&dir, Pid::from_raw(pid)))
        .and_then(|()| writeln!(pid_out, "{}", child.id()).context("cannot write the pid file"));
    if let Err(err) = recorded {
        let _ = child.kill();
        let _ = child.wait();
        let _ = pidfile::remove(pdd);
        return Err(err);
    }
    // Closing the pipe lets the detached job go on: by then the pid file and its record name it.
    drop(child.stdin.take());
    Ok(exit::OK)
}

/// Launches this program again as `run <same arguments> --daemonized <dir>` in a session of its
/// own, waiting on its standard input until `start` has recorded it.
fn spawn_detached(dir: &Path, log: fs::File) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let mut argv: Vec<OsString> = std::env::args_os().skip(1).collect();
    match command_position(&argv, "start") {
        Some(index) => argv[index] = "run".into(),
        None => bail!("cannot find the `start` command in the arguments"),
    }
    argv.push(DAEMON_FLAG.into());
    argv.push(dir.into());
    let mut command = Command::new(exe);
    command.args(&argv).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::from(log));
    // SAFETY: setsid and umask are async-signal-safe and touch no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            nix::unistd::setsid().map_err(io::Error::from)?;
            nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o022));
            Ok(())
        });
    }
    command.spawn().context("cannot start the detached job")
}

/// Where `command` stands in the arguments, skipping the values of top-level options that take one.
fn command_position(argv: &[OsString], command: &str) -> Option<usize> {
    let mut skip_value = false;
    for (index, arg) in argv.iter().enumerate() {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if arg == command {
            return Some(index);
        }
        skip_value = arg == "--artifact-dir" || arg == "--generate-assets";
    }
    None
}

/// The detached half of `start` (`dir` is the canonical private data dir): waits until `start` has
/// recorded its pid, runs the job quietly, and removes the pid file at the end.
pub fn daemon_run(args: &RunArgs, dir: &Path) -> anyhow::Result<i32> {
    let mut gate = Vec::new();
    let _ = io::stdin().read_to_end(&mut gate);
    let null = fs::File::open("/dev/null").context("cannot open /dev/null")?;
    nix::unistd::dup2_stdin(null).context("cannot detach standard input")?;
    let guard = PidFileGuard { dir: dir.to_owned(), pid: Pid::this() };
    let mut quiet = args.to_request();
    quiet.quiet = true;
    let result = crate::commands::run::run_command(&quiet);
    drop(guard);
    result
}

/// Removes the pid file and its record when the detached job ends, if they still name this process.
struct PidFileGuard {
    dir: PathBuf,
    pid: Pid,
}

impl Drop for PidFileGuard {
    fn drop(&mut self) {
        let ours =
            fs::read_to_string(pidfile::pid_path(&self.dir)).is_ok_and(|text| text.trim() == self.pid.to_string());
        if ours {
            let _ = pidfile::remove(&self.dir);
        }
    }
}

/// `ansible-runner is-alive`: 0 while the job `start` launched in this directory runs, 1 otherwise.
pub fn is_alive_command(args: &RunArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    let _ = touch_daemon_log(&pdd.root);
    Ok(match pidfile::inspect(&pdd.root, DAEMON_FLAG)? {
        PidFile::Running(_) => exit::OK,
        PidFile::Absent | PidFile::Stale { .. } => exit::FAILURE,
    })
}

/// `ansible-runner stop`: cancels the started job as Ctrl-C would, waits until every process of it
/// is gone, and makes sure its artifacts say `canceled`. A pid file that names anything else is
/// stale: nothing is signalled.
pub fn stop_command(args: &RunArgs) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&args.private_data_dir)?;
    let _ = touch_daemon_log(&pdd.root);
    let job = match pidfile::inspect(&pdd.root, DAEMON_FLAG)? {
        PidFile::Running(job) => job,
        PidFile::Absent => {
            errln!("ansible-runner: no job started with `start` is running in {} (no pid file)", pdd.root.display());
            return Ok(exit::FAILURE);
        }
        PidFile::Stale { pid, reason } => {
            let removed = if pidfile::remove(&pdd.root).is_ok() { " and the pid file was removed" } else { "" };
            errln!(
                "ansible-runner: stale {}: pid {pid} is not the job `start` launched in {} ({reason}); nothing \
                 was signalled{removed}",
                pidfile::pid_path(&pdd.root).display(),
                pdd.root.display()
            );
            return Ok(exit::FAILURE);
        }
    };
    let _ = kill(job.pid, Signal::SIGTERM);
    let deadline = Instant::now() + STOP_PATIENCE;
    while job.is_running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    if job.is_running() {
        // The job did not end in time: kill its processes first, then the runner itself.
        for child in crate::supervise::descendants(job.pid) {
            let _ = kill(child, Signal::SIGKILL);
        }
        let _ = kill(job.pid, Signal::SIGKILL);
        mark_unfinished_canceled(&artifact_root(args, &pdd));
    }
    let _ = pidfile::remove(&pdd.root);
    Ok(exit::OK)
}

fn artifact_root(args: &RunArgs, pdd: &PrivateDataDir) -> PathBuf {
    args.output.artifact_dir.as_deref().map_or_else(|| pdd.root.join("artifacts"), config::absolute)
}

/// Writes `canceled`/254 into the newest artifact dir that has no status yet.
fn mark_unfinished_canceled(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else { return };
    let newest = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir() && !e.path().join("status").exists())
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max();
    if let Some((_, dir)) = newest {
        let _ = artifacts::write_status(&dir, Status::Canceled, runner::RC_TIMEOUT_OR_CANCEL);
    }
}

#[cfg(test)]
mod tests {
    use super::command_position;

    #[test]
    fn finds_the_command_not_an_option_value() {
        let argv: Vec<std::ffi::OsString> =
            ["--artifact-dir", "start", "start", "/pdd", "-p", "start"].iter().map(Into::into).collect();
        assert_eq!(command_position(&argv, "start"), Some(2));
    }
}
