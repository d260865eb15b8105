//! `ansible-runner start`: validates the job, launches it detached and returns at once. Unlike the
//! Python tool it refuses a directory whose job is still alive and clears a stale pid file.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{bail, Context};
use nix::unistd::Pid;

use crate::exit::ExitStatus;
use crate::job::{JobError, JobSpec};
use crate::request::JobRequest;
use crate::state::daemon::{self, DAEMON_FLAG};
use crate::state::pidfile::{self, PidFile};

/// Whatever keeps the job from being launched (a bad job, a held `--lock`) is reported as `run`
/// reports it: the detached job reports everything after.
pub fn start_command(request: &JobRequest) -> anyhow::Result<ExitStatus> {
    let since = std::time::SystemTime::now();
    // The detached process is handed the request itself, and resolves it there.
    let detached = JobRequest { quiet: true, ..request.clone() };
    JobSpec::resolve(request)
        .map_err(JobError::into_ending)
        .and_then(|spec| launch(&spec, &detached))
        .inspect_err(|err| crate::commands::run::report_unstarted(request, err, since))
}

/// Launches the detached process that runs the job, handing it `detached`.
fn launch(spec: &JobSpec, detached: &JobRequest) -> anyhow::Result<ExitStatus> {
    let pdd = &spec.pdd.root;
    let log = daemon::touch_daemon_log(pdd)
        .with_context(|| format!("cannot create {}", pdd.join(crate::job::pdd::DAEMON_LOG).display()))?;
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
    if spec.report.lock {
        // Refuse at once rather than from the detached process, whose errors only reach daemon.log.
        drop(crate::state::lock::acquire(pdd, None).map_err(crate::state::lock::LockError::into_ending)?);
    }
    let dir = pidfile::canonical(pdd)?;
    let pid_path = pidfile::pid_path(pdd);
    let mut pid_out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o644)
        .open(&pid_path)
        .with_context(|| format!("cannot create {} (is another start running?)", pid_path.display()))?;
    let mut child = daemon::spawn_detached(&dir, log).inspect_err(|_| {
        let _ = pidfile::remove(pdd);
    })?;
    let launched = i32::try_from(child.id())
        .context("the detached job has no valid pid")
        .and_then(|pid| pidfile::record(&dir, Pid::from_raw(pid)))
        .and_then(|()| writeln!(pid_out, "{}", child.id()).context("cannot write the pid file"))
        .and_then(|()| daemon::hand_over(&mut child, detached));
    if let Err(err) = launched {
        let _ = child.kill();
        let _ = child.wait();
        let _ = pidfile::remove(pdd);
        return Err(err);
    }
    Ok(ExitStatus::Success)
}
