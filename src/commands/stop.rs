//! `ansible-runner stop`: cancels the started job as Ctrl-C would, waits until every process of it
//! is gone, and makes sure its artifacts say `canceled`. A pid file that names anything but the job
//! `start` launched in this directory is stale: nothing is signalled.

use std::path::Path;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};

use crate::artifacts;
use crate::exit::{self, ExitStatus, Failure, Status};
use crate::job::pdd::PrivateDataDir;
use crate::request::JobRequest;
use crate::state::daemon::{self, DAEMON_FLAG};
use crate::state::pidfile::{self, PidFile, StartedJob};

/// How long `stop` waits for the job to end gracefully before killing what is left.
const STOP_PATIENCE: Duration = Duration::from_secs(15);

pub fn stop_command(request: &JobRequest) -> anyhow::Result<ExitStatus> {
    let pdd = PrivateDataDir::open_or_create(&request.private_data_dir)?;
    let _ = daemon::touch_daemon_log(&pdd.root);
    let job = match pidfile::inspect(&pdd.root, DAEMON_FLAG)? {
        PidFile::Running(job) => job,
        PidFile::Absent => {
            let message = format!("no job started with `start` is running in {} (no pid file)", pdd.root.display());
            return Err(Failure::new(exit::FAILURE, message).into());
        }
        PidFile::Stale { pid, reason } => {
            let removed = if pidfile::remove(&pdd.root).is_ok() { " and the pid file was removed" } else { "" };
            let message = format!(
                "stale {}: pid {pid} is not the job `start` launched in {} ({reason}); nothing was signalled{removed}",
                pidfile::pid_path(&pdd.root).display(),
                pdd.root.display()
            );
            return Err(Failure::new(exit::FAILURE, message).into());
        }
    };
    if !ended_gracefully(&job) {
        // The job did not end in time: kill its processes first, then the runner itself.
        for child in crate::supervise::descendants(job.pid) {
            let _ = kill(child, Signal::SIGKILL);
        }
        let _ = kill(job.pid, Signal::SIGKILL);
        mark_unfinished_canceled(&pdd.artifact_root(request.artifact_dir.as_deref()));
    }
    let _ = pidfile::remove(&pdd.root);
    Ok(ExitStatus::Success)
}

/// Cancels the job as SIGTERM does and waits up to `STOP_PATIENCE` for its runner to end.
fn ended_gracefully(job: &StartedJob) -> bool {
    let _ = kill(job.pid, Signal::SIGTERM);
    let deadline = Instant::now() + STOP_PATIENCE;
    while job.is_running() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    !job.is_running()
}

/// Writes `canceled`/254 into the newest artifact dir that has no status yet.
fn mark_unfinished_canceled(root: &Path) {
    let Ok(runs) = crate::artifacts::runs::newest_first(root) else { return };
    let newest = runs.into_iter().find(|run| !run.dir.join("status").exists());
    if let Some(run) = newest {
        let _ = artifacts::write_status(&run.dir, Status::Canceled, exit::RC_TIMEOUT_OR_CANCEL);
    }
}
