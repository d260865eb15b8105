//! `ansible-runner is-alive`: 0 while a job runs in this directory — the one `start` launched, or a
//! `run` (or any run writing artifacts here) — 1 otherwise. A pid file naming any other process
//! counts as not running.

use crate::artifacts::runmark;
use crate::exit::ExitStatus;
use crate::job::pdd::PrivateDataDir;
use crate::request::JobRequest;
use crate::state::daemon::{self, DAEMON_FLAG};
use crate::state::pidfile::{self, PidFile};

pub fn is_alive_command(request: &JobRequest) -> anyhow::Result<ExitStatus> {
    let pdd = PrivateDataDir::open_or_create(&request.private_data_dir)?;
    let _ = daemon::touch_daemon_log(&pdd.root);
    let started = matches!(pidfile::inspect(&pdd.root, DAEMON_FLAG)?, PidFile::Running(_));
    let running = started || runmark::any_running(&pdd.artifact_root(request.artifact_dir.as_deref()));
    Ok(if running { ExitStatus::Success } else { ExitStatus::NotRunning })
}
