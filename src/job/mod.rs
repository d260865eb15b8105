//! `JobSpec`: the single validated description of a job, resolved from a `JobRequest` and the
//! private data dir's `env/` files.

pub mod command_line;
pub mod files;
pub mod isolation;
pub mod pdd;
pub mod role;
pub mod settings;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::job::files::ConfigError;
use crate::job::isolation::{Container, Isolation, IsolationError};
use crate::job::pdd::EnvInputs;
use crate::job::pdd::{PrivateDataDir, StoreError};
use crate::request::{GenericCommand, JobRequest, LoggingOptions, ReportOptions};

#[derive(Debug, Error)]
pub enum JobError {
    #[error("The --hosts option can only be used with -m or -r")]
    HostsWithoutModuleOrRole,
    #[error("The -p option must be specified when not using -m or -r")]
    NothingToRun,
    #[error("Value for --inventory does not appear to be a valid path.")]
    BadInventory,
    #[error("only one of --playbook, --module and --role may be given (check RUNNER_PLAYBOOK, RUNNER_MODULE and RUNNER_ROLE)")]
    SeveralKinds,
    #[error("--ident {} cannot be used as a directory name", crate::util::shown::clipped(.0))]
    BadIdent(String),
    #[error("--role-vars item {0:?} must have the form key=value")]
    BadRoleVar(String),
    #[error("--cmdline: {0}")]
    BadCmdline(String),
    #[error("Runner playbook required when running ansible-playbook")]
    NoRawCommand,
    #[error("{0}: the path is not valid UTF-8; give a path whose name is UTF-8")]
    NotUtf8(String),
    #[error(transparent)]
    Isolation(#[from] IsolationError),
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl JobError {
    /// See [`ConfigError::os_error`].
    pub fn os_error(&self) -> Option<(i32, &std::path::Path)> {
        match self {
            Self::Config(config) => config.os_error(),
            _ => None,
        }
    }

    /// The error as the program ends with it: the Python tool's own refusals printed bare, as it
    /// prints them; any other as itself.
    pub fn into_ending(self) -> anyhow::Error {
        let bare = matches!(
            self,
            Self::HostsWithoutModuleOrRole
                | Self::NothingToRun
                | Self::BadInventory
                | Self::Isolation(IsolationError::MissingEngine(_))
        );
        if bare {
            crate::exit::Failure::bare(self.to_string()).into()
        } else {
            self.into()
        }
    }
}

/// What Ansible program runs and on what.
#[derive(Debug, Clone, PartialEq)]
pub enum JobKind {
    Playbook {
        playbook: String,
    },
    Module {
        module: String,
        args: Option<String>,
        hosts: Option<String>,
    },
    Role {
        role: String,
        vars: Option<serde_json::Map<String, serde_json::Value>>,
        hosts: Option<String>,
        gather_facts: bool,
    },
    /// No playbook, module or role: the command is `binary` with its command line, or the private
    /// data dir's `args` file (the Python API runs either, as the Python tool does).
    Raw,
}

/// How events are shown on the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Pretty,
    Json,
    Quiet,
}

impl OutputMode {
    /// `-q` wins over `-j`, as in the Python tool.
    pub fn from_flags(quiet: bool, json: bool) -> Self {
        match (quiet, json) {
            (true, _) => Self::Quiet,
            (false, true) => Self::Json,
            (false, false) => Self::Pretty,
        }
    }
}

/// A validated job, ready to be turned into a command line.
#[derive(Debug, Clone)]
pub struct JobSpec {
    pub pdd: PrivateDataDir,
    pub ident: String,
    pub kind: JobKind,
    pub binary: Option<String>,
    /// One `-i` each; empty when there is no inventory (Ansible's own default applies).
    pub inventory: Vec<PathBuf>,
    pub limit: Option<String>,
    pub forks: Option<String>,
    /// Extra Ansible arguments from `--cmdline`, or else `env/cmdline`.
    pub cmdline: Option<String>,
    pub verbosity: u8,
    pub tags: Option<String>,
    pub skip_tags: Option<String>,
    /// Whether Ansible's facts go to the `jsonfile` cache in the artifact dir (the default).
    pub fact_cache_jsonfile: bool,
    pub artifact_root: PathBuf,
    pub project_dir: PathBuf,
    pub rotate_artifacts: i64,
    pub output: OutputMode,
    /// `-j` / `json_mode`: the `stdout` artifact holds the events as JSON lines, as shown with `-j`.
    pub json: bool,
    pub omit_event_data: bool,
    pub only_failed_event_data: bool,
    pub roles_path: Option<String>,
    pub env: EnvInputs,
    pub logging: LoggingOptions,
    pub report: ReportOptions,
    /// Where the job runs when isolated; `None` runs it here.
    pub isolation: Option<Isolation>,
    /// A whole command line to run instead of one built from the fields above.
    pub command: Option<GenericCommand>,
    /// The request's own words where the fields above resolved them into something else.
    pub as_given: AsGiven,
}

/// What the request said, kept apart from what it resolved to: records that repeat the request
/// (the `--cmdline` stored into `env/cmdline`, the kwargs `transmit` sends on, the summary naming
/// what came from `env/cmdline`) say it as it was given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AsGiven {
    /// `--cmdline`, without `env/cmdline`.
    pub cmdline: Option<String>,
    /// Store none of this run's inputs into `env/` (`--omit-env-files`).
    pub omit_env_files: bool,
    /// `-q`, without `suppress_ansible_output`.
    pub quiet: bool,
    /// Whether `--inventory` was given (else the private data dir's own applies).
    pub inventory: bool,
    /// `--project-dir`, before the private data dir's `project/` stands in.
    pub project_dir: Option<PathBuf>,
    /// `--artifact-dir`, before the private data dir's `artifacts/` stands in.
    pub artifact_dir: Option<PathBuf>,
}

impl AsGiven {
    fn of(request: &JobRequest) -> Self {
        Self {
            cmdline: request.cmdline.clone(),
            omit_env_files: request.omit_env_files,
            quiet: request.quiet,
            inventory: !request.inventory.is_empty(),
            project_dir: request.project_dir.clone(),
            artifact_dir: request.artifact_dir.clone(),
        }
    }
}

/// Longest file name Linux file systems accept, in bytes.
const NAME_MAX: usize = 255;

/// The command-line checks the Python tool makes before touching the disk, in its order.
pub fn validate_request(request: &JobRequest) -> Result<(), JobError> {
    let named = [&request.playbook, &request.module, &request.role];
    if request.hosts.is_some() && request.module.is_none() && request.role.is_none() {
        return Err(JobError::HostsWithoutModuleOrRole);
    }
    match named.iter().filter(|v| v.is_some()).count() {
        0 if request.raw_command => {}
        0 => return Err(JobError::NothingToRun),
        1 => {}
        _ => return Err(JobError::SeveralKinds),
    }
    if let Some(ident) = &request.ident {
        let too_long = ident.len() > NAME_MAX;
        if too_long || ident.is_empty() || ident == "." || ident == ".." || ident.contains('/') || ident.contains('\0')
        {
            return Err(JobError::BadIdent(ident.clone()));
        }
    }
    Ok(())
}

impl JobSpec {
    /// Whether the job's output goes to a descriptor the caller passed (`output_fd`): Ansible then
    /// prints there as it would on its own, and the artifacts keep none of the text.
    pub fn output_passed_through(&self) -> bool {
        self.command.as_ref().is_some_and(|command| command.stdio.stdout.is_some())
    }

    /// Validates the request, opens (creating if needed) the private data dir and reads `env/`.
    pub fn resolve(request: &JobRequest) -> Result<Self, JobError> {
        Self::resolve_with_path(request, std::env::var("PATH").ok().as_deref())
    }

    /// `resolve`, looking a container engine up on `path_var` rather than the runner's `PATH`.
    pub fn resolve_with_path(request: &JobRequest, path_var: Option<&str>) -> Result<Self, JobError> {
        validate_request(request)?;
        require_utf8(request)?;
        let pdd_path = crate::util::fs::absolute(&request.private_data_dir);
        let inventory = request
            .inventory
            .iter()
            .map(|value| resolve_inventory(&pdd_path, value).ok_or(JobError::BadInventory))
            .collect::<Result<Vec<_>, _>>()?;
        let kind = job_kind(request)?;
        if let Some(cmdline) = &request.cmdline {
            crate::job::files::split_cmdline(cmdline).map_err(JobError::BadCmdline)?;
        }
        let pdd = PrivateDataDir::open_or_create(&request.private_data_dir)?;
        let mut env = pdd.load_env(&request.given)?;
        if kind == JobKind::Raw && request.binary.is_none() && env.args.is_none() && request.command.is_none() {
            return Err(JobError::NoRawCommand);
        }
        if let Some(timeout) = request.job_timeout {
            env.settings.job_timeout = Some(timeout).filter(|t| *t > 0.0);
        }
        let isolation = isolation::resolve(&request.isolation, &env.settings, path_var)?;
        let quiet = request.quiet || env.settings.suppress_ansible_output == Some(true);
        let default_inventory = || pdd.inventory().exists().then(|| pdd.inventory()).into_iter().collect();
        Ok(Self {
            ident: request.ident.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            kind,
            binary: request.binary.clone(),
            inventory: if inventory.is_empty() { default_inventory() } else { inventory },
            limit: request.limit.clone(),
            forks: request.forks.clone(),
            cmdline: request.cmdline.clone().or_else(|| env.cmdline.clone()),
            verbosity: request.verbosity,
            tags: request.tags.clone(),
            skip_tags: request.skip_tags.clone(),
            fact_cache_jsonfile: request.given.fact_cache_type.as_deref().is_none_or(|kind| kind == "jsonfile"),
            artifact_root: pdd.artifact_root(request.artifact_dir.as_deref()),
            project_dir: request.project_dir.clone().unwrap_or_else(|| pdd.project()),
            rotate_artifacts: request.rotate_artifacts,
            output: OutputMode::from_flags(quiet, request.json),
            json: request.json,
            omit_event_data: request.omit_event_data,
            only_failed_event_data: request.only_failed_event_data,
            roles_path: request.roles_path.clone(),
            logging: request.logging.clone(),
            report: request.report.clone(),
            isolation,
            command: request.command.clone(),
            as_given: AsGiven::of(request),
            env,
            pdd,
        })
    }

    /// The Python tool stores a `--cmdline` into `env/cmdline` when that file is absent (unless
    /// `--omit-env-files`), and later runs pick it up; kept for compatibility.
    pub fn persist_cmdline(&self) -> Result<(), StoreError> {
        match &self.as_given.cmdline {
            Some(cmdline) if !self.as_given.omit_env_files => self.pdd.store_cmdline(cmdline),
            _ => Ok(()),
        }
    }

    pub fn artifact_dir(&self) -> PathBuf {
        self.artifact_root.join(&self.ident)
    }

    /// The job's container, when it runs in one.
    pub fn container(&self) -> Option<&Container> {
        match &self.isolation {
            Some(Isolation::Container(container)) => Some(container),
            _ => None,
        }
    }

    pub fn is_ad_hoc(&self) -> bool {
        matches!(self.kind, JobKind::Module { .. }) && self.binary.is_none()
    }
}

/// The command line, the environment and the `command` artifact carry paths as text: a path that
/// is not UTF-8 would turn into another path there (and the job run somewhere else), so it is
/// refused before anything is written.
fn require_utf8(request: &JobRequest) -> Result<(), JobError> {
    let paths = [Some(&request.private_data_dir), request.project_dir.as_ref(), request.artifact_dir.as_ref()];
    match paths.into_iter().flatten().find(|path| path.to_str().is_none()) {
        Some(path) => Err(JobError::NotUtf8(path.to_string_lossy().into_owned())),
        None => Ok(()),
    }
}

fn job_kind(request: &JobRequest) -> Result<JobKind, JobError> {
    if let Some(role) = &request.role {
        let vars = request.role_vars.as_deref().map(parse_role_vars).transpose()?;
        return Ok(JobKind::Role {
            role: role.clone(),
            vars,
            hosts: request.hosts.clone(),
            gather_facts: !request.role_skip_facts,
        });
    }
    if let Some(module) = &request.module {
        return Ok(JobKind::Module {
            module: module.clone(),
            args: request.module_args.clone(),
            hosts: request.hosts.clone(),
        });
    }
    match &request.playbook {
        Some(playbook) => Ok(JobKind::Playbook { playbook: playbook.clone() }),
        None if request.raw_command => Ok(JobKind::Raw),
        None => Err(JobError::NothingToRun),
    }
}

/// `--inventory` may name a path (relative to the cwd or absolute) or an entry of `<pdd>/inventory/`.
/// A comma-separated host list (`web1,web2,` as Ansible accepts it) is passed through as given.
fn resolve_inventory(pdd: &Path, value: &str) -> Option<PathBuf> {
    let given = Path::new(value);
    if given.is_file() || given.is_dir() {
        return Some(crate::util::fs::absolute(given));
    }
    if given.is_relative() {
        let inside = pdd.join("inventory").join(given);
        if inside.is_file() || inside.is_dir() {
            return Some(inside);
        }
    }
    value.contains(',').then(|| PathBuf::from(value))
}

/// Parses `k1=v1 k2=v2`; values are read as Python literals when they are ones, else kept as text.
fn parse_role_vars(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, JobError> {
    text.split_whitespace()
        .map(|item| {
            let mut parts = item.split('=');
            match (parts.next(), parts.next(), parts.next()) {
                (Some(key), Some(value), None) => Ok((key.to_owned(), literal(value))),
                _ => Err(JobError::BadRoleVar(item.to_owned())),
            }
        })
        .collect()
}

fn literal(text: &str) -> serde_json::Value {
    use serde_json::Value;
    match text {
        "True" => return Value::Bool(true),
        "False" => return Value::Bool(false),
        "None" => return Value::Null,
        _ => {}
    }
    if let Ok(int) = text.parse::<i64>() {
        return Value::from(int);
    }
    if let Ok(float) = text.parse::<f64>() {
        if float.is_finite() {
            return Value::from(float);
        }
    }
    let quoted = text.len() >= 2
        && ((text.starts_with('\'') && text.ends_with('\'')) || (text.starts_with('"') && text.ends_with('"')));
    if quoted {
        return Value::String(text[1..text.len() - 1].to_owned());
    }
    if text.starts_with('[') || text.starts_with('{') {
        let as_json =
            text.replace('\'', "\"").replace("True", "true").replace("False", "false").replace("None", "null");
        if let Ok(value) = serde_json::from_str(&as_json) {
            return value;
        }
    }
    Value::String(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn role_vars_are_python_literals() {
        let vars = parse_role_vars("a=5 b=[1,2] c=True d='q' e=plain f=2.5").unwrap();
        assert_eq!(
            serde_json::Value::Object(vars),
            json!({"a": 5, "b": [1, 2], "c": true, "d": "q", "e": "plain", "f": 2.5})
        );
        assert!(matches!(parse_role_vars("novalue"), Err(JobError::BadRoleVar(_))));
        assert!(matches!(parse_role_vars("a=b=c"), Err(JobError::BadRoleVar(_))));
    }

    #[test]
    fn inventory_resolution() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("inventory")).unwrap();
        std::fs::write(dir.path().join("inventory/hosts"), "localhost\n").unwrap();
        assert_eq!(resolve_inventory(dir.path(), "hosts"), Some(dir.path().join("inventory/hosts")));
        assert_eq!(resolve_inventory(dir.path(), "missing"), None);
        assert_eq!(resolve_inventory(dir.path(), "web1,web2"), Some(PathBuf::from("web1,web2")));
    }
}
