//! `JobRequest`: what a job asks for, in one neutral form. The command line, a stream's kwargs and
//! the hand-over from `start` to its detached process each become one; `JobSpec::resolve` checks it
//! against the private data dir. Nothing past this point reads flags or kwargs.

pub mod api;
pub mod kwargs;

use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Everything a job can be asked to do, before any file is read.
/// The longest timeout or wait accepted, in seconds (about 31 years): beyond any real job, and far
/// below what deadline arithmetic can hold, so no number a user writes can overflow a clock.
pub const MAX_SECONDS: f64 = 1e9;
/// The accepted range, as error messages state it.
pub const SECONDS_RANGE: &str = "a number of seconds from 0 to 1000000000";

/// `value` when it is a usable number of seconds; `None` for NaN, negatives, infinities and
/// anything above `MAX_SECONDS`.
pub fn seconds_in_range(value: f64) -> Option<f64> {
    (0.0..=MAX_SECONDS).contains(&value).then_some(value)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobRequest {
    pub private_data_dir: PathBuf,
    /// At most one of these three names what runs (checked by `JobSpec::resolve`).
    pub playbook: Option<String>,
    pub module: Option<String>,
    pub role: Option<String>,
    pub module_args: Option<String>,
    pub hosts: Option<String>,
    pub limit: Option<String>,
    pub forks: Option<String>,
    /// Extra Ansible arguments; `env/cmdline` applies when this is absent.
    pub cmdline: Option<String>,
    pub binary: Option<String>,
    pub ident: Option<String>,
    /// Inventory paths or host lists as given; resolved against the private data dir later.
    pub inventory: Vec<String>,
    pub project_dir: Option<PathBuf>,
    pub artifact_dir: Option<PathBuf>,
    pub roles_path: Option<String>,
    pub role_vars: Option<String>,
    pub role_skip_facts: bool,
    pub rotate_artifacts: i64,
    pub verbosity: u8,
    pub quiet: bool,
    pub json: bool,
    pub omit_event_data: bool,
    pub only_failed_event_data: bool,
    /// Do not store this run's inputs (a `--cmdline`) into `env/`.
    pub omit_env_files: bool,
    /// `--tags` and `--skip-tags` for Ansible (the Python API's `tags`, `skip_tags`).
    pub tags: Option<String>,
    pub skip_tags: Option<String>,
    /// Replaces `job_timeout` of `env/settings` (the Python API's `timeout`).
    pub job_timeout: Option<f64>,
    /// Inputs handed over in memory rather than as `env/` files.
    pub given: GivenInputs,
    /// Naming no playbook, module or role is fine: the command is `binary` or the `args` file.
    pub raw_command: bool,
    /// The Python API's `run_command()` family: a whole command line, run as given.
    pub command: Option<GenericCommand>,
    pub isolation: IsolationRequest,
    pub logging: LoggingOptions,
    pub report: ReportOptions,
}

/// A command run exactly as given (no Ansible arguments appended), where the caller says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenericCommand {
    pub argv: Vec<String>,
    /// The caller's `host_cwd`, or the runner's own working directory.
    pub cwd: PathBuf,
    /// The Python tool's `subprocess` mode: stdout and stderr kept apart and never a terminal, so
    /// that a tool's JSON on stdout is not mixed with its warnings.
    pub separate_streams: bool,
    /// Both the given stdin and stdout are terminals: a container then gets `--tty` even in
    /// `subprocess` mode, as a person at that terminal expects.
    pub on_terminal: bool,
    pub stdio: ChildStdio,
}

/// Descriptors of the runner's own that the child gets as its stdin, stdout and stderr instead of
/// the runner's pipes (the caller then sees that output, and the artifacts do not).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildStdio {
    pub stdin: Option<i32>,
    pub stdout: Option<i32>,
    pub stderr: Option<i32>,
}

/// What the Python API passes as values instead of `env/` files (because `suppress_env_files`
/// keeps secrets off the disk, or because the file exists already). Where both exist, the file's
/// entries win, as in the Python tool.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GivenInputs {
    /// Environment variables, values already converted to text.
    pub envvars: Vec<(String, String)>,
    /// Extra vars, passed to Ansible as one `-e {...}` of their own after `env/extravars`.
    pub extravars: Option<serde_json::Map<String, serde_json::Value>>,
    /// Prompt pattern → answer.
    pub passwords: Vec<(String, String)>,
    /// Settings, under those of `env/settings`.
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Used when there is no `env/ssh_key`.
    pub ssh_key: Option<String>,
    /// `jsonfile` unless the API asks for another Ansible fact cache plugin.
    pub fact_cache_type: Option<String>,
}

/// Process isolation and container settings, as asked.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IsolationRequest {
    pub process_isolation: bool,
    pub executable: Option<String>,
    pub path: Option<String>,
    pub hide_paths: Vec<String>,
    pub show_paths: Vec<String>,
    pub ro_paths: Vec<String>,
    pub directory_isolation_base_path: Option<String>,
    pub container_image: Option<String>,
    pub container_volume_mounts: Vec<String>,
    pub container_options: Vec<String>,
    /// The Python API's `container_workdir`: the job's working directory in the container.
    pub container_workdir: Option<String>,
    /// The Python API's `host_cwd` (absolute): mounted at the same path in the container and its
    /// working directory there, unless `container_workdir` says otherwise.
    pub host_cwd: Option<PathBuf>,
}

/// Diagnostics of the runner itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingOptions {
    pub debug: bool,
    pub logfile: Option<PathBuf>,
}

/// Reports, alerts and the run lock: none changes the job or its artifacts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    pub junit: Option<PathBuf>,
    pub notify_url: Option<String>,
    pub notify_on: NotifyOn,
    pub lock: bool,
    /// With `lock`: how long to wait for it (`None`: refuse at once).
    pub lock_wait: Option<Duration>,
    /// Print the closing summary line even where no person looks.
    pub summary: bool,
    /// Where to write the run's Prometheus metrics when it ends.
    pub metrics_file: Option<PathBuf>,
}

/// When `--notify-url` is called: on `Failure` for runs that failed (`failed`, `timeout`,
/// `canceled`, or could not start), on `FailureOrSkipped` for those and runs `--lock` skipped, or
/// `Always`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
pub enum NotifyOn {
    #[default]
    Failure,
    FailureOrSkipped,
    Always,
}
