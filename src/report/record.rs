//! The artifact dir of a run that ended before its job could: `history` lists what it finds under
//! `artifacts/`, so a run refused for a malformed `env/` file, or skipped because another run held
//! `--lock`, leaves `artifacts/<ident>/` with an empty `job_events/`, `status` (`failed` or
//! `skipped`), `rc` (the exit code) and `reason` (one line, why). A dir another run is using is
//! never touched, and no private data dir is made to hold the record.

use std::io;
use std::path::PathBuf;
use std::time::SystemTime;

use super::origin::{controller_name, dir_name, JobOrigin};
use super::RunEnd;
use crate::artifacts;
use crate::artifacts::dir::ArtifactDir;
use crate::exit;
use crate::job::pdd::PrivateDataDir;
use crate::job::JobSpec;
use crate::request::JobRequest;

/// The longest name a directory entry can have.
const NAME_MAX: usize = 255;

/// Where a run keeps its artifacts, as far as it got: `create_root` says whether the root may be
/// made (not inside a private data dir that does not exist).
#[derive(Debug, Clone)]
pub struct RunPlace {
    pub ident: String,
    pub artifact_dir: PathBuf,
    create_root: bool,
}

impl RunPlace {
    /// The place of a resolved job.
    pub fn resolved(ident: &str, artifact_dir: PathBuf) -> Self {
        Self { ident: ident.to_owned(), artifact_dir, create_root: true }
    }

    /// The place of a resolved job.
    pub fn of(spec: &JobSpec) -> Self {
        Self::resolved(&spec.ident, spec.artifact_dir())
    }
}

/// A run whose job never started, as far as its request tells: a request refused before it
/// resolved into a job, or a job `start` could not launch. The request is all there is to go by.
#[derive(Debug, Clone)]
pub struct UnstartedRun {
    pub origin: JobOrigin,
    /// `None` when the request's `--ident` cannot name a directory or its path is not UTF-8.
    pub place: Option<RunPlace>,
}

impl UnstartedRun {
    pub fn of_request(request: &JobRequest) -> Self {
        Self { origin: origin_of_request(request), place: place_of_request(request) }
    }
}

/// The job and machine a request names.
fn origin_of_request(request: &JobRequest) -> JobOrigin {
    let ran = match (&request.playbook, &request.module, &request.role) {
        (Some(playbook), _, _) => playbook.clone(),
        (None, Some(module), _) => format!("module {module}"),
        (None, None, Some(role)) => format!("role {role}"),
        (None, None, None) => "command".to_owned(),
    };
    let job = dir_name(&crate::util::fs::absolute(&request.private_data_dir));
    JobOrigin { controller: controller_name(), job, ran }
}

/// The artifact dir a request names.
fn place_of_request(request: &JobRequest) -> Option<RunPlace> {
    let ident = request.ident.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let bad = ident.is_empty() || ident == "." || ident == ".." || ident.contains(['/', '\0']);
    if bad || ident.len() > NAME_MAX {
        return None;
    }
    let pdd = PrivateDataDir { root: crate::util::fs::absolute(&request.private_data_dir) };
    let root = pdd.artifact_root(request.artifact_dir.as_deref());
    // A dir refused for a name that is not UTF-8 gets nothing written in it either.
    root.to_str()?;
    let create_root = request.artifact_dir.is_some() || pdd.root.is_dir();
    Some(RunPlace { artifact_dir: root.join(&ident), ident, create_root })
}

/// Records how the run ended, unless the run already did (its `status` is newer than `since`, as
/// when the runner could not complete a job it had started): then only what `history` needs is
/// added. Returns how the reports should name the ending: a run that recorded itself as `failed`
/// had started.
pub fn record_ending(place: &RunPlace, end: RunEnd, rc: i32, reason: &str, since: SystemTime) -> io::Result<RunEnd> {
    if !place.create_root {
        return Ok(end);
    }
    let dir = ArtifactDir::create(&place.artifact_dir)?;
    // Another run holds the dir (the same --ident as the run that holds the lock): leave it be.
    let _mark = artifacts::claim(&dir).map_err(|err| io::Error::other(err.to_string()))?;
    let status_time = std::fs::metadata(place.artifact_dir.join("status")).and_then(|m| m.modified()).ok();
    let recorded = status_time.is_some_and(|time| time >= since);
    let end = if recorded {
        RunEnd::Job(exit::Status::Failed)
    } else {
        // What an earlier run with this ident left would be read as this one's.
        for stale in ["job_events", "command", "stdout", "stderr"] {
            dir.remove(stale)?;
        }
        dir.write_atomic("status", end.status().as_bytes(), 0o600)?;
        dir.write_atomic("rc", rc.to_string().as_bytes(), 0o600)?;
        end
    };
    match dir.create_dir("job_events") {
        Err(err) if err.kind() != io::ErrorKind::AlreadyExists => return Err(err),
        _ => {}
    }
    dir.write_atomic("reason", format!("{reason}\n").as_bytes(), 0o600)?;
    Ok(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Status;

    #[test]
    fn a_run_that_never_started_leaves_status_rc_and_reason() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("artifacts/x");
        std::fs::create_dir_all(dir.join("job_events")).unwrap();
        std::fs::write(dir.join("job_events/1-old.json"), "{}").unwrap();
        std::fs::write(dir.join("command"), "{}").unwrap();
        let place = RunPlace::resolved("x", dir.clone());
        let end = record_ending(&place, RunEnd::Skipped, 75, "held", SystemTime::now()).unwrap();
        assert_eq!(end, RunEnd::Skipped);
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!((read("status"), read("rc"), read("reason")), ("skipped".into(), "75".into(), "held\n".into()));
        assert_eq!(std::fs::read_dir(dir.join("job_events")).unwrap().count(), 0, "no event of an earlier run");
        assert!(!dir.join("command").exists());
    }

    #[test]
    fn a_run_that_recorded_its_failure_keeps_it() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("y");
        let since = SystemTime::now() - std::time::Duration::from_secs(5);
        std::fs::create_dir_all(dir.join("job_events")).unwrap();
        std::fs::write(dir.join("job_events/1-e.json"), "{}").unwrap();
        artifacts::write_status(&dir, Status::Failed, 1).unwrap();
        let end = record_ending(&RunPlace::resolved("y", dir.clone()), RunEnd::NotStarted, 1, "disk full", since);
        assert_eq!(end.unwrap(), RunEnd::Job(Status::Failed));
        assert!(dir.join("job_events/1-e.json").exists());
        assert_eq!(std::fs::read_to_string(dir.join("reason")).unwrap(), "disk full\n");
    }

    #[test]
    fn no_private_data_dir_is_made_for_the_record() {
        let root = tempfile::tempdir().unwrap();
        let request = JobRequest { private_data_dir: root.path().join("missing"), ..JobRequest::default() };
        let place = UnstartedRun::of_request(&request).place.unwrap();
        assert!(place.artifact_dir.starts_with(root.path().join("missing/artifacts")));
        record_ending(&place, RunEnd::NotStarted, 1, "no such dir", SystemTime::now()).unwrap();
        assert!(!root.path().join("missing").exists());
        let bad = JobRequest { ident: Some("a/b".into()), ..request };
        assert!(UnstartedRun::of_request(&bad).place.is_none());
    }
}
