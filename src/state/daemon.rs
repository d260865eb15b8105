//! A job detached from the terminal: `start` launches this program again in a session of its own
//! and hands it the job request over a pipe; the detached process runs it quietly and removes the
//! pid file when it ends. Its own errors go to `<private_data_dir>/daemon.log`.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use anyhow::Context;
use nix::unistd::Pid;

use crate::exit::ExitStatus;
use crate::job::pdd::DAEMON_LOG;
use crate::request::JobRequest;
use crate::state::pidfile;

/// Hidden flag of `run` naming the canonical private data dir of a detached job; the job's command
/// line carries it so that `stop` can tell the job from a stranger (see `pidfile`).
pub const DAEMON_FLAG: &str = "--daemonized";

/// `daemon.log` receives the detached job's own errors; created 0600 as the Python tool does.
pub fn touch_daemon_log(pdd: &Path) -> io::Result<fs::File> {
    OpenOptions::new().create(true).append(true).mode(0o600).open(pdd.join(DAEMON_LOG))
}

/// Whether `<pdd>/pid` names the running job `start` launched there (an unreadable pid file counts
/// as not running).
pub fn job_alive(pdd: &Path) -> bool {
    matches!(pidfile::inspect(pdd, DAEMON_FLAG), Ok(pidfile::PidFile::Running(_)))
}

/// Launches `run <dir> --daemonized <dir>` in a session of its own. It waits on its standard
/// input for the job request, which `hand_over` sends once the pid file names it.
pub fn spawn_detached(dir: &Path, log: fs::File) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("cannot find this program's own path")?;
    let mut command = Command::new(exe);
    command.arg("run").arg(dir).arg(DAEMON_FLAG).arg(dir);
    command.stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::from(log));
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

/// Sends the job request to the detached process and closes the pipe, which lets it go on.
pub fn hand_over(child: &mut Child, request: &JobRequest) -> anyhow::Result<()> {
    let mut pipe = child.stdin.take().context("the detached job has no input pipe")?;
    let bytes = serde_json::to_vec(request).context("cannot encode the job request")?;
    pipe.write_all(&bytes).context("cannot hand the job to the detached process")
}

/// The detached half of `start` (`dir` is the canonical private data dir): reads the job request
/// `start` hands over, runs it quietly with `run`, and removes the pid file at the end.
pub fn daemon_run(
    dir: &Path,
    run: impl FnOnce(&JobRequest) -> anyhow::Result<ExitStatus>,
) -> anyhow::Result<ExitStatus> {
    let mut bytes = Vec::new();
    io::stdin().read_to_end(&mut bytes).context("cannot read the job request from `start`")?;
    let null = fs::File::open("/dev/null").context("cannot open /dev/null")?;
    nix::unistd::dup2_stdin(null).context("cannot detach standard input")?;
    let guard = PidFileGuard { dir: dir.to_owned(), pid: Pid::this() };
    let request: JobRequest =
        serde_json::from_slice(&bytes).context("`start` did not hand over a job request (was it stopped?)")?;
    let result = run(&request);
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
