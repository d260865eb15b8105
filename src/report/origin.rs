//! Which job ran where: the controller's host name, the private data dir's name and what ran. A
//! chat channel fed by many cron hosts, or a metrics server scraping them all, needs these three to
//! tell one job's report from another's.

use std::path::Path;

use crate::job::{JobKind, JobSpec};

/// The job and the machine a report is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobOrigin {
    /// Host name of the machine that ran the runner.
    pub controller: String,
    /// Name (last component) of the private data dir: the job as people call it.
    pub job: String,
    /// The playbook as given, `module NAME` or `role NAME`.
    pub ran: String,
}

impl JobOrigin {
    /// The origin of a resolved job run on this machine.
    pub fn of(spec: &JobSpec) -> Self {
        Self { controller: controller_name(), job: dir_name(&spec.pdd.root), ran: what_ran(&spec.kind) }
    }

    /// `compliance_scan on ctl-01: validate.yml`, the words that lead an alert.
    pub fn label(&self) -> String {
        format!("{} on {}: {}", self.job, self.controller, self.ran)
    }
}

/// This machine's host name; `unknown-host` when the kernel will not say (never an error: a
/// report without it is still worth sending).
pub fn controller_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .map(|name| name.to_string_lossy().into_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "unknown-host".to_owned())
}

/// The last component of `dir`, or the whole path when it has none (`/`).
pub fn dir_name(dir: &Path) -> String {
    dir.file_name().map_or_else(|| dir.display().to_string(), |name| name.to_string_lossy().into_owned())
}

/// What a job runs, as a person names it.
pub fn what_ran(kind: &JobKind) -> String {
    match kind {
        JobKind::Playbook { playbook } => playbook.clone(),
        JobKind::Module { module, .. } => format!("module {module}"),
        JobKind::Role { role, .. } => format!("role {role}"),
        JobKind::Raw => "command".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_job_controller_and_what_ran() {
        let origin =
            JobOrigin { controller: "ctl-01".into(), job: "compliance_scan".into(), ran: "validate.yml".into() };
        assert_eq!(origin.label(), "compliance_scan on ctl-01: validate.yml");
        let module = JobKind::Module { module: "ping".into(), args: None, hosts: None };
        assert_eq!(what_ran(&module), "module ping");
        assert_eq!(dir_name(Path::new("/srv/jobs/web/")), "web");
        assert_eq!(dir_name(Path::new("/")), "/");
        assert!(!controller_name().is_empty());
    }
}
