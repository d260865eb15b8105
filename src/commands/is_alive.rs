//! `ansible-runner is-alive`: 0 while the job `start` launched in this directory runs, 1 otherwise
//! (a pid file naming any other process counts as not running).

use crate::config::PrivateDataDir;
use crate::daemon::{self, DAEMON_FLAG};
use crate::exit;
use crate::pidfile::{self, PidFile};
use crate::request::JobRequest;

pub fn is_alive_command(request: &JobRequest) -> anyhow::Result<i32> {
    let pdd = PrivateDataDir::open_or_create(&request.private_data_dir)?;
    let _ = daemon::touch_daemon_log(&pdd.root);
    Ok(match pidfile::inspect(&pdd.root, DAEMON_FLAG)? {
        PidFile::Running(_) => exit::OK,
        PidFile::Absent | PidFile::Stale { .. } => exit::FAILURE,
    })
}
